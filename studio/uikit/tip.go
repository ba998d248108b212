// Package uikit holds the few small widgets the studio's shell and rooms
// share that Fyne v2.7 lacks: buttons that name what they do, and their
// shortcut, in a tooltip while the pointer is over them; and Enter and Esc
// in dialogs. It imports nothing of Slate's.
package uikit

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// TipButton is a button with a tooltip: while the pointer is over it, its
// tip shows just below it, in the window's tip layer (see WithTips). A
// window without one shows no tip; the tip is still the button's.
type TipButton struct {
	widget.Button
	tip string
}

// NewTipButton makes a button showing label and icon (either may be
// empty) that runs tapped, with tip as its tooltip: what it does and its
// key, "Play / pause (Space)".
func NewTipButton(label string, icon fyne.Resource, tip string, tapped func()) *TipButton {
	b := &TipButton{tip: tip}
	b.Text, b.Icon, b.OnTapped = label, icon, tapped
	b.ExtendBaseWidget(b)
	return b
}

// Tip is the button's tooltip.
func (b *TipButton) Tip() string { return b.tip }

// MouseIn shows the tip.
func (b *TipButton) MouseIn(e *desktop.MouseEvent) {
	b.Button.MouseIn(e)
	if l := b.layer(); l != nil {
		l.show(b, b.tip)
	}
}

// MouseOut hides the tip.
func (b *TipButton) MouseOut() {
	b.Button.MouseOut()
	if l := b.layer(); l != nil {
		l.hide(b)
	}
}

// Tapped hides the tip, which has been read, and taps the button.
func (b *TipButton) Tapped(e *fyne.PointEvent) {
	if l := b.layer(); l != nil {
		l.hide(b)
	}
	b.Button.Tapped(e)
}

// layer is the tip layer of the button's window, or nil.
func (b *TipButton) layer() *TipLayer {
	app := fyne.CurrentApp()
	if app == nil {
		return nil
	}
	c := app.Driver().CanvasForObject(b)
	if c == nil {
		return nil
	}
	return TipLayerOf(c)
}

// WithTips lays content out with a layer above it where the tooltips of
// the TipButtons in it show. The layer takes no pointer events: a click
// goes through a tip to what is under it. Make it the window's content.
func WithTips(content fyne.CanvasObject) fyne.CanvasObject {
	l := &TipLayer{
		text: widget.NewLabel(""),
		bg:   canvas.NewRectangle(color.Transparent),
	}
	l.box = container.NewStack(l.bg, l.text)
	l.box.Hide()
	l.ExtendBaseWidget(l)
	return container.NewStack(content, l)
}

// TipLayerOf is the tip layer of the window whose canvas is c, or nil.
func TipLayerOf(c fyne.Canvas) *TipLayer {
	if s, ok := c.Content().(*fyne.Container); ok && len(s.Objects) == 2 {
		l, _ := s.Objects[1].(*TipLayer)
		return l
	}
	return nil
}

// TipLayer draws the one tooltip shown, over the window's content. It
// implements none of the pointer interfaces, so the driver looks past it.
type TipLayer struct {
	widget.BaseWidget
	owner *TipButton // whose tip shows; nil when none does
	box   *fyne.Container
	bg    *canvas.Rectangle
	text  *widget.Label
}

// Shown is the tip on screen, or "" when none is.
func (l *TipLayer) Shown() string {
	if l.owner == nil {
		return ""
	}
	return l.text.Text
}

// show puts b's tip just below b (above it at the window's foot), kept
// inside the window.
func (l *TipLayer) show(b *TipButton, tip string) {
	if tip == "" {
		l.hide(b)
		return
	}
	l.owner = b
	l.text.SetText(tip)
	th := l.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	l.bg.FillColor = th.Color(theme.ColorNameOverlayBackground, v)
	l.bg.StrokeColor = th.Color(theme.ColorNameSeparator, v)
	l.bg.StrokeWidth = 1
	l.bg.CornerRadius = th.Size(theme.SizeNameInputRadius)
	size := l.box.MinSize()
	l.box.Resize(size)
	d := fyne.CurrentApp().Driver()
	at := d.AbsolutePositionForObject(b).Subtract(d.AbsolutePositionForObject(l))
	pos := fyne.NewPos(at.X, at.Y+b.Size().Height+2)
	if pos.Y+size.Height > l.Size().Height {
		pos.Y = at.Y - size.Height - 2
	}
	pos.X = max(0, min(pos.X, l.Size().Width-size.Width))
	l.box.Move(pos)
	l.box.Show()
	l.Refresh()
}

// hide takes b's tip away, if it is the one shown.
func (l *TipLayer) hide(b *TipButton) {
	if l.owner != b {
		return
	}
	l.owner = nil
	l.box.Hide()
	l.Refresh()
}

// MinSize is none: the layer only covers what it is laid over.
func (l *TipLayer) MinSize() fyne.Size { return fyne.Size{} }

// CreateRenderer draws the tip where show put it.
func (l *TipLayer) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewWithoutLayout(l.box))
}
