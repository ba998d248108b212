package server_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/account/client"
	"github.com/slatestudio/slate/consent"
)

// castScene is an owner with a member anyone may feature, and a creator
// with a grant for one shot.
type castScene struct {
	owner, creator *user
	member         account.Member
	grant          client.Grant
	still          string // the member's frontal still's sha256
}

func newCastScene(t *testing.T, e *env) castScene {
	ctx := context.Background()
	sc := castScene{owner: e.signUp("olive"), creator: e.signUp("oscar")}
	sc.member = must(sc.owner.CreateMember(ctx, account.NewMember{Name: "Olive", Handle: "@olive", Level: consent.Everyone}))
	img := jpeg("olive's face")
	md := must(sc.owner.UploadMedia(ctx, sc.member.ID, account.MediaFrontal, bytes.NewReader(img), int64(len(img))))
	sc.still = md.SHA256
	sc.grant = must(sc.creator.RequestGrant(ctx, client.GrantRequest{Member: sc.member.ID, Project: "p1", Shot: "s1", Scope: consent.Draft}))
	return sc
}

// request is a Slate request featuring the member, with the given grants.
func (sc castScene) request(prompt string, grants ...string) map[string]any {
	return map[string]any{"prompt": prompt, "model": "animatic", "slate": map[string]any{
		"version": 1, "backend": "animatic", "key": "key-" + prompt,
		"request": map[string]any{"project_id": "p1", "project_title": "The Lighthouse", "shot": map[string]any{"id": "s1"}},
		"members": []string{sc.member.ID}, "grants": grants,
	}}
}

// At submit: a job featuring someone else's member needs a grant this
// server signed covering the caller, project and shot; with one it renders,
// may use the member's still, and the use shows in the owner's list.
func TestVideoConsentAtSubmit(t *testing.T) {
	ctx := context.Background()
	rd := newTestRenderer()
	e := newEnv(t, videoConfig(rd))
	sc := newCastScene(t, e)
	otherShot := must(sc.creator.RequestGrant(ctx, client.GrantRequest{Member: sc.member.ID, Project: "p1", Shot: "s2", Scope: consent.Draft}))
	forged := strings.Replace(sc.grant.Token, sc.grant.Token[len(sc.grant.Token)-6:], "AAAAAA", 1)
	for name, grants := range map[string][]string{"no grant": nil, "another shot": {otherShot.Token}, "forged": {forged}} {
		code, _, b := e.vreq("POST", "", sc.creator.token, strings.NewReader(jsonOf(sc.request("x", grants...))), "application/json")
		ae := apiError(t, b)
		if code != http.StatusForbidden || deref(ae.Code) != account.VideoConsentRequired || !strings.Contains(ae.Message, sc.member.ID) {
			t.Errorf("%s: %d %s, want 403 consent_required", name, code, b)
		}
	}
	// Someone else's grant does not do either.
	third := e.signUp("otto")
	if code, _, b := e.vreq("POST", "", third.token, strings.NewReader(jsonOf(sc.request("x", sc.grant.Token))), "application/json"); code != http.StatusForbidden {
		t.Errorf("another account's grant: %d %s, want 403", code, b)
	}

	rd.stills = []string{sc.still}
	v := e.submit(sc.creator.token, sc.request("featuring olive", sc.grant.Token))
	done := e.wait(sc.creator.token, v.ID)
	if done.Status != account.VideoCompleted || done.SlateBackend != "animatic" || done.SlateKey != "key-featuring olive" {
		t.Fatalf("job with a grant = %+v", done)
	}
	if errs := rd.stillErrsOf(v.ID); len(errs) != 1 || errs[0] != nil {
		t.Errorf("the granted member's still: %v", errs)
	}
	_, h, _ := e.vreq("GET", "/"+v.ID+"/content", sc.creator.token, nil, "")
	clip := strings.Trim(h.Get("ETag"), `"`)
	uses := must(sc.owner.Uses(ctx, sc.member.ID))
	if len(uses) != 1 || uses[0].ClipSHA256 != clip || uses[0].CreatorID != sc.creator.id || uses[0].GrantID != sc.grant.ID ||
		uses[0].ProjectTitle != "The Lighthouse" || uses[0].Scope != consent.Draft {
		t.Errorf("the owner's uses = %+v, want the clip %s", uses, clip)
	}
	// The owner renders their own member with no grant; a job that names
	// no member gets no still of anyone's.
	own := e.submit(sc.owner.token, sc.request("olive herself"))
	if got := e.wait(sc.owner.token, own.ID); got.Status != account.VideoCompleted {
		t.Errorf("the owner's own job = %+v", got)
	}
	plain := e.submit(sc.creator.token, map[string]any{"prompt": "no one"})
	e.wait(sc.creator.token, plain.ID)
	if errs := rd.stillErrsOf(plain.ID); len(errs) != 1 || errs[0] == nil {
		t.Errorf("a job naming no member got the member's still: %v", errs)
	}
}

// A revocation between submit and start fails the job with
// consent_required before anything is rendered; one during the render
// fails it too, and its clip is dropped; neither registers a use.
func TestVideoConsentAtStart(t *testing.T) {
	ctx := context.Background()
	rd := newTestRenderer()
	rd.hold = make(chan struct{})
	e := newEnv(t, videoConfig(rd)) // one worker
	sc := newCastScene(t, e)
	during := e.submit(sc.creator.token, sc.request("during", sc.grant.Token))
	if id := <-rd.startCh; id != during.ID {
		t.Fatalf("started %s", id)
	}
	queued := e.submit(sc.creator.token, sc.request("queued", sc.grant.Token))
	// The owner lowers the member's level: the grant is revoked.
	must(sc.owner.UpdateMember(ctx, sc.member.ID, account.MemberPatch{Level: ptr(consent.OnlyMe)}))
	close(rd.hold)
	for _, v := range []account.Video{during, queued} {
		got := e.wait(sc.creator.token, v.ID)
		if got.Status != account.VideoFailed || got.Error == nil || got.Error.Code != account.VideoConsentRequired {
			t.Errorf("job %s after the revocation = %+v %+v", v.Prompt, got, got.Error)
		}
		if code, _, b := e.vreq("GET", "/"+v.ID+"/content", sc.creator.token, nil, ""); code != 404 {
			t.Errorf("content of a refused job = %d %s", code, b)
		}
	}
	if n := rd.startsOf(queued.ID); n != 0 {
		t.Errorf("the job queued at the revocation was rendered %d times", n)
	}
	if uses := must(sc.owner.Uses(ctx, sc.member.ID)); len(uses) != 0 {
		t.Errorf("refused jobs registered uses: %+v", uses)
	}
}

func ptr[T any](v T) *T { return &v }
