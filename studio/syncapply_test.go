package studio

import (
	"context"
	"testing"
	"time"

	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/timeline"
)

// Project sync brings another device's version into the open project on
// the UI goroutine, as one undoable step, and the window follows; for
// another project it runs nothing and says so.
func TestApplyToProjectEditsTheOpenDocument(t *testing.T) {
	h := newHarness(t, smallDemo(t))
	ctx := context.Background()
	p := h.s.Project()
	to := p.Clone()
	to.Title = "From the laptop"
	to.Shots = to.Shots[:1]
	edits := 0
	h.s.OnEdit(func() { edits++ })

	type result struct {
		open bool
		err  error
	}
	done := make(chan result, 1)
	go func() {
		open, err := h.s.ApplyToProject(ctx, p.ID, func(d *library.Document) error {
			_, err := d.SyncWith(ctx, timeline.Become("Changes from laptop", to), 7, nil, true)
			return err
		})
		done <- result{open, err}
	}()
	var r result
	h.ui.until(t, "the change applied", 5*time.Second, func() bool {
		select {
		case r = <-done:
			return true
		default:
			return false
		}
	})
	if !r.open || r.err != nil {
		t.Fatalf("ApplyToProject = %v, %v; want it run on the open project", r.open, r.err)
	}
	if got := h.win.Title(); got != "From the laptop — Slate" {
		t.Errorf("window title = %q, want the new version's", got)
	}
	if name, _ := h.s.session.Document().UndoName(); name != "Changes from laptop" {
		t.Errorf("UndoName() = %q", name)
	}
	if edits == 0 {
		t.Error("OnEdit's function was not called after the change")
	}

	ran := false
	go func() {
		open, err := h.s.ApplyToProject(ctx, "another", func(*library.Document) error { ran = true; return nil })
		done <- result{open, err}
	}()
	h.ui.until(t, "the other project refused", 5*time.Second, func() bool {
		select {
		case r = <-done:
			return true
		default:
			return false
		}
	})
	if r.open || ran {
		t.Errorf("ApplyToProject(another) = open %v, ran %v; want neither", r.open, ran)
	}
}
