package storyboard

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"

	"github.com/slatestudio/slate/studio/look"
	"github.com/slatestudio/slate/studio/studiotest"
	"github.com/slatestudio/slate/timeline"
)

// shownMessages is every message the inspector shows beside its fields.
func (b *board) shownMessages() []string {
	var out []string
	for f, l := range b.in.errs {
		if l.Visible() {
			out = append(out, f+": "+l.Text)
		}
	}
	return out
}

// newEmptyShot adds a shot with no dialogue (Ctrl+T) and selects it.
func (b *board) newEmptyShot(t *testing.T) string {
	t.Helper()
	b.s.AddShot(t.Context())
	b.ui.Drain()
	sh := b.s.Primary()
	if sh == nil || len(sh.Lines) != 0 {
		t.Fatalf("the new shot is %+v, want one with no lines, selected", sh)
	}
	return sh.ID
}

// TestAddLineOpensEmpty: "Add line" used to add a line reading "…" and,
// in a shot too short for it, a red message that stayed. Now it opens an
// empty line with the cursor in it; nothing is added to the film, voiced
// or refused until it has text; and a line left empty goes when the shot
// is left.
func TestAddLineOpensEmpty(t *testing.T) {
	b := newBoard(t, nil)
	id := b.newEmptyShot(t)
	key := b.s.KeyOf(b.s.Project().Index(id))
	test.Tap(studiotest.FindButton(t, b.in.root, "Add line"))
	b.ui.Drain()

	row := b.in.draftRow
	if row == nil {
		t.Fatal("Add line shows no new line")
	}
	if got := row.text.Text; got != "" {
		t.Errorf("the new line reads %q, want it empty", got)
	}
	if f := b.win.Canvas().Focused(); f != row.text {
		t.Errorf("the focus is on %T, want the new line's text", f)
	}
	if got := b.shownMessages(); len(got) != 0 {
		t.Errorf("an empty new line shows messages: %q", got)
	}
	if sh := b.s.Project().Shot(id); len(sh.Lines) != 0 {
		t.Errorf("the shot has %d lines before the new one has text, want none", len(sh.Lines))
	}
	if got := b.s.KeyOf(b.s.Project().Index(id)); got != key {
		t.Error("an empty line changed what the shot renders")
	}
	// Leaving the empty line (as a click elsewhere does) refuses nothing.
	b.win.Canvas().Unfocus()
	if got := b.shownMessages(); len(got) != 0 {
		t.Errorf("leaving the empty line shows messages: %q", got)
	}

	// Typed and entered, it is a line of the shot, with no message.
	b.win.Canvas().Focus(row.text)
	test.Type(row.text, "Come on, catch the wind!")
	row.text.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	b.ui.Drain()
	sh := b.s.Project().Shot(id)
	if len(sh.Lines) != 1 || sh.Lines[0].Text != "Come on, catch the wind!" {
		t.Fatalf("after typing the line, the shot's lines are %+v", sh.Lines)
	}
	if got := b.shownMessages(); len(got) != 0 {
		t.Errorf("messages after the line was entered: %q", got)
	}
	if b.in.draftRow != nil || len(b.in.lineRows) != 1 || b.in.lineRows[0].text.Text != "Come on, catch the wind!" {
		t.Errorf("the inspector shows %d lines and a new one %v, want the one line entered", len(b.in.lineRows), b.in.draftRow != nil)
	}

	// Another empty line, left empty when another shot is selected: it is
	// gone when the shot is shown again, and nothing was refused.
	test.Tap(studiotest.FindButton(t, b.in.root, "Add line"))
	if b.in.draftRow == nil {
		t.Fatal("the second Add line shows no new line")
	}
	b.s.Select(b.s.Project().Shots[0].ID)
	b.ui.Drain()
	b.s.Select(id)
	b.ui.Drain()
	if b.in.draftRow != nil || len(b.in.lineRows) != 1 {
		t.Errorf("back on the shot: %d lines and a new one %v, want the one line", len(b.in.lineRows), b.in.draftRow != nil)
	}
	if got := len(b.s.Project().Shot(id).Lines); got != 1 {
		t.Errorf("the shot has %d lines, want 1", got)
	}
	if got := b.shownMessages(); len(got) != 0 {
		t.Errorf("messages after leaving an empty line: %q", got)
	}
}

// TestFieldMessageGoesWhenFixed: a refused value's message went only when
// some edit was next saved. It goes as soon as the field holds a value
// that would be accepted, before it is entered.
func TestFieldMessageGoesWhenFixed(t *testing.T) {
	b := newBoard(t, nil)
	in := b.in
	in.duration.SetText("0.2")
	in.duration.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	msg := in.errs["duration_ms"]
	if !msg.Visible() {
		t.Fatal("no message beside a refused duration")
	}
	in.duration.SetText("0.3")
	if !msg.Visible() {
		t.Error("the message went while the duration (0.3) is still refused")
	}
	in.duration.SetText("")
	test.Type(in.duration, "6")
	if msg.Visible() {
		t.Errorf("the message %q stays beside a duration of 6 s", msg.Text)
	}
	if got := b.s.Primary().Duration.Seconds(); got != 5 {
		t.Errorf("checking the typed value changed the duration to %v s", got)
	}
	in.duration.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if got := b.s.Primary().Duration.Seconds(); got != 6 {
		t.Errorf("duration after Enter = %v s, want 6", got)
	}

	// The same for a new line whose text is too long for the shot: its
	// message goes once it is short enough.
	id := b.newEmptyShot(t)
	test.Tap(studiotest.FindButton(t, in.root, "Add line"))
	row := in.draftRow
	long := strings.Repeat("Come on, catch the wind! ", 6)
	test.Type(row.text, long)
	row.text.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	b.ui.Drain()
	if len(b.s.Project().Shot(id).Lines) != 0 || len(b.shownMessages()) != 1 {
		t.Fatalf("a line too long for the shot: %d lines added, messages %q; want none added and one message", len(b.s.Project().Shot(id).Lines), b.shownMessages())
	}
	row.text.SetText("Come on!")
	if got := b.shownMessages(); len(got) != 0 {
		t.Errorf("messages stay once the line fits: %q", got)
	}

	// Built again before it is entered (a sound added from elsewhere),
	// the inspector keeps what was typed in the new line.
	row.text.SetText("Come on! Now!")
	if err := b.s.Edit(t.Context(), timeline.AddCue(id, -1, timeline.Cue{Kind: timeline.Ambience, Description: "wind", Duration: time.Second})); err != nil {
		t.Fatal(err)
	}
	b.ui.Drain()
	if row = in.draftRow; row == nil {
		t.Error("after adding a sound the new line is gone")
	} else if got := row.text.Text; got != "Come on! Now!" {
		t.Errorf("after adding a sound the new line reads %q, want what was typed", got)
	}
}

// TestLongMessageShowsWhole: a message too long to show beside its field
// is cut off there, and shows whole while the pointer is over it and in
// its details when it is clicked.
func TestLongMessageShowsWhole(t *testing.T) {
	b := newBoard(t, nil)
	id := b.newEmptyShot(t)
	test.Tap(studiotest.FindButton(t, b.in.root, "Add line"))
	row := b.in.draftRow
	test.Type(row.text, strings.Repeat("Come on, catch the wind before it drops! ", 4))
	row.text.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	b.ui.Drain()
	var msg *look.Message
	for _, l := range b.in.errs {
		if l.Visible() {
			msg = l
		}
	}
	if msg == nil {
		t.Fatalf("no message for a line too long for shot %s", id)
	}
	if !msg.Cut() || !strings.HasSuffix(msg.Text, "…") || !strings.Contains(msg.Full, "shorten it") {
		t.Fatalf("message shown %q, whole %q: want the long message cut off", msg.Text, msg.Full)
	}
	c := b.win.Canvas()
	msg.MouseIn(&desktop.MouseEvent{})
	if top := c.Overlays().Top(); top == nil || !strings.Contains(studiotest.Texts(top), msg.Full) {
		t.Error("hovering over the cut-off message does not show it whole")
	}
	msg.MouseOut()
	if top := c.Overlays().Top(); top != nil {
		t.Error("the whole message stays shown after the pointer left it")
	}
	test.Tap(msg)
	top := c.Overlays().Top()
	if top == nil || !strings.Contains(studiotest.Texts(top), msg.Full) || !strings.Contains(studiotest.Texts(top), "Details") {
		t.Fatal("clicking the cut-off message does not open its details")
	}
	// Esc closes them, as it closes the studio's other dialogs.
	studiotest.Press(b.win, 0, fyne.KeyEscape)
	if c.Overlays().Top() != nil {
		t.Error("Esc leaves the message's details open")
	}
}

// TestNewLineNewCharacter: a line being written can be given to a new
// character, as a line of the shot can; the character joins the project
// and speaks the line once it has text.
func TestNewLineNewCharacter(t *testing.T) {
	b := newBoard(t, nil)
	b.in.d.NewCharacter = func(save func(timeline.CastRef) error) {
		if err := save(timeline.NewCharacter("Ada")); err != nil {
			t.Errorf("saving the character: %v", err)
		}
	}
	id := b.newEmptyShot(t)
	test.Tap(studiotest.FindButton(t, b.in.root, "Add line"))
	b.in.draftRow.speaker.SetSelected(newCharacterItem)
	b.ui.Drain()
	row := b.in.draftRow
	if row == nil || row.speaker.Selected != "Ada" {
		t.Fatalf("after New character… the new line is %v", row)
	}
	test.Type(row.text, "Come on, catch the wind!")
	row.text.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	b.ui.Drain()
	p := b.s.Project()
	sh := p.Shot(id)
	if len(sh.Lines) != 1 || p.SpeakerName(sh.Lines[0].Speaker) != "Ada" {
		t.Errorf("the shot's lines are %+v, want one spoken by Ada", sh.Lines)
	}
}
