package projectsync

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/account/client"
	"github.com/slatestudio/slate/library"
)

// retryFailed is how long a transfer that failed waits before it is
// tried again (Resume and Pull try at once).
const retryFailed = 30 * time.Second

// Transfer directions and states, as the library keeps them.
const (
	up, down       = "up", "down"
	waiting, done  = "waiting", "done"
	failedTransfer = "failed"
)

// queueClips looks at the clips on the server of the projects the feed
// or a pull named, and queues a download of each this device lacks; one
// whose file is here already is filed at once.
func (e *Engine) queueClips(ctx context.Context, c *client.Client) error {
	e.mu.Lock()
	var ids []string
	for id, want := range e.clipsOf {
		if want {
			ids = append(ids, id)
		}
	}
	e.mu.Unlock()
	for _, id := range ids {
		if err := e.queueProjectClips(ctx, c, id); err != nil {
			return err
		}
		e.mu.Lock()
		delete(e.clipsOf, id)
		e.mu.Unlock()
	}
	return nil
}

func (e *Engine) queueProjectClips(ctx context.Context, c *client.Client, id string) error {
	if _, s, err := e.lib.ProjectSnapshot(ctx, id); errors.Is(err, library.ErrNotFound) || err == nil && s.Deleted {
		return nil // not here: its clips have no project to go in
	} else if err != nil {
		return err
	}
	remote, err := c.Clips(ctx, id)
	if client.StatusOf(err) == http.StatusNotFound {
		return nil
	}
	if err != nil {
		return e.ended(ctx, fmt.Errorf("list the clips of project %s on the server: %w", id, err))
	}
	_, err = e.fileClips(ctx, id, remote, "")
	return err
}

// fileClips files the server's clips of a project whose blobs are here
// and not yet filed (only those of blob sum, when given), and queues a
// download of the others. It returns how many it filed.
func (e *Engine) fileClips(ctx context.Context, id string, remote []account.ProjectClip, sum string) (int, error) {
	have, err := e.lib.ProjectClips(ctx, id)
	if err != nil {
		return 0, err
	}
	filed := map[[2]string]string{}
	for _, cl := range have {
		filed[[2]string{cl.ShotID, cl.Key}] = cl.SHA256
	}
	removed, err := e.removedClips(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, rc := range remote {
		if sum != "" && rc.SHA256 != sum || filed[[2]string{rc.Shot, rc.Key}] == rc.SHA256 || removed[rc.SHA256] {
			continue
		}
		if !e.lib.Blobs().Has(rc.SHA256) {
			if err := e.lib.QueueTransfer(ctx, library.Transfer{SHA256: rc.SHA256, Direction: down, Kind: account.BlobClip, Project: id, Size: rc.Size}); err != nil {
				return n, err
			}
			continue
		}
		err := e.lib.AddRemoteClip(ctx, library.Clip{ProjectID: id, ShotID: rc.Shot, Key: rc.Key, SHA256: rc.SHA256, Size: rc.Size,
			Backend: rc.Backend, Width: rc.Width, Height: rc.Height, FPS: rc.FPS, Frames: rc.Frames, Created: rc.Created})
		if err != nil {
			return n, err
		}
		n++
	}
	if n > 0 {
		e.tick()
	}
	return n, nil
}

// removedClips are the blobs of uses their owners removed: never filed
// or sent again.
func (e *Engine) removedClips(ctx context.Context) (map[string]bool, error) {
	uses, err := e.lib.Uses(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, u := range uses {
		if !u.Removed.IsZero() {
			out[u.SHA256] = true
		}
	}
	return out, nil
}

// transfers runs the transfers waiting, of one project when only is
// set (Pull: tried at once, failed or not), else of all.
func (e *Engine) transfers(ctx context.Context, only string) error {
	e.xferMu.Lock()
	defer e.xferMu.Unlock()
	c, err := e.client()
	if err != nil {
		return err
	}
	ts, err := e.lib.Transfers(ctx)
	if err != nil {
		return err
	}
	for _, t := range ts {
		if only != "" && t.Project != only || only == "" && t.State == failedTransfer {
			continue // failed for good (damaged, gone): said on its card
		}
		if paused, err := e.lib.SyncPaused(ctx); err != nil {
			return err
		} else if paused {
			return errPaused
		}
		e.mu.Lock()
		wait := only == "" && e.clock.Now().Sub(e.failed[t.SHA256+t.Direction]) < retryFailed
		e.mu.Unlock()
		if wait {
			continue
		}
		xctx, cancel := context.WithCancel(ctx)
		e.mu.Lock()
		e.cancelXfer = cancel
		e.mu.Unlock()
		if t.Direction == up {
			err = e.upload(xctx, c, t)
		} else {
			err = e.download(xctx, c, t)
		}
		e.mu.Lock()
		e.cancelXfer = nil
		delete(e.moving, t.SHA256)
		e.mu.Unlock()
		cancel()
		e.tick()
		switch {
		case err == nil:
			e.mu.Lock()
			delete(e.failed, t.SHA256+t.Direction)
			e.mu.Unlock()
			continue
		case ctx.Err() != nil:
			return ctx.Err()
		case xctx.Err() != nil:
			return errPaused // Pause stopped it; it resumes from its saved offset
		case isOffline(err):
			e.noted(err)
			return err
		}
		e.log.Warn("a clip could not be synced", "sha256", t.SHA256, "direction", t.Direction, "err", err)
		e.mu.Lock()
		e.failed[t.SHA256+t.Direction] = e.clock.Now()
		e.errs[t.SHA256] = err.Error()
		e.mu.Unlock()
	}
	return nil
}

// mayUpload says whether a clip may go to the server: consent holds
// across devices, so a clip featuring someone else's cast member goes
// only once each use of it is registered with the server (and never
// once one was removed). A clip with no use features no one else.
func (e *Engine) mayUpload(ctx context.Context, sum string) (ok bool, why string, err error) {
	uses, err := e.lib.Uses(ctx)
	if err != nil {
		return false, "", err
	}
	for _, u := range uses {
		if u.SHA256 != sum {
			continue
		}
		if !u.Removed.IsZero() {
			return false, "its use was removed by the person it features", nil
		}
		if u.ServerID == "" {
			return false, "waits until the account server has the consent it was made under", nil
		}
	}
	return true, "", nil
}

// upload sends one clip with tus, from the offset saved last time, and
// then files it with its projects on the server.
func (e *Engine) upload(ctx context.Context, c *client.Client, t library.Transfer) error {
	ok, why, err := e.mayUpload(ctx, t.SHA256)
	if err != nil {
		return err
	}
	if !ok {
		e.mu.Lock()
		e.errs[t.SHA256] = why
		e.mu.Unlock()
		return nil
	}
	e.mu.Lock()
	delete(e.errs, t.SHA256)
	e.mu.Unlock()
	if mine, err := e.inProjects(ctx, t.SHA256); err != nil {
		return err
	} else if !mine {
		// Queued before the library knew better, for a clip of no
		// project here (one "slate render" made from a .slate file): it
		// would take space on the server that no device could use.
		t.State, t.Err = done, ""
		return e.lib.SaveTransfer(ctx, t)
	}
	e.startMoving(t)
	st := client.UploadState{URL: t.URL, Offset: t.Done}
	save := func(st client.UploadState) error {
		t.URL, t.Done = st.URL, st.Offset
		return e.lib.SaveTransfer(ctx, t)
	}
	err = c.Upload(ctx, e.lib.Blobs().Path(t.SHA256), t.SHA256, t.Kind, t.Project, st, save, e.progress(t.SHA256))
	if errors.Is(err, client.ErrDamaged) {
		// Refused by the server as damaged: if the copy here is damaged,
		// it is moved aside (the shot renders again); else it is sent
		// again next time.
		if verr := e.lib.Blobs().Verify(t.SHA256); errors.Is(verr, library.ErrDamaged) {
			if _, merr := e.lib.Blobs().MoveAside(t.SHA256); merr != nil {
				return merr
			}
			t.State, t.Err = failedTransfer, "the clip was damaged on this computer; render the shot again"
			if t.Kind == account.BlobFilm {
				t.Err = "the film's copy was damaged on this computer; export the film again"
			}
			return e.lib.SaveTransfer(ctx, t)
		}
	}
	if errors.Is(err, os.ErrNotExist) {
		t.State, t.Err = failedTransfer, "the clip is no longer on this computer"
		if t.Kind == account.BlobFilm {
			t.Err = "the film's copy is no longer on this computer"
		}
		return e.lib.SaveTransfer(ctx, t)
	}
	if err != nil {
		return e.ended(ctx, err)
	}
	if t.Kind == account.BlobFilm {
		// The server's storage list is where the other devices find it
		// (queueFilms): a film is not filed with the project's clips.
		t.State, t.Done, t.Err = done, t.Size, ""
		return e.lib.SaveTransfer(ctx, t)
	}
	clips, err := e.lib.ClipsOf(ctx, t.SHA256)
	if err != nil {
		return err
	}
	for _, cl := range clips {
		err := c.PutClip(ctx, cl.ProjectID, account.ProjectClip{Shot: cl.ShotID, Key: cl.Key, SHA256: cl.SHA256, Size: cl.Size,
			Backend: cl.Backend, Width: cl.Width, Height: cl.Height, FPS: cl.FPS, Frames: cl.Frames, Created: cl.Created})
		if client.StatusOf(err) == http.StatusNotFound {
			if _, s, serr := e.lib.ProjectSnapshot(ctx, cl.ProjectID); errors.Is(serr, library.ErrNotFound) || serr == nil && s.Deleted {
				continue // its project was deleted: nothing to file it with
			}
			// Its project is not on the server yet: tried again after the
			// project has gone out (the file is not sent twice).
			return fmt.Errorf("file a clip of project %s on the server: the project is not there yet", cl.ProjectID)
		}
		if err != nil {
			return e.ended(ctx, fmt.Errorf("file a clip on the server: %w", err))
		}
	}
	t.State, t.Done, t.Err = done, t.Size, ""
	return e.lib.SaveTransfer(ctx, t)
}

// inProjects says whether a clip, or a film, is filed with any project
// in the library.
func (e *Engine) inProjects(ctx context.Context, sum string) (bool, error) {
	clips, err := e.lib.ClipsOf(ctx, sum)
	if err != nil {
		return false, err
	}
	films, err := e.lib.FilmsOf(ctx, sum)
	if err != nil {
		return false, err
	}
	ids := make([]string, 0, len(clips)+len(films))
	for _, cl := range clips {
		ids = append(ids, cl.ProjectID)
	}
	for _, f := range films {
		ids = append(ids, f.ProjectID)
	}
	for _, id := range ids {
		_, s, err := e.lib.ProjectSnapshot(ctx, id)
		switch {
		case errors.Is(err, library.ErrNotFound):
		case err != nil:
			return false, err
		case !s.Deleted:
			return true, nil
		}
	}
	return false, nil
}

// download fetches one clip into its partial file (resuming what is
// there), which the client checks against its sha256; it is then moved
// into the blob store and filed with the clips the server lists for it.
func (e *Engine) download(ctx context.Context, c *client.Client, t library.Transfer) error {
	e.mu.Lock()
	delete(e.errs, t.SHA256)
	e.mu.Unlock()
	if !e.lib.Blobs().Has(t.SHA256) {
		e.startMoving(t)
		partial := e.lib.PartialPath(t.SHA256)
		err := c.Download(ctx, t.SHA256, partial, e.progress(t.SHA256))
		if s := client.StatusOf(err); s == http.StatusNotFound || s == http.StatusForbidden {
			// No longer on the server (its use was removed): nothing to
			// fetch.
			os.Remove(partial)
			t.State, t.Err = done, ""
			return e.lib.SaveTransfer(ctx, t)
		}
		if err != nil {
			if fi, serr := os.Stat(partial); serr == nil {
				t.Done = fi.Size()
				e.lib.SaveTransfer(ctx, t)
			}
			return e.ended(ctx, err)
		}
		sum, _, err := e.lib.Blobs().Adopt(ctx, partial)
		if err != nil {
			return err
		}
		if sum != t.SHA256 {
			return fmt.Errorf("a clip from the server changed on this computer while it was being stored (%s, not %s); it is fetched again", sum, t.SHA256)
		}
	}
	if t.Kind == account.BlobFilm {
		return e.fileFilm(ctx, t)
	}
	var remote []account.ProjectClip
	if _, s, err := e.lib.ProjectSnapshot(ctx, t.Project); err == nil && !s.Deleted {
		remote, err = c.Clips(ctx, t.Project)
		if err != nil && client.StatusOf(err) != http.StatusNotFound {
			return e.ended(ctx, err)
		}
	} else if err != nil && !errors.Is(err, library.ErrNotFound) {
		return err
	}
	// A project deleted here meanwhile files nothing.
	n, err := e.fileClips(ctx, t.Project, remote, t.SHA256)
	if err != nil {
		return err
	}
	if n == 0 {
		// Nothing names it any more (its use was removed meanwhile): it
		// is not kept.
		if cl, err := e.lib.ClipsOf(ctx, t.SHA256); err == nil && len(cl) == 0 {
			e.lib.Blobs().Remove(t.SHA256)
		}
	}
	t.State, t.Done, t.Err = done, t.Size, ""
	return e.lib.SaveTransfer(ctx, t)
}

func (e *Engine) startMoving(t library.Transfer) {
	e.mu.Lock()
	e.moving[t.SHA256] = &moving{dir: t.Direction, project: t.Project, done: t.Done, total: t.Size}
	e.mu.Unlock()
	e.tick()
}

// progress follows a transfer's bytes, for Status.
func (e *Engine) progress(sum string) func(done, total int64) {
	return func(done, total int64) {
		e.mu.Lock()
		if m := e.moving[sum]; m != nil {
			m.done, m.total = done, total
		}
		e.mu.Unlock()
		e.tick()
	}
}

// Pull fetches a project and every one of its clips now, whatever
// the schedule: for a project opened, played or exported here.
func (e *Engine) Pull(ctx context.Context, projectID string) error {
	c, err := e.client()
	if err != nil {
		return err
	}
	if paused, err := e.lib.SyncPaused(ctx); err != nil {
		return err
	} else if paused {
		return errors.New("sync is paused; resume it first (slate sync resume, or Resume sync in the studio)")
	}
	e.projMu.Lock()
	err = e.pull(ctx, c, projectID)
	if err == nil {
		err = e.queueProjectClips(ctx, c, projectID)
	}
	e.projMu.Unlock()
	e.noted(err)
	if err != nil {
		return err
	}
	if err := e.transfers(ctx, projectID); err != nil {
		return err
	}
	// What failed is said, not passed over.
	ts, err := e.lib.Transfers(ctx)
	if err != nil {
		return err
	}
	for _, t := range ts {
		if t.Project == projectID && t.Direction == down {
			e.mu.Lock()
			why := e.errs[t.SHA256]
			e.mu.Unlock()
			return fmt.Errorf("a clip of the project could not be fetched: %s", why)
		}
	}
	return nil
}
