package uikit

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// TestTipShowsOnHover: a TipButton's tip shows below it while the pointer
// is over it, and goes when it leaves or the button is tapped; a click on
// the tip reaches what is under it.
func TestTipShowsOnHover(t *testing.T) {
	test.NewTempApp(t)
	tapped, under := 0, 0
	b := NewTipButton("", nil, "Go to start (Home)", func() { tapped++ })
	below := widget.NewButton("under the tip", func() { under++ })
	w := test.NewWindow(WithTips(container.NewVBox(container.NewHBox(b), below)))
	defer w.Close()
	w.Resize(fyne.NewSize(400, 300))
	l := TipLayerOf(w.Canvas())
	if l == nil {
		t.Fatal("the window has no tip layer")
	}
	if got := l.Shown(); got != "" {
		t.Fatalf("a tip shows before any hover: %q", got)
	}
	b.MouseIn(&desktop.MouseEvent{})
	if got := l.Shown(); got != "Go to start (Home)" {
		t.Fatalf("hovering shows %q, want the button's tip", got)
	}
	if l.box.Position().Y < b.Position().Y+b.Size().Height {
		t.Errorf("the tip is at %v, over the button (bottom %v)", l.box.Position(), b.Position().Y+b.Size().Height)
	}
	// A click where the tip is reaches the button under it.
	test.TapCanvas(w.Canvas(), l.box.Position().AddXY(4, l.box.Size().Height/2))
	if under != 1 {
		t.Errorf("a click on the tip did not reach the button under it")
	}
	b.MouseOut()
	if got := l.Shown(); got != "" {
		t.Errorf("the tip stays after the pointer left: %q", got)
	}
	b.MouseIn(&desktop.MouseEvent{})
	test.Tap(b)
	if got := l.Shown(); got != "" || tapped != 1 {
		t.Errorf("after a tap: tip %q, tapped %d; want none, 1", got, tapped)
	}
}
