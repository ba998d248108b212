package animatic_test

import (
	"os"
	"testing"

	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/render/animatic"
	"github.com/slatestudio/slate/render/rendertest"
)

func tools(t *testing.T) media.Tools {
	t.Helper()
	tools := media.FindTools()
	if err := tools.Check(); err != nil {
		if os.Getenv("SLATE_REQUIRE_DEPS") == "1" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	return tools
}

func TestConformance(t *testing.T) {
	tl := tools(t)
	b, err := animatic.New(tl)
	if err != nil {
		t.Fatal(err)
	}
	rendertest.Run(t, b, tl, rendertest.Options{})
}
