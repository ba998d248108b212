// Package accounttest runs the real account server for the tests of the
// packages that talk to it, which may not import the server themselves:
// they reach it, as the studio does, through account/client.
package accounttest

import (
	"net/http/httptest"
	"testing"

	"github.com/slatestudio/slate/account/server"
)

// Start runs an account server on loopback, with its data in a temporary
// folder, until the test ends, and returns its address (http://127.0.0.1:…).
func Start(t testing.TB) string {
	t.Helper()
	srv, err := server.New(t.Context(), server.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(func() {
		hs.Close()
		srv.Close()
	})
	return hs.URL
}
