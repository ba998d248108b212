// Package session is the state of an open studio without its window: the
// open document, the selection and the playhead, the render keys and
// finished clips of the project's shots, the library's cast, and the
// render queue's events folded for the UI. The studio's views (storyboard,
// player, castui, …) read it, change it through it, and hear of its
// changes as Listeners; the studio shell wires them together.
//
// It imports no Fyne, so it is tested without a window. One thread for the
// UI: its methods run on the UI goroutine unless they say otherwise, and
// background work reports back through Options.Do. It keeps no context:
// the methods that read, save or start work take the caller's (the
// studio's, which ends when it closes).
package session

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/timeline"
)

// Options are what a session works with, built by the studio (or a test).
type Options struct {
	Library  *library.Library
	Doc      *library.Document
	Queue    *render.Queue
	Backends *render.Registry
	// Backend renders shots that name none; the animatic when "".
	Backend string
	// Log is slog.Default() when nil.
	Log *slog.Logger
	// Do runs a function on the UI goroutine: fyne.Do in the studio.
	Do func(func())
	// Report shows a failure to the person (a save that failed, a render
	// that could not be queued); nil logs it only.
	Report func(error)
}

// Listener hears of changes to the session, on the UI goroutine. Any
// field may be nil. Listeners are told in the order they were added.
type Listener struct {
	// ProjectChanged follows an edit, an undo or a redo, or another
	// project opened. The selection and the playhead have been kept
	// within the project first.
	ProjectChanged func(timeline.Change)
	// SelectionChanged follows Select.
	SelectionChanged func()
	// PlayheadMoved follows SetPlayhead; frame is where it is now.
	PlayheadMoved func(frame int)
	// ClipsChanged: finished clips were found, rendered or forgotten.
	ClipsChanged func()
	// CastChanged: the library's cast members were read again.
	CastChanged func()
	// JobChanged: a render job was queued, moved on or ended.
	JobChanged func(render.Job)
	// ClipDamaged: the cached clip of shot n (from 1) was damaged and
	// moved aside; the shot renders again when asked (see DamagedText).
	ClipDamaged func(n int)
}

// Session is the state of one open studio.
type Session struct {
	lib      *library.Library
	queue    *render.Queue
	backends *render.Registry
	backend  string
	log      *slog.Logger
	do       func(func())
	report   func(error)
	// closed: the studio has closed (Close), and what background work
	// reports is dropped.
	closed atomic.Bool

	doc *library.Document
	// selected lists the selected shots' IDs; the first is the one the
	// inspector shows.
	selected []string
	// primaryAt is where the first selected shot was, so that when it is
	// deleted the selection moves to its neighbour.
	primaryAt int
	// playhead is the frame the player shows, on the film's timeline.
	playhead int
	// playing reports whether the preview plays (SetPlayer); nil: never.
	playing func() bool
	// fps is the frame rate the playhead counts in: the project's when it
	// was last told (a new rate moves it to the same moment).
	fps int

	listeners []Listener
	// detached: the views are gone (the studio is quitting); an edit
	// still being saved must not reach for them.
	detached bool

	// plan is the render plan of the project and cast as they are now
	// (requests, backends, keys, continuity); an edit and a new cast drop
	// it. Every view asks it for keys (the player, the timeline, the
	// library panel, the clip lookup), and working out 10,000 of them
	// again for each was a good part of opening a 10,000-shot project. UI
	// goroutine only.
	plan *render.Plan

	// clips caches, per render key, the finished clip; filled from the
	// library in the background and from the queue's events.
	clipsMu sync.Mutex
	clips   map[string]library.Clip
	// damaged are the clips this session found damaged and moved aside
	// (CheckClip), by sum.
	damaged map[string]bool

	// cast caches the library's cast members, and likeness what renders
	// use of them; both are reloaded in the background when members change.
	castMu   sync.Mutex
	cast     []library.CastMember
	likeness map[string]render.Likeness
}

// New makes the session over o.Doc. Nothing is read or watched yet: add
// the listeners, then call Open, Watch and ReloadCast. Close it when the
// studio closes.
func New(o Options) *Session {
	if o.Backend == "" {
		o.Backend = render.DefaultBackend
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	s := &Session{
		lib: o.Library, queue: o.Queue, backends: o.Backends, backend: o.Backend,
		log: o.Log, do: o.Do, report: o.Report, doc: o.Doc,
		clips: map[string]library.Clip{}, damaged: map[string]bool{},
	}
	if s.report == nil {
		s.report = func(err error) { s.log.Warn("studio", "err", err) }
	}
	return s
}

// Listen adds a listener; views add theirs as they are built.
func (s *Session) Listen(l Listener) { s.listeners = append(s.listeners, l) }

// Detach stops telling the listeners of edits: the views are gone (the
// studio is quitting), and what is still being typed is saved without
// them.
func (s *Session) Detach() { s.detached = true }

// Close ends the session: the studio has closed, and what background work
// reports from now on is dropped. (The work itself ends with the context
// it was started under.) It may be called from any goroutine.
func (s *Session) Close() { s.closed.Store(true) }

// OnUI runs f on the UI goroutine unless the studio has closed. It may be
// called from any goroutine.
func (s *Session) OnUI(f func()) {
	if s.closed.Load() {
		return
	}
	s.do(func() {
		if !s.closed.Load() {
			f()
		}
	})
}

// Runner is how views hand the results of background work to the UI
// goroutine; a Session is one.
type Runner interface {
	// OnUI runs f on the UI goroutine unless the studio has closed.
	OnUI(f func())
}

// Background runs work off the UI goroutine, under ctx, and hands its
// result to done on the UI goroutine; once the studio has closed, done is
// not called.
func Background[T any](ctx context.Context, r Runner, work func(ctx context.Context) (T, error), done func(T, error)) {
	go func() {
		v, err := work(ctx)
		r.OnUI(func() { done(v, err) })
	}()
}

// Project is the open project. Read it on the UI goroutine only; give
// background work a Clone.
func (s *Session) Project() *timeline.Project { return s.doc.Project() }

// Document is the open project's document: its undo history.
func (s *Session) Document() *library.Document { return s.doc }

// Open makes doc the open project: nothing selected but the shot where
// the first selected one was, the playhead at the start.
func (s *Session) Open(ctx context.Context, doc *library.Document) {
	s.doc = doc
	s.selected = nil
	s.playhead, s.fps = 0, doc.Project().FPS
	s.changed(ctx, timeline.Change{Project: true})
}

// Edit applies a command and saves it. An invalid edit changes nothing and
// returns the reason (callers show it beside their field); a failure to
// save is reported to the person as well.
func (s *Session) Edit(ctx context.Context, c timeline.Command) error {
	ch, err := s.doc.Do(ctx, c)
	if err != nil {
		if !errors.Is(err, timeline.ErrInvalid) {
			s.report(err)
		}
		return err
	}
	s.changed(ctx, ch)
	return nil
}

// EditOrReport applies a command and reports any refusal too: for
// gestures (menus, drags) that have no field to show it beside.
func (s *Session) EditOrReport(ctx context.Context, c timeline.Command) {
	if err := s.Edit(ctx, c); err != nil && errors.Is(err, timeline.ErrInvalid) {
		s.report(err)
	}
}

// Undo undoes the last edit, if there is one.
func (s *Session) Undo(ctx context.Context) {
	ch, err := s.doc.Undo(ctx)
	if errors.Is(err, timeline.ErrNothingToUndo) {
		return
	}
	if err != nil {
		s.report(err)
		return
	}
	s.changed(ctx, ch)
}

// Redo does again the last edit undone, if there is one.
func (s *Session) Redo(ctx context.Context) {
	ch, err := s.doc.Redo(ctx)
	if errors.Is(err, timeline.ErrNothingToRedo) {
		return
	}
	if err != nil {
		s.report(err)
		return
	}
	s.changed(ctx, ch)
}

// changed keeps the selection and the playhead within the project after
// an edit (or undo, or another project), tells the views, and looks up the
// clips of shots whose keys are new.
func (s *Session) changed(ctx context.Context, ch timeline.Change) {
	s.plan = nil
	if s.detached {
		return // the views are gone
	}
	p := s.Project()
	// A deleted shot cannot stay selected.
	s.selected = slices.DeleteFunc(s.selected, func(id string) bool { return p.Index(id) < 0 })
	if len(s.selected) == 0 && len(p.Shots) > 0 {
		// The shot now where the deleted one was.
		s.selected = []string{p.Shots[min(len(p.Shots)-1, s.primaryAt)].ID}
	}
	if len(s.selected) > 0 {
		s.primaryAt = p.Index(s.selected[0])
	}
	s.playhead = min(s.keepMoment(p.FPS), max(0, p.TotalFrames()-1))
	for _, l := range s.listeners {
		if l.ProjectChanged != nil {
			l.ProjectChanged(ch)
		}
	}
	s.LookUpClips(ctx)
}

// Reloaded tells the views that the open document changed other than
// through Edit, Undo or Redo (project sync brought another device's
// changes into it); ch says what changed.
func (s *Session) Reloaded(ctx context.Context, ch timeline.Change) { s.changed(ctx, ch) }

// Select makes ids the selection; the first is shown in the inspector,
// and the playhead goes to its first frame unless the preview is playing.
func (s *Session) Select(ids ...string) {
	s.selected = slices.Clone(ids)
	if len(ids) > 0 {
		s.primaryAt = max(0, s.Project().Index(ids[0]))
	}
	for _, l := range s.listeners {
		if l.SelectionChanged != nil {
			l.SelectionChanged()
		}
	}
	s.followSelection()
}

// Selected lists the selected shots' IDs, the one the inspector shows
// first. The caller must not change it.
func (s *Session) Selected() []string { return s.selected }

// SelectedShots are the indexes of the selected shots, in film order.
func (s *Session) SelectedShots() []int {
	p := s.Project()
	var shots []int
	for _, id := range s.selected {
		if i := p.Index(id); i >= 0 {
			shots = append(shots, i)
		}
	}
	slices.Sort(shots)
	return shots
}

// Primary is the selected shot the inspector shows, or nil.
func (s *Session) Primary() *timeline.Shot {
	if len(s.selected) == 0 {
		return nil
	}
	return s.Project().Shot(s.selected[0])
}

// IsSelected reports whether the shot with this ID is selected.
func (s *Session) IsSelected(id string) bool { return slices.Contains(s.selected, id) }

// Playhead is the frame the player shows, on the film's timeline.
func (s *Session) Playhead() int { return s.playhead }

// SetPlayhead moves the playhead, within the film, as the player and a
// click on the ruler do.
func (s *Session) SetPlayhead(frame int) {
	s.playhead = max(0, min(frame, s.Project().TotalFrames()-1))
	for _, l := range s.listeners {
		if l.PlayheadMoved != nil {
			l.PlayheadMoved(s.playhead)
		}
	}
}

// AddShot adds a new shot after the selected one (or at the end) and
// selects it.
func (s *Session) AddShot(ctx context.Context) {
	p := s.Project()
	at := len(p.Shots)
	if sh := s.Primary(); sh != nil {
		at = p.Index(sh.ID) + 1
	}
	shot := timeline.NewShot(fmt.Sprintf("Shot %d", len(p.Shots)+1))
	if err := s.Edit(ctx, timeline.AddShot(at, shot)); err != nil {
		s.report(err)
		return
	}
	s.Select(shot.ID)
}

// DuplicateShot puts a copy of the selected shot after it and selects the
// copy.
func (s *Session) DuplicateShot(ctx context.Context) {
	sh := s.Primary()
	if sh == nil {
		return
	}
	i := s.Project().Index(sh.ID)
	if err := s.Edit(ctx, timeline.DuplicateShot(sh.ID)); err != nil {
		s.report(err)
		return
	}
	s.Select(s.Project().Shots[i+1].ID)
}

// DeleteSelected deletes the selected shots, as one edit.
func (s *Session) DeleteSelected(ctx context.Context) {
	if len(s.selected) == 0 {
		return
	}
	s.EditOrReport(ctx, timeline.DeleteShots(s.selected...))
}

// SplitAtPlayhead splits the shot under the playhead where the playhead is.
func (s *Session) SplitAtPlayhead(ctx context.Context) {
	p := s.Project()
	for i, sp := range p.Timing() {
		if s.playhead >= sp.Start && s.playhead < sp.End {
			at := timeline.FrameTime(s.playhead-sp.Start, p.FPS)
			s.EditOrReport(ctx, timeline.SplitShot(p.Shots[i].ID, at))
			return
		}
	}
}

// FeatureMember features a library cast member in shots, adding them to
// the project's cast if needed, as one edit.
func (s *Session) FeatureMember(ctx context.Context, m library.CastMember, shotIDs ...string) {
	if len(shotIDs) == 0 {
		return
	}
	s.EditOrReport(ctx, timeline.FeatureCast(m.Ref(), shotIDs...))
}

// Render submits shots (by index) to the queue in order, in the
// background. Their jobs are told as JobChanged; a shot whose clip is up
// to date finishes at once from the cache.
func (s *Session) Render(ctx context.Context, shots []int) {
	type submitted struct {
		i   int
		job render.Job
		err error
	}
	// Worked out here, on the UI goroutine: the background reads only
	// what the plan has worked out, never the project as it changes.
	plan := s.RenderPlan()
	plan.Needs(shots)
	q := s.queue
	Background(ctx, s, func(ctx context.Context) ([]submitted, error) {
		var out []submitted
		q.SubmitPlan(ctx, plan, shots, func(i int, j render.Job, err error) {
			out = append(out, submitted{i, j, err})
		})
		return out, nil
	}, func(results []submitted, _ error) {
		cached := false
		for _, r := range results {
			if r.err != nil {
				s.report(fmt.Errorf("render shot %d: %w", r.i+1, r.err))
				continue
			}
			s.jobChanged(r.job)
			if r.job.Cached {
				s.clipsMu.Lock()
				s.clips[r.job.Key] = *r.job.Clip
				s.clipsMu.Unlock()
				cached = true
			}
		}
		if cached {
			s.clipsChanged()
		}
	})
}

func (s *Session) jobChanged(j render.Job) {
	for _, l := range s.listeners {
		if l.JobChanged != nil {
			l.JobChanged(j)
		}
	}
}

// RenderPlan is the render plan of the project and cast as they are now:
// the one slate render and the film export work from too, so a clip
// rendered here is the one they find. UI goroutine only.
func (s *Session) RenderPlan() *render.Plan {
	if s.plan == nil {
		s.plan = render.NewPlan(s.Project(), s.backends, render.PlanOptions{
			Backend: s.backend, Likeness: s.Likeness(), TempDir: s.lib.TempDir(), Pictures: s.lib.Blobs().Path,
		})
	}
	return s.plan
}

// Request is the render request for shot i of the project as it is now,
// with the recorded likeness of its cast. UI goroutine only.
func (s *Session) Request(i int) *render.Request { return s.RenderPlan().Request(i) }

// Likeness is what renders use of the library's cast members, as last
// loaded. It may be called from any goroutine.
func (s *Session) Likeness() map[string]render.Likeness {
	s.castMu.Lock()
	defer s.castMu.Unlock()
	return s.likeness
}

// Cast is the library's cast, as last loaded. It may be called from any
// goroutine; the caller must not change it.
func (s *Session) Cast() []library.CastMember {
	s.castMu.Lock()
	defer s.castMu.Unlock()
	return s.cast
}

// ReloadCast reads the library's cast members in the background; when they
// are in, the views that show them or render with them catch up.
func (s *Session) ReloadCast(ctx context.Context) {
	lib := s.lib
	Background(ctx, s, func(ctx context.Context) ([]library.CastMember, error) {
		return lib.CastMembers(ctx)
	}, func(members []library.CastMember, err error) {
		if err != nil {
			s.report(fmt.Errorf("read the cast: %w", err))
			return
		}
		likeness := render.LikenessOf(lib, members)
		s.castMu.Lock()
		s.cast, s.likeness = members, likeness
		s.castMu.Unlock()
		s.plan = nil // the likeness is part of the keys
		for _, l := range s.listeners {
			if l.CastChanged != nil {
				l.CastChanged()
			}
		}
		s.LookUpClips(ctx)
	})
}

// KeyOf is the render key shot i has now, or "" when its backend cannot
// be opened. UI goroutine only.
func (s *Session) KeyOf(i int) string {
	k, _ := s.RenderPlan().Key(i)
	return k
}

// ClipOf returns the finished clip for shot i as it is now, if one is
// known; it never touches the disk.
func (s *Session) ClipOf(i int) (library.Clip, bool) {
	key := s.KeyOf(i)
	s.clipsMu.Lock()
	defer s.clipsMu.Unlock()
	c, ok := s.clips[key]
	return c, ok && key != ""
}

// LookUpClips finds, in the background, the clips of the shots whose keys
// the cache does not know yet, and tells the views. A clip the library
// finds damaged (and moves aside) is told as ClipDamaged; the shot is then
// not rendered.
func (s *Session) LookUpClips(ctx context.Context) {
	p := s.Project()
	var keys []string
	shot := map[string]int{} // key → shot number
	s.clipsMu.Lock()
	for i := range p.Shots {
		if k := s.KeyOf(i); k != "" {
			if _, ok := s.clips[k]; !ok {
				keys = append(keys, k)
				shot[k] = i + 1
			}
		}
	}
	s.clipsMu.Unlock()
	if len(keys) == 0 {
		return
	}
	type result struct {
		found   int
		damaged []int // shot numbers
	}
	Background(ctx, s, func(ctx context.Context) (result, error) {
		var r result
		for _, k := range keys {
			c, ok, err := s.lib.ClipByKey(ctx, k)
			if errors.Is(err, library.ErrDamaged) {
				s.log.Warn("studio", "damaged clip", err)
				r.damaged = append(r.damaged, shot[k])
				continue
			}
			if err != nil {
				return r, err
			}
			if ok {
				s.clipsMu.Lock()
				s.clips[k] = c
				s.clipsMu.Unlock()
				r.found++
			}
		}
		return r, nil
	}, func(r result, err error) {
		if err != nil {
			s.report(fmt.Errorf("look up rendered clips: %w", err))
		}
		for _, n := range r.damaged {
			for _, l := range s.listeners {
				if l.ClipDamaged != nil {
					l.ClipDamaged(n)
				}
			}
		}
		if r.found > 0 {
			s.clipsChanged()
		}
	})
}

// DamagedText says that shot n's clip was damaged, in the person's words.
func DamagedText(n int) string {
	return fmt.Sprintf("the cached clip of shot %d was damaged; render it again", n)
}

// CheckClip makes sure a clip is whole before the studio plays it or
// hands it to another program; shot is its shot's number. A clip is
// opened again each time its shot comes into view, so each is hashed
// once in this process (Blobs.VerifyOnce) rather than at every open. A
// damaged clip is moved aside and forgotten: its shot shows its
// storyboard and renders again when asked, and the error says so. It
// hashes, so it runs off the UI goroutine; it may be called from any.
func (s *Session) CheckClip(sum string, shot int) error {
	blobs := s.lib.Blobs()
	err := blobs.VerifyOnce(sum)
	if err == nil {
		return nil
	}
	if !errors.Is(err, library.ErrDamaged) && !errors.Is(err, library.ErrNotFound) {
		return fmt.Errorf("shot %d: %w", shot, err)
	}
	defer s.OnUI(func() { s.forgetClip(sum) })
	s.clipsMu.Lock()
	defer s.clipsMu.Unlock()
	if errors.Is(err, library.ErrNotFound) {
		if s.damaged[sum] {
			return errors.New(DamagedText(shot)) // another check moved it aside a moment ago
		}
		return fmt.Errorf("the clip of shot %d is gone; render it again", shot)
	}
	to, merr := blobs.MoveAside(sum)
	if merr != nil && !errors.Is(merr, os.ErrNotExist) {
		return fmt.Errorf("shot %d: %w", shot, merr)
	}
	s.log.Warn("studio", "damaged clip", err, "moved to", to)
	s.damaged[sum] = true
	return errors.New(DamagedText(shot))
}

// forgetClip drops a clip that is no longer there from the views.
func (s *Session) forgetClip(sum string) {
	s.clipsMu.Lock()
	n := len(s.clips)
	for k, c := range s.clips {
		if c.SHA256 == sum {
			delete(s.clips, k)
		}
	}
	changed := len(s.clips) != n
	s.clipsMu.Unlock()
	if changed {
		s.clipsChanged()
	}
}

// ForgetClips drops the clips with these sums (the library has deleted
// them) and tells the views.
func (s *Session) ForgetClips(sums map[string]bool) {
	s.clipsMu.Lock()
	for k, c := range s.clips {
		if sums[c.SHA256] {
			delete(s.clips, k)
		}
	}
	s.clipsMu.Unlock()
	s.clipsChanged()
}

// clipsChanged tells the views that show clips: thumbnails, the player.
func (s *Session) clipsChanged() {
	for _, l := range s.listeners {
		if l.ClipsChanged != nil {
			l.ClipsChanged()
		}
	}
}

// Watch follows the render queue until ctx ends: job changes are told as
// JobChanged, finished clips go into the cache.
//
// Jobs report progress many times a second, and the UI goroutine runs one
// queued function per frame when it is busy drawing: handing it every
// event would leave everything else (a dialog's contents, the wizard's
// devices) waiting behind a backlog of stale progress. So events are
// folded: each job's latest change waits in pending, and one function at
// a time is queued to tell them all.
func (s *Session) Watch(ctx context.Context) {
	var (
		mu      sync.Mutex
		pending []render.Job // in arrival order, one entry per job
		// completed: a job finished since the last flush.
		completed, queued bool
	)
	flush := func() {
		mu.Lock()
		jobs, done := pending, completed
		pending, completed, queued = nil, false, false
		mu.Unlock()
		for _, j := range jobs {
			s.jobChanged(j)
		}
		if done {
			s.clipsChanged()
		}
	}
	unsubscribe := s.queue.Subscribe(func(j render.Job) {
		if j.Status == render.Completed && j.Clip != nil {
			s.clipsMu.Lock()
			s.clips[j.Key] = *j.Clip
			s.clipsMu.Unlock()
		}
		mu.Lock()
		defer mu.Unlock()
		completed = completed || j.Status == render.Completed
		replaced := false
		for i := range pending {
			if pending[i].ID == j.ID {
				pending[i], replaced = j, true
				break
			}
		}
		if !replaced {
			pending = append(pending, j)
		}
		if !queued {
			queued = true
			s.OnUI(flush)
		}
	})
	context.AfterFunc(ctx, unsubscribe)
}
