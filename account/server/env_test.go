package server_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"image"
	stdjpeg "image/jpeg"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/account/client"
	"github.com/slatestudio/slate/account/server"
	"github.com/slatestudio/slate/internal/clock/clocktest"
)

const password = "correct horse battery"

// newClock is the clock the tests move by hand, so nothing sleeps.
func newClock() *clocktest.Clock { return clocktest.New(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)) }

// env is a real server on loopback with its data in a temporary folder.
type env struct {
	t     testing.TB
	dir   string
	srv   *server.Server
	hs    *httptest.Server
	clock *clocktest.Clock
}

func newEnv(t testing.TB, cfg server.Config) *env {
	t.Helper()
	e := &env{t: t, dir: cfg.Dir, clock: newClock()}
	if e.dir == "" {
		e.dir = t.TempDir()
	}
	cfg.Dir = e.dir
	if cfg.Clock == nil {
		cfg.Clock = e.clock
	}
	srv, err := server.New(context.Background(), cfg)
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
	c, err := client.New(e.hs.URL, client.Options{HTTPClient: e.hs.Client(), Store: store, Clock: e.clock})
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
	req, err := http.NewRequest(method, e.hs.URL+account.Prefix+path, body)
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

// jpeg is a small real JPEG image (8×8) with fill in a comment segment,
// so that different fills are different files of the same picture.
func jpeg(fill string) []byte {
	img := image.NewGray(image.Rect(0, 0, 8, 8))
	var b bytes.Buffer
	if err := stdjpeg.Encode(&b, img, nil); err != nil {
		panic(err)
	}
	out := append([]byte{}, b.Bytes()[:2]...) // SOI
	for c := []byte(fill); len(c) > 0; {
		n := min(len(c), 65533)
		out = append(out, 0xff, 0xfe, byte((n+2)>>8), byte(n+2))
		out = append(out, c[:n]...)
		c = c[n:]
	}
	return append(out, b.Bytes()[2:]...)
}

// wav is a real PCM WAV file: 16-bit mono at 8 kHz whose samples are the
// bytes of fill (at least one frame).
func wav(fill string) []byte {
	data := []byte(fill)
	if len(data)%2 == 1 || len(data) == 0 {
		data = append(data, 0)
	}
	var b bytes.Buffer
	le := binary.LittleEndian
	b.WriteString("RIFF")
	binary.Write(&b, le, uint32(36+len(data)))
	b.WriteString("WAVEfmt ")
	for _, v := range []any{uint32(16), uint16(1), uint16(1), uint32(8000), uint32(16000), uint16(2), uint16(16)} {
		binary.Write(&b, le, v)
	}
	b.WriteString("data")
	binary.Write(&b, le, uint32(len(data)))
	b.Write(data)
	return b.Bytes()
}

// mp4 is a real MP4 video (64×48, 1 s, made by ffmpeg, in testdata/media)
// with fill in a free box at its end.
func mp4(fill string) []byte {
	data, err := os.ReadFile("testdata/media/take.mp4")
	if err != nil {
		panic(err)
	}
	box := binary.BigEndian.AppendUint32(nil, uint32(8+len(fill)))
	box = append(append(box, "free"...), fill...)
	return append(data, box...)
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
	var e account.Error
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
func accountConfig() server.Config {
	return server.Config{MediaLimit: func(account.MediaKind) int64 { return 64 << 10 }}
}
