package session_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/render/animatic"
	"github.com/slatestudio/slate/studio/session"
	"github.com/slatestudio/slate/studio/studiotest"
	"github.com/slatestudio/slate/timeline"
)

// heard counts what a listener was told.
type heard struct {
	project, selection, clips, cast int
	playhead                        []int
	jobs                            []render.Job
}

func listen(s *session.Session) *heard {
	h := &heard{}
	s.Listen(session.Listener{
		ProjectChanged:   func(timeline.Change) { h.project++ },
		SelectionChanged: func() { h.selection++ },
		PlayheadMoved:    func(f int) { h.playhead = append(h.playhead, f) },
		ClipsChanged:     func() { h.clips++ },
		CastChanged:      func() { h.cast++ },
		JobChanged:       func(j render.Job) { h.jobs = append(h.jobs, j) },
	})
	return h
}

// open makes a session over the demo (at 320×180), started as the studio
// starts it, with a listener.
func open(t *testing.T) (*studiotest.Env, *session.Session, *heard) {
	t.Helper()
	env := studiotest.New(t, studiotest.Options{Projects: []*timeline.Project{studiotest.SmallDemo(t)}})
	s := env.Session()
	h := listen(s)
	env.Start(s)
	return env, s, h
}

// The selection and the playhead stay within the project: a deleted shot's
// neighbour takes its place, and the playhead stays in a shorter film.
func TestSelectionAndPlayheadFollowEdits(t *testing.T) {
	_, s, h := open(t)
	if got := s.Selected(); !slices.Equal(got, []string{"harbour"}) || h.project != 1 {
		t.Fatalf("opened: selected %v, told of %d project changes; want the first shot, told once", got, h.project)
	}
	s.Select("letter", "window")
	if got := s.SelectedShots(); !slices.Equal(got, []int{1, 3}) || s.Primary().ID != "letter" || h.selection != 1 {
		t.Errorf("selected shots %v, primary %v, told %d times; want [1 3], the letter, once", got, s.Primary().ID, h.selection)
	}
	h.playhead = nil // selecting moved it to the letter (follow_test.go)
	s.SetPlayhead(1 << 20)
	if last := s.Project().TotalFrames() - 1; s.Playhead() != last || !slices.Equal(h.playhead, []int{last}) {
		t.Errorf("the playhead set past the end is at %d (told %v), want the last frame %d", s.Playhead(), h.playhead, last)
	}
	s.DeleteSelected(t.Context())
	p := s.Project()
	if got := studiotest.Titles(p); !slices.Equal(got, []string{"Harbour at dusk", "Theo on the pier", "Lighthouse, night"}) {
		t.Fatalf("after deleting two shots: %q", got)
	}
	// The letter was shot 4; shot 3 is where it was now.
	if got := s.Selected(); !slices.Equal(got, []string{p.Shots[2].ID}) {
		t.Errorf("after deleting the selection, selected %v; want the shot now where the first was, %s", got, p.Shots[2].ID)
	}
	if last := p.TotalFrames() - 1; s.Playhead() != last {
		t.Errorf("after the film got shorter the playhead is at %d, want its last frame %d", s.Playhead(), last)
	}
	if h.project != 2 {
		t.Errorf("told of %d project changes, want 2", h.project)
	}
	s.Undo(t.Context())
	if n := len(s.Project().Shots); n != 5 || h.project != 3 {
		t.Errorf("after undo: %d shots, told %d times; want 5, 3", n, h.project)
	}
}

// A refused edit changes nothing and returns the reason, which a gesture
// with no field to show it beside reports.
func TestRefusedEdit(t *testing.T) {
	env, s, h := open(t)
	err := s.Edit(t.Context(), timeline.SetDuration("harbour", time.Millisecond))
	if !errors.Is(err, timeline.ErrInvalid) || h.project != 1 || len(env.Reported()) != 0 {
		t.Fatalf("a 1 ms shot: %v, told %d times, reported %v; want refused, once (opening), nothing", err, h.project, env.Reported())
	}
	s.EditOrReport(t.Context(), timeline.SetDuration("harbour", time.Millisecond))
	if got := env.Reported(); len(got) != 1 || !errors.Is(got[0], timeline.ErrInvalid) {
		t.Errorf("reported %v, want the refusal", got)
	}
}

// The queue's events are folded: however many progress reports a render
// makes, the UI goroutine runs one function for all of them, telling each
// job's latest state and that a clip is finished.
func TestQueueEventsAreFolded(t *testing.T) {
	env := studiotest.New(t, studiotest.Options{Projects: []*timeline.Project{studiotest.SmallDemo(t)}})
	s := env.Session()
	h := listen(s)
	s.Watch(t.Context()) // and nothing else that reports to the UI goroutine
	var count atomic.Int64
	unsubscribe := env.Queue.Subscribe(func(render.Job) { count.Add(1) })
	defer unsubscribe()
	ctx := context.Background()
	j, err := env.Queue.Submit(ctx, s.Request(2), animatic.Name)
	if err != nil {
		t.Fatal(err)
	}
	if j, err = env.Queue.Wait(ctx, j.ID); err != nil || j.Status != render.Completed {
		t.Fatalf("render shot 3: %v, %+v", err, j.Error)
	}
	events := count.Load()
	if n := env.UI.Queued(); n != 1 {
		t.Errorf("the render's %d events queued %d functions for the UI goroutine, want 1", events, n)
	}
	clips := h.clips
	env.UI.Drain()
	if len(h.jobs) != 1 || h.jobs[0].Status != render.Completed || h.jobs[0].ShotID != "pier" {
		t.Fatalf("the queue reported %d events; the views were told of %d jobs (%v), want the one, completed", events, len(h.jobs), h.jobs)
	}
	if events < 3 {
		t.Errorf("the render reported %d events, too few to fold", events)
	}
	if h.clips != clips+1 {
		t.Errorf("told of new clips %d times, want once", h.clips-clips)
	}
	if c, ok := s.ClipOf(2); !ok || c.SHA256 != j.Clip.SHA256 {
		t.Errorf("ClipOf(2) = %v, %v; want the finished clip", c, ok)
	}
}

// A damaged clip is moved aside and forgotten: the shot is no longer
// taken for rendered, and the error says to render it again.
func TestCheckClipMovesDamagedAside(t *testing.T) {
	env, s, h := open(t)
	ctx := context.Background()
	j, err := env.Queue.Submit(ctx, s.Request(0), animatic.Name)
	if err != nil {
		t.Fatal(err)
	}
	if j, err = env.Queue.Wait(ctx, j.ID); err != nil || j.Status != render.Completed {
		t.Fatalf("render shot 1: %v, %+v", err, j.Error)
	}
	env.UI.Until(t, "the clip to be known", 10*time.Second, func() bool { _, ok := s.ClipOf(0); return ok })
	env.UI.Drain()
	// Damaged before anything has checked it (a clip is hashed once in a
	// process).
	path := env.Library.Blobs().Path(j.Clip.SHA256)
	data, _ := os.ReadFile(path)
	os.Chmod(path, 0o644)
	os.WriteFile(path, data[:len(data)/2], 0o644)
	clips := h.clips
	err = s.CheckClip(j.Clip.SHA256, 1)
	if err == nil || err.Error() != session.DamagedText(1) {
		t.Fatalf("a damaged clip: %v, want %q", err, session.DamagedText(1))
	}
	if _, err := os.Stat(filepath.Join(env.Library.Dir(), "blobs", "damaged", j.Clip.SHA256)); err != nil {
		t.Errorf("the damaged clip was not moved aside: %v", err)
	}
	env.UI.Drain()
	if _, ok := s.ClipOf(0); ok || h.clips != clips+1 {
		t.Errorf("after the check: shot 1 rendered %v, told of clips %d times; want not, once", ok, h.clips-clips)
	}
}

// The cast is part of the render keys: reloading it gives a shot that
// features a member a new key.
func TestCastReloadChangesKeys(t *testing.T) {
	env, s, h := open(t)
	env.UI.Until(t, "the cast to be read", 10*time.Second, func() bool { return h.cast == 1 })
	m := studiotest.AddMember(t, env.Library, "Ada Lane")
	s.FeatureMember(t.Context(), m, "pier")
	before := s.KeyOf(2)
	s.ReloadCast(t.Context())
	env.UI.Until(t, "the cast to be read again", 10*time.Second, func() bool { return h.cast == 2 })
	if got := s.Cast(); len(got) != 1 || got[0].ID != m.ID {
		t.Fatalf("the cast is %v, want Ada", got)
	}
	if l := s.Request(2).Likeness[m.ID]; l.StillSHA256 != m.Frontal {
		t.Errorf("shot 3's request has Ada's likeness %+v, want her still", l)
	}
	if after := s.KeyOf(2); after == before {
		t.Error("shot 3's render key did not change with Ada's likeness")
	}
}

// Once detached (the studio quitting), an edit is still saved, but the
// views, which are gone, are not told.
func TestDetachedEditIsSavedQuietly(t *testing.T) {
	env, s, h := open(t)
	s.Detach()
	if err := s.Edit(t.Context(), timeline.SetShotTitle("harbour", "Harbour at night")); err != nil {
		t.Fatal(err)
	}
	if h.project != 1 {
		t.Errorf("told of %d project changes, want only the opening", h.project)
	}
	if got := env.Stored(s.Project().ID).Shot("harbour").Title; got != "Harbour at night" {
		t.Errorf("stored title %q, want the edit", got)
	}
}
