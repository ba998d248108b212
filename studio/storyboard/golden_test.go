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
	b := newBoard(t, nil)
	b.s.Select("window")
	b.s.SetPlayhead(0) // selecting moved it to the window; the goldens draw it at the start
	for name, obj := range map[string]fyne.CanvasObject{
		"timeline.xml":  b.strip.View(),
		"inspector.xml": b.in.View(),
	} {
		w := test.NewWindow(obj)
		w.Resize(fyne.NewSize(900, 700))
		b.strip.track.Refresh()
		test.AssertRendersToMarkup(t, name, w.Canvas())
		w.Close()
	}
}
