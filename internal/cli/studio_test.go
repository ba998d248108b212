package cli

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/ml"
	"github.com/slatestudio/slate/ml/pack"
	"github.com/slatestudio/slate/render/onnx"
	"github.com/slatestudio/slate/render/onnx/onnxtest"
)

// What the Models window is told (OnDevice) is what the backend renders
// on, or the reason it cannot. studio/provider_test.go compares the
// window itself with doctor and a render.
func TestOnDeviceIsWhatRenders(t *testing.T) {
	home := t.TempDir()
	dataDir := func() (string, error) { return home, nil }
	getenv := func(string) string { return "" }
	if _, err := OnDevice(home, getenv); !errors.Is(err, onnx.ErrNoPack) {
		t.Errorf("OnDevice with no pack = %v, want the backend's ErrNoPack", err)
	}
	_, _, ortErr := ml.FindLibrary()
	requireDeps(t, ortErr)
	store := pack.NewStore(filepath.Join(home, "models"), nil)
	for _, named := range []string{"cpu", "DirectML"} {
		src := t.TempDir()
		if _, err := onnxtest.Write(src, onnxtest.Options{Provider: named}); err != nil {
			t.Fatal(err)
		}
		if err := store.Remove("tinypack"); err != nil && named != "cpu" {
			t.Fatal(err)
		}
		if _, err := store.Install(context.Background(), src, nil); err != nil {
			t.Fatal(err)
		}
		on, err := OnDevice(home, getenv)
		b, berr := openONNX(media.FindTools(), dataDir, getenv)
		if berr != nil {
			if err == nil || err.Error() != berr.Error() {
				t.Errorf("a pack naming %s: OnDevice = %q, %v; the backend refuses with %v", named, on, err, berr)
			}
			continue
		}
		provider := b.(*onnx.Backend).Provider()
		b.(*onnx.Backend).Close()
		if err != nil || !strings.HasPrefix(on, provider+" (chosen by the pack's manifest), with ONNX Runtime ") || !strings.EqualFold(provider, named) {
			t.Errorf("a pack naming %s: OnDevice = %q, %v; the backend renders on %s", named, on, err, provider)
		}
	}
}
