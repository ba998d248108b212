package server

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/mattn/go-sqlite3"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/account/server/confusable"
	"github.com/slatestudio/slate/internal/sqlitedb"
)

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// isUnique reports whether err is a UNIQUE or PRIMARY KEY violation.
func isUnique(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && (se.ExtendedCode == sqlite3.ErrConstraintUnique || se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey)
}

func (s *Server) signUp(w http.ResponseWriter, r *http.Request) error {
	var req account.Credentials
	if err := decode(r, &req); err != nil {
		return err
	}
	if err := account.CheckNewPassword(req.Password); err != nil {
		return errorf(http.StatusBadRequest, account.CodeBadRequest, "%v", err)
	}
	var hash string
	var herr error
	if err := s.hashers.do(r.Context(), func() { hash, herr = hashPassword(req.Password) }); err != nil {
		return err
	}
	if herr != nil {
		return herr
	}
	now := account.KeepTime(s.now())
	acct := account.Account{ID: newID(), Username: req.Username, Created: now}
	var resp account.LoginResponse
	err := s.st.write(r.Context(), func(ctx context.Context, t *txn) error {
		_, err := t.exec(ctx, `INSERT INTO accounts (id, username, username_skeleton, password_hash, created_at) VALUES (?, ?, ?, ?, ?)`,
			acct.ID, acct.Username, confusable.Key(acct.Username), hash, ms(now))
		if isUnique(err) {
			msg, err := nameTaken(ctx, t, "accounts", req.Username)
			if err != nil {
				return err
			}
			return conflict(cmp.Or(msg, "the username "+req.Username+" is taken; choose another"))
		}
		if err != nil {
			return err
		}
		resp, err = s.startSession(ctx, t, acct, req, now)
		return err
	})
	if err != nil {
		return err
	}
	s.log.Info("account created", "account", acct.ID)
	writeJSON(w, http.StatusCreated, resp)
	return nil
}

// startSession replaces the device's session, if any, with a new one. The
// device is its ID where the client sends one, so that two data folders on
// one computer, named alike, keep a session each; a client that sends none
// is known by the device's name, as before there were IDs, and replaces
// only another such session of that name.
func (s *Server) startSession(ctx context.Context, t *txn, acct account.Account, cr account.Credentials, now time.Time) (account.LoginResponse, error) {
	token, hash, err := newToken()
	if err != nil {
		return account.LoginResponse{}, err
	}
	sess := account.Session{ID: newID(), Device: cr.Device, Created: now, LastSeen: now, Current: true}
	same, args := `device_id = ?`, []any{acct.ID, cr.DeviceID}
	if cr.DeviceID == "" {
		same, args = `device_id = '' AND device = ?`, []any{acct.ID, cr.Device}
	}
	if _, err := t.exec(ctx, `DELETE FROM sessions WHERE account_id = ? AND `+same, args...); err != nil {
		return account.LoginResponse{}, err
	}
	_, err = t.exec(ctx, `INSERT INTO sessions (id, token_sha256, account_id, device, device_id, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		sess.ID, hash, acct.ID, cr.Device, cr.DeviceID, ms(now), ms(now))
	if err != nil {
		return account.LoginResponse{}, fmt.Errorf("start session: %w", err)
	}
	return account.LoginResponse{Account: acct, Session: sess, Token: token, Key: account.Key{Algorithm: "ed25519", Key: s.pub}}, nil
}

func throttleKeys(username string, r *http.Request) (acct, addr string) {
	return "account:" + username, "address:" + remoteIP(r)
}

// attempt lets a password check go ahead, or answers 429 with how long
// to wait.
func (s *Server) attempt(acctKey, addrKey string) error {
	wait := s.thr.Attempt(acctKey, addrKey)
	if wait <= 0 {
		return nil
	}
	return &httpError{status: http.StatusTooManyRequests, code: account.CodeThrottled, retryAfter: wait,
		msg: fmt.Sprintf("too many failed log-ins; try again in %d seconds", int((wait+time.Second-1)/time.Second))}
}

// checkCredentials checks username and password under the throttle and
// returns the account.
func (s *Server) checkCredentials(ctx context.Context, r *http.Request, username, password string) (account.Account, error) {
	acctKey, addrKey := throttleKeys(username, r)
	if err := s.attempt(acctKey, addrKey); err != nil {
		return account.Account{}, err
	}
	var acct account.Account
	var hash string
	var created int64
	err := s.st.r.QueryRowContext(ctx, `SELECT id, username, password_hash, created_at FROM accounts WHERE username = ?`, username).
		Scan(&acct.ID, &acct.Username, &hash, &created)
	found := err == nil
	if err != nil && !isNoRows(err) {
		return account.Account{}, fmt.Errorf("find account: %w", err)
	}
	if !found {
		hash = s.dummyHash
	}
	var ok bool
	var cerr error
	if err := s.hashers.do(ctx, func() { ok, cerr = checkPassword(hash, password) }); err != nil {
		return account.Account{}, err
	}
	if cerr != nil {
		return account.Account{}, cerr
	}
	if !ok || !found {
		s.log.Warn("log-in failed", "username", username, "remote", remoteIP(r))
		return account.Account{}, errorf(http.StatusUnauthorized, account.CodeUnauthorized, "wrong username or password")
	}
	s.thr.Succeeded(acctKey, addrKey)
	acct.Created = fromMS(created)
	return acct, nil
}

func (s *Server) logIn(w http.ResponseWriter, r *http.Request) error {
	var req account.Credentials
	if err := decode(r, &req); err != nil {
		return err
	}
	acct, err := s.checkCredentials(r.Context(), r, req.Username, req.Password)
	if err != nil {
		return err
	}
	now := account.KeepTime(s.now())
	var resp account.LoginResponse
	err = s.st.write(r.Context(), func(ctx context.Context, t *txn) error {
		var err error
		resp, err = s.startSession(ctx, t, acct, req, now)
		if err != nil && isForeignKey(err) {
			return errorf(http.StatusUnauthorized, account.CodeUnauthorized, "wrong username or password")
		}
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, resp)
	return nil
}

func isForeignKey(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintForeignKey
}

func (s *Server) getAccount(w http.ResponseWriter, r *http.Request, c caller) error {
	var created int64
	err := s.st.r.QueryRowContext(r.Context(), `SELECT created_at FROM accounts WHERE id = ?`, c.id).Scan(&created)
	if err != nil {
		return fmt.Errorf("read account: %w", err)
	}
	writeJSON(w, http.StatusOK, account.Account{ID: c.id, Username: c.username, Created: fromMS(created)})
	return nil
}

// deleteAccount removes an account after checking its password: its cast
// members with their media (every grant on them revoked, every use removed,
// each creator told), its sessions, its requests and its change feed. The
// audit trail keeps its rows, which name the account only by ID.
func (s *Server) deleteAccount(w http.ResponseWriter, r *http.Request, c caller) error {
	var req account.DeleteAccount
	if err := decode(r, &req); err != nil {
		return err
	}
	if _, err := s.checkCredentials(r.Context(), r, c.username, req.Password); err != nil {
		var he *httpError
		if errors.As(err, &he) && he.status == http.StatusUnauthorized {
			// The session is fine; only the confirmation is wrong.
			return forbidden("wrong password: the account was not deleted")
		}
		return err
	}
	now := s.now()
	err := s.st.write(r.Context(), func(ctx context.Context, t *txn) error {
		ids, err := sqlitedb.All(ctx, t.tx, sqlitedb.String, `SELECT id FROM members WHERE owner_id = ?`, c.id)
		if err != nil {
			return err
		}
		var orphans []string
		for _, id := range ids {
			o, err := s.dropMember(ctx, t, id, c.id, now)
			if err != nil {
				return err
			}
			orphans = append(orphans, o...)
		}
		// The uses of their likeness were removed above (and each creator
		// told); the rows go too, since they name other people's projects
		// to an account that no longer exists. The audit trail keeps the
		// record.
		if _, err := t.exec(ctx, `DELETE FROM uses WHERE owner_id = ?`, c.id); err != nil {
			return err
		}
		if _, err := t.exec(ctx, `DELETE FROM accounts WHERE id = ?`, c.id); err != nil {
			return err
		}
		t.afterCommit(func() { s.removeBlobs(orphans) })
		return nil
	})
	if err != nil {
		return err
	}
	s.log.Info("account deleted", "account", c.id)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) removeBlobs(sums []string) {
	for _, sum := range sums {
		if err := s.blobs.remove(sum); err != nil {
			s.log.Error("remove blob", "sha256", sum, "error", err)
		}
	}
}

func (s *Server) listSessions(w http.ResponseWriter, r *http.Request, c caller) error {
	ss, err := sqlitedb.All(r.Context(), s.st.r, func(row sqlitedb.Row) (account.Session, error) {
		var ss account.Session
		var created, seen int64
		err := row.Scan(&ss.ID, &ss.Device, &created, &seen)
		ss.Created, ss.LastSeen, ss.Current = fromMS(created), fromMS(seen), ss.ID == c.session
		return ss, err
	}, `SELECT id, device, created_at, last_seen_at FROM sessions WHERE account_id = ? ORDER BY created_at, id`, c.id)
	if err != nil {
		return fmt.Errorf("list sessions: %w", err)
	}
	writeJSON(w, http.StatusOK, account.Sessions{Sessions: orEmpty(ss)})
	return nil
}

// renameSession renames the device of the session making the request, as
// a person named it in their studio; the list of devices shows the new
// name.
func (s *Server) renameSession(w http.ResponseWriter, r *http.Request, c caller) error {
	var req account.SessionPatch
	if err := decode(r, &req); err != nil {
		return err
	}
	var sess account.Session
	err := s.st.write(r.Context(), func(ctx context.Context, t *txn) error {
		_, err := t.exec(ctx, `UPDATE sessions SET device = ? WHERE id = ? AND account_id = ?`, req.Device, c.session, c.id)
		if isUnique(err) {
			// Only sessions from clients without device IDs are unique
			// by name.
			return errorf(http.StatusConflict, account.CodeConflict, "another device of this account is called %q; choose another name", req.Device)
		}
		if err != nil {
			return err
		}
		var created, seen int64
		err = t.queryRow(ctx, `SELECT id, device, created_at, last_seen_at FROM sessions WHERE id = ?`, c.session).Scan(&sess.ID, &sess.Device, &created, &seen)
		if isNoRows(err) {
			// Revoked between the check of the token and now.
			return errorf(http.StatusUnauthorized, account.CodeUnauthorized, "the session has ended (logged out, revoked or deleted); log in again")
		}
		sess.Created, sess.LastSeen, sess.Current = fromMS(created), fromMS(seen), true
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sess)
	return nil
}

// revokeSession ends one of the caller's sessions; "current" is the one
// making the request, which is how a studio logs out. Another account's
// session is reported as not found, so session IDs reveal nothing.
func (s *Server) revokeSession(w http.ResponseWriter, r *http.Request, c caller) error {
	id := r.PathValue("id")
	if id == "current" {
		id = c.session
	}
	var n int64
	err := s.st.write(r.Context(), func(ctx context.Context, t *txn) error {
		res, err := t.exec(ctx, `DELETE FROM sessions WHERE id = ? AND account_id = ?`, id, c.id)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return err
	}
	if n == 0 {
		return notFound("session " + id)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
