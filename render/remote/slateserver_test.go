package remote_test

import (
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/slatestudio/slate/account/client"
	"github.com/slatestudio/slate/account/server"
	"github.com/slatestudio/slate/render/worker"
)

// realSlateServer starts slate-server itself on loopback, rendering with
// its animatic worker, as `slate-server --backends animatic` does, and
// makes an account and an API key through its API, as a person would
// with `slate account keys create`. It cannot show what a job was sent.
func realSlateServer(t testing.TB) (string, string, func(string) json.RawMessage) {
	t.Helper()
	w, err := worker.Open(worker.Options{Backends: []string{"animatic"}, Tools: tools(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	srv, err := server.New(t.Context(), server.Config{Dir: t.TempDir(), Renderer: w, RenderWorkers: 2})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(func() {
		hs.Close()
		srv.Close()
	})
	c, err := client.New(hs.URL, client.Options{})
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
	return hs.URL, k.Key, func(string) json.RawMessage { return nil }
}
