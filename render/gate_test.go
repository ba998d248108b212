package render_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slatestudio/slate/consent"
	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/render/animatic"
	"github.com/slatestudio/slate/render/rendertest"
	"github.com/slatestudio/slate/timeline"
)

// The shots of gateProject.
const (
	shotOwn      = 0 // features theo (mine) and ghost (a name the library does not know)
	shotCast     = 1 // features @mara (someone else's) in its cast
	shotSpeaking = 2 // features @mara speaking a line, not in its cast
)

// gateProject is the demo cut to three one-second shots at 320×180.
func gateProject(t *testing.T) *timeline.Project {
	t.Helper()
	p := demoProject(t)
	p.Width, p.Height = 320, 180
	p.Cast = append(p.Cast, timeline.CastRef{ID: "ghost", Name: "Ghost"})
	p.Shots = p.Shots[:3]
	for _, sh := range p.Shots {
		sh.Duration, sh.Cues = time.Second, nil
	}
	own, cast, speaking := p.Shots[shotOwn], p.Shots[shotCast], p.Shots[shotSpeaking]
	own.Cast = []string{"theo", "ghost"}
	own.Lines = []timeline.Line{{Speaker: timeline.Narrator, Text: "Evening."}, {Speaker: "theo", Text: "Hello.", Start: 400 * time.Millisecond}}
	cast.Cast = []string{"mara"}
	cast.Lines = []timeline.Line{{Speaker: timeline.Narrator, Text: "She waits."}}
	speaking.Cast = []string{"theo"}
	speaking.Lines = []timeline.Line{{Speaker: "mara", Text: "Theo!"}}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	return p
}

// counted is the animatic backend that counts its renders. With hold set,
// a render waits to be cancelled instead, and says when it has started.
type counted struct {
	render.Backend
	calls   *atomic.Int32
	hold    bool
	started chan struct{}
}

func (c counted) Render(ctx context.Context, req *render.Request, progress func(float64)) (*render.Result, error) {
	c.calls.Add(1)
	if c.hold {
		c.started <- struct{}{}
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return c.Backend.Render(ctx, req, progress)
}

type gate struct {
	lib     *library.Library
	q       *render.Queue
	calls   atomic.Int32
	started chan struct{}
}

// newGate opens a library in dir holding @mara (someone else's) and @theo
// (mine), and a queue over it that asks c for consent.
func newGate(t *testing.T, dir string, c render.Consent, hold bool) *gate {
	t.Helper()
	ctx := context.Background()
	tools := needTools(t)
	lib, err := library.Open(t.Context(), dir, library.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lib.Close() })
	if _, err := lib.CastMember(ctx, "mara"); errors.Is(err, library.ErrNotFound) {
		if err := lib.PutRemoteMember(ctx, &library.CastMember{ID: "mara", Name: "Mara", Handle: "@mara", Owner: "acct-mara", OwnerName: "mara", Consent: consent.Everyone}); err != nil {
			t.Fatal(err)
		}
		if err := lib.AddCastMember(ctx, &library.CastMember{ID: "theo", Name: "Theo", Handle: "@theo"}); err != nil {
			t.Fatal(err)
		}
	}
	g := &gate{lib: lib, started: make(chan struct{}, 1)}
	reg := render.NewRegistry()
	reg.Register(animatic.Name, func() (render.Backend, error) {
		b, err := animatic.New(tools)
		return counted{b, &g.calls, hold, g.started}, err
	})
	g.q = render.NewQueue(lib, reg, render.QueueOptions{Workers: 1, Consent: c})
	if _, _, err := g.q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(g.q.Close)
	return g
}

// render submits shot i of p and waits for its job to end.
func (g *gate) render(t *testing.T, p *timeline.Project, i int) render.Job {
	t.Helper()
	ctx := context.Background()
	j, err := g.q.Submit(ctx, render.NewRequest(p, i, g.lib.TempDir()), animatic.Name)
	if err != nil {
		t.Fatalf("Submit shot %d: %v", i+1, err)
	}
	if j.Status.Done() {
		return j
	}
	done, err := g.q.Wait(ctx, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	return done
}

// refused checks that j failed for want of consent with a message that
// contains want, and that the backend never rendered.
func (g *gate) refused(t *testing.T, j render.Job, want string) {
	t.Helper()
	if j.Status != render.Failed || j.Error == nil || j.Error.Code != render.CodeConsentRequired || !strings.Contains(j.Error.Message, want) {
		t.Errorf("job = %s %+v, want failed with %s and a message containing %q", j.Status, j.Error, render.CodeConsentRequired, want)
	}
	if n := g.calls.Load(); n != 0 {
		t.Errorf("the backend rendered %d times, want never", n)
	}
	if stored, err := g.lib.Job(context.Background(), j.ID); err != nil || stored.ErrorCode != render.CodeConsentRequired {
		t.Errorf("stored job = %+v, %v; want its code %s kept", stored, err, render.CodeConsentRequired)
	}
}

// noClips checks that no clip was registered for shot i of p.
func (g *gate) noClips(t *testing.T, p *timeline.Project, i int) {
	t.Helper()
	if clips, err := g.lib.ShotClips(context.Background(), p.ID, p.Shots[i].ID); err != nil || len(clips) != 0 {
		t.Errorf("clips registered for shot %d: %v, %v; want none", i+1, clips, err)
	}
}

func TestFeatured(t *testing.T) {
	ctx := context.Background()
	g := newGate(t, t.TempDir(), nil, false)
	p := gateProject(t)
	tests := []struct {
		shots []int
		want  []string
	}{
		{[]int{shotOwn}, nil},
		{[]int{shotCast}, []string{"@mara"}},
		{[]int{shotSpeaking}, []string{"@mara"}},
		{[]int{shotOwn, shotCast, shotSpeaking}, []string{"@mara"}},
	}
	for _, tt := range tests {
		var shots []*timeline.Shot
		for _, i := range tt.shots {
			shots = append(shots, p.Shots[i])
		}
		members, err := render.Featured(ctx, g.lib, nil, shots...)
		var got []string
		for _, m := range members {
			got = append(got, m.Handle)
		}
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("Featured(shots %v) = %v, %v; want %v", tt.shots, got, err, tt.want)
		}
	}
}

// With no Consent (not logged in), a shot that features someone else's
// member — in its cast or speaking a line — fails at once and nothing is
// rendered.
func TestRenderRefusedWithoutConsent(t *testing.T) {
	for _, tt := range []struct {
		name string
		shot int
	}{{"in the cast", shotCast}, {"speaking a line", shotSpeaking}} {
		t.Run(tt.name, func(t *testing.T) {
			g := newGate(t, t.TempDir(), nil, false)
			p := gateProject(t)
			j := g.render(t, p, tt.shot)
			g.refused(t, j, "needs consent from @mara: log in to the account server")
			g.noClips(t, p, tt.shot)
		})
	}
}

func TestRenderUnderGrant(t *testing.T) {
	c := &rendertest.Consent{}
	g := newGate(t, t.TempDir(), c, false)
	p := gateProject(t)
	j := g.render(t, p, shotCast)
	if j.Status != render.Completed || j.Clip == nil {
		t.Fatalf("job = %s %+v, want completed", j.Status, j.Error)
	}
	if n := g.calls.Load(); n != 1 {
		t.Errorf("the backend rendered %d times, want once", n)
	}
	needs := c.Needs()
	if len(needs) != 1 {
		t.Fatalf("Permit was asked %d times, want once", len(needs))
	}
	n := needs[0]
	if n.ProjectID != p.ID || n.ProjectTitle != p.Title || n.ShotID != p.Shots[shotCast].ID || n.Scope != consent.Draft || len(n.Members) != 1 || n.Members[0].Handle != "@mara" {
		t.Errorf("Permit was asked %+v, want a draft grant for @mara on shot %s of project %s", n, p.Shots[shotCast].ID, p.ID)
	}
	uses := c.Uses()
	if len(uses) != 1 {
		t.Fatalf("Made was called %d times, want once", len(uses))
	}
	u := uses[0]
	want := render.Made{ProjectID: p.ID, ProjectTitle: p.Title, ShotID: p.Shots[shotCast].ID, Scope: consent.Draft, SHA256: j.Clip.SHA256}
	if u.Made != want || len(u.Grants) != 1 || u.Grants[0].Token != "token-mara" {
		t.Errorf("Made(%+v, %+v), want %+v under mara's grant", u.Grants, u.Made, want)
	}
	if sum := sha256File(t, g.lib.Blobs().Path(j.Clip.SHA256)); sum != u.Made.SHA256 {
		t.Errorf("Made names %s, but the clip's bytes hash to %s", u.Made.SHA256, sum)
	}
}

func TestRenderRefusedByServer(t *testing.T) {
	c := &rendertest.Consent{}
	refusal := &render.ConsentError{Handles: []string{"@mara"}, Reason: "mara lets only people she approves cast her; ask her on the account server"}
	c.Refuse(refusal)
	g := newGate(t, t.TempDir(), c, false)
	p := gateProject(t)
	j := g.render(t, p, shotSpeaking)
	g.refused(t, j, refusal.Error())
	g.noClips(t, p, shotSpeaking)
	if j.Error != nil && j.Error.Message != refusal.Error() {
		t.Errorf("the job's message is %q, want the refusal's %q", j.Error.Message, refusal.Error())
	}
	if uses := c.Uses(); len(uses) != 0 {
		t.Errorf("Made was called for a refused render: %+v", uses)
	}
}

// My own members and names the library does not know need no grant: the
// Consent is never asked (it would refuse).
func TestOwnAndUnknownCastNeedNoGrant(t *testing.T) {
	c := &rendertest.Consent{}
	c.Refuse(&render.ConsentError{Handles: []string{"@theo"}, Reason: "asked for a grant no one needs"})
	g := newGate(t, t.TempDir(), c, false)
	j := g.render(t, gateProject(t), shotOwn)
	if j.Status != render.Completed {
		t.Errorf("job = %s %+v, want completed", j.Status, j.Error)
	}
	if needs := c.Needs(); len(needs) != 0 {
		t.Errorf("Permit was asked %+v, want never", needs)
	}
	if uses := c.Uses(); len(uses) != 0 {
		t.Errorf("Made was called %+v, want never", uses)
	}
}

// A use that cannot be recorded does not undo the render: the clip is
// made, and the job completes.
func TestMadeFailureKeepsClip(t *testing.T) {
	c := &rendertest.Consent{}
	c.FailMade(errors.New("the outbox is unwritable"))
	g := newGate(t, t.TempDir(), c, false)
	p := gateProject(t)
	j := g.render(t, p, shotCast)
	if j.Status != render.Completed || j.Clip == nil {
		t.Errorf("job = %s %+v, want completed", j.Status, j.Error)
	}
}

// A clip from the render cache passes the same gate as a render: refused,
// the job fails (it is not a Go error, and it shows in the queue); granted,
// the use is recorded.
func TestCachedClipNeedsConsent(t *testing.T) {
	ctx := context.Background()
	c := &rendertest.Consent{}
	g := newGate(t, t.TempDir(), c, false)
	p := gateProject(t)
	first := g.render(t, p, shotCast)
	if first.Status != render.Completed || first.Cached {
		t.Fatalf("first render = %s (cached %v) %+v, want rendered", first.Status, first.Cached, first.Error)
	}

	refusal := &render.ConsentError{Handles: []string{"@mara"}, Reason: "mara revoked her consent"}
	c.Refuse(refusal)
	j, err := g.q.Submit(ctx, render.NewRequest(p, shotCast, g.lib.TempDir()), animatic.Name)
	if err != nil {
		t.Fatalf("Submit of a cached shot without consent = %v, want a failed job", err)
	}
	if j.Cached || j.Clip != nil || j.ID == "" {
		t.Errorf("refused cache hit = %+v, want a failed job with an ID and no clip", j)
	}
	g.calls.Store(0)
	g.refused(t, j, refusal.Error())
	if got, ok := g.q.Job(j.ID); !ok || got.Status != render.Failed {
		t.Errorf("the queue holds %+v (%v) for the refused job, want it failed", got, ok)
	}
	if uses := c.Uses(); len(uses) != 1 {
		t.Errorf("Made was called %d times, want once (for the first render only)", len(uses))
	}
	// Refused cache hits are retried like any failed job.
	if r, err := g.q.Retry(ctx, j.ID); err != nil || r.Status != render.Failed || r.Error == nil || r.Error.Code != render.CodeConsentRequired {
		t.Errorf("Retry while refused = %+v, %v; want failed again", r, err)
	}

	c.Refuse(nil)
	again := g.render(t, p, shotCast)
	if again.Status != render.Completed || !again.Cached || again.Clip.SHA256 != first.Clip.SHA256 {
		t.Fatalf("granted cache hit = %s (cached %v) %+v, want the cached clip", again.Status, again.Cached, again.Error)
	}
	if n := g.calls.Load(); n != 0 {
		t.Errorf("the backend rendered %d times for cache hits, want never", n)
	}
	uses := c.Uses()
	if len(uses) != 2 || uses[1].Made.SHA256 != first.Clip.SHA256 || uses[1].Made.Scope != consent.Draft || uses[1].Made.ShotID != p.Shots[shotCast].ID {
		t.Errorf("uses = %+v, want a second, draft use of clip %s", uses, first.Clip.SHA256)
	}
}

// A job queued under a grant and resumed after a restart asks again: with
// no Consent now, it fails and is not rendered.
func TestResumedJobNeedsConsent(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	p := gateProject(t)
	before := newGate(t, dir, &rendertest.Consent{}, true)
	j, err := before.q.Submit(ctx, render.NewRequest(p, shotCast, before.lib.TempDir()), animatic.Name)
	if err != nil {
		t.Fatal(err)
	}
	<-before.started
	before.q.Close() // the running job goes back to the queue
	if stored, err := before.lib.Job(ctx, j.ID); err != nil || stored.Status != library.StatusQueued {
		t.Fatalf("after Close the job is stored as %+v, %v; want queued", stored, err)
	}
	before.lib.Close()

	after := newGate(t, dir, nil, false)
	done, err := after.q.Wait(ctx, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	after.refused(t, done, "needs consent from @mara")
	after.noClips(t, p, shotCast)
}

func TestPermitFilm(t *testing.T) {
	ctx := context.Background()
	g := newGate(t, t.TempDir(), nil, false)
	p := gateProject(t)

	_, err := render.PermitFilm(ctx, g.lib, nil, p)
	var ce *render.ConsentError
	if !errors.As(err, &ce) || !errors.Is(err, render.ErrNoConsent) || !slices.Equal(ce.Handles, []string{"@mara"}) {
		t.Errorf("PermitFilm without Consent = %v, want a ConsentError naming @mara", err)
	}

	c := &rendertest.Consent{}
	grants, err := render.PermitFilm(ctx, g.lib, c, p)
	if err != nil || len(grants) != 1 {
		t.Fatalf("PermitFilm = %v, %v; want mara's grant", grants, err)
	}
	needs := c.Needs()
	if len(needs) != 1 || needs[0].Scope != consent.Final || needs[0].ShotID != "" || needs[0].ProjectID != p.ID || len(needs[0].Members) != 1 {
		t.Errorf("PermitFilm asked %+v, want one final grant for the whole project", needs)
	}

	// A film of my own cast alone needs nothing.
	own := p.Clone()
	own.Shots = own.Shots[shotOwn : shotOwn+1]
	c.Refuse(errors.New("asked for a grant no one needs"))
	if grants, err := render.PermitFilm(ctx, g.lib, c, own); err != nil || len(grants) != 0 {
		t.Errorf("PermitFilm of my own cast = %v, %v; want nothing asked", grants, err)
	}
}

func TestMadeFilm(t *testing.T) {
	ctx := context.Background()
	p := gateProject(t)
	path := filepath.Join(t.TempDir(), "film.mp4")
	if err := os.WriteFile(path, []byte("the film's bytes"), 0o644); err != nil {
		t.Fatal(err)
	}
	c := &rendertest.Consent{}
	grants := []consent.SignedGrant{{Grant: consent.Grant{ID: "g1", Member: "mara", Scope: consent.Final}, Token: "t1"}}
	if err := render.MadeFilm(ctx, c, nil, p, path); err != nil || len(c.Uses()) != 0 {
		t.Errorf("MadeFilm with no grants = %v and %d uses, want nothing recorded", err, len(c.Uses()))
	}
	if err := render.MadeFilm(ctx, c, grants, p, path); err != nil {
		t.Fatal(err)
	}
	want := render.Made{ProjectID: p.ID, ProjectTitle: p.Title, Scope: consent.Final, SHA256: sha256File(t, path), Path: path}
	if uses := c.Uses(); len(uses) != 1 || uses[0].Made != want || len(uses[0].Grants) != 1 {
		t.Errorf("uses = %+v, want one: %+v", uses, want)
	}
	if err := render.MadeFilm(ctx, c, grants, p, filepath.Join(t.TempDir(), "missing.mp4")); err == nil {
		t.Error("MadeFilm of a missing file succeeded")
	}
}

func sha256File(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
