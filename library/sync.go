package library

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/slatestudio/slate/internal/sqlitedb"
	"github.com/slatestudio/slate/timeline"
)

// ProjectSync is what the library knows of a project's sync with the
// account server: the server revision it last agreed with, that
// revision's document (the base of a three-way merge), and how many local
// changes there have been against how many the server has.
type ProjectSync struct {
	Project   string
	ServerRev int64
	// Base is the .slate document at ServerRev; nil before the first sync.
	Base []byte
	// Edits counts the project's local changes; SyncedEdits is the count
	// the server's copy includes.
	Edits, SyncedEdits int64
	// Deleted marks a tombstone: the project was deleted here.
	Deleted bool
	Title   string
}

// Dirty reports whether the project has changes the server has not had.
func (s ProjectSync) Dirty() bool { return s.Edits != s.SyncedEdits }

// bumpEdits counts the creation of a project, in the transaction that
// stores it, so a change is never stored without being marked for sync.
func bumpEdits(ctx context.Context, tx *sql.Tx, id, title string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO project_sync (project_id, title, edits) VALUES (?, ?, 1)
		ON CONFLICT (project_id) DO UPDATE SET edits = edits + 1, title = excluded.title, deleted = 0`, id, title)
	return err
}

// countEdit counts one change of an open project, in the transaction
// that saves it. A project deleted meanwhile (on another device, say) is
// not brought back by an edit of a window still showing it.
func countEdit(ctx context.Context, tx *sql.Tx, id, title string) error {
	res, err := tx.ExecContext(ctx, `UPDATE project_sync SET edits = edits + 1, title = ? WHERE project_id = ? AND NOT deleted`, title, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("the project has been deleted: %w", ErrNotFound)
	}
	return nil
}

const syncColumns = `s.project_id, coalesce(p.title, s.title), s.server_rev, s.base, s.edits, s.synced_edits, s.deleted`

func scanSync(row sqlitedb.Row) (ProjectSync, error) {
	var s ProjectSync
	err := row.Scan(&s.Project, &s.Title, &s.ServerRev, &s.Base, &s.Edits, &s.SyncedEdits, &s.Deleted)
	return s, err
}

// ProjectSyncs lists the sync state of every project and tombstone.
func (l *Library) ProjectSyncs(ctx context.Context) ([]ProjectSync, error) {
	out, err := sqlitedb.All(ctx, l.db, scanSync, `SELECT `+syncColumns+`
		FROM project_sync s LEFT JOIN projects p ON p.id = s.project_id ORDER BY s.project_id`)
	if err != nil {
		return nil, fmt.Errorf("list projects to sync: %w", err)
	}
	return out, nil
}

// ProjectSnapshot reads a project and its sync state in one transaction,
// so the edits count matches the document exactly. A tombstone has a nil
// project.
func (l *Library) ProjectSnapshot(ctx context.Context, id string) (*timeline.Project, ProjectSync, error) {
	var p *timeline.Project
	var s ProjectSync
	err := l.tx(ctx, func(tx *sql.Tx) error {
		var err error
		s, err = scanSync(tx.QueryRowContext(ctx, `SELECT `+syncColumns+`
			FROM project_sync s LEFT JOIN projects p ON p.id = s.project_id WHERE s.project_id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil || s.Deleted {
			return err
		}
		p, _, err = loadProject(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, ProjectSync{}, fmt.Errorf("read project %s to sync: %w", id, err)
	}
	return p, s, nil
}

// MarkProjectSynced records that the server holds revision rev, whose
// document is base, made from the project as it was when its edits count
// was edits. An edit made since (a higher count) keeps the project dirty.
func (l *Library) MarkProjectSynced(ctx context.Context, id string, rev int64, base []byte, edits int64) error {
	res, err := l.db.ExecContext(ctx, `UPDATE project_sync SET server_rev = ?, base = ?, synced_edits = max(synced_edits, ?)
		WHERE project_id = ?`, rev, base, edits, id)
	if err != nil {
		return fmt.Errorf("mark project %s synced: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("mark project %s synced: %w", id, ErrNotFound)
	}
	return nil
}

// AddRemoteProject stores a project that came from the server at revision
// rev (base is its document). It is not dirty: nothing goes back.
func (l *Library) AddRemoteProject(ctx context.Context, p *timeline.Project, rev int64, base []byte) error {
	if err := p.Validate(); err != nil {
		return fmt.Errorf("add project %q from the server: %w", p.Title, err)
	}
	err := l.tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM projects WHERE id = ?`, p.ID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return errors.New("it is already in the library; bring the server's changes into it with Document.SyncWith")
		}
		if _, err := insertProject(ctx, tx, p, unixMilli(l.now())); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO project_sync (project_id, title, server_rev, base) VALUES (?, ?, ?, ?)
			ON CONFLICT (project_id) DO UPDATE SET title = excluded.title, server_rev = excluded.server_rev,
			base = excluded.base, synced_edits = edits, deleted = 0`, p.ID, p.Title, rev, base)
		return err
	})
	if err != nil {
		return fmt.Errorf("add project %q from the server: %w", p.Title, err)
	}
	return nil
}

// DeleteRemoteProject removes a project deleted on another device at
// revision rev; what is left is a tombstone the server already knows of.
func (l *Library) DeleteRemoteProject(ctx context.Context, id string, rev int64) error {
	err := l.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM projects WHERE id = ?`, id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO project_sync (project_id, server_rev, deleted) VALUES (?, ?, 1)
			ON CONFLICT (project_id) DO UPDATE SET server_rev = excluded.server_rev, base = NULL, deleted = 1, synced_edits = edits`, id, rev)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete project %s as the server says: %w", id, err)
	}
	return nil
}

// SyncWith applies c like Do (it can be undone) and records, in the same
// transaction, that the project now stands on the server's revision rev
// with document base. clean says the result equals the server's copy;
// otherwise the project stays dirty, to be pushed.
func (d *Document) SyncWith(ctx context.Context, c timeline.Command, rev int64, base []byte, clean bool) (timeline.Change, error) {
	ch, err := d.ed.Do(c)
	if err != nil {
		return ch, err
	}
	return d.commit(ctx, c.Name(), ch, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE project_sync SET server_rev = ?, base = ?,
			synced_edits = CASE WHEN ? THEN edits ELSE synced_edits END WHERE project_id = ?`, rev, base, clean, d.Project().ID)
		return err
	})
}

// AddRemoteClip registers a clip that came from the server; unlike
// AddClip it queues no upload.
func (l *Library) AddRemoteClip(ctx context.Context, c Clip) error {
	return l.addClip(ctx, c, false)
}

// Transfer is a blob on its way to or from the account server.
type Transfer struct {
	SHA256 string
	// Direction is "up" or "down".
	Direction string
	// Kind is what the blob is: "clip" or "film".
	Kind    string
	Project string
	Size    int64
	// Done is how many bytes have gone.
	Done int64
	// URL is the tus upload's address, to resume it.
	URL string
	// State is "waiting", "done" or "failed".
	State   string
	Err     string
	Updated time.Time
}

const transferColumns = `sha256, direction, kind, project, size, done, url, state, error, updated`

// Transfers lists the transfers not yet done.
func (l *Library) Transfers(ctx context.Context) ([]Transfer, error) {
	out, err := sqlitedb.All(ctx, l.db, func(row sqlitedb.Row) (Transfer, error) {
		var t Transfer
		var updated sql.NullInt64
		err := row.Scan(&t.SHA256, &t.Direction, &t.Kind, &t.Project, &t.Size, &t.Done, &t.URL, &t.State, &t.Err, &updated)
		t.Updated = fromMilli(updated)
		return t, err
	}, `SELECT `+transferColumns+` FROM transfers WHERE state != 'done' ORDER BY updated, sha256, direction`)
	if err != nil {
		return nil, fmt.Errorf("list transfers: %w", err)
	}
	return out, nil
}

func queueTransfer(ctx context.Context, tx interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, t Transfer, now time.Time) error {
	if t.State == "" {
		t.State = "waiting"
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO transfers (`+transferColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (sha256, direction) DO NOTHING`,
		t.SHA256, t.Direction, t.Kind, t.Project, t.Size, t.Done, t.URL, t.State, t.Err, unixMilli(now))
	return err
}

// QueueTransfer adds a transfer, or leaves one already queued (or done)
// for the same blob and direction as it is.
func (l *Library) QueueTransfer(ctx context.Context, t Transfer) error {
	if err := queueTransfer(ctx, l.db, t, l.now()); err != nil {
		return fmt.Errorf("queue transfer of %s: %w", t.SHA256, err)
	}
	return nil
}

// SaveTransfer stores a transfer's progress and state.
func (l *Library) SaveTransfer(ctx context.Context, t Transfer) error {
	if t.State == "" {
		t.State = "waiting"
	}
	_, err := l.db.ExecContext(ctx, `INSERT INTO transfers (`+transferColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (sha256, direction) DO UPDATE SET kind = excluded.kind, project = excluded.project, size = excluded.size,
		done = excluded.done, url = excluded.url, state = excluded.state, error = excluded.error, updated = excluded.updated`,
		t.SHA256, t.Direction, t.Kind, t.Project, t.Size, t.Done, t.URL, t.State, t.Err, unixMilli(l.now()))
	if err != nil {
		return fmt.Errorf("save transfer of %s: %w", t.SHA256, err)
	}
	return nil
}

// PartialPath is where a download of the blob sum is written until it is
// complete and checked. These files live outside tmp/, so a restart keeps
// them and the download resumes at the byte.
func (l *Library) PartialPath(sum string) string {
	return filepath.Join(l.dir, "partial", filepath.Base(sum))
}

// removePartial drops a download in progress of the blob sum.
func (l *Library) removePartial(sum string) error {
	if err := os.Remove(l.PartialPath(sum)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// SyncPaused reports whether the person paused sync.
func (l *Library) SyncPaused(ctx context.Context) (bool, error) {
	var paused bool
	if err := l.db.QueryRowContext(ctx, `SELECT paused FROM sync_settings WHERE id = 1`).Scan(&paused); err != nil {
		return false, fmt.Errorf("read whether sync is paused: %w", err)
	}
	return paused, nil
}

// SetSyncPaused pauses or resumes sync, across restarts.
func (l *Library) SetSyncPaused(ctx context.Context, paused bool) error {
	if _, err := l.db.ExecContext(ctx, `UPDATE sync_settings SET paused = ? WHERE id = 1`, paused); err != nil {
		return fmt.Errorf("pause sync: %w", err)
	}
	return nil
}
