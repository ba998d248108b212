package modelsui

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/slatestudio/slate/studio/studiotest"
)

// engineerWords are what a filmmaker should not have to read: setting
// names, voice identifiers and the workings' names.
var engineerWords = []string{"SLATE_", "piper:", "onnx", "backend", "espeak", "overrides"}

// The Models window speaks a filmmaker's language: where models run, in
// words, and the voices by name; the workings (the setting that chose the
// provider, the runtime's version) only under Details.
func TestModelsWindowWords(t *testing.T) {
	detail := "CPU (the best this ONNX Runtime offers; SLATE_ORT_PROVIDER=CPU overrides), with ONNX Runtime 1.24.3 (it offers CPU)"
	h, _ := modelsHarness(t, func() (Runtime, error) {
		return Runtime{Provider: "CPU", ChosenBy: "best", Detail: detail}, nil
	})
	w := h.show()
	h.ui.Until(t, "the runtime to be told", 10*time.Second, func() bool { return w.shown.runtime.Provider != "" })
	w.installVoice(t.Context(), filepath.Join("..", "..", "voices", "testdata", "tiny.onnx"))
	h.ui.Until(t, "the voice to be listed", 20*time.Second, func() bool { return len(w.shown.voices) == 1 })
	h.ui.Drain()
	studiotest.Dismiss(t, h.win)
	var face strings.Builder
	studiotest.WalkAll(w.content, func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok && l != w.runtimeDetail {
			face.WriteString(l.Text + "\n")
		}
	})
	for _, word := range engineerWords {
		if strings.Contains(strings.ToLower(face.String()), strings.ToLower(word)) {
			t.Errorf("the Models window says %q:\n%s", word, face.String())
		}
	}
	if got := w.runtime.Text; got != "Models run on this computer's processor (CPU), the fastest it offers." {
		t.Errorf("the window says %q of where models run", got)
	}
	if w.runtimeDetail.Text != detail {
		t.Errorf("Details say %q, want the workings %q", w.runtimeDetail.Text, detail)
	}
}
