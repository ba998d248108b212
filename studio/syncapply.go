package studio

import (
	"context"
	"slices"

	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/studio/session"
	"github.com/slatestudio/slate/timeline"
)

// ApplyToProject runs fn on the open project's document, on the UI
// goroutine, when the project open is projectID, and then shows what
// changed; open is false, and fn is not run, when another project is open
// (or the studio has closed). Project sync brings other devices' changes
// in through here, so that the window and its undo history follow them.
// It may be called from any goroutine, and waits for fn.
func (s *Studio) ApplyToProject(ctx context.Context, projectID string, fn func(*library.Document) error) (open bool, err error) {
	type result struct {
		open bool
		err  error
	}
	done := make(chan result, 1)
	s.session.OnUI(func() {
		if s.quitting || s.Project().ID != projectID {
			done <- result{}
			return
		}
		before := shotIDs(s.Project())
		err := fn(s.session.Document())
		after := shotIDs(s.Project())
		s.session.Reloaded(ctx, timeline.Change{Project: true, Saved: after, Placed: after,
			Removed: slices.DeleteFunc(before, func(id string) bool { return slices.Contains(after, id) })})
		done <- result{true, err}
	})
	select {
	case r := <-done:
		return r.open, r.err
	case <-s.stopped:
		return false, nil
	case <-ctx.Done():
		return false, ctx.Err()
	}
}

// OnEdit calls f after every edit, undo or redo of the open project, on
// the UI goroutine: project sync sends it at once rather than at its next
// round.
func (s *Studio) OnEdit(f func()) {
	s.session.Listen(session.Listener{ProjectChanged: func(timeline.Change) { f() }})
}

func shotIDs(p *timeline.Project) []string {
	ids := make([]string, len(p.Shots))
	for i, sh := range p.Shots {
		ids[i] = sh.ID
	}
	return ids
}
