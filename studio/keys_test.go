package studio

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/slatestudio/slate/studio/studiotest"
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
	var play *widget.Button
	walkAll(h.s.player.View(), func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && play == nil && b.Text == "" {
			play = b
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
}

// TestEveryMenuShortcutWherever: every shortcut a menu shows runs that
// menu item, pressed as a person presses it, with the focus on nothing,
// on a timeline card or on a button. Ctrl+Z did nothing: Fyne's driver
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
			if k, ok := it.Shortcut.(*desktop.CustomShortcut); ok {
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
