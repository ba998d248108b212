package server_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/account/client"
	"github.com/slatestudio/slate/consent"
	"github.com/slatestudio/slate/timeline"
)

const projectID = "0123456789abcdef"

// slateDoc is a .slate document of a project titled title with one shot
// whose prompt is prompt.
func slateDoc(t testing.TB, title, prompt string) []byte {
	t.Helper()
	p := &timeline.Project{Title: title, Width: 1280, Height: 720, FPS: 24,
		Shots: []*timeline.Shot{{ID: "aaaaaaaaaaaaaaaa", Title: "Opening", Prompt: prompt, Duration: 4 * time.Second,
			Camera: timeline.Camera{Framing: timeline.Wide, Move: timeline.Static}, Transition: timeline.Transition{Kind: timeline.Cut}}}}
	b, err := timeline.Encode(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// device logs another device of u's account in, with its own device ID.
func (e *env) device(u *user, id, name string) *client.Client {
	e.t.Helper()
	c := e.client(&memStore{})
	if _, err := c.LoginAs(context.Background(), u.name, password, client.Device{ID: id, Name: name}); err != nil {
		e.t.Fatal(err)
	}
	return c
}

const (
	laptopID  = "11111111111111111111111111111111"
	desktopID = "22222222222222222222222222222222"
)

// promptOf reads the prompt of the first shot of a revision's document.
func promptOf(t testing.TB, r account.ProjectRevision) string {
	t.Helper()
	p, err := timeline.Decode("revision", r.Document)
	if err != nil {
		t.Fatalf("revision %d's document: %v", r.Rev, err)
	}
	return p.Shots[0].Prompt
}

// A project is created and updated from its base revision; a put from a
// stale base is refused with 409 and the current revision with its
// document; the server keeps the last N revisions; each new revision is
// in the account's feed with the device that made it.
func TestProjectRevisions(t *testing.T) {
	ctx := context.Background()
	cfg := accountConfig()
	cfg.ProjectHistory = 3
	e := newEnv(t, cfg)
	u := e.signUp("ada")
	laptop, desktop := e.device(u, laptopID, "laptop"), e.device(u, desktopID, "desktop")

	r1, err := laptop.PutProject(ctx, projectID, account.PutProject{Document: slateDoc(t, "The Kite", "v1")})
	if err != nil {
		t.Fatal(err)
	}
	if r1.Rev != 1 || r1.Title != "The Kite" || r1.DeviceID != laptopID || r1.Device != "laptop" || r1.Project != projectID {
		t.Errorf("first put = %+v, want rev 1 of The Kite from laptop", r1)
	}
	r2 := must(desktop.PutProject(ctx, projectID, account.PutProject{BaseRev: 1, Document: slateDoc(t, "The Kite", "v2")}))
	if r2.Rev != 2 || r2.Device != "desktop" {
		t.Errorf("second put = rev %d from %s, want 2 from desktop", r2.Rev, r2.Device)
	}

	// The laptop still thinks revision 1 is the latest.
	_, err = laptop.PutProject(ctx, projectID, account.PutProject{BaseRev: 1, Document: slateDoc(t, "The Kite", "stale")})
	var cf *client.ConflictError
	if !errors.As(err, &cf) || !statusIs(err, http.StatusConflict) {
		t.Fatalf("a put from a stale base = %v, want a 409 *ConflictError", err)
	}
	if cf.Current.Rev != 2 || cf.Current.Device != "desktop" || promptOf(t, cf.Current) != "v2" {
		t.Errorf("the conflict carries rev %d from %s, want rev 2 from desktop with its document", cf.Current.Rev, cf.Current.Device)
	}
	if !strings.Contains(cf.Error(), "changed on another device") {
		t.Errorf("conflict message = %q, want it to say the project changed on another device", cf.Error())
	}
	// A base from the future is a conflict too; a base on a project the
	// server lacks is a 404.
	if _, err := laptop.PutProject(ctx, projectID, account.PutProject{BaseRev: 9, Document: slateDoc(t, "The Kite", "x")}); !errors.As(err, &cf) {
		t.Errorf("a put from rev 9 of 2 = %v, want a conflict", err)
	}
	if _, err := laptop.PutProject(ctx, "fedcba9876543210", account.PutProject{BaseRev: 3, Document: slateDoc(t, "Other", "x")}); !statusIs(err, http.StatusNotFound) {
		t.Errorf("a put on a project the server lacks from rev 3 = %v, want 404", err)
	}

	for i := 3; i <= 5; i++ {
		must(laptop.PutProject(ctx, projectID, account.PutProject{BaseRev: int64(i - 1), Document: slateDoc(t, "The Kite", fmt.Sprintf("v%d", i))}))
	}
	revs := must(desktop.Revisions(ctx, projectID))
	var got []int64
	for _, r := range revs {
		got = append(got, r.Rev)
		if r.Document != nil {
			t.Errorf("the revisions list carries rev %d's document", r.Rev)
		}
	}
	if fmt.Sprint(got) != "[5 4 3]" {
		t.Errorf("revisions kept with --project-history 3 = %v, want [5 4 3]", got)
	}
	if _, err := desktop.Revision(ctx, projectID, 2); !statusIs(err, http.StatusNotFound) || !strings.Contains(err.Error(), "keeps the last 3") {
		t.Errorf("a trimmed revision = %v, want 404 saying the server keeps the last 3", err)
	}
	if r := must(desktop.Revision(ctx, projectID, 3)); promptOf(t, r) != "v3" {
		t.Errorf("revision 3 holds %q, want v3", promptOf(t, r))
	}
	if r := must(desktop.Project(ctx, projectID)); r.Rev != 5 || promptOf(t, r) != "v5" {
		t.Errorf("latest = rev %d, want 5 with v5", r.Rev)
	}

	// Deleting is a revision without a document; the list shows it.
	must(desktop.PutProject(ctx, projectID, account.PutProject{BaseRev: 5, Deleted: true}))
	list := must(laptop.Projects(ctx))
	if len(list) != 1 || !list[0].Deleted || list[0].Rev != 6 || list[0].Document != nil || list[0].Title != "The Kite" {
		t.Errorf("projects after deleting = %+v, want one, deleted, rev 6, without a document", list)
	}

	// Every revision is in the account's own feed, with its device.
	var feed []string
	for _, ch := range must(laptop.Changes(ctx, "", 0)).Changes {
		if ch.Kind == account.ChangeProject {
			feed = append(feed, fmt.Sprintf("%s/%d/%s", ch.Project[:4], ch.Rev, ch.DeviceID[:1]))
		}
	}
	if want := "[0123/1/1 0123/2/2 0123/3/1 0123/4/1 0123/5/1 0123/6/2]"; fmt.Sprint(feed) != want {
		t.Errorf("the feed's project entries (project/rev/device) = %v, want %s", feed, want)
	}
}

// Restoring is putting an old revision's document as a new revision: the
// new latest holds the old document.
func TestProjectRestore(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, accountConfig())
	u := e.signUp("ada")
	c := e.device(u, laptopID, "laptop")
	must(c.PutProject(ctx, projectID, account.PutProject{Document: slateDoc(t, "The Kite", "first cut")}))
	latest := must(c.PutProject(ctx, projectID, account.PutProject{BaseRev: 1, Document: slateDoc(t, "The Kite", "second cut")}))
	old := must(c.Revision(ctx, projectID, 1))
	restored := must(c.PutProject(ctx, projectID, account.PutProject{BaseRev: latest.Rev, Title: old.Title, Document: old.Document}))
	if restored.Rev != 3 {
		t.Errorf("the restore is rev %d, want 3", restored.Rev)
	}
	if r := must(c.Project(ctx, projectID)); r.Rev != 3 || promptOf(t, r) != "first cut" {
		t.Errorf("after restoring rev 1, the latest is rev %d with %q, want rev 3 with the first cut", r.Rev, promptOf(t, r))
	}
	if r := must(c.Revision(ctx, projectID, 2)); promptOf(t, r) != "second cut" {
		t.Errorf("restoring lost rev 2: it holds %q", promptOf(t, r))
	}
}

// Bad documents and bad fields are refused with a message that says what
// is wrong, and nothing is stored.
func TestProjectBadDocuments(t *testing.T) {
	e := newEnv(t, accountConfig())
	u := e.signUp("ada")
	good := string(slateDoc(t, "The Kite", "x"))
	for _, tt := range []struct{ path, body, msg string }{
		{"/projects/" + projectID, `{"base_rev":0,"title":"T","document":{"format":"slate","version":3}}`, "the project's document"},
		{"/projects/" + projectID, `{"base_rev":0,"title":"T","document":{"format":"word"}}`, "the project's document"},
		{"/projects/" + projectID, `{"base_rev":0,"title":"T","document":` + strings.Replace(good, `"duration_ms": 4000`, `"duration_ms": -4`, 1) + `}`, "duration_ms"},
		{"/projects/" + projectID, `{"base_rev":0,"title":"T"}`, `field "document": missing`},
		{"/projects/" + projectID, `{"base_rev":-1,"document":` + good + `}`, `field "base_rev"`},
		{"/projects/" + projectID, `{"base_rev":0,"deleted":true,"document":` + good + `}`, "carries no document"},
		{"/projects/NOT-AN-ID", `{"base_rev":0,"document":` + good + `}`, "is not a project's ID"},
		{"/projects/" + projectID + "/clips", `{"shot":"s","key":"k","sha256":"abc","size":1,"backend":"b","width":1,"height":1,"fps":1,"frames":1,"created":"2026-01-01T00:00:00Z"}`, `field "sha256"`},
	} {
		code, body := e.raw("PUT", tt.path, u.token, strings.NewReader(tt.body))
		if code != http.StatusBadRequest || !strings.Contains(errorMessage(body), tt.msg) {
			t.Errorf("PUT %s %.60s = %d %s, want 400 with %q", tt.path, tt.body, code, body, tt.msg)
		}
	}
	huge := `{"base_rev":0,"document":"` + strings.Repeat("x", account.MaxProjectBytes+128<<10) + `"}`
	if code, _ := e.raw("PUT", "/projects/"+projectID, u.token, strings.NewReader(huge)); code != http.StatusRequestEntityTooLarge {
		t.Errorf("an oversized project = %d, want 413", code)
	}
	if ps := must(u.Projects(context.Background())); len(ps) != 0 {
		t.Errorf("refused puts stored %v", ps)
	}
}

// One account cannot read or write another's projects: to it they do
// not exist, and its own project of the same ID is its own.
func TestProjectsAreTheAccountsOwn(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, accountConfig())
	ada, bob := e.signUp("ada"), e.signUp("bob")
	must(ada.PutProject(ctx, projectID, account.PutProject{Document: slateDoc(t, "Ada's", "secret")}))
	if _, err := bob.Project(ctx, projectID); !statusIs(err, http.StatusNotFound) {
		t.Errorf("bob reads ada's project: %v, want 404", err)
	}
	if _, err := bob.Revision(ctx, projectID, 1); !statusIs(err, http.StatusNotFound) {
		t.Errorf("bob reads ada's revision: %v, want 404", err)
	}
	if _, err := bob.Revisions(ctx, projectID); !statusIs(err, http.StatusNotFound) {
		t.Errorf("bob lists ada's revisions: %v, want 404", err)
	}
	if _, err := bob.PutProject(ctx, projectID, account.PutProject{BaseRev: 1, Document: slateDoc(t, "Bob's", "x")}); !statusIs(err, http.StatusNotFound) {
		t.Errorf("bob writes over ada's project: %v, want 404", err)
	}
	if ps := must(bob.Projects(ctx)); len(ps) != 0 {
		t.Errorf("bob's list shows %v", ps)
	}
	if r := must(ada.Project(ctx, projectID)); r.Rev != 1 || promptOf(t, r) != "secret" {
		t.Errorf("ada's project after bob's tries = rev %d %q", r.Rev, promptOf(t, r))
	}
	for _, ch := range must(bob.Changes(ctx, "", 0)).Changes {
		if ch.Project != "" {
			t.Errorf("bob's feed carries ada's project change %+v", ch)
		}
	}
	if code, _ := e.raw("GET", "/projects/"+projectID, "", nil); code != http.StatusUnauthorized {
		t.Errorf("reading a project logged out = %d, want 401", code)
	}
}

// putBlob uploads bytes as the account's clip, as a studio would.
func putBlob(t *testing.T, c *client.Client, data string) string {
	t.Helper()
	sum := clipSum(data)
	path := filepath.Join(t.TempDir(), "clip")
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := c.Upload(context.Background(), path, sum, account.BlobClip, projectID, client.UploadState{}, nil, nil); err != nil {
		t.Fatal(err)
	}
	return sum
}

// A clip is filed under a project only once its blob is on the server;
// the feed says so; when the person it features removes its use, its
// rows go in the same step and it cannot be filed again.
func TestProjectClips(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, accountConfig())
	olive, oscar := e.signUp("olive"), e.signUp("oscar")
	m := must(olive.CreateMember(ctx, account.NewMember{Name: "Olive", Handle: "@olive", Level: consent.Everyone}))
	g := must(oscar.RequestGrant(ctx, client.GrantRequest{Member: m.ID, Project: projectID, Scope: consent.Draft}))
	clip := func(shot, sum string) account.ProjectClip {
		return account.ProjectClip{Shot: shot, Key: "k1", SHA256: sum, Size: 5, Backend: "animatic", Width: 64, Height: 36, FPS: 24, Frames: 96, Created: e.clock.Now()}
	}
	missing := clipSum("not uploaded")
	if err := oscar.PutClip(ctx, projectID, clip("aaaaaaaaaaaaaaaa", missing)); !statusIs(err, http.StatusConflict) || !strings.Contains(err.Error(), "upload it first") {
		t.Errorf("filing a clip whose blob is not on the server = %v, want 409 saying upload it first", err)
	}
	featured, plain := putBlob(t, oscar.Client, "olive's clip"), putBlob(t, oscar.Client, "a landscape")
	if err := oscar.PutClip(ctx, projectID, clip("aaaaaaaaaaaaaaaa", featured)); err != nil {
		t.Fatal(err)
	}
	if err := oscar.PutClip(ctx, projectID, clip("bbbbbbbbbbbbbbbb", plain)); err != nil {
		t.Fatal(err)
	}
	if err := oscar.PutClip(ctx, projectID, clip("bbbbbbbbbbbbbbbb", plain)); err != nil {
		t.Fatal(err)
	} // a retry
	cs := must(oscar.Clips(ctx, projectID))
	if len(cs) != 2 || cs[0].SHA256 != featured || cs[1].SHA256 != plain || cs[0].Frames != 96 {
		t.Fatalf("clips = %+v, want the two filed", cs)
	}
	var clipChanges []string
	for _, ch := range must(oscar.Changes(ctx, "", 0)).Changes {
		if ch.Kind == account.ChangeClip {
			clipChanges = append(clipChanges, ch.Project+" "+ch.ClipSHA256[:6])
		}
	}
	if want := fmt.Sprint([]string{projectID + " " + featured[:6], projectID + " " + plain[:6]}); fmt.Sprint(clipChanges) != want {
		t.Errorf("clip entries in the feed = %v, want %s (the retry adds none)", clipChanges, want)
	}
	if cs := must(olive.Clips(ctx, projectID)); len(cs) != 0 {
		t.Errorf("another account sees oscar's clips: %+v", cs)
	}

	u := must(oscar.RegisterUse(ctx, account.NewUse{GrantID: g.ID, ClipSHA256: featured, ProjectTitle: "The Kite", Scope: consent.Draft, At: e.clock.Now()}))
	if err := olive.RemoveUse(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	cs = must(oscar.Clips(ctx, projectID))
	if len(cs) != 1 || cs[0].SHA256 != plain {
		t.Errorf("clips after the use was removed = %+v, want only the landscape", cs)
	}
	if err := oscar.PutClip(ctx, projectID, clip("aaaaaaaaaaaaaaaa", featured)); !statusIs(err, http.StatusForbidden) || !strings.Contains(err.Error(), "this clip's use was removed by the person it features") {
		t.Errorf("filing a removed use's clip again = %v, want 403", err)
	}
}

// Two devices that put revisions at once never lose an acknowledged one:
// every revision acknowledged with 200 is the latest or in the history
// with its document intact, and the revisions are 1..n with no gap.
func TestProjectConcurrentPutsProperty(t *testing.T) {
	ctx := context.Background()
	cfg := accountConfig()
	cfg.ProjectHistory = 1000
	e := newEnv(t, cfg)
	u := e.signUp("ada")
	devices := []*client.Client{e.device(u, laptopID, "laptop"), e.device(u, desktopID, "desktop")}
	n := 0
	rapid.Check(t, func(rt *rapid.T) {
		n++
		id := fmt.Sprintf("%016x", n)
		type ack struct {
			rev    int64
			prompt string
		}
		var mu sync.Mutex
		var acks []ack
		var wg sync.WaitGroup
		for d, c := range devices {
			puts := rapid.IntRange(1, 6).Draw(rt, fmt.Sprintf("puts%d", d))
			wg.Add(1)
			go func() {
				defer wg.Done()
				var base int64
				for i := range puts {
					prompt := fmt.Sprintf("device %d edit %d", d, i)
					r, err := c.PutProject(ctx, id, account.PutProject{BaseRev: base, Document: slateDoc(t, "Race", prompt)})
					var cf *client.ConflictError
					switch {
					case errors.As(err, &cf):
						base = cf.Current.Rev // merge and go on from the server's
						continue
					case statusIs(err, http.StatusNotFound):
						continue // the other device has not created it yet
					case err != nil:
						rt.Errorf("put: %v", err)
						return
					}
					base = r.Rev
					mu.Lock()
					acks = append(acks, ack{r.Rev, prompt})
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		revs, err := devices[0].Revisions(ctx, id)
		if err != nil {
			if len(acks) == 0 {
				return
			}
			rt.Fatal(err)
		}
		for i, r := range revs {
			if want := int64(len(revs) - i); r.Rev != want {
				rt.Fatalf("revisions = %v, want %d..1 with no gap", revs, len(revs))
			}
		}
		if len(revs) != len(acks) {
			rt.Fatalf("%d revisions on the server, %d acknowledged", len(revs), len(acks))
		}
		for _, a := range acks {
			r, err := devices[1].Revision(ctx, id, a.rev)
			if err != nil {
				rt.Fatalf("acknowledged rev %d: %v", a.rev, err)
			}
			if got := promptOf(t, r); got != a.prompt {
				rt.Fatalf("acknowledged rev %d holds %q, want %q", a.rev, got, a.prompt)
			}
		}
	})
}
