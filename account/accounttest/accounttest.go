// Package accounttest runs the real account server for the tests of the
// packages that talk to it, which may not import the server themselves:
// they reach it, as the studio does, through account/client.
package accounttest

import (
	"net/http/httptest"
	"testing"

	"github.com/slatestudio/slate/account/client"
	"github.com/slatestudio/slate/account/server"
)

// Start runs an account server on loopback, with its data in a temporary
// folder, until the test ends, and returns its address (http://127.0.0.1:…).
func Start(t testing.TB) string {
	t.Helper()
	_, url := serve(t, server.Config{Dir: t.TempDir()})
	return url
}

// serve runs a server with cfg on loopback until the test ends.
func serve(t testing.TB, cfg server.Config) (*server.Server, string) {
	t.Helper()
	srv, err := server.New(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(func() {
		hs.Close()
		srv.Close()
	})
	return srv, hs.URL
}

// StartRenderer runs an account server that renders /v1/videos jobs with
// r, workers at once, on loopback until the test ends, with an account
// ("ada") and an API key of its own made through the API as a person
// makes them (slate account keys create). It returns the server (a
// handler, for tests that put something in front of it), its address and
// the key.
func StartRenderer(t testing.TB, r server.Renderer, workers int) (*server.Server, string, string) {
	t.Helper()
	srv, url := serve(t, server.Config{Dir: t.TempDir(), Renderer: r, RenderWorkers: workers})
	c, err := client.New(url, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.SignUp(t.Context(), "ada", "a long enough password", "laptop"); err != nil {
		t.Fatal(err)
	}
	k, err := c.CreateAPIKey(t.Context(), "laptop renders")
	if err != nil {
		t.Fatal(err)
	}
	return srv, url, k.Key
}
