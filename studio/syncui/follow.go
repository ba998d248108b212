package syncui

import (
	"context"
	"log/slog"
	"sync"

	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/sharing/projectsync"
	"github.com/slatestudio/slate/studio/session"
)

// Source is sync between devices as the studio reads it and pauses it:
// package sharing/projectsync's Engine.
type Source interface {
	// Status is where the whole studio stands.
	Status(ctx context.Context) (projectsync.Status, error)
	// Projects is where each project stands, by project ID.
	Projects(ctx context.Context) (map[string]projectsync.Status, error)
	// Clip is where the clip with this sha256 stands.
	Clip(ctx context.Context, sum string) projectsync.Status
	// Pause and Resume stop and start sync, until told otherwise.
	Pause(ctx context.Context) error
	Resume(ctx context.Context) error
	// Changed ticks whenever any status changed.
	Changed() <-chan struct{}
	// Notices are the conflict copies made since last asked, each
	// handed out once.
	Notices() []projectsync.Notice
}

// Shot is one shot of the open project, for its clip's status.
type Shot struct {
	ID string
	// Key is the render key of the shot as it is now: the clip whose
	// status its card shows is the one made from it.
	Key string
}

// View is what the studio shows of sync, read afresh after each change.
type View struct {
	Overall projectsync.Status
	// Projects is each project's status, by project ID.
	Projects map[string]projectsync.Status
	// Clips is the status of the clip of each shot of the open project
	// that has one, by shot ID.
	Clips map[string]projectsync.Status
	// Notices are the conflict copies made since the last View, and
	// CopyTitles the copies' titles in the library, by project ID.
	Notices    []projectsync.Notice
	CopyTitles map[string]string
}

// Deps are what a Follower works with.
type Deps struct {
	Source  Source
	Runner  session.Runner
	Library *library.Library
	Log     *slog.Logger
	// Show puts a View on screen; it runs on the UI goroutine.
	Show func(View)
}

// Follower reads the Source's statuses whenever they change, in the
// background, and hands them to Deps.Show.
type Follower struct {
	d    Deps
	kick chan struct{}

	mu      sync.Mutex
	project string
	shots   []Shot
}

// Follow starts following d.Source: a View at once, and one after every
// change, until ctx ends.
func Follow(ctx context.Context, d Deps) *Follower {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	f := &Follower{d: d, kick: make(chan struct{}, 1)}
	go f.run(ctx)
	return f
}

// SetShots tells the follower the open project's shots, and reads again:
// the project was opened or edited. It may be called from any goroutine.
func (f *Follower) SetShots(project string, shots []Shot) {
	f.mu.Lock()
	f.project, f.shots = project, shots
	f.mu.Unlock()
	f.Refresh()
}

// Refresh reads the statuses again, soon.
func (f *Follower) Refresh() {
	select {
	case f.kick <- struct{}{}:
	default: // a read is asked for already
	}
}

// Pause pauses sync (or resumes it), off the UI goroutine; failed is told,
// on the UI goroutine, when it could not be done.
func (f *Follower) Pause(ctx context.Context, pause bool, failed func(error)) {
	session.Background(ctx, f.d.Runner, func(ctx context.Context) (struct{}, error) {
		if pause {
			return struct{}{}, f.d.Source.Pause(ctx)
		}
		return struct{}{}, f.d.Source.Resume(ctx)
	}, func(_ struct{}, err error) {
		if err != nil {
			failed(err)
		}
		f.Refresh()
	})
}

func (f *Follower) run(ctx context.Context) {
	changed := f.d.Source.Changed()
	for {
		v := f.read(ctx)
		if ctx.Err() != nil {
			return
		}
		f.d.Runner.OnUI(func() { f.d.Show(v) })
		select {
		case <-ctx.Done():
			return
		case _, ok := <-changed:
			if !ok {
				changed = nil // no more ticks: only Refresh reads again
			}
		case <-f.kick:
		}
	}
}

// read asks the Source and the library for what the screen shows. What
// cannot be read is left out (and logged): the screen says less, never
// something untrue.
func (f *Follower) read(ctx context.Context) View {
	src := f.d.Source
	var v View
	var err error
	if v.Overall, err = src.Status(ctx); err != nil {
		f.d.Log.Warn("sync status", "err", err)
	}
	if v.Projects, err = src.Projects(ctx); err != nil {
		f.d.Log.Warn("sync status of the projects", "err", err)
	}
	f.mu.Lock()
	project, shots := f.project, f.shots
	f.mu.Unlock()
	v.Clips = map[string]projectsync.Status{}
	for _, sh := range shots {
		if sh.Key == "" {
			continue
		}
		clips, err := f.d.Library.ShotClips(ctx, project, sh.ID)
		if err != nil {
			f.d.Log.Warn("sync status of a clip", "shot", sh.ID, "err", err)
			continue
		}
		for _, c := range clips {
			if c.Key == sh.Key {
				v.Clips[sh.ID] = src.Clip(ctx, c.SHA256)
				break
			}
		}
	}
	v.Notices = src.Notices()
	if len(v.Notices) > 0 {
		v.CopyTitles = map[string]string{}
		all, err := f.d.Library.Projects(ctx)
		if err != nil {
			f.d.Log.Warn("the conflict copies' titles", "err", err)
		}
		for _, p := range all {
			v.CopyTitles[p.ID] = p.Title
		}
	}
	return v
}
