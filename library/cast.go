package library

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/slatestudio/slate/consent"
	"github.com/slatestudio/slate/internal/sqlitedb"
	"github.com/slatestudio/slate/timeline"
)

// LocalOwner owns the cast members recorded before anyone logs in to a
// server.
const LocalOwner = "local"

// CastMember is a recorded likeness in the library.
type CastMember struct {
	ID     string
	Name   string
	Handle string // "@mara": unique in the library
	Owner  string
	// Consent says who may feature the member.
	Consent consent.Level
	// Preferences are instructions for anyone who casts the member ("always
	// wears a red scarf"); they are added to the prompts of the shots that
	// feature them.
	Preferences string
	// Voice is the voice their lines are spoken in; empty lets the
	// renderer choose.
	Voice string
	// The media, as blob sums: the whole take, the best frontal, left and
	// right stills (JPEG) and a voice sample (16-bit WAV).
	Take, Frontal, Left, Right, Sample string
	Created, Updated                   time.Time

	// Remote marks someone else's member, known from the account server:
	// it has no media here, and featuring it needs their grant. Owner is
	// then their account ID and OwnerName their username.
	Remote    bool
	OwnerName string
	// Approved lists the usernames the owner approved (level Approved).
	Approved []string
	// Dirty marks one of mine whose consent changed since the account
	// server last heard it.
	Dirty bool
	// Outside says whether the member's likeness (their stills, their
	// voice) may be sent to outside render services, ones that are not a
	// Slate server: for one of mine, my choice; for someone else's, their
	// owner's. No unless someone said yes.
	Outside bool
}

// HandleAndOwner is how a member is named wherever handles are shown: for
// someone else's member, the handle and the owner's username
// ("@mara · mara_k"), so that two handles that look alike can be told
// apart by whose they are; for one of mine, the handle alone.
func (m CastMember) HandleAndOwner() string {
	if m.Remote && m.OwnerName != "" {
		return m.Handle + " · " + m.OwnerName
	}
	return m.Handle
}

// Limits on a cast member's text.
const (
	MaxNameRunes        = 80
	MaxPreferencesRunes = 2000
)

var handleRe = regexp.MustCompile(`^@[a-z0-9_]{2,30}$`)

// Validate checks the member's text and consent.
func (m *CastMember) Validate() error {
	switch {
	case strings.TrimSpace(m.Name) == "":
		return errors.New("the cast member needs a name")
	case utf8.RuneCountInString(m.Name) > MaxNameRunes:
		return fmt.Errorf("the name is longer than %d characters", MaxNameRunes)
	case !handleRe.MatchString(m.Handle):
		return fmt.Errorf("the handle %q must be @ and 2 to 30 lower-case letters, digits or _, such as @mara_q", m.Handle)
	case utf8.RuneCountInString(m.Preferences) > MaxPreferencesRunes:
		return fmt.Errorf("the preferences are longer than %d characters", MaxPreferencesRunes)
	}
	if _, err := consent.ParseLevel(string(m.Consent)); err != nil {
		return err
	}
	for _, n := range m.Approved {
		if !usernameRe.MatchString(n) {
			return fmt.Errorf("the approved list holds %q; a username is 3 to 30 lower-case letters, digits or _", n)
		}
	}
	return nil
}

var usernameRe = regexp.MustCompile(`^[a-z0-9_]{3,30}$`)

// Ref is how a project refers to the member.
func (m *CastMember) Ref() timeline.CastRef {
	return timeline.CastRef{ID: m.ID, Name: m.Name, Handle: m.Handle, Voice: m.Voice}
}

// HandleFor suggests a handle from a name: "Mara Quinn" → "@mara_quinn".
func HandleFor(name string) string {
	var b strings.Builder
	b.WriteByte('@')
	lastUnderscore := true
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			lastUnderscore = false
		case !lastUnderscore:
			b.WriteByte('_')
			lastUnderscore = true
		}
	}
	h := strings.TrimRight(b.String(), "_")
	if len(h) > 31 {
		h = strings.TrimRight(h[:31], "_")
	}
	for len(h) < 3 {
		h += "0"
	}
	return h
}

// ErrHandleTaken is returned when another member has the handle.
var ErrHandleTaken = errors.New("handle taken")

// AddCastMember stores a new member whose media are already in the blob
// store. It gets an ID if it has none; its consent defaults to only me.
func (l *Library) AddCastMember(ctx context.Context, m *CastMember) error {
	if m.ID == "" {
		m.ID = timeline.NewID()
	}
	if m.Owner == "" {
		m.Owner = LocalOwner
	}
	if m.Consent == "" {
		m.Consent = consent.OnlyMe
	}
	if err := m.Validate(); err != nil {
		return fmt.Errorf("add cast member: %w", err)
	}
	for _, sum := range []string{m.Take, m.Frontal, m.Left, m.Right, m.Sample} {
		if sum != "" && !l.blobs.Has(sum) {
			return fmt.Errorf("add cast member %s: media %s is not in the store", m.Name, sum)
		}
	}
	now := l.now()
	m.Created, m.Updated = now, now
	m.Dirty = !m.Remote
	_, err := l.db.ExecContext(ctx, `INSERT INTO cast_members (id, name, handle, owner, consent, preferences, voice,
		take_sha256, frontal_sha256, left_sha256, right_sha256, sample_sha256, created_at, updated_at,
		owner_name, remote, approved, dirty, outside)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		m.ID, m.Name, m.Handle, m.Owner, string(m.Consent), m.Preferences, m.Voice,
		m.Take, m.Frontal, m.Left, m.Right, m.Sample, unixMilli(now), unixMilli(now),
		m.OwnerName, m.Remote, encodeNames(m.Approved), m.Dirty, m.Outside)
	if isUniqueHandle(err) {
		return fmt.Errorf("add cast member: %s is already the handle of another cast member; choose another: %w", m.Handle, ErrHandleTaken)
	}
	if err != nil {
		return fmt.Errorf("add cast member %s: %w", m.Name, err)
	}
	return nil
}

const castColumns = `id, name, handle, owner, consent, preferences, voice, take_sha256, frontal_sha256, left_sha256, right_sha256, sample_sha256, created_at, updated_at, owner_name, remote, approved, dirty, outside`

func scanCast(row sqlitedb.Row) (CastMember, error) {
	var m CastMember
	var lvl string
	var created, updated sql.NullInt64
	var approved string
	err := row.Scan(&m.ID, &m.Name, &m.Handle, &m.Owner, &lvl, &m.Preferences, &m.Voice,
		&m.Take, &m.Frontal, &m.Left, &m.Right, &m.Sample, &created, &updated,
		&m.OwnerName, &m.Remote, &approved, &m.Dirty, &m.Outside)
	if err == nil {
		m.Approved, err = decodeNames(approved)
	}
	m.Consent = consent.Level(lvl)
	m.Created, m.Updated = fromMilli(created), fromMilli(updated)
	return m, err
}

// CastMembers lists the library's cast members by name.
func (l *Library) CastMembers(ctx context.Context) ([]CastMember, error) {
	out, err := sqlitedb.All(ctx, l.db, scanCast, `SELECT `+castColumns+` FROM cast_members ORDER BY name COLLATE NOCASE, handle`)
	if err != nil {
		return nil, fmt.Errorf("list cast members: %w", err)
	}
	return out, nil
}

// CastMember returns one member by ID.
func (l *Library) CastMember(ctx context.Context, id string) (CastMember, error) {
	m, err := scanCast(l.db.QueryRowContext(ctx, `SELECT `+castColumns+` FROM cast_members WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return m, fmt.Errorf("cast member %s: %w", id, ErrNotFound)
	}
	return m, err
}

// UpdateCastMember saves a member's name, handle, consent, approved list,
// outside choice, preferences and voice; its media do not change. One of mine is marked
// dirty, for the account server to hear of it.
func (l *Library) UpdateCastMember(ctx context.Context, m *CastMember) error {
	if err := m.Validate(); err != nil {
		return fmt.Errorf("update cast member: %w", err)
	}
	m.Updated = l.now()
	m.Dirty = !m.Remote
	res, err := l.db.ExecContext(ctx, `UPDATE cast_members SET name = ?, handle = ?, consent = ?, approved = ?, outside = ?, preferences = ?, voice = ?, updated_at = ?, dirty = ? WHERE id = ?`,
		m.Name, m.Handle, string(m.Consent), encodeNames(m.Approved), m.Outside, m.Preferences, m.Voice, unixMilli(m.Updated), m.Dirty, m.ID)
	if isUniqueHandle(err) {
		return fmt.Errorf("update cast member: %s is already taken: %w", m.Handle, ErrHandleTaken)
	}
	if err != nil {
		return fmt.Errorf("update cast member %s: %w", m.Name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("update cast member %s: %w", m.ID, ErrNotFound)
	}
	return nil
}

// DeleteCastMember removes a member and its media: the take, stills and
// voice sample, unless another member or a clip shares a blob.
func (l *Library) DeleteCastMember(ctx context.Context, id string) error {
	var m CastMember
	var orphans []string
	err := l.tx(ctx, func(tx *sql.Tx) error {
		var err error
		m, err = scanCast(tx.QueryRowContext(ctx, `SELECT `+castColumns+` FROM cast_members WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM cast_members WHERE id = ?`, id); err != nil {
			return err
		}
		for _, sum := range []string{m.Take, m.Frontal, m.Left, m.Right, m.Sample} {
			if sum == "" {
				continue
			}
			var n int
			err := tx.QueryRowContext(ctx, `SELECT
				(SELECT count(*) FROM cast_members WHERE ? IN (take_sha256, frontal_sha256, left_sha256, right_sha256, sample_sha256)) +
				(SELECT count(*) FROM clips WHERE sha256 = ?)`, sum, sum).Scan(&n)
			if err != nil {
				return err
			}
			if n == 0 {
				orphans = append(orphans, sum)
			}
		}
		return nil
	})
	if errors.Is(err, ErrNotFound) {
		return fmt.Errorf("delete cast member %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("delete cast member %s: %w", id, err)
	}
	// The row is gone first, so a crash between the two leaves only
	// unreferenced blobs, never a member whose media are missing.
	for _, sum := range orphans {
		if err := l.blobs.Remove(sum); err != nil {
			return fmt.Errorf("delete cast member %s's media: %w", m.Name, err)
		}
	}
	return nil
}
