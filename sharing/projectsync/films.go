package projectsync

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/account/client"
	"github.com/slatestudio/slate/library"
)

// Exported films sync like clips (the same tus upload, the same consent
// gate), but they are not filed with the project on the server: another
// device finds them in the account's storage list (GET /storage), read
// when the projects are listed (on the first pass and every minute).

// queueFilms queues a download of each film on the server whose project
// is in the library and which this device lacks.
func (e *Engine) queueFilms(ctx context.Context, c *client.Client) error {
	e.mu.Lock()
	due := e.filmsDue
	e.mu.Unlock()
	if !due {
		return nil
	}
	st, err := c.Storage(ctx)
	if err != nil {
		return e.ended(ctx, fmt.Errorf("list the films on the server: %w", err))
	}
	infos, err := e.lib.Projects(ctx)
	if err != nil {
		return err
	}
	removed, err := e.removedClips(ctx)
	if err != nil {
		return err
	}
	for _, it := range st.Items {
		if it.Kind != account.BlobFilm || it.SHA256 == "" || removed[it.SHA256] ||
			!slices.ContainsFunc(infos, func(pi library.ProjectInfo) bool { return pi.ID == it.Project }) {
			continue
		}
		have, err := e.lib.Films(ctx, it.Project)
		if err != nil {
			return err
		}
		if slices.ContainsFunc(have, func(f library.Film) bool { return f.SHA256 == it.SHA256 }) {
			continue
		}
		if err := e.lib.QueueTransfer(ctx, library.Transfer{SHA256: it.SHA256, Direction: down, Kind: account.BlobFilm, Project: it.Project, Size: it.Size}); err != nil {
			return err
		}
	}
	e.mu.Lock()
	e.filmsDue = false
	e.mu.Unlock()
	return nil
}

// fileFilm records a film fetched into the blob store as its project's,
// named after the project, unless the project went or the film's use was
// removed meanwhile: then its copy is not kept.
func (e *Engine) fileFilm(ctx context.Context, t library.Transfer) error {
	p, s, err := e.lib.ProjectSnapshot(ctx, t.Project)
	if err != nil && !errors.Is(err, library.ErrNotFound) {
		return err
	}
	removed, rerr := e.removedClips(ctx)
	if rerr != nil {
		return rerr
	}
	if err == nil && !s.Deleted && !removed[t.SHA256] {
		if err := e.lib.AddRemoteFilm(ctx, library.Film{ProjectID: t.Project, SHA256: t.SHA256, Name: p.Title + ".mp4", Size: t.Size}); err != nil {
			return err
		}
	} else if films, err := e.lib.FilmsOf(ctx, t.SHA256); err == nil && len(films) == 0 {
		if cl, err := e.lib.ClipsOf(ctx, t.SHA256); err == nil && len(cl) == 0 {
			e.lib.Blobs().Remove(t.SHA256)
		}
	}
	e.tick()
	t.State, t.Done, t.Err = done, t.Size, ""
	return e.lib.SaveTransfer(ctx, t)
}
