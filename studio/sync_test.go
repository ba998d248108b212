package studio

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"

	"github.com/slatestudio/slate/account/client"
	"github.com/slatestudio/slate/sharing"
	"github.com/slatestudio/slate/sharing/projectsync"
	"github.com/slatestudio/slate/studio/studiotest"
	"github.com/slatestudio/slate/timeline"
)

// givenSync is a SyncSource that says what the test gives it: the
// studio's own seam to the sync engine, kept as small as the interface.
type givenSync struct {
	mu       sync.Mutex
	overall  projectsync.Status
	projects map[string]projectsync.Status
	clips    map[string]projectsync.Status // by sha256
	notices  []projectsync.Notice
	calls    []string // "pause", "resume"
	changed  chan struct{}
}

func newGivenSync() *givenSync {
	return &givenSync{projects: map[string]projectsync.Status{}, clips: map[string]projectsync.Status{}, changed: make(chan struct{}, 1)}
}

// set changes what the source says, and ticks Changed.
func (g *givenSync) set(f func(g *givenSync)) {
	g.mu.Lock()
	f(g)
	g.mu.Unlock()
	select {
	case g.changed <- struct{}{}:
	default:
	}
}

func (g *givenSync) Status(context.Context) (projectsync.Status, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.overall, nil
}

func (g *givenSync) Projects(context.Context) (map[string]projectsync.Status, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := map[string]projectsync.Status{}
	for k, v := range g.projects {
		out[k] = v
	}
	return out, nil
}

func (g *givenSync) Clip(_ context.Context, sum string) projectsync.Status {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.clips[sum]
}

func (g *givenSync) Pause(context.Context) error {
	g.set(func(g *givenSync) {
		g.calls = append(g.calls, "pause")
		g.overall = projectsync.Status{State: projectsync.Paused}
	})
	return nil
}

func (g *givenSync) Resume(context.Context) error {
	g.set(func(g *givenSync) {
		g.calls = append(g.calls, "resume")
		g.overall = projectsync.Status{State: projectsync.Synced}
	})
	return nil
}

func (g *givenSync) Changed() <-chan struct{} { return g.changed }

func (g *givenSync) Notices() []projectsync.Notice {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := g.notices
	g.notices = nil
	return n
}

func (g *givenSync) pauses() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.calls...)
}

// syncHarness is the studio over two projects, the small demo open and
// "The Kite", with the account server's glue (no one logged in) and a
// givenSync handed to SetSync.
func syncHarness(t *testing.T) (*harness, *givenSync, string) {
	t.Helper()
	kite := timeline.New("The Kite")
	kite.Shots = append(kite.Shots, timeline.NewShot("Up it goes"))
	o := studiotest.Options{Projects: []*timeline.Project{smallDemo(t), kite}}
	h := build(t, o, func(d *Deps) {
		d.Sharing = sharing.New(d.Library, sharing.Options{Store: client.NewFileStore(t.TempDir()), Device: "studio under test"})
	})
	g := newGivenSync()
	h.s.SetSync(g)
	return h, g, kite.ID
}

// rowTexts is what each project's row in the Library says, by its title.
func rowTexts(h *harness) map[string]string {
	out := map[string]string{}
	walkAll(h.s.library.View(), func(o fyne.CanvasObject) {
		if fmt.Sprintf("%T", o) != "*libraryui.projectRow" || !o.Visible() {
			return
		}
		lines := strings.Split(strings.TrimSpace(texts(o)), "\n")
		out[lines[0]] = strings.Join(lines, " | ")
	})
	return out
}

// cardTexts is what each card on the timeline says, by its shot number.
func cardTexts(h *harness) map[string]string {
	out := map[string]string{}
	walkAll(h.s.timeline.View(), func(o fyne.CanvasObject) {
		if fmt.Sprintf("%T", o) != "*storyboard.card" || !o.Visible() {
			return
		}
		var parts []string
		walkAll(o, func(o fyne.CanvasObject) {
			if tx, ok := o.(*canvas.Text); ok && tx.Text != "" {
				parts = append(parts, tx.Text)
			}
		})
		if len(parts) > 0 {
			out[parts[0]] = strings.Join(parts, " | ")
		}
	})
	return out
}

// statusLine is what the line under the window says.
func (h *harness) statusLine() string { return texts(h.win.Content()) }

// Each project's row in the Library says where it stands, in a
// filmmaker's words, and only its own; nothing while sync is off.
func TestLibraryRowsShowSync(t *testing.T) {
	h, g, kite := syncHarness(t)
	demo := h.s.Project().ID
	cases := []struct {
		demo, kite projectsync.Status
		want       [2]string
	}{
		{projectsync.Status{State: projectsync.Synced}, projectsync.Status{State: projectsync.Uploading, Done: 42, Total: 100}, [2]string{"Synced", "Uploading 42 %"}},
		{projectsync.Status{State: projectsync.Waiting}, projectsync.Status{State: projectsync.Conflict, Conflict: "The Kite (from laptop, 7 Dec 14:02)"}, [2]string{"Waiting for network", "Conflict copy made"}},
		{projectsync.Status{State: projectsync.Paused}, projectsync.Status{State: projectsync.Downloading, Done: 1, Total: 4}, [2]string{"Paused", "Downloading 25 %"}},
	}
	all := []string{"Synced", "Uploading", "Waiting for network", "Conflict copy made", "Paused", "Downloading"}
	for _, c := range cases {
		g.set(func(g *givenSync) { g.projects = map[string]projectsync.Status{demo: c.demo, kite: c.kite} })
		var rows map[string]string
		h.ui.until(t, "the rows to say "+c.want[0]+" and "+c.want[1], 10*time.Second, func() bool {
			rows = rowTexts(h)
			return strings.Contains(rows["Demo — The Kite at dawn"]+rows[smallDemo(t).Title], c.want[0]) && strings.Contains(rows["The Kite"], c.want[1])
		})
		for _, w := range all {
			if w != c.want[1] && !strings.HasPrefix(c.want[1], w) && strings.Contains(rows["The Kite"], w) {
				t.Errorf("The Kite's row says %q, want only %q", rows["The Kite"], c.want[1])
			}
		}
	}
	g.set(func(g *givenSync) {
		g.projects = map[string]projectsync.Status{demo: {State: projectsync.Off}, kite: {State: projectsync.Off}}
	})
	h.ui.until(t, "the rows to say nothing of sync", 10*time.Second, func() bool {
		rows := rowTexts(h)
		for _, r := range rows {
			for _, w := range all {
				if strings.Contains(r, w) {
					return false
				}
			}
		}
		return len(rows) == 2
	})
}

// A rendered clip's card says how its clip syncs, quietly, after
// "rendered"; the status line says how the whole studio does, with a
// progress bar while files go up.
func TestCardAndStatusLineShowSync(t *testing.T) {
	h, g, _ := syncHarness(t)
	pier := h.s.Project().Index("pier")
	h.s.session.Select("pier")
	h.shortcut(keyRender)
	h.ui.until(t, "shot 3's clip", 60*time.Second, func() bool { _, ok := h.s.session.ClipOf(pier); return ok })
	clip, _ := h.s.session.ClipOf(pier)
	number := fmt.Sprint(pier + 1)
	for _, c := range []struct {
		clip, overall projectsync.Status
		card, line    string
	}{
		{projectsync.Status{State: projectsync.Uploading, Done: 42, Total: 100}, projectsync.Status{State: projectsync.Uploading, Done: 42, Total: 100, Pending: 3}, "rendered · uploading 42 %", "Sync: uploading 42 % · 3 changes to go"},
		{projectsync.Status{State: projectsync.Waiting}, projectsync.Status{State: projectsync.Waiting, Pending: 1}, "rendered · waiting", "Sync: waiting for network · 1 change to go"},
		{projectsync.Status{State: projectsync.Synced}, projectsync.Status{State: projectsync.Synced}, "rendered · synced", "Sync: all synced"},
	} {
		g.set(func(g *givenSync) { g.clips[clip.SHA256], g.overall = c.clip, c.overall })
		h.ui.until(t, "card "+number+" to say "+c.card+" and the status line "+c.line, 10*time.Second, func() bool {
			return strings.Contains(cardTexts(h)[number], c.card) && strings.Contains(h.statusLine(), c.line)
		})
		if moving := c.overall.State == projectsync.Uploading; moving != progressShown(h) {
			t.Errorf("with %s the progress bar shows: %v, want %v", c.line, !moving, moving)
		}
		for n, text := range cardTexts(h) {
			if n != number && strings.Contains(text, "rendered ·") {
				t.Errorf("card %s says %q: only shot %s's clip was given a status", n, text, number)
			}
		}
	}
}

// progressShown reports whether the status line's progress bar shows:
// it and every container it is in are visible.
func progressShown(h *harness) bool {
	var shown func(o fyne.CanvasObject) bool
	shown = func(o fyne.CanvasObject) bool {
		if !o.Visible() {
			return false
		}
		if fmt.Sprintf("%T", o) == "*widget.ProgressBar" {
			return true
		}
		if c, ok := o.(*fyne.Container); ok {
			for _, x := range c.Objects {
				if shown(x) {
					return true
				}
			}
		}
		return false
	}
	return shown(h.s.sync.bar.View())
}

// Pause sync on the status line and Account ▸ Pause sync reach the
// engine, and each then offers to resume.
func TestPauseAndResumeSync(t *testing.T) {
	h, g, _ := syncHarness(t)
	g.set(func(g *givenSync) { g.overall = projectsync.Status{State: projectsync.Synced} })
	h.ui.until(t, "the status line to say synced", 10*time.Second, func() bool { return strings.Contains(h.statusLine(), "Sync: all synced") })
	if h.menuItem(t, "Pause sync").Disabled {
		t.Error("Account ▸ Pause sync is disabled while sync runs")
	}
	findButton(t, h.win.Content(), "Pause sync").OnTapped()
	h.ui.until(t, "sync paused", 10*time.Second, func() bool { return strings.Contains(h.statusLine(), "Sync paused") })
	findButton(t, h.win.Content(), "Resume sync")
	h.menuItem(t, "Resume sync").Action()
	h.ui.until(t, "sync resumed", 10*time.Second, func() bool { return strings.Contains(h.statusLine(), "Sync: all synced") })
	h.menuItem(t, "Pause sync").Action()
	h.ui.until(t, "sync paused again", 10*time.Second, func() bool { return strings.Contains(h.statusLine(), "Sync paused") })
	findButton(t, h.win.Content(), "Resume sync").OnTapped()
	h.ui.until(t, "sync resumed again", 10*time.Second, func() bool { return len(g.pauses()) == 4 })
	if got, want := strings.Join(g.pauses(), " "), "pause resume pause resume"; got != want {
		t.Errorf("the engine was told %q, want %q", got, want)
	}
}

// Without a sync source (no one logged in, or the studio offline) the
// status line says nothing of sync and Account ▸ Pause sync is disabled.
func TestNoSyncSaysNothing(t *testing.T) {
	h := newHarnessWith(t, smallDemo(t), func(d *Deps) {
		d.Sharing = sharing.New(d.Library, sharing.Options{Store: client.NewFileStore(t.TempDir()), Device: "studio under test"})
	})
	h.ui.drain()
	if strings.Contains(h.statusLine(), "Sync") {
		t.Errorf("without sync the status line says:\n%s", h.statusLine())
	}
	if !h.menuItem(t, "Pause sync").Disabled {
		t.Error("Account ▸ Pause sync is enabled without sync")
	}
}

// A conflict copy made is told in plain words, naming the project, the
// other device and the copy's title as the Library shows it.
func TestConflictCopyNotice(t *testing.T) {
	h, g, kite := syncHarness(t)
	copyDoc, err := h.lib.CreateProject(t.Context(), timeline.New("The Kite (from laptop, 7 Dec 14:02)"))
	if err != nil {
		t.Fatal(err)
	}
	g.set(func(g *givenSync) {
		g.notices = []projectsync.Notice{{Project: kite, Copy: copyDoc.Project().ID, Title: "The Kite", From: "laptop"}}
	})
	h.ui.until(t, "the notice", 10*time.Second, func() bool { return h.win.Canvas().Overlays().Top() != nil })
	got := texts(h.win.Canvas().Overlays().Top())
	for _, want := range []string{"A conflict copy was made", "Both this computer and laptop changed “The Kite” while apart", "laptop's version is in “The Kite (from laptop, 7 Dec 14:02)”"} {
		if !strings.Contains(got, want) {
			t.Errorf("the notice does not say %q:\n%s", want, got)
		}
	}
	// Told once: the next change brings no second notice.
	studiotest.Dismiss(t, h.win)
	g.set(func(g *givenSync) { g.overall = projectsync.Status{State: projectsync.Synced} })
	h.ui.until(t, "the next status", 10*time.Second, func() bool { return strings.Contains(h.statusLine(), "all synced") })
	if top := h.win.Canvas().Overlays().Top(); top != nil {
		t.Errorf("a second notice after the next change:\n%s", texts(top))
	}
}

// Account ▸ Storage… opens the storage window; no one logged in, it says
// to log in.
func TestStorageMenuItem(t *testing.T) {
	h, _, _ := syncHarness(t)
	h.menuItem(t, "Storage…").Action()
	var w fyne.Window
	h.ui.until(t, "the storage window to say to log in", 10*time.Second, func() bool {
		for _, x := range h.env.App.Driver().AllWindows() {
			if x.Title() == "Storage on the account server" {
				w = x
			}
		}
		return w != nil && strings.Contains(texts(w.Content()), "Log in to an account server")
	})
	findButton(t, w.Content(), "Close").OnTapped()
}

// A project that sync brings from another device (put in the library
// behind the studio's back, as the engine does) appears in the Library
// with its words once the engine tells of it.
func TestLibraryGainsProjectFromSync(t *testing.T) {
	h, g, _ := syncHarness(t)
	demo := h.s.Project().ID
	g.set(func(g *givenSync) { g.projects[demo] = projectsync.Status{State: projectsync.Synced} })
	h.ui.until(t, "the two projects listed", 10*time.Second, func() bool {
		return len(rowTexts(h)) == 2 && strings.Contains(rowTexts(h)[h.s.Project().Title], "Synced")
	})
	time.Sleep(200 * time.Millisecond) // the list read again, if it was
	h.ui.drain()
	p := timeline.New("Made on the laptop")
	p.Shots = append(p.Shots, timeline.NewShot("First light"))
	doc, err := h.lib.CreateProject(t.Context(), p)
	if err != nil {
		t.Fatal(err)
	}
	g.set(func(g *givenSync) { g.projects[doc.Project().ID] = projectsync.Status{State: projectsync.Synced} })
	h.ui.until(t, "the laptop's project in the Library", 10*time.Second, func() bool {
		return strings.Contains(rowTexts(h)["Made on the laptop"], "Synced")
	})
}
