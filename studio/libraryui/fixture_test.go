package libraryui

import (
	"context"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/slatestudio/slate/consent"
	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/studio/studiotest"
	"github.com/slatestudio/slate/timeline"
)

// fixture is the harness as the library panel's and the export's tests
// use it: the computer's clock (what was just made is "just now"), and
// fyne.Do queued onto the test's UI goroutine too (the export calls it
// itself).
type fixture struct {
	*harness
	t   *testing.T
	app fyne.App
}

// newFixture stores projects in a new library and opens the studio on the
// first. With no projects it stores one starter project.
func newFixture(t *testing.T, tools media.Tools, projects ...*timeline.Project) *fixture {
	t.Helper()
	return newFixtureWith(t, tools, nil, nil, projects...)
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
	if len(projects) == 0 {
		projects = []*timeline.Project{starterProject("First film")}
	}
	h := build(t, studiotest.Options{Projects: projects, Tools: &tools, Consent: c, RealClock: true, QueueFyneDo: true}, change)
	f := &fixture{harness: h, t: t, app: h.env.App}
	f.idle()
	return f
}

// consentOnly is the studio's Sharing in a test that fakes consent with c:
// nobody is logged in, and the rest of the account server is not there
// (its methods are those of the nil Sharing inside, which panic).
type consentOnly struct {
	Sharing
	c render.Consent
}

func (o consentOnly) Permit(ctx context.Context, need render.Need) ([]consent.SignedGrant, error) {
	return o.c.Permit(ctx, need)
}

func (o consentOnly) Made(ctx context.Context, grants []consent.SignedGrant, made render.Made) error {
	return o.c.Made(ctx, grants, made)
}

func (consentOnly) Account() (library.Account, bool) { return library.Account{}, false }

// until runs the UI goroutine's work until cond holds, failing the test
// after timeout.
func (f *fixture) until(what string, timeout time.Duration, cond func() bool) {
	f.t.Helper()
	f.ui.until(f.t, what, timeout, cond)
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
