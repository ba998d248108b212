package studio

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/slatestudio/slate/internal/clock/clocktest"
	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/studio/studiotest"
	"github.com/slatestudio/slate/timeline"
)

// The studio's tests build the whole window over studiotest's env (a real
// library, render queue, animatic backend and programs, on a headless
// test app), as cmd/slate builds it; the rooms' tests build their room
// alone over the same env.

// uiQueue is the env's UI goroutine, by the names these tests use.
type uiQueue struct{ *studiotest.UI }

// until runs queued UI updates until cond holds, failing after timeout.
func (u uiQueue) until(t testing.TB, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	u.Until(t, what, timeout, cond)
}

// drain runs the UI updates already queued.
func (u uiQueue) drain() { u.Drain() }

type harness struct {
	env   *studiotest.Env
	s     *Studio
	ui    uiQueue
	clock *clocktest.Clock
	lib   *library.Library
	queue *render.Queue
	win   fyne.Window
}

// build is the one way these tests make a studio: over the env o
// describes, with a chance to change its Deps before it is built.
func build(t testing.TB, o studiotest.Options, change func(*Deps)) *harness {
	t.Helper()
	env := studiotest.New(t, o)
	d := Deps{Library: env.Library, Doc: env.Doc, Queue: env.Queue, Backends: env.Backends, Tools: env.Tools, Do: env.UI.Do}
	if env.Clock != nil {
		d.Clock = env.Clock
	}
	if change != nil {
		change(&d)
	}
	h := &harness{env: env, ui: uiQueue{env.UI}, clock: env.Clock, lib: env.Library, queue: env.Queue}
	h.s = New(t.Context(), env.App, d)
	h.win = h.s.Window()
	h.win.Resize(fyne.NewSize(1440, 900))
	h.win.Show()
	t.Cleanup(h.win.Close)
	return h
}

// newHarness builds the studio over p (the demo when nil), with the test
// clock.
func newHarness(t testing.TB, p *timeline.Project) *harness {
	return newHarnessWith(t, p, nil)
}

// newHarnessWith is newHarness with a chance to change the studio's Deps.
func newHarnessWith(t testing.TB, p *timeline.Project, change func(*Deps)) *harness {
	t.Helper()
	return newHarnessOn(t, nil, p, change)
}

// newHarnessOn is newHarnessWith on the app a (a new test app when nil).
func newHarnessOn(t testing.TB, a fyne.App, p *timeline.Project, change func(*Deps)) *harness {
	t.Helper()
	o := studiotest.Options{App: a}
	if p != nil {
		o.Projects = []*timeline.Project{p}
	}
	return build(t, o, change)
}

// smallDemo is the demo at 320×180, quick to render.
func smallDemo(t testing.TB) *timeline.Project { return studiotest.SmallDemo(t) }

func titles(p *timeline.Project) []string { return studiotest.Titles(p) }

// walkAll visits every object under o, widgets' rendered children included.
func walkAll(o fyne.CanvasObject, visit func(fyne.CanvasObject)) { studiotest.WalkAll(o, visit) }

// texts is every label's and entry's text in o.
func texts(o fyne.CanvasObject) string { return studiotest.Texts(o) }

// findButton finds the button labelled label in o.
func findButton(t *testing.T, o fyne.CanvasObject, label string) *widget.Button {
	t.Helper()
	return studiotest.FindButton(t, o, label)
}

// menuItem finds a main-menu item by its label's start.
func (h *harness) menuItem(t *testing.T, label string) *fyne.MenuItem {
	t.Helper()
	for _, m := range h.win.MainMenu().Items {
		for _, it := range m.Items {
			if strings.HasPrefix(it.Label, label) {
				return it
			}
		}
	}
	t.Fatalf("no menu item %q", label)
	return nil
}

// shortcut sends a keyboard shortcut to the window.
func (h *harness) shortcut(s fyne.Shortcut) {
	h.win.Canvas().(fyne.Shortcutable).TypedShortcut(s)
}

// typeKey sends a bare key to the window, with no text field focused.
func (h *harness) typeKey(name fyne.KeyName) {
	h.win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: name})
}

// stored reads the project back from the library, as a restart would.
func (h *harness) stored(t *testing.T) *timeline.Project {
	t.Helper()
	return h.env.Stored(h.s.Project().ID)
}
