package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/account/client"
	"github.com/slatestudio/slate/consent"
)

// fixture is the world the authorization matrix runs in: an owner with
// cast members at each level, another account that holds a grant and has
// registered a use.
type fixture struct {
	e                        *env
	owner, other             *user
	everyone, private, asked account.Member
	n                        int
}

func newFixture(t *testing.T) *fixture {
	ctx := context.Background()
	e := newEnv(t, accountConfig())
	f := &fixture{e: e, owner: e.signUp("olive"), other: e.signUp("oscar")}
	f.everyone = must(f.owner.CreateMember(ctx, account.NewMember{Name: "Olive", Handle: "@olive", Level: consent.Everyone}))
	f.private = must(f.owner.CreateMember(ctx, account.NewMember{Name: "Olive, private", Handle: "@olive_private"}))
	f.asked = must(f.owner.CreateMember(ctx, account.NewMember{Name: "Olive, approved", Handle: "@olive_approved", Level: consent.Approved}))
	for _, m := range []account.Member{f.everyone, f.private} {
		if _, err := f.owner.UploadMedia(ctx, m.ID, account.MediaFrontal, bytes.NewReader(jpeg("olive")), -1); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// project makes a new project of the owner's, at revision 1, and
// returns its path.
func (f *fixture) project(t *testing.T) string {
	f.n++
	id := fmt.Sprintf("%016x", f.n)
	must(f.owner.PutProject(context.Background(), id, account.PutProject{Document: slateDoc(t, "Kite", "first")}))
	return "/projects/" + id
}

// fresh returns a name not used before in this fixture.
func (f *fixture) fresh(prefix string) string {
	f.n++
	return fmt.Sprintf("%s%d", prefix, f.n)
}

func (f *fixture) grantForOther(t *testing.T) client.Grant {
	return must(f.other.RequestGrant(context.Background(), client.GrantRequest{Member: f.everyone.ID, Project: f.fresh("p"), Scope: consent.Draft}))
}

func clipSum(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// TestAuthorizationMatrix sends every endpoint as nobody (no session), as
// another account and as the owner of what it touches, and checks each
// status. Rows whose owner call changes things build what they touch
// afresh, so the order of the calls does not matter.
func TestAuthorizationMatrix(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	rows := []struct {
		name   string
		method string
		path   func(t *testing.T) string
		body   func(t *testing.T) string // nil: no body
		raw    []byte                    // a non-JSON body
		want   [3]int                    // anonymous, another account, the owner
	}{
		{name: "key", method: "GET", path: fixed("/key"), want: [3]int{200, 200, 200}},
		{name: "sign up taken", method: "POST", path: fixed("/accounts"),
			body: fixedBody(`{"username":"olive","password":"another long one","device":"x"}`), want: [3]int{409, 409, 409}},
		{name: "log in wrong password", method: "POST", path: fixed("/sessions"),
			body: fixedBody(`{"username":"olive","password":"not the password","device":"x"}`), want: [3]int{401, 401, 401}},
		{name: "account", method: "GET", path: fixed("/account"), want: [3]int{401, 200, 200}},
		{name: "delete account, wrong password", method: "DELETE", path: fixed("/account"),
			body: fixedBody(`{"password":"not the password"}`), want: [3]int{401, 403, 403}},
		{name: "list sessions", method: "GET", path: fixed("/sessions"), want: [3]int{401, 200, 200}},
		{name: "revoke a session", method: "DELETE", path: func(t *testing.T) string {
			// The owner's second device, so the owner's own token lives on.
			c := f.e.client(nil)
			s := must(c.Login(ctx, "olive", password, f.fresh("phone")))
			return "/sessions/" + s.SessionID
		}, want: [3]int{401, 404, 204}},
		{name: "create member", method: "POST", path: fixed("/members"), body: func(t *testing.T) string {
			return `{"name":"New","handle":"@` + f.fresh("new_") + `"}`
		}, want: [3]int{401, 201, 409}}, // one body for all three callers: the second has the handle already
		{name: "list members", method: "GET", path: fixed("/members"), want: [3]int{401, 200, 200}},
		{name: "read member (everyone)", method: "GET", path: func(*testing.T) string { return "/members/" + f.everyone.ID }, want: [3]int{401, 200, 200}},
		{name: "read member (only me)", method: "GET", path: func(*testing.T) string { return "/members/" + f.private.ID }, want: [3]int{401, 403, 200}},
		{name: "read member (missing)", method: "GET", path: fixed("/members/00000000000000000000000000000000"), want: [3]int{401, 404, 404}},
		{name: "find by handle (everyone)", method: "GET", path: fixed("/handles/@olive"), want: [3]int{401, 200, 200}},
		{name: "find by handle (only me)", method: "GET", path: fixed("/handles/@olive_private"), want: [3]int{401, 404, 200}},
		{name: "update member", method: "PATCH", path: func(*testing.T) string { return "/members/" + f.everyone.ID },
			body: fixedBody(`{"preferences":"always in green"}`), want: [3]int{401, 403, 200}},
		{name: "delete member", method: "DELETE", path: func(t *testing.T) string {
			m := must(f.owner.CreateMember(ctx, account.NewMember{Name: "Doomed", Handle: "@" + f.fresh("doomed_")}))
			return "/members/" + m.ID
		}, want: [3]int{401, 403, 204}},
		{name: "upload media", method: "PUT", path: func(*testing.T) string { return "/members/" + f.everyone.ID + "/media/left" },
			raw: jpeg("left"), want: [3]int{401, 403, 200}},
		{name: "download media (everyone)", method: "GET", path: func(*testing.T) string { return "/members/" + f.everyone.ID + "/media/frontal" },
			want: [3]int{401, 403, 200}},
		{name: "download media (only me)", method: "GET", path: func(*testing.T) string { return "/members/" + f.private.ID + "/media/frontal" },
			want: [3]int{401, 403, 200}},
		{name: "ask approval", method: "POST", path: func(*testing.T) string { return "/members/" + f.asked.ID + "/requests" },
			body: fixedBody(`{"message":"for my film"}`), want: [3]int{401, 201, 400}},
		{name: "ask approval (only me)", method: "POST", path: func(*testing.T) string { return "/members/" + f.private.ID + "/requests" },
			body: fixedBody(`{}`), want: [3]int{401, 403, 400}},
		{name: "list requests", method: "GET", path: fixed("/requests"), want: [3]int{401, 200, 200}},
		{name: "accept request", method: "POST", path: func(t *testing.T) string { return "/requests/" + f.newRequest(t) + "/accept" },
			want: [3]int{401, 403, 200}},
		{name: "decline request", method: "POST", path: func(t *testing.T) string { return "/requests/" + f.newRequest(t) + "/decline" },
			want: [3]int{401, 403, 200}},
		{name: "grant (everyone)", method: "POST", path: fixed("/grants"), body: func(*testing.T) string {
			return `{"member":"@olive","project":"p1","scope":"final"}`
		}, want: [3]int{401, 201, 201}},
		{name: "grant (only me)", method: "POST", path: fixed("/grants"), body: func(*testing.T) string {
			return `{"member":"` + f.private.ID + `","project":"p1","scope":"draft"}`
		}, want: [3]int{401, 403, 201}},
		{name: "grant (approved, not approved)", method: "POST", path: fixed("/grants"), body: func(*testing.T) string {
			return `{"member":"@olive_approved","project":"p1","scope":"draft"}`
		}, want: [3]int{401, 403, 201}},
		{name: "grant (missing member)", method: "POST", path: fixed("/grants"), body: fixedBody(`{"member":"@nobody","project":"p1","scope":"draft"}`),
			want: [3]int{401, 404, 404}},
		{name: "register use", method: "POST", path: fixed("/uses"), body: func(t *testing.T) string {
			g := f.grantForOther(t)
			return fmt.Sprintf(`{"grant_id":%q,"clip_sha256":%q,"project_title":"Voyage","scope":"draft","at":%q}`,
				g.ID, clipSum(g.ID), f.e.clock.Now().Format("2006-01-02T15:04:05Z07:00"))
		}, want: [3]int{401, 201, 403}},
		{name: "list uses", method: "GET", path: fixed("/uses"), want: [3]int{401, 200, 200}},
		{name: "remove use", method: "DELETE", path: func(t *testing.T) string {
			g := f.grantForOther(t)
			u := must(f.other.RegisterUse(ctx, account.NewUse{GrantID: g.ID, ClipSHA256: clipSum(g.ID), ProjectTitle: "Voyage", Scope: consent.Draft, At: f.e.clock.Now()}))
			return "/uses/" + u.ID
		}, want: [3]int{401, 403, 204}},
		{name: "changes", method: "GET", path: fixed("/changes?after=0&limit=10"), want: [3]int{401, 200, 200}},
		// Projects are the account's own: to another they are not there.
		{name: "list projects", method: "GET", path: fixed("/projects"), want: [3]int{401, 200, 200}},
		{name: "read project", method: "GET", path: f.project, want: [3]int{401, 404, 200}},
		{name: "list revisions", method: "GET", path: func(t *testing.T) string { return f.project(t) + "/revisions" }, want: [3]int{401, 404, 200}},
		{name: "read revision", method: "GET", path: func(t *testing.T) string { return f.project(t) + "/revisions/1" }, want: [3]int{401, 404, 200}},
		{name: "put project", method: "PUT", path: f.project, body: func(t *testing.T) string {
			return `{"base_rev":1,"document":` + string(slateDoc(t, "Kite", "again")) + `}`
		}, want: [3]int{401, 404, 200}},
		{name: "list project clips", method: "GET", path: func(t *testing.T) string { return f.project(t) + "/clips" }, want: [3]int{401, 200, 200}},
		{name: "audit", method: "GET", path: fixed("/audit"), want: [3]int{401, 200, 200}},
		{name: "no such endpoint", method: "GET", path: fixed("/nothing"), want: [3]int{404, 404, 404}},
		{name: "wrong method", method: "PUT", path: fixed("/grants"), want: [3]int{405, 405, 405}},
	}
	tokens := [3]string{"", f.other.token, f.owner.token}
	for _, r := range rows {
		path := r.path(t)
		var body []byte
		switch {
		case r.body != nil:
			body = []byte(r.body(t))
		case r.raw != nil:
			body = r.raw
		}
		for w, token := range tokens {
			var rd io.Reader
			if body != nil {
				rd = bytes.NewReader(body)
			}
			got, resp := f.e.raw(r.method, path, token, rd)
			if got != r.want[w] {
				t.Errorf("%s: %s %s as %s = %d (%s), want %d", r.name, r.method, path, [...]string{"nobody", "another account", "the owner"}[w], got, bytes.TrimSpace(resp), r.want[w])
			}
			if got >= 400 && errorMessage(resp) == "" {
				t.Errorf("%s as %d: error without a message: %s", r.name, w, resp)
			}
		}
	}
}

func fixed(path string) func(*testing.T) string { return func(*testing.T) string { return path } }

func fixedBody(body string) func(*testing.T) string { return func(*testing.T) string { return body } }

// newRequest has the other account ask for approval on a new member.
func (f *fixture) newRequest(t *testing.T) string {
	ctx := context.Background()
	m := must(f.owner.CreateMember(ctx, account.NewMember{Name: "Asked", Handle: "@" + f.fresh("asked_"), Level: consent.Approved}))
	return must(f.other.AskApproval(ctx, m.ID, "please")).ID
}

// A member's media are readable by their owner and nobody else: not
// another account, not one the owner approved, at no consent level.
func TestMediaOnlyForTheOwner(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, accountConfig())
	owner, friend := e.signUp("olive"), e.signUp("fran")
	m := must(owner.CreateMember(ctx, account.NewMember{Name: "Olive", Handle: "@olive", Level: consent.Approved, Approved: []string{"fran"}}))
	files := map[account.MediaKind][]byte{
		account.MediaTake: mp4("take"), account.MediaFrontal: jpeg("front"), account.MediaLeft: jpeg("left"),
		account.MediaRight: jpeg("right"), account.MediaSample: wav("voice"),
	}
	for kind, data := range files {
		md := must(owner.UploadMedia(ctx, m.ID, kind, bytes.NewReader(data), int64(len(data))))
		if md.SHA256 != clipSum(string(data)) || md.Size != int64(len(data)) {
			t.Errorf("UploadMedia(%s) = %+v; want sha256 %s, %d bytes", kind, md, clipSum(string(data)), len(data))
		}
	}
	for _, level := range consent.Levels {
		must(owner.UpdateMember(ctx, m.ID, account.MemberPatch{Level: &level}))
		for kind, data := range files {
			if _, err := friend.OpenMedia(ctx, m.ID, kind); !statusIs(err, http.StatusForbidden) {
				t.Errorf("at level %s an approved account reads the %s: %v, want 403", level, kind, err)
			}
			if code, _ := e.raw("GET", "/members/"+m.ID+"/media/"+string(kind), "", nil); code != http.StatusUnauthorized {
				t.Errorf("at level %s nobody reads the %s: %d, want 401", level, kind, code)
			}
			rc := must(owner.OpenMedia(ctx, m.ID, kind))
			got, _ := io.ReadAll(rc)
			rc.Close()
			if !bytes.Equal(got, data) {
				t.Errorf("the owner reads the %s as %q, want %q", kind, got, data)
			}
		}
	}
	// The public view of the member names no media and no approvals.
	pub := must(friend.Member(ctx, m.ID))
	if pub.Media != nil || pub.Approved != nil {
		t.Errorf("another account sees the media or approvals: %+v", pub)
	}
}
