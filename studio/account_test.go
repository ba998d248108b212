package studio

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/slatestudio/slate/account/accounttest"
	"github.com/slatestudio/slate/account/client"
	"github.com/slatestudio/slate/sharing"
	"github.com/slatestudio/slate/studio/studiotest"
)

// The account views are accountui's, and tested there; these tests are of
// the shell's part: the Account menu, the window's title and the status
// line follow who is logged in.

func TestAccountMenuWithoutServer(t *testing.T) {
	h := newHarness(t, smallDemo(t))
	h.menuItem(t, "Consent and sharing…").Action()
	if got := texts(h.win.Canvas().Overlays().Top()); !strings.Contains(got, "without a connection to an account server") {
		t.Errorf("without a server the dashboard item shows:\n%s", got)
	}
	if w := dashboardWindow(h); w != nil {
		t.Error("the dashboard opened without a server")
	}
}

// dashboardWindow is the consent dashboard's window, or nil.
func dashboardWindow(h *harness) fyne.Window {
	for _, w := range h.env.App.Driver().AllWindows() {
		if w.Title() == "Consent and sharing — Slate" {
			return w
		}
	}
	return nil
}

// Signing up from the Account menu logs in: the title names the account,
// the status line says so, Log in… and Sign up… give way to Log out; Log
// out brings them back. The shortcut opens the consent dashboard.
func TestAccountMenuFollowsLogIn(t *testing.T) {
	server := accounttest.Start(t)
	h := newHarnessWith(t, smallDemo(t), func(d *Deps) {
		d.Sharing = sharing.New(d.Library, sharing.Options{Store: client.NewFileStore(t.TempDir()), Device: "studio under test"})
	})
	status := func() string { return texts(h.win.Content()) }
	if !strings.Contains(status(), "Not logged in to an account server") {
		t.Errorf("the status line does not say nobody is logged in:\n%s", status())
	}
	if h.menuItem(t, "Log in…").Disabled || h.menuItem(t, "Sign up…").Disabled || !h.menuItem(t, "Log out").Disabled {
		t.Error("logged out, Log in… or Sign up… is disabled, or Log out enabled")
	}

	h.menuItem(t, "Sign up…").Action()
	dlg := h.win.Canvas().Overlays().Top()
	if dlg == nil || !strings.Contains(texts(dlg), "Create an account on the server") {
		t.Fatal("Sign up… opened no sign-up dialog")
	}
	var entries []*widget.Entry
	walkAll(dlg, func(o fyne.CanvasObject) {
		if e, ok := studiotest.EntryOf(o); ok {
			entries = append(entries, e)
		}
	})
	if len(entries) != 3 {
		t.Fatalf("the sign-up dialog has %d fields, want server, username and password", len(entries))
	}
	entries[0].SetText("")
	for i, v := range []string{server, "ana", "correct horse battery"} {
		test.Type(entries[i], v)
	}
	test.Tap(findButton(t, dlg, "Sign up"))
	h.ui.until(t, "the sign-up", 30*time.Second, func() bool { return strings.HasSuffix(h.win.Title(), "— Slate — ana") })
	if !strings.Contains(status(), "Logged in as ana on "+server) {
		t.Errorf("the status line after signing up says:\n%s", status())
	}
	if !h.menuItem(t, "Log in…").Disabled || !h.menuItem(t, "Sign up…").Disabled || h.menuItem(t, "Log out").Disabled {
		t.Error("logged in, Log in… or Sign up… is enabled, or Log out disabled")
	}

	h.shortcut(keyConsent)
	h.ui.drain()
	if dashboardWindow(h) == nil {
		t.Error("the shortcut did not open the consent dashboard")
	}

	h.menuItem(t, "Log out").Action()
	h.ui.until(t, "the log-out", 30*time.Second, func() bool { return !strings.Contains(h.win.Title(), "ana") })
	if h.menuItem(t, "Log in…").Disabled || !h.menuItem(t, "Log out").Disabled {
		t.Error("after Log out, Log in… is disabled or Log out enabled")
	}
	if !strings.Contains(status(), "Not logged in to an account server") {
		t.Errorf("the status line after Log out says:\n%s", status())
	}
}
