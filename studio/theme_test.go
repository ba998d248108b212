package studio

import (
	"testing"

	"github.com/slatestudio/slate/studio/look"
)

// TestStudioInstallsItsTheme: the studio draws in its own theme, whose
// colours studio/look's TestContrast checks, and not in Fyne's, whose
// help text read at 1.5:1.
func TestStudioInstallsItsTheme(t *testing.T) {
	h := newHarness(t, smallDemo(t))
	th := h.env.App.Settings().Theme()
	if _, ok := th.(*look.Theme); !ok {
		t.Fatalf("the studio's app draws in %T, want the studio's theme (*look.Theme)", th)
	}
}
