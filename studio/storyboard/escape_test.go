package storyboard

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/slatestudio/slate/studio/studiotest"
)

// TestEscapePutsBackTheStoredValue: Esc in a field whose value the
// inspector refused (the red message beside it, nothing stored) puts the
// stored value back and clears the message; in a line's field too. Esc in
// a field that shows the stored value changes nothing.
func TestEscapePutsBackTheStoredValue(t *testing.T) {
	b := newBoard(t, nil)
	b.s.Select("window")
	in := b.in
	id := "window"
	stored := secondsText(b.s.Project().Shot(id).Duration)
	c := b.win.Canvas()

	c.Focus(in.duration)
	in.duration.SetText("")
	test.Type(in.duration, "0.2")
	studiotest.Press(b.win, 0, fyne.KeyReturn)
	l := in.errs["duration_ms"]
	if l == nil || !l.Visible() || !strings.Contains(l.Text, "0.5 s to 60 s") {
		t.Fatalf("0.2 s was not refused beside the field (label %v)", l)
	}
	studiotest.Press(b.win, 0, fyne.KeyEscape)
	if in.duration.Text != stored {
		t.Errorf("after Esc the duration field shows %q, want the stored %q", in.duration.Text, stored)
	}
	if l.Visible() {
		t.Errorf("after Esc the message %q still shows", l.Text)
	}
	if got := secondsText(b.s.Project().Shot(id).Duration); got != stored {
		t.Errorf("Esc changed the stored duration to %s", got)
	}
	// The field is as good as new: a good value is saved.
	in.duration.SetText("")
	test.Type(in.duration, "7")
	studiotest.Press(b.win, 0, fyne.KeyReturn)
	if got := secondsText(b.s.Project().Shot(id).Duration); got != "7" {
		t.Errorf("after Esc, 7 typed and entered stores %s", got)
	}
	// Esc with nothing to put back leaves the field alone.
	studiotest.Press(b.win, 0, fyne.KeyEscape)
	if in.duration.Text != "7" {
		t.Errorf("Esc on the stored value changed the field to %q", in.duration.Text)
	}
}
