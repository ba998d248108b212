package library

import (
	"context"
	"testing"
)

// The outside-render-services choice is no for a new member, kept across
// a reopen, changed by UpdateCastMember (marking the member for the
// server), and for someone else's member taken from what the server says.
func TestCastMemberOutside(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l := open(t, dir)
	m := &CastMember{Name: "Mara Quinn", Handle: "@mara_quinn"}
	if err := l.AddCastMember(ctx, m); err != nil {
		t.Fatal(err)
	}
	if got, err := l.CastMember(ctx, m.ID); err != nil || got.Outside {
		t.Fatalf("new member = %+v, %v; want Outside false", got, err)
	}
	if err := l.MarkSynced(ctx, m.ID, m.Updated); err != nil {
		t.Fatal(err)
	}
	m.Outside = true
	if err := l.UpdateCastMember(ctx, m); err != nil {
		t.Fatal(err)
	}
	l.Close()
	l = open(t, dir)
	if got, err := l.CastMember(ctx, m.ID); err != nil || !got.Outside || !got.Dirty {
		t.Errorf("after allowing = %+v, %v; want Outside, and dirty for the server", got, err)
	}

	other := &CastMember{ID: "0123456789abcdef0123456789abcdef", Name: "Olive", Handle: "@olive", Owner: "acct", Consent: "everyone", Outside: true}
	if err := l.PutRemoteMember(ctx, other); err != nil {
		t.Fatal(err)
	}
	if got, _ := l.CastMember(ctx, other.ID); !got.Outside {
		t.Errorf("remote member = %+v, want Outside as the server said", got)
	}
	other.Outside = false
	if err := l.PutRemoteMember(ctx, other); err != nil {
		t.Fatal(err)
	}
	if got, _ := l.CastMember(ctx, other.ID); got.Outside {
		t.Errorf("remote member refreshed = %+v, want Outside false", got)
	}
}
