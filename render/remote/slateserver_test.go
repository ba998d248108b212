package remote_test

import (
	"encoding/json"
	"testing"

	"github.com/slatestudio/slate/account/accounttest"
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
	_, url, key := accounttest.StartRenderer(t, w, 2)
	return url, key, func(string) json.RawMessage { return nil }
}
