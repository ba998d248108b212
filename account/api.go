// Package account is the wire vocabulary of slate-server's HTTP API under
// /api/v1: the JSON bodies of requests and responses, their checks, and a
// strict decoder. The server (account/server) and its client
// (account/client) both use it, so the two cannot drift apart; it is pure
// (no network, no storage).
package account

import (
	"time"

	"github.com/slatestudio/slate/consent"
)

// Prefix is where the API lives on the server.
const Prefix = "/api/v1"

// Limits on request bodies. JSON bodies are small; media have their own
// limits per kind (DefaultMediaLimit) and on what they hold.
const (
	MaxJSONBytes = 64 << 10
	// MaxMediaSide bounds a take's or a still's picture, each way.
	MaxMediaSide = 4096
	// MaxTakeDuration bounds a take: the recording script takes about 25
	// s, and five minutes leaves room to spare while keeping a take's
	// average rate (at the 256 MiB limit) above 7 Mbit/s, more than a
	// webcam sends.
	MaxTakeDuration = 5 * time.Minute
	// MaxSampleDuration bounds a voice sample, which is a few seconds of
	// speech; 16 MiB of 16-bit mono at 48 kHz is about 3 minutes.
	MaxSampleDuration = 5 * time.Minute
)

// Error is the body of every response that is not a success.
type Error struct {
	Error ErrorBody `json:"error"`
	// Refusal says why a grant was refused; present only with code
	// "refused".
	Refusal *consent.Refusal `json:"refusal,omitempty"`
}

// ErrorBody says what went wrong: Code for programs, Message for people.
type ErrorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Error codes.
const (
	CodeBadRequest   = "bad_request"
	CodeUnauthorized = "unauthorized"
	CodeForbidden    = "forbidden"
	CodeNotFound     = "not_found"
	CodeConflict     = "conflict"
	CodeTooLarge     = "too_large"
	CodeMediaType    = "unsupported_media_type"
	CodeThrottled    = "throttled"
	CodeRefused      = "refused"
	CodeInternal     = "internal"
	CodeMethod       = "method_not_allowed"
)

// Key is the server's public key, which signs every grant.
type Key struct {
	Algorithm string `json:"algorithm"` // "ed25519"
	Key       []byte `json:"key"`       // 32 bytes, base64 in JSON
}

// Credentials sign up or log in.
type Credentials struct {
	Username string `json:"username"`
	Password string `json:"password"`
	// Device names the device the session is for ("Mara's laptop"), as
	// the account's list of devices shows it.
	Device string `json:"device"`
	// DeviceID tells the device (a studio's data folder) apart from every
	// other: 32 lower-case hex digits the studio made once and keeps. An
	// account has one session per device: logging in again with the same
	// ID replaces that device's session, and no other. A client that
	// sends no ID (as clients did before there were IDs) is told apart by
	// Device, its name, as before: its log-in replaces the session of
	// another such client of the same name.
	DeviceID string `json:"device_id,omitempty"`
}

// Account is a person's account.
type Account struct {
	ID       string    `json:"id"`
	Username string    `json:"username"`
	Created  time.Time `json:"created"`
}

// Session is a logged-in device.
type Session struct {
	ID       string    `json:"id"`
	Device   string    `json:"device"`
	Created  time.Time `json:"created"`
	LastSeen time.Time `json:"last_seen"`
	// Current marks the session that made the request.
	Current bool `json:"current,omitempty"`
}

// LoginResponse answers a sign-up or log-in.
type LoginResponse struct {
	Account Account `json:"account"`
	Session Session `json:"session"`
	// Token authenticates later requests as "Authorization: Bearer TOKEN".
	// The server keeps only its SHA-256.
	Token string `json:"token"`
	// Key is the server's grant-signing key, for the client to pin.
	Key Key `json:"key"`
}

// SessionPatch renames the device of a session.
type SessionPatch struct {
	Device string `json:"device"`
}

// Sessions lists an account's sessions.
type Sessions struct {
	Sessions []Session `json:"sessions"`
}

// DeleteAccount confirms an account's deletion with its password.
type DeleteAccount struct {
	Password string `json:"password"`
}

// MediaKind names one of a cast member's media.
type MediaKind string

// The media kinds.
const (
	MediaTake    MediaKind = "take"    // the whole recording (video)
	MediaFrontal MediaKind = "frontal" // the best frontal still (JPEG or PNG)
	MediaLeft    MediaKind = "left"    // the best still turned left
	MediaRight   MediaKind = "right"   // the best still turned right
	MediaSample  MediaKind = "sample"  // a voice sample (WAV)
)

// MediaKinds lists the kinds in a fixed order.
var MediaKinds = []MediaKind{MediaTake, MediaFrontal, MediaLeft, MediaRight, MediaSample}

// Media describes one stored medium.
type Media struct {
	SHA256      string    `json:"sha256"`
	Size        int64     `json:"size"`
	ContentType string    `json:"content_type"`
	Uploaded    time.Time `json:"uploaded"`
}

// NewMember creates a cast member in the registry.
type NewMember struct {
	// ID is optional: the studio may register a member under the ID it
	// already has, which keeps the two in step. Else the server picks one.
	ID          string        `json:"id,omitempty"`
	Name        string        `json:"name"`
	Handle      string        `json:"handle"`
	Level       consent.Level `json:"level,omitempty"` // default only_me
	Approved    []string      `json:"approved,omitempty"`
	Blocked     []string      `json:"blocked,omitempty"`
	Preferences string        `json:"preferences,omitempty"`
	// Outside lets the member's likeness be sent to outside render
	// services (not a Slate server); left out, it is not.
	Outside bool `json:"outside,omitempty"`
}

// MemberPatch changes a member; absent (or null) fields stay as they are,
// so an emptied list must be sent as []. Lowering
// the level, or taking someone off the approved list, or blocking them,
// or turning Outside off, revokes the outstanding grants it no longer
// allows at once.
type MemberPatch struct {
	Name        *string        `json:"name,omitempty"`
	Handle      *string        `json:"handle,omitempty"`
	Level       *consent.Level `json:"level,omitempty"`
	Approved    *[]string      `json:"approved,omitempty"`
	Blocked     *[]string      `json:"blocked,omitempty"`
	Preferences *string        `json:"preferences,omitempty"`
	Outside     *bool          `json:"outside,omitempty"`
}

// Member is a cast member. Approved, Blocked and Media are shown to the
// owner only; anyone else who may see the member gets the rest.
type Member struct {
	ID          string              `json:"id"`
	Name        string              `json:"name"`
	Handle      string              `json:"handle"`
	Owner       string              `json:"owner"`    // username
	OwnerID     string              `json:"owner_id"` // account ID, as grants carry it
	Level       consent.Level       `json:"level"`
	Preferences string              `json:"preferences"`
	Approved    []string            `json:"approved,omitempty"`
	Blocked     []string            `json:"blocked,omitempty"`
	Media       map[MediaKind]Media `json:"media,omitempty"`
	Created     time.Time           `json:"created"`
	Updated     time.Time           `json:"updated"`

	// Outside says whether the owner lets the likeness be sent to outside
	// render services; anyone who may see the member sees it.
	Outside bool `json:"outside"`
}

// Members lists cast members.
type Members struct {
	Members []Member `json:"members"`
}

// GrantRequest asks for a grant to feature a member.
type GrantRequest struct {
	// Member is the member's ID or @handle.
	Member  string        `json:"member"`
	Project string        `json:"project"`
	Shot    string        `json:"shot,omitempty"` // empty: every shot of the project
	Scope   consent.Scope `json:"scope"`
	// LifetimeSeconds asks for a shorter grant; 0 or more than a day gives
	// a day.
	LifetimeSeconds int64 `json:"lifetime_seconds,omitempty"`
	// Outside asks for a grant that lets the likeness go to an outside
	// render service; only a member whose owner allows it gets one.
	Outside bool `json:"outside,omitempty"`
}

// GrantResponse carries a signed grant: Token is what counts (the client
// verifies it against the pinned key); Grant repeats its contents for
// reading.
type GrantResponse struct {
	Grant consent.Grant `json:"grant"`
	Token string        `json:"token"`
}

// ApprovalAsk asks a member's owner for approval.
type ApprovalAsk struct {
	Message string `json:"message,omitempty"`
}

// Request statuses.
const (
	RequestPending  = "pending"
	RequestAccepted = "accepted"
	RequestDeclined = "declined"
)

// Request is someone's request to be approved for a member.
type Request struct {
	ID          string     `json:"id"`
	Member      string     `json:"member"`
	Handle      string     `json:"handle"`
	Requester   string     `json:"requester"`    // username
	RequesterID string     `json:"requester_id"` // account ID
	Message     string     `json:"message,omitempty"`
	Status      string     `json:"status"`
	Created     time.Time  `json:"created"`
	Decided     *time.Time `json:"decided,omitempty"`
}

// Requests lists requests.
type Requests struct {
	Requests []Request `json:"requests"`
}

// NewUse registers a render or export that features someone else's member.
type NewUse struct {
	GrantID      string        `json:"grant_id"`
	ClipSHA256   string        `json:"clip_sha256"`
	ProjectTitle string        `json:"project_title"`
	Scope        consent.Scope `json:"scope"`
	// At is when the render or export happened, by the studio's clock.
	At time.Time `json:"at"`
}

// Use is a registered use of a likeness.
type Use struct {
	ID           string        `json:"id"`
	GrantID      string        `json:"grant_id"`
	Member       string        `json:"member"`
	Handle       string        `json:"handle"`
	Creator      string        `json:"creator"`    // username; empty once their account is deleted
	CreatorID    string        `json:"creator_id"` // account ID
	ClipSHA256   string        `json:"clip_sha256"`
	ProjectTitle string        `json:"project_title"`
	Scope        consent.Scope `json:"scope"`
	At           time.Time     `json:"at"`
	Registered   time.Time     `json:"registered"`
	Removed      *time.Time    `json:"removed,omitempty"`
}

// Uses lists uses.
type Uses struct {
	Uses []Use `json:"uses"`
}

// Change kinds in the change feed.
const (
	// ChangeRemoval: the owner removed a use; the creator's studio deletes
	// the clip.
	ChangeRemoval = "removal"
	// ChangeRevocation: a grant the account holds is revoked.
	ChangeRevocation = "revocation"
	// ChangeRequest: someone asks the account for approval.
	ChangeRequest = "request"
	// ChangeAccepted and ChangeDeclined: the owner answered the account's
	// request.
	ChangeAccepted = "request_accepted"
	ChangeDeclined = "request_declined"
)

// Change is one entry in an account's change feed.
type Change struct {
	Cursor       string    `json:"cursor"`
	Kind         string    `json:"kind"`
	At           time.Time `json:"at"`
	Member       string    `json:"member,omitempty"`
	Handle       string    `json:"handle,omitempty"`
	GrantID      string    `json:"grant_id,omitempty"`
	UseID        string    `json:"use_id,omitempty"`
	ClipSHA256   string    `json:"clip_sha256,omitempty"`
	ProjectTitle string    `json:"project_title,omitempty"`
	RequestID    string    `json:"request_id,omitempty"`
	// Project, Rev and DeviceID come with ChangeProject and ChangeClip.
	Project  string `json:"project,omitempty"`
	Rev      int64  `json:"rev,omitempty"`
	DeviceID string `json:"device_id,omitempty"`
}

// Changes is a page of the change feed. Next is the cursor to ask after
// next time; More says whether more changes are waiting now.
type Changes struct {
	Changes []Change `json:"changes"`
	Next    string   `json:"next"`
	More    bool     `json:"more"`
}

// Audit kinds: one row per grant, refusal, revocation, use and removal
// (and per API key made or revoked: AuditKeyCreated, AuditKeyRevoked).
const (
	AuditGrant      = "grant"
	AuditRefusal    = "refusal"
	AuditRevocation = "revocation"
	AuditUse        = "use"
	AuditRemoval    = "removal"
)

// AuditEntry is one row of the audit trail.
type AuditEntry struct {
	Seq     int64     `json:"seq"`
	At      time.Time `json:"at"`
	Kind    string    `json:"kind"`
	Actor   string    `json:"actor"` // account ID of who caused it
	Member  string    `json:"member"`
	GrantID string    `json:"grant_id,omitempty"`
	UseID   string    `json:"use_id,omitempty"`
	Detail  string    `json:"detail,omitempty"`
}

// Audit lists audit rows.
type Audit struct {
	Entries []AuditEntry `json:"entries"`
}
