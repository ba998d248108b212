// Package projects is slate-server's side of project sync (issue 13): an
// account's projects as revisions of their .slate documents, one counter
// per project, the last few kept, and the rendered clips filed under each
// project. Every new revision and clip is an entry in the account's own
// change feed, which each of its devices reads.
//
// The server owns the database, sessions and the blob store; it hands this
// package its reader, its writer and a blob check in Config, so this
// package holds only the projects' rows.
package projects

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/internal/clock"
	"github.com/slatestudio/slate/timeline"
)

// DefaultHistory is how many revisions of each project are kept when
// Config.History is 0.
const DefaultHistory = 20

// maxBody bounds the body of PUT Prefix/projects/{id}: the document and
// the few fields around it.
const maxBody = account.MaxProjectBytes + 64<<10

// Config is what the service is given by the server.
type Config struct {
	// Read is the server's pool of read-only connections.
	Read *sql.DB
	// Write runs fn in the server's writer, in order with every other
	// write, and returns once it is durable.
	Write func(ctx context.Context, fn func(ctx context.Context, tx *sql.Tx) error) error
	// Holds reports whether the account holds the blob sum on the server:
	// a clip is filed under a project only then.
	Holds func(ctx context.Context, tx *sql.Tx, account, sum string) (bool, error)
	// History is how many revisions of each project are kept (at least
	// 1); 0 means DefaultHistory.
	History int
	Clock   clock.Clock
}

// Service serves an account's projects.
type Service struct {
	cfg Config
}

// New returns the service.
func New(cfg Config) *Service {
	if cfg.History <= 0 {
		cfg.History = DefaultHistory
	}
	cfg.Clock = clock.Or(cfg.Clock)
	return &Service{cfg: cfg}
}

// Caller is who a request comes from: the account, and the session (a
// device) or API key it came with.
type Caller struct {
	Account string
	Session string // "" for an API key
	Key     string // the API key's ID; "" for a session
}

// Handler is an endpoint for a logged-in caller.
type Handler func(w http.ResponseWriter, r *http.Request, c Caller) error

// Error is an answer other than 200, with the server's error code and a
// message fit to show a person.
type Error struct {
	Status    int
	Code, Msg string
}

// Error says the status, code and message.
func (e *Error) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Msg) }

func errorf(status int, code, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Msg: fmt.Sprintf(format, args...)}
}

// Routes hands the service's endpoints to handle, with the most bytes
// each body may hold.
func (s *Service) Routes(handle func(pattern string, limit int64, h Handler)) {
	p := account.Prefix
	handle("GET "+p+"/projects", account.MaxJSONBytes, s.list)
	handle("GET "+p+"/projects/{id}", account.MaxJSONBytes, s.get)
	handle("PUT "+p+"/projects/{id}", maxBody, s.put)
	handle("GET "+p+"/projects/{id}/revisions", account.MaxJSONBytes, s.revisions)
	handle("GET "+p+"/projects/{id}/revisions/{rev}", account.MaxJSONBytes, s.revision)
	handle("PUT "+p+"/projects/{id}/clips", account.MaxJSONBytes, s.putClip)
	handle("GET "+p+"/projects/{id}/clips", account.MaxJSONBytes, s.clips)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// projectID reads the project's ID from the path: the library's IDs are
// 16 hex digits (timeline.NewID).
func projectID(r *http.Request) (string, error) {
	id := r.PathValue("id")
	if !account.ValidID(id) {
		return "", errorf(http.StatusBadRequest, account.CodeBadRequest, "%q is not a project's ID (16 to 32 hex digits, as the library makes them)", id)
	}
	return id, nil
}

const revColumns = `project, rev, title, device_id, device, at, size, deleted`

func scanRev(row interface{ Scan(...any) error }, doc bool) (account.ProjectRevision, error) {
	var p account.ProjectRevision
	var at int64
	dest := []any{&p.Project, &p.Rev, &p.Title, &p.DeviceID, &p.Device, &at, &p.Size, &p.Deleted}
	var d []byte
	if doc {
		dest = append(dest, &d)
	}
	err := row.Scan(dest...)
	p.At = time.UnixMilli(at).UTC()
	if len(d) > 0 {
		p.Document = d
	}
	return p, err
}

type queryer interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

// latest reads a project's latest revision with its document; ok is false
// when the account has no such project.
func latest(ctx context.Context, q queryer, acct, id string) (account.ProjectRevision, bool, error) {
	p, err := scanRev(q.QueryRowContext(ctx, `SELECT `+revColumns+`, document FROM project_revisions
		WHERE account_id = ? AND project = ? ORDER BY rev DESC LIMIT 1`, acct, id), true)
	if errors.Is(err, sql.ErrNoRows) {
		return p, false, nil
	}
	if err != nil {
		return p, false, fmt.Errorf("read project %s: %w", id, err)
	}
	return p, true, nil
}

func all[T any](ctx context.Context, q queryer, scan func(*sql.Rows) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// list answers the latest revision of each of the caller's projects,
// deleted ones too, without documents.
func (s *Service) list(w http.ResponseWriter, r *http.Request, c Caller) error {
	ps, err := all(r.Context(), s.cfg.Read, func(rows *sql.Rows) (account.ProjectRevision, error) { return scanRev(rows, false) },
		`SELECT `+revColumns+` FROM project_revisions p WHERE account_id = ?
		AND rev = (SELECT max(rev) FROM project_revisions WHERE account_id = p.account_id AND project = p.project)
		ORDER BY project`, c.Account)
	if err != nil {
		return fmt.Errorf("list projects: %w", err)
	}
	writeJSON(w, http.StatusOK, account.Projects{Projects: ps})
	return nil
}

func notFound(id string) *Error {
	return errorf(http.StatusNotFound, account.CodeNotFound, "project %s is not on the server for this account", id)
}

// get answers a project's latest revision with its document.
func (s *Service) get(w http.ResponseWriter, r *http.Request, c Caller) error {
	id, err := projectID(r)
	if err != nil {
		return err
	}
	p, ok, err := latest(r.Context(), s.cfg.Read, c.Account, id)
	if err != nil {
		return err
	}
	if !ok {
		return notFound(id)
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

// revisions answers a project's kept revisions, newest first, without
// documents.
func (s *Service) revisions(w http.ResponseWriter, r *http.Request, c Caller) error {
	id, err := projectID(r)
	if err != nil {
		return err
	}
	ps, err := all(r.Context(), s.cfg.Read, func(rows *sql.Rows) (account.ProjectRevision, error) { return scanRev(rows, false) },
		`SELECT `+revColumns+` FROM project_revisions WHERE account_id = ? AND project = ? ORDER BY rev DESC`, c.Account, id)
	if err != nil {
		return fmt.Errorf("list revisions of project %s: %w", id, err)
	}
	if len(ps) == 0 {
		return notFound(id)
	}
	writeJSON(w, http.StatusOK, account.Projects{Projects: ps})
	return nil
}

// revision answers one kept revision with its document.
func (s *Service) revision(w http.ResponseWriter, r *http.Request, c Caller) error {
	id, err := projectID(r)
	if err != nil {
		return err
	}
	rev, err := strconv.ParseInt(r.PathValue("rev"), 10, 64)
	if err != nil || rev <= 0 {
		return errorf(http.StatusBadRequest, account.CodeBadRequest, "%q is not a revision number (1, 2, …)", r.PathValue("rev"))
	}
	p, err := scanRev(s.cfg.Read.QueryRowContext(r.Context(), `SELECT `+revColumns+`, document FROM project_revisions
		WHERE account_id = ? AND project = ? AND rev = ?`, c.Account, id, rev), true)
	if errors.Is(err, sql.ErrNoRows) {
		var newest sql.NullInt64
		if err := s.cfg.Read.QueryRowContext(r.Context(), `SELECT max(rev) FROM project_revisions WHERE account_id = ? AND project = ?`, c.Account, id).Scan(&newest); err != nil {
			return fmt.Errorf("read project %s: %w", id, err)
		}
		if !newest.Valid {
			return notFound(id)
		}
		return errorf(http.StatusNotFound, account.CodeNotFound, "revision %d of project %s is not kept on the server (it keeps the last %d; the latest is %d)", rev, id, s.cfg.History, newest.Int64)
	}
	if err != nil {
		return fmt.Errorf("read revision %d of project %s: %w", rev, id, err)
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

// decode reads a request body into v; a bad one is a 400 or 413.
func decode(r *http.Request, v account.Validator) error {
	err := account.Decode(r.Body, v)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, account.ErrTooLarge):
		return errorf(http.StatusRequestEntityTooLarge, account.CodeTooLarge, "%v", err)
	}
	return errorf(http.StatusBadRequest, account.CodeBadRequest, "%v", err)
}

// device names the device a request came from: the session's device, or
// the API key.
func device(ctx context.Context, tx *sql.Tx, c Caller) (id, name string, err error) {
	if c.Session == "" {
		err = tx.QueryRowContext(ctx, `SELECT name FROM api_keys WHERE id = ?`, c.Key).Scan(&name)
		return "", "API key " + name, err
	}
	err = tx.QueryRowContext(ctx, `SELECT device_id, device FROM sessions WHERE id = ?`, c.Session).Scan(&id, &name)
	return id, name, err
}

// notify adds a change to the account's own feed.
func notify(ctx context.Context, tx *sql.Tx, acct string, ch account.Change) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO changes (account_id, kind, at, clip_sha256, project_title, project, rev, device_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, acct, ch.Kind, ch.At.UnixMilli(), ch.ClipSHA256, ch.ProjectTitle, ch.Project, ch.Rev, ch.DeviceID)
	if err != nil {
		return fmt.Errorf("notify %s: %w", ch.Kind, err)
	}
	return nil
}

// conflict is what a put found when its base is not the latest revision.
type conflict struct{ current account.ProjectRevision }

func (c *conflict) Error() string {
	return fmt.Sprintf("the project changed on the server meanwhile (revision %d)", c.current.Rev)
}

// put takes a new revision of a project, made from BaseRev. The check and
// the insert run in one write, so two devices that put from the same base
// at once get one 200 and one 409. The revision's title is the
// document's; a deletion keeps the title sent with it, or else the
// project's.
func (s *Service) put(w http.ResponseWriter, r *http.Request, c Caller) error {
	id, err := projectID(r)
	if err != nil {
		return err
	}
	var req account.PutProject
	if err := decode(r, &req); err != nil {
		return err
	}
	title := req.Title
	var doc []byte
	if !req.Deleted {
		p, err := timeline.Decode("the project's document", req.Document)
		if err != nil {
			return errorf(http.StatusBadRequest, account.CodeBadRequest, "%v", err)
		}
		title, doc = p.Title, req.Document
	}
	var out account.ProjectRevision
	err = s.cfg.Write(r.Context(), func(ctx context.Context, tx *sql.Tx) error {
		cur, ok, err := latest(ctx, tx, c.Account, id)
		if err != nil {
			return err
		}
		if cur.Rev != req.BaseRev {
			if !ok {
				return errorf(http.StatusNotFound, account.CodeNotFound, "project %s is not on the server, so it has no revision %d; send base_rev 0 to put it there", id, req.BaseRev)
			}
			return &conflict{current: cur}
		}
		if title == "" {
			title = cur.Title // a deletion sent without one keeps the project's
		}
		devID, devName, err := device(ctx, tx, c)
		if err != nil {
			return fmt.Errorf("find the device: %w", err)
		}
		now := s.cfg.Clock.Now()
		out = account.ProjectRevision{Project: id, Rev: cur.Rev + 1, Title: title, DeviceID: devID, Device: devName,
			At: time.UnixMilli(now.UnixMilli()).UTC(), Size: int64(len(doc)), Deleted: req.Deleted, Document: doc}
		if doc == nil {
			doc = []byte{}
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO project_revisions (account_id, project, rev, title, device_id, device, at, size, deleted, document)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, c.Account, id, out.Rev, title, devID, devName, now.UnixMilli(), out.Size, req.Deleted, doc)
		if err != nil {
			return fmt.Errorf("store revision %d of project %s: %w", out.Rev, id, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM project_revisions WHERE account_id = ? AND project = ? AND rev <= ?`,
			c.Account, id, out.Rev-int64(s.cfg.History)); err != nil {
			return fmt.Errorf("trim the history of project %s: %w", id, err)
		}
		return notify(ctx, tx, c.Account, account.Change{Kind: account.ChangeProject, At: now, Project: id, Rev: out.Rev, DeviceID: devID, ProjectTitle: title})
	})
	if cf := (*conflict)(nil); errors.As(err, &cf) {
		writeJSON(w, http.StatusConflict, account.ProjectConflict{
			Error: account.ErrorBody{Code: account.CodeConflict, Message: fmt.Sprintf(
				"project %q changed on another device (%s, revision %d) since revision %d: merge it with yours and send again", cf.current.Title, cf.current.Device, cf.current.Rev, req.BaseRev)},
			Current: cf.current,
		})
		return nil
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// Used is what the account's kept project revisions take on the server,
// per project, for GET Prefix/storage (account.Storage): the seam where
// the blobs' holds are joined by the projects' documents.
func Used(ctx context.Context, q *sql.DB, acct string) ([]account.StorageItem, error) {
	return all(ctx, q, func(rows *sql.Rows) (account.StorageItem, error) {
		it := account.StorageItem{Kind: "project"}
		err := rows.Scan(&it.Project, &it.Title, &it.Size)
		return it, err
	}, `SELECT p.project, (SELECT title FROM project_revisions WHERE account_id = p.account_id AND project = p.project ORDER BY rev DESC LIMIT 1),
		sum(p.size) FROM project_revisions p WHERE p.account_id = ? GROUP BY p.project ORDER BY sum(p.size) DESC, p.project`, acct)
}
