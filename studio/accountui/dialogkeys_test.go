package accountui

import (
	"testing"

	"fyne.io/fyne/v2"

	"github.com/slatestudio/slate/studio/studiotest"
)

// TestLoginKeys: in the log-in dialog, Enter in a field logs in (here
// saying what is missing, without asking the server) and Esc cancels,
// from the username field, which has the focus, and with nothing focused.
func TestLoginKeys(t *testing.T) {
	r := newRig(t)
	for _, signUp := range []bool{false, true} {
		d := r.a.showLogin(t.Context(), signUp)
		if r.win.Canvas().Focused() == nil {
			t.Fatal("the log-in dialog focused no field")
		}
		studiotest.Press(r.win, 0, fyne.KeyReturn)
		if !d.problem.Visible() || d.problem.Text != "Type your username and password." {
			t.Errorf("sign up %v: Enter in the username field shows %q (visible %v)", signUp, d.problem.Text, d.problem.Visible())
		}
		studiotest.Press(r.win, 0, fyne.KeyEscape)
		if r.win.Canvas().Overlays().Top() != nil {
			t.Fatalf("sign up %v: Esc in the username field left the dialog open", signUp)
		}
	}
	r.a.showLogin(t.Context(), false)
	r.win.Canvas().Unfocus()
	studiotest.Press(r.win, 0, fyne.KeyEscape)
	if r.win.Canvas().Overlays().Top() != nil {
		t.Error("Esc with nothing focused left the log-in dialog open")
	}
}
