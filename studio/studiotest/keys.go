package studiotest

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
)

// Ctrl is the modifier of the studio's shortcuts on Linux, as Fyne's
// desktop driver reports it.
const Ctrl = fyne.KeyModifierControl

// Press sends one key press to w the way Fyne's desktop driver routes a
// real one (v2.7.1, internal/driver/glfw/window.go: processKeyPressed and
// triggersShortcut), which the test driver does not do by itself:
//
//   - Ctrl with Z, Y, C, Insert, V, X or A alone becomes Fyne's own Undo,
//     Redo, Copy, Paste, Cut or Select all shortcut, not a
//     desktop.CustomShortcut (so Ctrl+Z is "Undo", never the menu's
//     Ctrl+Z); any other key with Ctrl, Alt or Super becomes a
//     desktop.CustomShortcut;
//   - a shortcut runs the first main-menu item whose shortcut has its name
//     (disabled or not, as the driver does); failing that, it goes to the
//     focused object if that takes shortcuts (a text field), else to the
//     canvas's own shortcuts;
//   - a key that is no shortcut goes to the focused object's TypedKey, or,
//     with nothing focused (in the top dialog, if one is open), to the
//     canvas's OnTypedKey.
//
// The focused object also sees KeyDown and KeyUp, as it would.
func Press(w fyne.Window, mod fyne.KeyModifier, key fyne.KeyName) {
	c := w.Canvas()
	ev := &fyne.KeyEvent{Name: key}
	focused := c.Focused()
	if k, ok := focused.(desktop.Keyable); ok {
		k.KeyDown(ev)
		defer k.KeyUp(ev)
	}
	if s := driverShortcut(mod, key); s != nil {
		if runMenuShortcut(w.MainMenu(), s) {
			return
		}
		if f, ok := focused.(fyne.Shortcutable); ok {
			type selectableText interface {
				fyne.Disableable
				SelectedText() string
			}
			if sel, ok := f.(selectableText); ok && sel.Disabled() && s.ShortcutName() != "Copy" {
				// The driver passes the key on as typed.
				focused.TypedKey(ev)
				return
			}
			f.TypedShortcut(s)
			return
		}
		c.(fyne.Shortcutable).TypedShortcut(s)
		return
	}
	if focused != nil {
		focused.TypedKey(ev)
	} else if h := c.OnTypedKey(); h != nil {
		h(ev)
	}
}

// driverShortcut is the shortcut the desktop driver makes of a key with
// mod held, or nil.
func driverShortcut(mod fyne.KeyModifier, key fyne.KeyName) fyne.Shortcut {
	cb := fyne.CurrentApp().Clipboard()
	if mod == fyne.KeyModifierControl {
		switch key {
		case fyne.KeyZ:
			return &fyne.ShortcutUndo{}
		case fyne.KeyY:
			return &fyne.ShortcutRedo{}
		case fyne.KeyV:
			return &fyne.ShortcutPaste{Clipboard: cb}
		case fyne.KeyC, fyne.KeyInsert:
			return &fyne.ShortcutCopy{Clipboard: cb}
		case fyne.KeyX:
			return &fyne.ShortcutCut{Clipboard: cb}
		case fyne.KeyA:
			return &fyne.ShortcutSelectAll{}
		}
	}
	if mod == fyne.KeyModifierShift {
		switch key {
		case fyne.KeyInsert:
			return &fyne.ShortcutPaste{Clipboard: cb}
		case fyne.KeyDelete:
			return &fyne.ShortcutCut{Clipboard: cb}
		}
	}
	if mod != 0 && mod != fyne.KeyModifierShift {
		return &desktop.CustomShortcut{KeyName: key, Modifier: mod}
	}
	return nil
}

// runMenuShortcut runs the first item of m whose shortcut is named as s.
func runMenuShortcut(m *fyne.MainMenu, s fyne.Shortcut) bool {
	if m == nil {
		return false
	}
	var run func(items []*fyne.MenuItem) bool
	run = func(items []*fyne.MenuItem) bool {
		for _, it := range items {
			if it.Shortcut != nil && it.Shortcut.ShortcutName() == s.ShortcutName() && it.Action != nil {
				it.Action()
				return true
			}
			if it.ChildMenu != nil && run(it.ChildMenu.Items) {
				return true
			}
		}
		return false
	}
	for _, menu := range m.Items {
		if run(menu.Items) {
			return true
		}
	}
	return false
}
