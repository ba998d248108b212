package storyboard

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
)

// revert is Esc in a field showing other than the project's value (one
// the inspector refused, or typing not yet saved): it puts the stored
// value back and clears the field's message. It reports whether there was
// anything to put back; otherwise Esc is the entry's.
func (e *commitEntry) revert() bool {
	if e.value() == e.stored {
		return false
	}
	e.committed = e.stored
	if e.wrap != nil {
		e.wrap.set(e.stored)
	} else {
		e.SetText(e.stored)
	}
	if e.onEscape != nil {
		e.onEscape()
	}
	return true
}

// escapeClears makes Esc in every field under o clear the messages shown:
// they are about a value no longer there. The inspector is laid out in
// containers only, which this walks.
func (i *Inspector) escapeClears(o fyne.CanvasObject) {
	switch o := o.(type) {
	case *commitEntry:
		o.onEscape = i.clearErrors
	case *fyne.Container:
		for _, c := range o.Objects {
			i.escapeClears(c)
		}
	case *container.Scroll:
		i.escapeClears(o.Content)
	}
}
