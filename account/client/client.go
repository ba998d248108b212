// Package client is the studio's client of slate-server's API: typed
// methods for every endpoint, each taking a context first and returning
// errors that carry the HTTP status and the server's message (*Error).
//
// At log-in the client fetches the server's grant-signing key and pins it:
// every grant is verified against the pinned key, never against whatever
// key a later response names. The session token and the pinned key are
// kept between runs in a TokenStore: the system keyring where there is
// one, else an encrypted file (see OpenStore and FileStore).
package client

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/consent"
	"github.com/slatestudio/slate/internal/clock"
)

var (
	// ErrNotLoggedIn is returned by calls that need a session when there is
	// none.
	ErrNotLoggedIn = errors.New("not logged in to the account server")
	// ErrSessionEnded is wrapped by the error of a call the server refused
	// because the session is over (logged out or revoked from another
	// device, or the account deleted). The client forgets the session.
	ErrSessionEnded = errors.New("the session has ended; log in again")
	// ErrKeyMismatch is returned when the server presents a signing key
	// other than the one it served a moment before, during log-in.
	ErrKeyMismatch = errors.New("the server's signing key changed during log-in")
)

// Error is the server's answer to a request that did not succeed.
type Error struct {
	Op         string // what the client was doing: "request grant"
	Status     int    // the HTTP status
	Code       string // the server's error code (account.Code…)
	Message    string // the server's message, fit to show a person
	RetryAfter time.Duration
	// Refusal says why a grant was refused (Status 403, Code "refused").
	// errors.As(err, &refusal) finds it.
	Refusal *consent.Refusal
	// ended marks a 401 to a request made with a session.
	ended bool
}

// Error says what the client was doing, the server's message and the status.
func (e *Error) Error() string {
	return fmt.Sprintf("%s: %s (%d %s)", e.Op, e.Message, e.Status, http.StatusText(e.Status))
}

// Unwrap gives the refusal, or ErrSessionEnded for a 401 on a logged-in
// call.
func (e *Error) Unwrap() []error {
	var out []error
	if e.Refusal != nil {
		out = append(out, e.Refusal)
	}
	if e.ended {
		out = append(out, ErrSessionEnded)
	}
	return out
}

// StatusOf returns the HTTP status of an *Error in err's chain, or 0.
func StatusOf(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}

// Options change how a client works; the zero value is fine.
type Options struct {
	// HTTPClient makes the requests; nil means one with sensible timeouts
	// and the system's certificate roots.
	HTTPClient *http.Client
	// Store keeps the session between runs; nil keeps it in memory only.
	Store TokenStore
	// Clock is what grants are verified against; nil means the
	// computer's clock.
	Clock clock.Clock
	// Chunk is the bytes one tus PATCH of Upload carries; 0 means
	// DefaultChunk.
	Chunk int
}

// Client talks to one server. It is safe for concurrent use.
type Client struct {
	server string
	base   *url.URL
	hc     *http.Client
	store  TokenStore
	clock  clock.Clock
	chunk  int

	mu    sync.Mutex
	creds *Credentials
}

// New returns a client of the server at serverURL (https://…; http:// only
// on a loopback address). It makes no request.
func New(serverURL string, opts Options) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(serverURL, "/"))
	if err != nil {
		return nil, fmt.Errorf("server address %q: %w", serverURL, err)
	}
	switch {
	case u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "":
		return nil, fmt.Errorf("server address %q: give it as https://host[:port]", serverURL)
	case u.Scheme == "https":
	case u.Scheme == "http":
		host := u.Hostname()
		if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return nil, fmt.Errorf("server address %q: plain http would send your password and session unencrypted; use https:// (plain http is for a server on this computer only)", serverURL)
		}
	default:
		return nil, fmt.Errorf("server address %q: use https://", serverURL)
	}
	c := &Client{server: u.String(), base: u, hc: opts.HTTPClient, store: opts.Store, clock: clock.Or(opts.Clock), chunk: opts.Chunk}
	if c.hc == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.ResponseHeaderTimeout = time.Minute
		c.hc = &http.Client{Transport: t}
	}
	return c, nil
}

// Server is the server's address as the client uses it (and as its
// credentials are stored under).
func (c *Client) Server() string { return c.server }

// Session is a logged-in session as the studio sees it.
type Session struct {
	Account   account.Account
	Device    string
	DeviceID  string // empty for a session from before device IDs
	SessionID string
	// Key is the server's grant-signing key, pinned at log-in.
	Key ed25519.PublicKey
}

func (cr *Credentials) session() Session {
	return Session{Account: cr.Account, Device: cr.Device, DeviceID: cr.DeviceID, SessionID: cr.SessionID, Key: ed25519.PublicKey(cr.Key)}
}

// Session returns the current session, if logged in.
func (c *Client) Session() (Session, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.creds == nil {
		return Session{}, false
	}
	return c.creds.session(), true
}

// PinnedKey is the server key pinned at log-in, or nil.
func (c *Client) PinnedKey() ed25519.PublicKey {
	s, _ := c.Session()
	return s.Key
}

// Restore picks up the session the store kept from an earlier run. It
// makes no request: the session may have been revoked since, which the
// first call then reports with ErrSessionEnded. Without a store, or with
// nothing stored, it returns ErrNotLoggedIn.
func (c *Client) Restore() (Session, error) {
	if c.store == nil {
		return Session{}, ErrNotLoggedIn
	}
	cr, err := c.store.Load(c.server)
	if errors.Is(err, ErrNoCredentials) {
		return Session{}, ErrNotLoggedIn
	}
	if err != nil {
		return Session{}, fmt.Errorf("restore session: %w", err)
	}
	if len(cr.Key) != ed25519.PublicKeySize || cr.Token == "" {
		return Session{}, fmt.Errorf("restore session: the stored credentials are incomplete; log in again")
	}
	c.mu.Lock()
	c.creds = &cr
	c.mu.Unlock()
	return cr.session(), nil
}

// Key fetches the server's grant-signing key. It needs no session; the
// client pins the key only at log-in.
func (c *Client) Key(ctx context.Context) (ed25519.PublicKey, error) {
	var k account.Key
	if err := c.call(ctx, "fetch server key", http.MethodGet, "/key", false, nil, &k); err != nil {
		return nil, err
	}
	if k.Algorithm != "ed25519" || len(k.Key) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("fetch server key: the server offers a %q key of %d bytes, not an ed25519 key", k.Algorithm, len(k.Key))
	}
	return ed25519.PublicKey(k.Key), nil
}

// Device is what a session is for: a studio's data folder.
type Device struct {
	// ID is the folder's device ID (32 lower-case hex digits, see
	// account.ValidDeviceID). Empty logs in as clients did before device IDs:
	// known by the name alone.
	ID string
	// Name is the name the account's list of devices shows.
	Name string
}

// SignUp creates an account and logs in to it as a device known by its
// name alone (see Login).
func (c *Client) SignUp(ctx context.Context, username, password, device string) (Session, error) {
	return c.SignUpAs(ctx, username, password, Device{Name: device})
}

// SignUpAs creates an account and logs this device in to it.
func (c *Client) SignUpAs(ctx context.Context, username, password string, d Device) (Session, error) {
	return c.login(ctx, "sign up", "/accounts", username, password, d)
}

// Login logs in as a device known by its name alone, as clients did
// before device IDs: it replaces the session of another such device of
// the same name. Studios log in with LoginAs.
func (c *Client) Login(ctx context.Context, username, password, device string) (Session, error) {
	return c.LoginAs(ctx, username, password, Device{Name: device})
}

// LoginAs logs this device in, replacing the device's earlier session on
// the server (and no other device's), pins the server's key and stores
// the session. It returns the session, with the pinned key.
func (c *Client) LoginAs(ctx context.Context, username, password string, d Device) (Session, error) {
	return c.login(ctx, "log in", "/sessions", username, password, d)
}

func (c *Client) login(ctx context.Context, op, path, username, password string, device Device) (Session, error) {
	// The key comes from its own endpoint and again with the session; the
	// two must agree. Both arrive over the same verified TLS connection,
	// which is what makes pinning the key here sound.
	key, err := c.Key(ctx)
	if err != nil {
		return Session{}, fmt.Errorf("%s: %w", op, err)
	}
	var resp account.LoginResponse
	body := account.Credentials{Username: username, Password: password, Device: device.Name, DeviceID: device.ID}
	if err := c.call(ctx, op, http.MethodPost, path, false, body, &resp); err != nil {
		return Session{}, err
	}
	if !key.Equal(ed25519.PublicKey(resp.Key.Key)) {
		return Session{}, fmt.Errorf("%s: %w", op, ErrKeyMismatch)
	}
	cr := Credentials{Server: c.server, Account: resp.Account, Device: resp.Session.Device, DeviceID: device.ID,
		SessionID: resp.Session.ID, Token: resp.Token, Key: key}
	c.mu.Lock()
	c.creds = &cr
	c.mu.Unlock()
	if c.store != nil {
		if err := c.store.Save(cr); err != nil {
			return cr.session(), fmt.Errorf("%s: logged in, but the session could not be kept for next time: %w", op, err)
		}
	}
	return cr.session(), nil
}

// forget drops the session here and in the store.
func (c *Client) forget() error {
	c.mu.Lock()
	c.creds = nil
	c.mu.Unlock()
	if c.store == nil {
		return nil
	}
	if err := c.store.Delete(c.server); err != nil && !errors.Is(err, ErrNoCredentials) {
		return fmt.Errorf("forget the session: %w", err)
	}
	return nil
}

// Logout ends this device's session on the server and forgets it here.
// A session the server had already ended is forgotten all the same.
func (c *Client) Logout(ctx context.Context) error {
	err := c.call(ctx, "log out", http.MethodDelete, "/sessions/current", true, nil, nil)
	if err != nil && !errors.Is(err, ErrSessionEnded) && !errors.Is(err, ErrNotLoggedIn) {
		return err
	}
	return c.forget()
}

// RenameDevice gives this device a new name in the account's list of
// devices.
func (c *Client) RenameDevice(ctx context.Context, name string) (account.Session, error) {
	var out account.Session
	if err := c.call(ctx, "rename this device", http.MethodPatch, "/sessions/current", true, account.SessionPatch{Device: name}, &out); err != nil {
		return out, err
	}
	c.mu.Lock()
	var cr Credentials
	if c.creds != nil {
		c.creds.Device = out.Device
		cr = *c.creds
	}
	c.mu.Unlock()
	if c.store != nil && cr.Token != "" {
		if err := c.store.Save(cr); err != nil {
			return out, fmt.Errorf("rename this device: renamed, but the session could not be kept: %w", err)
		}
	}
	return out, nil
}

// Account returns the logged-in account.
func (c *Client) Account(ctx context.Context) (account.Account, error) {
	var a account.Account
	err := c.call(ctx, "read account", http.MethodGet, "/account", true, nil, &a)
	return a, err
}

// DeleteAccount deletes the account, confirmed with its password: its cast
// members and their media, its sessions, and every use of its likenesses
// (their creators are told to delete the clips).
func (c *Client) DeleteAccount(ctx context.Context, password string) error {
	if err := c.call(ctx, "delete account", http.MethodDelete, "/account", true, account.DeleteAccount{Password: password}, nil); err != nil {
		return err
	}
	return c.forget()
}

// Sessions lists the account's logged-in devices.
func (c *Client) Sessions(ctx context.Context) ([]account.Session, error) {
	var out account.Sessions
	err := c.call(ctx, "list sessions", http.MethodGet, "/sessions", true, nil, &out)
	return out.Sessions, err
}

// RevokeSession logs out one of the account's devices.
func (c *Client) RevokeSession(ctx context.Context, id string) error {
	return c.call(ctx, "revoke session", http.MethodDelete, "/sessions/"+url.PathEscape(id), true, nil, nil)
}

// CreateMember registers a cast member.
func (c *Client) CreateMember(ctx context.Context, m account.NewMember) (account.Member, error) {
	m.Preferences = account.LineBreaks(m.Preferences)
	var out account.Member
	err := c.call(ctx, "create cast member", http.MethodPost, "/members", true, m, &out)
	return out, err
}

// Members lists the account's cast members, with their consent settings
// and media.
func (c *Client) Members(ctx context.Context) ([]account.Member, error) {
	var out account.Members
	err := c.call(ctx, "list cast members", http.MethodGet, "/members", true, nil, &out)
	return out.Members, err
}

// Member reads a cast member: all of it for the owner, the public part
// for anyone else.
func (c *Client) Member(ctx context.Context, id string) (account.Member, error) {
	var out account.Member
	err := c.call(ctx, "read cast member", http.MethodGet, "/members/"+url.PathEscape(id), true, nil, &out)
	return out, err
}

// MemberByHandle finds a cast member to cast by @handle.
func (c *Client) MemberByHandle(ctx context.Context, handle string) (account.Member, error) {
	var out account.Member
	err := c.call(ctx, "find cast member", http.MethodGet, "/handles/"+url.PathEscape(handle), true, nil, &out)
	return out, err
}

// UpdateMember changes a cast member's name, handle, consent or
// preferences. Taking permission away revokes the affected grants at once.
// Line breaks in the preferences are sent as "\n" (account.LineBreaks), as in
// CreateMember and AskApproval.
func (c *Client) UpdateMember(ctx context.Context, id string, p account.MemberPatch) (account.Member, error) {
	// A nil list would go out as null, which reads as "no change"; the
	// caller who points at a list means that list, even an empty one.
	for _, l := range []**[]string{&p.Approved, &p.Blocked} {
		if *l != nil && **l == nil {
			*l = &[]string{}
		}
	}
	if p.Preferences != nil {
		prefs := account.LineBreaks(*p.Preferences)
		p.Preferences = &prefs
	}
	var out account.Member
	err := c.call(ctx, "update cast member", http.MethodPatch, "/members/"+url.PathEscape(id), true, p, &out)
	return out, err
}

// DeleteMember deletes a cast member and its media; every grant on it is
// revoked and every use removed.
func (c *Client) DeleteMember(ctx context.Context, id string) error {
	return c.call(ctx, "delete cast member", http.MethodDelete, "/members/"+url.PathEscape(id), true, nil, nil)
}

// UploadMedia stores one of a cast member's media from r, which holds size
// bytes (-1 if unknown).
func (c *Client) UploadMedia(ctx context.Context, memberID string, kind account.MediaKind, r io.Reader, size int64) (account.Media, error) {
	var out account.Media
	op := "upload " + string(kind)
	req, err := c.newRequest(ctx, op, http.MethodPut, "/members/"+url.PathEscape(memberID)+"/media/"+url.PathEscape(string(kind)), true, r)
	if err != nil {
		return out, err
	}
	req.ContentLength = size
	if size == 0 {
		req.Body = http.NoBody
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	err = c.do(req, op, &out)
	return out, err
}

// OpenMedia downloads one of the account's own cast members' media; the
// caller closes it.
func (c *Client) OpenMedia(ctx context.Context, memberID string, kind account.MediaKind) (io.ReadCloser, error) {
	op := "download " + string(kind)
	req, err := c.newRequest(ctx, op, http.MethodGet, "/members/"+url.PathEscape(memberID)+"/media/"+url.PathEscape(string(kind)), true, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		e := c.errorFrom(op, resp)
		if e.Status == http.StatusUnauthorized {
			e.ended = true
			c.forget()
		}
		return nil, e
	}
	return resp.Body, nil
}

// AskApproval asks a cast member's owner to approve this account.
func (c *Client) AskApproval(ctx context.Context, memberID, message string) (account.Request, error) {
	var out account.Request
	err := c.call(ctx, "ask for approval", http.MethodPost, "/members/"+url.PathEscape(memberID)+"/requests", true, account.ApprovalAsk{Message: account.LineBreaks(message)}, &out)
	return out, err
}

// Requests lists the pending requests for the account's cast members.
func (c *Client) Requests(ctx context.Context) ([]account.Request, error) {
	var out account.Requests
	err := c.call(ctx, "list requests", http.MethodGet, "/requests", true, nil, &out)
	return out.Requests, err
}

// AcceptRequest approves the requester for the cast member.
func (c *Client) AcceptRequest(ctx context.Context, id string) (account.Request, error) {
	var out account.Request
	err := c.call(ctx, "accept request", http.MethodPost, "/requests/"+url.PathEscape(id)+"/accept", true, nil, &out)
	return out, err
}

// DeclineRequest turns a request down.
func (c *Client) DeclineRequest(ctx context.Context, id string) (account.Request, error) {
	var out account.Request
	err := c.call(ctx, "decline request", http.MethodPost, "/requests/"+url.PathEscape(id)+"/decline", true, nil, &out)
	return out, err
}

// GrantRequest asks for a grant to feature a cast member.
type GrantRequest = consent.Ask

// Grant is a verified grant with the token that proves it.
type Grant = consent.SignedGrant

// RequestGrant asks the server for a grant. The grant it returns has been
// verified against the pinned key and matches the request. A refusal is an
// error holding a *consent.Refusal (errors.As) that says why.
func (c *Client) RequestGrant(ctx context.Context, r GrantRequest) (Grant, error) {
	const op = "request grant"
	body := account.GrantRequest{Member: r.Member, Project: r.Project, Shot: r.Shot, Scope: r.Scope,
		LifetimeSeconds: int64(r.Lifetime / time.Second), Outside: r.Outside}
	var resp account.GrantResponse
	if err := c.call(ctx, op, http.MethodPost, "/grants", true, body, &resp); err != nil {
		return Grant{}, err
	}
	g, err := c.VerifyGrant(resp.Token)
	if err != nil {
		return Grant{}, fmt.Errorf("%s: the server's grant does not verify: %w", op, err)
	}
	s, _ := c.Session()
	if g.Grantee != s.Account.ID || g.Project != r.Project || g.Shot != r.Shot || g.Scope != r.Scope || g.Outside != r.Outside ||
		(r.Member != g.Member && !strings.HasPrefix(r.Member, "@")) {
		return Grant{}, fmt.Errorf("%s: the server granted something else than was asked (%+v)", op, g)
	}
	return consent.SignedGrant{Grant: g, Token: resp.Token}, nil
}

// VerifyGrant checks a grant token against the key pinned at log-in and
// the current time, and returns the grant. It makes no request.
func (c *Client) VerifyGrant(token string) (consent.Grant, error) {
	key := c.PinnedKey()
	if key == nil {
		return consent.Grant{}, fmt.Errorf("verify grant: %w (no server key is pinned)", ErrNotLoggedIn)
	}
	return consent.Verify(key, token, c.clock.Now())
}

// RegisterUse records a render or export that features someone else's
// cast member, under a grant this account holds. Registering the same clip
// under the same grant again returns the first registration.
func (c *Client) RegisterUse(ctx context.Context, u account.NewUse) (account.Use, error) {
	var out account.Use
	err := c.call(ctx, "register use", http.MethodPost, "/uses", true, u, &out)
	return out, err
}

// Uses lists every use of the account's likenesses (of one cast member,
// or of all when member is empty), other people's drafts included; removed
// ones carry the time of removal.
func (c *Client) Uses(ctx context.Context, member string) ([]account.Use, error) {
	var out account.Uses
	path := "/uses"
	if member != "" {
		path += "?member=" + url.QueryEscape(member)
	}
	err := c.call(ctx, "list uses", http.MethodGet, path, true, nil, &out)
	return out.Uses, err
}

// RemoveUse removes a use of one of the account's likenesses; its creator
// learns of it through the change feed.
func (c *Client) RemoveUse(ctx context.Context, id string) error {
	return c.call(ctx, "remove use", http.MethodDelete, "/uses/"+url.PathEscape(id), true, nil, nil)
}

// Changes returns the account's changes after the cursor (empty: from the
// start), at most limit of them (0: the server's default). Keep the page's
// Next and pass it next time.
func (c *Client) Changes(ctx context.Context, after string, limit int) (account.Changes, error) {
	var out account.Changes
	err := c.call(ctx, "read changes", http.MethodGet, "/changes"+pageQuery(after, limit), true, nil, &out)
	return out, err
}

// Audit returns the audit rows about the account's cast members and its
// API keys after the cursor (a Seq; empty: from the start).
func (c *Client) Audit(ctx context.Context, after string, limit int) ([]account.AuditEntry, error) {
	var out account.Audit
	err := c.call(ctx, "read audit trail", http.MethodGet, "/audit"+pageQuery(after, limit), true, nil, &out)
	return out.Entries, err
}

func pageQuery(after string, limit int) string {
	q := url.Values{}
	if after != "" {
		q.Set("after", after)
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}

// maxResponseBytes bounds a JSON response the client will read.
const maxResponseBytes = 32 << 20

func (c *Client) newRequest(ctx context.Context, op, method, path string, authed bool, body io.Reader) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base.String()+account.Prefix+path, body)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	if authed {
		c.mu.Lock()
		cr := c.creds
		c.mu.Unlock()
		if cr == nil {
			return nil, fmt.Errorf("%s: %w", op, ErrNotLoggedIn)
		}
		req.Header.Set("Authorization", "Bearer "+cr.Token)
	}
	req.Header.Set("Accept", "application/json")
	return req, nil
}

// call sends a JSON request (in may be nil) and decodes a JSON answer into
// out (may be nil).
func (c *Client) call(ctx context.Context, op, method, path string, authed bool, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := c.newRequest(ctx, op, method, path, authed, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return c.do(req, op, out)
}

// do sends a request and decodes a JSON answer into out (may be nil).
func (c *Client) do(req *http.Request, op string, out any) error {
	resp, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		err := c.errorFrom(op, resp)
		if err.Status == http.StatusUnauthorized && req.Header.Get("Authorization") != "" {
			err.ended = true
		}
		if err.ended {
			c.forget()
		}
		return err
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponseBytes))
		return nil
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxResponseBytes)).Decode(out); err != nil {
		return fmt.Errorf("%s: the server's answer is not what this client understands: %w", op, err)
	}
	return nil
}

// errorFrom reads the server's error body.
func (c *Client) errorFrom(op string, resp *http.Response) *Error {
	e := &Error{Op: op, Status: resp.StatusCode}
	var body account.Error
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if json.Unmarshal(data, &body) == nil && body.Error.Message != "" {
		e.Code, e.Message, e.Refusal = body.Error.Code, body.Error.Message, body.Refusal
	} else {
		e.Message = strings.TrimSpace(string(data))
		if e.Message == "" {
			e.Message = http.StatusText(resp.StatusCode)
		}
	}
	if s := resp.Header.Get("Retry-After"); s != "" {
		if n, err := strconv.Atoi(s); err == nil {
			e.RetryAfter = time.Duration(n) * time.Second
		}
	}
	return e
}
