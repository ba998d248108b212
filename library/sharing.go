package library

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/slatestudio/slate/consent"
	"github.com/slatestudio/slate/internal/sqlitedb"
)

// Account is the account server this studio is logged in to. The session
// token is not here: it lives in the system keyring (account/client).
type Account struct {
	Server   string
	ID       string // the account's ID, as grants name it
	Username string
	// Key is the server's grant-signing key, pinned at log-in.
	Key ed25519.PublicKey
	// FeedCursor is how far the change feed has been read.
	FeedCursor string
	LoggedIn   time.Time
}

// Account returns the account this studio is logged in to; ok is false
// when it is not logged in.
func (l *Library) Account(ctx context.Context) (a Account, ok bool, err error) {
	var key []byte
	var at int64
	err = l.db.QueryRowContext(ctx, `SELECT server, account_id, username, key, feed_cursor, logged_in FROM account WHERE one = 1`).
		Scan(&a.Server, &a.ID, &a.Username, &key, &a.FeedCursor, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return Account{}, false, nil
	}
	if err != nil {
		return Account{}, false, fmt.Errorf("read the account: %w", err)
	}
	a.Key, a.LoggedIn = ed25519.PublicKey(key), time.UnixMilli(at)
	return a, true, nil
}

// SetAccount records a log-in. Logging in to another server or account
// starts the change feed from its beginning and forgets the grants held
// for the previous one.
func (l *Library) SetAccount(ctx context.Context, a Account) error {
	if a.Server == "" || a.ID == "" || a.Username == "" || len(a.Key) != ed25519.PublicKeySize {
		return errors.New("record the log-in: the server, account and a pinned ed25519 key are all needed")
	}
	if a.LoggedIn.IsZero() {
		a.LoggedIn = l.now()
	}
	return l.tx(ctx, func(tx *sql.Tx) error {
		var server, id, cursor string
		err := tx.QueryRowContext(ctx, `SELECT server, account_id, feed_cursor FROM account WHERE one = 1`).Scan(&server, &id, &cursor)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return err
		case server == a.Server && id == a.ID:
			if a.FeedCursor == "" {
				a.FeedCursor = cursor
			}
		}
		if server != a.Server || id != a.ID {
			if _, err := tx.ExecContext(ctx, `DELETE FROM grants`); err != nil {
				return err
			}
			// Everything of mine is news to another server.
			if _, err := tx.ExecContext(ctx, `UPDATE cast_members SET dirty = 1 WHERE remote = 0`); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `INSERT OR REPLACE INTO account (one, server, account_id, username, key, feed_cursor, logged_in)
			VALUES (1, ?, ?, ?, ?, ?, ?)`, a.Server, a.ID, a.Username, []byte(a.Key), a.FeedCursor, unixMilli(a.LoggedIn))
		return err
	})
}

// ClearAccount records a log-out. Grants held are forgotten (they were
// for that account); the uses not yet registered stay in the outbox.
func (l *Library) ClearAccount(ctx context.Context) error {
	return l.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM account`); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM grants`)
		return err
	})
}

// SetFeedCursor records how far the change feed has been read.
func (l *Library) SetFeedCursor(ctx context.Context, cursor string) error {
	_, err := l.db.ExecContext(ctx, `UPDATE account SET feed_cursor = ? WHERE one = 1`, cursor)
	if err != nil {
		return fmt.Errorf("record the change feed's cursor: %w", err)
	}
	return nil
}

// PutRemoteMember records or refreshes someone else's member as the
// server shows it. It fails with ErrHandleTaken when one of mine already
// has that handle.
func (l *Library) PutRemoteMember(ctx context.Context, m *CastMember) error {
	m.Remote, m.Dirty = true, false
	m.Take, m.Frontal, m.Left, m.Right, m.Sample = "", "", "", "", ""
	m.Approved = nil
	if err := m.Validate(); err != nil {
		return fmt.Errorf("record %s: %w", m.Handle, err)
	}
	var mine bool
	err := l.db.QueryRowContext(ctx, `SELECT remote = 0 FROM cast_members WHERE id = ?`, m.ID).Scan(&mine)
	if err == nil && mine {
		return fmt.Errorf("record %s: the ID %s is one of your own members", m.Handle, m.ID)
	}
	if !errors.Is(err, sql.ErrNoRows) && err != nil {
		return fmt.Errorf("record %s: %w", m.Handle, err)
	}
	now := l.now()
	if m.Created.IsZero() {
		m.Created = now
	}
	m.Updated = now
	_, err = l.db.ExecContext(ctx, `INSERT INTO cast_members (id, name, handle, owner, consent, preferences, voice, created_at, updated_at, owner_name, remote, approved, dirty, outside)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, '[]', 0, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, handle = excluded.handle, owner = excluded.owner, consent = excluded.consent,
			preferences = excluded.preferences, updated_at = excluded.updated_at, owner_name = excluded.owner_name, outside = excluded.outside`,
		m.ID, m.Name, m.Handle, m.Owner, string(m.Consent), m.Preferences, m.Voice, unixMilli(m.Created), unixMilli(now), m.OwnerName, m.Outside)
	if err != nil && isUniqueHandle(err) {
		return fmt.Errorf("record %s: another cast member here has that handle: %w", m.Handle, ErrHandleTaken)
	}
	if err != nil {
		return fmt.Errorf("record %s: %w", m.Handle, err)
	}
	return nil
}

// MarkSynced clears a member's dirty mark, unless it changed again after
// the version the server heard (updated).
func (l *Library) MarkSynced(ctx context.Context, id string, updated time.Time) error {
	_, err := l.db.ExecContext(ctx, `UPDATE cast_members SET dirty = 0 WHERE id = ? AND updated_at = ?`, id, unixMilli(updated))
	if err != nil {
		return fmt.Errorf("mark %s synced: %w", id, err)
	}
	return nil
}

// PutGrant keeps a grant the server signed.
func (l *Library) PutGrant(ctx context.Context, g consent.SignedGrant) error {
	_, err := l.db.ExecContext(ctx, `INSERT OR REPLACE INTO grants (id, member_id, project_id, shot_id, scope, expires_at, token) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		g.ID, g.Member, g.Project, g.Shot, string(g.Scope), unixMilli(g.Expires), g.Token)
	if err != nil {
		return fmt.Errorf("keep grant %s: %w", g.ID, err)
	}
	return nil
}

// GrantTokens returns the tokens of the grants held for a member in a
// project that have not expired by now, latest expiry first. They are
// tokens, not grants, so that whoever uses one verifies it first.
func (l *Library) GrantTokens(ctx context.Context, memberID, projectID string, now time.Time) ([]string, error) {
	out, err := sqlitedb.All(ctx, l.db, sqlitedb.String,
		`SELECT token FROM grants WHERE member_id = ? AND project_id = ? AND expires_at > ? ORDER BY expires_at DESC`,
		memberID, projectID, unixMilli(now))
	if err != nil {
		return nil, fmt.Errorf("read grants: %w", err)
	}
	return out, nil
}

// ForgetGrants drops the grants held for a member (after a revocation),
// or every grant when memberID is empty.
func (l *Library) ForgetGrants(ctx context.Context, memberID string) error {
	q, args := `DELETE FROM grants WHERE member_id = ?`, []any{memberID}
	if memberID == "" {
		q, args = `DELETE FROM grants`, nil
	}
	if _, err := l.db.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("forget grants: %w", err)
	}
	return nil
}

// Use is something made under a grant: a clip (a draft) or an exported
// film (final). Until the server has registered it (ServerID empty) it is
// in the outbox.
type Use struct {
	ID           int64
	GrantID      string
	MemberID     string
	SHA256       string
	ProjectID    string
	ShotID       string // empty for a film
	ProjectTitle string
	Scope        consent.Scope
	Path         string // an exported film's file
	At           time.Time
	ServerID     string
	Removed      time.Time // when its member's owner removed it
}

// AddUse records a use for the outbox. The same grant and file recorded
// again is one use.
func (l *Library) AddUse(ctx context.Context, u *Use) error {
	if u.GrantID == "" || u.MemberID == "" || u.SHA256 == "" {
		return errors.New("record a use: the grant, member and file are all needed")
	}
	if u.At.IsZero() {
		u.At = l.now()
	}
	_, err := l.db.ExecContext(ctx, `INSERT OR IGNORE INTO uses (grant_id, member_id, sha256, project_id, shot_id, project_title, scope, path, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		u.GrantID, u.MemberID, u.SHA256, u.ProjectID, u.ShotID, u.ProjectTitle, string(u.Scope), u.Path, unixMilli(u.At))
	if err != nil {
		return fmt.Errorf("record a use of %s: %w", u.MemberID, err)
	}
	return nil
}

const useColumns = `id, grant_id, member_id, sha256, project_id, shot_id, project_title, scope, path, at, server_id, removed_at`

func queryUses(ctx context.Context, q sqlitedb.QueryRunner, where string, args ...any) ([]Use, error) {
	out, err := sqlitedb.All(ctx, q, func(row sqlitedb.Row) (Use, error) {
		var u Use
		var scope string
		var at, removed sql.NullInt64
		err := row.Scan(&u.ID, &u.GrantID, &u.MemberID, &u.SHA256, &u.ProjectID, &u.ShotID, &u.ProjectTitle, &scope, &u.Path, &at, &u.ServerID, &removed)
		u.Scope, u.At, u.Removed = consent.Scope(scope), fromMilli(at), fromMilli(removed)
		return u, err
	}, `SELECT `+useColumns+` FROM uses `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("read uses: %w", err)
	}
	return out, nil
}

// Outbox returns the uses not yet registered with the server, oldest
// first.
func (l *Library) Outbox(ctx context.Context) ([]Use, error) {
	return queryUses(ctx, l.db, `WHERE server_id = '' AND removed_at IS NULL ORDER BY id`)
}

// Uses returns every use recorded here, newest first.
func (l *Library) Uses(ctx context.Context) ([]Use, error) {
	return queryUses(ctx, l.db, `ORDER BY at DESC, id DESC`)
}

// MarkRegistered records the server's ID for a use, taking it out of the
// outbox.
func (l *Library) MarkRegistered(ctx context.Context, id int64, serverID string) error {
	if _, err := l.db.ExecContext(ctx, `UPDATE uses SET server_id = ? WHERE id = ?`, serverID, id); err != nil {
		return fmt.Errorf("mark use registered: %w", err)
	}
	return nil
}

// RemoveUse carries out an owner's removal of a use: the use (found by the
// server's ID, or else by its file) is marked removed, and every clip of
// that file is unregistered and every film of it, in one transaction, and then its blob is
// deleted with every file derived from it (its thumbnail). It returns the uses it marked, whose Path says
// where an exported film was written.
func (l *Library) RemoveUse(ctx context.Context, serverID, sha256 string) ([]Use, error) {
	var marked []Use
	var sums []string // the files to delete, each once
	err := l.tx(ctx, func(tx *sql.Tx) error {
		var err error
		marked, err = queryUses(ctx, tx, `WHERE (server_id = ? AND ? != '') OR sha256 = ?`, serverID, serverID, sha256)
		if err != nil {
			return err
		}
		now := unixMilli(l.now())
		for _, u := range marked {
			if _, err := tx.ExecContext(ctx, `UPDATE uses SET removed_at = coalesce(removed_at, ?) WHERE id = ?`, now, u.ID); err != nil {
				return err
			}
		}
		sums = []string{sha256}
		for _, u := range marked {
			sums = append(sums, u.SHA256)
		}
		slices.Sort(sums)
		sums = slices.Compact(slices.DeleteFunc(sums, func(s string) bool { return s == "" }))
		for _, s := range sums {
			// Its clips and films go, nor is it sent or fetched again.
			for _, table := range []string{"clips", "films", "transfers"} {
				if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE sha256 = ?`, s); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("remove a use: %w", err)
	}
	for _, s := range sums {
		if validSum(s) == nil {
			// The blob may be gone already (a film's sum names none);
			// whatever was derived from it goes all the same.
			if err := l.blobs.Remove(s); err != nil {
				return marked, fmt.Errorf("remove a use: %w", err)
			}
			if err := l.removePartial(s); err != nil {
				return marked, fmt.Errorf("remove a use: %w", err)
			}
		}
	}
	return marked, nil
}

func encodeNames(names []string) string {
	if len(names) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(names) // strings always marshal
	return string(b)
}

func decodeNames(s string) ([]string, error) {
	var out []string
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		return nil, fmt.Errorf("read the approved list: %w", err)
	}
	return out, nil
}

func isUniqueHandle(err error) bool {
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed: cast_members.handle")
}

// SetApproved records the approved list the server holds for one of my
// members (after I accepted a request there). It does not mark the member
// dirty: the server has it already.
func (l *Library) SetApproved(ctx context.Context, id string, names []string) error {
	_, err := l.db.ExecContext(ctx, `UPDATE cast_members SET approved = ? WHERE id = ? AND remote = 0`, encodeNames(names), id)
	if err != nil {
		return fmt.Errorf("record the approved list of %s: %w", id, err)
	}
	return nil
}
