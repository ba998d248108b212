package syncui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/sharing/projectsync"
	"github.com/slatestudio/slate/studio/studiotest"
)

func TestWords(t *testing.T) {
	cases := []struct {
		st            projectsync.Status
		project, clip string
		overall       string
	}{
		{projectsync.Status{State: projectsync.Off}, "", "", ""},
		{projectsync.Status{}, "", "", ""},
		{projectsync.Status{State: projectsync.Synced}, "Synced", "synced", "Sync: all synced"},
		{projectsync.Status{State: projectsync.Uploading, Done: 42, Total: 100, Pending: 2}, "Uploading 42 %", "uploading 42 %", "Sync: uploading 42 % · 2 changes to go"},
		{projectsync.Status{State: projectsync.Uploading, Pending: 1}, "Uploading", "uploading", "Sync: uploading · 1 change to go"},
		{projectsync.Status{State: projectsync.Downloading, Done: 3, Total: 4}, "Downloading 75 %", "downloading 75 %", "Sync: downloading 75 %"},
		{projectsync.Status{State: projectsync.Waiting, Err: "the account server cannot be reached"}, "Waiting for network", "waiting", "Sync: waiting for network (the account server cannot be reached)"},
		{projectsync.Status{State: projectsync.Paused, Pending: 4}, "Paused", "paused", "Sync paused · 4 changes to go"},
		{projectsync.Status{State: projectsync.Conflict, Conflict: "The Kite (from laptop, 7 Dec 14:02)"}, "Conflict copy made", "", "Sync: a conflict copy was made of “The Kite (from laptop, 7 Dec 14:02)”"},
		{projectsync.Status{State: projectsync.Failed, Err: "your 10 GB on the server are full: delete old films or ask for more"}, "Not synced", "not synced", "Sync failed: your 10 GB on the server are full: delete old films or ask for more"},
	}
	for _, c := range cases {
		if got, _ := ProjectWords(c.st); got != c.project {
			t.Errorf("ProjectWords(%+v) = %q, want %q", c.st, got, c.project)
		}
		if got := ClipWords(c.st); got != c.clip {
			t.Errorf("ClipWords(%+v) = %q, want %q", c.st, got, c.clip)
		}
		if got, _ := OverallWords(c.st); got != c.overall {
			t.Errorf("OverallWords(%+v) = %q, want %q", c.st, got, c.overall)
		}
		for _, w := range []string{"rev", "sha256", "tus", "blob"} {
			p, _ := ProjectWords(c.st)
			o, _ := OverallWords(c.st)
			if strings.Contains(strings.ToLower(p+ClipWords(c.st)+o), w) {
				t.Errorf("the words for %+v speak of %q", c.st, w)
			}
		}
	}
}

func TestSize(t *testing.T) {
	for n, want := range map[int64]string{
		0: "0 bytes", 1: "1 byte", 999: "999 bytes", 3_000: "3 kB", 512_000_000: "512 MB",
		2_400_000_000: "2.4 GB", 10_000_000_000: "10 GB", 1_050_000: "1.1 MB", 2_000_000_000: "2 GB",
		150_400_000_000: "150 GB",
	} {
		if got := Size(n); got != want {
			t.Errorf("Size(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestNoticeText(t *testing.T) {
	got := NoticeText(projectsync.Notice{Project: "p", Copy: "c", Title: "The Kite", From: "laptop"}, "The Kite (from laptop, 7 Dec 14:02)")
	for _, want := range []string{"Both this computer and laptop changed “The Kite” while apart", "laptop's version is in “The Kite (from laptop, 7 Dec 14:02)”", "Nothing was lost"} {
		if !strings.Contains(got, want) {
			t.Errorf("the notice does not say %q:\n%s", want, got)
		}
	}
}

// runner is the test's UI goroutine, for the views' background work.
type runner struct{ *studiotest.UI }

func (r runner) OnUI(f func()) { r.Do(f) }

// storageWindow opens the storage window over what storage returns.
func storageWindow(t *testing.T, storage func(context.Context) (account.Storage, error)) (*StorageWindow, runner) {
	t.Helper()
	a := test.NewTempApp(t)
	ui := runner{studiotest.NewUI()}
	w := ShowStorage(t.Context(), StorageDeps{App: a, Runner: ui, Storage: storage, CloseWindow: func(w fyne.Window, closed func()) { closed(); w.Close() }})
	t.Cleanup(w.Window().Close)
	return w, ui
}

// The storage window lists what takes space on the server, largest first,
// each with its project's title, what it is and its size, under how much
// of the quota is used.
func TestStorageWindowLists(t *testing.T) {
	st := account.Storage{Quota: 10_000_000_000, Used: 2_400_000_000, Items: []account.StorageItem{
		{Kind: account.BlobFilm, Project: "p1", Title: "The Kite", SHA256: strings.Repeat("a", 64), Size: 1_800_000_000},
		{Kind: account.BlobClip, Project: "p1", Title: "The Kite", SHA256: strings.Repeat("b", 64), Size: 550_000_000},
		{Kind: "project", Project: "p2", Title: "Harbour at night", Size: 48_000_000},
		{Kind: account.BlobClip, Project: "p3", SHA256: strings.Repeat("c", 64), Size: 2_000_000},
	}}
	w, ui := storageWindow(t, func(context.Context) (account.Storage, error) { return st, nil })
	ui.Until(t, "the storage to show", 10*time.Second, func() bool { return len(w.items) == 4 })
	got := studiotest.Texts(w.Window().Content())
	for _, want := range []string{
		"2.4 GB of 10 GB used on the server.",
		"The Kite\nexported film\n1.8 GB",
		"The Kite\nrendered clip\n550 MB",
		"Harbour at night\nproject and its versions\n48 MB",
		"a project no longer in your library\nrendered clip\n2 MB",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the storage window does not say %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "full") {
		t.Errorf("at 24 %% the window says the space is full:\n%s", got)
	}
	if strings.Contains(got, strings.Repeat("a", 64)) {
		t.Errorf("the window shows a sha256:\n%s", got)
	}
}

// A full account says so, in the words the server's refusal uses.
func TestStorageWindowFull(t *testing.T) {
	st := account.Storage{Quota: 10_000_000_000, Used: 10_000_000_000, Items: []account.StorageItem{
		{Kind: account.BlobClip, Project: "p1", Title: "The Kite", Size: 10_000_000_000},
	}}
	w, ui := storageWindow(t, func(context.Context) (account.Storage, error) { return st, nil })
	ui.Until(t, "the storage to show", 10*time.Second, func() bool { return len(w.items) == 1 })
	got := studiotest.Texts(w.Window().Content())
	if want := "Your 10 GB on the server are full: delete old films or ask for more."; !strings.Contains(got, want) {
		t.Errorf("a full account's window does not say %q:\n%s", want, got)
	}
}

// Logged out, or the server not answering, the window says what to do.
func TestStorageWindowProblems(t *testing.T) {
	for err, want := range map[error]string{
		fmt.Errorf("%w: no session", ErrNotLoggedIn):       "Log in to an account server (Account ▸ Log in…)",
		errors.New("the account server cannot be reached"): "The server could not say what your films use on it: the account server cannot be reached. Try again in a moment.",
	} {
		w, ui := storageWindow(t, func(context.Context) (account.Storage, error) { return account.Storage{}, err })
		ui.Until(t, "the window to say "+want, 10*time.Second, func() bool {
			return strings.Contains(studiotest.Texts(w.Window().Content()), want)
		})
	}
}
