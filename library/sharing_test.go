package library

import (
	"context"
	"crypto/ed25519"
	"strings"
	"testing"
	"time"

	"github.com/slatestudio/slate/consent"
)

func testKey(b byte) ed25519.PublicKey {
	k := make(ed25519.PublicKey, ed25519.PublicKeySize)
	k[0] = b
	return k
}

func TestAccountSwitchForgetsGrantsAndResendsMembers(t *testing.T) {
	ctx := context.Background()
	lib := open(t, t.TempDir())
	m := &CastMember{Name: "Mara", Handle: "@mara"}
	if err := lib.AddCastMember(ctx, m); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := lib.Account(ctx); ok {
		t.Fatal("a new library is logged in")
	}
	a := Account{Server: "https://slate.example", ID: "acct1", Username: "olive", Key: testKey(1)}
	if err := lib.SetAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := lib.SetFeedCursor(ctx, "c42"); err != nil {
		t.Fatal(err)
	}
	if err := lib.MarkSynced(ctx, m.ID, m.Updated); err != nil {
		t.Fatal(err)
	}
	g := consent.SignedGrant{Grant: consent.Grant{ID: "g1", Member: "theirs", Project: "p", Scope: consent.Draft, Expires: time.Now().Add(time.Hour)}, Token: "tok"}
	if err := lib.PutGrant(ctx, g); err != nil {
		t.Fatal(err)
	}

	// Logging in again to the same account keeps the cursor and grants.
	if err := lib.SetAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	got, ok, err := lib.Account(ctx)
	if err != nil || !ok || got.FeedCursor != "c42" || !got.Key.Equal(a.Key) || got.Username != "olive" {
		t.Fatalf("Account = %+v, %v, %v; want olive with cursor c42 and the key", got, ok, err)
	}
	if toks, _ := lib.GrantTokens(ctx, "theirs", "p", time.Now()); len(toks) != 1 {
		t.Fatalf("grants after logging in again: %v", toks)
	}
	if mm, _ := lib.CastMember(ctx, m.ID); mm.Dirty {
		t.Fatal("a synced member is dirty after logging in to the same account")
	}

	// Another account starts afresh: no cursor, no grants, my members
	// are news to it.
	b := Account{Server: "https://slate.example", ID: "acct2", Username: "carl", Key: testKey(1)}
	if err := lib.SetAccount(ctx, b); err != nil {
		t.Fatal(err)
	}
	got, _, _ = lib.Account(ctx)
	if got.FeedCursor != "" || got.ID != "acct2" {
		t.Fatalf("after switching accounts: %+v", got)
	}
	if toks, _ := lib.GrantTokens(ctx, "theirs", "p", time.Now()); len(toks) != 0 {
		t.Fatalf("grants of the previous account survive: %v", toks)
	}
	if mm, _ := lib.CastMember(ctx, m.ID); !mm.Dirty {
		t.Fatal("my member is not marked to be sent to the new account")
	}
	if err := lib.SetAccount(ctx, Account{Server: "x", ID: "y", Username: "z"}); err == nil {
		t.Fatal("an account without a key was recorded")
	}
	if err := lib.ClearAccount(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := lib.Account(ctx); ok {
		t.Fatal("still logged in after ClearAccount")
	}
}

func TestRemoteMembersAndDirtyMarks(t *testing.T) {
	ctx := context.Background()
	lib := open(t, t.TempDir())
	mine := &CastMember{Name: "Mara", Handle: "@mara", Approved: []string{"carl"}}
	if err := lib.AddCastMember(ctx, mine); err != nil {
		t.Fatal(err)
	}
	got, _ := lib.CastMember(ctx, mine.ID)
	if !got.Dirty || got.Remote || len(got.Approved) != 1 || got.Approved[0] != "carl" {
		t.Fatalf("new member %+v; want mine, dirty, approved [carl]", got)
	}
	if err := lib.MarkSynced(ctx, got.ID, got.Updated.Add(-time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	if again, _ := lib.CastMember(ctx, mine.ID); !again.Dirty {
		t.Fatal("MarkSynced of an older version cleared the mark of a newer one")
	}
	got.Approved = []string{"Not A Username"}
	if err := lib.UpdateCastMember(ctx, &got); err == nil || !strings.Contains(err.Error(), "approved list") {
		t.Fatalf("a bad username was accepted: %v", err)
	}

	theirs := &CastMember{ID: "0123456789abcdef", Name: "Ola", Handle: "@ola", Owner: "acct9", OwnerName: "olga", Consent: consent.Everyone, Preferences: "no hats"}
	if err := lib.PutRemoteMember(ctx, theirs); err != nil {
		t.Fatal(err)
	}
	theirs.Preferences = "no hats, ever"
	if err := lib.PutRemoteMember(ctx, theirs); err != nil {
		t.Fatal(err)
	}
	r, _ := lib.CastMember(ctx, "0123456789abcdef")
	if !r.Remote || r.Dirty || r.OwnerName != "olga" || r.Preferences != "no hats, ever" {
		t.Fatalf("remote member %+v", r)
	}
	clash := &CastMember{ID: "fedcba9876543210", Name: "Other", Handle: "@mara", Owner: "acct9", Consent: consent.Everyone}
	if err := lib.PutRemoteMember(ctx, clash); err == nil {
		t.Fatal("a remote member took the handle of one of mine")
	}
	posing := &CastMember{ID: mine.ID, Name: "Mara", Handle: "@mara2", Owner: "acct9", Consent: consent.Everyone}
	if err := lib.PutRemoteMember(ctx, posing); err == nil {
		t.Fatal("a remote member replaced one of mine by ID")
	}
}

func TestOutboxAndRemoval(t *testing.T) {
	ctx := context.Background()
	lib := open(t, t.TempDir())
	sum, size, err := lib.Blobs().Put(ctx, strings.NewReader("frames"))
	if err != nil {
		t.Fatal(err)
	}
	for _, shot := range []string{"s1", "s2"} { // the same pixels for two shots
		if err := lib.AddClip(ctx, Clip{ProjectID: "p", ShotID: shot, Key: "k" + shot, SHA256: sum, Size: size, Backend: "animatic", Width: 8, Height: 8, FPS: 24, Frames: 1}); err != nil {
			t.Fatal(err)
		}
	}
	u := Use{GrantID: "g1", MemberID: "m1", SHA256: sum, ProjectID: "p", ShotID: "s1", ProjectTitle: "Kite", Scope: consent.Draft}
	if err := lib.AddUse(ctx, &u); err != nil {
		t.Fatal(err)
	}
	if err := lib.AddUse(ctx, &u); err != nil { // the same render reported twice
		t.Fatal(err)
	}
	out, _ := lib.Outbox(ctx)
	if len(out) != 1 {
		t.Fatalf("outbox %+v; want one use", out)
	}
	if err := lib.MarkRegistered(ctx, out[0].ID, "use77"); err != nil {
		t.Fatal(err)
	}
	if out, _ := lib.Outbox(ctx); len(out) != 0 {
		t.Fatalf("outbox after registering: %+v", out)
	}
	marked, err := lib.RemoveUse(ctx, "use77", "")
	if err != nil || len(marked) != 1 || marked[0].ProjectTitle != "Kite" || marked[0].MemberID != "m1" {
		t.Fatalf("RemoveUse = %+v, %v", marked, err)
	}
	for _, k := range []string{"ks1", "ks2"} {
		if _, ok, _ := lib.ClipByKey(ctx, k); ok {
			t.Fatalf("clip %s survived the removal of its use", k)
		}
	}
	if lib.Blobs().Has(sum) {
		t.Fatal("the removed clip's blob is still in the store")
	}
	all, _ := lib.Uses(ctx)
	if len(all) != 1 || all[0].Removed.IsZero() || all[0].ServerID != "use77" {
		t.Fatalf("uses %+v; want one, registered and removed", all)
	}
}
