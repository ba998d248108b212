// Package studio is Slate's GUI: the windows, views and widgets of the
// desktop studio, built with Fyne. It adapts the domain types of timeline,
// library and render to widgets and holds no business rules of its own:
// every change to a project is a timeline command applied through the
// library's Document, which validates it and saves it before it shows.
//
// It never imports fyne.io/fyne/v2/app: cmd/slate makes the app and hands it
// in, so every view can be tested headlessly with fyne.io/fyne/v2/test.
//
// One thread for the UI: background work (rendering, probing, thumbnails,
// decoding, disk I/O) runs on goroutines and reports back through fyne.Do.
package studio

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/slatestudio/slate/capture"
	"github.com/slatestudio/slate/icons"
	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/sharing"
	"github.com/slatestudio/slate/timeline"
)

// Clock tells the time; tests pass one they move by hand, so nothing in
// them sleeps.
type Clock interface {
	Now() time.Time
	// AfterFunc calls f after d, on its own goroutine, unless stopped.
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }
func (systemClock) AfterFunc(d time.Duration, f func()) func() bool {
	return time.AfterFunc(d, f).Stop
}

// Deps are what the studio works with, built by cmd/slate (or a test).
type Deps struct {
	Library  *library.Library
	Doc      *library.Document
	Queue    *render.Queue
	Backends *render.Registry
	// Backend renders shots that name none; the animatic by default.
	Backend string
	// Consent grants the export of a film that features other people's
	// cast members; nil refuses it. The Queue asks its own for each shot.
	Consent render.Consent
	Tools   media.Tools
	// Audio is where the player's sound goes; nil plays silently (and the
	// player says so).
	Audio AudioOut
	Clock Clock
	Log   *slog.Logger
	// CaptureClock paces and stamps the capture devices of the cast
	// recording; nil means the real clock.
	CaptureClock capture.Clock
	// Models are the model packs and voices the studio shows; nil shows
	// none.
	Models *Models
	// Sharing is the account server's glue: log-in, consent and sharing.
	// Nil leaves the studio offline, and its Account menu says so.
	Sharing *sharing.Service
	// Do runs a function on the UI goroutine; fyne.Do by default. Tests
	// queue the functions and run them on the test's goroutine, so that
	// background work never touches widgets from another goroutine there
	// either.
	Do func(func())
}

// Studio is the main window over one open project.
type Studio struct {
	app  fyne.App
	win  fyne.Window
	deps Deps
	doc  *library.Document
	ctx  context.Context
	stop context.CancelFunc

	// selected lists the selected shots' IDs; the first is the one the
	// inspector shows.
	selected []string
	// primaryAt is where the first selected shot was, so that when it is
	// deleted the selection moves to its neighbour.
	primaryAt int
	// playhead is the frame the player shows, on the film's timeline.
	playhead int

	menu      menuItems
	side      *container.AppTabs
	timeline  *timelineView
	inspector *inspector
	queue     *queuePanel
	player    *player
	library   *libraryPanel
	castView  *castPanel
	// quitting: the driver has stopped and the windows are gone; an
	// edit still being saved must not reach for them.
	quitting bool

	// wizard is the cast recording window while it is open.
	wizard *wizard
	// dash is the consent dashboard while it is open.
	dash *dashboard
	// accountLine says who is logged in and how the last sync went; nil
	// without Deps.Sharing.
	accountLine *widget.Label
	// removalNotice is what the last notice of removed uses said.
	removalNotice string

	// plan is the render plan of the project and cast as they are now
	// (requests, backends, keys); projectChanged and reloadCast drop it.
	// Every view asks it for keys (the player, the timeline, the library
	// panel, the clip lookup), and working out 10,000 of them again for
	// each was a good part of opening a 10,000-shot project. UI goroutine
	// only.
	plan *render.Plan

	// clips caches, per render key, the finished clip; filled from the
	// library in the background and from the queue's events.
	clipsMu sync.Mutex
	clips   map[string]library.Clip
	// damaged are the clips this studio found damaged and moved aside
	// (checkClip), by sum.
	damaged map[string]bool

	thumbs *thumbnails

	// cast caches the library's cast members, and likeness what renders
	// use of them; both are reloaded in the background when members change.
	castMu   sync.Mutex
	cast     []library.CastMember
	likeness map[string]render.Likeness
}

// New builds the studio's main window for d.Doc. It does not show it;
// call ShowAndRun, or Window().Show().
func New(a fyne.App, d Deps) *Studio {
	if d.Clock == nil {
		d.Clock = systemClock{}
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Backend == "" {
		d.Backend = render.DefaultBackend
	}
	if d.Do == nil {
		d.Do = fyne.Do
	}
	ctx, stop := context.WithCancel(context.Background())
	s := &Studio{app: a, deps: d, doc: d.Doc, ctx: ctx, stop: stop, clips: map[string]library.Clip{}, damaged: map[string]bool{}}
	icon := fyne.NewStaticResource("slate.png", icons.AppPNG)
	a.SetIcon(icon)
	s.win = a.NewWindow(windowTitle(s.doc.Project()))
	s.win.SetIcon(icon)
	// Closing the main window quits the studio (see Quit); a Close()
	// from code (tests) still shuts it down.
	s.win.SetCloseIntercept(s.Quit)
	s.win.SetOnClosed(s.shutdown)

	s.thumbs = newThumbnails(s)
	s.timeline = newTimeline(s)
	s.inspector = newInspector(s)
	s.queue = newQueuePanel(s)
	s.player = newPlayer(s)
	s.library = newLibraryPanel(s)
	s.castView = newCastPanel(s)

	s.side = container.NewAppTabs(
		container.NewTabItem("Library", s.library.view()),
		container.NewTabItem("Render queue", s.queue.view()),
		container.NewTabItem("Cast", s.castView.view()),
	)
	s.library.tabs = s.side
	centre := container.NewVSplit(s.player.view(), s.timeline.view())
	centre.SetOffset(0.62)
	right := container.NewHSplit(centre, s.inspector.view())
	right.SetOffset(0.72)
	all := container.NewHSplit(s.side, right)
	all.SetOffset(0.2)
	if d.Sharing != nil {
		s.accountLine = &widget.Label{Truncation: fyne.TextTruncateEllipsis, Importance: widget.LowImportance}
		s.win.SetContent(container.NewBorder(nil, s.accountLine, nil, nil, all))
	} else {
		s.win.SetContent(all)
	}
	s.win.SetMainMenu(s.mainMenu())
	s.addShortcuts()
	s.win.Resize(fyne.NewSize(1440, 900))

	if len(s.doc.Project().Shots) > 0 {
		s.selected = []string{s.doc.Project().Shots[0].ID}
	}
	s.projectChanged(timeline.Change{Project: true})
	if d.Sharing != nil {
		s.setAccountLine("", false)
		s.refreshAccountMenu()
	}
	s.watchQueue()
	s.reloadCast()
	return s
}

// Window is the main window.
func (s *Studio) Window() fyne.Window { return s.win }

// ShowAndRun shows the main window and runs the app until the studio
// quits. Call it from the main goroutine.
func (s *Studio) ShowAndRun() {
	s.win.ShowAndRun()
	if s.ctx.Err() == nil {
		// The driver stopped without Quit (Fyne's own SIGTERM handler can
		// get there first): what was being typed is saved all the same,
		// without the views, which went with the driver.
		s.quitting = true
		s.saveTyping()
	}
	s.shutdown()
}

// Quit ends the studio: menu File ▸ Quit, Ctrl+Q, the main window's close
// button and (from cmd/slate) Ctrl-C and SIGTERM all come here. Call it
// on the UI goroutine.
//
// It stops the studio's work and then Fyne's driver, and closes no
// window. Fyne's GLFW driver (v2.7.1) marks a closed window's viewport
// gone at once but destroys the window only at the next tick of its event
// loop; a pointer moving over the window in between makes the driver set
// the mouse cursor on the missing viewport (window.processMouseMoved →
// glfw.(*Window).SetInputMode on nil), a panic that struck 8 of 20 starts
// quit with the pointer over the window. fyne.App.Quit closes every
// window first, and so did the window's close button. The driver's Quit
// ends the loop instead, and glfw.Terminate takes the windows with it.
func (s *Studio) Quit() {
	s.saveTyping()
	s.shutdown()
	s.app.Driver().Quit()
}

// saveTyping saves what the person is typing in the field they are in (a
// prompt waiting for its pause in typing, a title not yet entered), as
// leaving the field would: quitting must not lose it.
func (s *Studio) saveTyping() {
	if e, ok := s.win.Canvas().Focused().(*commitEntry); ok {
		e.commit()
	}
}

// closeDelay is how long one of the studio's other windows stays hidden
// before it is closed: long enough for the pointer events sent before it
// was hidden to have arrived (see closeWindow).
const closeDelay = 250 * time.Millisecond

// closeWindow closes one of the studio's other windows (the recording
// wizard, the consent dashboard) after closed has tidied up after it. The
// window is hidden at once and closed a moment later: closing it at once
// would leave it open to the panic Quit explains, should the pointer be
// moving over it, while a hidden window gets no pointer events. If the
// studio quits meanwhile, the driver takes the window with it.
func (s *Studio) closeWindow(w fyne.Window, closed func()) {
	closed()
	w.Hide()
	s.deps.Clock.AfterFunc(closeDelay, func() { s.onUI(w.Close) })
}

func windowTitle(p *timeline.Project) string {
	return p.Title + " — Slate"
}

// shutdown stops the studio's work: the recording wizard's devices, the
// player, and every background job (their reports to the UI are dropped
// from now on). It closes no window (see Quit), and runs once.
func (s *Studio) shutdown() {
	if s.ctx.Err() != nil {
		return
	}
	if s.wizard != nil {
		s.wizard.closed()
	}
	s.dash = nil
	s.player.close()
	s.stop()
}

// Project is the open project. Read it on the UI goroutine only; give
// background work a Clone.
func (s *Studio) Project() *timeline.Project { return s.doc.Project() }

// edit applies a command and saves it. An invalid edit changes nothing and
// returns the reason (callers show it beside their field); a failure to
// save is reported to the person as well.
func (s *Studio) edit(c timeline.Command) error {
	ch, err := s.doc.Do(s.ctx, c)
	if err != nil {
		if !errors.Is(err, timeline.ErrInvalid) {
			s.report(err)
		}
		return err
	}
	s.projectChanged(ch)
	return nil
}

// editOrReport applies a command and shows any refusal in a dialog: for
// gestures (menus, drags) that have no field to show it beside.
func (s *Studio) editOrReport(c timeline.Command) {
	if err := s.edit(c); err != nil && errors.Is(err, timeline.ErrInvalid) {
		s.report(err)
	}
}

func (s *Studio) undo() {
	ch, err := s.doc.Undo(s.ctx)
	if errors.Is(err, timeline.ErrNothingToUndo) {
		return
	}
	if err != nil {
		s.report(err)
		return
	}
	s.projectChanged(ch)
}

func (s *Studio) redo() {
	ch, err := s.doc.Redo(s.ctx)
	if errors.Is(err, timeline.ErrNothingToRedo) {
		return
	}
	if err != nil {
		s.report(err)
		return
	}
	s.projectChanged(ch)
}

// projectChanged brings every view up to date after an edit (or undo).
func (s *Studio) projectChanged(ch timeline.Change) {
	s.plan = nil
	if s.quitting {
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
	s.playhead = min(s.playhead, max(0, p.TotalFrames()-1))
	s.win.SetTitle(windowTitle(p) + s.accountTitle())
	s.timeline.projectChanged(ch)
	s.inspector.refresh()
	s.player.projectChanged()
	s.library.projectChanged()
	s.refreshMenus()
	s.lookUpClips()
}

// openDocument switches the window to another project.
func (s *Studio) openDocument(doc *library.Document) {
	s.doc = doc
	s.selected = nil
	s.playhead = 0
	s.projectChanged(timeline.Change{Project: true})
}

// selectShots makes ids the selection; the first is shown in the inspector.
func (s *Studio) selectShots(ids ...string) {
	s.selected = slices.Clone(ids)
	if len(ids) > 0 {
		s.primaryAt = max(0, s.Project().Index(ids[0]))
	}
	s.timeline.selectionChanged()
	s.inspector.refresh()
	s.refreshMenus()
}

// primary is the selected shot the inspector shows, or nil.
func (s *Studio) primary() *timeline.Shot {
	if len(s.selected) == 0 {
		return nil
	}
	return s.Project().Shot(s.selected[0])
}

// isSelected reports whether the shot with this ID is selected.
func (s *Studio) isSelected(id string) bool { return slices.Contains(s.selected, id) }

// setPlayhead moves the playhead, as the player and a click on the ruler do.
func (s *Studio) setPlayhead(frame int) {
	s.playhead = max(0, min(frame, s.Project().TotalFrames()-1))
	s.timeline.playheadMoved()
	s.player.seekTo(s.playhead) // a no-op when the player moved it
}

// showQueue brings the render queue panel to the front.
func (s *Studio) showQueue() { s.side.SelectIndex(1) }

// report shows an error to the person: what went wrong and what to do.
func (s *Studio) report(err error) {
	s.deps.Log.Warn("studio", "err", err)
	if s.quitting {
		return // no window to show it in
	}
	dialog.ShowError(err, s.win)
}

// background runs work off the UI goroutine and hands its result to done
// on the UI goroutine.
func background[T any](s *Studio, work func(ctx context.Context) (T, error), done func(T, error)) {
	go func() {
		v, err := work(s.ctx)
		s.onUI(func() { done(v, err) })
	}()
}

// onUI runs f on the UI goroutine unless the window has closed.
func (s *Studio) onUI(f func()) {
	if s.ctx.Err() != nil {
		return
	}
	s.deps.Do(func() {
		if s.ctx.Err() == nil {
			f()
		}
	})
}

// renderPlan is the render plan of the project and cast as they are now.
// Call it on the UI goroutine.
func (s *Studio) renderPlan() *render.Plan {
	if s.plan == nil {
		s.plan = s.deps.Queue.Plan(s.Project(), s.deps.Backend, s.likenessNow())
	}
	return s.plan
}

// request is the render request for shot i of the project as it is now,
// with the recorded likeness of its cast. Call it on the UI goroutine.
func (s *Studio) request(i int) *render.Request { return s.renderPlan().Request(i) }

// likenessNow is what renders use of the library's cast members, as last
// loaded.
func (s *Studio) likenessNow() map[string]render.Likeness {
	s.castMu.Lock()
	defer s.castMu.Unlock()
	return s.likeness
}

// castMembers is the library's cast, as last loaded.
func (s *Studio) castMembers() []library.CastMember {
	s.castMu.Lock()
	defer s.castMu.Unlock()
	return s.cast
}

// reloadCast reads the library's cast members in the background; when they
// have changed, the views that show them or render with them catch up.
func (s *Studio) reloadCast() {
	lib := s.deps.Library
	background(s, func(ctx context.Context) ([]library.CastMember, error) {
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
		s.castChanged()
	})
}

// keyOf is the render key shot i has now, or "" when its backend cannot
// be opened. Call it on the UI goroutine.
func (s *Studio) keyOf(i int) string {
	k, _ := s.renderPlan().Key(i)
	return k
}

// clipOf returns the finished clip for shot i as it is now, if one is
// known; it never touches the disk.
func (s *Studio) clipOf(i int) (library.Clip, bool) {
	key := s.keyOf(i)
	s.clipsMu.Lock()
	defer s.clipsMu.Unlock()
	c, ok := s.clips[key]
	return c, ok && key != ""
}

// lookUpClips finds, in the background, the clips of the shots whose keys
// the cache does not know yet, and refreshes the views that show them. A
// clip the library finds damaged (and moves aside) is said in the
// player's status line; the shot is then not rendered.
func (s *Studio) lookUpClips() {
	p := s.Project()
	var keys []string
	shot := map[string]int{} // key → shot number
	s.clipsMu.Lock()
	for i := range p.Shots {
		if k := s.keyOf(i); k != "" {
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
	background(s, func(ctx context.Context) (result, error) {
		var r result
		for _, k := range keys {
			c, ok, err := s.deps.Library.ClipByKey(ctx, k)
			if errors.Is(err, library.ErrDamaged) {
				s.deps.Log.Warn("studio", "damaged clip", err)
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
			s.player.report(false, damagedText(n))
		}
		if r.found > 0 {
			s.clipsChanged()
		}
	})
}

// damagedText says that shot n's clip was damaged, in the person's words.
func damagedText(n int) string {
	return fmt.Sprintf("the cached clip of shot %d was damaged; render it again", n)
}

// checkClip makes sure a clip is whole before the studio plays it or
// hands it to another program; shot is its shot's number. A clip is
// opened again each time its shot comes into view, so each is hashed
// once in this process (Blobs.VerifyOnce) rather than at every open. A
// damaged clip is moved aside and forgotten: its shot shows its
// storyboard and renders again when asked, and the error says so. It
// hashes, so it runs off the UI goroutine.
func (s *Studio) checkClip(sum string, shot int) error {
	blobs := s.deps.Library.Blobs()
	err := blobs.VerifyOnce(sum)
	if err == nil {
		return nil
	}
	if !errors.Is(err, library.ErrDamaged) && !errors.Is(err, library.ErrNotFound) {
		return fmt.Errorf("shot %d: %w", shot, err)
	}
	defer s.onUI(func() { s.forgetClip(sum) })
	s.clipsMu.Lock()
	defer s.clipsMu.Unlock()
	if errors.Is(err, library.ErrNotFound) {
		if s.damaged[sum] {
			return errors.New(damagedText(shot)) // another check moved it aside a moment ago
		}
		return fmt.Errorf("the clip of shot %d is gone; render it again", shot)
	}
	to, merr := blobs.MoveAside(sum)
	if merr != nil && !errors.Is(merr, os.ErrNotExist) {
		return fmt.Errorf("shot %d: %w", shot, merr)
	}
	s.deps.Log.Warn("studio", "damaged clip", err, "moved to", to)
	s.damaged[sum] = true
	return errors.New(damagedText(shot))
}

// forgetClip drops a clip that is no longer there from the views.
func (s *Studio) forgetClip(sum string) {
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

// clipsChanged refreshes what shows clips: thumbnails, the player.
func (s *Studio) clipsChanged() {
	s.timeline.clipsChanged()
	s.player.projectChanged()
	s.library.projectChanged()
}

// watchQueue follows the render queue: job changes go to the queue panel
// and the timeline's render status, finished clips into the clip cache.
//
// Jobs report progress many times a second, and the UI goroutine runs one
// queued function per frame when it is busy drawing: handing it every
// event would leave everything else (a dialog's contents, the wizard's
// devices) waiting behind a backlog of stale progress. So events are
// folded: each job's latest change waits in pending, and one function at
// a time is queued to show them all.
func (s *Studio) watchQueue() {
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
			s.queue.jobChanged(j)
			s.timeline.jobChanged(j)
		}
		if done {
			s.clipsChanged()
		}
	}
	unsubscribe := s.deps.Queue.Subscribe(func(j render.Job) {
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
			s.onUI(flush)
		}
	})
	context.AfterFunc(s.ctx, unsubscribe)
}
