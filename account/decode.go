package account

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/slatestudio/slate/consent"
	"github.com/slatestudio/slate/internal/jsonpos"
)

// ErrTooLarge is returned by Decode when the body is over its limit; the
// server answers 413.
var ErrTooLarge = errors.New("request body too large")

// Validator is a request body that can check itself.
type Validator interface {
	Validate() error
}

// Decode reads one JSON object from r into v and validates it. It refuses
// what a lenient decoder would let through: a body that is not an object,
// a key that appears twice in one object (at any depth, in any case), text
// that is not valid UTF-8, a lone UTF-16 surrogate escape or a control
// character other than a line break or tab, unknown fields (so a misspelt
// field is an error, not silently ignored), and anything after the
// object. Its errors say what was wrong and where,
// in words fit to show a person. A reader wrapped in http.MaxBytesReader
// that runs over its limit gives an error that wraps ErrTooLarge.
func Decode(r io.Reader, v Validator) error {
	data, err := io.ReadAll(r)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return fmt.Errorf("%w: the body is larger than %d bytes", ErrTooLarge, tooBig.Limit)
	}
	if err != nil {
		return fmt.Errorf("read the request body: %w", err)
	}
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 {
		return errors.New("the request body is empty; send a JSON object")
	}
	if trimmed[0] != '{' {
		return errors.New("the request body is not a JSON object; send one, starting with {")
	}
	// encoding/json lets the last of two equal keys win and turns bytes it
	// cannot read into U+FFFD, so what it hands over no longer says what
	// was sent. The raw text is checked first.
	if err := checkRaw(data); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(data, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("malformed JSON: unexpected data after the object at byte %d", dec.InputOffset())
	}
	return v.Validate()
}

// jsonError turns encoding/json's errors in reading data into messages
// for people. A place is named as the byte at fault, counted from 0 like
// checkRaw's (jsonpos: encoding/json counts the bad byte as read, and
// names a value that does not fit where it ends).
func jsonError(data []byte, err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	pos, _ := jsonpos.Of(data, err)
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("malformed JSON: the object is cut short")
	case errors.As(err, &syntax):
		return fmt.Errorf("malformed JSON at byte %d: %s", pos.Offset, strings.TrimPrefix(syntax.Error(), "json: "))
	case errors.As(err, &typ):
		if typ.Field == "" {
			return fmt.Errorf("malformed JSON at byte %d: expected %s, got %s", pos.Offset, typ.Type, typ.Value)
		}
		return fmt.Errorf("field %q: expected %s, got %s", typ.Field, typ.Type, typ.Value)
	}
	msg := strings.TrimPrefix(err.Error(), "json: ")
	if strings.HasPrefix(msg, "unknown field") {
		return fmt.Errorf("%s: this API version has no such field", msg)
	}
	return fmt.Errorf("malformed JSON: %s", msg)
}

// FieldError says which field of a request is wrong.
type FieldError struct {
	Field   string
	Problem string
}

// Error names the field and the problem.
func (e *FieldError) Error() string { return fmt.Sprintf("field %q: %s", e.Field, e.Problem) }

func fieldErr(field, format string, args ...any) error {
	return &FieldError{Field: field, Problem: fmt.Sprintf(format, args...)}
}

// Text limits.
const (
	MaxNameRunes        = 80
	MaxPreferencesRunes = 2000
	MaxDeviceRunes      = 80
	MinPasswordBytes    = 10
	MaxPasswordBytes    = 256
	MaxListLen          = 500
	MaxMessageRunes     = 500
	MaxTitleRunes       = 200
)

var (
	usernameRe = regexp.MustCompile(`^[a-z0-9_]{3,30}$`)
	handleRe   = regexp.MustCompile(`^@[a-z0-9_]{2,30}$`)
	idRe       = regexp.MustCompile(`^[0-9a-f]{16,32}$`)
	sha256Re   = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// ValidUsername reports whether s may be a username: 3 to 30 lower-case
// letters, digits or _.
func ValidUsername(s string) bool { return usernameRe.MatchString(s) }

// ValidHandle reports whether s may be a member's handle: @ and 2 to 30
// lower-case letters, digits or _ (the same rule as the studio's library).
func ValidHandle(s string) bool { return handleRe.MatchString(s) }

// ValidID reports whether s looks like an ID this API hands out: 16 to 32
// lower-case hex digits.
func ValidID(s string) bool { return idRe.MatchString(s) }

// ValidSHA256 reports whether s is a SHA-256 in lower-case hex.
func ValidSHA256(s string) bool { return sha256Re.MatchString(s) }

func checkText(field, s string, min, max int) error {
	n := utf8.RuneCountInString(s)
	switch {
	case !utf8.ValidString(s):
		return fieldErr(field, "not valid UTF-8")
	case n < min && min == 1:
		return fieldErr(field, "missing")
	case n < min:
		return fieldErr(field, "shorter than %d characters", min)
	case n > max:
		return fieldErr(field, "longer than %d characters", max)
	case strings.ContainsFunc(s, badControl):
		return fieldErr(field, "holds a control character; only line breaks and tabs may be in it")
	}
	return nil
}

func checkLine(field, s string, min, max int) error {
	if err := checkText(field, s, min, max); err != nil {
		return err
	}
	if strings.ContainsFunc(s, unicode.IsControl) {
		return fieldErr(field, "holds a control character such as a line break")
	}
	return nil
}

// LineBreaks writes a text's line breaks as the API takes them, "\n":
// text typed or pasted on Windows breaks its lines with "\r\n", and old
// Mac text with "\r", a control character the server refuses.
func LineBreaks(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

func checkUsernames(field string, list []string) error {
	if len(list) > MaxListLen {
		return fieldErr(field, "more than %d accounts", MaxListLen)
	}
	for i, u := range list {
		if !ValidUsername(u) {
			return fieldErr(fmt.Sprintf("%s[%d]", field, i), "%q is not a username (3 to 30 lower-case letters, digits or _)", u)
		}
	}
	return nil
}

// Validate checks a sign-up's or log-in's fields. The password's length is
// checked at sign-up (CheckNewPassword), not here, so a log-in never tells
// anyone what the rule is for a password it does not know.
func (c *Credentials) Validate() error {
	if !ValidUsername(c.Username) {
		return fieldErr("username", "must be 3 to 30 lower-case letters, digits or _, such as mara_q")
	}
	if c.Password == "" {
		return fieldErr("password", "missing")
	}
	if len(c.Password) > MaxPasswordBytes {
		return fieldErr("password", "longer than %d bytes", MaxPasswordBytes)
	}
	if err := checkLine("device", c.Device, 1, MaxDeviceRunes); err != nil {
		return err
	}
	return checkDeviceID(c.DeviceID)
}

// CheckNewPassword checks a new password's length: at least
// MinPasswordBytes, as OWASP advises for passwords without a second factor.
func CheckNewPassword(p string) error {
	if len(p) < MinPasswordBytes {
		return fieldErr("password", "shorter than %d characters; a longer passphrase is safer", MinPasswordBytes)
	}
	return nil
}

// Validate checks the password is present.
func (d *DeleteAccount) Validate() error {
	if d.Password == "" {
		return fieldErr("password", "missing: confirm the deletion with your password")
	}
	return nil
}

// Validate checks a new member's fields, and puts the level in its
// canonical form.
func (m *NewMember) Validate() error {
	if m.ID != "" && !ValidID(m.ID) {
		return fieldErr("id", "must be 16 to 32 lower-case hex digits, or left out")
	}
	if strings.TrimSpace(m.Name) == "" {
		return fieldErr("name", "missing: the cast member needs a name")
	}
	if err := checkLine("name", m.Name, 1, MaxNameRunes); err != nil {
		return err
	}
	if !ValidHandle(m.Handle) {
		return fieldErr("handle", "%q must be @ and 2 to 30 lower-case letters, digits or _, such as @mara_q", m.Handle)
	}
	if m.Level != "" {
		l, err := consent.ParseLevel(string(m.Level))
		if err != nil {
			return fieldErr("level", "%v", err)
		}
		m.Level = l // a label such as "Only me" becomes its name
	}
	if err := checkUsernames("approved", m.Approved); err != nil {
		return err
	}
	if err := checkUsernames("blocked", m.Blocked); err != nil {
		return err
	}
	return checkText("preferences", m.Preferences, 0, MaxPreferencesRunes)
}

// Validate checks the fields a patch sets, and puts the level in its
// canonical form.
func (p *MemberPatch) Validate() error {
	if p.Name != nil {
		if strings.TrimSpace(*p.Name) == "" {
			return fieldErr("name", "empty: the cast member needs a name")
		}
		if err := checkLine("name", *p.Name, 1, MaxNameRunes); err != nil {
			return err
		}
	}
	if p.Handle != nil && !ValidHandle(*p.Handle) {
		return fieldErr("handle", "%q must be @ and 2 to 30 lower-case letters, digits or _, such as @mara_q", *p.Handle)
	}
	if p.Level != nil {
		l, err := consent.ParseLevel(string(*p.Level))
		if err != nil {
			return fieldErr("level", "%v", err)
		}
		p.Level = &l // a label such as "Only me" becomes its name
	}
	if p.Approved != nil {
		if err := checkUsernames("approved", *p.Approved); err != nil {
			return err
		}
	}
	if p.Blocked != nil {
		if err := checkUsernames("blocked", *p.Blocked); err != nil {
			return err
		}
	}
	if p.Preferences != nil {
		return checkText("preferences", *p.Preferences, 0, MaxPreferencesRunes)
	}
	return nil
}

// Validate checks a grant request's fields against what a grant may hold.
func (g *GrantRequest) Validate() error {
	if !ValidID(g.Member) && !ValidHandle(g.Member) {
		return fieldErr("member", "%q is neither a member ID nor an @handle", g.Member)
	}
	if g.Project == "" {
		return fieldErr("project", "missing: the ID of the project the grant is for")
	}
	for _, f := range []struct{ name, value string }{{"project", g.Project}, {"shot", g.Shot}} {
		if len(f.value) > consent.MaxFieldBytes {
			return fieldErr(f.name, "longer than %d bytes", consent.MaxFieldBytes)
		}
		if err := checkLine(f.name, f.value, 0, consent.MaxFieldBytes); err != nil {
			return err
		}
	}
	if _, err := consent.ParseScope(string(g.Scope)); err != nil {
		return fieldErr("scope", "%v", err)
	}
	if g.LifetimeSeconds < 0 {
		return fieldErr("lifetime_seconds", "negative")
	}
	return nil
}

// Validate checks the message's length.
func (a *ApprovalAsk) Validate() error {
	return checkText("message", a.Message, 0, MaxMessageRunes)
}

// Validate checks a use's fields.
func (u *NewUse) Validate() error {
	if !ValidID(u.GrantID) {
		return fieldErr("grant_id", "%q is not a grant ID", u.GrantID)
	}
	if !ValidSHA256(u.ClipSHA256) {
		return fieldErr("clip_sha256", "must be the clip's SHA-256 in 64 lower-case hex digits")
	}
	if err := checkLine("project_title", u.ProjectTitle, 1, MaxTitleRunes); err != nil {
		return err
	}
	if _, err := consent.ParseScope(string(u.Scope)); err != nil {
		return fieldErr("scope", "%v", err)
	}
	if u.At.IsZero() {
		return fieldErr("at", "missing: when the render or export happened")
	}
	return nil
}

// MaxChangesPage is the most changes one page holds.
const MaxChangesPage = 1000

// ParseCursor reads a change-feed cursor: empty (from the start) or what a
// Changes page returned as Next.
func ParseCursor(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || strconv.FormatInt(n, 10) != s {
		return 0, fmt.Errorf("cursor %q is not one this server handed out; use the next value of the last page, or leave it out to start from the beginning", s)
	}
	return n, nil
}

// FormatCursor writes a cursor.
func FormatCursor(n int64) string { return strconv.FormatInt(n, 10) }

// ParseLimit reads a page size: empty gives def; otherwise 1 to max.
func ParseLimit(s string, def, max int) (int, error) {
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > max {
		return 0, fmt.Errorf("limit %q must be a whole number from 1 to %d", s, max)
	}
	return n, nil
}

// DefaultMediaLimit is the largest upload of a kind the server accepts
// unless configured otherwise: a minute-long webcam take, a still, a voice
// sample, each with room to spare.
func DefaultMediaLimit(k MediaKind) int64 {
	switch k {
	case MediaTake:
		return 256 << 20
	case MediaSample:
		return 16 << 20
	}
	return 8 << 20
}

// ParseMediaKind reads a media kind.
func ParseMediaKind(s string) (MediaKind, error) {
	for _, k := range MediaKinds {
		if string(k) == s {
			return k, nil
		}
	}
	return "", fmt.Errorf("unknown media kind %q: use take, frontal, left, right or sample", s)
}

// KeepTime rounds a time the way the server stores it (milliseconds,
// UTC), so values compare equal after a round trip.
func KeepTime(t time.Time) time.Time { return time.UnixMilli(t.UnixMilli()).UTC() }
