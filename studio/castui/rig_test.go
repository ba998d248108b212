package castui

import (
	"image"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"

	"github.com/slatestudio/slate/internal/clock"
	"github.com/slatestudio/slate/internal/clock/clocktest"
	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/studio/session"
	"github.com/slatestudio/slate/studio/storyboard"
	"github.com/slatestudio/slate/studio/studiotest"
	"github.com/slatestudio/slate/timeline"
)

// rig is the cast panel over a session of studiotest's env, beside the
// storyboard's strip (where members are dropped), in a window, given what
// the studio gives it.
type rig struct {
	env   *studiotest.Env
	s     *session.Session
	panel *Panel
	strip *storyboard.Strip
	win   fyne.Window
	ui    *studiotest.UI
	clock *clocktest.Clock
	// closing lists the windows the panel asked the studio to close.
	closing []fyne.Window
	// castShown counts the times it asked for the cast panel.
	castShown int
}

// newRig builds the panel over p (the demo when nil); captureClock, if
// set, paces the capture devices.
func newRig(t *testing.T, p *timeline.Project, captureClock clock.Clock) *rig {
	t.Helper()
	o := studiotest.Options{}
	if p != nil {
		o.Projects = []*timeline.Project{p}
	}
	env := studiotest.New(t, o)
	r := &rig{env: env, s: env.Session(), ui: env.UI, clock: env.Clock}
	r.win = env.App.NewWindow("cast")
	r.strip = storyboard.NewStrip(t.Context(), storyboard.Deps{
		Session: r.s, Window: r.win, Clock: env.Clock, Backends: env.Backends.Names(), DefaultBackend: "animatic",
		Thumbnail: func(int) image.Image { return nil }, RenderSelected: func() {},
	})
	r.panel = NewPanel(t.Context(), Deps{
		Session: r.s, App: env.App, Window: r.win, Library: env.Library, Tools: env.Tools,
		CaptureClock: captureClock, Report: func(err error) { t.Errorf("reported: %v", err) },
		ShotAt:   r.strip.ShotAt,
		ShowCast: func() { r.castShown++ },
		CloseWindow: func(w fyne.Window, closed func()) {
			closed()
			r.closing = append(r.closing, w)
		},
	})
	split := container.NewHSplit(r.panel.View(), r.strip.View())
	split.SetOffset(0.3)
	r.win.SetContent(split)
	r.win.Resize(fyne.NewSize(1440, 900))
	r.win.Show()
	t.Cleanup(func() {
		r.panel.Close()
		r.win.Close()
	})
	env.Start(r.s)
	return r
}

// addMember stores a cast member with a frontal still in the library and
// waits for the panel to list them.
func (r *rig) addMember(t *testing.T, name string) library.CastMember {
	t.Helper()
	m := studiotest.AddMember(t, r.env.Library, name)
	r.s.ReloadCast(t.Context())
	r.ui.Until(t, "the cast panel to list "+name, 10*time.Second, func() bool {
		for _, x := range r.s.Cast() {
			if x.ID == m.ID {
				return true
			}
		}
		return false
	})
	return m
}

// cardPoint is a point on the canvas on the card of shot id, found as the
// cast panel finds the card a member is dropped on.
func (r *rig) cardPoint(t *testing.T, id string) fyne.Position {
	t.Helper()
	at := fyne.CurrentApp().Driver().AbsolutePositionForObject(r.win.Content())
	size := r.win.Content().Size()
	for y := at.Y; y < at.Y+size.Height; y += 10 {
		for x := at.X; x < at.X+size.Width; x += 10 {
			pos := fyne.NewPos(x, y)
			if got, ok := r.strip.ShotAt(pos); ok && got == id {
				if in, ok := r.strip.ShotAt(pos.Add(fyne.NewPos(20, 30))); ok && in == id {
					return pos.Add(fyne.NewPos(20, 30)) // well inside it
				}
			}
		}
	}
	t.Fatalf("no card of shot %s on the canvas", id)
	return fyne.Position{}
}
