package library

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/slatestudio/slate/internal/sqlitedb"
)

// Film is an exported film (Name: its file's) copied into the blob store to sync.
type Film struct {
	ProjectID, SHA256, Name string
	Size                    int64
	Created                 time.Time
}

// AddFilm records a film whose bytes are in the blob store and, in the
// same transaction, queues its upload when its project is in the library.
func (l *Library) AddFilm(ctx context.Context, f Film) error { return l.addFilm(ctx, f, true) }

// AddRemoteFilm records a film fetched from the server: no upload.
func (l *Library) AddRemoteFilm(ctx context.Context, f Film) error { return l.addFilm(ctx, f, false) }

func (l *Library) addFilm(ctx context.Context, f Film, upload bool) error {
	if !l.blobs.Has(f.SHA256) {
		return fmt.Errorf("keep the film %s: its copy %s is not in the store", f.Name, f.SHA256)
	}
	err := l.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO films (project_id, sha256, name, size, created_at) VALUES (?, ?, ?, ?, ?)`,
			f.ProjectID, f.SHA256, f.Name, f.Size, unixMilli(cmp.Or(f.Created, l.now())))
		if err == nil && upload { // only a film of a project in the library is sent, as addClip's clips
			_, err = tx.ExecContext(ctx, `INSERT INTO transfers (sha256, direction, kind, project, size, updated) SELECT sha256, 'up', 'film', project_id, size, ?
				FROM films WHERE project_id = ? AND sha256 = ? AND project_id IN (SELECT id FROM projects) ON CONFLICT (sha256, direction) DO NOTHING`, unixMilli(l.now()), f.ProjectID, f.SHA256)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("keep the film %s: %w", f.Name, err)
	}
	return nil
}

// Films lists a project's films, newest first.
func (l *Library) Films(ctx context.Context, id string) ([]Film, error) {
	return l.films(ctx, "project_id", id)
}

// FilmsOf lists the films whose file is the blob sum, in every project.
func (l *Library) FilmsOf(ctx context.Context, sum string) ([]Film, error) {
	return l.films(ctx, "sha256", sum)
}

func (l *Library) films(ctx context.Context, column, value string) ([]Film, error) {
	out, err := sqlitedb.All(ctx, l.db, func(row sqlitedb.Row) (f Film, err error) {
		var created sql.NullInt64
		err = row.Scan(&f.ProjectID, &f.SHA256, &f.Name, &f.Size, &created)
		f.Created = fromMilli(created)
		return f, err
	}, `SELECT project_id, sha256, name, size, created_at FROM films WHERE `+column+` = ? ORDER BY created_at DESC, name`, value)
	if err != nil {
		return nil, fmt.Errorf("list films: %w", err)
	}
	return out, nil
}
