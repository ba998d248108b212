package library

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/slatestudio/slate/internal/sqlitedb"
)

// RenderServer is a render server as stored: a Slate server or another
// /v1/videos endpoint, by the name a person gave it. Its API key is not
// stored here but in the keyring. The library keeps Profile and Models as
// the JSON it is given; the package that keeps render servers
// (servers) gives them their meaning.
type RenderServer struct {
	Name, URL string
	// Kind is what the last test found: "slate" or "generic".
	Kind string
	// Profile is what a generic endpoint renders as the person described
	// it (JSON); empty when the endpoint lists its own models.
	Profile []byte
	// Models is the server's last model listing (JSON).
	Models []byte
	// KeepModelAudio keeps a generic model's own sound under the shot's.
	KeepModelAudio bool
	Added          time.Time
}

// ErrServerExists is returned when a render server of the same name is
// already kept.
var ErrServerExists = errors.New("a render server of that name already exists")

const serverColumns = `name, url, kind, profile, models, keep_model_audio, added`

func scanServer(row sqlitedb.Row) (RenderServer, error) {
	var s RenderServer
	var profile, models string
	var added int64
	err := row.Scan(&s.Name, &s.URL, &s.Kind, &profile, &models, &s.KeepModelAudio, &added)
	if profile != "" {
		s.Profile = []byte(profile)
	}
	s.Models = []byte(models)
	s.Added = time.UnixMilli(added)
	return s, err
}

// AddRenderServer keeps a new render server; one of the same name is
// refused with ErrServerExists. Added is set to now when zero.
func (l *Library) AddRenderServer(ctx context.Context, s RenderServer) error {
	if s.Added.IsZero() {
		s.Added = l.now()
	}
	res, err := l.db.ExecContext(ctx, `INSERT INTO render_servers (`+serverColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING`,
		s.Name, s.URL, s.Kind, string(s.Profile), modelsText(s.Models), s.KeepModelAudio, unixMilli(s.Added))
	if err != nil {
		return fmt.Errorf("add render server %q: %w", s.Name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("add render server %q: %w", s.Name, ErrServerExists)
	}
	return nil
}

// UpdateRenderServer replaces what is kept of the render server s.Name
// (all but when it was added).
func (l *Library) UpdateRenderServer(ctx context.Context, s RenderServer) error {
	res, err := l.db.ExecContext(ctx, `UPDATE render_servers SET url = ?, kind = ?, profile = ?, models = ?, keep_model_audio = ? WHERE name = ?`,
		s.URL, s.Kind, string(s.Profile), modelsText(s.Models), s.KeepModelAudio, s.Name)
	if err != nil {
		return fmt.Errorf("update render server %q: %w", s.Name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("render server %q: %w", s.Name, ErrNotFound)
	}
	return nil
}

func modelsText(b []byte) string {
	if len(b) == 0 {
		return "[]"
	}
	return string(b)
}

// RenderServers lists the kept render servers by name.
func (l *Library) RenderServers(ctx context.Context) ([]RenderServer, error) {
	out, err := sqlitedb.All(ctx, l.db, scanServer, `SELECT `+serverColumns+` FROM render_servers ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list render servers: %w", err)
	}
	return out, nil
}

// RenderServer returns one kept render server.
func (l *Library) RenderServer(ctx context.Context, name string) (RenderServer, error) {
	s, err := scanServer(l.db.QueryRowContext(ctx, `SELECT `+serverColumns+` FROM render_servers WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return s, fmt.Errorf("render server %q: %w", name, ErrNotFound)
	}
	if err != nil {
		return s, fmt.Errorf("read render server %q: %w", name, err)
	}
	return s, nil
}

// RemoveRenderServer forgets a render server; ErrNotFound when none of
// that name is kept.
func (l *Library) RemoveRenderServer(ctx context.Context, name string) error {
	res, err := l.db.ExecContext(ctx, `DELETE FROM render_servers WHERE name = ?`, name)
	if err != nil {
		return fmt.Errorf("remove render server %q: %w", name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("render server %q: %w", name, ErrNotFound)
	}
	return nil
}

// JobRemote is the job a render server runs for the queued job id, with
// the server's name; both empty when none was saved.
func (l *Library) JobRemote(ctx context.Context, id string) (server, remoteID string, err error) {
	err = l.db.QueryRowContext(ctx, `SELECT remote_server, remote_id FROM jobs WHERE id = ?`, id).Scan(&server, &remoteID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", fmt.Errorf("job %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return "", "", fmt.Errorf("read job %s: %w", id, err)
	}
	return server, remoteID, nil
}

// SetJobRemote saves, durably, the job a render server runs for the
// queued job id; an empty remoteID forgets it.
func (l *Library) SetJobRemote(ctx context.Context, id, server, remoteID string) error {
	if remoteID == "" {
		server = ""
	}
	res, err := l.db.ExecContext(ctx, `UPDATE jobs SET remote_server = ?, remote_id = ? WHERE id = ?`, server, remoteID, id)
	if err != nil {
		return fmt.Errorf("save job %s's remote job: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("job %s: %w", id, ErrNotFound)
	}
	return nil
}
