package studio

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// inspector edits the selected shot. (Being written.)
type inspector struct{ s *Studio }

func newInspector(s *Studio) *inspector      { return &inspector{s: s} }
func (i *inspector) view() fyne.CanvasObject { return widget.NewLabel("Inspector") }
func (i *inspector) refresh()                {}
