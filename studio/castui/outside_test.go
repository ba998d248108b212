package castui

import (
	"context"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/slatestudio/slate/studio/studiotest"
)

// The member's own Edit dialog, where who may use the likeness is set,
// offers "May be sent to outside render services", off for a new member;
// ticked and saved, the library keeps it for the account server.
func TestCastMemberEditOutside(t *testing.T) {
	h := newRig(t, nil, nil)
	m := h.addMember(t, "Cy Moss")
	h.panel.editDialog(t.Context(), m)
	over := h.win.Canvas().Overlays().Top()
	var check *widget.Check
	var save *widget.Button
	studiotest.WalkAll(over, func(o fyne.CanvasObject) {
		switch w := o.(type) {
		case *widget.Check:
			if w.Text == "May be sent to outside render services" {
				check = w
			}
		case *widget.Button:
			if w.Text == "Save" {
				save = w
			}
		}
	})
	if check == nil || save == nil {
		t.Fatalf("the Edit dialog has no \"May be sent to outside render services\" (%v) or no Save (%v):\n%s", check != nil, save != nil, studiotest.Texts(over))
	}
	if check.Checked {
		t.Error("a new member may be sent to outside render services; the default must be no")
	}
	test.Tap(check)
	test.Tap(save)
	h.ui.Until(t, "the choice to be saved", 10*time.Second, func() bool {
		got, err := h.env.Library.CastMember(context.Background(), m.ID)
		return err == nil && got.Outside && got.Dirty
	})
}
