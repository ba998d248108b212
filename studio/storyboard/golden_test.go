package storyboard

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// The main views as markup, compared with goldens in testdata/ (Fyne
// writes a mismatch to testdata/failed/; review it and copy it over to
// accept a change).
func TestViewGoldens(t *testing.T) {
	h := newHarness(t, nil)
	h.s.selectShots("window")
	for name, obj := range map[string]fyne.CanvasObject{
		"timeline.xml":  h.s.timeline.view(),
		"inspector.xml": h.s.inspector.view(),
	} {
		w := test.NewWindow(obj)
		w.Resize(fyne.NewSize(900, 700))
		h.s.timeline.track.Refresh()
		test.AssertRendersToMarkup(t, name, w.Canvas())
		w.Close()
	}
}
