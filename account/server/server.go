// Package server is slate-server: accounts and sessions, the cast
// registry, consent decisions with signed grants, the usage log, the change
// feed that carries removals and revocations back to the studios, and an
// append-only audit trail, behind an HTTP/JSON API under /api/v1 (see
// package account for the wire format). New makes the server's handler;
// Run serves it, as cmd/slate-server does with its flags.
//
// Everything lives in one data directory:
//
//	server.db         SQLite, WAL, synchronous=FULL; migrations embedded
//	server.key        the ed25519 key that signs grants (PKCS#8 PEM, 0600)
//	blobs/sha256/ab/… members' media, content-addressed
//	tmp/              uploads in progress, on the same filesystem
//	lock              held while a server runs on the directory
//
// With a Renderer, it also renders shots for studios: the OpenAI-shaped
// job API under /v1/videos, its jobs on River in server.db (package
// videos; render.go is the seam to the render backends).
//
// The server never imports the studio's packages, nor account/client: the
// studio reaches it only through package account/client.
package server

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/account/server/blobstore"
	"github.com/slatestudio/slate/account/server/serverkey"
	"github.com/slatestudio/slate/account/server/uploads"
	"github.com/slatestudio/slate/account/server/videos"
	"github.com/slatestudio/slate/consent"
	"github.com/slatestudio/slate/internal/clock"
	"github.com/slatestudio/slate/internal/sqlitedb"
)

// Config sets up a server.
type Config struct {
	// Dir is the data directory; it is created if missing.
	Dir string
	// Logger receives structured logs; nil discards them.
	Logger *slog.Logger
	// Clock tells the time; nil means the computer's clock. Tests move
	// it by hand (clocktest).
	Clock clock.Clock
	// MediaLimit gives the largest upload of each kind; nil means
	// account.DefaultMediaLimit.
	MediaLimit func(account.MediaKind) int64
	// Renderer renders the jobs of /v1/videos (package videos), with
	// RenderWorkers at once (at least 1); their clips are kept for
	// VideoTTL (0: a day). Nil: no /v1/videos.
	Renderer      Renderer
	RenderWorkers int
	VideoTTL      time.Duration
	// ProjectHistory is how many revisions of each synced project are
	// kept; 0 means projects.DefaultHistory (20).
	ProjectHistory int
	// Quota is each account's space for synced clips and films in bytes,
	// MaxUpload the largest one file (0: no limit). UploadStore, when
	// set, wraps the tus upload store (tests: a full disk).
	Quota, MaxUpload int64
	UploadStore      uploads.StoreWrapper
}

// Server is a running account server. It is an http.Handler.
type Server struct {
	dir     string
	log     *slog.Logger
	clock   clock.Clock
	limit   func(account.MediaKind) int64
	st      *store
	blobs   *blobstore.Store
	key     ed25519.PrivateKey
	pub     ed25519.PublicKey
	lock    *sqlitedb.DirLock
	mux     *http.ServeMux
	thr     *throttle
	videos  *videos.Service // nil without a Renderer
	uploads *uploads.Uploads
	hashers hashers
	// dummyHash is checked against when a log-in names no account, so that
	// the answer takes as long as for a real one and does not reveal which
	// usernames exist.
	dummyHash string

	closeOnce sync.Once
	closeErr  error
}

// New opens the data directory (taking its lock, creating the key on first
// start) and returns a server ready to serve.
func New(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.Dir == "" {
		return nil, errors.New("open server: no data directory given")
	}
	dir, err := filepath.Abs(cfg.Dir)
	if err != nil {
		return nil, fmt.Errorf("open server: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open server: %w", err)
	}
	s := &Server{
		dir: dir, log: cfg.Logger, clock: clock.Or(cfg.Clock), limit: cfg.MediaLimit,
		hashers: make(hashers, max(1, runtime.GOMAXPROCS(0))),
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.limit == nil {
		s.limit = account.DefaultMediaLimit
	}
	s.thr = newThrottle(s.clock)
	if s.lock, err = sqlitedb.Lock(dir); errors.Is(err, sqlitedb.ErrLocked) {
		return nil, fmt.Errorf("another slate-server is using %s; stop it first, or give this one another --data folder", dir)
	} else if err != nil {
		return nil, err
	}
	fail := func(err error) (*Server, error) {
		s.Close()
		return nil, err
	}
	if s.key, err = serverkey.LoadOrCreate(filepath.Join(dir, "server.key")); err != nil {
		return fail(err)
	}
	s.pub = s.key.Public().(ed25519.PublicKey)
	if s.blobs, err = blobstore.Open(dir); err != nil {
		return fail(err)
	}
	if s.st, err = openStore(ctx, filepath.Join(dir, "server.db")); err != nil {
		return fail(err)
	}
	if err := s.sweepBlobs(ctx); err != nil {
		return fail(err)
	}
	s.logKeptLookAlikes(ctx)
	if s.uploads, err = s.openUploads(cfg); err != nil {
		return fail(err)
	}
	if cfg.Renderer != nil {
		if s.videos, err = s.openVideos(ctx, cfg); err != nil {
			return fail(err)
		}
	}
	if s.dummyHash, err = hashPassword("no such account"); err != nil {
		return fail(err)
	}
	s.routes()
	s.projectRoutes(cfg.ProjectHistory)
	return s, nil
}

// Close stops the writer and closes the database and the directory lock.
// Call it after the HTTP server has shut down; calling it again does
// nothing.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		if s.videos != nil {
			s.closeErr = s.videos.Close()
		}
		if s.st != nil {
			s.closeErr = errors.Join(s.closeErr, s.st.close())
		}
		if s.lock != nil {
			s.lock.Release()
		}
	})
	return s.closeErr
}

// now is the server's time.
func (s *Server) now() time.Time { return s.clock.Now() }

// PublicKey is the key that verifies the server's grants.
func (s *Server) PublicKey() ed25519.PublicKey { return s.pub }

// sweepBlobs removes the blobs nothing names (a member's media, a video
// job, an account's hold): a crash between a deletion's commit and its
// file's removal leaves them behind. It runs before the server serves,
// when no upload can be adding a reference.
func (s *Server) sweepBlobs(ctx context.Context) error {
	removed, err := s.blobs.Sweep(ctx, func(ctx context.Context, sum string) (int, error) { return videos.BlobUses(ctx, s.st.r, sum) })
	if removed > 0 {
		s.log.Info("removed blobs left by an interrupted deletion", "count", removed)
	}
	return err
}

// ServeHTTP serves the API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mux.ServeHTTP(w, r)
}

// handler is an API endpoint that needs no session.
type handler func(w http.ResponseWriter, r *http.Request) error

// authed is an API endpoint for a logged-in account.
type authed func(w http.ResponseWriter, r *http.Request, c caller) error

// caller is the account a request comes from.
type caller struct {
	id, username, session string
	// key is the ID of the API key the request came with; "" for a
	// session, whose ID is in session.
	key string
}

func (s *Server) routes() {
	s.mux = http.NewServeMux()
	open := func(pattern string, h handler) { s.mux.Handle(pattern, s.wrap(h, account.MaxJSONBytes, jsonReadTime)) }
	auth := func(pattern string, h authed) {
		s.mux.Handle(pattern, s.wrap(s.authenticate(h), account.MaxJSONBytes, jsonReadTime))
	}
	p := account.Prefix

	open("GET "+p+"/key", s.getKey)
	open("POST "+p+"/accounts", s.signUp)
	open("POST "+p+"/sessions", s.logIn)
	auth("GET "+p+"/account", s.getAccount)
	auth("DELETE "+p+"/account", sessionOnly("delete the account", s.deleteAccount))
	auth("GET "+p+"/sessions", s.listSessions)
	auth("DELETE "+p+"/sessions/{id}", sessionOnly("log devices out", s.revokeSession))
	auth("PATCH "+p+"/sessions/current", sessionOnly("rename a device", s.renameSession))

	// API keys are made, listed and revoked by a person logged in, never
	// by a key (sessionOnly says why).
	auth("POST "+p+"/keys", sessionOnly("make API keys", s.createKey))
	auth("GET "+p+"/keys", sessionOnly("list API keys", s.listKeys))
	auth("DELETE "+p+"/keys/{id}", sessionOnly("revoke API keys", s.revokeKey))

	auth("POST "+p+"/members", s.createMember)
	auth("GET "+p+"/members", s.listMembers)
	auth("GET "+p+"/members/{id}", s.getMember)
	auth("PATCH "+p+"/members/{id}", s.patchMember)
	auth("DELETE "+p+"/members/{id}", s.deleteMember)
	// Uploads set their own limit, by kind.
	s.mux.Handle("PUT "+p+"/members/{id}/media/{kind}", s.wrap(s.authenticate(s.putMedia), 0, uploadReadTime))
	auth("GET "+p+"/members/{id}/media/{kind}", s.getMedia)
	auth("GET "+p+"/handles/{handle}", s.getHandle)

	auth("POST "+p+"/members/{id}/requests", s.askApproval)
	auth("GET "+p+"/requests", s.listRequests)
	auth("POST "+p+"/requests/{id}/accept", s.acceptRequest)
	auth("POST "+p+"/requests/{id}/decline", s.declineRequest)

	auth("POST "+p+"/grants", s.requestGrant)
	auth("POST "+p+"/uses", s.registerUse)
	auth("GET "+p+"/uses", s.listUses)
	auth("DELETE "+p+"/uses/{id}", s.removeUse)
	auth("GET "+p+"/changes", s.listChanges)
	auth("GET "+p+"/audit", s.listAudit)

	if s.videos != nil {
		s.videos.Routes(s.videoRoute)
	}
	s.uploadRoutes()
	open("/", s.unrouted)
}

// unrouted answers a request no endpoint took: 405 with the methods the
// path has, or 404. (The mux would answer these in plain text; the API
// answers in JSON, like everywhere else.)
func (s *Server) unrouted(w http.ResponseWriter, r *http.Request) error {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := s.mux.Handler(probe); pattern != "/" && pattern != "" {
			allow = append(allow, m)
		}
	}
	if len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		return errorf(http.StatusMethodNotAllowed, account.CodeMethod, "%s %s is not an endpoint; this path takes %s", r.Method, r.URL.Path, strings.Join(allow, ", "))
	}
	return errorf(http.StatusNotFound, account.CodeNotFound, "no such endpoint: %s %s", r.Method, r.URL.Path)
}

// httpError is an error with the answer the client gets.
type httpError struct {
	status     int
	code, msg  string
	refusal    *consent.Refusal
	retryAfter time.Duration
}

// Error says the status, code and message.
func (e *httpError) Error() string { return fmt.Sprintf("%d %s: %s", e.status, e.code, e.msg) }

func errorf(status int, code, format string, args ...any) *httpError {
	return &httpError{status: status, code: code, msg: fmt.Sprintf(format, args...)}
}

func notFound(what string) *httpError {
	return errorf(http.StatusNotFound, account.CodeNotFound, "%s not found", what)
}

func forbidden(format string, args ...any) *httpError {
	return errorf(http.StatusForbidden, account.CodeForbidden, format, args...)
}

// statusWriter remembers the status for the log, and stamps each response
// with the time the server spent on it (Server-Timing), which is how a load
// test tells the server's own time from the network's.
type statusWriter struct {
	http.ResponseWriter
	status int
	start  time.Time
}

// WriteHeader remembers the status and stamps Server-Timing.
func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
		w.Header().Set("Server-Timing", fmt.Sprintf("app;dur=%.3f", float64(time.Since(w.start).Microseconds())/1000))
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write writes the body, sending a 200 header first if none was.
func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// ReadFrom hands a body that is a file (http.ServeContent's) to the
// connection's own ReadFrom, which sends it with sendfile: without it a
// download would pass every byte through the server's memory.
func (w *statusWriter) ReadFrom(r io.Reader) (int64, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	return io.Copy(w.ResponseWriter, r)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// How long a client may take to send a request's body. A client that
// trickles a body byte by byte would otherwise hold a connection forever.
const (
	jsonReadTime   = 30 * time.Second
	uploadReadTime = 30 * time.Minute
)

// wrap turns an endpoint into an http.Handler: it limits the body to limit
// bytes (0: the endpoint limits it) and the time to read it, writes the
// error an endpoint returns, and logs the request.
func (s *Server) wrap(h handler, limit int64, readFor time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w, start: time.Now()}
		// Only requests that carry a body get a deadline: it would also
		// cut short a long download, whose connection the server watches
		// with reads. Not every ResponseWriter has a connection (httptest's
		// recorder); there the deadline simply does not apply.
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			http.NewResponseController(sw).SetReadDeadline(sw.start.Add(readFor))
		}
		if limit > 0 {
			r.Body = http.MaxBytesReader(sw, r.Body, limit)
		}
		err := h(sw, r)
		if err != nil {
			s.writeError(sw, r, err)
		}
		level := slog.LevelInfo
		if sw.status >= 500 {
			level = slog.LevelError
		}
		attrs := []slog.Attr{
			slog.String("method", r.Method), slog.String("route", r.Pattern),
			slog.Int("status", sw.status), slog.Float64("ms", float64(time.Since(sw.start).Microseconds())/1000),
			slog.String("remote", r.RemoteAddr),
		}
		if err != nil {
			attrs = append(attrs, slog.String("error", err.Error()))
		}
		s.log.LogAttrs(r.Context(), level, "request", attrs...)
	})
}

func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var he *httpError
	var fe *account.FieldError
	var ve *videos.Error
	var ue *uploads.Error
	switch {
	case errors.As(err, &ve):
		ve.Write(w)
		return
	case errors.As(err, &ue):
		ue.Write(w)
		return
	case errors.As(err, &he):
	case errors.Is(err, account.ErrTooLarge):
		he = errorf(http.StatusRequestEntityTooLarge, account.CodeTooLarge, "%v", err)
	case errors.As(err, &fe):
		he = errorf(http.StatusBadRequest, account.CodeBadRequest, "%v", err)
	case errors.Is(err, errClosed):
		he = errorf(http.StatusServiceUnavailable, account.CodeInternal, "the server is shutting down; try again in a moment")
	case r.Context().Err() != nil:
		he = errorf(499, account.CodeInternal, "the client went away")
	default:
		// Internal details stay in the log.
		he = errorf(http.StatusInternalServerError, account.CodeInternal, "internal error; the server's log has the details")
	}
	if he.retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int((he.retryAfter+time.Second-1)/time.Second)))
	}
	body := account.Error{Error: account.ErrorBody{Code: he.code, Message: he.msg}, Refusal: he.refusal}
	writeJSON(w, he.status, body)
}

// orEmpty is list, or an empty one where it is nil: a list in an answer
// is [] when there is nothing in it, never null.
func orEmpty[T any](list []T) []T {
	if list == nil {
		return []T{}
	}
	return list
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// decode reads a request body into v; a bad one becomes a 400 or 413.
func decode(r *http.Request, v account.Validator) error {
	err := account.Decode(r.Body, v)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, account.ErrTooLarge):
		return errorf(http.StatusRequestEntityTooLarge, account.CodeTooLarge, "%v", err)
	}
	return errorf(http.StatusBadRequest, account.CodeBadRequest, "%v", err)
}

// query reads a request's query parameters by the same rules as a JSON
// body: only the names the endpoint knows, each at most once (a repeated
// one would be read as whichever copy a parser prefers), as valid UTF-8.
func query(r *http.Request, known ...string) (url.Values, error) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, errorf(http.StatusBadRequest, account.CodeBadRequest, "the query string is malformed: %v", err)
	}
	for name, vs := range q {
		switch {
		case !slices.Contains(known, name):
			return nil, errorf(http.StatusBadRequest, account.CodeBadRequest, "unknown parameter %q: this endpoint takes %s", name, strings.Join(known, ", "))
		case len(vs) > 1:
			times := fmt.Sprintf("%d times", len(vs))
			if len(vs) == 2 {
				times = "twice"
			}
			return nil, errorf(http.StatusBadRequest, account.CodeBadRequest, "parameter %q appears %s; send it once", name, times)
		case !utf8.ValidString(vs[0]):
			return nil, errorf(http.StatusBadRequest, account.CodeBadRequest, "parameter %q is not valid UTF-8", name)
		}
	}
	return q, nil
}

// authenticate finds the session, or the API key, a request's bearer
// token belongs to.
func (s *Server) authenticate(h authed) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || token == "" || len(token) > 128 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="slate"`)
			return errorf(http.StatusUnauthorized, account.CodeUnauthorized, "log in first: this needs an Authorization: Bearer header with a session token or an API key")
		}
		if strings.HasPrefix(token, account.APIKeyPrefix) {
			c, err := s.keyCaller(w, r, token)
			if err != nil {
				return err
			}
			return h(w, r, c)
		}
		var c caller
		var lastSeen int64
		err := s.st.r.QueryRowContext(r.Context(), `SELECT s.id, s.account_id, a.username, s.last_seen_at
			FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE s.token_sha256 = ?`, tokenHash(token)).
			Scan(&c.session, &c.id, &c.username, &lastSeen)
		if err != nil {
			if isNoRows(err) {
				w.Header().Set("WWW-Authenticate", `Bearer realm="slate", error="invalid_token"`)
				return errorf(http.StatusUnauthorized, account.CodeUnauthorized, "the session has ended (logged out, revoked or deleted); log in again")
			}
			return fmt.Errorf("find session: %w", err)
		}
		// Last-seen times are for the person's list of devices; a minute's
		// precision is plenty and spares a write per request.
		if now := s.now(); now.Sub(fromMS(lastSeen)) > time.Minute {
			s.st.writeLater(context.WithoutCancel(r.Context()), func(ctx context.Context, t *txn) error {
				_, err := t.exec(ctx, `UPDATE sessions SET last_seen_at = ? WHERE id = ?`, ms(now), c.session)
				return err
			})
		}
		return h(w, r, c)
	}
}

func (s *Server) getKey(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, account.Key{Algorithm: "ed25519", Key: s.pub})
	return nil
}

// remoteIP is the address a request came from. The server trusts no
// forwarding headers: behind a proxy, every client shares the proxy's
// address for throttling.
func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
