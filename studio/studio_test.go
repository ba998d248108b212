package studio

import (
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/slatestudio/slate/timeline"
)

// TestWindowShowsProject: the window is titled by the project, whose
// first shot is selected (the storyboard's tests check what its views
// show).
func TestWindowShowsProject(t *testing.T) {
	h := newHarness(t, nil)
	if got, want := h.win.Title(), "Last Light — Slate"; got != want {
		t.Errorf("window title = %q, want %q", got, want)
	}
	if got := h.s.session.Primary(); got == nil || got.Title != "Harbour at dusk" {
		t.Errorf("the first shot is not selected: %v", got)
	}
}

// TestEditShortcutsAndMenus: Ctrl+T adds a shot after the selected one
// and selects it; the Edit menu says what Undo and Redo would do, and
// Ctrl+Z and Ctrl+Shift+Z do it (the storyboard's tests edit through the
// session these call).
func TestEditShortcutsAndMenus(t *testing.T) {
	h := newHarness(t, nil)
	h.s.session.Select("window")
	h.shortcut(keyAdd) // Ctrl+T
	p := h.s.Project()
	if len(p.Shots) != 6 || p.Shots[2].Title != "Shot 6" || !h.s.session.IsSelected(p.Shots[2].ID) {
		t.Fatalf("after Ctrl+T: %q, selected %v; want a new third shot, selected", titles(p), h.s.session.Selected())
	}
	id := p.Shots[2].ID
	if err := h.s.session.Edit(t.Context(), timeline.SetDuration(id, 6500*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	if got := h.menuItem(t, "Undo").Label; got != "Undo Change duration" {
		t.Errorf("undo menu says %q", got)
	}
	h.shortcut(keyUndo)
	if got := p.Shot(id).Duration; got != 4*time.Second {
		t.Errorf("after undo the duration is %v, want 4s", got)
	}
	if got := h.menuItem(t, "Redo").Label; got != "Redo Change duration" {
		t.Errorf("redo menu says %q", got)
	}
	h.shortcut(keyRedo)
	if got := p.Shot(id).Duration; got != 6500*time.Millisecond {
		t.Errorf("after redo the duration is %v, want 6.5s", got)
	}
	if sh := h.stored(t).Shot(id); sh == nil || sh.Duration != 6500*time.Millisecond {
		t.Errorf("stored shot = %+v", sh)
	}
	// With two shots selected the menus say so.
	h.s.session.Select("window", "pier")
	if got := h.menuItem(t, "Delete").Label; got != "Delete 2 shots" {
		t.Errorf("the delete menu says %q with two shots selected", got)
	}
	if got := h.menuItem(t, "Render").Label; got != "Render 2 shots" {
		t.Errorf("the render menu says %q with two shots selected", got)
	}
}

// TestBareKeys: with no text field focused, Delete (and Backspace) delete
// the selected shots, and Space, J, K, L and the arrows drive the player
// (its tests check what each does).
func TestBareKeys(t *testing.T) {
	h := newHarness(t, smallDemo(t))
	h.ui.drain()
	h.s.session.SetPlayhead(10)
	h.typeKey(fyne.KeyRight)
	if got := h.s.session.Playhead(); got != 11 {
		t.Errorf("Right from 10: playhead %d, want 11", got)
	}
	h.typeKey(fyne.KeyLeft)
	h.typeKey(fyne.KeyLeft)
	if got := h.s.session.Playhead(); got != 9 {
		t.Errorf("Left twice from 11: playhead %d, want 9", got)
	}
	h.typeKey(fyne.KeySpace)
	h.clock.Advance(time.Second)
	h.typeKey(fyne.KeyK)
	if got := h.s.session.Playhead(); got != 9+24 {
		t.Errorf("Space, a second, then K: playhead %d, want %d", got, 9+24)
	}
	h.typeKey(fyne.KeyL)
	h.typeKey(fyne.KeyL)
	h.clock.Advance(time.Second / 2)
	h.typeKey(fyne.KeySpace)
	if got := h.s.session.Playhead(); got != 33+24 {
		t.Errorf("L L, half a second, then Space: playhead %d, want %d (twice as fast)", got, 33+24)
	}
	h.typeKey(fyne.KeyJ)
	h.clock.Advance(time.Second / 2)
	h.typeKey(fyne.KeyK)
	if got := h.s.session.Playhead(); got != 57-12 {
		t.Errorf("J, half a second, then K: playhead %d, want %d (backwards)", got, 57-12)
	}

	h.s.session.Select("letter", "window")
	h.typeKey(fyne.KeyDelete)
	if got := titles(h.s.Project()); !slices.Equal(got, []string{"Harbour at dusk", "Theo on the pier", "Lighthouse, night"}) {
		t.Fatalf("after Delete: %q", got)
	}
	h.s.session.Select("pier")
	h.typeKey(fyne.KeyBackspace)
	if got := titles(h.s.Project()); !slices.Equal(got, []string{"Harbour at dusk", "Lighthouse, night"}) {
		t.Errorf("after Backspace: %q", got)
	}
}

// TestQuit: File ▸ Quit and Ctrl+Q quit the studio: its work stops and
// no window is closed. Fyne's driver panicked when the pointer moved over
// a window closed while its event loop still ran (see Quit), as quitting
// with fyne.App.Quit did; and there was no Ctrl+Q.
func TestQuit(t *testing.T) {
	h := newHarness(t, smallDemo(t))
	quit := h.menuItem(t, "Quit")
	if !quit.IsQuit || quit.Shortcut == nil || quit.Shortcut.ShortcutName() != keyQuit.ShortcutName() {
		t.Errorf("File ▸ Quit: IsQuit %v, shortcut %v; want the studio's own, on Ctrl+Q", quit.IsQuit, quit.Shortcut)
	}
	closed := false
	h.win.SetOnClosed(func() { closed = true })
	// Typing in the prompt, no pause yet: quitting saves it all the same.
	prompt := textFields(h.s.inspector.View())[1] // after the title
	h.win.Canvas().Focus(prompt)
	test.Type(prompt, "Gulls. ")
	h.shortcut(keyQuit)
	if !h.s.done.Load() {
		t.Fatal("Ctrl+Q did not quit the studio")
	}
	if closed {
		t.Error("quitting closed the main window; it must leave that to the driver")
	}
	if got := h.stored(t).Shots[0].Prompt; !strings.HasPrefix(got, "Gulls. ") {
		t.Errorf("the prompt typed just before quitting was not saved: %q", got)
	}
	// Late reports from background work are dropped.
	ran := false
	h.s.session.OnUI(func() { ran = true })
	h.ui.drain()
	if ran {
		t.Error("a report reached the UI after the studio quit")
	}
}

// textFields are the text fields in o, in the order they are laid out.
func textFields(o fyne.CanvasObject) []fyne.Focusable {
	var out []fyne.Focusable
	walkAll(o, func(o fyne.CanvasObject) {
		if e, ok := o.(interface {
			fyne.Focusable
			SetPlaceHolder(string)
		}); ok {
			out = append(out, e)
		}
	})
	return out
}

// TestCloseWindowLater: the studio's other windows (the recording wizard,
// the consent dashboard) are hidden at once and closed closeDelay later,
// after what tidies up after them has run (see Studio.closeWindow).
func TestCloseWindowLater(t *testing.T) {
	h := newHarness(t, smallDemo(t))
	w := h.env.App.NewWindow("another")
	w.Show()
	tidied, closed := false, false
	w.SetOnClosed(func() { closed = true })
	h.s.closeWindow(w, func() { tidied = true })
	if !tidied || closed {
		t.Fatalf("at once: tidied %v, closed %v; want tidied, not closed", tidied, closed)
	}
	h.clock.Advance(closeDelay - time.Millisecond)
	h.ui.drain()
	if closed {
		t.Fatalf("the window was closed before %v", closeDelay)
	}
	h.clock.Advance(time.Millisecond)
	h.ui.drain()
	if !closed {
		t.Errorf("the window was not closed %v after", closeDelay)
	}
}
