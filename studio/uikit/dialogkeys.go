package uikit

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// Field is a one-line text field that hands Esc to OnEscape: Fyne's Entry
// ignores Esc, so in a dialog it would not cancel.
type Field struct {
	widget.Entry
	// OnEscape runs on Esc; nil leaves Esc to the entry (which ignores it).
	OnEscape func()
}

// Choice is a choice list (Fyne's Select) that hands Enter to OnEnter
// and Esc to OnEscape, which Fyne's ignores; the arrows, Space and the
// pointer work as in any Select.
type Choice struct {
	widget.Select
	// OnEnter and OnEscape run on those keys; nil leaves the key to the
	// list (which ignores it).
	OnEnter, OnEscape func()
}

// NewChoice makes a choice list of options; changed runs when another
// is chosen.
func NewChoice(options []string, changed func(string)) *Choice {
	c := &Choice{}
	c.Options, c.OnChanged = options, changed
	c.ExtendBaseWidget(c)
	return c
}

// TypedKey runs OnEnter on Enter and OnEscape on Esc; every other key is
// the list's.
func (c *Choice) TypedKey(e *fyne.KeyEvent) {
	switch {
	case (e.Name == fyne.KeyReturn || e.Name == fyne.KeyEnter) && c.OnEnter != nil:
		c.OnEnter()
	case e.Name == fyne.KeyEscape && c.OnEscape != nil:
		c.OnEscape()
	default:
		c.Select.TypedKey(e)
	}
}

// NewField makes an empty one-line text field.
func NewField() *Field {
	f := &Field{}
	f.ExtendBaseWidget(f)
	return f
}

// NewPasswordField makes a one-line field whose text is hidden.
func NewPasswordField() *Field {
	f := &Field{}
	f.Password = true
	f.ExtendBaseWidget(f)
	return f
}

// TypedKey runs OnEscape on Esc; every other key is the entry's.
func (f *Field) TypedKey(e *fyne.KeyEvent) {
	if e.Name == fyne.KeyEscape && f.OnEscape != nil {
		f.OnEscape()
		return
	}
	f.Entry.TypedKey(e)
}

// DialogKeys gives the dialog just shown on w (the top of w's overlays)
// the keys people expect of one, which Fyne v2.7's dialogs lack: Enter runs
// submit, what the default button does (nil: the dialog has none, as when
// its one action destroys something), and Esc runs cancel, what its Cancel
// or Close button does. They work while nothing in the dialog has the
// focus, and in fields, a one-line field running submit on Enter (unless
// it does something of its own) and a Field running cancel on Esc. While
// the dialog is on top, the other keys no longer reach the window behind
// it (Space would play, Delete delete shots).
//
// A Choice among fields runs submit on Enter and cancel on Esc: Fyne's
// choice list keeps the focus after a pick and ignores both keys, so the
// dialog's keys stopped working the moment a person chose a frame rate
// or a voice.
//
// Call it right after showing the dialog. It chains itself before the
// canvas's OnTypedKey, which Fyne's desktop driver calls for keys that
// nothing focused takes, and passes the keys on once the dialog is no
// longer on top.
func DialogKeys(w fyne.Window, submit, cancel func(), fields ...fyne.CanvasObject) {
	c := w.Canvas()
	top := c.Overlays().Top()
	if top == nil {
		return
	}
	for _, f := range fields {
		var e *widget.Entry
		switch f := f.(type) {
		case *Choice:
			if f.OnEnter == nil {
				f.OnEnter = submit
			}
			if f.OnEscape == nil {
				f.OnEscape = cancel
			}
		case *Field:
			if f.OnEscape == nil {
				f.OnEscape = cancel
			}
			e = &f.Entry
		case *widget.Entry:
			e = f
		}
		if e != nil && !e.MultiLine && e.OnSubmitted == nil && submit != nil {
			e.OnSubmitted = func(string) { submit() }
		}
	}
	next := c.OnTypedKey()
	c.SetOnTypedKey(func(e *fyne.KeyEvent) {
		if c.Overlays().Top() != top {
			if next != nil {
				next(e)
			}
			return
		}
		switch e.Name {
		case fyne.KeyReturn, fyne.KeyEnter:
			if submit != nil {
				submit()
			}
		case fyne.KeyEscape:
			if cancel != nil {
				cancel()
			}
		}
	})
}

// ShowInformation shows a message with an OK button, which Enter and Esc
// press too.
func ShowInformation(title, message string, w fyne.Window) dialog.Dialog {
	d := dialog.NewInformation(title, message, w)
	d.Show()
	DialogKeys(w, d.Hide, d.Hide)
	return d
}

// ShowError shows err with an OK button, which Enter and Esc press too.
func ShowError(err error, w fyne.Window) dialog.Dialog {
	d := dialog.NewError(err, w)
	d.Show()
	DialogKeys(w, d.Hide, d.Hide)
	return d
}
