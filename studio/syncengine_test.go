package studio

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/account/accounttest"
	"github.com/slatestudio/slate/account/client"
	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/sharing"
	"github.com/slatestudio/slate/sharing/projectsync"
	"github.com/slatestudio/slate/studio/studiotest"
	"github.com/slatestudio/slate/timeline"
)

// A project made on one device (the laptop: a data folder with its sync
// engine, no window) appears in a second device's studio's Library, saying
// "Synced", through the real sync engine and a real slate-server on
// loopback; Pause sync and Resume sync reach the engine, and Account ▸
// Storage… lists the project from that server.
func TestSecondDeviceGainsProject(t *testing.T) {
	server := accounttest.Start(t)
	const password = "a long enough password"
	ctx := t.Context()

	dirA := t.TempDir()
	libA, err := library.Open(ctx, dirA, library.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { libA.Close() })
	var engA *projectsync.Engine
	svcA := sharing.New(libA, sharing.Options{Store: client.NewFileStore(dirA), Device: "laptop",
		OnChange: func(ctx context.Context, ch account.Change) error { return engA.OnChange(ctx, ch) }})
	engA = projectsync.New(projectsync.Options{Library: libA, Sharing: svcA})
	if _, err := svcA.SignUp(ctx, server, "ana", password); err != nil {
		t.Fatal(err)
	}
	kite := timeline.New("The Kite")
	kite.Shots = append(kite.Shots, timeline.NewShot("Up it goes"), timeline.NewShot("Gone"))
	if _, err := libA.CreateProject(ctx, kite); err != nil {
		t.Fatal(err)
	}
	if err := engA.SyncNow(ctx); err != nil {
		t.Fatalf("the laptop's sync: %v", err)
	}

	var engB *projectsync.Engine
	var svcB *sharing.Service
	h := build(t, studiotest.Options{Projects: []*timeline.Project{smallDemo(t)}}, func(d *Deps) {
		svcB = sharing.New(d.Library, sharing.Options{Store: client.NewFileStore(t.TempDir()), Device: "desktop",
			OnChange: func(ctx context.Context, ch account.Change) error { return engB.OnChange(ctx, ch) }})
		d.Sharing = svcB
	})
	if _, err := svcB.Login(ctx, server, "ana", password); err != nil {
		t.Fatal(err)
	}
	engB = projectsync.New(projectsync.Options{Library: h.lib, Sharing: svcB})
	h.s.SetSync(engB)
	h.ui.drain()
	if _, ok := rowTexts(h)["The Kite"]; ok {
		t.Fatal("The Kite is in the desktop's Library before it synced")
	}
	if err := engB.SyncNow(ctx); err != nil {
		t.Fatalf("the desktop's sync: %v", err)
	}
	h.ui.until(t, "The Kite in the desktop's Library, synced", 20*time.Second, func() bool {
		return strings.Contains(rowTexts(h)["The Kite"], "Synced")
	})
	if !strings.Contains(h.statusLine(), "Sync: all synced") {
		t.Errorf("the desktop's status line does not say all is synced:\n%s", h.statusLine())
	}

	// Pause sync on the status line pauses the engine, which keeps it
	// paused in the library; Resume sync starts it again.
	findButton(t, h.win.Content(), "Pause sync").OnTapped()
	h.ui.until(t, "sync paused", 20*time.Second, func() bool { return strings.Contains(h.statusLine(), "Sync paused") })
	if paused, err := h.lib.SyncPaused(ctx); err != nil || !paused {
		t.Errorf("after Pause sync the library's paused flag is %v (%v), want true", paused, err)
	}
	findButton(t, h.win.Content(), "Resume sync").OnTapped()
	h.ui.until(t, "sync resumed", 20*time.Second, func() bool { return strings.Contains(h.statusLine(), "Sync: all synced") })
	if paused, err := h.lib.SyncPaused(ctx); err != nil || paused {
		t.Errorf("after Resume sync the library's paused flag is %v (%v), want false", paused, err)
	}

	// Account ▸ Storage… asks the same server what the account uses.
	h.menuItem(t, "Storage…").Action()
	var w fyne.Window
	h.ui.until(t, "the storage window", 20*time.Second, func() bool {
		for _, x := range h.env.App.Driver().AllWindows() {
			if x.Title() == "Storage on the account server" {
				w = x
			}
		}
		return w != nil && strings.Contains(texts(w.Content()), "used on the server")
	})
	// Both devices' projects are stored there, as revisions.
	if got := texts(w.Content()); !strings.Contains(got, "The Kite\nproject and its versions\n") {
		t.Errorf("the storage window does not list The Kite's versions:\n%s", got)
	}
}
