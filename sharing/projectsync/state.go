package projectsync

import (
	"context"

	"github.com/slatestudio/slate/library"
)

// Status is where the whole studio stands: Off when logged out, Paused,
// Waiting while the server cannot be reached, Uploading or Downloading
// with the bytes of the transfers in flight, Failed with what went wrong,
// else Synced. Pending counts the projects and clips still to go.
func (e *Engine) Status(ctx context.Context) (Status, error) {
	syncs, ts, paused, err := e.read(ctx)
	if err != nil {
		return Status{}, err
	}
	var st Status
	for _, s := range syncs {
		if s.Dirty() {
			st.Pending++
		}
	}
	for _, t := range ts {
		if t.State != failedTransfer {
			st.Pending++
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, m := range e.moving {
		st.Done += m.done
		st.Total += m.total
		if m.dir == down && st.State == "" {
			st.State = Downloading
		} else {
			st.State = Uploading
		}
	}
	for _, b := range e.busy {
		if st.State == "" {
			st.State = b
		}
	}
	switch _, in := e.share.Account(); {
	case !in:
		return Status{State: Off, Pending: st.Pending}, nil
	case paused:
		st.State = Paused
	case e.offline != "":
		st.State, st.Err = Waiting, e.offline
	case e.lastErr != "":
		st.State, st.Err = Failed, e.lastErr
	case st.State == "" && st.Pending > 0:
		st.State = Uploading
	case st.State == "":
		st.State = Synced
	}
	return st, nil
}

// read is what the statuses are made from.
func (e *Engine) read(ctx context.Context) ([]library.ProjectSync, []library.Transfer, bool, error) {
	syncs, err := e.lib.ProjectSyncs(ctx)
	if err != nil {
		return nil, nil, false, err
	}
	ts, err := e.lib.Transfers(ctx)
	if err != nil {
		return nil, nil, false, err
	}
	paused, err := e.lib.SyncPaused(ctx)
	return syncs, ts, paused, err
}

// Projects is where each project in the library stands, by project ID:
// Conflict (with the copy's title) until its next edit here after a
// conflict copy was made, Paused, Waiting, Uploading with its clips'
// bytes ("uploading 42 %"), Downloading, Failed, or Synced.
func (e *Engine) Projects(ctx context.Context) (map[string]Status, error) {
	syncs, ts, paused, err := e.read(ctx)
	if err != nil {
		return nil, err
	}
	_, in := e.share.Account()
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make(map[string]Status, len(syncs))
	for _, s := range syncs {
		if s.Deleted {
			continue
		}
		var st Status
		if s.Dirty() {
			st.Pending++
		}
		for _, t := range ts {
			if t.Project != s.Project {
				continue
			}
			if t.State == failedTransfer {
				st.Err = t.Err
				continue
			}
			st.Pending++
			if m := e.moving[t.SHA256]; m != nil {
				st.Done += m.done
				st.Total += m.total
				st.State = Uploading
				if m.dir == down {
					st.State = Downloading
				}
			} else if why := e.errs[t.SHA256]; why != "" && st.Err == "" {
				st.Err = why
			}
		}
		if b, ok := e.busy[s.Project]; ok && st.State == "" {
			st.State = b
		}
		c, conflict := e.conflicts[s.Project]
		if conflict && s.Edits > c.edits {
			delete(e.conflicts, s.Project)
			conflict = false
		}
		switch {
		case !in:
			st = Status{State: Off, Pending: st.Pending}
		case conflict:
			st.State, st.Conflict = Conflict, c.title
		case paused:
			st.State = Paused
		case st.Pending > 0 && e.offline != "":
			st.State, st.Err = Waiting, e.offline
		case st.State == "" && st.Pending > 0 && st.Err != "":
			st.State = Failed
		case st.State == "" && st.Pending > 0:
			st.State = Uploading
		case st.State == "":
			st.State = Synced
		}
		out[s.Project] = st
	}
	return out, nil
}

// Clip is where the clip with this sha256 stands: Uploading or
// Downloading with its bytes, Waiting (with why) while it waits for the
// network or for consent, Failed, or Synced when nothing is left to do.
func (e *Engine) Clip(ctx context.Context, sum string) Status {
	ts, err := e.lib.Transfers(ctx)
	if err != nil {
		return Status{State: Failed, Err: err.Error()}
	}
	paused, _ := e.lib.SyncPaused(ctx)
	_, in := e.share.Account()
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, t := range ts {
		if t.SHA256 != sum {
			continue
		}
		st := Status{Pending: 1, Done: t.Done, Total: t.Size}
		switch m := e.moving[sum]; {
		case !in:
			st.State = Off
		case t.State == failedTransfer:
			st.State, st.Err = Failed, t.Err
		case paused:
			st.State = Paused
		case m != nil:
			st.Done, st.Total = m.done, m.total
			st.State = Uploading
			if m.dir == down {
				st.State = Downloading
			}
		case e.offline != "":
			st.State, st.Err = Waiting, e.offline
		default:
			st.State, st.Err = Waiting, e.errs[sum]
		}
		return st
	}
	if !in {
		return Status{State: Off}
	}
	return Status{State: Synced}
}
