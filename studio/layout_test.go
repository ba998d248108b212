package studio

import (
	"fmt"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"

	"github.com/slatestudio/slate/timeline"
)

// allSplits are the window's split containers, outermost first.
func allSplits(w fyne.Window) []*container.Split {
	var out []*container.Split
	walkAll(w.Content(), func(o fyne.CanvasObject) {
		if s, ok := o.(*container.Split); ok {
			out = append(out, s)
		}
	})
	return out
}

// dividers is where each split's divider is: its leading part's size
// across the split.
func dividers(w fyne.Window) []float32 {
	var out []float32
	for _, s := range allSplits(w) {
		if s.Horizontal {
			out = append(out, s.Leading.Size().Width)
		} else {
			out = append(out, s.Leading.Size().Height)
		}
	}
	return out
}

// TestSplitsStayPut: what the inspector shows (another shot, a line of
// dialogue with its fields, a refusal under a field) never moves the
// dividers between the window's parts; only the person does.
func TestSplitsStayPut(t *testing.T) {
	h := newHarness(t, nil)
	h.win.Resize(fyne.NewSize(1280, 720))
	h.ui.drain()
	before := fmt.Sprint(dividers(h.win))
	check := func(what string) {
		t.Helper()
		h.ui.drain()
		// The desktop driver lays out again a container whose content
		// asks for more room; the test driver leaves that to the test.
		for _, s := range allSplits(h.win) {
			s.Refresh()
		}
		if got := fmt.Sprint(dividers(h.win)); got != before {
			t.Errorf("after %s the dividers are at %s, were at %s", what, got, before)
		}
	}
	for _, id := range []string{"window", "pier", "letter", "night", "harbour"} {
		h.s.session.Select(id)
		check("selecting " + id)
	}
	long := "Supercalifragilisticexpialidocious-ness"
	if err := h.s.session.Edit(t.Context(), timeline.AddLine("harbour", -1, timeline.Line{Speaker: timeline.Narrator, Text: long, Start: time.Second})); err != nil {
		t.Fatal(err)
	}
	check("adding a long line")
	if err := h.s.session.Edit(t.Context(), timeline.AddCast(timeline.CastRef{ID: "ada", Name: "Augusta Ada King, Countess of Lovelace, née Byron"})); err != nil {
		t.Fatal(err)
	}
	check("a character with a long name joining the cast")
	h.s.session.EditOrReport(t.Context(), timeline.SetDuration("harbour", 100*time.Millisecond))
	check("a refused duration")
}

// TestLayoutRemembered: the window's size and where the person dragged
// its dividers are as they were when the studio opens again on the same
// data folder.
func TestLayoutRemembered(t *testing.T) {
	h := newHarness(t, nil)
	h.win.Resize(fyne.NewSize(1280, 720))
	h.ui.drain()
	// Drag the divider between the preview and the inspector 120 units
	// left, and the one above the timeline 60 up, as a person would.
	ss := allSplits(h.win)
	d := fyne.CurrentApp().Driver()
	var offsets []float64
	for _, sp := range ss {
		if sp.Trailing == nil {
			continue
		}
		at := d.AbsolutePositionForObject(sp.Trailing)
		if sp.Horizontal && sp.Offset > 0.5 {
			test.Drag(h.win.Canvas(), at.Add(fyne.NewPos(-2, 40)), -120, 0)
		}
		if !sp.Horizontal && sp.Offset > 0.55 {
			test.Drag(h.win.Canvas(), at.Add(fyne.NewPos(40, -2)), 0, -60)
		}
		offsets = append(offsets, sp.Offset)
	}
	moved := fmt.Sprint(dividers(h.win))
	size := h.win.Canvas().Size()
	t.Logf("dividers %s, offsets %v", moved, offsets)
	h.s.Quit() // File ▸ Quit

	doc, err := h.lib.OpenProject(t.Context(), h.s.Project().ID)
	if err != nil {
		t.Fatal(err)
	}
	again := New(t.Context(), h.env.App, Deps{Library: h.lib, Doc: doc, Queue: h.queue, Backends: h.env.Backends, Tools: h.env.Tools, Do: h.env.UI.Do, Clock: h.clock})
	w := again.Window()
	w.Show()
	t.Cleanup(w.Close)
	h.ui.drain()
	if got := w.Canvas().Size(); got != size {
		t.Errorf("the window opens at %v, was %v when the studio quit", got, size)
	}
	var got []float64
	for _, sp := range allSplits(w) {
		got = append(got, sp.Offset)
	}
	if fmt.Sprint(got) != fmt.Sprint(offsets) {
		t.Errorf("the dividers open at %v, were at %v", got, offsets)
	}
	if got := fmt.Sprint(dividers(w)); got != moved {
		t.Errorf("the dividers open at %s, were at %s", got, moved)
	}
}
