package account_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/account/api"
	"github.com/slatestudio/slate/account/client"
)

const password = "correct horse battery"

// clock is a clock the tests move by hand, so nothing sleeps.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is a real server on loopback with its data in a temporary folder.
type env struct {
	t     testing.TB
	dir   string
	srv   *account.Server
	hs    *httptest.Server
	clock *clock
}

func newEnv(t testing.TB, cfg account.Config) *env {
	t.Helper()
	e := &env{t: t, dir: cfg.Dir, clock: newClock()}
	if e.dir == "" {
		e.dir = t.TempDir()
	}
	cfg.Dir = e.dir
	if cfg.Now == nil {
		cfg.Now = e.clock.Now
	}
	srv, err := account.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.srv = srv
	e.hs = httptest.NewServer(srv)
	t.Cleanup(func() {
		e.hs.Close()
		srv.Close()
	})
	return e
}

// memStore is a TokenStore in memory; it lets tests see the token the
// client keeps.
type memStore struct {
	mu sync.Mutex
	m  map[string]client.Credentials
}

func (s *memStore) Load(server string) (client.Credentials, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.m[server]
	if !ok {
		return c, client.ErrNoCredentials
	}
	return c, nil
}

func (s *memStore) Save(c client.Credentials) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]client.Credentials{}
	}
	s.m[c.Server] = c
	return nil
}

func (s *memStore) Delete(server string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, server)
	return nil
}

// user is a logged-in account with its client.
type user struct {
	*client.Client
	name, id, token string
	store           *memStore
}

func (e *env) client(store client.TokenStore) *client.Client {
	e.t.Helper()
	c, err := client.New(e.hs.URL, client.Options{HTTPClient: e.hs.Client(), Store: store, Now: e.clock.Now})
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// signUp creates an account and logs a client in to it.
func (e *env) signUp(name string) *user {
	e.t.Helper()
	store := &memStore{}
	c := e.client(store)
	s, err := c.SignUp(context.Background(), name, password, "laptop")
	if err != nil {
		e.t.Fatalf("SignUp(%s) = %v", name, err)
	}
	cr, _ := store.Load(c.Server())
	return &user{Client: c, name: name, id: s.Account.ID, token: cr.Token, store: store}
}

// raw sends a request with a bearer token ("" for none) and returns the
// status and the body.
func (e *env) raw(method, path, token string, body io.Reader, header ...string) (int, []byte) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.hs.URL+api.Prefix+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := e.hs.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// jpeg is a tiny file that starts like a JPEG, which is what the server
// checks.
func jpeg(fill string) []byte {
	return append([]byte{0xff, 0xd8, 0xff, 0xe0}, []byte(fill)...)
}

func wav(fill string) []byte {
	return append([]byte("RIFF\x00\x00\x00\x00WAVEfmt "), []byte(fill)...)
}

func mp4(fill string) []byte {
	return append([]byte("\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"), []byte(fill)...)
}

// must returns v, or panics (failing the test) with err. It takes a call's
// two results as they come, which t.Fatal cannot.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// errorMessage reads the message of an API error body.
func errorMessage(b []byte) string {
	var e api.Error
	if json.Unmarshal(b, &e) != nil {
		return ""
	}
	return e.Error.Message
}

func statusIs(err error, status int) bool {
	var e *client.Error
	return errors.As(err, &e) && e.Status == status
}

// accountConfig is the server's configuration in tests: uploads limited to
// 64 KiB, so that an oversized one costs nothing to send.
func accountConfig() account.Config {
	return account.Config{MediaLimit: func(api.MediaKind) int64 { return 64 << 10 }}
}
