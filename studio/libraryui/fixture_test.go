package libraryui

import (
	"context"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/studio/session"
	"github.com/slatestudio/slate/studio/studiotest"
	"github.com/slatestudio/slate/studio/uikit"
	"github.com/slatestudio/slate/timeline"
)

// fixture is the library room over a session of studiotest's env, in a
// window, given what the studio gives it: the Library and Render queue
// tabs side by side, the cards' thumbnails, and the film export. It runs
// on the computer's clock (what was just made is "just now"), with
// fyne.Do queued onto the test's UI goroutine too.
type fixture struct {
	t      *testing.T
	env    *studiotest.Env
	s      *session.Session
	d      Deps
	panel  *Panel
	jobs   *QueuePanel
	thumbs *Thumbnails
	win    fyne.Window
	ui     *studiotest.UI
	app    fyne.App
	lib    *library.Library
	queue  *render.Queue
	// renderAll counts the times the queue asked the studio to render
	// every shot.
	renderAll int
}

// newFixture stores projects in a new library and opens the first. With
// no projects it stores one starter project.
func newFixture(t *testing.T, tools media.Tools, projects ...*timeline.Project) *fixture {
	t.Helper()
	return newFixtureOn(t, studiotest.Options{Projects: projects, Tools: &tools})
}

// newFixtureConsent is newFixture with c asked for consent by the queue
// and the export.
func newFixtureConsent(t *testing.T, tools media.Tools, c render.Consent, projects ...*timeline.Project) *fixture {
	t.Helper()
	return newFixtureOn(t, studiotest.Options{Projects: projects, Tools: &tools, Consent: c})
}

// newFixtureOn builds the room over the env o describes (o.Change may
// register another backend, o.Backend make it the default).
func newFixtureOn(t *testing.T, o studiotest.Options) *fixture {
	t.Helper()
	if len(o.Projects) == 0 {
		o.Projects = []*timeline.Project{starterProject("First film")}
	}
	o.RealClock, o.QueueFyneDo = true, true
	env := studiotest.New(t, o)
	f := &fixture{t: t, env: env, s: env.Session(), ui: env.UI, app: env.App, lib: env.Library, queue: env.Queue}
	f.win = env.App.NewWindow("studio")
	f.d = Deps{
		Session: f.s, App: env.App, Window: f.win, Library: env.Library, Queue: env.Queue,
		Backends: env.Backends, Backend: o.Backend, Tools: env.Tools, Consent: o.Consent,
		Report: func(err error) { dialog.ShowError(err, f.win) },
		// What the studio's problem dialog says: the title and the message.
		Problem: func(title, message string) dialog.Dialog {
			d := dialog.NewCustom(title, "Close", &widget.Label{Text: message, Wrapping: fyne.TextWrapWord}, f.win)
			d.Show()
			return d
		},
		RenderAll: func(context.Context) { f.renderAll++ },
	}
	f.thumbs = NewThumbnails(f.d)
	f.jobs = NewQueuePanel(t.Context(), f.d)
	f.panel = NewPanel(t.Context(), f.d)
	split := container.NewHSplit(f.panel.View(), f.jobs.View())
	f.win.SetContent(split)
	f.win.Resize(fyne.NewSize(1440, 900))
	f.win.Show()
	t.Cleanup(f.win.Close)
	env.Start(f.s)
	f.idle()
	return f
}

// until runs the UI goroutine's work until cond holds, failing the test
// after timeout.
func (f *fixture) until(what string, timeout time.Duration, cond func() bool) {
	f.t.Helper()
	f.ui.Until(f.t, what, timeout, cond)
}

// idle waits until the library panel has no work out.
func (f *fixture) idle() {
	f.t.Helper()
	l := f.panel
	f.until("the library panel to settle", 30*time.Second, func() bool { return l.busy == 0 && !l.loading })
}

// titles lists the projects the panel shows, in order.
func (f *fixture) titles() []string {
	var out []string
	for _, p := range f.panel.projects {
		out = append(out, p.Title)
	}
	return out
}

// stored lists the projects in the library, most recent first.
func (f *fixture) stored() []library.ProjectInfo {
	f.t.Helper()
	ps, err := f.lib.Projects(f.t.Context())
	if err != nil {
		f.t.Fatal(err)
	}
	return ps
}

// selectProject picks the project with this title in the list, as a tap
// on its row does.
func (f *fixture) selectProject(title string) {
	f.t.Helper()
	for i, p := range f.panel.projects {
		if p.Title == title {
			f.panel.projectList.Select(i)
			return
		}
	}
	f.t.Fatalf("no project %q in the list %q", title, f.titles())
}

// topDialog is what the window shows on top, or nil.
func (f *fixture) topDialog() fyne.CanvasObject {
	return f.win.Canvas().Overlays().Top()
}

// button finds the visible button labelled text in o.
func (f *fixture) button(o fyne.CanvasObject, text string) *widget.Button {
	f.t.Helper()
	var found *widget.Button
	studiotest.Walk(o, func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == text && b.Visible() {
			found = b
		}
	})
	if found == nil {
		f.t.Fatalf("no %q button in:\n%s", text, studiotest.Texts(o))
	}
	return found
}

// entry finds the first entry in o.
func (f *fixture) entry(o fyne.CanvasObject) *widget.Entry {
	f.t.Helper()
	var found *widget.Entry
	studiotest.Walk(o, func(o fyne.CanvasObject) {
		switch e := o.(type) {
		case *widget.Entry:
			if found == nil {
				found = e
			}
		case *uikit.Field: // an entry that takes Esc
			if found == nil {
				found = &e.Entry
			}
		}
	})
	if found == nil {
		f.t.Fatalf("no entry in:\n%s", studiotest.Texts(o))
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

// needTools returns the real programs, skipping the test without them
// (failing with SLATE_REQUIRE_DEPS=1).
func needTools(t testing.TB) media.Tools { return studiotest.Tools(t) }

// texts is every label's and entry's text in o.
func texts(o fyne.CanvasObject) string { return studiotest.Texts(o) }

// walkAll visits every object under o, widgets' rendered children included.
func walkAll(o fyne.CanvasObject, visit func(fyne.CanvasObject)) { studiotest.WalkAll(o, visit) }
