package projects

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"time"

	"github.com/slatestudio/slate/account"
)

// putClip files a rendered clip under a project (a shot and its render
// key), so that the account's other devices fetch it. The account must
// hold the clip's blob already, and the clip must not be one whose use the
// person it features removed. Filing the same clip again changes nothing.
func (s *Service) putClip(w http.ResponseWriter, r *http.Request, c Caller) error {
	id, err := projectID(r)
	if err != nil {
		return err
	}
	var cl account.ProjectClip
	if err := decode(r, &cl); err != nil {
		return err
	}
	err = s.cfg.Write(r.Context(), func(ctx context.Context, tx *sql.Tx) error {
		var removed int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM uses WHERE creator_id = ? AND clip_sha256 = ? AND removed_at IS NOT NULL`,
			c.Account, cl.SHA256).Scan(&removed); err != nil {
			return fmt.Errorf("check the clip's uses: %w", err)
		}
		if removed > 0 {
			return errorf(http.StatusForbidden, account.CodeForbidden, "this clip's use was removed by the person it features")
		}
		held, err := s.cfg.Holds(ctx, tx, c.Account, cl.SHA256)
		if err != nil {
			return fmt.Errorf("check the clip's blob: %w", err)
		}
		if !held {
			return errorf(http.StatusConflict, account.CodeConflict, "clip %s of shot %s is not on the server yet: upload it first, then file it under the project", cl.SHA256, cl.Shot)
		}
		var was string
		err = tx.QueryRowContext(ctx, `SELECT sha256 FROM project_clips WHERE account_id = ? AND project = ? AND shot = ? AND key = ?`,
			c.Account, id, cl.Shot, cl.Key).Scan(&was)
		if err != nil && err != sql.ErrNoRows {
			return fmt.Errorf("read the project's clips: %w", err)
		}
		if was == cl.SHA256 {
			return nil // a retry: the feed has it already
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO project_clips (account_id, project, shot, key, sha256, size, backend, width, height, fps, frames, created)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (account_id, project, shot, key) DO UPDATE SET sha256 = excluded.sha256, size = excluded.size, backend = excluded.backend,
				width = excluded.width, height = excluded.height, fps = excluded.fps, frames = excluded.frames, created = excluded.created`,
			c.Account, id, cl.Shot, cl.Key, cl.SHA256, cl.Size, cl.Backend, cl.Width, cl.Height, cl.FPS, cl.Frames, cl.Created.UnixMilli())
		if err != nil {
			return fmt.Errorf("file clip %s under project %s: %w", cl.SHA256, id, err)
		}
		devID, _, err := device(ctx, tx, c)
		if err != nil {
			return fmt.Errorf("find the device: %w", err)
		}
		return notify(ctx, tx, c.Account, account.Change{Kind: account.ChangeClip, At: s.cfg.Clock.Now(), Project: id, ClipSHA256: cl.SHA256, DeviceID: devID})
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, cl)
	return nil
}

// clips answers the clips filed under a project.
func (s *Service) clips(w http.ResponseWriter, r *http.Request, c Caller) error {
	id, err := projectID(r)
	if err != nil {
		return err
	}
	cs, err := all(r.Context(), s.cfg.Read, func(rows *sql.Rows) (account.ProjectClip, error) {
		var cl account.ProjectClip
		var created int64
		err := rows.Scan(&cl.Shot, &cl.Key, &cl.SHA256, &cl.Size, &cl.Backend, &cl.Width, &cl.Height, &cl.FPS, &cl.Frames, &created)
		cl.Created = time.UnixMilli(created).UTC()
		return cl, err
	}, `SELECT shot, key, sha256, size, backend, width, height, fps, frames, created FROM project_clips
		WHERE account_id = ? AND project = ? ORDER BY shot, key`, c.Account, id)
	if err != nil {
		return fmt.Errorf("list the clips of project %s: %w", id, err)
	}
	writeJSON(w, http.StatusOK, account.ProjectClips{Clips: cs})
	return nil
}

// ForgetClips deletes the creator's project clips whose bytes are sum, in
// the transaction that removes a use of it, so that none of the creator's
// devices fetches that clip again.
func ForgetClips(ctx context.Context, tx *sql.Tx, creator, sum string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM project_clips WHERE account_id = ? AND sha256 = ?`, creator, sum); err != nil {
		return fmt.Errorf("forget the clips of a removed use: %w", err)
	}
	return nil
}
