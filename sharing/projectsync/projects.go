package projectsync

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"time"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/account/client"
	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/timeline"
)

// maxPushTries bounds how often one pass sends a project that keeps
// meeting newer revisions: each conflict is merged and sent again.
const maxPushTries = 5

// syncProjects is the projects' part of a pass: consent and the change
// feed (sharing.Service.Sync), then this device's changes out, then the
// other devices' in, then their films and clips queued to be fetched.
func (e *Engine) syncProjects(ctx context.Context) error {
	e.projMu.Lock()
	defer e.projMu.Unlock()
	err := e.projectsPass(ctx)
	e.noted(err)
	return err
}

func (e *Engine) projectsPass(ctx context.Context) error {
	if _, err := e.client(); err != nil {
		return err
	}
	r, err := e.share.Sync(ctx)
	if e.onSync != nil && ctx.Err() == nil {
		e.onSync(r, err)
	}
	if err != nil {
		return err
	}
	c, err := e.client()
	if err != nil {
		return err
	}
	// A use its owner removed: the clip has gone from this device; its
	// file goes from the server too.
	for _, u := range r.Removed {
		if u.SHA256 == "" {
			continue
		}
		if err := c.ForgetBlob(ctx, u.SHA256); err != nil {
			return e.ended(ctx, fmt.Errorf("remove a clip whose use was removed from the server: %w", err))
		}
	}
	if paused, err := e.lib.SyncPaused(ctx); err != nil || paused {
		return err
	}
	if err := e.listRemote(ctx, c); err != nil {
		return err
	}
	if err := e.pushAll(ctx, c); err != nil {
		return err
	}
	if err := e.pullAll(ctx, c); err != nil {
		return err
	}
	if err := e.queueFilms(ctx, c); err != nil {
		return err
	}
	return e.queueClips(ctx, c)
}

// relist is how often the server's list of projects is read again
// besides the feed: the feed's cursor is the library's, and another
// program on the same data folder (slate account sync) can read past a
// project's entry.
const relist = time.Minute

// listRemote reads the server's list of projects after start, so that
// what changed while this device was away (or before it logged in) is
// pulled even if the feed was read past it, and again every minute; in
// between the feed tells. The clips of every project are looked at after
// the first listing.
func (e *Engine) listRemote(ctx context.Context, c *client.Client) error {
	e.mu.Lock()
	first, due := e.listedAt.IsZero(), e.clock.Now().Sub(e.listedAt) >= relist
	e.mu.Unlock()
	if !due {
		return nil
	}
	revs, err := c.Projects(ctx)
	if err != nil {
		return e.ended(ctx, fmt.Errorf("list the projects on the server: %w", err))
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, r := range revs {
		if have, ok := e.remote[r.Project]; !ok || have.Rev < r.Rev {
			e.remote[r.Project] = r
		}
		if first && !r.Deleted {
			e.clipsOf[r.Project] = true
		}
	}
	e.listedAt = e.clock.Now()
	e.filmsDue = true
	return nil
}

// pushAll sends every project changed here.
func (e *Engine) pushAll(ctx context.Context, c *client.Client) error {
	syncs, err := e.lib.ProjectSyncs(ctx)
	if err != nil {
		return err
	}
	for _, s := range syncs {
		if !s.Dirty() {
			continue
		}
		if err := e.push(ctx, c, s.Project); err != nil {
			return err
		}
	}
	return nil
}

// push sends one project's changes as a new revision on the one this
// device last had. A newer revision on the server is merged in here and
// the merge sent again.
func (e *Engine) push(ctx context.Context, c *client.Client, id string) error {
	var onDeleted int64 // the server's deletion an edit here is sent on top of
	for try := 0; try < maxPushTries; try++ {
		p, s, err := e.lib.ProjectSnapshot(ctx, id)
		if errors.Is(err, library.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if !s.Dirty() {
			return nil
		}
		e.setBusy(id, Uploading)
		put := account.PutProject{BaseRev: max(s.ServerRev, onDeleted), Title: s.Title}
		var doc []byte
		if s.Deleted {
			if s.ServerRev == 0 {
				// Never sent: the server has nothing to delete.
				return e.lib.MarkProjectSynced(ctx, id, 0, nil, s.Edits)
			}
			put.Deleted = true
		} else {
			if doc, err = timeline.Encode(p); err != nil {
				return fmt.Errorf("send project %q: %w", p.Title, err)
			}
			put.Title, put.Document = p.Title, doc
		}
		rev, err := c.PutProject(ctx, id, put)
		var ce *client.ConflictError
		switch {
		case err == nil:
			if err := e.lib.MarkProjectSynced(ctx, id, rev.Rev, doc, s.Edits); err != nil {
				return err
			}
			e.seen(rev)
			e.setBusy(id, "")
			return nil
		case !errors.As(err, &ce):
			return e.ended(ctx, fmt.Errorf("send project %q: %w", s.Title, err))
		}
		cur := ce.Current
		e.seen(cur)
		switch {
		case s.Deleted && cur.Deleted:
			return e.lib.MarkProjectSynced(ctx, id, cur.Rev, nil, s.Edits)
		case s.Deleted:
			// Changed on another device after it was deleted here: the
			// change wins, so nothing made there is lost; the project
			// comes back.
			theirs, err := decodeRev(cur)
			if err != nil {
				return err
			}
			if err := e.lib.AddRemoteProject(ctx, theirs, cur.Rev, cur.Document); err != nil {
				return err
			}
			e.wantClips(id)
			return nil
		case cur.Deleted:
			// Deleted on another device while edited here: kept, and
			// sent back on top of the deletion.
			onDeleted = cur.Rev
			continue
		}
		if err := e.merge(ctx, id, cur); err != nil && !errors.Is(err, library.ErrNotFound) {
			return err
		}
	}
	return nil
}

// pullAll brings in the projects whose revision on the server is newer
// than this device's.
func (e *Engine) pullAll(ctx context.Context, c *client.Client) error {
	e.mu.Lock()
	remote := maps.Clone(e.remote)
	e.mu.Unlock()
	syncs, err := e.lib.ProjectSyncs(ctx)
	if err != nil {
		return err
	}
	local := make(map[string]library.ProjectSync, len(syncs))
	for _, s := range syncs {
		local[s.Project] = s
	}
	for id, r := range remote {
		if s, ok := local[id]; ok && r.Rev <= s.ServerRev {
			e.forget(id, r.Rev)
			continue
		}
		if err := e.pull(ctx, c, id); err != nil {
			return err
		}
	}
	return nil
}

// pull brings in the server's latest revision of project id.
func (e *Engine) pull(ctx context.Context, c *client.Client, id string) error {
	cur, err := c.Project(ctx, id)
	if client.StatusOf(err) == http.StatusNotFound {
		e.forget(id, 0)
		return nil
	}
	if err != nil {
		return e.ended(ctx, fmt.Errorf("fetch project %s: %w", id, err))
	}
	_, s, err := e.lib.ProjectSnapshot(ctx, id)
	have := err == nil
	if err != nil && !errors.Is(err, library.ErrNotFound) {
		return err
	}
	if have && cur.Rev <= s.ServerRev {
		e.forget(id, cur.Rev)
		return nil
	}
	e.setBusy(id, Downloading)
	defer e.setBusy(id, "")
	switch {
	case !have || s.Deleted && !s.Dirty():
		if cur.Deleted {
			if !have {
				// Made and deleted elsewhere: nothing to show, but known.
				err = e.lib.DeleteRemoteProject(ctx, id, cur.Rev)
			} else {
				err = e.lib.MarkProjectSynced(ctx, id, cur.Rev, nil, s.Edits)
			}
			break
		}
		theirs, derr := decodeRev(cur)
		if derr != nil {
			return derr
		}
		err = e.lib.AddRemoteProject(ctx, theirs, cur.Rev, cur.Document)
		e.wantClips(id)
	case s.Deleted:
		// Deleted here and not yet sent: the next push meets this
		// revision and decides.
		return nil
	case cur.Deleted:
		err = e.apply(ctx, id, func(d *library.Document) error {
			_, s, err := e.lib.ProjectSnapshot(ctx, id)
			if err != nil || s.Dirty() {
				return err // edited here: kept, and sent back by the next push
			}
			return e.lib.DeleteRemoteProject(ctx, id, cur.Rev)
		})
	default:
		err = e.merge(ctx, id, cur)
		e.wantClips(id)
	}
	if err != nil {
		return err
	}
	e.forget(id, cur.Rev)
	return nil
}

// merge brings the server's revision cur into the project: taken as it
// is when nothing changed here since the last sync, else merged three
// ways with the last synced revision as base. Where both changed the same
// field the later change is kept, and the other side's whole version is
// kept beside it as a conflict copy, with a notice. It runs through
// Apply, as one undoable step on the document.
func (e *Engine) merge(ctx context.Context, id string, cur account.ProjectRevision) error {
	theirs, err := decodeRev(cur)
	if err != nil {
		return err
	}
	theirsDoc, err := timeline.Encode(theirs)
	if err != nil {
		return err
	}
	from := cmp.Or(cur.Device, "another device")
	step := "Changes from " + from
	var notice *Notice
	var copyOf string // the conflict copy's title
	err = e.apply(ctx, id, func(d *library.Document) error {
		// Read under Apply: the studio edits on the goroutine this runs
		// on, so nothing changes between this read and the save.
		_, s, err := e.lib.ProjectSnapshot(ctx, id)
		if err != nil {
			return err
		}
		mine := d.Project()
		if !s.Dirty() {
			if now, err := timeline.Encode(mine); err == nil && bytes.Equal(now, theirsDoc) {
				return e.lib.MarkProjectSynced(ctx, id, cur.Rev, cur.Document, s.Edits)
			}
			_, err := d.SyncWith(ctx, timeline.Become(step, theirs), cur.Rev, cur.Document, true)
			return err
		}
		var base *timeline.Project
		if len(s.Base) > 0 {
			if base, err = timeline.Decode(id+".slate", s.Base); err != nil {
				return fmt.Errorf("merge project %q: the last synced version: %w", mine.Title, err)
			}
			base.ID = id
		}
		mineAt := e.editedAt(ctx, id)
		merged, conflicts := timeline.Merge(base, mine, theirs, mineAt, cur.At)
		if len(conflicts) > 0 {
			// Merge keeps mine on a tie (and when later); the other side
			// is what a copy keeps.
			lost, lostFrom, lostAt := theirs, from, cur.At
			if mineAt.Before(cur.At) {
				lost, lostFrom, lostAt = mine.Clone(), e.deviceName(ctx), mineAt
			}
			cp := timeline.ConflictCopy(lost, copyTitle(lost.Title, lostFrom, lostAt))
			if err := cp.Validate(); err != nil {
				cp.Title = lost.Title // a title too long for the suffix
			}
			if _, err := e.lib.CreateProject(ctx, cp); err != nil {
				return fmt.Errorf("keep a conflict copy of %q: %w", lost.Title, err)
			}
			notice, copyOf = &Notice{Project: id, Copy: cp.ID, Title: merged.Title, From: lostFrom}, cp.Title
			e.log.Info("conflict copy made", "project", id, "copy", cp.ID, "conflicts", fmt.Sprint(conflicts))
		}
		mergedDoc, err := timeline.Encode(merged)
		if err != nil {
			return err
		}
		_, err = d.SyncWith(ctx, timeline.Become(step, merged), cur.Rev, cur.Document, bytes.Equal(mergedDoc, theirsDoc))
		if err == nil && notice != nil {
			e.mu.Lock()
			e.notices = append(e.notices, *notice)
			// SyncWith counted one edit: the mark shows until the next.
			e.conflicts[id] = conflictMark{title: copyOf, edits: s.Edits + 1}
			e.mu.Unlock()
		}
		return err
	})
	if notice != nil {
		e.tick()
	}
	return err
}

// editedAt is when the project was last changed here.
func (e *Engine) editedAt(ctx context.Context, id string) time.Time {
	infos, err := e.lib.Projects(ctx)
	if err == nil {
		for _, pi := range infos {
			if pi.ID == id {
				return pi.UpdatedAt
			}
		}
	}
	return e.clock.Now()
}

func decodeRev(r account.ProjectRevision) (*timeline.Project, error) {
	p, err := timeline.Decode(cmp.Or(r.Title, r.Project)+".slate", r.Document)
	if err != nil {
		return nil, fmt.Errorf("the server's revision %d of project %q: %w", r.Rev, r.Title, err)
	}
	// A .slate file carries no project ID: the revision does.
	p.ID = r.Project
	return p, nil
}

// seen notes a revision the server told of.
func (e *Engine) seen(r account.ProjectRevision) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if have, ok := e.remote[r.Project]; !ok || have.Rev < r.Rev {
		r.Document = nil
		e.remote[r.Project] = r
	}
}

// forget drops a noted revision once this device has it (rev or later).
func (e *Engine) forget(id string, rev int64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if r, ok := e.remote[id]; ok && (rev == 0 || r.Rev <= rev) {
		delete(e.remote, id)
	}
}

// wantClips marks a project whose clips on the server are to be looked
// at.
func (e *Engine) wantClips(id string) {
	e.mu.Lock()
	e.clipsOf[id] = true
	e.mu.Unlock()
}

// setBusy marks a project being sent or fetched; "" clears it.
func (e *Engine) setBusy(id string, st State) {
	e.mu.Lock()
	if st == "" {
		delete(e.busy, id)
	} else {
		e.busy[id] = st
	}
	e.mu.Unlock()
	e.tick()
}
