package library

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"time"

	"github.com/slatestudio/slate/internal/atomicfile"
	"github.com/slatestudio/slate/internal/sqlitedb"
	"github.com/slatestudio/slate/internal/userfile"
	"github.com/slatestudio/slate/timeline"
)

// posGap is the spacing of shot positions. Adding or moving a shot takes
// the midpoint of its neighbours, so about twenty edits can land in the same
// gap before the project's positions are spread out again.
const posGap = 1 << 20

// ProjectInfo describes a stored project for a list.
type ProjectInfo struct {
	ID        string
	Title     string
	Shots     int
	UpdatedAt time.Time
}

// Projects lists the stored projects, most recently changed first.
func (l *Library) Projects(ctx context.Context) ([]ProjectInfo, error) {
	out, err := sqlitedb.All(ctx, l.db, func(row sqlitedb.Row) (ProjectInfo, error) {
		var pi ProjectInfo
		var updated sql.NullInt64
		err := row.Scan(&pi.ID, &pi.Title, &updated, &pi.Shots)
		pi.UpdatedAt = fromMilli(updated)
		return pi, err
	}, `
		SELECT p.id, p.title, p.updated_at, (SELECT count(*) FROM shots s WHERE s.project_id = p.id)
		FROM projects p ORDER BY p.updated_at DESC, p.title`)
	if err != nil {
		return nil, fmt.Errorf("list projects: %w", err)
	}
	return out, nil
}

// CreateProject stores a new project, giving it an ID if it has none, and
// returns it open for editing.
func (l *Library) CreateProject(ctx context.Context, p *timeline.Project) (*Document, error) {
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("create project %q: %w", p.Title, err)
	}
	if p.ID == "" {
		p.ID = timeline.NewID()
	}
	var pos map[string]int64
	err := l.tx(ctx, func(tx *sql.Tx) error {
		var err error
		if pos, err = insertProject(ctx, tx, p, unixMilli(l.now())); err != nil {
			return err
		}
		return bumpEdits(ctx, tx, p.ID, p.Title)
	})
	if err != nil {
		return nil, fmt.Errorf("create project %q: %w", p.Title, err)
	}
	return &Document{lib: l, ed: timeline.NewEditor(p), pos: pos}, nil
}

// insertProject stores a new project's row and shots, and returns the
// shots' positions.
func insertProject(ctx context.Context, tx *sql.Tx, p *timeline.Project, now int64) (map[string]int64, error) {
	cast, err := timeline.EncodeCast(p.Cast)
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO projects (id, title, width, height, fps, cast_json, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		p.ID, p.Title, p.Width, p.Height, p.FPS, string(cast), now, now); err != nil {
		return nil, err
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO shots (project_id, id, pos, data) VALUES (?, ?, ?, ?)`)
	if err != nil {
		return nil, err
	}
	defer stmt.Close()
	pos := make(map[string]int64, len(p.Shots))
	for i, s := range p.Shots {
		data, err := timeline.EncodeShot(s)
		if err != nil {
			return nil, err
		}
		pos[s.ID] = int64(i+1) * posGap
		if _, err := stmt.ExecContext(ctx, p.ID, s.ID, pos[s.ID], data); err != nil {
			return nil, err
		}
	}
	return pos, nil
}

// OpenProject loads a stored project for editing.
func (l *Library) OpenProject(ctx context.Context, id string) (*Document, error) {
	p, pos, err := loadProject(ctx, l.db, id)
	if err != nil {
		return nil, err
	}
	return &Document{lib: l, ed: timeline.NewEditor(p), pos: pos}, nil
}

// queryer reads: a *sql.DB or a *sql.Tx.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// loadProject reads a stored project and its shots' positions.
func loadProject(ctx context.Context, q queryer, id string) (*timeline.Project, map[string]int64, error) {
	p := &timeline.Project{ID: id}
	var cast string
	err := q.QueryRowContext(ctx, `SELECT title, width, height, fps, cast_json FROM projects WHERE id = ?`, id).
		Scan(&p.Title, &p.Width, &p.Height, &p.FPS, &cast)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, fmt.Errorf("open project %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("open project %s: %w", id, err)
	}
	if p.Cast, err = timeline.DecodeCast([]byte(cast)); err != nil {
		return nil, nil, fmt.Errorf("open project %q: its cast list is damaged: %w", p.Title, err)
	}
	rows, err := q.QueryContext(ctx, `SELECT id, pos, data FROM shots WHERE project_id = ? ORDER BY pos`, id)
	if err != nil {
		return nil, nil, fmt.Errorf("open project %q: %w", p.Title, err)
	}
	defer rows.Close()
	pos := map[string]int64{}
	for rows.Next() {
		var sid string
		var at int64
		var data []byte
		if err := rows.Scan(&sid, &at, &data); err != nil {
			return nil, nil, fmt.Errorf("open project %q: %w", p.Title, err)
		}
		s, err := timeline.DecodeShot(data)
		if err != nil {
			return nil, nil, fmt.Errorf("open project %q: shot %d is damaged: %w", p.Title, len(p.Shots)+1, err)
		}
		p.Shots = append(p.Shots, s)
		pos[sid] = at
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("open project %q: %w", p.Title, err)
	}
	if err := p.Validate(); err != nil {
		return nil, nil, fmt.Errorf("open project %q: %w", p.Title, err)
	}
	return p, pos, nil
}

// DeleteProject removes a project and its shots, leaving a tombstone for
// sync to tell the server. Its rendered clips stay in the cache until
// pruned, since another project may share them.
func (l *Library) DeleteProject(ctx context.Context, id string) error {
	return l.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM projects WHERE id = ?`, id)
		if err != nil {
			return fmt.Errorf("delete project %s: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("delete project %s: %w", id, ErrNotFound)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE project_sync SET deleted = 1, edits = edits + 1 WHERE project_id = ?`, id); err != nil {
			return fmt.Errorf("delete project %s: %w", id, err)
		}
		return nil
	})
}

// DuplicateProject stores a copy of a project under a new ID and title.
func (l *Library) DuplicateProject(ctx context.Context, id, title string) (*Document, error) {
	d, err := l.OpenProject(ctx, id)
	if err != nil {
		return nil, err
	}
	p := d.Project().Clone()
	p.ID, p.Title = "", title
	return l.CreateProject(ctx, p)
}

// ImportFile reads a .slate file into a new project. A bad file is refused
// with an error naming the file and the problem, and nothing is stored.
func (l *Library) ImportFile(ctx context.Context, path string) (*Document, error) {
	p, err := ReadFile(path)
	if err != nil {
		return nil, err
	}
	return l.CreateProject(ctx, p)
}

// ReadFile reads and validates a .slate file without storing it. Sound cue
// files named relative to the project file are resolved against its
// folder, so a project and its sounds can move together.
//
// Only a regular file is read, and at most timeline.MaxFileSize of it: a
// device (/dev/zero) or a named pipe is refused at once, naming the path
// and what it is, rather than read without end or waited on forever.
func ReadFile(path string) (*timeline.Project, error) {
	data, err := userfile.ReadFile(path, "a project file", timeline.MaxFileSize)
	var pe *fs.PathError
	switch {
	case errors.As(err, &pe):
		// The path is already in our message.
		return nil, fmt.Errorf("open %s: %w", path, pe.Err)
	case err != nil:
		return nil, err
	}
	p, err := timeline.Decode(path, data)
	if err != nil {
		return nil, err
	}
	dir, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	for _, s := range p.Shots {
		for j, c := range s.Cues {
			if c.File != "" && !filepath.IsAbs(c.File) {
				s.Cues[j].File = filepath.Join(dir, c.File)
			}
		}
	}
	return p, nil
}

// WriteFile writes p as a .slate file atomically: a failure leaves any
// existing file as it was.
func WriteFile(path string, p *timeline.Project) error {
	data, err := timeline.Encode(p)
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(path, data, 0o644)
}

// ExportFile writes a stored project to a .slate file.
func (l *Library) ExportFile(ctx context.Context, id, path string) error {
	d, err := l.OpenProject(ctx, id)
	if err != nil {
		return err
	}
	return WriteFile(path, d.Project())
}
