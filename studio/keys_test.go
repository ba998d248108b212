package studio

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/slatestudio/slate/studio/studiotest"
	"github.com/slatestudio/slate/studio/uikit"
	"github.com/slatestudio/slate/timeline"
)

// press sends a key press to the window as the desktop driver routes a
// real one (see studiotest.Press).
func (h *harness) press(mod fyne.KeyModifier, key fyne.KeyName) {
	studiotest.Press(h.win, mod, key)
}

// focusCard leaves the focus as a click on a timeline card does: the
// driver takes it from the text field that had it (cards take none) and
// the card selects its shot.
func (h *harness) focusCard(t *testing.T) {
	t.Helper()
	h.win.Canvas().Focus(textFields(h.s.inspector.View())[0])
	var card fyne.Tappable
	walkAll(h.s.timeline.View(), func(o fyne.CanvasObject) {
		if tp, ok := o.(fyne.Tappable); ok && card == nil && o.Visible() && fmt.Sprintf("%T", o) == "*storyboard.card" {
			card = tp
		}
	})
	if card == nil {
		t.Fatal("no timeline card to click")
	}
	test.Tap(card)
	if f := h.win.Canvas().Focused(); f != nil {
		t.Fatalf("after clicking a card %T has the focus", f)
	}
}

// focusPlayButton focuses the player's play button: a widget that takes
// the focus (by Tab) but not text.
func (h *harness) focusPlayButton(t *testing.T) {
	t.Helper()
	var play fyne.Focusable
	walkAll(h.s.player.View(), func(o fyne.CanvasObject) {
		switch b := o.(type) {
		case *uikit.TipButton:
			if play == nil && strings.HasPrefix(b.Tip(), "Play / pause") {
				play = b
			}
		case *widget.Button:
			if play == nil && b.Text == "" {
				play = b
			}
		}
	})
	if play == nil {
		t.Fatal("no icon button in the player")
	}
	h.win.Canvas().Focus(play)
	if h.win.Canvas().Focused() == nil {
		t.Fatal("the play button took no focus")
	}
}

// focusStates are where the focus can be when a shortcut is pressed,
// short of a text field.
var focusStates = []struct {
	name string
	set  func(*harness, *testing.T)
}{
	{"nothing focused", func(h *harness, t *testing.T) { h.win.Canvas().Unfocus() }},
	{"a timeline card", (*harness).focusCard},
	{"a button", (*harness).focusPlayButton},
	{"a list", (*harness).focusProjectList},
}

// focusProjectList focuses the library's project list, as File ▸ Open
// project does.
func (h *harness) focusProjectList(t *testing.T) {
	t.Helper()
	h.win.Canvas().Unfocus()
	h.s.library.OpenProject()
	if h.win.Canvas().Focused() == nil {
		t.Fatal("the project list took no focus")
	}
}

// TestEveryMenuShortcutWherever: every shortcut a menu shows runs that
// menu item, pressed as a person presses it, with the focus on nothing,
// on a timeline card, on a button or on a list. Ctrl+Z did nothing: Fyne's driver
// turns it into its own Undo shortcut, which no menu item and nothing on
// the canvas answered.
func TestEveryMenuShortcutWherever(t *testing.T) {
	h := newHarness(t, smallDemo(t))
	var ran []string
	type shortcutItem struct {
		item *fyne.MenuItem
		key  *desktop.CustomShortcut
	}
	var items []shortcutItem
	for _, m := range h.win.MainMenu().Items {
		for _, it := range m.Items {
			// Bare keys (the Playback menu's) are no shortcuts to Fyne's
			// driver: TestPlaybackKeys presses them.
			if k, ok := it.Shortcut.(*desktop.CustomShortcut); ok && k.Modifier != 0 {
				label := m.Label + " ▸ " + it.Label
				it.Action = func() { ran = append(ran, label) }
				items = append(items, shortcutItem{it, k})
			}
		}
	}
	if len(items) < 13 {
		t.Fatalf("the menus show %d shortcuts, want at least 13", len(items))
	}
	for _, f := range focusStates {
		for _, si := range items {
			label := si.item.Label
			t.Run(f.name+"/"+label, func(t *testing.T) {
				f.set(h, t)
				ran = nil
				mod := si.key.Modifier
				if mod&fyne.KeyModifierShortcutDefault != 0 {
					mod = mod&^fyne.KeyModifierShortcutDefault | studiotest.Ctrl
				}
				h.press(mod, si.key.KeyName)
				if len(ran) != 1 {
					t.Errorf("%s with %s ran %q, want its menu item once", si.key.ShortcutName(), f.name, ran)
				}
			})
		}
	}
}

// TestCtrlZUndoesTheProject: Ctrl+Z undoes the last edit to the project
// and Ctrl+Shift+Z (and Ctrl+Y) redoes it, with the focus on a card or
// on nothing; inside a text field Ctrl+Z undoes the typing in that field
// and leaves the project's edits alone.
func TestCtrlZUndoesTheProject(t *testing.T) {
	h := newHarness(t, smallDemo(t))
	id := h.s.Project().Shots[1].ID
	dur := h.s.Project().Shots[1].Duration
	edit := func() {
		t.Helper()
		if err := h.s.session.Edit(t.Context(), timeline.SetDuration(id, dur+time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	edit()
	h.focusCard(t)
	h.press(studiotest.Ctrl, fyne.KeyZ)
	if got := h.s.Project().Shot(id).Duration; got != dur {
		t.Fatalf("Ctrl+Z after clicking a card: duration %v, want %v (undone)", got, dur)
	}
	h.press(studiotest.Ctrl|fyne.KeyModifierShift, fyne.KeyZ)
	if got := h.s.Project().Shot(id).Duration; got != dur+time.Second {
		t.Fatalf("Ctrl+Shift+Z: duration %v, want %v (redone)", got, dur+time.Second)
	}
	h.win.Canvas().Unfocus()
	h.press(studiotest.Ctrl, fyne.KeyZ)
	h.press(studiotest.Ctrl, fyne.KeyY)
	if got := h.s.Project().Shot(id).Duration; got != dur+time.Second {
		t.Fatalf("Ctrl+Z then Ctrl+Y with nothing focused: duration %v, want %v", got, dur+time.Second)
	}

	// In a text field, the field's own undo.
	title := textFields(h.s.inspector.View())[0]
	h.win.Canvas().Focus(title)
	before := fieldText(title)
	test.Type(title, "xyz")
	if fieldText(title) == before {
		t.Fatal("typing into the title changed nothing")
	}
	h.press(studiotest.Ctrl, fyne.KeyZ)
	if got := fieldText(title); got != before {
		t.Errorf("Ctrl+Z in the title field left %q, want %q (the typing undone)", got, before)
	}
	if got := h.s.Project().Shot(id).Duration; got != dur+time.Second {
		t.Errorf("Ctrl+Z in a text field undid the project's edit: duration %v", got)
	}
}

// fieldText is a text field's text: an entry's, or that of the entry a
// field of the inspector's embeds.
func fieldText(f fyne.Focusable) string {
	return reflect.ValueOf(f).Elem().FieldByName("Text").String()
}

// TestPlaybackKeys: the keys of video editors drive the player when
// pressed through the window with nothing focused or after clicking a
// card, and the Playback menu lists each with its key and runs it: Space,
// J, K, L, the arrows (one frame), Home and End (start and end), Up and
// Page Up, Down and Page Down (the previous and next shot, selected, the
// playhead on its first frame).
func TestPlaybackKeys(t *testing.T) {
	h := newHarness(t, smallDemo(t))
	h.ui.drain()
	p := h.s.Project()
	spans, fps, total := p.Timing(), p.FPS, p.TotalFrames()
	if len(spans) < 3 {
		t.Fatalf("the demo has %d shots, want 3 or more", len(spans))
	}
	type step struct {
		key  fyne.KeyName
		menu string // the Playback menu item's label
		from int    // the playhead before
		play time.Duration
		want int // the playhead after (and K, after play)
		shot int // the shot selected after, or -1 for any
	}
	steps := []step{
		{fyne.KeyRight, "Forward one frame", 10, 0, 11, -1},
		{fyne.KeyLeft, "Back one frame", 10, 0, 9, -1},
		{fyne.KeyHome, "Go to start", 30, 0, 0, -1},
		{fyne.KeyEnd, "Go to end", 30, 0, total - 1, -1},
		{fyne.KeyDown, "Next shot", 0, 0, spans[1].Start, 1},
		{fyne.KeyPageDown, "Next shot", spans[1].Start, 0, spans[2].Start, 2},
		{fyne.KeyUp, "Previous shot", spans[2].Start + 3, 0, spans[2].Start, 2},
		{fyne.KeyPageUp, "Previous shot", spans[2].Start, 0, spans[1].Start, 1},
		{fyne.KeySpace, "Play / pause", 10, time.Second, 10 + fps, -1},
		{fyne.KeyL, "Play forwards", 10, time.Second / 2, 10 + fps/2, -1},
		{fyne.KeyJ, "Play backwards", 40, time.Second / 2, 40 - fps/2, -1},
	}
	for _, f := range focusStates[:2] {
		for _, how := range []string{"key", "menu"} {
			for _, st := range steps {
				t.Run(fmt.Sprintf("%s/%s/%s", f.name, how, st.key), func(t *testing.T) {
					f.set(h, t)
					h.s.session.SetPlayhead(st.from)
					if how == "key" {
						h.press(0, st.key)
					} else {
						it := h.menuItem(t, st.menu)
						if k, ok := it.Shortcut.(*desktop.CustomShortcut); !ok || (k.KeyName != st.key && !strings.Contains(it.Label, "or Page")) {
							t.Errorf("the Playback menu's %q shows the shortcut %v, want %s", it.Label, it.Shortcut, st.key)
						}
						it.Action()
					}
					if st.play > 0 {
						h.clock.Advance(st.play)
						h.press(0, fyne.KeyK)
					}
					if got := h.s.session.Playhead(); got != st.want {
						t.Errorf("%s from %d: playhead %d, want %d", st.key, st.from, got, st.want)
					}
					if st.shot >= 0 && !slices.Equal(h.s.session.Selected(), []string{p.Shots[st.shot].ID}) {
						t.Errorf("%s from %d: selected %v, want shot %d (%s)", st.key, st.from, h.s.session.Selected(), st.shot+1, p.Shots[st.shot].ID)
					}
				})
			}
		}
	}
	if it := h.menuItem(t, "Previous shot"); !strings.Contains(it.Label, "Page Up") {
		t.Errorf("the Playback menu says %q, want Page Up named too", it.Label)
	}
}

// TestIconButtonsHaveTips: no button in the window shows only an icon
// without a tooltip saying what it does: the player's transport, the
// timeline's zoom, the inspector's line and cue buttons, the queue's.
func TestIconButtonsHaveTips(t *testing.T) {
	h := newHarness(t, smallDemo(t))
	h.s.session.Select("pier")
	h.shortcut(keyRender)
	h.ui.until(t, "a job in the queue", 30*time.Second, func() bool { return len(h.queue.Jobs()) > 0 })
	h.ui.drain()
	tipped := 0
	walkAll(h.win.Content(), func(o fyne.CanvasObject) {
		switch b := o.(type) {
		case *uikit.TipButton:
			tipped++
			if b.Tip() == "" {
				t.Errorf("a button with the icon %v has an empty tooltip", b.Icon.Name())
			}
		case *widget.Button:
			// Fyne's own "more tabs" button of the side panel aside.
			if b.Text == "" && b.Icon != nil && b.Icon.Name() != theme.MoreHorizontalIcon().Name() {
				t.Errorf("the button with only the icon %q has no tooltip", b.Icon.Name())
			}
		}
	})
	if tipped < 10 {
		t.Errorf("%d buttons have tooltips, want the player's 8 and more", tipped)
	}
	// Hovering shows the tip over the window.
	var start *uikit.TipButton
	walkAll(h.s.player.View(), func(o fyne.CanvasObject) {
		if b, ok := o.(*uikit.TipButton); ok && b.Tip() == "Go to start (Home)" {
			start = b
		}
	})
	if start == nil {
		t.Fatal("no Go to start button")
	}
	start.MouseIn(&desktop.MouseEvent{})
	if got := uikit.TipLayerOf(h.win.Canvas()).Shown(); got != "Go to start (Home)" {
		t.Errorf("hovering over go to start shows %q", got)
	}
	start.MouseOut()
}

// TestDialogKeysInTheStudio: a problem dialog closes on Esc or Enter;
// while a dialog is open the keys do not reach the film behind it
// (Delete deleted the selected shot, Space played).
func TestDialogKeysInTheStudio(t *testing.T) {
	h := newHarness(t, smallDemo(t))
	n := len(h.s.Project().Shots)
	for _, key := range []fyne.KeyName{fyne.KeyEscape, fyne.KeyReturn} {
		h.s.problem("The shots were not rendered", "Nothing was rendered.")
		h.win.Canvas().Unfocus()
		h.s.session.SetPlayhead(5)
		h.press(0, fyne.KeyDelete)
		h.press(0, fyne.KeyRight)
		if got := len(h.s.Project().Shots); got != n {
			t.Errorf("Delete with a dialog open deleted a shot: %d left of %d", got, n)
		}
		if got := h.s.session.Playhead(); got != 5 {
			t.Errorf("→ with a dialog open moved the playhead to %d", got)
		}
		h.press(0, key)
		if h.win.Canvas().Overlays().Top() != nil {
			t.Errorf("%s left the problem dialog open", key)
		}
	}
	// Closed, the keys are the film's again.
	h.press(0, fyne.KeyRight)
	if got := h.s.session.Playhead(); got != 6 {
		t.Errorf("→ after the dialog closed: playhead %d, want 6", got)
	}
}
