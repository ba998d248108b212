package modelsui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/slatestudio/slate/studio/studiotest"
)

// TestModelsWindowKeys: Esc closes the models window, and so does Enter
// (its one button is Close); Esc closes the file picker of Install a
// voice and leaves the models window open under it.
func TestModelsWindowKeys(t *testing.T) {
	h, _ := modelsHarness(t, func() (Runtime, error) { return Runtime{Provider: "CPU", ChosenBy: "best"}, nil })
	c := h.win.Canvas()
	for _, key := range []fyne.KeyName{fyne.KeyEscape, fyne.KeyReturn} {
		w := h.show()
		h.ui.Until(t, "the models to be listed", 10*time.Second, func() bool { return w.shown.runtime.Provider != "" })
		c.Unfocus()
		studiotest.Press(h.win, 0, key)
		if c.Overlays().Top() != nil {
			t.Errorf("%s left the models window open", key)
		}
	}
	h.show()
	models := c.Overlays().Top()
	studiotest.FindButton(t, models, "Install a voice…").OnTapped()
	if c.Overlays().Top() == models {
		t.Fatal("Install a voice… showed no file picker")
	}
	c.Unfocus()
	studiotest.Press(h.win, 0, fyne.KeyEscape)
	if c.Overlays().Top() != models {
		t.Error("Esc in the file picker did not go back to the models window")
	}
}
