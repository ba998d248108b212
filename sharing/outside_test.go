package sharing_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/slatestudio/slate/consent"
	"github.com/slatestudio/slate/render"
)

// The owner's outside-render-services choice travels from her studio to
// the server and on to the creator's: a render for an outside service is
// refused with the reason until she allows it, granted under an outside
// grant once she does (a plain grant held already does not count), and
// refused again once she says no, the grant revoked.
func TestOutsideChoiceTravels(t *testing.T) {
	ctx := context.Background()
	p := newPair(t, consent.Everyone)
	carl := p.creator
	outside := func() render.Need {
		n := need("proj1", "shot1", consent.Draft, p.theirs)
		n.Outside = true
		return n
	}
	if p.theirs.Outside {
		t.Fatal("the creator sees the member allowing outside services before the owner said so")
	}
	if _, err := carl.svc.Permit(ctx, need("proj1", "shot1", consent.Draft, p.theirs)); err != nil {
		t.Fatalf("Permit (not outside): %v", err)
	}
	_, err := carl.svc.Permit(ctx, outside())
	var ce *render.ConsentError
	if !errors.As(err, &ce) || !strings.Contains(ce.Reason, "Mara Quinn's likeness may not be sent to outside render services") {
		t.Fatalf("Permit(outside) by default = %v; want refused: Mara Quinn's likeness may not be sent to outside render services", err)
	}

	m, _ := p.owner.lib.CastMember(ctx, p.mine.ID)
	m.Outside = true
	if err := p.owner.lib.UpdateCastMember(ctx, &m); err != nil {
		t.Fatal(err)
	}
	if r := p.owner.sync(t); r.Pushed != 1 {
		t.Fatalf("the owner's sync pushed %d, want 1", r.Pushed)
	}
	if err := carl.svc.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if got, _ := carl.lib.CastMember(ctx, p.theirs.ID); !got.Outside {
		t.Error("after Refresh, the creator's library does not show the member allowing outside services")
	}
	gs, err := carl.svc.Permit(ctx, outside())
	if err != nil || len(gs) != 1 || !gs[0].Outside {
		t.Fatalf("Permit(outside) once allowed = %+v, %v; want one outside grant", gs, err)
	}

	m, _ = p.owner.lib.CastMember(ctx, p.mine.ID)
	m.Outside = false
	if err := p.owner.lib.UpdateCastMember(ctx, &m); err != nil {
		t.Fatal(err)
	}
	p.owner.sync(t)
	if r := carl.sync(t); len(r.Revoked) != 1 {
		t.Fatalf("carl's sync saw revocations %v; want @mara's outside grant", r.Revoked)
	}
	if _, err := carl.svc.Permit(ctx, outside()); !errors.As(err, &ce) {
		t.Fatalf("Permit(outside) after she said no = %v; want a refusal", err)
	}
}
