package projectsync

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/account/client"
	"github.com/slatestudio/slate/internal/clock"
	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/sharing"
)

// DefaultEvery is how often Run syncs when nothing wakes it sooner: the
// change feed is read this often, so an edit on one device shows on
// another within a few seconds.
const DefaultEvery = 2 * time.Second

// maxBackoff is the longest Run waits between tries while the server
// cannot be reached.
const maxBackoff = 30 * time.Second

// Options configures an Engine.
type Options struct {
	Library *library.Library
	// Sharing is the logged-in session; its Options.OnChange must hand
	// the feed's project and clip entries to the Engine's OnChange.
	Sharing *sharing.Service
	// Apply runs fn on the document of the project projectID: the
	// studio's open one when it is open there, so that its window and
	// undo history follow. Nil opens it from the library each time.
	Apply func(ctx context.Context, projectID string, fn func(*library.Document) error) error
	Clock clock.Clock
	// Logger hears what went wrong in the background.
	Logger *slog.Logger
	// Every is how often Run syncs; 0 is DefaultEvery.
	Every time.Duration
	// OnSync hears every pass's consent sync report (sharing.Service.Sync)
	// and the pass's error, for the studio's account status line.
	OnSync func(sharing.Report, error)
}

// Engine keeps a library's projects and clips in step with the account
// server. Its methods are safe to call from several goroutines.
type Engine struct {
	lib     *library.Library
	share   *sharing.Service
	apply   func(ctx context.Context, projectID string, fn func(*library.Document) error) error
	clock   clock.Clock
	log     *slog.Logger
	every   time.Duration
	onSync  func(sharing.Report, error)
	changed chan struct{}
	kick    chan struct{}

	projMu sync.Mutex // one pass over the projects at a time
	xferMu sync.Mutex // one pass over the transfers at a time

	mu sync.Mutex
	// remote is the latest revision the feed or a listing told of, by
	// project; a project whose remote revision is above the library's is
	// pulled.
	remote map[string]account.ProjectRevision
	// clipsOf lists the projects whose clips on the server should be
	// looked at: told by the feed, or pulled.
	clipsOf map[string]bool
	// listedAt is when the server's list of projects was last read.
	listedAt time.Time
	// filmsDue says the server's films are to be looked at (films.go),
	// after the projects were listed.
	filmsDue bool
	// moving is the transfers in flight, by sha256.
	moving map[string]*moving
	// failed is when each transfer last failed, so it waits before the
	// next try; errs says why, in a filmmaker's words.
	failed map[string]time.Time
	errs   map[string]string
	// conflicts are the conflict copies made, by project: the copy's
	// title, shown until the project's next edit here.
	conflicts map[string]conflictMark
	// busy is the projects being sent or fetched now.
	busy map[string]State
	// offline is why the server could not be reached at the last try;
	// empty when it could.
	offline string
	// lastErr is the last pass's other failure, for Status.
	lastErr string
	notices []Notice
	// cancelXfer stops the transfer in flight (Pause).
	cancelXfer context.CancelFunc
}

type moving struct {
	dir, project string
	done, total  int64
}

type conflictMark struct {
	title string
	edits int64 // the project's edits count when it was made
}

// New returns an Engine over o.Library and o.Sharing. Nothing runs until
// Run or SyncNow.
func New(o Options) *Engine {
	e := &Engine{lib: o.Library, share: o.Sharing, apply: o.Apply, clock: clock.Or(o.Clock), log: o.Logger,
		every: cmp.Or(o.Every, DefaultEvery), onSync: o.OnSync,
		changed: make(chan struct{}, 1), kick: make(chan struct{}, 1),
		remote: map[string]account.ProjectRevision{}, clipsOf: map[string]bool{},
		moving: map[string]*moving{}, failed: map[string]time.Time{}, errs: map[string]string{},
		conflicts: map[string]conflictMark{}, busy: map[string]State{}}
	if e.log == nil {
		e.log = slog.Default()
	}
	if e.apply == nil {
		e.apply = e.applyFromLibrary
	}
	return e
}

// applyFromLibrary is Apply when no studio holds the project open.
func (e *Engine) applyFromLibrary(ctx context.Context, id string, fn func(*library.Document) error) error {
	d, err := e.lib.OpenProject(ctx, id)
	if err != nil {
		return err
	}
	return fn(d)
}

// OnChange takes the change feed's project and clip entries from
// sharing.Service.Sync: the project's newer revision is noted to be
// pulled, a clip's project to have its clips looked at. Give it to
// sharing.Options.OnChange.
func (e *Engine) OnChange(ctx context.Context, ch account.Change) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	switch ch.Kind {
	case account.ChangeProject:
		if r, ok := e.remote[ch.Project]; !ok || r.Rev < ch.Rev {
			e.remote[ch.Project] = account.ProjectRevision{Project: ch.Project, Rev: ch.Rev, DeviceID: ch.DeviceID}
		}
	case account.ChangeClip:
		e.clipsOf[ch.Project] = true
	}
	return nil
}

// Kick wakes Run for work that should reach the server soon: a local edit.
func (e *Engine) Kick() {
	select {
	case e.kick <- struct{}{}:
	default:
	}
}

// Changed ticks whenever any status may have changed.
func (e *Engine) Changed() <-chan struct{} { return e.changed }

func (e *Engine) tick() {
	select {
	case e.changed <- struct{}{}:
	default:
	}
}

// Notices are the conflict copies made since the last call, each handed
// out once.
func (e *Engine) Notices() []Notice {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := e.notices
	e.notices = nil
	return n
}

// Pause stops sync, across restarts: no transfer runs and nothing is
// sent until Resume. A transfer in flight stops where it is and resumes
// from there.
func (e *Engine) Pause(ctx context.Context) error {
	if err := e.lib.SetSyncPaused(ctx, true); err != nil {
		return err
	}
	e.mu.Lock()
	if e.cancelXfer != nil {
		e.cancelXfer()
	}
	e.mu.Unlock()
	e.tick()
	return nil
}

// Resume starts sync again after Pause.
func (e *Engine) Resume(ctx context.Context) error {
	if err := e.lib.SetSyncPaused(ctx, false); err != nil {
		return err
	}
	e.mu.Lock()
	clear(e.failed) // what failed is tried again at once
	e.mu.Unlock()
	e.tick()
	e.Kick()
	return nil
}

// Run syncs every Options.Every, and at once when kicked, until ctx
// ends: projects in one loop, clip transfers in another, so that a large
// clip never holds up an edit. While the server cannot be reached it
// tries less often, up to every 30 s.
func (e *Engine) Run(ctx context.Context) {
	xfer := make(chan struct{}, 1)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		e.runTransfers(ctx, xfer)
	}()
	defer wg.Wait()
	wait := e.every
	for {
		if _, ok := e.share.Account(); ok {
			err := e.syncProjects(ctx)
			if ctx.Err() != nil {
				return
			}
			if err != nil && !isOffline(err) && !errors.Is(err, sharing.ErrNotLoggedIn) {
				e.log.Warn("project sync", "err", err)
			}
			if isOffline(err) {
				wait = min(wait*2, maxBackoff)
			} else {
				wait = e.every
			}
			select {
			case xfer <- struct{}{}:
			default:
			}
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		case <-e.kick:
			t.Stop()
		}
	}
}

// runTransfers moves clips whenever the project loop has run.
func (e *Engine) runTransfers(ctx context.Context, wake <-chan struct{}) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-wake:
		}
		if err := e.transfers(ctx, ""); err != nil && ctx.Err() == nil && !isOffline(err) && !errors.Is(err, errPaused) {
			e.log.Warn("clip sync", "err", err)
		}
	}
}

// SyncNow makes one full pass: consent and the change feed, projects
// out and in, and every clip transfer, before it returns. It returns
// sharing.ErrNotLoggedIn when logged out.
func (e *Engine) SyncNow(ctx context.Context) error {
	if err := e.syncProjects(ctx); err != nil {
		return err
	}
	err := e.transfers(ctx, "")
	if errors.Is(err, errPaused) {
		return nil
	}
	return err
}

// errPaused stops a pass's transfers when sync is paused.
var errPaused = errors.New("sync is paused")

// client is the logged-in client.
func (e *Engine) client() (*client.Client, error) { return e.share.Client() }

// isOffline says whether err is the server not being reached (no answer
// at all), rather than an answer.
func isOffline(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, sharing.ErrNotLoggedIn) {
		return false
	}
	var ce *client.Error
	if errors.As(err, &ce) {
		return ce.Status >= 500 && ce.Status != 507 || ce.Status == 429 || ce.Status == 408
	}
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}

// noted records how a pass went with the server, for Status.
func (e *Engine) noted(err error) {
	e.mu.Lock()
	switch {
	case err == nil:
		e.offline, e.lastErr = "", ""
	case isOffline(err):
		e.offline = "the account server cannot be reached; changes wait here and go out when it can"
	case errors.Is(err, sharing.ErrNotLoggedIn), errors.Is(err, context.Canceled):
	default:
		e.offline, e.lastErr = "", err.Error()
	}
	e.mu.Unlock()
	e.tick()
}

// ended hands a server error through the sharing service, so that an
// ended session is forgotten.
func (e *Engine) ended(ctx context.Context, err error) error {
	if err != nil {
		e.share.Ended(ctx, err)
	}
	return err
}

// deviceName is the name of this device, for conflict copies.
func (e *Engine) deviceName(ctx context.Context) string {
	name, err := e.share.DeviceName(ctx)
	if err != nil || name == "" {
		return "this computer"
	}
	return name
}

// copyTitle is a conflict copy's title: "The Kite (from laptop, 7 Dec
// 14:02)", in local time.
func copyTitle(title, device string, at time.Time) string {
	return fmt.Sprintf("%s (from %s, %s)", title, device, at.Local().Format("2 Jan 15:04"))
}
