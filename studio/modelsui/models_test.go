package modelsui

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/slatestudio/slate/ml/pack"
	"github.com/slatestudio/slate/voices"
)

// modelsHarness is a studio whose models live in a fresh data folder.
func modelsHarness(t *testing.T, runtime func() (string, error)) (*harness, *Models) {
	data := t.TempDir()
	m := &Models{
		Packs:     pack.NewStore(filepath.Join(data, "models"), nil),
		VoiceDirs: voices.Dirs(data),
		VoicesDir: filepath.Join(data, "voices"),
		Runtime:   runtime,
	}
	t.Setenv("SLATE_VOICES", "")
	h := newHarnessWith(t, smallDemo(t), func(d *Deps) { d.Models = m })
	return h, m
}

func TestModelsWindowInstallsListsAndRemoves(t *testing.T) {
	h, m := modelsHarness(t, func() (string, error) { return "CPU, with ONNX Runtime 1.24.3 (it offers CPU)", nil })
	w := h.s.showModels()
	h.ui.until(t, "the models to be listed", 10*time.Second, func() bool { return w.shown.runtime != "" })
	shown := texts(h.win.Canvas().Overlays().Top())
	for _, want := range []string{"Models run on CPU, with ONNX Runtime 1.24.3 (it offers CPU).", "None installed.", "No Piper voices installed"} {
		if !strings.Contains(shown, want) {
			t.Errorf("the empty window does not say %q:\n%s", want, shown)
		}
	}

	// Installing from the tiny pack's folder lists it with its licence.
	w.installPack(filepath.Join("..", "render", "onnx", "testdata", "tinypack"))
	h.ui.until(t, "the pack to be listed", 20*time.Second, func() bool { return len(w.shown.packs) == 1 })
	if names, err := m.Packs.Names(); err != nil || len(names) != 1 || names[0] != "tinypack" {
		t.Fatalf("installed packs = %v, %v; want tinypack", names, err)
	}
	h.ui.drain()
	if shown := texts(h.win.Canvas().Overlays().Top()); !strings.Contains(shown, "Model pack installed") {
		t.Errorf("installing did not say so:\n%s", shown)
	}
	shown = texts(w.content)
	for _, want := range []string{"tinypack", "Licence: CC0-1.0 · 30 kB"} {
		if !strings.Contains(shown, want) {
			t.Errorf("after installing, the window does not say %q:\n%s", want, shown)
		}
	}
	dismiss(t, h)

	// Verifying a damaged file says so.
	p, err := m.Packs.Open("tinypack")
	if err != nil {
		t.Fatal(err)
	}
	file := p.Path(p.Manifest.Files[0].Path)
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/2] ^= 0xff
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	w.verify("tinypack")
	h.ui.until(t, "the verification to end", 20*time.Second, func() bool {
		return strings.Contains(texts(h.win.Canvas().Overlays().Top()), "text_encoder/model.onnx: sha256")
	})
	dismiss(t, h)

	// A voice installed from its file is listed by the name lines use.
	w.installVoice(filepath.Join("..", "voices", "testdata", "tiny.onnx"))
	h.ui.until(t, "the voice to be listed", 20*time.Second, func() bool { return len(w.shown.voices) == 1 })
	h.ui.drain()
	dismiss(t, h)
	if shown := texts(w.content); !strings.Contains(shown, "piper:tiny") || !strings.Contains(shown, "en_US · 22050 Hz · 1 speaker") {
		t.Errorf("the window does not list piper:tiny:\n%s", shown)
	}

	// Removing asks first, then the pack is gone from disk and the list.
	w.confirmRemove("tinypack")
	test.Tap(findButton(t, h.win.Canvas().Overlays().Top(), "Remove"))
	h.ui.until(t, "the pack to go", 20*time.Second, func() bool { return len(w.shown.packs) == 0 })
	if names, _ := m.Packs.Names(); len(names) != 0 {
		t.Errorf("after removing, packs installed = %v", names)
	}
}

func TestModelsWindowSaysWhyModelsCannotRun(t *testing.T) {
	h, m := modelsHarness(t, func() (string, error) {
		return "", errors.New("ONNX Runtime is not installed: run `make run`")
	})
	// A pack whose manifest is broken is shown as damaged, not hidden.
	broken := filepath.Join(m.Packs.Dir(), "broken")
	if err := os.MkdirAll(broken, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(broken, pack.ManifestFile), []byte(`{"format":1,`), 0o644); err != nil {
		t.Fatal(err)
	}
	w := h.s.showModels()
	h.ui.until(t, "the models to be listed", 10*time.Second, func() bool { return w.shown.runtimeErr != nil })
	shown := texts(h.win.Canvas().Overlays().Top())
	for _, want := range []string{"On-device models cannot run: ONNX Runtime is not installed: run `make run`", "Damaged: "} {
		if !strings.Contains(shown, want) {
			t.Errorf("the window does not say %q:\n%s", want, shown)
		}
	}
	test.Tap(findButton(t, h.win.Canvas().Overlays().Top(), "Remove…"))
	test.Tap(findButton(t, h.win.Canvas().Overlays().Top(), "Remove"))
	h.ui.until(t, "the broken pack to go", 20*time.Second, func() bool { return len(w.shown.packs) == 0 && w.shown.runtimeErr != nil })
	if _, err := os.Stat(broken); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the broken pack's folder is still there: %v", err)
	}
}

// dismiss closes the information or problem dialog on top.
func dismiss(t *testing.T, h *harness) {
	t.Helper()
	top := h.win.Canvas().Overlays().Top()
	for _, label := range []string{"OK", "Close"} {
		var found bool
		walkAll(top, func(o fyne.CanvasObject) {
			if b, ok := o.(*widgetButton); ok && b.Text == label && !found {
				found = true
				test.Tap(b)
			}
		})
		if found {
			return
		}
	}
	t.Fatalf("nothing to dismiss in:\n%s", texts(top))
}

func findButton(t *testing.T, o fyne.CanvasObject, label string) *widgetButton {
	t.Helper()
	var found *widgetButton
	walkAll(o, func(o fyne.CanvasObject) {
		if b, ok := o.(*widgetButton); ok && b.Text == label {
			found = b
		}
	})
	if found == nil {
		t.Fatalf("no %q button in:\n%s", label, texts(o))
	}
	return found
}
