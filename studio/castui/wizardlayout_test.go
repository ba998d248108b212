package castui

import (
	"image/color"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"

	"github.com/slatestudio/slate/capture/liveness/livenesstest"
	"github.com/slatestudio/slate/studio/look"
	"github.com/slatestudio/slate/studio/studiotest"
)

// fits reports whether the wizard's content fits the size its window
// opened at: a real window grows to its content's minimum size, and the
// wizard's grew from 1100 to 1168 points wide once the take was checked.
func (w *wizard) fits(t *testing.T, step string, size fyne.Size) {
	t.Helper()
	if min := w.win.Content().MinSize(); min.Width > size.Width || min.Height > size.Height {
		t.Errorf("%s: the wizard's content needs %v, more than its window's %v: the window would grow", step, min, size)
	}
	if got := w.win.Canvas().Size(); got != size {
		t.Errorf("%s: the wizard's window is %v, want the %v it opened at", step, got, size)
	}
}

// TestWizardLayout goes through a take and looks at the wizard as a person
// would: before the take it says what the stills will be; during it the
// right half shows the script, what comes next and how long is left; the
// window keeps its size from start to results; and Save is wholly in view,
// not under the scroll bar.
func TestWizardLayout(t *testing.T) {
	fakeDevices(t, livenesstest.Options{})
	h := wizardHarness(t)
	h.panel.Record(t.Context())
	w := h.panel.wizard
	size := w.win.Canvas().Size()
	h.ui.Until(t, "the devices to be listed", 20*time.Second, func() bool { return len(w.camera.Options) > 0 && len(w.mic.Options) > 0 })

	setup := studiotest.Texts(w.body)
	if !strings.Contains(setup, "Stills") || !strings.Contains(setup, "turned left") {
		t.Errorf("before the take the wizard says %q; want the Stills heading with what will appear under it", setup)
	}
	w.fits(t, "setup", size)

	test.Type(w.name, "Ada Lane")
	test.Tap(w.start)
	var script, next, left bool
	h.ui.Until(t, "the take to be checked", 120*time.Second, func() bool {
		if w.take == nil && w.curPrompt >= 0 && w.curPrompt < len(w.script.Prompts)-1 {
			pane := studiotest.Texts(w.body)
			script = script || strings.Contains(pane, w.script.Prompts[len(w.script.Prompts)-1].Text)
			next = next || strings.Contains(pane, "Next: "+w.script.Prompts[w.curPrompt+1].Text)
			left = left || strings.Contains(pane, "s left")
			w.fits(t, "during the take", size)
		}
		return w.report != nil
	})
	if !script || !next || !left {
		t.Errorf("during the take the right half showed the script %v, what comes next %v, the time left %v; want all three", script, next, left)
	}
	if !w.report.Passed() {
		t.Fatal("the fake take did not pass its checks")
	}
	w.fits(t, "results", size)

	// Save lies wholly inside the window, and outside the scrolled pane
	// whose scroll bar would cover its right edge.
	c := w.win.Canvas()
	d := fyne.CurrentApp().Driver()
	at, s := d.AbsolutePositionForObject(w.save), w.save.Size()
	if !w.save.Visible() || at.X < 0 || at.Y < 0 || at.X+s.Width > c.Size().Width || at.Y+s.Height > c.Size().Height {
		t.Errorf("Save is at %v, %v in a window of %v: not wholly in view", at, s, c.Size())
	}
	scroll := d.AbsolutePositionForObject(w.scroll)
	if at.Y < scroll.Y+w.scroll.Size().Height && at.Y+s.Height > scroll.Y {
		t.Errorf("Save (at %v) is in the scrolled pane (at %v, %v), under its scroll bar", at, scroll, w.scroll.Size())
	}
}

// TestWizardPromptReads: the prompt and its countdown are drawn over the
// camera's picture, which may be anything from a white wall to a dark
// room; they read at WCAG's 3:1 for large text on either, in the dark and
// the light theme alike.
func TestWizardPromptReads(t *testing.T) {
	h := wizardHarness(t)
	h.panel.Record(t.Context())
	w := h.panel.wizard
	w.setPrompt("Turn your head to your left", "3")
	for _, pic := range []color.Color{color.White, color.Black, color.NRGBA{0x80, 0x80, 0x80, 0xff}, color.NRGBA{0xff, 0xe0, 0x40, 0xff}} {
		back := pic
		if w.backdrop.Visible() {
			back = look.Over(pic, w.backdrop.FillColor, 1)
		}
		for _, tx := range []*canvas.Text{w.prompt, w.countdown} {
			if got := look.Contrast(tx.Color, back); got < 3 {
				t.Errorf("%q over a picture of %v reads at %.2f:1, want 3:1", tx.Text, pic, got)
			}
		}
	}
	w.setPrompt("", "")
	if w.backdrop.Visible() {
		t.Error("the backdrop stays over the picture with no prompt on it")
	}
}
