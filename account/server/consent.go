package server

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/account/server/projects"
	"github.com/slatestudio/slate/consent"
	"github.com/slatestudio/slate/internal/sqlitedb"
)

// audit appends a row to the audit trail.
func audit(ctx context.Context, t *txn, at time.Time, kind, actor, owner, member, grant, use, detail string) error {
	_, err := t.exec(ctx, `INSERT INTO audit (at, kind, actor_id, owner_id, member_id, grant_id, use_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		ms(at), kind, actor, owner, member, grant, use, detail)
	if err != nil {
		return fmt.Errorf("audit %s: %w", kind, err)
	}
	return nil
}

// notify adds a change to an account's feed.
func notify(ctx context.Context, t *txn, account string, c account.Change) error {
	_, err := t.exec(ctx, `INSERT INTO changes (account_id, kind, at, member_id, handle, grant_id, use_id, clip_sha256, project_title, request_id, project, rev, device_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		account, c.Kind, ms(c.At), c.Member, c.Handle, c.GrantID, c.UseID, c.ClipSHA256, c.ProjectTitle, c.RequestID, c.Project, c.Rev, c.DeviceID)
	if err != nil {
		return fmt.Errorf("notify %s: %w", c.Kind, err)
	}
	return nil
}

// requestGrant decides a grant request under the member's policy as it
// stands when the decision runs. Decisions run in the writer, in order with
// policy changes, so a request that arrives after a revocation was
// acknowledged always sees it. Every grant and every refusal gets an audit
// row before the answer goes out.
func (s *Server) requestGrant(w http.ResponseWriter, r *http.Request, c caller) error {
	var req account.GrantRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	life := time.Duration(0)
	if req.LifetimeSeconds > 0 && req.LifetimeSeconds < int64(consent.MaxGrantLifetime/time.Second) {
		life = time.Duration(req.LifetimeSeconds) * time.Second
	}
	var out account.GrantResponse
	var refusal *consent.Refusal
	err := s.st.write(r.Context(), func(ctx context.Context, t *txn) error {
		m, err := loadMember(ctx, t.tx, req.Member)
		if err != nil {
			return err
		}
		p, err := policy(ctx, t.tx, m)
		if err != nil {
			return err
		}
		now := s.now()
		g, err := consent.Decide(p, consent.GrantRequest{ID: newID(), Member: m.id, Grantee: c.id,
			Project: req.Project, Shot: req.Shot, Scope: req.Scope, Lifetime: life, Outside: req.Outside}, now)
		if errors.As(err, &refusal) {
			detail := fmt.Sprintf("%s: project %s shot %s %s%s", refusal.Code, req.Project, req.Shot, req.Scope, outsideWord(req.Outside))
			return audit(ctx, t, now, account.AuditRefusal, c.id, m.ownerID, m.id, "", "", detail)
		}
		if err != nil {
			return err
		}
		token, err := consent.Sign(s.key, g)
		if err != nil {
			return err
		}
		_, err = t.exec(ctx, `INSERT INTO grants (id, member_id, owner_id, grantee_id, project, shot, scope, issued_at, expires_at, token, outside)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			g.ID, g.Member, g.Owner, g.Grantee, g.Project, g.Shot, string(g.Scope), ms(g.Issued), ms(g.Expires), token, g.Outside)
		if err != nil {
			return err
		}
		if err := audit(ctx, t, now, account.AuditGrant, c.id, m.ownerID, m.id, g.ID, "", fmt.Sprintf("project %s shot %s %s%s", g.Project, g.Shot, g.Scope, outsideWord(g.Outside))); err != nil {
			return err
		}
		out = account.GrantResponse{Grant: g, Token: token}
		return nil
	})
	if err != nil {
		return err
	}
	if refusal != nil {
		return &httpError{status: http.StatusForbidden, code: account.CodeRefused, msg: refusal.Reason, refusal: refusal}
	}
	writeJSON(w, http.StatusCreated, out)
	return nil
}

// outsideWord marks, in an audit row's detail, a grant that lets the
// likeness go to an outside render service.
func outsideWord(outside bool) string {
	if outside {
		return " outside"
	}
	return ""
}

// askApproval records someone's request to be approved for a member and
// tells the owner. Asking again while a request is pending returns that
// request.
func (s *Server) askApproval(w http.ResponseWriter, r *http.Request, c caller) error {
	var req account.ApprovalAsk
	if err := decode(r, &req); err != nil {
		return err
	}
	id := r.PathValue("id")
	now := s.now()
	status := http.StatusCreated
	var out account.Request
	err := s.st.write(r.Context(), func(ctx context.Context, t *txn) error {
		m, err := loadMember(ctx, t.tx, id)
		if err != nil {
			return err
		}
		if m.ownerID == c.id {
			return errorf(http.StatusBadRequest, account.CodeBadRequest, "you own %s: there is nobody to ask", m.handle)
		}
		p, err := policy(ctx, t.tx, m)
		if err != nil {
			return err
		}
		var ref *consent.Refusal
		switch err := p.Check(c.id); {
		case m.level == consent.OnlyMe:
			return forbidden("cast member %s is private to its owner, who takes no requests", m.handle)
		case errors.As(err, &ref) && ref.Code == consent.RefusedBlocked:
			return forbidden("the owner of %s has withdrawn your permission and takes no requests from you", m.handle)
		}
		var n int
		if err := t.queryRow(ctx, `SELECT count(*) FROM member_accounts WHERE member_id = ? AND account_id = ? AND relation = 'approved'`, m.id, c.id).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return errorf(http.StatusConflict, account.CodeConflict, "you are approved for %s already", m.handle)
		}
		var existing string
		err = t.queryRow(ctx, `SELECT id FROM requests WHERE member_id = ? AND requester_id = ? AND status = 'pending'`, m.id, c.id).Scan(&existing)
		switch {
		case err == nil:
			status = http.StatusOK
			out, err = loadRequest(ctx, t, existing)
			return err
		case !isNoRows(err):
			return err
		}
		rid := newID()
		_, err = t.exec(ctx, `INSERT INTO requests (id, member_id, requester_id, message, status, created_at) VALUES (?, ?, ?, ?, 'pending', ?)`,
			rid, m.id, c.id, req.Message, ms(now))
		if err != nil {
			return err
		}
		if err := notify(ctx, t, m.ownerID, account.Change{Kind: account.ChangeRequest, At: now, Member: m.id, Handle: m.handle, RequestID: rid}); err != nil {
			return err
		}
		out, err = loadRequest(ctx, t, rid)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, status, out)
	return nil
}

const requestColumns = `r.id, r.member_id, m.handle, m.owner_id, a.username, r.requester_id, r.message, r.status, r.created_at, r.decided_at`

func scanRequest(row interface{ Scan(...any) error }) (account.Request, string, error) {
	var q account.Request
	var owner string
	var created int64
	var decided sql.NullInt64
	err := row.Scan(&q.ID, &q.Member, &q.Handle, &owner, &q.Requester, &q.RequesterID, &q.Message, &q.Status, &created, &decided)
	q.Created, q.Decided = fromMS(created), nullTime(decided)
	return q, owner, err
}

func loadRequest(ctx context.Context, t *txn, id string) (account.Request, error) {
	q, _, err := scanRequest(t.queryRow(ctx, `SELECT `+requestColumns+` FROM requests r JOIN members m ON m.id = r.member_id
		JOIN accounts a ON a.id = r.requester_id WHERE r.id = ?`, id))
	return q, err
}

// listRequests lists the pending requests for the caller's members.
func (s *Server) listRequests(w http.ResponseWriter, r *http.Request, c caller) error {
	rs, err := sqlitedb.All(r.Context(), s.st.r, func(row sqlitedb.Row) (account.Request, error) {
		q, _, err := scanRequest(row)
		return q, err
	}, `SELECT `+requestColumns+` FROM requests r JOIN members m ON m.id = r.member_id
		JOIN accounts a ON a.id = r.requester_id WHERE m.owner_id = ? AND r.status = 'pending' ORDER BY r.created_at, r.id`, c.id)
	if err != nil {
		return fmt.Errorf("list requests: %w", err)
	}
	writeJSON(w, http.StatusOK, account.Requests{Requests: orEmpty(rs)})
	return nil
}

func (s *Server) acceptRequest(w http.ResponseWriter, r *http.Request, c caller) error {
	return s.answerRequest(w, r, c, true)
}

func (s *Server) declineRequest(w http.ResponseWriter, r *http.Request, c caller) error {
	return s.answerRequest(w, r, c, false)
}

// answerRequest accepts (approving the requester, and lifting a block) or
// declines a pending request, and tells the requester.
func (s *Server) answerRequest(w http.ResponseWriter, r *http.Request, c caller, accept bool) error {
	id := r.PathValue("id")
	now := s.now()
	var out account.Request
	err := s.st.write(r.Context(), func(ctx context.Context, t *txn) error {
		q, owner, err := scanRequest(t.queryRow(ctx, `SELECT `+requestColumns+` FROM requests r JOIN members m ON m.id = r.member_id
			JOIN accounts a ON a.id = r.requester_id WHERE r.id = ?`, id))
		if isNoRows(err) {
			return notFound("request " + id)
		}
		if err != nil {
			return err
		}
		if owner != c.id {
			return forbidden("request %s is for another account's cast member", id)
		}
		if q.Status != account.RequestPending {
			return errorf(http.StatusConflict, account.CodeConflict, "request %s was %s already", id, q.Status)
		}
		status, kind := account.RequestDeclined, account.ChangeDeclined
		if accept {
			status, kind = account.RequestAccepted, account.ChangeAccepted
			if _, err := t.exec(ctx, `DELETE FROM member_accounts WHERE member_id = ? AND account_id = ? AND relation = 'blocked'`, q.Member, q.RequesterID); err != nil {
				return err
			}
			if _, err := t.exec(ctx, `INSERT OR IGNORE INTO member_accounts (member_id, account_id, relation) VALUES (?, ?, 'approved')`, q.Member, q.RequesterID); err != nil {
				return err
			}
		}
		if _, err := t.exec(ctx, `UPDATE requests SET status = ?, decided_at = ? WHERE id = ?`, status, ms(now), id); err != nil {
			return err
		}
		if err := notify(ctx, t, q.RequesterID, account.Change{Kind: kind, At: now, Member: q.Member, Handle: q.Handle, RequestID: id}); err != nil {
			return err
		}
		out, err = loadRequest(ctx, t, id)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// registerUse records a render or export that features a member, under a
// grant the caller holds. The grant must be the caller's, unrevoked,
// unexpired, of a scope that covers the use, and the use must not predate
// it. Registering the same clip under the same grant again returns the
// first registration, so a studio can retry safely.
func (s *Server) registerUse(w http.ResponseWriter, r *http.Request, c caller) error {
	var req account.NewUse
	if err := decode(r, &req); err != nil {
		return err
	}
	status := http.StatusCreated
	var out account.Use
	err := s.st.write(r.Context(), func(ctx context.Context, t *txn) error {
		now := s.now()
		var grantee, token string
		var revoked sql.NullInt64
		err := t.queryRow(ctx, `SELECT grantee_id, token, revoked_at FROM grants WHERE id = ?`, req.GrantID).Scan(&grantee, &token, &revoked)
		if isNoRows(err) {
			return notFound("grant " + req.GrantID)
		}
		if err != nil {
			return err
		}
		if grantee != c.id {
			return forbidden("grant %s was issued to another account", req.GrantID)
		}
		// Check the stored token as a studio would: the row cannot claim
		// more than the server signed.
		g, verr := consent.Verify(s.pub, token, now)
		switch {
		case revoked.Valid:
			return forbidden("grant %s was revoked at %s: the owner changed their consent; request a new grant", req.GrantID, fromMS(revoked.Int64).Format(time.RFC3339))
		case errors.Is(verr, consent.ErrExpired):
			return forbidden("grant %s expired at %s; request a new grant", req.GrantID, g.Expires.Format(time.RFC3339))
		case verr != nil:
			return fmt.Errorf("stored grant %s: %w", req.GrantID, verr)
		case !g.Scope.Covers(req.Scope):
			return forbidden("grant %s is for %s renders; a %s use needs a %s grant", req.GrantID, g.Scope, req.Scope, req.Scope)
		case req.At.Before(g.Issued.Add(-consent.ClockSkew)):
			return errorf(http.StatusBadRequest, account.CodeBadRequest, "field \"at\": the use (%s) is older than grant %s (%s)", req.At.Format(time.RFC3339), g.ID, g.Issued.Format(time.RFC3339))
		case req.At.After(now.Add(consent.ClockSkew)):
			return errorf(http.StatusBadRequest, account.CodeBadRequest, "field \"at\": the use (%s) is in the future; check this computer's clock", req.At.Format(time.RFC3339))
		}
		var existing string
		err = t.queryRow(ctx, `SELECT id FROM uses WHERE grant_id = ? AND clip_sha256 = ? AND scope = ?`, g.ID, req.ClipSHA256, string(req.Scope)).Scan(&existing)
		if err == nil {
			status = http.StatusOK
			out, err = loadUse(ctx, t, existing)
			return err
		}
		if !isNoRows(err) {
			return err
		}
		uid, err := insertUse(ctx, t, g, c.id, req.ClipSHA256, req.ProjectTitle, req.Scope, req.At, now)
		if err != nil {
			return err
		}
		out, err = loadUse(ctx, t, uid)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, status, out)
	return nil
}

// insertUse records a use under grant g, with its audit row: by
// POST /uses, and by a render job of /v1/videos when it makes its clip.
func insertUse(ctx context.Context, t *txn, g consent.Grant, creator, clip, title string, scope consent.Scope, at, now time.Time) (string, error) {
	var handle string
	if err := t.queryRow(ctx, `SELECT handle FROM members WHERE id = ?`, g.Member).Scan(&handle); err != nil {
		return "", fmt.Errorf("member of grant %s: %w", g.ID, err)
	}
	uid := newID()
	_, err := t.exec(ctx, `INSERT INTO uses (id, grant_id, member_id, handle, owner_id, creator_id, clip_sha256, project_title, scope, used_at, registered_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		uid, g.ID, g.Member, handle, g.Owner, creator, clip, title, string(scope), ms(at), ms(now))
	if err != nil {
		return "", err
	}
	return uid, audit(ctx, t, now, account.AuditUse, creator, g.Owner, g.Member, g.ID, uid, fmt.Sprintf("%s %s of %q", scope, clip, title))
}

const useColumns = `u.id, u.grant_id, u.member_id, u.handle, COALESCE(a.username, ''), u.creator_id, u.clip_sha256,
	u.project_title, u.scope, u.used_at, u.registered_at, u.removed_at, u.owner_id`

func scanUse(row interface{ Scan(...any) error }) (account.Use, string, error) {
	var u account.Use
	var scope, owner string
	var at, reg int64
	var removed sql.NullInt64
	err := row.Scan(&u.ID, &u.GrantID, &u.Member, &u.Handle, &u.Creator, &u.CreatorID, &u.ClipSHA256,
		&u.ProjectTitle, &scope, &at, &reg, &removed, &owner)
	u.Scope, u.At, u.Registered, u.Removed = consent.Scope(scope), fromMS(at), fromMS(reg), nullTime(removed)
	return u, owner, err
}

func loadUse(ctx context.Context, t *txn, id string) (account.Use, error) {
	u, _, err := scanUse(t.queryRow(ctx, `SELECT `+useColumns+` FROM uses u LEFT JOIN accounts a ON a.id = u.creator_id WHERE u.id = ?`, id))
	return u, err
}

// listUses lists every use of the caller's likenesses, other people's
// drafts included, removed ones too (with the time of removal); ?member=ID
// narrows it to one member.
func (s *Server) listUses(w http.ResponseWriter, r *http.Request, c caller) error {
	q, err := query(r, "member")
	if err != nil {
		return err
	}
	member := q.Get("member")
	if member != "" && !account.ValidID(member) {
		return errorf(http.StatusBadRequest, account.CodeBadRequest, "parameter \"member\": %q is not a cast member's ID; leave it out to list the uses of every member", member)
	}
	us, err := sqlitedb.All(r.Context(), s.st.r, func(row sqlitedb.Row) (account.Use, error) {
		u, _, err := scanUse(row)
		return u, err
	}, `SELECT `+useColumns+` FROM uses u LEFT JOIN accounts a ON a.id = u.creator_id
		WHERE u.owner_id = ? AND (? = '' OR u.member_id = ?) ORDER BY u.registered_at, u.id`, c.id, member, member)
	if err != nil {
		return fmt.Errorf("list uses: %w", err)
	}
	writeJSON(w, http.StatusOK, account.Uses{Uses: orEmpty(us)})
	return nil
}

// removeUse lets a member's owner remove a use of their likeness. The
// creator learns of it through their change feed, and their studio deletes
// the clip. Removing a removed use again changes nothing.
func (s *Server) removeUse(w http.ResponseWriter, r *http.Request, c caller) error {
	id := r.PathValue("id")
	err := s.st.write(r.Context(), func(ctx context.Context, t *txn) error {
		u, owner, err := scanUse(t.queryRow(ctx, `SELECT `+useColumns+` FROM uses u LEFT JOIN accounts a ON a.id = u.creator_id WHERE u.id = ?`, id))
		if isNoRows(err) {
			return notFound("use " + id)
		}
		if err != nil {
			return err
		}
		if owner != c.id {
			return forbidden("use %s features another account's cast member; only its owner can remove it", id)
		}
		if u.Removed != nil {
			return nil
		}
		if err := removeUse(ctx, t, id, c.id, "removed by the owner", s.now()); err != nil {
			return err
		}
		t.afterCommit(func() { s.uploads.RemoveUnnamed(ctx, u.ClipSHA256) })
		return nil
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// removeUse marks a use removed, writes the audit row and tells the
// creator.
func removeUse(ctx context.Context, t *txn, id, actor, why string, now time.Time) error {
	u, owner, err := scanUse(t.queryRow(ctx, `SELECT `+useColumns+` FROM uses u LEFT JOIN accounts a ON a.id = u.creator_id WHERE u.id = ?`, id))
	if err != nil {
		return err
	}
	if _, err := t.exec(ctx, `UPDATE uses SET removed_at = ? WHERE id = ?`, ms(now), id); err != nil {
		return err
	}
	// The creator's synced copy of the clip goes too (its bytes once
	// nothing else names them).
	if _, err := t.exec(ctx, `DELETE FROM blob_holds WHERE account_id = ? AND sha256 = ?`, u.CreatorID, u.ClipSHA256); err != nil {
		return err
	}
	if err := audit(ctx, t, now, account.AuditRemoval, actor, owner, u.Member, u.GrantID, id, why); err != nil {
		return err
	}
	// No device of the creator's fetches the clip from a project again.
	if err := projects.ForgetClips(ctx, t.tx, u.CreatorID, u.ClipSHA256); err != nil {
		return err
	}
	return notify(ctx, t, u.CreatorID, account.Change{Kind: account.ChangeRemoval, At: now, Member: u.Member, Handle: u.Handle,
		GrantID: u.GrantID, UseID: id, ClipSHA256: u.ClipSHA256, ProjectTitle: u.ProjectTitle})
}

// listChangesSQL reads a page of an account's feed. Every device polls it
// every few seconds, so it must stay a search of the index changes_account
// (account_id, seq), never a scan or a sort (TestChangesQueryUsesIndex).
const listChangesSQL = `SELECT seq, kind, at, member_id, handle, grant_id, use_id, clip_sha256, project_title, request_id, project, rev, device_id
	FROM changes WHERE account_id = ? AND seq > ? ORDER BY seq LIMIT ?`

// listChanges pages through the caller's change feed after a cursor.
func (s *Server) listChanges(w http.ResponseWriter, r *http.Request, c caller) error {
	after, limit, err := page(r)
	if err != nil {
		return err
	}
	rows, err := s.st.r.QueryContext(r.Context(), listChangesSQL, c.id, after, limit+1)
	if err != nil {
		return fmt.Errorf("list changes: %w", err)
	}
	defer rows.Close()
	out := account.Changes{Changes: []account.Change{}, Next: account.FormatCursor(after)}
	for rows.Next() {
		if len(out.Changes) == limit {
			out.More = true
			break
		}
		var ch account.Change
		var seq, at int64
		if err := rows.Scan(&seq, &ch.Kind, &at, &ch.Member, &ch.Handle, &ch.GrantID, &ch.UseID, &ch.ClipSHA256, &ch.ProjectTitle, &ch.RequestID, &ch.Project, &ch.Rev, &ch.DeviceID); err != nil {
			return fmt.Errorf("list changes: %w", err)
		}
		ch.Cursor, ch.At = account.FormatCursor(seq), fromMS(at)
		out.Changes = append(out.Changes, ch)
		out.Next = ch.Cursor
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list changes: %w", err)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func page(r *http.Request) (after int64, limit int, err error) {
	q, err := query(r, "after", "limit")
	if err != nil {
		return 0, 0, err
	}
	if after, err = account.ParseCursor(q.Get("after")); err != nil {
		return 0, 0, errorf(http.StatusBadRequest, account.CodeBadRequest, "%v", err)
	}
	if limit, err = account.ParseLimit(q.Get("limit"), 100, account.MaxChangesPage); err != nil {
		return 0, 0, errorf(http.StatusBadRequest, account.CodeBadRequest, "%v", err)
	}
	return after, limit, nil
}

// listAudit pages through the audit rows about the caller's members.
func (s *Server) listAudit(w http.ResponseWriter, r *http.Request, c caller) error {
	after, limit, err := page(r)
	if err != nil {
		return err
	}
	es, err := sqlitedb.All(r.Context(), s.st.r, func(row sqlitedb.Row) (account.AuditEntry, error) {
		var e account.AuditEntry
		var at int64
		err := row.Scan(&e.Seq, &at, &e.Kind, &e.Actor, &e.Member, &e.GrantID, &e.UseID, &e.Detail)
		e.At = fromMS(at)
		return e, err
	}, `SELECT seq, at, kind, actor_id, member_id, grant_id, use_id, detail
		FROM audit WHERE owner_id = ? AND seq > ? ORDER BY seq LIMIT ?`, c.id, after, limit)
	if err != nil {
		return fmt.Errorf("list audit: %w", err)
	}
	writeJSON(w, http.StatusOK, account.Audit{Entries: orEmpty(es)})
	return nil
}
