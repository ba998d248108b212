package modelsui

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slatestudio/slate/internal/cli"
	"github.com/slatestudio/slate/ml"
	"github.com/slatestudio/slate/ml/pack"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/render/onnx"
	"github.com/slatestudio/slate/render/onnx/onnxtest"
	"github.com/slatestudio/slate/studio/studiotest"
	"github.com/slatestudio/slate/voices"
)

// The Models window, slate doctor and a render agree on the execution
// provider for a pack whose manifest names one, with nothing chosen
// through the environment: each is asked as the real program asks it
// (the window as cmd/slate wires it, doctor through the command line, the
// backend through the registry renders open it from), and all three name
// the same provider, or all three refuse with the same reason. It lives
// with the window's tests because only they can open it; the other two
// come from internal/cli.
func TestModelsWindowDoctorAndRenderAgreeOnProvider(t *testing.T) {
	tools := studiotest.Tools(t)
	lib, _, err := ml.FindLibrary()
	if err != nil && os.Getenv("SLATE_REQUIRE_DEPS") != "1" {
		t.Skip(err)
	}
	rt, err := ml.Load(lib)
	if err != nil {
		t.Fatal(err)
	}
	// The last provider offered is the CPU, which is never the best where
	// a GPU is, so a pack naming it differs from the default there; a
	// provider the library lacks differs from the default everywhere.
	names := []string{rt.Providers()[len(rt.Providers())-1]}
	for _, p := range []string{ml.DirectML, ml.CoreML, ml.CUDA} {
		if !slices.Contains(rt.Providers(), p) {
			names = append(names, p)
			break
		}
	}
	for _, named := range names {
		t.Run(named, func(t *testing.T) {
			home := t.TempDir()
			t.Setenv("SLATE_HOME", home)
			t.Setenv("SLATE_VOICES", "")
			t.Setenv(onnx.PackEnv, "")
			t.Setenv(onnx.ProviderEnv, "")
			src := t.TempDir()
			if _, err := onnxtest.Write(src, onnxtest.Options{Provider: named}); err != nil {
				t.Fatal(err)
			}
			store := pack.NewStore(filepath.Join(home, "models"), nil)
			if _, err := store.Install(context.Background(), src, nil); err != nil {
				t.Fatal(err)
			}

			// The Models window, as cmd/slate gives it its models.
			m := &Models{Packs: store, VoiceDirs: voices.Dirs(home), VoicesDir: filepath.Join(home, "voices"),
				Runtime: func() (Runtime, error) {
					w, err := cli.OnDeviceWhere(home, os.Getenv)
					return Runtime{Provider: w.Provider, ChosenBy: w.ChosenBy, Detail: w.Detail}, err
				}}
			h := newRig(t, m)
			w := h.show()
			h.ui.Until(t, "the window to say where models run", 20*time.Second, func() bool {
				return w.shown.runtime.Provider != "" || w.shown.runtimeErr != nil
			})
			// What the window says, and under Details the workings.
			window, detail := w.runtime.Text, w.runtimeDetail.Text

			// slate doctor's models line.
			var out bytes.Buffer
			cli.Main(context.Background(), []string{"doctor"}, nil, &out, io.Discard, nil)
			var doctor string
			for _, l := range strings.Split(out.String(), "\n") {
				if strings.HasPrefix(l[min(6, len(l)):], "models ") {
					doctor = l
				}
			}

			// The backend a render opens, from the registry slate render
			// and the studio's queue use.
			reg := render.NewRegistry()
			cli.RegisterBackends(reg, tools)
			var rendered, refused string
			if b, err := reg.Open(onnx.Name); err != nil {
				refused = err.Error()
			} else {
				rendered = b.(*onnx.Backend).Provider()
				b.(*onnx.Backend).Close()
			}

			t.Logf("manifest names %s:\n  window: %s\n  details: %s\n  doctor: %s\n  render: %s%s", named, window, detail, doctor, rendered, refused)
			if refused == "" {
				if !strings.EqualFold(rendered, named) ||
					!strings.Contains(window, "("+rendered+"), as the model pack asks.") ||
					!strings.HasPrefix(detail, rendered+" (chosen by the pack's manifest)") ||
					!strings.HasPrefix(doctor, "ok    models        tinypack (CC0-1.0); the onnx backend renders on "+rendered+" (chosen by the pack's manifest)") {
					t.Errorf("a render uses %s, but the Models window says %q and slate doctor %q", rendered, window, doctor)
				}
				return
			}
			// The registry says which backend failed to open; the reason
			// after it is the same.
			reason := detail
			if !strings.HasPrefix(window, "On-device models cannot run on this computer yet") || reason == "" || !strings.HasSuffix(refused, ": "+reason) ||
				doctor != "FAIL  models        tinypack (CC0-1.0) installed, but "+reason {
				t.Errorf("a render is refused (%s), but the Models window says %q and slate doctor %q", refused, window, doctor)
			}
		})
	}
}
