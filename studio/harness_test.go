package studio

import (
	"context"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/slatestudio/slate/examples"
	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/render/animatic"
	"github.com/slatestudio/slate/timeline"
)

// uiQueue stands in for fyne.Do in tests: background work queues its
// UI updates, and the test runs them on its own goroutine when it waits.
type uiQueue struct{ ch chan func() }

func (u *uiQueue) do(f func()) { u.ch <- f }

// until runs queued UI updates until cond holds, failing after timeout.
func (u *uiQueue) until(t testing.TB, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.After(timeout)
	for !cond() {
		select {
		case f := <-u.ch:
			f()
		case <-deadline:
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
	}
}

// drain runs the UI updates already queued.
func (u *uiQueue) drain() {
	for {
		select {
		case f := <-u.ch:
			f()
		default:
			return
		}
	}
}

type harness struct {
	s     *Studio
	ui    *uiQueue
	clock *testClock
	lib   *library.Library
	queue *render.Queue
	win   fyne.Window
}

// newHarness builds the studio over p (the demo when nil) with a real
// library, render queue, animatic backend and programs, on a headless
// test app.
func newHarness(t testing.TB, p *timeline.Project) *harness {
	return newHarnessWith(t, p, nil)
}

// newHarnessWith is newHarness with a chance to change the studio's Deps.
func newHarnessWith(t testing.TB, p *timeline.Project, change func(*Deps)) *harness {
	t.Helper()
	return newHarnessOn(t, test.NewTempApp(t), p, change)
}

// newHarnessOn is newHarnessWith on the app a.
func newHarnessOn(t testing.TB, a fyne.App, p *timeline.Project, change func(*Deps)) *harness {
	t.Helper()
	tools := needTools(t)
	lib, err := library.Open(t.Context(), t.TempDir(), library.Options{Exclusive: true})
	if err != nil {
		t.Fatal(err)
	}
	if p == nil {
		if p, err = timeline.Decode("demo.slate", examples.Demo); err != nil {
			t.Fatal(err)
		}
	}
	doc, err := lib.CreateProject(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	reg := render.NewRegistry()
	reg.Register(animatic.Name, func() (render.Backend, error) { return animatic.New(tools) })
	q := render.NewQueue(lib, reg, render.QueueOptions{Workers: 2})
	if _, _, err := q.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	h := &harness{ui: &uiQueue{ch: make(chan func(), 1<<16)}, clock: newTestClock(), lib: lib, queue: q}
	h.clock.pump = h.ui.drain
	d := Deps{Library: lib, Doc: doc, Queue: q, Backends: reg, Tools: tools, Clock: h.clock, Do: h.ui.do}
	if change != nil {
		change(&d)
	}
	h.s = New(a, d)
	h.win = h.s.Window()
	h.win.Resize(fyne.NewSize(1440, 900))
	h.win.Show()
	t.Cleanup(func() {
		h.win.Close()
		q.Close()
		lib.Close()
	})
	return h
}

// smallDemo is the demo at 320×180, quick to render.
func smallDemo(t testing.TB) *timeline.Project {
	p, err := timeline.Decode("demo.slate", examples.Demo)
	if err != nil {
		t.Fatal(err)
	}
	p.Width, p.Height = 320, 180
	return p
}

func titles(p *timeline.Project) []string {
	var out []string
	for _, s := range p.Shots {
		out = append(out, s.Title)
	}
	return out
}
