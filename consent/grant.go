package consent

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Scope says what a grant lets its holder make.
type Scope string

// The scopes. A draft is a render that stays in the creator's studio; a
// final is one that is exported or published. A final grant covers drafts
// too: whoever may publish a likeness may try it out first.
const (
	Draft Scope = "draft"
	Final Scope = "final"
)

// ParseScope reads a scope from its name.
func ParseScope(s string) (Scope, error) {
	switch Scope(s) {
	case Draft, Final:
		return Scope(s), nil
	}
	return "", fmt.Errorf("unknown scope %q: use draft or final", s)
}

// Covers reports whether a grant of scope s allows a use of scope want.
func (s Scope) Covers(want Scope) bool {
	return s == want || (s == Final && want == Draft)
}

// MaxGrantLifetime is the longest a grant lasts. Grants are checked
// offline by the studio, so a revocation reaches a grant already issued
// only when it expires: a short life bounds how long that takes.
const MaxGrantLifetime = 24 * time.Hour

// ClockSkew is how far ahead of the verifier's clock a grant's issue time
// may be. The server's and the studio's clocks differ a little; a grant
// from further in the future is suspect.
const ClockSkew = 5 * time.Minute

// MaxFieldBytes bounds each text field of a grant.
const MaxFieldBytes = 256

// Grant is the server's permission for one account (the grantee) to feature
// one cast member in one project, for a while. Times have millisecond
// precision, which is what the signed encoding keeps.
type Grant struct {
	ID      string    `json:"id"`
	Member  string    `json:"member"`
	Owner   string    `json:"owner"`
	Grantee string    `json:"grantee"`
	Project string    `json:"project"`
	Shot    string    `json:"shot,omitempty"` // empty: every shot of the project
	Scope   Scope     `json:"scope"`
	Issued  time.Time `json:"issued"`
	Expires time.Time `json:"expires"`
	// Outside is true when the grant lets the grantee send the member's
	// likeness (their stills, their voice) to a render service that is not
	// a Slate server. It is signed like the rest: a grant without it, and
	// every grant from before it existed, allows only Slate's own renderers.
	Outside bool `json:"outside,omitempty"`
}

// Errors from Verify and DecodeGrant, for errors.Is.
var (
	ErrMalformed    = errors.New("malformed grant")
	ErrBadSignature = errors.New("grant signature does not verify")
	ErrExpired      = errors.New("grant expired")
	ErrNotYetValid  = errors.New("grant issued in the future")
)

// Validate checks the grant's fields: every ID present (the shot may be
// empty), text bounded and valid UTF-8 without control characters, a known
// scope, and a lifetime above zero and at most MaxGrantLifetime.
func (g Grant) Validate() error {
	fields := []struct {
		name, value string
		required    bool
	}{
		{"id", g.ID, true}, {"member", g.Member, true}, {"owner", g.Owner, true},
		{"grantee", g.Grantee, true}, {"project", g.Project, true}, {"shot", g.Shot, false},
	}
	for _, f := range fields {
		if err := checkField(f.name, f.value, f.required); err != nil {
			return err
		}
	}
	if _, err := ParseScope(string(g.Scope)); err != nil {
		return err
	}
	life := g.Expires.Sub(g.Issued)
	if life <= 0 {
		return fmt.Errorf("grant %s expires (%s) before it is issued (%s)", g.ID, g.Expires.Format(time.RFC3339), g.Issued.Format(time.RFC3339))
	}
	if life > MaxGrantLifetime {
		return fmt.Errorf("grant %s lasts %s, longer than the %s a grant may", g.ID, life, MaxGrantLifetime)
	}
	return nil
}

func checkField(name, v string, required bool) error {
	switch {
	case v == "" && required:
		return fmt.Errorf("the grant's %s is empty", name)
	case len(v) > MaxFieldBytes:
		return fmt.Errorf("the grant's %s is longer than %d bytes", name, MaxFieldBytes)
	case !utf8.ValidString(v):
		return fmt.Errorf("the grant's %s is not valid UTF-8", name)
	case strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return fmt.Errorf("the grant's %s holds a control character", name)
	}
	return nil
}

// Covers reports whether the grant lets grantee feature member in a shot
// of project with the given scope. It does not look at time or signature:
// Verify does.
func (g Grant) Covers(member, grantee, project, shot string, scope Scope) bool {
	return g.Member == member && g.Grantee == grantee && g.Project == project &&
		(g.Shot == "" || g.Shot == shot) && g.Scope.Covers(scope)
}

// grantMagic starts every encoded grant. It separates the domain: an
// ed25519 signature over a grant can never pass for one over anything else
// the server signs, and the version lets the format change. Version 2 is
// version 1 with a byte of flags after the times; a grant with no flag set
// is always encoded as version 1, so every grant has one encoding and
// grants from before version 2 read as they always did (Outside false).
const (
	grantMagic   = "slate-grant-v1\x00"
	grantMagicV2 = "slate-grant-v2\x00"
)

// The flags of a version 2 grant.
const (
	flagOutside = 1 << iota
	knownFlags  = flagOutside
)

// Encode returns the grant's canonical encoding, the bytes the server
// signs:
//
//	"slate-grant-v1" 0x00
//	field(ID) field(Member) field(Owner) field(Grantee) field(Project) field(Shot) field(Scope)
//	int64(Issued) int64(Expires)
//
// where field(s) is the byte length of s as a big-endian uint16 followed by
// its UTF-8 bytes, and int64(t) is t in Unix milliseconds as a big-endian
// two's-complement int64. A grant with Outside set is encoded as
//
//	"slate-grant-v2" 0x00
//	the same fields and times
//	flags
//
// where flags is one byte, bit 0 (0x01) meaning Outside; a version 2
// encoding always has a flag set. Every field has one encoding and a fixed
// place, so two different grants never encode alike. Encode fails for a
// grant that does not Validate; times are truncated to the millisecond.
func (g Grant) Encode() ([]byte, error) {
	if err := g.Validate(); err != nil {
		return nil, err
	}
	var flags byte
	if g.Outside {
		flags |= flagOutside
	}
	var b bytes.Buffer
	if flags == 0 {
		b.WriteString(grantMagic)
	} else {
		b.WriteString(grantMagicV2)
	}
	for _, s := range []string{g.ID, g.Member, g.Owner, g.Grantee, g.Project, g.Shot, string(g.Scope)} {
		b.Write(binary.BigEndian.AppendUint16(nil, uint16(len(s))))
		b.WriteString(s)
	}
	b.Write(binary.BigEndian.AppendUint64(nil, uint64(g.Issued.UnixMilli())))
	b.Write(binary.BigEndian.AppendUint64(nil, uint64(g.Expires.UnixMilli())))
	if flags != 0 {
		b.WriteByte(flags)
	}
	return b.Bytes(), nil
}

// DecodeGrant reads a canonical encoding back. It accepts only what Encode
// produces: the right prefix, every field, nothing after, and a grant that
// validates.
func DecodeGrant(b []byte) (Grant, error) {
	v2 := bytes.HasPrefix(b, []byte(grantMagicV2))
	if !v2 && !bytes.HasPrefix(b, []byte(grantMagic)) {
		return Grant{}, fmt.Errorf("%w: not a version 1 or 2 grant", ErrMalformed)
	}
	b = b[len(grantMagic):] // both magics are the same length
	var flags byte
	if v2 {
		if len(b) == 0 {
			return Grant{}, fmt.Errorf("%w: a version 2 grant without its flags", ErrMalformed)
		}
		flags, b = b[len(b)-1], b[:len(b)-1]
		if flags == 0 || flags&^knownFlags != 0 {
			return Grant{}, fmt.Errorf("%w: a version 2 grant with flags %#x (only 0x01 is known, and none set is version 1)", ErrMalformed, flags)
		}
	}
	var fields [7]string
	for i := range fields {
		if len(b) < 2 {
			return Grant{}, fmt.Errorf("%w: cut short in field %d", ErrMalformed, i+1)
		}
		n := int(binary.BigEndian.Uint16(b))
		if len(b) < 2+n {
			return Grant{}, fmt.Errorf("%w: cut short in field %d", ErrMalformed, i+1)
		}
		fields[i] = string(b[2 : 2+n])
		b = b[2+n:]
	}
	if len(b) != 16 {
		return Grant{}, fmt.Errorf("%w: %d bytes where the two times (16 bytes) should be", ErrMalformed, len(b))
	}
	g := Grant{
		ID: fields[0], Member: fields[1], Owner: fields[2], Grantee: fields[3],
		Project: fields[4], Shot: fields[5], Scope: Scope(fields[6]),
		Issued:  time.UnixMilli(int64(binary.BigEndian.Uint64(b))).UTC(),
		Expires: time.UnixMilli(int64(binary.BigEndian.Uint64(b[8:]))).UTC(),
		Outside: flags&flagOutside != 0,
	}
	if err := g.Validate(); err != nil {
		return Grant{}, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	return g, nil
}

// tokenPrefix starts every grant token; it names the format so that a
// token of another kind is refused with a clear message.
const tokenPrefix = "sg1."

// MaxTokenBytes bounds a grant token: seven fields at their longest, the
// times, the flags, the signature and the base64 around them.
const MaxTokenBytes = 4096

// Sign encodes the grant and signs it with the server's key. The token it
// returns is
//
//	"sg1." base64url(Encode(g)) "." base64url(ed25519.Sign(priv, Encode(g)))
//
// with base64url the URL-safe alphabet of RFC 4648 without padding, and
// Ed25519 as RFC 8032 defines it (deterministic: the same grant and key
// always give the same token).
func Sign(priv ed25519.PrivateKey, g Grant) (string, error) {
	if len(priv) != ed25519.PrivateKeySize {
		return "", errors.New("sign grant: the private key is not an ed25519 key")
	}
	data, err := g.Encode()
	if err != nil {
		return "", fmt.Errorf("sign grant: %w", err)
	}
	sig := ed25519.Sign(priv, data)
	enc := base64.RawURLEncoding
	return tokenPrefix + enc.EncodeToString(data) + "." + enc.EncodeToString(sig), nil
}

// Verify checks a token from Sign against the server's public key and the
// time now, and returns the grant it carries. It fails with ErrMalformed,
// ErrBadSignature, ErrExpired (now is at or after Expires) or ErrNotYetValid
// (Issued is more than ClockSkew after now). The grant comes from the
// signed bytes alone, so nothing unsigned can slip in. With ErrExpired and
// ErrNotYetValid the grant is returned as well, so the caller can say which
// grant it was.
func Verify(pub ed25519.PublicKey, token string, now time.Time) (Grant, error) {
	if len(pub) != ed25519.PublicKeySize {
		return Grant{}, errors.New("verify grant: the public key is not an ed25519 key")
	}
	if len(token) > MaxTokenBytes {
		return Grant{}, fmt.Errorf("verify grant: %w: token longer than %d bytes", ErrMalformed, MaxTokenBytes)
	}
	rest, ok := strings.CutPrefix(token, tokenPrefix)
	if !ok {
		return Grant{}, fmt.Errorf("verify grant: %w: the token does not start with %q", ErrMalformed, tokenPrefix)
	}
	dataPart, sigPart, ok := strings.Cut(rest, ".")
	if !ok {
		return Grant{}, fmt.Errorf("verify grant: %w: the token has no signature", ErrMalformed)
	}
	enc := base64.RawURLEncoding.Strict()
	data, err := enc.DecodeString(dataPart)
	if err != nil {
		return Grant{}, fmt.Errorf("verify grant: %w: %w", ErrMalformed, err)
	}
	sig, err := enc.DecodeString(sigPart)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return Grant{}, fmt.Errorf("verify grant: %w: the signature is not %d bytes of base64url", ErrMalformed, ed25519.SignatureSize)
	}
	if !ed25519.Verify(pub, data, sig) {
		return Grant{}, fmt.Errorf("verify grant: %w", ErrBadSignature)
	}
	g, err := DecodeGrant(data)
	if err != nil {
		return Grant{}, fmt.Errorf("verify grant: %w", err)
	}
	if !now.Before(g.Expires) {
		return g, fmt.Errorf("verify grant %s: %w at %s", g.ID, ErrExpired, g.Expires.Format(time.RFC3339))
	}
	if g.Issued.After(now.Add(ClockSkew)) {
		return g, fmt.Errorf("verify grant %s: %w (%s); check this computer's clock", g.ID, ErrNotYetValid, g.Issued.Format(time.RFC3339))
	}
	return g, nil
}
