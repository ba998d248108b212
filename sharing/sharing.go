// Package sharing connects the studio's library to the account server: it
// logs in and out, asks for the grants a render or export of someone
// else's likeness needs (render.Consent), keeps the uses made under them in
// an outbox until the server has them, tells the server of my members'
// consent, and carries out what the server's change feed says — above
// all, deleting a clip whose use the owner removed.
//
// Everything works offline: grants already held stay valid until they
// expire, uses wait in the outbox, and Sync catches up when the server
// answers again.
package sharing

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/account/client"
	"github.com/slatestudio/slate/consent"
	"github.com/slatestudio/slate/internal/clock"
	"github.com/slatestudio/slate/internal/filehash"
	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/render"
)

// ErrNotLoggedIn is returned by what needs the server when this studio is
// not logged in to one.
var ErrNotLoggedIn = errors.New("not logged in to an account server; log in first (slate account login, or Account ▸ Log in… in the studio)")

// Options configures a Service.
type Options struct {
	// Store keeps session tokens; nil uses client.OpenStore on the
	// library's folder and its device (the system keyring, or an
	// encrypted file).
	Store client.TokenStore
	// HTTPClient talks to the server; nil uses the client's default.
	HTTPClient *http.Client
	// Clock is the clock grants are checked against; nil is the real one.
	Clock clock.Clock
	// Device is the name this data folder goes by in the account's list
	// of devices until a person names it (RenameDevice); empty is
	// library.DefaultDeviceName, such as "olive's thinkpad".
	Device string
	Logger *slog.Logger
	// OnChange hears the change feed's project and clip entries
	// (account.ChangeProject, account.ChangeClip) before the cursor moves
	// past them; an error stops the sync there, to be read again next
	// time. Project sync sets it.
	OnChange func(ctx context.Context, ch account.Change) error
}

// Service is the studio's side of the account server. Its methods are
// safe to call from several goroutines.
type Service struct {
	lib   *library.Library
	hc    *http.Client
	clock clock.Clock
	// defaultName is the device's name until a person gives it one.
	defaultName string
	log         *slog.Logger
	onChange    func(context.Context, account.Change) error

	syncMu sync.Mutex // one Sync at a time

	mu    sync.Mutex
	store client.TokenStore // opened on first use: it is filed under the device ID
	c     *client.Client    // nil when logged out
	acct  library.Account
	kick  chan struct{}
}

var _ render.Consent = (*Service)(nil)

// New returns a Service over lib. Call Restore to pick up the session of
// an earlier run.
func New(lib *library.Library, opts Options) *Service {
	s := &Service{lib: lib, store: opts.Store, hc: opts.HTTPClient, clock: clock.Or(opts.Clock), defaultName: opts.Device, log: opts.Logger, onChange: opts.OnChange,
		kick: make(chan struct{}, 1)}
	if s.defaultName == "" {
		s.defaultName = library.DefaultDeviceName(lib.Dir())
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	return s
}

// now is the time grants are checked at.
func (s *Service) now() time.Time { return s.clock.Now() }

func (s *Service) newClient(ctx context.Context, server string) (*client.Client, error) {
	store, err := s.tokenStore(ctx)
	if err != nil {
		return nil, err
	}
	return client.New(server, client.Options{HTTPClient: s.hc, Store: store, Clock: s.clock})
}

// tokenStore is where sessions are kept, opened on first use.
func (s *Service) tokenStore(ctx context.Context) (client.TokenStore, error) {
	s.mu.Lock()
	store := s.store
	s.mu.Unlock()
	if store != nil {
		return store, nil
	}
	d, err := s.lib.Device(ctx)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.store == nil {
		s.store = client.OpenStore(s.lib.Dir(), d.ID)
	}
	return s.store, nil
}

// device is this data folder as the server knows it: its ID and the name
// it goes by.
func (s *Service) device(ctx context.Context) (client.Device, error) {
	d, err := s.lib.Device(ctx)
	if err != nil {
		return client.Device{}, err
	}
	return client.Device{ID: d.ID, Name: cmp.Or(d.Name, s.defaultName)}, nil
}

// DeviceName is the name this data folder goes by in the account's list
// of devices: the one a person gave it, else the default.
func (s *Service) DeviceName(ctx context.Context) (string, error) {
	d, err := s.device(ctx)
	return d.Name, err
}

// NotToldError is RenameDevice's error when the name is kept here but the
// account server could not be told yet; the next sync tells it.
type NotToldError struct {
	Name string // the name kept here
	Err  error  // why the server was not told
}

// Error says the name is kept and why the server has not heard it.
func (e *NotToldError) Error() string {
	return fmt.Sprintf("renamed to %q here, but the account server could not be told yet (it will be at the next sync): %v", e.Name, e.Err)
}

// Unwrap gives the server's error.
func (e *NotToldError) Unwrap() error { return e.Err }

// RenameDevice names this data folder, here and, when logged in, on the
// server; an empty name goes back to the default. It returns the name the
// device now goes by. A name refused here changes nothing. When the server
// cannot be told, the name is kept here all the same, to be sent at the
// next sync: the name is returned with a *NotToldError.
func (s *Service) RenameDevice(ctx context.Context, name string) (string, error) {
	if _, err := s.lib.SetDeviceName(ctx, name); err != nil {
		return "", err
	}
	d, err := s.device(ctx)
	if err != nil {
		return "", err
	}
	c, _, err := s.client()
	if err != nil {
		return d.Name, nil // logged out: the next log-in sends it
	}
	if err := s.pushDeviceName(ctx, c); err != nil {
		s.ended(ctx, err)
		return d.Name, &NotToldError{Name: d.Name, Err: err}
	}
	return d.Name, nil
}

// pushDeviceName tells the server the name this device goes by, if it has
// not heard it yet.
func (s *Service) pushDeviceName(ctx context.Context, c *client.Client) error {
	stored, err := s.lib.Device(ctx)
	if err != nil {
		return err
	}
	name := cmp.Or(stored.Name, s.defaultName)
	if name == stored.NameSent {
		return nil
	}
	if _, err := c.RenameDevice(ctx, name); err != nil {
		return err
	}
	return s.lib.SetDeviceNameSent(ctx, name)
}

// Restore resumes the session recorded by an earlier log-in, without
// asking the server anything. ok is false when there is none.
func (s *Service) Restore(ctx context.Context) (library.Account, bool, error) {
	a, ok, err := s.lib.Account(ctx)
	if err != nil || !ok {
		return a, false, err
	}
	c, err := s.newClient(ctx, a.Server)
	if err != nil {
		return a, false, err
	}
	sess, err := c.Restore()
	if errors.Is(err, client.ErrNotLoggedIn) {
		// The token is gone (another keyring, a wiped file): log in again.
		return a, false, s.lib.ClearAccount(ctx)
	}
	if err != nil {
		return a, false, err
	}
	if !sess.Key.Equal(a.Key) || sess.Account.ID != a.ID {
		return a, false, fmt.Errorf("the stored session for %s does not match the account this library logged in to; log in again", a.Server)
	}
	s.mu.Lock()
	s.c, s.acct = c, a
	s.mu.Unlock()
	return a, true, nil
}

// SignUp creates an account on server and logs in to it.
func (s *Service) SignUp(ctx context.Context, server, username, password string) (library.Account, error) {
	return s.login(ctx, server, func(c *client.Client, d client.Device) (client.Session, error) {
		return c.SignUpAs(ctx, username, password, d)
	})
}

// Login logs in to server, pinning its grant-signing key.
func (s *Service) Login(ctx context.Context, server, username, password string) (library.Account, error) {
	return s.login(ctx, server, func(c *client.Client, d client.Device) (client.Session, error) {
		return c.LoginAs(ctx, username, password, d)
	})
}

func (s *Service) login(ctx context.Context, server string, do func(*client.Client, client.Device) (client.Session, error)) (library.Account, error) {
	c, err := s.newClient(ctx, server)
	if err != nil {
		return library.Account{}, err
	}
	d, err := s.device(ctx)
	if err != nil {
		return library.Account{}, err
	}
	// The session this folder kept from an earlier log-in, if any.
	prev, prevErr := c.Restore()
	sess, err := do(c, d)
	if err != nil {
		return library.Account{}, err
	}
	if prevErr == nil && prev.DeviceID != d.ID && prev.Account.ID == sess.Account.ID && prev.SessionID != sess.SessionID {
		// A session from before device IDs, which the server cannot tell
		// is this folder's: end it, so that the folder is listed once.
		if err := c.RevokeSession(ctx, prev.SessionID); err != nil && client.StatusOf(err) != http.StatusNotFound {
			s.log.Warn("the session of an earlier log-in could not be ended; it stays in the list of devices", "session", prev.SessionID, "err", err)
		}
	}
	if err := s.lib.SetDeviceNameSent(ctx, d.Name); err != nil {
		return library.Account{}, err
	}
	a := library.Account{Server: c.Server(), ID: sess.Account.ID, Username: sess.Account.Username, Key: sess.Key, LoggedIn: s.now()}
	if err := s.lib.SetAccount(ctx, a); err != nil {
		return a, err
	}
	a, _, err = s.lib.Account(ctx)
	if err != nil {
		return a, err
	}
	s.mu.Lock()
	s.c, s.acct = c, a
	s.mu.Unlock()
	s.Kick()
	return a, nil
}

// Logout ends the session on the server (when it answers) and here.
func (s *Service) Logout(ctx context.Context) error {
	s.mu.Lock()
	c := s.c
	s.c, s.acct = nil, library.Account{}
	s.mu.Unlock()
	var err error
	if c != nil {
		if err = c.Logout(ctx); err != nil && client.StatusOf(err) == 0 {
			// Offline: forget the session here all the same; the server
			// lists it until it is revoked from another device.
			if store, serr := s.tokenStore(ctx); serr == nil {
				store.Delete(c.Server())
			}
			err = nil
		}
	}
	if cerr := s.lib.ClearAccount(ctx); cerr != nil {
		return cerr
	}
	return err
}

// Account returns the account logged in to; ok is false when logged out.
func (s *Service) Account() (library.Account, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.acct, s.c != nil
}

// client returns the logged-in client, or ErrNotLoggedIn.
func (s *Service) client() (*client.Client, library.Account, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.c == nil {
		return nil, library.Account{}, ErrNotLoggedIn
	}
	return s.c, s.acct, nil
}

// Client returns the logged-in client, for the parts of the studio that
// talk to the server beyond consent (project sync), or ErrNotLoggedIn.
func (s *Service) Client() (*client.Client, error) {
	c, _, err := s.client()
	return c, err
}

// Ended forgets the session when err says the server ended it; a caller
// of Client hands every error it gets from the server through here.
func (s *Service) Ended(ctx context.Context, err error) { s.ended(ctx, err) }

// call makes a request of the server through the logged-in client, and
// forgets the session if the server says it has ended.
func (s *Service) call(ctx context.Context, fn func(*client.Client) error) error {
	c, _, err := s.client()
	if err != nil {
		return err
	}
	err = fn(c)
	s.ended(ctx, err)
	return err
}

// ended forgets a session the server says has ended.
func (s *Service) ended(ctx context.Context, err error) {
	if errors.Is(err, client.ErrSessionEnded) {
		s.mu.Lock()
		s.c, s.acct = nil, library.Account{}
		s.mu.Unlock()
		s.lib.ClearAccount(ctx)
	}
}

// Permit implements render.Consent: for each member it uses a grant held
// here that still verifies against the pinned key and covers the use, or
// asks the server for one (for the whole project, so that its other shots
// need not ask again).
func (s *Service) Permit(ctx context.Context, need render.Need) ([]consent.SignedGrant, error) {
	var grants []consent.SignedGrant
	var missing []string
	var reasons []string
	for _, m := range need.Members {
		g, err := s.permitOne(ctx, need, m)
		if err != nil {
			var ce *render.ConsentError
			if !errors.As(err, &ce) {
				return nil, err
			}
			missing = append(missing, m.Handle)
			if !slices.Contains(reasons, ce.Reason) {
				reasons = append(reasons, ce.Reason)
			}
			continue
		}
		grants = append(grants, g)
	}
	if len(missing) > 0 {
		return nil, &render.ConsentError{Handles: missing, Reason: strings.Join(reasons, "; ")}
	}
	return grants, nil
}

func refuse(m library.CastMember, reason string) *render.ConsentError {
	return &render.ConsentError{Handles: []string{m.Handle}, Reason: reason}
}

func (s *Service) permitOne(ctx context.Context, need render.Need, m library.CastMember) (consent.SignedGrant, error) {
	now := s.now()
	s.mu.Lock()
	c, a := s.c, s.acct
	s.mu.Unlock()
	if a.ID == "" {
		// Logged out: grants held here were forgotten at log-out.
		return consent.SignedGrant{}, refuse(m, render.ReasonLogIn)
	}
	tokens, err := s.lib.GrantTokens(ctx, m.ID, need.ProjectID, now)
	if err != nil {
		return consent.SignedGrant{}, err
	}
	for _, t := range tokens {
		g, err := consent.Verify(a.Key, t, now)
		if err == nil && g.Covers(m.ID, a.ID, need.ProjectID, need.ShotID, need.Scope) && (g.Outside || !need.Outside) {
			return consent.SignedGrant{Grant: g, Token: t}, nil
		}
	}
	if c == nil {
		return consent.SignedGrant{}, refuse(m, render.ReasonLogIn)
	}
	g, err := c.RequestGrant(ctx, client.GrantRequest{Member: m.ID, Project: need.ProjectID, Scope: need.Scope, Outside: need.Outside})
	if err != nil {
		s.ended(ctx, err)
		var ce *client.Error
		switch {
		case errors.As(err, &ce) && ce.Refusal != nil:
			return consent.SignedGrant{}, refuse(m, ce.Refusal.Reason)
		case client.StatusOf(err) == 0 && ctx.Err() == nil:
			return consent.SignedGrant{}, refuse(m, "the account server cannot be reached to ask for it ("+err.Error()+"); try again when online")
		}
		return consent.SignedGrant{}, err
	}
	if err := s.lib.PutGrant(ctx, g); err != nil {
		return consent.SignedGrant{}, err
	}
	return g, nil
}

// Made implements render.Consent: each grant's use goes into the outbox,
// and the background sync is woken to register it.
func (s *Service) Made(ctx context.Context, grants []consent.SignedGrant, made render.Made) error {
	for _, g := range grants {
		u := library.Use{GrantID: g.ID, MemberID: g.Member, SHA256: made.SHA256, ProjectID: made.ProjectID, ShotID: made.ShotID,
			ProjectTitle: made.ProjectTitle, Scope: made.Scope, Path: made.Path, At: s.now()}
		if err := s.lib.AddUse(ctx, &u); err != nil {
			return err
		}
	}
	s.Kick()
	return nil
}

// Kick wakes the background sync (Run) for work that should reach the
// server soon.
func (s *Service) Kick() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// Report says what a Sync did.
type Report struct {
	Pushed     int           // my members whose consent the server now has
	Registered int           // uses taken out of the outbox
	Changes    int           // change-feed entries read
	Removed    []library.Use // uses the owners removed (their clips are deleted)
	Revoked    []string      // members whose grants were revoked
	Requests   int           // new approval requests for my members
	// Accepted and Declined list the members whose owners answered my
	// requests to be approved.
	Accepted, Declined []string
	// Damaged says, in the person's words, which of my members' recordings
	// were found damaged on this computer and were not sent (each is moved
	// aside in the library).
	Damaged []string
}

// Changed reports whether the sync changed anything a person would see.
func (r Report) Changed() bool {
	return r.Pushed > 0 || r.Registered > 0 || r.Changes > 0 || len(r.Removed) > 0
}

// Sync tells the server of my members' consent, registers the uses in the
// outbox and applies the change feed. It stops at the first failure to
// reach the server and says so; what it did before then stays done.
func (s *Service) Sync(ctx context.Context) (Report, error) {
	s.syncMu.Lock()
	defer s.syncMu.Unlock()
	var r Report
	c, a, err := s.client()
	if err != nil {
		return r, err
	}
	if err = s.pushDeviceName(ctx, c); err != nil {
		s.ended(ctx, err)
		if client.StatusOf(err) == 0 || errors.Is(err, client.ErrSessionEnded) {
			return r, fmt.Errorf("tell the server this device's name: %w", err)
		}
		// The server refused the name: the rest of the sync matters more,
		// and the name is tried again next time.
		s.log.Warn("the account server refused this device's name", "err", err)
	}
	if r.Pushed, err = s.pushMembers(ctx, c, &r); err != nil {
		s.ended(ctx, err)
		return r, fmt.Errorf("sync cast members: %w", err)
	}
	if err = s.flushOutbox(ctx, c, &r); err != nil {
		s.ended(ctx, err)
		return r, fmt.Errorf("register uses: %w", err)
	}
	if err = s.readFeed(ctx, c, a, &r); err != nil {
		s.ended(ctx, err)
		return r, fmt.Errorf("read the change feed: %w", err)
	}
	return r, nil
}

// pushMembers sends the server the consent of my members that changed.
func (s *Service) pushMembers(ctx context.Context, c *client.Client, r *Report) (int, error) {
	all, err := s.lib.CastMembers(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, m := range all {
		if m.Remote || !m.Dirty {
			continue
		}
		approved := m.Approved
		if approved == nil {
			approved = []string{}
		}
		level, prefs, name, handle, outside := m.Consent, m.Preferences, m.Name, m.Handle, m.Outside
		remote, err := c.UpdateMember(ctx, m.ID, account.MemberPatch{Name: &name, Handle: &handle, Level: &level, Approved: &approved,
			Preferences: &prefs, Outside: &outside})
		if client.StatusOf(err) == http.StatusNotFound {
			remote, err = c.CreateMember(ctx, account.NewMember{ID: m.ID, Name: m.Name, Handle: m.Handle, Level: m.Consent,
				Approved: approved, Preferences: m.Preferences, Outside: m.Outside})
		}
		if err != nil {
			return n, fmt.Errorf("%s: %w", m.Handle, err)
		}
		if err := s.uploadMedia(ctx, c, m, remote, r); err != nil {
			return n, fmt.Errorf("%s: %w", m.Handle, err)
		}
		if err := s.lib.MarkSynced(ctx, m.ID, m.Updated); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// mediaWords name the media kinds for a person.
var mediaWords = map[account.MediaKind]string{
	account.MediaTake: "recording", account.MediaFrontal: "frontal still", account.MediaLeft: "left still",
	account.MediaRight: "right still", account.MediaSample: "voice sample",
}

// uploadMedia sends the media the registry lacks; the registry shows them
// to their owner only. Each file is checked against its sum first: one
// damaged on this computer is not sent but moved aside and noted in r,
// and so is one already moved aside, so that it never blocks the sync.
func (s *Service) uploadMedia(ctx context.Context, c *client.Client, m library.CastMember, remote account.Member, r *Report) error {
	blobs := s.lib.Blobs()
	for _, f := range []struct {
		kind account.MediaKind
		sum  string
	}{{account.MediaFrontal, m.Frontal}, {account.MediaLeft, m.Left}, {account.MediaRight, m.Right}, {account.MediaSample, m.Sample}, {account.MediaTake, m.Take}} {
		if f.sum == "" {
			continue
		}
		if have, ok := remote.Media[f.kind]; ok && have.SHA256 == f.sum {
			continue
		}
		err := blobs.Verify(f.sum)
		if errors.Is(err, library.ErrDamaged) {
			if _, err := blobs.MoveAside(f.sum); err != nil {
				return err
			}
		}
		if errors.Is(err, library.ErrDamaged) || errors.Is(err, library.ErrNotFound) {
			what := "was damaged on this computer"
			if !errors.Is(err, library.ErrDamaged) {
				what = "is missing from this computer"
			}
			r.Damaged = append(r.Damaged, fmt.Sprintf("the %s of %s %s and was not sent; record %s again", mediaWords[f.kind], m.Handle, what, m.Handle))
			continue
		}
		if err != nil {
			return err
		}
		file, err := blobs.Open(f.sum)
		if err != nil {
			return err
		}
		info, err := file.Stat()
		if err == nil {
			_, err = c.UploadMedia(ctx, m.ID, f.kind, file, info.Size())
		}
		file.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// flushOutbox registers the uses made since the last sync. A use the
// server refuses for good (its grant revoked or expired before the server
// heard of it) cannot be accounted to the owner, so its clip goes, as if
// they had removed it.
func (s *Service) flushOutbox(ctx context.Context, c *client.Client, r *Report) error {
	out, err := s.lib.Outbox(ctx)
	if err != nil {
		return err
	}
	for _, u := range out {
		reg, err := c.RegisterUse(ctx, account.NewUse{GrantID: u.GrantID, ClipSHA256: u.SHA256, ProjectTitle: u.ProjectTitle, Scope: u.Scope, At: u.At})
		if st := client.StatusOf(err); st == http.StatusForbidden || st == http.StatusBadRequest {
			s.log.Warn("a use could not be registered; removing what it made", "member", u.MemberID, "sha256", u.SHA256, "err", err)
			removed, rerr := s.remove(ctx, "", u.SHA256)
			if rerr != nil {
				return rerr
			}
			r.Removed = append(r.Removed, removed...)
			continue
		}
		if err != nil {
			return err
		}
		if err := s.lib.MarkRegistered(ctx, u.ID, reg.ID); err != nil {
			return err
		}
		r.Registered++
	}
	return nil
}

// readFeed applies the change feed from the stored cursor.
func (s *Service) readFeed(ctx context.Context, c *client.Client, a library.Account, r *Report) error {
	cursor := a.FeedCursor
	for {
		page, err := c.Changes(ctx, cursor, 0)
		if err != nil {
			return err
		}
		for _, ch := range page.Changes {
			switch ch.Kind {
			case account.ChangeRemoval:
				removed, err := s.remove(ctx, ch.UseID, ch.ClipSHA256)
				if err != nil {
					return err
				}
				r.Removed = append(r.Removed, removed...)
			case account.ChangeRevocation:
				if err := s.lib.ForgetGrants(ctx, ch.Member); err != nil {
					return err
				}
				r.Revoked = append(r.Revoked, ch.Handle)
			case account.ChangeRequest:
				r.Requests++
			case account.ChangeAccepted:
				r.Accepted = append(r.Accepted, ch.Handle)
			case account.ChangeDeclined:
				r.Declined = append(r.Declined, ch.Handle)
			case account.ChangeProject, account.ChangeClip:
				if s.onChange != nil {
					if err := s.onChange(ctx, ch); err != nil {
						return err
					}
				}
			}
			r.Changes++
		}
		if page.Next != "" && page.Next != cursor {
			if err := s.lib.SetFeedCursor(ctx, page.Next); err != nil {
				return err
			}
			cursor = page.Next
			s.mu.Lock()
			s.acct.FeedCursor = cursor
			s.mu.Unlock()
		}
		if !page.More {
			return nil
		}
	}
}

// remove deletes what a removed use made: its clips (in the library) and
// an exported film, if the file there is still that film.
func (s *Service) remove(ctx context.Context, useID, sum string) ([]library.Use, error) {
	marked, err := s.lib.RemoveUse(ctx, useID, sum)
	if err != nil {
		return nil, err
	}
	for _, u := range marked {
		if u.Path != "" && fileHas(u.Path, u.SHA256) {
			if err := os.Remove(u.Path); err != nil {
				return marked, fmt.Errorf("delete the film %s whose use was removed: %w", u.Path, err)
			}
		}
	}
	return marked, nil
}

func fileHas(path, sum string) bool {
	got, err := filehash.SHA256(path)
	return err == nil && got == sum
}

// Run syncs every interval, and at once when kicked, until ctx ends.
// onSync hears every sync's report and error (nil when it went through).
func (s *Service) Run(ctx context.Context, every time.Duration, onSync func(Report, error)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, ok := s.Account(); ok {
			r, err := s.Sync(ctx)
			if onSync != nil && ctx.Err() == nil {
				onSync(r, err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.kick:
		}
	}
}
