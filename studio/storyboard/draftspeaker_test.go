package storyboard

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/slatestudio/slate/studio/studiotest"
	"github.com/slatestudio/slate/timeline"
)

// TestTypedLineThenSpeakerList: a filmmaker types a new line, then taps
// its speaker list to give it to a new character. The tap takes the
// focus from the text, which enters the line and builds the inspector
// again; the list that opens is the line's on screen (the tapped one had
// gone: its choices opened in the window's top-left corner), and "New
// character…" in it makes the character speak the line (it went to the
// gone draft, and the line stayed the Narrator's).
func TestTypedLineThenSpeakerList(t *testing.T) {
	b := newBoard(t, nil)
	b.in.d.NewCharacter = func(save func(timeline.CastRef) error) {
		if err := save(timeline.NewCharacter("Ada")); err != nil {
			t.Errorf("saving the character: %v", err)
		}
	}
	id := b.newEmptyShot(t)
	test.Tap(studiotest.FindButton(t, b.in.root, "Add line"))
	test.Type(b.in.draftRow.text, "Come on, catch the wind!")
	// The speaker list as it is on screen, as the pointer taps it.
	var list fyne.Tappable
	studiotest.WalkAll(b.in.draftRow.box, func(o fyne.CanvasObject) {
		if s, ok := o.(interface {
			fyne.Tappable
			SelectedIndex() int
		}); ok && list == nil {
			list = s
		}
	})
	if list == nil {
		t.Fatal("the new line shows no speaker list")
	}
	test.Tap(list)
	b.ui.Drain()
	if n := len(b.s.Project().Shot(id).Lines); n != 1 || len(b.in.lineRows) != 1 {
		t.Fatalf("after the tap the shot has %d lines and the inspector %d rows; want the typed line entered", n, len(b.in.lineRows))
	}
	shown := b.in.lineRows[0].speaker
	menu, _ := b.win.Canvas().Focused().(*widget.PopUpMenu) // a list's choices take the focus
	if menu == nil {
		t.Fatalf("the tap opened no list of speakers (on top: %T, focused %T)", b.win.Canvas().Overlays().Top(), b.win.Canvas().Focused())
	}
	// The choices open under the line's list, not in the corner.
	at := fyne.CurrentApp().Driver().AbsolutePositionForObject(shown)
	if got := menu.Position(); got.X < at.X-2 || got.X > at.X+2 || got.Y < at.Y || got.Y > at.Y+shown.Size().Height+2 {
		t.Fatalf("the speakers open at %v; want them under the line's list at %v", got, at)
	}
	menu.Hide()
	shown.SetSelected(newCharacterItem) // as a pick from its choices does
	b.ui.Drain()
	p := b.s.Project()
	if sh := p.Shot(id); len(sh.Lines) != 1 || p.SpeakerName(sh.Lines[0].Speaker) != "Ada" {
		t.Errorf("the shot's lines are %+v, want the one typed, spoken by Ada", sh.Lines)
	}
}
