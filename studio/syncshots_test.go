package studio

import (
	"context"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/account/accounttest"
	"github.com/slatestudio/slate/account/client"
	"github.com/slatestudio/slate/sharing"
	"github.com/slatestudio/slate/sharing/projectsync"
	"github.com/slatestudio/slate/studio/studiotest"
	"github.com/slatestudio/slate/studio/syncui"
	"github.com/slatestudio/slate/timeline"
)

// TestSyncShots draws the sync views for scripts/screenshots.sh (make
// screenshots) into the folder SLATE_SYNC_SHOTS names: the whole studio
// window (Fyne's software renderer) logged in to a real slate-server on
// loopback, its Library rows in each state with a conflict copy, a clip
// uploading and the status line's progress; the conflict notice; and
// Account ▸ Storage… over a nearly full and a full account. The states
// are given to the studio through its SyncSource, so the shots show
// every one at once, which no single moment of a real sync does.
func TestSyncShots(t *testing.T) {
	dir := os.Getenv("SLATE_SYNC_SHOTS")
	if dir == "" {
		t.Skip("set SLATE_SYNC_SHOTS to a folder to draw the sync views into it (make screenshots)")
	}
	server := accounttest.Start(t)
	projects := []*timeline.Project{studiotest.Demo(t)}
	for _, title := range []string{"The Kite", "The Kite (from laptop, 7 Dec 14:02)", "Harbour at night", "Birthday cut"} {
		p := timeline.New(title)
		p.Shots = append(p.Shots, timeline.NewShot("Opening"), timeline.NewShot("Closing"))
		projects = append(projects, p)
	}
	svc := (*sharing.Service)(nil)
	h := build(t, studiotest.Options{Projects: projects, RealClock: true}, func(d *Deps) {
		svc = sharing.New(d.Library, sharing.Options{Store: client.NewFileStore(t.TempDir()), Device: "desktop"})
		d.Sharing = svc
	})
	if _, err := svc.SignUp(t.Context(), server, "ana", "a long enough password"); err != nil {
		t.Fatal(err)
	}
	h.s.AccountChanged(t.Context())
	h.win.Resize(fyne.NewSize(1600, 1000))
	g := newGivenSync()
	h.s.SetSync(g)

	// A shot rendered, whose clip goes up.
	h.s.session.Select(h.s.Project().Shots[0].ID)
	h.shortcut(keyRender)
	h.ui.until(t, "shot 1's clip", 120*time.Second, func() bool { _, ok := h.s.session.ClipOf(0); return ok })
	clip, _ := h.s.session.ClipOf(0)
	h.s.side.SelectIndex(0)
	// Nothing selected, so the inspector is short; the timeline given
	// room for its cards' last line, where a clip's sync shows.
	h.s.session.Select()
	h.s.splits.timeline.SetOffset(0.3)
	ids := map[string]string{}
	all, err := h.lib.Projects(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range all {
		ids[p.Title] = p.ID
	}
	g.set(func(g *givenSync) {
		g.overall = projectsync.Status{State: projectsync.Uploading, Done: 630_000_000, Total: 1_500_000_000, Pending: 3}
		g.clips[clip.SHA256] = projectsync.Status{State: projectsync.Uploading, Done: 42, Total: 100}
		g.projects = map[string]projectsync.Status{
			h.s.Project().ID: {State: projectsync.Uploading, Done: 42, Total: 100},
			ids["The Kite"]:  {State: projectsync.Conflict, Conflict: "The Kite (from laptop, 7 Dec 14:02)"},
			ids["The Kite (from laptop, 7 Dec 14:02)"]: {State: projectsync.Synced},
			ids["Harbour at night"]:                    {State: projectsync.Waiting},
			ids["Birthday cut"]:                        {State: projectsync.Downloading, Done: 63, Total: 100},
		}
	})
	h.ui.until(t, "the sync states", 10*time.Second, func() bool {
		return strings.Contains(h.statusLine(), "Sync: uploading 42 %") && strings.Contains(rowTexts(h)["Birthday cut"], "Downloading 63 %")
	})
	time.Sleep(500 * time.Millisecond) // the thumbnails
	h.ui.drain()
	save(t, filepath.Join(dir, "sync-library.png"), h.win.Canvas().Capture())
	full := h.win.Canvas().Capture()
	b := full.Bounds()
	save(t, filepath.Join(dir, "sync-status-line.png"), crop(full, image.Rect(b.Max.X/2, b.Max.Y-40, b.Max.X, b.Max.Y)))

	g.set(func(g *givenSync) {
		g.notices = []projectsync.Notice{{Project: ids["The Kite"], Copy: ids["The Kite (from laptop, 7 Dec 14:02)"], Title: "The Kite", From: "laptop"}}
	})
	h.ui.until(t, "the notice", 10*time.Second, func() bool { return h.win.Canvas().Overlays().Top() != nil })
	save(t, filepath.Join(dir, "sync-conflict.png"), h.win.Canvas().Capture())

	for name, used := range map[string]int64{"storage.png": 7_400_000_000, "storage-full.png": 10_000_000_000} {
		w := syncui.ShowStorage(t.Context(), syncui.StorageDeps{App: h.env.App, Runner: h.s.session, CloseWindow: h.s.closeWindow,
			Storage: func(context.Context) (account.Storage, error) {
				return account.Storage{Quota: 10_000_000_000, Used: used, Items: []account.StorageItem{
					{Kind: account.BlobFilm, Project: ids["The Kite"], Title: "The Kite", Size: used - 2_900_000_000},
					{Kind: account.BlobClip, Project: ids["The Kite"], Title: "The Kite", Size: 1_200_000_000},
					{Kind: account.BlobClip, Project: ids["Birthday cut"], Title: "Birthday cut", Size: 950_000_000},
					{Kind: account.BlobClip, Project: "gone", Size: 700_000_000},
					{Kind: "project", Project: ids["The Kite"], Title: "The Kite", Size: 50_000_000},
				}}, nil
			}})
		h.ui.until(t, "the storage window", 10*time.Second, func() bool {
			return strings.Contains(texts(w.Window().Content()), "used on the server")
		})
		save(t, filepath.Join(dir, name), w.Window().Canvas().Capture())
		w.Window().Close()
	}
}

func crop(img image.Image, r image.Rectangle) image.Image {
	out := image.NewRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	for y := 0; y < r.Dy(); y++ {
		for x := 0; x < r.Dx(); x++ {
			out.Set(x, y, img.At(r.Min.X+x, r.Min.Y+y))
		}
	}
	return out
}

func save(t *testing.T, path string, img image.Image) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	t.Logf("drew %s", path)
}
