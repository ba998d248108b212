package studio

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"

	"github.com/slatestudio/slate/studio/uikit"
)

// File ▸ Project settings… opens the settings of the open project; a
// project renamed there shows its new title in the window's title, and
// Edit ▸ Undo names the change.
func TestProjectSettingsMenu(t *testing.T) {
	h := newHarness(t, smallDemo(t))
	h.menuItem(t, "Project settings…").Action()
	d := h.win.Canvas().Overlays().Top()
	if d == nil || !strings.Contains(texts(d), "Project settings") {
		t.Fatalf("File ▸ Project settings… showed no settings")
	}
	var title *uikit.Field // the first field; the custom size is an Entry
	walkAll(d, func(o fyne.CanvasObject) {
		if e, ok := o.(*uikit.Field); ok && title == nil {
			title = e
		}
	})
	if title == nil {
		t.Fatal("Project settings has no title field")
	}
	title.SetText("The Kite")
	findButton(t, d, "Apply").OnTapped()
	if got, want := h.win.Title(), "The Kite — Slate"; got != want {
		t.Errorf("the window's title is %q, want %q", got, want)
	}
	if got := h.menuItem(t, "Undo").Label; got != "Undo Change project settings" {
		t.Errorf("the undo menu says %q", got)
	}
	if got := h.stored(t).Title; got != "The Kite" {
		t.Errorf("the stored title is %q", got)
	}
}
