package local_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/render/local"
	"github.com/slatestudio/slate/render/onnx"
)

// Register names the animatic and the on-device backend; the latter looks
// for packs only when it opens, in the folder given, and says what to
// install when there are none.
func TestRegister(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "models")
	asked := 0
	reg := render.NewRegistry()
	local.Register(reg, media.FindTools(), func() (string, error) { asked++; return dir, nil }, func(string) string { return "" })
	if got := fmt.Sprint(reg.Names()); got != "[animatic onnx]" {
		t.Errorf("Names = %s, want [animatic onnx]", got)
	}
	if asked != 0 {
		t.Errorf("the models folder was asked for %d times before anything opened, want 0", asked)
	}
	b, err := reg.Open("animatic")
	if err != nil || b.Name() != "animatic" {
		t.Errorf("Open(animatic) = %v, %v", b, err)
	}
	_, err = reg.Open("onnx")
	if !errors.Is(err, onnx.ErrNoPack) || !strings.Contains(err.Error(), dir) {
		t.Errorf("Open(onnx) with no pack in %s = %v, want ErrNoPack naming the folder", dir, err)
	}
	noDir := errors.New("no data folder")
	reg = render.NewRegistry()
	local.Register(reg, media.FindTools(), func() (string, error) { return "", noDir }, func(string) string { return "" })
	if _, err := reg.Open("onnx"); !errors.Is(err, noDir) {
		t.Errorf("Open(onnx) without a data folder = %v, want its error", err)
	}
}
