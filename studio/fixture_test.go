package studio

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/render/animatic"
	"github.com/slatestudio/slate/timeline"
)

// uiLoop makes the test goroutine the UI goroutine. Fyne's test driver
// runs fyne.Do callbacks at once on whatever goroutine calls it, so
// background work would touch widgets while the test does; uiLoop queues
// them instead, and the test runs them in its own goroutine, in order, as
// the real app's event loop does.
type uiLoop struct {
	fyne.Driver
	mu   sync.Mutex
	fns  []func()
	wake chan struct{}
}

func (d *uiLoop) DoFromGoroutine(fn func(), wait bool) {
	var done chan struct{}
	if wait {
		done = make(chan struct{})
		f := fn
		fn = func() { f(); close(done) }
	}
	d.mu.Lock()
	d.fns = append(d.fns, fn)
	d.mu.Unlock()
	select {
	case d.wake <- struct{}{}:
	default:
	}
	if wait {
		<-done
	}
}

// runQueued runs what is queued and reports whether there was anything.
func (d *uiLoop) runQueued() bool {
	d.mu.Lock()
	fns := d.fns
	d.fns = nil
	d.mu.Unlock()
	for _, fn := range fns {
		fn()
	}
	return len(fns) > 0
}

// loopApp is the test app with uiLoop as its driver.
type loopApp struct {
	fyne.App
	drv *uiLoop
}

func (a *loopApp) Driver() fyne.Driver { return a.drv }

// needTools returns the real tools, skipping the test when they are
// missing unless SLATE_REQUIRE_DEPS=1, when it fails instead.
func needTools(t testing.TB) media.Tools {
	t.Helper()
	tools := media.FindTools()
	if err := tools.Check(media.ToolFFmpeg, media.ToolFFprobe, media.ToolEspeak); err != nil {
		if os.Getenv("SLATE_REQUIRE_DEPS") == "1" {
			t.Fatalf("SLATE_REQUIRE_DEPS=1: %v", err)
		}
		t.Skip(err)
	}
	return tools
}

// fixture is a studio on a real library in a temporary folder, with a
// real render queue and the animatic backend, built as cmd/slate builds it.
type fixture struct {
	t     *testing.T
	ui    *uiLoop
	app   fyne.App
	lib   *library.Library
	queue *render.Queue
	s     *Studio
}

// newFixture stores projects in a new library and opens the studio on the
// first. With no projects it stores one starter project.
func newFixture(t *testing.T, tools media.Tools, projects ...*timeline.Project) *fixture {
	t.Helper()
	return newFixtureConsent(t, tools, nil, projects...)
}

// newFixtureConsent is newFixture with c asked for consent by the queue
// and the studio.
func newFixtureConsent(t *testing.T, tools media.Tools, c render.Consent, projects ...*timeline.Project) *fixture {
	t.Helper()
	return newFixtureWith(t, tools, c, nil, projects...)
}

// newFixtureWith is newFixtureConsent with a chance to change the
// studio's Deps (register a backend in d.Backends, which the queue opens
// too) before it is built.
func newFixtureWith(t *testing.T, tools media.Tools, c render.Consent, change func(d *Deps), projects ...*timeline.Project) *fixture {
	t.Helper()
	base := test.NewTempApp(t)
	ui := &uiLoop{Driver: base.Driver(), wake: make(chan struct{}, 1)}
	a := &loopApp{App: base, drv: ui}
	fyne.SetCurrentApp(a)

	dir := t.TempDir()
	lib, err := library.Open(dir, library.Options{Exclusive: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lib.Close() })
	if len(projects) == 0 {
		projects = []*timeline.Project{starterProject("First film")}
	}
	ctx := context.Background()
	var first *library.Document
	for _, p := range projects {
		doc, err := lib.CreateProject(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = doc
		}
	}
	reg := render.NewRegistry()
	reg.Register(animatic.Name, func() (render.Backend, error) { return animatic.New(tools) })
	q := render.NewQueue(lib, reg, render.QueueOptions{Workers: 2, Consent: c})
	if _, _, err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(q.Close)

	d := Deps{Library: lib, Doc: first, Queue: q, Backends: reg, Tools: tools, Consent: c}
	if change != nil {
		change(&d)
	}
	s := New(a, d)
	s.Window().Show()
	t.Cleanup(s.Window().Close)
	f := &fixture{t: t, ui: ui, app: a, lib: lib, queue: q, s: s}
	f.idle()
	return f
}

// until runs the UI goroutine's work until cond holds, failing the test
// after timeout.
func (f *fixture) until(what string, timeout time.Duration, cond func() bool) {
	f.t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		for f.ui.runQueued() {
		}
		if cond() {
			return
		}
		select {
		case <-f.ui.wake:
		case <-deadline.C:
			f.t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
	}
}

// idle waits until the library panel has no work out.
func (f *fixture) idle() {
	f.t.Helper()
	l := f.s.library
	f.until("the library panel to settle", 30*time.Second, func() bool { return l.busy == 0 && !l.loading })
}

// titles lists the projects the panel shows, in order.
func (f *fixture) titles() []string {
	var out []string
	for _, p := range f.s.library.projects {
		out = append(out, p.Title)
	}
	return out
}

// stored lists the projects in the library, most recent first.
func (f *fixture) stored() []library.ProjectInfo {
	f.t.Helper()
	ps, err := f.lib.Projects(context.Background())
	if err != nil {
		f.t.Fatal(err)
	}
	return ps
}

// selectProject picks the project with this title in the list, as a tap
// on its row does.
func (f *fixture) selectProject(title string) {
	f.t.Helper()
	for i, p := range f.s.library.projects {
		if p.Title == title {
			f.s.library.projectList.Select(i)
			return
		}
	}
	f.t.Fatalf("no project %q in the list %q", title, f.titles())
}

// topDialog is what the window shows on top, or nil.
func (f *fixture) topDialog() fyne.CanvasObject {
	return f.s.Window().Canvas().Overlays().Top()
}

// walk visits o and everything inside it, as rendered.
func walk(o fyne.CanvasObject, visit func(fyne.CanvasObject)) {
	if o == nil {
		return
	}
	visit(o)
	switch o := o.(type) {
	case *fyne.Container:
		for _, c := range o.Objects {
			walk(c, visit)
		}
	case *widget.Label, *widget.Entry:
		// Their text is in the widget; what they render is that text
		// cut into lines.
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(o).Objects() {
			walk(c, visit)
		}
	}
}

// texts is every label's and entry's text in o.
func texts(o fyne.CanvasObject) string {
	var b strings.Builder
	walk(o, func(o fyne.CanvasObject) {
		switch o := o.(type) {
		case *widget.Label:
			b.WriteString(o.Text + "\n")
		case *widget.Entry:
			b.WriteString(o.Text + "\n")
		}
	})
	return b.String()
}

// button finds the visible button labelled text in o.
func (f *fixture) button(o fyne.CanvasObject, text string) *widget.Button {
	f.t.Helper()
	var found *widget.Button
	walk(o, func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == text && b.Visible() {
			found = b
		}
	})
	if found == nil {
		f.t.Fatalf("no %q button in:\n%s", text, texts(o))
	}
	return found
}

// entry finds the first entry in o.
func (f *fixture) entry(o fyne.CanvasObject) *widget.Entry {
	f.t.Helper()
	var found *widget.Entry
	walk(o, func(o fyne.CanvasObject) {
		if e, ok := o.(*widget.Entry); ok && found == nil {
			found = e
		}
	})
	if found == nil {
		f.t.Fatalf("no entry in:\n%s", texts(o))
	}
	return found
}

// tap taps the button labelled text in the dialog on top.
func (f *fixture) tap(text string) {
	f.t.Helper()
	d := f.topDialog()
	if d == nil {
		f.t.Fatalf("no dialog is showing to tap %q in", text)
	}
	test.Tap(f.button(d, text))
}
