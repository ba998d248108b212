// Package studiotest builds what a studio works with, for the tests of the
// studio and of each of its rooms: a real library in a temporary folder, a
// real render queue with the animatic backend and the real programs, a
// clock the test moves by hand, a headless Fyne app, and a UI goroutine
// that is the test's own. The studio's tests build the whole window over
// it (studio.New); a room's tests build the session (Env.Session) and the
// room alone, given what the studio would give it.
package studiotest

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/slatestudio/slate/examples"
	"github.com/slatestudio/slate/internal/clock/clocktest"
	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/render/animatic"
	"github.com/slatestudio/slate/studio/session"
	"github.com/slatestudio/slate/studio/uikit"
	"github.com/slatestudio/slate/timeline"
)

// UI is the studio's UI goroutine in a test: background work queues its
// UI updates (through Do, the studio's Deps.Do), and the test runs them
// on its own goroutine, in order, when it waits, as the app's event loop
// would. Widgets are then only ever touched from the test's goroutine.
type UI struct{ ch chan func() }

// NewUI makes an empty UI queue.
func NewUI() *UI { return &UI{ch: make(chan func(), 1<<16)} }

// Do queues f; it may be called from any goroutine.
func (u *UI) Do(f func()) { u.ch <- f }

// Until runs queued UI updates until cond holds, failing the test after
// timeout.
func (u *UI) Until(t testing.TB, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for !cond() {
		select {
		case f := <-u.ch:
			f()
		case <-deadline.C:
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
	}
}

// Queued is how many UI updates wait to run.
func (u *UI) Queued() int { return len(u.ch) }

// Drain runs the UI updates already queued.
func (u *UI) Drain() {
	for {
		select {
		case f := <-u.ch:
			f()
		default:
			return
		}
	}
}

// uiDriver is a Fyne driver whose fyne.Do queues onto a UI, rather than
// running the function at once on the calling goroutine as Fyne's test
// driver does: then background work that calls fyne.Do itself touches no
// widget while the test does.
type uiDriver struct {
	fyne.Driver
	ui *UI
}

func (d *uiDriver) DoFromGoroutine(fn func(), wait bool) {
	if !wait {
		d.ui.Do(fn)
		return
	}
	done := make(chan struct{})
	d.ui.Do(func() { fn(); close(done) })
	<-done
}

// uiApp is an app with uiDriver as its driver.
type uiApp struct {
	fyne.App
	drv fyne.Driver
}

func (a *uiApp) Driver() fyne.Driver { return a.drv }

// NewClock makes a test clock at midnight on 1 January 2025, UTC.
func NewClock() *clocktest.Clock { return clocktest.New(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)) }

// Tools returns the real programs (ffmpeg, ffprobe, espeak-ng), skipping
// the test when one is missing, unless SLATE_REQUIRE_DEPS=1, when it
// fails instead.
func Tools(t testing.TB) media.Tools {
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

// Options change what New builds.
type Options struct {
	// Projects are stored in the library, and the first is the open
	// one; with none, the demo ("Last Light") is.
	Projects []*timeline.Project
	// Tools are the programs the studio runs; when nil, the real ones
	// (Tools), skipping the test without them. A test of what happens
	// without them passes &media.Tools{}.
	Tools *media.Tools
	// Consent is the render queue's; nil refuses other people's cast.
	Consent render.Consent
	// Workers render in the queue; 2 when 0.
	Workers int
	// App is the Fyne app; a new test app when nil.
	App fyne.App
	// RealClock leaves Env.Clock nil, for the studio to use the
	// computer's clock (say, to show what was just made as "just now").
	RealClock bool
	// QueueFyneDo makes fyne.Do queue onto the UI too, for code that
	// calls it itself rather than the studio's Deps.Do.
	QueueFyneDo bool
	// Change, if set, changes the registry before the queue starts: to
	// register another backend, say.
	Change func(*render.Registry)
	// Backend renders the shots that name none in sessions made by
	// Env.Session; render.DefaultBackend when "".
	Backend string
}

// Env is what a studio works with in a test. Its parts are closed when
// the test ends.
type Env struct {
	T   testing.TB
	App fyne.App
	UI  *UI
	// Clock moves only when the test says; its timers run on the test's
	// goroutine, each followed by the UI work it queued. Nil with
	// Options.RealClock.
	Clock *clocktest.Clock
	Tools media.Tools
	// Library is in a temporary folder; Doc is its open project.
	Library  *library.Library
	Doc      *library.Document
	Queue    *render.Queue
	Backends *render.Registry
	// Backend is Options.Backend.
	Backend string

	mu       sync.Mutex
	reported []error
}

// New builds the env: the projects stored in a new library, a started
// render queue over it with the animatic backend, a test clock and UI
// queue, and the app.
func New(t testing.TB, o Options) *Env {
	t.Helper()
	e := &Env{T: t, UI: NewUI(), Backend: o.Backend}
	if o.Tools != nil {
		e.Tools = *o.Tools
	} else {
		e.Tools = Tools(t)
	}
	if !o.RealClock {
		e.Clock = NewClock()
		e.Clock.SetPump(e.UI.Drain)
	}
	e.App = o.App
	if e.App == nil {
		e.App = test.NewTempApp(t)
	}
	if o.QueueFyneDo {
		e.App = &uiApp{App: e.App, drv: &uiDriver{Driver: e.App.Driver(), ui: e.UI}}
		fyne.SetCurrentApp(e.App)
	}
	lib, err := library.Open(t.Context(), t.TempDir(), library.Options{Exclusive: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lib.Close() })
	e.Library = lib
	projects := o.Projects
	if len(projects) == 0 {
		projects = []*timeline.Project{Demo(t)}
	}
	ctx := context.Background()
	for _, p := range projects {
		doc, err := lib.CreateProject(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if e.Doc == nil {
			e.Doc = doc
		}
	}
	tools := e.Tools
	e.Backends = render.NewRegistry()
	e.Backends.Register(animatic.Name, func() (render.Backend, error) { return animatic.New(tools) })
	if o.Change != nil {
		o.Change(e.Backends)
	}
	workers := o.Workers
	if workers == 0 {
		workers = 2
	}
	e.Queue = render.NewQueue(lib, e.Backends, render.QueueOptions{Workers: workers, Consent: o.Consent})
	if _, _, err := e.Queue.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Queue.Close)
	return e
}

// Session makes the studio's session over Doc, with the UI queue as its
// UI goroutine, for a room's tests. Build the room over it, then Start
// it; it closes when the test ends. What it reports is logged and kept
// (Reported). Its work runs under the test's context (T.Context), as a
// studio's runs under the studio's.
func (e *Env) Session() *session.Session {
	s := session.New(session.Options{
		Library: e.Library, Doc: e.Doc, Queue: e.Queue, Backends: e.Backends, Backend: e.Backend,
		Do: e.UI.Do, Report: e.report,
	})
	e.T.Cleanup(s.Close)
	return s
}

// Start opens the session's document and has it follow the queue and the
// cast, as the studio does once its rooms are built, until the test ends.
func (e *Env) Start(s *session.Session) {
	ctx := e.T.Context()
	s.Open(ctx, e.Doc)
	s.Watch(ctx)
	s.ReloadCast(ctx)
}

func (e *Env) report(err error) {
	e.T.Logf("reported to the person: %v", err)
	e.mu.Lock()
	defer e.mu.Unlock()
	e.reported = append(e.reported, err)
}

// Reported lists what sessions made by Session have reported.
func (e *Env) Reported() []error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.reported)
}

// Stored reads the project with this ID back from the library, as a
// restart would.
func (e *Env) Stored(id string) *timeline.Project {
	e.T.Helper()
	d, err := e.Library.OpenProject(context.Background(), id)
	if err != nil {
		e.T.Fatal(err)
	}
	return d.Project()
}

// Demo is the example project, "Last Light".
func Demo(t testing.TB) *timeline.Project {
	t.Helper()
	p, err := timeline.Decode("demo.slate", examples.Demo)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// SmallDemo is the demo at 320×180, quick to render.
func SmallDemo(t testing.TB) *timeline.Project {
	p := Demo(t)
	p.Width, p.Height = 320, 180
	return p
}

// ManyShots is a project of n shots of 2 to 6 s, each featuring Ana, a
// crossfade after every seventh.
func ManyShots(n int) *timeline.Project {
	p := timeline.New("Many")
	p.Cast = []timeline.CastRef{{ID: "ana", Name: "Ana"}}
	for i := range n {
		s := timeline.NewShot(fmt.Sprintf("Shot %d", i+1))
		s.Prompt = "a harbour at dusk"
		s.Duration = time.Duration(2+i%5) * time.Second
		s.Cast = []string{"ana"}
		if i%7 == 0 {
			s.Transition = timeline.Transition{Kind: timeline.Crossfade, Duration: 500 * time.Millisecond}
		}
		p.Shots = append(p.Shots, s)
	}
	return p
}

// LongPrompt is a prompt of n bytes, of the words a prompt is made of.
func LongPrompt(n int) string {
	words := strings.Fields("a small fishing harbour at dusk, lighthouse beam sweeping over calm water; warm windows in stone cottages, 35mm film, soft haze")
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(words[i%len(words)])
	}
	return b.String()[:n]
}

// Titles lists the titles of p's shots, in order.
func Titles(p *timeline.Project) []string {
	var out []string
	for _, s := range p.Shots {
		out = append(out, s.Title)
	}
	return out
}

// AddMember stores a cast member named name in lib, with a frontal still
// (a red square) and a preference; the session lists them once it reloads
// the cast.
func AddMember(t testing.TB, lib *library.Library, name string) library.CastMember {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 48, 48))
	for y := range 48 {
		for x := range 48 {
			img.Set(x, y, color.RGBA{200, 40, 40, 255})
		}
	}
	var buf bytes.Buffer
	jpeg.Encode(&buf, img, nil)
	sum, _, err := lib.Blobs().Put(context.Background(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	m := &library.CastMember{Name: name, Handle: library.HandleFor(name), Frontal: sum, Preferences: "always wears a red scarf"}
	if err := lib.AddCastMember(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	return *m
}

// WalkAll visits o and every object under it, widgets' rendered children
// included.
func WalkAll(o fyne.CanvasObject, visit func(fyne.CanvasObject)) {
	visit(o)
	switch x := o.(type) {
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			WalkAll(c, visit)
		}
	case *fyne.Container:
		for _, c := range x.Objects {
			WalkAll(c, visit)
		}
	}
}

// Walk visits o and everything inside it, as rendered, but not inside
// labels and entries, whose text is in the widget itself.
func Walk(o fyne.CanvasObject, visit func(fyne.CanvasObject)) {
	if o == nil {
		return
	}
	visit(o)
	switch o := o.(type) {
	case *fyne.Container:
		for _, c := range o.Objects {
			Walk(c, visit)
		}
	case *widget.Label, *widget.Entry:
		// Their text is in the widget; what they render is that text
		// cut into lines.
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(o).Objects() {
			Walk(c, visit)
		}
	}
}

// Texts is every label's and entry's text in o, one a line.
func Texts(o fyne.CanvasObject) string {
	var b strings.Builder
	Walk(o, func(o fyne.CanvasObject) {
		switch o := o.(type) {
		case *widget.Label:
			b.WriteString(o.Text + "\n")
		case *widget.Entry:
			b.WriteString(o.Text + "\n")
		case *uikit.Field:
			b.WriteString(o.Text + "\n")
		}
	})
	return b.String()
}

// EntryOf is o's entry when o is a text field: a widget.Entry, or the
// entry of a uikit.Field (an entry that takes Esc).
func EntryOf(o fyne.CanvasObject) (*widget.Entry, bool) {
	switch e := o.(type) {
	case *widget.Entry:
		return e, true
	case *uikit.Field:
		return &e.Entry, true
	}
	return nil, false
}

// FindButton finds the (last) button labelled label in o, failing the
// test when there is none.
func FindButton(t testing.TB, o fyne.CanvasObject, label string) *widget.Button {
	t.Helper()
	var found *widget.Button
	WalkAll(o, func(o fyne.CanvasObject) {
		switch b := o.(type) {
		case *widget.Button:
			if b.Text == label {
				found = b
			}
		case *uikit.TipButton: // a button with a tooltip
			if b.Text == label {
				found = &b.Button
			}
		}
	})
	if found == nil {
		t.Fatalf("no %q button in:\n%s", label, Texts(o))
	}
	return found
}

// Dismiss closes the information or problem dialog on top of w.
func Dismiss(t testing.TB, w fyne.Window) {
	t.Helper()
	top := w.Canvas().Overlays().Top()
	for _, label := range []string{"OK", "Close"} {
		var found bool
		WalkAll(top, func(o fyne.CanvasObject) {
			if b, ok := o.(*widget.Button); ok && b.Text == label && !found {
				found = true
				test.Tap(b)
			}
		})
		if found {
			return
		}
	}
	t.Fatalf("nothing to dismiss in:\n%s", Texts(top))
}
