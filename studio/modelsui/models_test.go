package modelsui

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/slatestudio/slate/ml/pack"
	"github.com/slatestudio/slate/studio/studiotest"
	"github.com/slatestudio/slate/timeline"
	"github.com/slatestudio/slate/voices"
)

// rig is the models window's place: a window over studiotest's env, and
// a session to run the window's work.
type rig struct {
	t   *testing.T
	win fyne.Window
	ui  *studiotest.UI
	d   Deps
}

// show opens the models window, as Render ▸ Model packs and voices does.
func (h *rig) show() *Window { return Show(h.t.Context(), h.d) }

// modelsHarness is a window whose models live in a fresh data folder.
func modelsHarness(t *testing.T, runtime func() (Runtime, error)) (*rig, *Models) {
	data := t.TempDir()
	m := &Models{
		Packs:     pack.NewStore(filepath.Join(data, "models"), nil),
		VoiceDirs: voices.Dirs(data),
		VoicesDir: filepath.Join(data, "voices"),
		Runtime:   runtime,
	}
	t.Setenv("SLATE_VOICES", "")
	return newRig(t, m), m
}

// newRig is the window's place, for the models m.
func newRig(t *testing.T, m *Models) *rig {
	env := studiotest.New(t, studiotest.Options{Projects: []*timeline.Project{studiotest.SmallDemo(t)}})
	h := &rig{t: t, win: env.App.NewWindow("models"), ui: env.UI}
	h.win.SetContent(widget.NewLabel("the studio"))
	h.win.Resize(fyne.NewSize(1440, 900))
	h.win.Show()
	t.Cleanup(h.win.Close)
	h.d = Deps{
		Models: m, Window: h.win, Runner: env.Session(),
		Report: func(err error) { dialog.ShowError(err, h.win) },
		// What the studio's problem dialog says: the title and the message.
		Problem: func(title, message string) dialog.Dialog {
			d := dialog.NewCustom(title, "Close", widget.NewLabel(message), h.win)
			d.Show()
			return d
		},
	}
	return h
}

func TestModelsWindowInstallsListsAndRemoves(t *testing.T) {
	h, m := modelsHarness(t, func() (Runtime, error) {
		return Runtime{Provider: "CPU", ChosenBy: "best", Detail: "CPU (the best this ONNX Runtime offers), with ONNX Runtime 1.24.3 (it offers CPU)"}, nil
	})
	w := h.show()
	h.ui.Until(t, "the models to be listed", 10*time.Second, func() bool { return w.shown.runtime.Provider != "" })
	shown := studiotest.Texts(h.win.Canvas().Overlays().Top())
	for _, want := range []string{"Models run on this computer's processor (CPU), the fastest it offers.", "with ONNX Runtime 1.24.3 (it offers CPU)", "None installed.", "No extra voices installed"} {
		if !strings.Contains(shown, want) {
			t.Errorf("the empty window does not say %q:\n%s", want, shown)
		}
	}

	// Installing from the tiny pack's folder lists it with its licence.
	w.installPack(t.Context(), filepath.Join("..", "..", "render", "onnx", "testdata", "tinypack"))
	h.ui.Until(t, "the pack to be listed", 20*time.Second, func() bool { return len(w.shown.packs) == 1 })
	if names, err := m.Packs.Names(); err != nil || len(names) != 1 || names[0] != "tinypack" {
		t.Fatalf("installed packs = %v, %v; want tinypack", names, err)
	}
	h.ui.Drain()
	if shown := studiotest.Texts(h.win.Canvas().Overlays().Top()); !strings.Contains(shown, "Model pack installed") {
		t.Errorf("installing did not say so:\n%s", shown)
	}
	shown = studiotest.Texts(w.content)
	for _, want := range []string{"tinypack", "Licence: CC0-1.0 · 30 kB"} {
		if !strings.Contains(shown, want) {
			t.Errorf("after installing, the window does not say %q:\n%s", want, shown)
		}
	}
	studiotest.Dismiss(t, h.win)

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
	w.verify(t.Context(), "tinypack")
	h.ui.Until(t, "the verification to end", 20*time.Second, func() bool {
		return strings.Contains(studiotest.Texts(h.win.Canvas().Overlays().Top()), "text_encoder/model.onnx: sha256")
	})
	studiotest.Dismiss(t, h.win)

	// A voice installed from its file is listed by the name lines use.
	w.installVoice(t.Context(), filepath.Join("..", "..", "voices", "testdata", "tiny.onnx"))
	h.ui.Until(t, "the voice to be listed", 20*time.Second, func() bool { return len(w.shown.voices) == 1 })
	h.ui.Drain()
	studiotest.Dismiss(t, h.win)
	if shown := studiotest.Texts(w.content); !strings.Contains(shown, "tiny\n") || !strings.Contains(shown, "en_US · 22050 Hz · 1 speaker") {
		t.Errorf("the window does not list the tiny voice:\n%s", shown)
	}

	// Removing asks first, then the pack is gone from disk and the list.
	w.confirmRemove(t.Context(), "tinypack")
	test.Tap(studiotest.FindButton(t, h.win.Canvas().Overlays().Top(), "Remove"))
	h.ui.Until(t, "the pack to go", 20*time.Second, func() bool { return len(w.shown.packs) == 0 })
	if names, _ := m.Packs.Names(); len(names) != 0 {
		t.Errorf("after removing, packs installed = %v", names)
	}
}

func TestModelsWindowSaysWhyModelsCannotRun(t *testing.T) {
	h, m := modelsHarness(t, func() (Runtime, error) {
		return Runtime{}, errors.New("ONNX Runtime is not installed: run `make run`")
	})
	// A pack whose manifest is broken is shown as damaged, not hidden.
	broken := filepath.Join(m.Packs.Dir(), "broken")
	if err := os.MkdirAll(broken, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(broken, pack.ManifestFile), []byte(`{"format":1,`), 0o644); err != nil {
		t.Fatal(err)
	}
	w := h.show()
	h.ui.Until(t, "the models to be listed", 10*time.Second, func() bool { return w.shown.runtimeErr != nil })
	shown := studiotest.Texts(h.win.Canvas().Overlays().Top())
	for _, want := range []string{"On-device models cannot run on this computer yet", "ONNX Runtime is not installed: run `make run`", "Damaged: "} {
		if !strings.Contains(shown, want) {
			t.Errorf("the window does not say %q:\n%s", want, shown)
		}
	}
	test.Tap(studiotest.FindButton(t, h.win.Canvas().Overlays().Top(), "Remove…"))
	test.Tap(studiotest.FindButton(t, h.win.Canvas().Overlays().Top(), "Remove"))
	h.ui.Until(t, "the broken pack to go", 20*time.Second, func() bool { return len(w.shown.packs) == 0 && w.shown.runtimeErr != nil })
	if _, err := os.Stat(broken); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the broken pack's folder is still there: %v", err)
	}
}
