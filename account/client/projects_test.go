package client_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/account/accounttest"
	"github.com/slatestudio/slate/account/client"
	"github.com/slatestudio/slate/timeline"
)

func document(t *testing.T, prompt string) []byte {
	t.Helper()
	b, err := timeline.Encode(&timeline.Project{Title: "The Kite", Width: 1280, Height: 720, FPS: 24, Shots: []*timeline.Shot{{
		ID: "aaaaaaaaaaaaaaaa", Title: "Opening", Prompt: prompt, Duration: 4 * time.Second,
		Camera: timeline.Camera{Framing: timeline.Wide, Move: timeline.Static}, Transition: timeline.Transition{Kind: timeline.Cut}}}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func prompt(t *testing.T, r account.ProjectRevision) string {
	t.Helper()
	p, err := timeline.Decode("revision", r.Document)
	if err != nil {
		t.Fatalf("revision %d: %v", r.Rev, err)
	}
	return p.Shots[0].Prompt
}

// Restoring a revision, as slate projects restore does, is reading it and
// putting its document as a new revision from the latest: the restored
// document comes back as the latest, and the history keeps what it
// replaced. A put from a stale base is a *ConflictError with the server's
// latest revision.
func TestRestoreRevision(t *testing.T) {
	ctx := context.Background()
	c, err := client.New(accounttest.Start(t), client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.SignUp(ctx, "ada", "a long enough password", "laptop"); err != nil {
		t.Fatal(err)
	}
	const id = "0123456789abcdef"
	put := func(base int64, doc []byte) (account.ProjectRevision, error) {
		return c.PutProject(ctx, id, account.PutProject{BaseRev: base, Title: "The Kite", Document: doc})
	}
	if _, err := put(0, document(t, "first cut")); err != nil {
		t.Fatal(err)
	}
	second, err := put(1, document(t, "second cut"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = put(1, document(t, "stale"))
	var cf *client.ConflictError
	if !errors.As(err, &cf) || client.StatusOf(err) != http.StatusConflict || cf.Current.Rev != 2 || prompt(t, cf.Current) != "second cut" {
		t.Fatalf("a stale put = %v, want a *ConflictError carrying rev 2", err)
	}

	old, err := c.Revision(ctx, id, 1)
	if err != nil {
		t.Fatal(err)
	}
	restored, err := put(second.Rev, old.Document)
	if err != nil {
		t.Fatal(err)
	}
	latest, err := c.Project(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if restored.Rev != 3 || latest.Rev != 3 || prompt(t, latest) != "first cut" {
		t.Errorf("after restoring rev 1: latest is rev %d with %q, want rev 3 with the first cut", latest.Rev, prompt(t, latest))
	}
	revs, err := c.Revisions(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(revs) != 3 || revs[0].Rev != 3 || revs[2].Rev != 1 || revs[0].Device != "laptop" {
		t.Errorf("history = %+v, want revs 3, 2, 1 from laptop", revs)
	}
	ps, err := c.Projects(ctx)
	if err != nil || len(ps) != 1 || ps[0].Rev != 3 {
		t.Errorf("Projects = %+v, %v; want the one project at rev 3", ps, err)
	}
	if cs, err := c.Clips(ctx, id); err != nil || len(cs) != 0 {
		t.Errorf("Clips = %+v, %v; want none", cs, err)
	}
}
