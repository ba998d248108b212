package server

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"fmt"
	"net/http"
	"time"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/internal/sqlitedb"
)

// API keys let a program (a script, a studio that renders on this server)
// act for an account without anyone logging in: "Authorization: Bearer
// slk_…" works wherever a session token does, except where sessionOnly
// says otherwise. A key is shown once, when it is made; the server keeps
// its SHA-256.
//
// A plain SHA-256 is enough here, where a password needs argon2id: a slow
// hash is there to make each guess at a password (a few dozen bits a
// person chose) from a stolen hash expensive. A key is 256 bits from
// crypto/rand: there is nothing to guess, however fast the hash, so a copy
// of the database gives nobody a key. And a key is checked on every
// request, where argon2id would cost 19 MiB and tens of milliseconds each
// time, and an unsalted hash can be looked up by the unique index, which a
// salted one cannot.

// newAPIKey returns a fresh key and the hash the database keeps in its
// place.
func newAPIKey() (key string, hash []byte, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", nil, fmt.Errorf("new API key: %w", err)
	}
	key = account.APIKeyPrefix + base64.RawURLEncoding.EncodeToString(b)
	return key, tokenHash(key), nil
}

// keyCaller finds the account an API key acts for. A revoked key is
// refused, from the moment its revocation commits, with the time it was
// revoked, so that whoever runs the program that sends it knows what
// happened and what to do.
func (s *Server) keyCaller(w http.ResponseWriter, r *http.Request, key string) (caller, error) {
	var c caller
	var lastUsed, revoked sql.NullInt64
	err := s.st.r.QueryRowContext(r.Context(), `SELECT k.id, k.account_id, a.username, k.last_used_at, k.revoked_at
		FROM api_keys k JOIN accounts a ON a.id = k.account_id WHERE k.key_sha256 = ?`, tokenHash(key)).
		Scan(&c.key, &c.id, &c.username, &lastUsed, &revoked)
	switch {
	case isNoRows(err):
		w.Header().Set("WWW-Authenticate", `Bearer realm="slate", error="invalid_token"`)
		return caller{}, errorf(http.StatusUnauthorized, account.CodeUnauthorized,
			"this API key is not one this server knows (mistyped, or its account was deleted); make a new one with: slate account keys create NAME")
	case err != nil:
		return caller{}, fmt.Errorf("find API key: %w", err)
	case revoked.Valid:
		w.Header().Set("WWW-Authenticate", `Bearer realm="slate", error="invalid_token"`)
		return caller{}, errorf(http.StatusUnauthorized, account.CodeUnauthorized,
			"this API key was revoked on %s UTC; make a new one with: slate account keys create NAME", fromMS(revoked.Int64).Format("2006-01-02 15:04"))
	}
	// As with sessions' last-seen times, a minute's precision is plenty
	// and spares a write per request.
	if now := s.now(); !lastUsed.Valid || now.Sub(fromMS(lastUsed.Int64)) > time.Minute {
		s.st.writeLater(context.WithoutCancel(r.Context()), func(ctx context.Context, t *txn) error {
			_, err := t.exec(ctx, `UPDATE api_keys SET last_used_at = ? WHERE id = ?`, ms(now), c.key)
			return err
		})
	}
	return c, nil
}

// sessionOnly lets an endpoint be used with a log-in session only, never
// with an API key: making and revoking keys, deleting the account, and
// logging devices out or renaming them. A key is meant to be handed to a
// program, and so it is the credential most likely to leak. If a key could
// make keys, a leaked one could make others that outlive its revocation,
// and revoking it would not shut the intruder out; if it could revoke keys
// or sessions, it could keep the owner's own studios logged out while the
// owner tried to revoke it. Only someone who knows the password, logged in,
// manages the account's credentials.
func sessionOnly(what string, h authed) authed {
	return func(w http.ResponseWriter, r *http.Request, c caller) error {
		if c.key != "" {
			return forbidden("an API key cannot %s; that needs a log-in session (slate account login)", what)
		}
		return h(w, r, c)
	}
}

// createKey makes an API key for the caller's account and shows it, this
// once.
func (s *Server) createKey(w http.ResponseWriter, r *http.Request, c caller) error {
	var req account.NewAPIKey
	if err := decode(r, &req); err != nil {
		return err
	}
	key, hash, err := newAPIKey()
	if err != nil {
		return err
	}
	now := account.KeepTime(s.now())
	out := account.CreatedAPIKey{APIKey: account.APIKey{ID: newID(), Name: req.Name, Created: now}, Key: key}
	err = s.st.write(r.Context(), func(ctx context.Context, t *txn) error {
		var n int
		if err := t.queryRow(ctx, `SELECT count(*) FROM api_keys WHERE account_id = ? AND revoked_at IS NULL`, c.id).Scan(&n); err != nil {
			return err
		}
		if n >= account.MaxAPIKeys {
			return errorf(http.StatusConflict, account.CodeConflict, "this account has %d API keys, the most it may hold; revoke one you no longer use first (slate account keys list)", n)
		}
		_, err := t.exec(ctx, `INSERT INTO api_keys (id, key_sha256, account_id, name, created_at) VALUES (?, ?, ?, ?, ?)`,
			out.ID, hash, c.id, out.Name, ms(now))
		if isForeignKey(err) {
			// The account was deleted after the session was checked.
			return errorf(http.StatusUnauthorized, account.CodeUnauthorized, "the session has ended (logged out, revoked or deleted); log in again")
		}
		if err != nil {
			return fmt.Errorf("create API key: %w", err)
		}
		return audit(ctx, t, now, account.AuditKeyCreated, c.id, c.id, "", "", "", fmt.Sprintf("API key %s %q", out.ID, out.Name))
	})
	if err != nil {
		return err
	}
	s.log.Info("API key created", "account", c.id, "key", out.ID)
	writeJSON(w, http.StatusCreated, out)
	return nil
}

// listKeys lists the caller's API keys, revoked ones included, oldest
// first.
func (s *Server) listKeys(w http.ResponseWriter, r *http.Request, c caller) error {
	keys, err := sqlitedb.All(r.Context(), s.st.r, func(row sqlitedb.Row) (account.APIKey, error) {
		var k account.APIKey
		var created int64
		var used, revoked sql.NullInt64
		err := row.Scan(&k.ID, &k.Name, &created, &used, &revoked)
		k.Created, k.LastUsed, k.Revoked = fromMS(created), nullTime(used), nullTime(revoked)
		return k, err
	}, `SELECT id, name, created_at, last_used_at, revoked_at FROM api_keys WHERE account_id = ? ORDER BY created_at, rowid`, c.id)
	if err != nil {
		return fmt.Errorf("list API keys: %w", err)
	}
	writeJSON(w, http.StatusOK, account.APIKeys{Keys: orEmpty(keys)})
	return nil
}

// revokeKey revokes one of the caller's API keys: from the moment this
// answers, the key is refused. Another account's key is reported as not
// found, so key IDs reveal nothing. Revoking a revoked key changes nothing.
func (s *Server) revokeKey(w http.ResponseWriter, r *http.Request, c caller) error {
	id := r.PathValue("id")
	now := account.KeepTime(s.now())
	err := s.st.write(r.Context(), func(ctx context.Context, t *txn) error {
		var name string
		var revoked sql.NullInt64
		err := t.queryRow(ctx, `SELECT name, revoked_at FROM api_keys WHERE id = ? AND account_id = ?`, id, c.id).Scan(&name, &revoked)
		if isNoRows(err) {
			return notFound("API key " + id)
		}
		if err != nil || revoked.Valid {
			return err
		}
		if _, err := t.exec(ctx, `UPDATE api_keys SET revoked_at = ? WHERE id = ?`, ms(now), id); err != nil {
			return fmt.Errorf("revoke API key: %w", err)
		}
		return audit(ctx, t, now, account.AuditKeyRevoked, c.id, c.id, "", "", "", fmt.Sprintf("API key %s %q", id, name))
	})
	if err != nil {
		return err
	}
	s.log.Info("API key revoked", "account", c.id, "key", id)
	w.WriteHeader(http.StatusNoContent)
	return nil
}
