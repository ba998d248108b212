package projectsync_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/sharing/projectsync"
	"github.com/slatestudio/slate/timeline"
)

// A project made on one device appears on the other with the same
// storyboard and its clips, checked by sha256; an edit follows.
func TestProjectAndClipsReachTheOtherDevice(t *testing.T) {
	s := startServer(t)
	a, b := newDevice(t, "laptop"), newDevice(t, "desktop")
	logIn(t, s, "olive", a, b)
	doc := a.project(t, "The Kite", 3)
	id := doc.Project().ID
	a.clip(t, id, doc.Project().Shots[0].ID, 1, 3<<20)
	a.clip(t, id, doc.Project().Shots[2].ID, 2, 1000)
	a.sync(t)
	b.sync(t)
	same(t, a, b)
	if got := titles(t, b); !slices.Equal(got, []string{"The Kite"}) {
		t.Fatalf("desktop's projects = %q, want The Kite", got)
	}

	a.edit(t, id, timeline.SetPrompt(doc.Project().Shots[1].ID, "a kite over the dunes"))
	a.sync(t)
	b.sync(t)
	same(t, a, b)
	if got := b.open(t, id).Project().Shots[1].Prompt; got != "a kite over the dunes" {
		t.Errorf("desktop's prompt = %q, want the laptop's edit", got)
	}
	st, err := b.eng.Status(context.Background())
	if err != nil || st.State != projectsync.Synced {
		t.Errorf("desktop's Status() = %+v, %v; want synced", st, err)
	}
}

// Edits made while a device is offline go out once it is back.
func TestOfflineEditsGoOutAfterReconnecting(t *testing.T) {
	s := startServer(t)
	a, b := newDevice(t, "laptop"), newDevice(t, "desktop")
	logIn(t, s, "olive", a, b)
	doc := a.project(t, "The Kite", 2)
	id := doc.Project().ID
	settle(t, a, b)

	a.net.off.Store(true)
	a.edit(t, id, timeline.SetTitle("The Red Kite"))
	a.clip(t, id, doc.Project().Shots[0].ID, 7, 5000)
	if err := a.eng.SyncNow(context.Background()); err == nil {
		t.Fatal("SyncNow offline went through")
	}
	st, _ := a.eng.Status(context.Background())
	if st.State != projectsync.Waiting || st.Pending == 0 {
		t.Errorf("offline Status() = %+v, want waiting with changes pending", st)
	}
	a.net.off.Store(false)
	settle(t, a, b)
	same(t, a, b)
	if got := titles(t, b); !slices.Equal(got, []string{"The Red Kite"}) {
		t.Errorf("desktop's projects = %q, want the offline rename", got)
	}
}

// Edits of different shots on two devices apart are both kept.
func TestEditsOfDifferentShotsMerge(t *testing.T) {
	s := startServer(t)
	a, b := newDevice(t, "laptop"), newDevice(t, "desktop")
	logIn(t, s, "olive", a, b)
	doc := a.project(t, "The Kite", 3)
	id, shots := doc.Project().ID, doc.Project().Shots
	settle(t, a, b)

	a.edit(t, id, timeline.SetPrompt(shots[0].ID, "laptop's sky"))
	b.edit(t, id, timeline.SetPrompt(shots[2].ID, "desktop's sea"))
	settle(t, a, b)
	same(t, a, b)
	p := a.open(t, id).Project()
	if p.Shots[0].Prompt != "laptop's sky" || p.Shots[2].Prompt != "desktop's sea" {
		t.Errorf("merged prompts = %q, %q; want both edits", p.Shots[0].Prompt, p.Shots[2].Prompt)
	}
	if got := titles(t, a); len(got) != 1 {
		t.Errorf("projects = %q, want no conflict copy", got)
	}
	if n := append(a.eng.Notices(), b.eng.Notices()...); len(n) != 0 {
		t.Errorf("notices = %+v, want none", n)
	}
}

// The same field changed on both: the later is kept, the other is a
// conflict copy beside it, with a notice.
func TestSameFieldKeepsTheLaterAndACopy(t *testing.T) {
	s := startServer(t)
	a, b := newDevice(t, "laptop"), newDevice(t, "desktop")
	logIn(t, s, "olive", a, b)
	doc := a.project(t, "The Kite", 2)
	id, shot := doc.Project().ID, doc.Project().Shots[0].ID
	settle(t, a, b)

	a.edit(t, id, timeline.SetPrompt(shot, "laptop's version"))
	a.sync(t)                         // the laptop's goes first…
	time.Sleep(20 * time.Millisecond) // …and the desktop's edit, made apart, is the later
	b.edit(t, id, timeline.SetPrompt(shot, "desktop's version"))
	b.sync(t) // the desktop meets the laptop's revision
	settle(t, a, b)
	same(t, a, b)
	if got := a.open(t, id).Project().Shots[0].Prompt; got != "desktop's version" {
		t.Errorf("kept prompt = %q, want the later (desktop's)", got)
	}
	got := titles(t, a)
	if len(got) != 2 || !strings.HasPrefix(got[1], "The Kite (from laptop, ") {
		t.Fatalf("projects = %q, want The Kite and a copy \"The Kite (from laptop, …)\"", got)
	}
	var copyPrompt string
	infos, _ := a.lib.Projects(context.Background())
	for _, pi := range infos {
		if pi.ID != id {
			copyPrompt = a.open(t, pi.ID).Project().Shots[0].Prompt
		}
	}
	if copyPrompt != "laptop's version" {
		t.Errorf("the copy's prompt = %q, want the laptop's version", copyPrompt)
	}
	n := b.eng.Notices()
	if len(n) != 1 || n[0].Project != id || n[0].From != "laptop" {
		t.Errorf("desktop's notices = %+v, want one for the project from the laptop", n)
	}
	if again := b.eng.Notices(); len(again) != 0 {
		t.Errorf("notices handed out twice: %+v", again)
	}
	ps, err := b.eng.Projects(context.Background())
	if err != nil || ps[id].State != projectsync.Conflict || !strings.HasPrefix(ps[id].Conflict, "The Kite (from laptop") {
		t.Errorf("desktop's Projects()[id] = %+v, %v; want conflict naming the copy", ps[id], err)
	}
}

// A project deleted on one device goes from the others; one deleted on
// one device while edited on the other is kept, with the edit.
func TestDeletions(t *testing.T) {
	s := startServer(t)
	a, b := newDevice(t, "laptop"), newDevice(t, "desktop")
	logIn(t, s, "olive", a, b)
	gone := a.project(t, "Gone", 1).Project().ID
	kept := a.project(t, "Kept", 1)
	settle(t, a, b)

	if err := a.lib.DeleteProject(context.Background(), gone); err != nil {
		t.Fatal(err)
	}
	if err := a.lib.DeleteProject(context.Background(), kept.Project().ID); err != nil {
		t.Fatal(err)
	}
	b.edit(t, kept.Project().ID, timeline.SetPrompt(kept.Project().Shots[0].ID, "still wanted"))
	settle(t, a, b)
	same(t, a, b)
	if got := titles(t, b); !slices.Equal(got, []string{"Kept"}) {
		t.Errorf("projects = %q, want only Kept (edited on the desktop while deleted on the laptop)", got)
	}
	if got := a.open(t, kept.Project().ID).Project().Shots[0].Prompt; got != "still wanted" {
		t.Errorf("Kept's prompt on the laptop = %q, want the desktop's edit", got)
	}
}

// Paused, nothing goes out; resumed, it does.
func TestPauseHoldsEverything(t *testing.T) {
	s := startServer(t)
	a, b := newDevice(t, "laptop"), newDevice(t, "desktop")
	logIn(t, s, "olive", a, b)
	ctx := context.Background()
	if err := a.eng.Pause(ctx); err != nil {
		t.Fatal(err)
	}
	a.project(t, "Quiet", 1)
	settle(t, a, b)
	if got := titles(t, b); len(got) != 0 {
		t.Fatalf("paused, the desktop got %q", got)
	}
	if st, _ := a.eng.Status(ctx); st.State != projectsync.Paused {
		t.Errorf("Status() = %+v, want paused", st)
	}
	if err := a.eng.Resume(ctx); err != nil {
		t.Fatal(err)
	}
	settle(t, a, b)
	same(t, a, b)
}

// Changes from another device go into the project open in the studio
// (Options.Apply) as one step that Undo takes back.
func TestChangesArriveInTheOpenDocumentAsOneUndoStep(t *testing.T) {
	s := startServer(t)
	a, b := newDevice(t, "laptop"), newDevice(t, "desktop")
	var open *library.Document // the desktop studio's open project
	b.eng = projectsync.New(projectsync.Options{Library: b.lib, Sharing: b.svc,
		Apply: func(ctx context.Context, id string, fn func(*library.Document) error) error {
			if open != nil && open.Project().ID == id {
				return fn(open)
			}
			d, err := b.lib.OpenProject(ctx, id)
			if err != nil {
				return err
			}
			return fn(d)
		}})
	logIn(t, s, "olive", a, b)
	doc := a.project(t, "The Kite", 3)
	id, shots := doc.Project().ID, doc.Project().Shots
	settle(t, a, b)
	open = b.open(t, id)

	a.edit(t, id, timeline.SetPrompt(shots[0].ID, "first"))
	a.edit(t, id, timeline.DeleteShots(shots[2].ID))
	a.edit(t, id, timeline.SetTitle("The Red Kite"))
	settle(t, a, b)
	if p := open.Project(); p.Title != "The Red Kite" || len(p.Shots) != 2 || p.Shots[0].Prompt != "first" {
		t.Fatalf("the open document = %q with %d shots; want the laptop's three edits", p.Title, len(p.Shots))
	}
	if name, _ := open.UndoName(); name != "Changes from laptop" {
		t.Errorf("UndoName() = %q, want \"Changes from laptop\"", name)
	}
	if _, err := open.Undo(context.Background()); err != nil {
		t.Fatal(err)
	}
	if p := open.Project(); p.Title != "The Kite" || len(p.Shots) != 3 {
		t.Errorf("after one undo the document = %q with %d shots; want it as before the changes", p.Title, len(p.Shots))
	}
	// The undo is an edit like any: it goes back to the laptop.
	settle(t, a, b)
	same(t, a, b)
}

// While a clip goes up, its project and the studio say how far it is.
func TestStatusShowsUploadProgress(t *testing.T) {
	s := startServer(t)
	a := newDevice(t, "laptop")
	logIn(t, s, "olive", a)
	doc := a.project(t, "The Kite", 1)
	id := doc.Project().ID
	a.sync(t)
	c := a.clip(t, id, doc.Project().Shots[0].ID, 1, 20<<20)
	a.net.slow.Store(true)
	done := make(chan error, 1)
	go func() { done <- a.eng.SyncNow(context.Background()) }()
	var seen projectsync.Status
	for seen.State == "" {
		select {
		case err := <-done:
			t.Fatalf("SyncNow ended (%v) with no upload in progress seen", err)
		case <-time.After(2 * time.Millisecond):
		}
		ps, err := a.eng.Projects(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if st := ps[id]; st.State == projectsync.Uploading && st.Total == c.Size && st.Done > 0 && st.Done < st.Total {
			seen = st
		}
	}
	if clip := a.eng.Clip(context.Background(), c.SHA256); clip.State != projectsync.Uploading && clip.State != projectsync.Synced {
		t.Errorf("Clip() during the upload = %+v", clip)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if p := seen.Percent(); p <= 0 || p >= 100 {
		t.Errorf("Percent() = %d during the upload", p)
	}
	if st := a.eng.Clip(context.Background(), c.SHA256); st.State != projectsync.Synced {
		t.Errorf("Clip() after = %+v, want synced", st)
	}
}

// Pausing stops an upload where it is; resuming sends only the rest.
func TestPauseStopsAnUploadInFlight(t *testing.T) {
	s := startServer(t)
	a := newDevice(t, "laptop")
	logIn(t, s, "olive", a)
	ctx := context.Background()
	doc := a.project(t, "The Kite", 1)
	a.sync(t)
	c := a.clip(t, doc.Project().ID, doc.Project().Shots[0].ID, 1, 24<<20)
	a.net.slow.Store(true)
	done := make(chan error, 1)
	go func() { done <- a.eng.SyncNow(ctx) }()
	for s.patched.Load() < 10<<20 { // past the first chunk
		time.Sleep(time.Millisecond)
	}
	if err := a.eng.Pause(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("SyncNow stopped by Pause = %v, want nil", err)
	}
	sent := s.patched.Load()
	cl, _ := a.svc.Client()
	if has, _ := cl.HasBlob(ctx, c.SHA256); has || sent >= c.Size {
		t.Fatalf("the upload went on after Pause (%d of %d bytes)", sent, c.Size)
	}
	if st := a.eng.Clip(ctx, c.SHA256); st.State != projectsync.Paused || st.Done == 0 {
		t.Errorf("Clip() paused = %+v, want paused with the bytes sent", st)
	}
	a.net.slow.Store(false)
	if err := a.eng.Resume(ctx); err != nil {
		t.Fatal(err)
	}
	a.sync(t)
	if has, _ := cl.HasBlob(ctx, c.SHA256); !has {
		t.Fatal("the clip did not go up after Resume")
	}
	if got := s.patched.Load(); got > c.Size+8<<20 {
		t.Errorf("the server received %d bytes for a %d-byte clip paused once; want at most a chunk more", got, c.Size)
	}
}

// A clip of no project in the library (one "slate render" made from a
// .slate file) is not sent, and sync does not wait on it for ever.
func TestClipOfNoProjectStaysHere(t *testing.T) {
	s := startServer(t)
	a := newDevice(t, "laptop")
	logIn(t, s, "olive", a)
	c := a.clip(t, "file-9291cb9462f36a1f", "aaaaaaaaaaaaaaaa", 1, 4096)
	// A transfer queued for it anyway (as a library made before this
	// rule could have) is dropped, not sent.
	if err := a.lib.QueueTransfer(context.Background(), library.Transfer{SHA256: c.SHA256, Direction: "up", Kind: "clip", Project: c.ProjectID, Size: c.Size}); err != nil {
		t.Fatal(err)
	}
	a.sync(t)
	st, err := a.eng.Status(context.Background())
	if err != nil || st.State != projectsync.Synced || st.Pending != 0 {
		t.Errorf("Status() after syncing a clip of no project = %+v, %v; want synced with nothing pending", st, err)
	}
	if n := s.patched.Load(); n != 0 {
		t.Errorf("the server received %d bytes of a clip of no project; want none", n)
	}
}
