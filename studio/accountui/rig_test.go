package accountui

import (
	"context"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/slatestudio/slate/account/client"
	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/sharing"
	"github.com/slatestudio/slate/studio/session"
	"github.com/slatestudio/slate/studio/studiotest"
	"github.com/slatestudio/slate/timeline"
)

// rig is the account views over a session of studiotest's env, with the
// account server's glue (not logged in), in a window, given what the
// studio gives them. What the studio does when told that who is logged
// in changed (the title and the Account menu) is the studio's test's; the
// rig only puts the room's Title in its window's title, as the studio
// does, so that tests can read it.
type rig struct {
	env   *studiotest.Env
	s     *session.Session
	a     *Account
	svc   *sharing.Service
	win   fyne.Window
	ui    *studiotest.UI
	lib   *library.Library
	queue *render.Queue
	// changed counts the times the room told the studio who is logged in
	// may have changed.
	changed int
}

// newRig builds the account views over the demo at 320×180.
func newRig(t *testing.T) *rig {
	t.Helper()
	env := studiotest.New(t, studiotest.Options{Projects: []*timeline.Project{studiotest.SmallDemo(t)}})
	r := &rig{env: env, s: env.Session(), ui: env.UI, lib: env.Library, queue: env.Queue}
	r.svc = sharing.New(env.Library, sharing.Options{Store: client.NewFileStore(t.TempDir()), Device: "studio under test"})
	r.win = env.App.NewWindow("studio")
	r.a = New(Deps{
		Session: r.s, Sharing: r.svc, Library: env.Library, App: env.App, Window: r.win, Clock: env.Clock,
		Problem: func(title, message string) dialog.Dialog {
			d := dialog.NewCustom(title, "Close", widget.NewLabel(message), r.win)
			d.Show()
			return d
		},
		CloseWindow: func(w fyne.Window, closed func()) {
			closed()
			w.Close()
		},
		Changed: func() {
			r.changed++
			r.win.SetTitle(r.s.Project().Title + " — Slate" + r.a.Title())
		},
	})
	r.win.SetContent(r.a.StatusLine())
	r.win.Resize(fyne.NewSize(1440, 900))
	r.win.Show()
	t.Cleanup(func() {
		r.a.Close()
		r.win.Close()
	})
	env.Start(r.s)
	return r
}

// logIn signs the rig's studio up as username.
func (h *rig) logIn(t *testing.T, server, username string) {
	t.Helper()
	if _, err := h.svc.SignUp(context.Background(), server, username, testPassword); err != nil {
		t.Fatal(err)
	}
	h.a.AccountChanged(t.Context())
	h.ui.Drain()
}

// addMember stores a cast member with a frontal still in the library and
// waits for the session to list them.
func (h *rig) addMember(t *testing.T, name string) library.CastMember {
	t.Helper()
	m := studiotest.AddMember(t, h.lib, name)
	h.s.ReloadCast(t.Context())
	h.ui.Until(t, "the studio to list "+name, 10*time.Second, func() bool {
		for _, x := range h.s.Cast() {
			if x.ID == m.ID {
				return true
			}
		}
		return false
	})
	return m
}

// openDashboard opens the consent dashboard and waits for it to load.
func (h *rig) openDashboard(t *testing.T) *dashboard {
	t.Helper()
	d := h.a.showDashboard(t.Context())
	if d == nil {
		t.Fatal("the consent dashboard did not open")
	}
	d.settle(t, h)
	return d
}

// settle waits until the dashboard has loaded and has no call out.
func (d *dashboard) settle(t *testing.T, h *rig) {
	t.Helper()
	h.ui.Until(t, "the dashboard to settle", 30*time.Second, func() bool { return d.loads > 0 && d.busy == 0 })
}

func smallDemo(t testing.TB) *timeline.Project { return studiotest.SmallDemo(t) }

func texts(o fyne.CanvasObject) string { return studiotest.Texts(o) }

func walkAll(o fyne.CanvasObject, visit func(fyne.CanvasObject)) { studiotest.WalkAll(o, visit) }

func findButton(t *testing.T, o fyne.CanvasObject, label string) *widget.Button {
	t.Helper()
	return studiotest.FindButton(t, o, label)
}
