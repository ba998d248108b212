package library

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/slatestudio/slate/internal/sqlitedb"
)

// Clip is a rendered shot: a blob in the store, found by its render key.
type Clip struct {
	ProjectID, ShotID string
	// Key is the render cache key: equal keys mean equal pixels and sound.
	Key     string
	SHA256  string
	Size    int64
	Backend string
	Width   int
	Height  int
	FPS     int
	Frames  int
	Created time.Time
}

// AddClip registers a clip whose blob is already in the store, and queues
// its upload to the account server in the same transaction when its
// project is in the library. Registering
// the same (project, shot, key) again replaces the row.
func (l *Library) AddClip(ctx context.Context, c Clip) error {
	return l.addClip(ctx, c, true)
}

func (l *Library) addClip(ctx context.Context, c Clip, upload bool) error {
	if !l.blobs.Has(c.SHA256) {
		return fmt.Errorf("register clip for shot %s: blob %s is not in the store", c.ShotID, c.SHA256)
	}
	if c.Created.IsZero() {
		c.Created = l.now()
	}
	err := l.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO clips (project_id, shot_id, key, sha256, size, backend, width, height, fps, frames, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.ProjectID, c.ShotID, c.Key, c.SHA256, c.Size, c.Backend, c.Width, c.Height, c.FPS, c.Frames, unixMilli(c.Created))
		if err != nil || !upload {
			return err
		}
		// Only a clip of a project in the library syncs: one rendered
		// from a .slate file by "slate render" belongs to no project
		// another device could open.
		var inLibrary bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM projects WHERE id = ?)`, c.ProjectID).Scan(&inLibrary); err != nil || !inLibrary {
			return err
		}
		return queueTransfer(ctx, tx, Transfer{SHA256: c.SHA256, Direction: "up", Kind: "clip", Project: c.ProjectID, Size: c.Size}, l.now())
	})
	if err != nil {
		return fmt.Errorf("register clip for shot %s: %w", c.ShotID, err)
	}
	return nil
}

const clipColumns = `project_id, shot_id, key, sha256, size, backend, width, height, fps, frames, created_at`

func scanClip(row sqlitedb.Row) (Clip, error) {
	var c Clip
	var created sql.NullInt64
	err := row.Scan(&c.ProjectID, &c.ShotID, &c.Key, &c.SHA256, &c.Size, &c.Backend, &c.Width, &c.Height, &c.FPS, &c.Frames, &created)
	c.Created = fromMilli(created)
	return c, err
}

// ClipByKey finds a clip with this render key, from any project, whose
// blob is there and intact: the blob is hashed before the clip is handed
// out for assembly, export or playback. A row whose blob has gone missing
// is not a hit. Nor is one whose blob no longer matches its sum: that
// blob is moved aside (Blobs.MoveAside), and when no intact clip is found
// the error is a *DamagedError, matching ErrDamaged, so the caller can
// say so and render the shot again.
func (l *Library) ClipByKey(ctx context.Context, key string) (Clip, bool, error) {
	// The rows are read first: hashing a clip must not hold the one
	// database connection.
	found, err := sqlitedb.All(ctx, l.db, scanClip, `SELECT `+clipColumns+` FROM clips WHERE key = ? ORDER BY created_at DESC`, key)
	if err != nil {
		return Clip{}, false, fmt.Errorf("look up clip: %w", err)
	}
	var damaged error
	for _, c := range found {
		err := l.blobs.Verify(c.SHA256)
		switch {
		case err == nil:
			return c, true, nil
		case errors.Is(err, ErrNotFound):
			continue
		case errors.Is(err, ErrDamaged):
			to, merr := l.blobs.MoveAside(c.SHA256)
			if merr != nil {
				return Clip{}, false, fmt.Errorf("look up clip: %w", merr)
			}
			damaged = &DamagedError{SHA256: c.SHA256, MovedTo: to, Err: err}
		default:
			return Clip{}, false, fmt.Errorf("look up clip: %w", err)
		}
	}
	return Clip{}, false, damaged
}

// ShotClips lists the clips made for a shot, newest first.
func (l *Library) ShotClips(ctx context.Context, projectID, shotID string) ([]Clip, error) {
	out, err := sqlitedb.All(ctx, l.db, scanClip, `SELECT `+clipColumns+` FROM clips WHERE project_id = ? AND shot_id = ? ORDER BY created_at DESC`, projectID, shotID)
	if err != nil {
		return nil, fmt.Errorf("list clips: %w", err)
	}
	return out, nil
}

// DeleteClip unregisters a clip and removes its blob when no other clip
// uses it.
func (l *Library) DeleteClip(ctx context.Context, c Clip) error {
	var others int
	err := l.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM clips WHERE project_id = ? AND shot_id = ? AND key = ?`, c.ProjectID, c.ShotID, c.Key)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return tx.QueryRowContext(ctx, `SELECT count(*) FROM clips WHERE sha256 = ?`, c.SHA256).Scan(&others)
	})
	if errors.Is(err, ErrNotFound) {
		return fmt.Errorf("delete clip for shot %s: %w", c.ShotID, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("delete clip for shot %s: %w", c.ShotID, err)
	}
	if others == 0 {
		return l.blobs.Remove(c.SHA256)
	}
	return nil
}
