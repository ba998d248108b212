package server

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/account/server/blobstore"
	"github.com/slatestudio/slate/account/server/confusable"
	"github.com/slatestudio/slate/account/server/mediacheck"
	"github.com/slatestudio/slate/account/server/videos"
	"github.com/slatestudio/slate/consent"
	"github.com/slatestudio/slate/internal/sqlitedb"
)

// querier is what reads need: the read pool, or a write's transaction.
type querier interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

// memberRow is a member as stored.
type memberRow struct {
	id, ownerID, owner, name, handle string
	level                            consent.Level
	prefs                            string
	created, updated                 int64
	outside                          bool
}

const memberColumns = `m.id, m.owner_id, a.username, m.name, m.handle, m.level, m.preferences, m.created_at, m.updated_at, m.outside`

// loadMember finds a member by ID or, for a ref starting with @, by handle.
func loadMember(ctx context.Context, q querier, ref string) (memberRow, error) {
	col := "m.id"
	if len(ref) > 0 && ref[0] == '@' {
		col = "m.handle"
	}
	var m memberRow
	var level string
	err := q.QueryRowContext(ctx, `SELECT `+memberColumns+` FROM members m JOIN accounts a ON a.id = m.owner_id WHERE `+col+` = ?`, ref).
		Scan(&m.id, &m.ownerID, &m.owner, &m.name, &m.handle, &level, &m.prefs, &m.created, &m.updated, &m.outside)
	if isNoRows(err) {
		return m, notFound("cast member " + ref)
	}
	if err != nil {
		return m, fmt.Errorf("load cast member %s: %w", ref, err)
	}
	m.level = consent.Level(level)
	return m, nil
}

// ownMember loads a member and checks the caller owns it.
func ownMember(ctx context.Context, q querier, ref string, c caller) (memberRow, error) {
	m, err := loadMember(ctx, q, ref)
	if err != nil {
		return m, err
	}
	if m.ownerID != c.id {
		return m, forbidden("cast member %s belongs to another account; only its owner can do this", ref)
	}
	return m, nil
}

// related lists the usernames and IDs of a member's approved or blocked
// accounts.
func related(ctx context.Context, q querier, member, relation string) (names, ids []string, err error) {
	rows, err := q.QueryContext(ctx, `SELECT a.username, a.id FROM member_accounts ma JOIN accounts a ON a.id = ma.account_id
		WHERE ma.member_id = ? AND ma.relation = ? ORDER BY a.username`, member, relation)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	names, ids = []string{}, []string{}
	for rows.Next() {
		var n, id string
		if err := rows.Scan(&n, &id); err != nil {
			return nil, nil, err
		}
		names, ids = append(names, n), append(ids, id)
	}
	return names, ids, rows.Err()
}

// policy reads a member's consent policy, with accounts by ID as grants
// name them. It is on the path of every grant decision, so it is one query.
func policy(ctx context.Context, q querier, m memberRow) (consent.MemberPolicy, error) {
	p := consent.MemberPolicy{Member: m.id, Owner: m.ownerID, Name: m.name, Level: m.level, Outside: m.outside}
	rows, err := q.QueryContext(ctx, `SELECT relation, account_id FROM member_accounts WHERE member_id = ?`, m.id)
	if err != nil {
		return p, fmt.Errorf("read consent of %s: %w", m.handle, err)
	}
	defer rows.Close()
	for rows.Next() {
		var rel, id string
		if err := rows.Scan(&rel, &id); err != nil {
			return p, fmt.Errorf("read consent of %s: %w", m.handle, err)
		}
		if rel == "blocked" {
			p.Blocked = append(p.Blocked, id)
		} else {
			p.Approved = append(p.Approved, id)
		}
	}
	return p, rows.Err()
}

// view is the member as the API shows it; full adds what only the owner
// sees.
func view(ctx context.Context, q querier, m memberRow, full bool) (account.Member, error) {
	v := account.Member{ID: m.id, Name: m.name, Handle: m.handle, Owner: m.owner, OwnerID: m.ownerID,
		Level: m.level, Preferences: m.prefs, Created: fromMS(m.created), Updated: fromMS(m.updated), Outside: m.outside}
	if !full {
		return v, nil
	}
	var err error
	if v.Approved, _, err = related(ctx, q, m.id, "approved"); err != nil {
		return v, err
	}
	if v.Blocked, _, err = related(ctx, q, m.id, "blocked"); err != nil {
		return v, err
	}
	rows, err := q.QueryContext(ctx, `SELECT kind, sha256, size, content_type, uploaded_at FROM media WHERE member_id = ?`, m.id)
	if err != nil {
		return v, err
	}
	defer rows.Close()
	v.Media = map[account.MediaKind]account.Media{}
	for rows.Next() {
		var kind string
		var md account.Media
		var up int64
		if err := rows.Scan(&kind, &md.SHA256, &md.Size, &md.ContentType, &up); err != nil {
			return v, err
		}
		md.Uploaded = fromMS(up)
		v.Media[account.MediaKind(kind)] = md
	}
	return v, rows.Err()
}

// accountIDs resolves usernames; an unknown one is the caller's mistake.
func accountIDs(ctx context.Context, t *txn, field string, names []string) ([]string, error) {
	ids := make([]string, 0, len(names))
	for _, n := range names {
		var id string
		err := t.queryRow(ctx, `SELECT id FROM accounts WHERE username = ?`, n).Scan(&id)
		if isNoRows(err) {
			return nil, errorf(http.StatusBadRequest, account.CodeBadRequest, "field %q: there is no account named %s", field, n)
		}
		if err != nil {
			return nil, err
		}
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// setRelated replaces a member's approved or blocked list.
func setRelated(ctx context.Context, t *txn, member, relation string, names []string) error {
	ids, err := accountIDs(ctx, t, relation, names)
	if err != nil {
		return err
	}
	if _, err := t.exec(ctx, `DELETE FROM member_accounts WHERE member_id = ? AND relation = ?`, member, relation); err != nil {
		return err
	}
	for _, id := range ids {
		if _, err := t.exec(ctx, `INSERT INTO member_accounts (member_id, account_id, relation) VALUES (?, ?, ?)`, member, id, relation); err != nil {
			return err
		}
	}
	return nil
}

func (s *Server) createMember(w http.ResponseWriter, r *http.Request, c caller) error {
	var req account.NewMember
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.Level == "" {
		req.Level = consent.OnlyMe
	}
	if req.ID == "" {
		req.ID = newID()
	}
	now := ms(s.now())
	var out account.Member
	err := s.st.write(r.Context(), func(ctx context.Context, t *txn) error {
		_, err := t.exec(ctx, `INSERT INTO members (id, owner_id, name, handle, handle_skeleton, level, preferences, created_at, updated_at, outside) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			req.ID, c.id, req.Name, req.Handle, confusable.Key(req.Handle), string(req.Level), req.Preferences, now, now, req.Outside)
		if isUnique(err) {
			msg, err := nameTaken(ctx, t, "members", req.Handle)
			if err != nil {
				return err
			}
			return conflict(cmp.Or(msg, "a cast member with ID "+req.ID+" exists already"))
		}
		if err != nil {
			return err
		}
		if err := setRelated(ctx, t, req.ID, "approved", req.Approved); err != nil {
			return err
		}
		if err := setRelated(ctx, t, req.ID, "blocked", req.Blocked); err != nil {
			return err
		}
		m, err := loadMember(ctx, t.tx, req.ID)
		if err != nil {
			return err
		}
		out, err = view(ctx, t.tx, m, true)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, out)
	return nil
}

func (s *Server) listMembers(w http.ResponseWriter, r *http.Request, c caller) error {
	ctx := r.Context()
	ids, err := sqlitedb.All(ctx, s.st.r, sqlitedb.String, `SELECT m.id FROM members m WHERE m.owner_id = ? ORDER BY m.handle`, c.id)
	if err != nil {
		return fmt.Errorf("list members: %w", err)
	}
	out := account.Members{Members: []account.Member{}}
	for _, id := range ids {
		m, err := loadMember(ctx, s.st.r, id)
		if err != nil {
			continue // deleted since the list was read
		}
		v, err := view(ctx, s.st.r, m, true)
		if err != nil {
			return fmt.Errorf("list members: %w", err)
		}
		out.Members = append(out.Members, v)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// getMember shows a member: all of it to the owner; to others, the public
// part (name, handle, owner, level, preferences), unless the member is
// private to its owner.
func (s *Server) getMember(w http.ResponseWriter, r *http.Request, c caller) error {
	return s.showMember(w, r, c, r.PathValue("id"), false)
}

// getHandle finds a member by @handle, for casting them. A member private
// to its owner is not found by anyone else.
func (s *Server) getHandle(w http.ResponseWriter, r *http.Request, c caller) error {
	return s.showMember(w, r, c, r.PathValue("handle"), true)
}

func (s *Server) showMember(w http.ResponseWriter, r *http.Request, c caller, ref string, byHandle bool) error {
	if byHandle && !account.ValidHandle(ref) {
		return errorf(http.StatusBadRequest, account.CodeBadRequest, "%q is not a handle (@ and 2 to 30 lower-case letters, digits or _)", ref)
	}
	if !byHandle && !account.ValidID(ref) {
		return notFound("cast member " + ref)
	}
	m, err := loadMember(r.Context(), s.st.r, ref)
	if err != nil {
		return err
	}
	full := m.ownerID == c.id
	if !full && m.level == consent.OnlyMe {
		if byHandle {
			return notFound("cast member " + ref)
		}
		return forbidden("cast member %s is private to its owner", ref)
	}
	v, err := view(r.Context(), s.st.r, m, full)
	if err != nil {
		return fmt.Errorf("show member: %w", err)
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// patchMember changes a member. A change that takes permission away
// (level lowered, someone taken off the approved list or blocked, outside
// render services no longer allowed) revokes the grants it no longer
// allows, at once, and tells their holders.
func (s *Server) patchMember(w http.ResponseWriter, r *http.Request, c caller) error {
	var req account.MemberPatch
	if err := decode(r, &req); err != nil {
		return err
	}
	id := r.PathValue("id")
	now := s.now()
	var out account.Member
	err := s.st.write(r.Context(), func(ctx context.Context, t *txn) error {
		m, err := ownMember(ctx, t.tx, id, c)
		if err != nil {
			return err
		}
		if req.Name != nil {
			m.name = *req.Name
		}
		if req.Handle != nil && *req.Handle != m.handle {
			m.handle = *req.Handle
			// Only a new handle takes a new key: a member kept from before
			// the look-alike rule without one keeps it so while its handle
			// stays.
			if _, err := t.exec(ctx, `UPDATE members SET handle_skeleton = ? WHERE id = ?`, confusable.Key(m.handle), m.id); isUnique(err) {
				msg, err := nameTaken(ctx, t, "members", m.handle)
				if err != nil {
					return err
				}
				return conflict(cmp.Or(msg, "the handle "+m.handle+" is taken; choose another"))
			} else if err != nil {
				return err
			}
		}
		if req.Level != nil {
			m.level = *req.Level
		}
		if req.Preferences != nil {
			m.prefs = *req.Preferences
		}
		if req.Outside != nil {
			m.outside = *req.Outside
		}
		_, err = t.exec(ctx, `UPDATE members SET name = ?, handle = ?, level = ?, preferences = ?, outside = ?, updated_at = ? WHERE id = ?`,
			m.name, m.handle, string(m.level), m.prefs, m.outside, ms(now), m.id)
		if isUnique(err) {
			msg, err := nameTaken(ctx, t, "members", m.handle)
			if err != nil {
				return err
			}
			return conflict(cmp.Or(msg, "the handle "+m.handle+" is taken; choose another"))
		}
		if err != nil {
			return err
		}
		if req.Approved != nil {
			if err := setRelated(ctx, t, m.id, "approved", *req.Approved); err != nil {
				return err
			}
		}
		if req.Blocked != nil {
			if err := setRelated(ctx, t, m.id, "blocked", *req.Blocked); err != nil {
				return err
			}
		}
		if err := s.revokeDisallowed(ctx, t, m, c.id, now); err != nil {
			return err
		}
		m, err = loadMember(ctx, t.tx, m.id)
		if err != nil {
			return err
		}
		out, err = view(ctx, t.tx, m, true)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// outstanding lists a member's grants that are neither revoked nor
// expired.
func outstanding(ctx context.Context, t *txn, member string, now time.Time) ([]consent.Grant, error) {
	rows, err := t.query(ctx, `SELECT id, member_id, owner_id, grantee_id, project, shot, scope, issued_at, expires_at, outside
		FROM grants WHERE member_id = ? AND revoked_at IS NULL AND expires_at > ?`, member, ms(now))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []consent.Grant
	for rows.Next() {
		var g consent.Grant
		var scope string
		var issued, expires int64
		if err := rows.Scan(&g.ID, &g.Member, &g.Owner, &g.Grantee, &g.Project, &g.Shot, &scope, &issued, &expires, &g.Outside); err != nil {
			return nil, err
		}
		g.Scope, g.Issued, g.Expires = consent.Scope(scope), fromMS(issued), fromMS(expires)
		out = append(out, g)
	}
	return out, rows.Err()
}

// revokeDisallowed revokes the member's outstanding grants that its
// current policy no longer allows.
func (s *Server) revokeDisallowed(ctx context.Context, t *txn, m memberRow, actor string, now time.Time) error {
	p, err := policy(ctx, t.tx, m)
	if err != nil {
		return err
	}
	gs, err := outstanding(ctx, t, m.id, now)
	if err != nil {
		return err
	}
	for _, g := range consent.Revoked(p, gs) {
		why := "consent changed"
		var ref *consent.Refusal
		if errors.As(p.Permits(g), &ref) {
			why = string(ref.Code)
		}
		if err := revokeGrant(ctx, t, g, m.handle, actor, why, now); err != nil {
			return err
		}
	}
	return nil
}

// revokeGrant marks a grant revoked, writes the audit row and tells the
// grantee.
func revokeGrant(ctx context.Context, t *txn, g consent.Grant, handle, actor, why string, now time.Time) error {
	if _, err := t.exec(ctx, `UPDATE grants SET revoked_at = ? WHERE id = ?`, ms(now), g.ID); err != nil {
		return err
	}
	if err := audit(ctx, t, now, account.AuditRevocation, actor, g.Owner, g.Member, g.ID, "", why); err != nil {
		return err
	}
	return notify(ctx, t, g.Grantee, account.Change{Kind: account.ChangeRevocation, At: now, Member: g.Member, Handle: handle, GrantID: g.ID})
}

func (s *Server) deleteMember(w http.ResponseWriter, r *http.Request, c caller) error {
	id := r.PathValue("id")
	err := s.st.write(r.Context(), func(ctx context.Context, t *txn) error {
		if _, err := ownMember(ctx, t.tx, id, c); err != nil {
			return err
		}
		orphans, err := s.dropMember(ctx, t, id, c.id, s.now())
		if err != nil {
			return err
		}
		t.afterCommit(func() { s.removeBlobs(orphans) })
		return nil
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// dropMember deletes a member: it revokes every outstanding grant on them,
// removes every use of their likeness (telling each holder and creator),
// and deletes the row with its media, approvals and requests. It returns
// the blobs no other member uses, for removal once the deletion is durable.
func (s *Server) dropMember(ctx context.Context, t *txn, id, actor string, now time.Time) ([]string, error) {
	m, err := loadMember(ctx, t.tx, id)
	if err != nil {
		return nil, err
	}
	gs, err := outstanding(ctx, t, id, now)
	if err != nil {
		return nil, err
	}
	for _, g := range gs {
		if err := revokeGrant(ctx, t, g, m.handle, actor, "cast member deleted", now); err != nil {
			return nil, err
		}
	}
	uses, err := sqlitedb.All(ctx, t.tx, sqlitedb.String, `SELECT id FROM uses WHERE member_id = ? AND removed_at IS NULL`, id)
	if err != nil {
		return nil, err
	}
	for _, u := range uses {
		if err := removeUse(ctx, t, u, actor, "cast member deleted", now); err != nil {
			return nil, err
		}
	}
	sums, err := sqlitedb.All(ctx, t.tx, sqlitedb.String, `SELECT sha256 FROM media WHERE member_id = ?`, id)
	if err != nil {
		return nil, err
	}
	if _, err := t.exec(ctx, `DELETE FROM members WHERE id = ?`, id); err != nil {
		return nil, err
	}
	var orphans []string
	for _, sum := range sums {
		// A video job's input image may share the blob.
		n, err := videos.BlobUses(ctx, t.tx, sum)
		if err != nil {
			return nil, err
		}
		if n == 0 && !slices.Contains(orphans, sum) {
			orphans = append(orphans, sum)
		}
	}
	return orphans, nil
}

// putMedia stores one of a member's media. The body is the file itself;
// it is received into a temporary file and read through (mediacheck.Check)
// before anything is stored: what is not a medium of its kind is refused
// with 415, leaving neither blob nor row. The blob lands in the store (under
// its SHA-256) before the row that names it, so a crash leaves at worst an
// unreferenced file, never a row without its file.
func (s *Server) putMedia(w http.ResponseWriter, r *http.Request, c caller) error {
	kind, err := account.ParseMediaKind(r.PathValue("kind"))
	if err != nil {
		return errorf(http.StatusNotFound, account.CodeNotFound, "%v", err)
	}
	id := r.PathValue("id")
	if _, err := ownMember(r.Context(), s.st.r, id, c); err != nil {
		return err
	}
	limit := s.limit(kind)
	if r.ContentLength > limit {
		return errorf(http.StatusRequestEntityTooLarge, account.CodeTooLarge, "a %s may be at most %d bytes; this one is %d", kind, limit, r.ContentLength)
	}
	u, err := s.blobs.Receive(http.MaxBytesReader(w, r.Body, limit))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return errorf(http.StatusRequestEntityTooLarge, account.CodeTooLarge, "a %s may be at most %d bytes", kind, limit)
	}
	if err != nil {
		return fmt.Errorf("receive %s: %w", kind, err)
	}
	ct, err := s.blobs.Check(u, kind)
	if err != nil {
		s.blobs.Discard(u)
		var bad *blobstore.BadMedia
		if errors.As(err, &bad) {
			return errorf(http.StatusUnsupportedMediaType, account.CodeMediaType, "a %s must be %s; this one is not: %v", kind, mediacheck.Expected(kind), bad)
		}
		return fmt.Errorf("check %s: %w", kind, err)
	}
	now := s.now()
	md := account.Media{SHA256: u.SHA256(), Size: u.Size(), ContentType: ct, Uploaded: account.KeepTime(now)}
	err = s.st.write(r.Context(), func(ctx context.Context, t *txn) error {
		if _, err := ownMember(ctx, t.tx, id, c); err != nil {
			return err
		}
		var old string
		err := t.queryRow(ctx, `SELECT sha256 FROM media WHERE member_id = ? AND kind = ?`, id, string(kind)).Scan(&old)
		if err != nil && !isNoRows(err) {
			return err
		}
		if err := s.blobs.Commit(u); err != nil {
			return err
		}
		_, err = t.exec(ctx, `INSERT INTO media (member_id, kind, sha256, size, content_type, uploaded_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (member_id, kind) DO UPDATE SET sha256 = excluded.sha256, size = excluded.size,
			content_type = excluded.content_type, uploaded_at = excluded.uploaded_at`,
			id, string(kind), u.SHA256(), u.Size(), ct, ms(now))
		if err != nil {
			return err
		}
		if old != "" && old != u.SHA256() {
			n, err := videos.BlobUses(ctx, t.tx, old)
			if err != nil {
				return err
			}
			if n == 0 {
				t.afterCommit(func() { s.removeBlobs([]string{old}) })
			}
		}
		return nil
	})
	if err != nil {
		s.blobs.Discard(u) // gone already if it was committed
		return err
	}
	writeJSON(w, http.StatusOK, md)
	return nil
}

// getMedia serves a member's medium to its owner, and to nobody else.
func (s *Server) getMedia(w http.ResponseWriter, r *http.Request, c caller) error {
	kind, err := account.ParseMediaKind(r.PathValue("kind"))
	if err != nil {
		return errorf(http.StatusNotFound, account.CodeNotFound, "%v", err)
	}
	id := r.PathValue("id")
	if _, err := ownMember(r.Context(), s.st.r, id, c); err != nil {
		return err
	}
	var md account.Media
	var up int64
	err = s.st.r.QueryRowContext(r.Context(), `SELECT sha256, size, content_type, uploaded_at FROM media WHERE member_id = ? AND kind = ?`, id, string(kind)).
		Scan(&md.SHA256, &md.Size, &md.ContentType, &up)
	if isNoRows(err) {
		return notFound(fmt.Sprintf("%s of cast member %s", kind, id))
	}
	if err != nil {
		return fmt.Errorf("read media: %w", err)
	}
	f, err := s.blobs.OpenBlob(md.SHA256)
	if err != nil {
		return fmt.Errorf("open %s of %s: %w", kind, id, err)
	}
	defer f.Close()
	h := w.Header()
	h.Set("Content-Type", md.ContentType)
	h.Set("ETag", strconv.Quote(md.SHA256))
	h.Set("Cache-Control", "private, no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(w, r, "", fromMS(up), f)
	return nil
}
