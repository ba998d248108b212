package server_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/account/client"
	"github.com/slatestudio/slate/account/server"
	"github.com/slatestudio/slate/consent"
)

// Every JSON endpoint refuses an oversized body with 413, and malformed
// JSON or an unknown field with 400 and a message that says what is wrong.
func TestBadBodies(t *testing.T) {
	e := newEnv(t, accountConfig())
	u := e.signUp("olive")
	m := must(u.CreateMember(context.Background(), account.NewMember{Name: "Olive", Handle: "@olive"}))
	endpoints := []struct{ method, path string }{
		{"POST", "/accounts"}, {"POST", "/sessions"}, {"DELETE", "/account"}, {"POST", "/members"},
		{"PATCH", "/members/" + m.ID}, {"POST", "/members/" + m.ID + "/requests"}, {"POST", "/grants"}, {"POST", "/uses"},
	}
	huge := `{"name":"` + strings.Repeat("x", account.MaxJSONBytes) + `"}`
	for _, ep := range endpoints {
		for _, tt := range []struct {
			body string
			want int
			msg  string
		}{
			{huge, http.StatusRequestEntityTooLarge, "larger than"},
			{`{"name":`, http.StatusBadRequest, "malformed JSON"},
			{`{"name" "x"}`, http.StatusBadRequest, "malformed JSON at byte"},
			{`{"surprise":1}`, http.StatusBadRequest, `unknown field "surprise"`},
			{`[1,2]`, http.StatusBadRequest, "not a JSON object"},
			{``, http.StatusBadRequest, "empty"},
		} {
			code, body := e.raw(ep.method, ep.path, u.token, strings.NewReader(tt.body))
			if code != tt.want || !strings.Contains(errorMessage(body), tt.msg) {
				t.Errorf("%s %s with %.20q = %d %s, want %d with %q", ep.method, ep.path, tt.body, code, body, tt.want, tt.msg)
			}
		}
	}
	// Uploads have their own limit and must be of their kind.
	big := jpeg(strings.Repeat("x", 64<<10))
	if code, body := e.raw("PUT", "/members/"+m.ID+"/media/frontal", u.token, bytes.NewReader(big)); code != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized still = %d %s, want 413", code, body)
	}
	// Without a length up front the limit still holds, mid-stream.
	if _, err := u.UploadMedia(context.Background(), m.ID, account.MediaFrontal, struct{ *bytes.Reader }{bytes.NewReader(big)}, -1); !statusIs(err, http.StatusRequestEntityTooLarge) {
		t.Errorf("oversized streamed still: %v, want 413", err)
	}
	if code, body := e.raw("PUT", "/members/"+m.ID+"/media/frontal", u.token, strings.NewReader("GIF89a")); code != http.StatusUnsupportedMediaType {
		t.Errorf("a GIF as a still = %d %s, want 415", code, body)
	}
	if code, _ := e.raw("PUT", "/members/"+m.ID+"/media/portrait", u.token, bytes.NewReader(jpeg("x"))); code != http.StatusNotFound {
		t.Errorf("unknown media kind = %d, want 404", code)
	}
	// Nothing refused was stored.
	if entries, _ := os.ReadDir(filepath.Join(e.dir, "blobs", "sha256")); len(entries) != 0 {
		t.Errorf("refused uploads left blobs: %v", entries)
	}
	if entries, _ := os.ReadDir(filepath.Join(e.dir, "tmp")); len(entries) != 0 {
		t.Errorf("refused uploads left temporary files: %v", entries)
	}
}

// After five failed log-ins an account waits, twice as long after each
// further failure, with 429 and Retry-After; the right password does not
// get in while it waits. Many failures from one address throttle it for
// every account.
func TestLoginThrottling(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, accountConfig())
	e.signUp("olive")
	login := func(name, pw string) error {
		_, err := e.client(nil).Login(ctx, name, pw, "laptop")
		return err
	}
	for i := range 6 {
		if err := login("olive", "wrong password"); !statusIs(err, http.StatusUnauthorized) {
			t.Fatalf("failure %d: %v, want 401", i+1, err)
		}
	}
	err := login("olive", password)
	var ce *client.Error
	if !errors.As(err, &ce) || ce.Status != http.StatusTooManyRequests || ce.RetryAfter != time.Second {
		t.Fatalf("log-in after 6 failures = %v, want 429 with Retry-After 1", err)
	}
	e.clock.Advance(time.Second)
	if err := login("olive", "wrong again"); !statusIs(err, http.StatusUnauthorized) {
		t.Fatalf("after the wait: %v, want 401", err)
	}
	if err := login("olive", password); !errors.As(err, &ce) || ce.RetryAfter != 2*time.Second {
		t.Fatalf("after a 7th failure: %v, want 429 with Retry-After 2", err)
	}
	e.clock.Advance(2 * time.Second)
	if err := login("olive", password); err != nil {
		t.Fatalf("after the wait, the right password = %v", err)
	}
	// Success forgave the account: five more failures are free again.
	for i := range 5 {
		if err := login("olive", "wrong password"); !statusIs(err, http.StatusUnauthorized) {
			t.Fatalf("failure %d after a success: %v, want 401", i+1, err)
		}
	}

	// Guesses spread over many accounts trip the address's limit.
	e.clock.Advance(2 * time.Hour)
	var throttled bool
	for i := range 30 {
		err := login(fmt.Sprintf("nobody%d", i), "guess")
		if statusIs(err, http.StatusTooManyRequests) {
			throttled = true
			if i < 20 {
				t.Errorf("the address was throttled after only %d failures", i)
			}
			break
		}
	}
	if !throttled {
		t.Error("30 failures from one address were never throttled")
	}
	// Even the right password for a real account waits then.
	if err := login("olive", password); !statusIs(err, http.StatusTooManyRequests) {
		t.Errorf("log-in from a throttled address = %v, want 429", err)
	}
}

// One session per device: logging in on the same device replaces its
// session; a session revoked from another device ends there at once, and
// that client forgets it.
func TestSessions(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, accountConfig())
	laptop := e.signUp("olive")
	phoneStore := &memStore{}
	phone := e.client(phoneStore)
	ps := must(phone.Login(ctx, "olive", password, "phone"))
	again := e.client(nil)
	must(again.Login(ctx, "olive", password, "laptop")) // replaces the laptop's first session
	if _, err := laptop.Account(ctx); !errors.Is(err, client.ErrSessionEnded) {
		t.Errorf("the replaced session still works: %v", err)
	}
	if _, ok := laptop.Session(); ok {
		t.Error("the client did not forget its ended session")
	}
	list := must(phone.Sessions(ctx))
	if len(list) != 2 {
		t.Fatalf("Sessions = %+v, want the laptop and the phone", list)
	}
	for _, s := range list {
		if s.Current != (s.ID == ps.SessionID) {
			t.Errorf("session %s (%s) current = %v", s.ID, s.Device, s.Current)
		}
	}
	if err := again.RevokeSession(ctx, ps.SessionID); err != nil {
		t.Fatal(err)
	}
	if _, err := phone.Members(ctx); !errors.Is(err, client.ErrSessionEnded) {
		t.Errorf("a revoked session still works: %v", err)
	}
	if _, err := phoneStore.Load(phone.Server()); !errors.Is(err, client.ErrNoCredentials) {
		t.Errorf("the revoked session is still stored: %v", err)
	}
	if err := again.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := again.Account(ctx); !errors.Is(err, client.ErrNotLoggedIn) {
		t.Errorf("after log-out: %v, want ErrNotLoggedIn", err)
	}
	if err := again.Logout(ctx); err != nil {
		t.Errorf("logging out twice = %v", err)
	}
}

// Deleting an account takes its cast members, their media files, its
// sessions; every use of its likeness is removed and every grant revoked,
// and the creators hear of it. A blob another account also uploaded stays.
func TestAccountDeletion(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, accountConfig())
	olive, oscar := e.signUp("olive"), e.signUp("oscar")
	m := must(olive.CreateMember(ctx, account.NewMember{Name: "Olive", Handle: "@olive", Level: consent.Everyone}))
	mine := must(olive.UploadMedia(ctx, m.ID, account.MediaFrontal, bytes.NewReader(jpeg("olive's face")), -1))
	shared := must(olive.UploadMedia(ctx, m.ID, account.MediaSample, bytes.NewReader(wav("same")), -1))
	om := must(oscar.CreateMember(ctx, account.NewMember{Name: "Oscar", Handle: "@oscar"}))
	must(oscar.UploadMedia(ctx, om.ID, account.MediaSample, bytes.NewReader(wav("same")), -1))
	g := must(oscar.RequestGrant(ctx, client.GrantRequest{Member: "@olive", Project: "p1", Scope: consent.Final}))
	u := must(oscar.RegisterUse(ctx, account.NewUse{GrantID: g.ID, ClipSHA256: clipSum("clip"), ProjectTitle: "Voyage", Scope: consent.Final, At: e.clock.Now()}))

	if err := olive.DeleteAccount(ctx, "not my password"); !statusIs(err, http.StatusForbidden) {
		t.Fatalf("DeleteAccount(wrong password) = %v, want 403", err)
	}
	if err := olive.DeleteAccount(ctx, password); err != nil {
		t.Fatal(err)
	}
	blob := func(sum string) string { return filepath.Join(e.dir, "blobs", "sha256", sum[:2], sum) }
	if _, err := os.Stat(blob(mine.SHA256)); !os.IsNotExist(err) {
		t.Errorf("the deleted account's still is still on disk: %v", err)
	}
	if _, err := os.Stat(blob(shared.SHA256)); err != nil {
		t.Errorf("a blob another member uses was removed: %v", err)
	}
	if code, _ := e.raw("GET", "/account", olive.token, nil); code != http.StatusUnauthorized {
		t.Errorf("the deleted account's session answers %d, want 401", code)
	}
	if _, err := e.client(nil).Login(ctx, "olive", password, "laptop"); !statusIs(err, http.StatusUnauthorized) {
		t.Errorf("log-in to a deleted account = %v, want 401", err)
	}
	ch := must(oscar.Changes(ctx, "", 0))
	var removed, revoked bool
	for _, c := range ch.Changes {
		removed = removed || c.Kind == account.ChangeRemoval && c.UseID == u.ID && c.ClipSHA256 == u.ClipSHA256
		revoked = revoked || c.Kind == account.ChangeRevocation && c.GrantID == g.ID
	}
	if !removed || !revoked {
		t.Errorf("the creator's changes = %+v; want the removal of %s and the revocation of %s", ch.Changes, u.ID, g.ID)
	}
	if _, err := oscar.RegisterUse(ctx, account.NewUse{GrantID: g.ID, ClipSHA256: clipSum("another"), ProjectTitle: "Voyage", Scope: consent.Final, At: e.clock.Now()}); !statusIs(err, http.StatusForbidden) {
		t.Errorf("a use under the deleted member's grant = %v, want 403", err)
	}
	// The username and handle are free again, and approvals do not carry
	// over to whoever takes the name.
	again := e.signUp("olive")
	must(again.CreateMember(ctx, account.NewMember{Name: "Olive", Handle: "@olive"}))
}

// The client pins the server's key at log-in and verifies every grant
// against it: a grant signed by any other key, altered, or expired fails.
func TestGrantsVerifiedAgainstThePinnedKey(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, accountConfig())
	olive, oscar := e.signUp("olive"), e.signUp("oscar")
	must(olive.CreateMember(ctx, account.NewMember{Name: "Olive", Handle: "@olive", Level: consent.Everyone}))
	if !oscar.PinnedKey().Equal(e.srv.PublicKey()) {
		t.Fatal("the pinned key is not the server's")
	}
	g := must(oscar.RequestGrant(ctx, client.GrantRequest{Member: "@olive", Project: "p1", Shot: "s1", Scope: consent.Draft, Lifetime: time.Hour}))
	if g.Grantee != oscar.id || g.Expires.Sub(g.Issued) != time.Hour || !g.Covers(g.Member, oscar.id, "p1", "s1", consent.Draft) {
		t.Errorf("RequestGrant = %+v", g)
	}
	if _, err := oscar.VerifyGrant(g.Token); err != nil {
		t.Errorf("VerifyGrant(fresh) = %v", err)
	}
	// Another server's grant, with its own key, does not pass.
	e2 := newEnv(t, accountConfig())
	o2 := e2.signUp("olive")
	must(o2.CreateMember(ctx, account.NewMember{Name: "Olive", Handle: "@olive", Level: consent.Everyone}))
	foreign := must(e2.signUp("oscar").RequestGrant(ctx, client.GrantRequest{Member: "@olive", Project: "p1", Scope: consent.Draft}))
	if _, err := oscar.VerifyGrant(foreign.Token); !errors.Is(err, consent.ErrBadSignature) {
		t.Errorf("VerifyGrant(another server's grant) = %v, want ErrBadSignature", err)
	}
	// A restored session keeps the pinned key.
	restored := e.client(oscar.store)
	s := must(restored.Restore())
	if !s.Key.Equal(e.srv.PublicKey()) {
		t.Error("Restore lost the pinned key")
	}
	if _, err := restored.VerifyGrant(g.Token); err != nil {
		t.Errorf("VerifyGrant after Restore = %v", err)
	}
	e.clock.Advance(time.Hour)
	if _, err := oscar.VerifyGrant(g.Token); !errors.Is(err, consent.ErrExpired) {
		t.Errorf("VerifyGrant(an hour later) = %v, want ErrExpired", err)
	}
	// A refusal says why.
	must(olive.CreateMember(ctx, account.NewMember{Name: "Private", Handle: "@private"}))
	_, err := oscar.RequestGrant(ctx, client.GrantRequest{Member: "@private", Project: "p1", Scope: consent.Draft})
	var ref *consent.Refusal
	if !errors.As(err, &ref) || ref.Code != consent.RefusedOnlyMe || ref.Reason == "" {
		t.Errorf("RequestGrant(private) = %v, want a refusal with reason only_me", err)
	}
}

// Uses: only under a live grant of a scope that covers them; the same
// registration twice is one use; the owner removes any and the creator
// hears of it through the change feed, which pages by cursor.
func TestUsesAndRemovals(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, accountConfig())
	olive, oscar := e.signUp("olive"), e.signUp("oscar")
	m := must(olive.CreateMember(ctx, account.NewMember{Name: "Olive", Handle: "@olive", Level: consent.Everyone}))
	draft := must(oscar.RequestGrant(ctx, client.GrantRequest{Member: m.ID, Project: "p1", Scope: consent.Draft}))
	use := func(g client.Grant, clip string, scope consent.Scope, at time.Time) (account.Use, error) {
		return oscar.RegisterUse(ctx, account.NewUse{GrantID: g.ID, ClipSHA256: clipSum(clip), ProjectTitle: "Voyage", Scope: scope, At: at})
	}
	if _, err := use(draft, "c1", consent.Final, e.clock.Now()); !statusIs(err, http.StatusForbidden) {
		t.Errorf("a final use under a draft grant = %v, want 403", err)
	}
	if _, err := use(draft, "c1", consent.Draft, e.clock.Now().Add(-time.Hour)); !statusIs(err, http.StatusBadRequest) {
		t.Errorf("a use from before the grant = %v, want 400", err)
	}
	first := must(use(draft, "c1", consent.Draft, e.clock.Now()))
	if again := must(use(draft, "c1", consent.Draft, e.clock.Now())); again.ID != first.ID {
		t.Errorf("registering the same clip twice made two uses: %s, %s", first.ID, again.ID)
	}
	if _, err := olive.RegisterUse(ctx, account.NewUse{GrantID: draft.ID, ClipSHA256: clipSum("c2"), ProjectTitle: "x", Scope: consent.Draft, At: e.clock.Now()}); !statusIs(err, http.StatusForbidden) {
		t.Errorf("a use under someone else's grant = %v, want 403", err)
	}
	var ids []string
	for i := range 5 {
		ids = append(ids, must(use(draft, fmt.Sprint("clip", i), consent.Draft, e.clock.Now())).ID)
	}
	if err := oscar.RemoveUse(ctx, first.ID); !statusIs(err, http.StatusForbidden) {
		t.Errorf("the creator removing a use = %v, want 403 (only the owner may)", err)
	}
	for _, id := range append(ids, first.ID) {
		if err := olive.RemoveUse(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	if err := olive.RemoveUse(ctx, first.ID); err != nil {
		t.Errorf("removing twice = %v", err)
	}
	// The creator pages through six removals, two at a time.
	var got []string
	cursor := ""
	for range 10 {
		page := must(oscar.Changes(ctx, cursor, 2))
		for _, c := range page.Changes {
			if c.Kind == account.ChangeRemoval {
				got = append(got, c.UseID)
			}
		}
		cursor = page.Next
		if !page.More {
			break
		}
	}
	if len(got) != 6 {
		t.Errorf("the creator saw %d removals (%v), want 6", len(got), got)
	}
	if page := must(oscar.Changes(ctx, cursor, 0)); len(page.Changes) != 0 || page.Next != cursor {
		t.Errorf("after the last page: %+v", page)
	}
	if code, body := e.raw("GET", "/changes?after=abc", oscar.token, nil); code != http.StatusBadRequest || !strings.Contains(errorMessage(body), "cursor") {
		t.Errorf("a bad cursor = %d %s", code, body)
	}
	// The owner sees every use, removed ones marked.
	uses := must(olive.Uses(ctx, m.ID))
	if len(uses) != 6 {
		t.Errorf("the owner sees %d uses, want 6", len(uses))
	}
	for _, u := range uses {
		if u.Removed == nil || u.Creator != "oscar" || u.Scope != consent.Draft {
			t.Errorf("use %+v", u)
		}
	}
	// After the grant expires, no more uses under it.
	e.clock.Advance(consent.MaxGrantLifetime)
	if _, err := use(draft, "late", consent.Draft, e.clock.Now()); !statusIs(err, http.StatusForbidden) {
		t.Errorf("a use under an expired grant = %v, want 403", err)
	}
	// The audit trail has a row for each grant, use and removal.
	kinds := map[string]int{}
	for _, a := range must(olive.Audit(ctx, "", 1000)) {
		kinds[a.Kind]++
	}
	if kinds[account.AuditGrant] != 1 || kinds[account.AuditUse] != 6 || kinds[account.AuditRemoval] != 6 {
		t.Errorf("audit kinds = %v; want 1 grant, 6 uses, 6 removals", kinds)
	}
}

// Requests: someone asks, the owner hears of it and accepts or declines,
// and the asker hears back; acceptance lets them be granted.
func TestApprovalRequests(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, accountConfig())
	olive, oscar, rita := e.signUp("olive"), e.signUp("oscar"), e.signUp("rita")
	m := must(olive.CreateMember(ctx, account.NewMember{Name: "Olive", Handle: "@olive", Level: consent.Approved}))
	grant := func(u *user) error {
		_, err := u.RequestGrant(ctx, client.GrantRequest{Member: "@olive", Project: "p", Scope: consent.Draft})
		return err
	}
	if err := grant(oscar); !statusIs(err, http.StatusForbidden) {
		t.Fatalf("grant before approval = %v, want 403", err)
	}
	r1 := must(oscar.AskApproval(ctx, m.ID, "for my short"))
	if again := must(oscar.AskApproval(ctx, m.ID, "please")); again.ID != r1.ID {
		t.Error("asking twice made two requests")
	}
	r2 := must(rita.AskApproval(ctx, m.ID, ""))
	pending := must(olive.Requests(ctx))
	if len(pending) != 2 {
		t.Fatalf("Requests = %+v, want two", pending)
	}
	for _, p := range pending {
		if p.Requester == "oscar" && (p.ID != r1.ID || p.Message != "for my short" || p.Handle != "@olive") {
			t.Errorf("oscar's request = %+v", p)
		}
	}
	if n := len(must(olive.Changes(ctx, "", 0)).Changes); n != 2 {
		t.Errorf("the owner has %d changes, want 2 requests", n)
	}
	if _, err := oscar.AcceptRequest(ctx, r1.ID); !statusIs(err, http.StatusForbidden) {
		t.Errorf("the asker accepting = %v, want 403", err)
	}
	must(olive.AcceptRequest(ctx, r1.ID))
	must(olive.DeclineRequest(ctx, r2.ID))
	if _, err := olive.AcceptRequest(ctx, r2.ID); !statusIs(err, http.StatusConflict) {
		t.Errorf("answering twice = %v, want 409", err)
	}
	if err := grant(oscar); err != nil {
		t.Errorf("grant after acceptance = %v", err)
	}
	if err := grant(rita); !statusIs(err, http.StatusForbidden) {
		t.Errorf("grant after decline = %v, want 403", err)
	}
	if _, err := oscar.AskApproval(ctx, m.ID, ""); !statusIs(err, http.StatusConflict) {
		t.Errorf("asking when approved = %v, want 409", err)
	}
	for _, tt := range []struct {
		u    *user
		kind string
	}{{oscar, account.ChangeAccepted}, {rita, account.ChangeDeclined}} {
		ch := must(tt.u.Changes(ctx, "", 0)).Changes
		if len(ch) != 1 || ch[0].Kind != tt.kind || ch[0].Handle != "@olive" {
			t.Errorf("%s's changes = %+v, want one %s", tt.u.name, ch, tt.kind)
		}
	}
	if got := must(olive.Member(ctx, m.ID)).Approved; len(got) != 1 || got[0] != "oscar" {
		t.Errorf("approved = %v, want [oscar]", got)
	}
	// Taking oscar off the list revokes his grant, and he hears of it.
	none := []string{}
	must(olive.UpdateMember(ctx, m.ID, account.MemberPatch{Approved: &none}))
	var revoked bool
	for _, c := range must(oscar.Changes(ctx, "", 0)).Changes {
		revoked = revoked || c.Kind == account.ChangeRevocation
	}
	if !revoked || grant(oscar) == nil {
		t.Error("taking oscar off the approved list did not revoke his grant and refuse the next")
	}
}

// The key is made on first start, kept 0600 and reused; a key others can
// read is refused; a second server on the same folder is refused.
func TestServerKeyAndLock(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s1, err := server.New(ctx, server.Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	key := s1.PublicKey()
	fi, err := os.Stat(filepath.Join(dir, "server.key"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("server.key mode = %v, %v; want 0600", fi.Mode().Perm(), err)
	}
	if _, err := server.New(ctx, server.Config{Dir: dir}); err == nil || !strings.Contains(err.Error(), "another slate-server") {
		t.Errorf("a second server on the same folder = %v, want refused", err)
	}
	s1.Close()
	s2, err := server.New(ctx, server.Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if !s2.PublicKey().Equal(key) {
		t.Error("the key changed across a restart")
	}
	s2.Close()
	os.Chmod(filepath.Join(dir, "server.key"), 0o644)
	if _, err := server.New(ctx, server.Config{Dir: dir}); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("New with a readable key = %v, want a refusal that says chmod 600", err)
	}
}

// Retry-After is in whole seconds, as HTTP wants it.
func TestRetryAfterIsWholeSeconds(t *testing.T) {
	e := newEnv(t, accountConfig())
	e.signUp("olive")
	body := `{"username":"olive","password":"wrong password","device":"x"}`
	var code int
	var header http.Header
	for range 7 {
		req, _ := http.NewRequest("POST", e.hs.URL+account.Prefix+"/sessions", strings.NewReader(body))
		resp, err := e.hs.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		code, header = resp.StatusCode, resp.Header
	}
	if n, err := strconv.Atoi(header.Get("Retry-After")); code != http.StatusTooManyRequests || err != nil || n < 1 {
		t.Errorf("7th failure: %d, Retry-After %q; want 429 with whole seconds", code, header.Get("Retry-After"))
	}
}

// A blob left behind by a crash between a deletion and the removal of its
// file is removed at the next start; referenced ones stay.
func TestStartSweepsOrphanBlobs(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	srv, err := server.New(ctx, server.Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	c, _ := client.New(hs.URL, client.Options{HTTPClient: hs.Client()})
	must(c.SignUp(ctx, "olive", password, "laptop"))
	m := must(c.CreateMember(ctx, account.NewMember{Name: "Olive", Handle: "@olive"}))
	kept := must(c.UploadMedia(ctx, m.ID, account.MediaFrontal, bytes.NewReader(jpeg("kept")), -1))
	hs.Close()
	srv.Close()
	orphan := clipSum("orphan")
	os.MkdirAll(filepath.Join(dir, "blobs", "sha256", orphan[:2]), 0o700)
	os.WriteFile(filepath.Join(dir, "blobs", "sha256", orphan[:2], orphan), []byte("orphan"), 0o600)

	srv, err = server.New(ctx, server.Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	srv.Close()
	if _, err := os.Stat(filepath.Join(dir, "blobs", "sha256", orphan[:2], orphan)); !os.IsNotExist(err) {
		t.Errorf("the orphan blob is still there: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "blobs", "sha256", kept.SHA256[:2], kept.SHA256)); err != nil {
		t.Errorf("a referenced blob was swept: %v", err)
	}
}
