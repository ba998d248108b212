package render_test

import (
	"context"
	"errors"
	"testing"

	"github.com/slatestudio/slate/consent"
	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/render/animatic"
	"github.com/slatestudio/slate/render/rendertest"
	"github.com/slatestudio/slate/timeline"
)

// outsideName is the backend that stands for an outside render service.
const outsideName = "remote:box/wan"

// outsideBackend is the animatic, counting its renders, as if it sent the
// shot to a render service that is not a Slate server.
type outsideBackend struct{ counted }

func (outsideBackend) Name() string { return outsideName }

func (b outsideBackend) Capabilities() render.Capabilities {
	c := b.counted.Capabilities()
	c.Outside = true
	return c
}

// newOutsideGate is newGate's library and a queue whose one backend is an
// outside service; mara (someone else's) and theo (mine) allow outside
// services as given.
func newOutsideGate(t *testing.T, c render.Consent, maraOutside, theoOutside bool) *gate {
	t.Helper()
	ctx := context.Background()
	tools := needTools(t)
	lib, err := library.Open(t.Context(), t.TempDir(), library.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lib.Close() })
	if err := lib.PutRemoteMember(ctx, &library.CastMember{ID: "mara", Name: "Mara", Handle: "@mara", Owner: "acct-mara", OwnerName: "mara",
		Consent: consent.Everyone, Outside: maraOutside}); err != nil {
		t.Fatal(err)
	}
	if err := lib.AddCastMember(ctx, &library.CastMember{ID: "theo", Name: "Theo", Handle: "@theo", Outside: theoOutside}); err != nil {
		t.Fatal(err)
	}
	g := &gate{lib: lib, started: make(chan struct{}, 1)}
	reg := render.NewRegistry()
	reg.Register(outsideName, func() (render.Backend, error) {
		b, err := animatic.New(tools)
		return outsideBackend{counted{b, &g.calls, false, g.started}}, err
	})
	g.q = render.NewQueue(lib, reg, render.QueueOptions{Workers: 1, Consent: c})
	if _, _, err := g.q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(g.q.Close)
	return g
}

func (g *gate) renderOutside(t *testing.T, p *timeline.Project, i int) render.Job {
	t.Helper()
	ctx := context.Background()
	j, err := g.q.Submit(ctx, render.NewRequest(p, i, g.lib.TempDir()), outsideName)
	if err != nil {
		t.Fatalf("Submit shot %d: %v", i+1, err)
	}
	done, err := g.q.Wait(ctx, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	return done
}

// My own member goes to an outside service only when I allow it in their
// consent: otherwise the job fails with the reason before the backend is
// called, and nobody is asked for a grant.
func TestOutsideRefusedForMyOwnMember(t *testing.T) {
	c := &rendertest.Consent{}
	g := newOutsideGate(t, c, false, false)
	p := gateProject(t)
	j := g.renderOutside(t, p, shotOwn)
	g.refused(t, j, "needs consent from @theo: Theo's likeness may not be sent to outside render services")
	g.noClips(t, p, shotOwn)

	theo, err := g.lib.CastMember(context.Background(), "theo")
	if err != nil {
		t.Fatal(err)
	}
	theo.Outside = true
	if err := g.lib.UpdateCastMember(context.Background(), &theo); err != nil {
		t.Fatal(err)
	}
	if j := g.renderOutside(t, p, shotOwn); j.Status != render.Completed {
		t.Fatalf("after allowing, job = %s %+v; want completed", j.Status, j.Error)
	}
	if n := g.calls.Load(); n != 1 {
		t.Errorf("the backend rendered %d times, want once", n)
	}
}

// Someone else's member goes to an outside service only under a grant
// that allows it: refused by their server (they do not allow it), or
// granted without it (an older server), the job fails before the backend
// is called.
func TestOutsideRefusedForOtherPeoplesMember(t *testing.T) {
	t.Run("their server refuses", func(t *testing.T) {
		c := &rendertest.Consent{}
		g := newOutsideGate(t, c, false, true)
		p := gateProject(t)
		j := g.renderOutside(t, p, shotSpeaking)
		g.refused(t, j, "needs consent from @mara: Mara's likeness may not be sent to outside render services")
		g.noClips(t, p, shotSpeaking)
		if needs := c.Needs(); len(needs) != 1 || !needs[0].Outside {
			t.Errorf("Permit was asked %+v, want one need with Outside", needs)
		}
	})
	t.Run("a grant that does not allow it", func(t *testing.T) {
		g := newOutsideGate(t, plainGrants{}, true, true)
		p := gateProject(t)
		j := g.renderOutside(t, p, shotCast)
		g.refused(t, j, "Mara's likeness may not be sent to outside render services")
		g.noClips(t, p, shotCast)
	})
	t.Run("allowed", func(t *testing.T) {
		c := &rendertest.Consent{}
		g := newOutsideGate(t, c, true, true)
		p := gateProject(t)
		j := g.renderOutside(t, p, shotCast)
		if j.Status != render.Completed {
			t.Fatalf("job = %s %+v; want completed", j.Status, j.Error)
		}
		if n := g.calls.Load(); n != 1 {
			t.Errorf("the backend rendered %d times, want once", n)
		}
		if uses := c.Uses(); len(uses) != 1 || len(uses[0].Grants) != 1 || !uses[0].Grants[0].Outside {
			t.Errorf("Made = %+v, want one use under mara's outside grant", uses)
		}
	})
}

// On a backend that sends nothing outside, nobody's outside choice
// matters: the need says so, and my own member renders.
func TestNotOutsideNeedsNoOutsideLeave(t *testing.T) {
	c := &rendertest.Consent{}
	g := newGate(t, t.TempDir(), c, false)
	p := gateProject(t)
	for _, i := range []int{shotOwn, shotCast} {
		if j := g.render(t, p, i); j.Status != render.Completed {
			t.Fatalf("shot %d = %s %+v; want completed", i+1, j.Status, j.Error)
		}
	}
	if needs := c.Needs(); len(needs) != 1 || needs[0].Outside {
		t.Errorf("Permit was asked %+v, want one need without Outside", needs)
	}
}

func TestPermitOutside(t *testing.T) {
	ms := []library.CastMember{
		{ID: "a", Name: "Ana", Handle: "@ana", Outside: true},
		{ID: "b", Name: "Ben", Handle: "@ben"},
		{ID: "c", Name: "Cy", Handle: "@cy", Remote: true},
		{ID: "d", Name: "Dee", Handle: "@dee"},
	}
	err := render.PermitOutside(ms)
	var ce *render.ConsentError
	if !errors.As(err, &ce) || !errors.Is(err, render.ErrNoConsent) || len(ce.Handles) != 2 || ce.Handles[0] != "@ben" || ce.Handles[1] != "@dee" {
		t.Errorf("PermitOutside = %v, want @ben and @dee refused", err)
	}
	if err := render.PermitOutside(ms[:1]); err != nil {
		t.Errorf("PermitOutside(allowed) = %v", err)
	}
}

// plainGrants grants every member a grant that does not allow outside
// services, whatever it is asked, as a server from before the choice would.
type plainGrants struct{}

func (plainGrants) Permit(_ context.Context, need render.Need) ([]consent.SignedGrant, error) {
	var out []consent.SignedGrant
	for _, m := range need.Members {
		out = append(out, consent.SignedGrant{Grant: consent.Grant{ID: "g-" + m.ID, Member: m.ID, Project: need.ProjectID, Scope: need.Scope}, Token: "t"})
	}
	return out, nil
}

func (plainGrants) Made(context.Context, []consent.SignedGrant, render.Made) error { return nil }
