package server_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/account/client"
	"github.com/slatestudio/slate/consent"
)

// A member's likeness goes to outside render services only when their
// owner says so: off by default, a grant that allows it only while it is
// on, and turning it off revokes those grants at once (and only those).
func TestOutsideRenderServices(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, accountConfig())
	olive, oscar := e.signUp("olive"), e.signUp("oscar")
	m := must(olive.CreateMember(ctx, account.NewMember{Name: "Olive", Handle: "@olive", Level: consent.Everyone}))
	if m.Outside {
		t.Fatal("a new member allows outside render services; the default must be no")
	}
	ask := func(outside bool) (client.Grant, error) {
		return oscar.RequestGrant(ctx, client.GrantRequest{Member: m.ID, Project: "p1", Scope: consent.Draft, Outside: outside})
	}
	_, err := ask(true)
	var ref *consent.Refusal
	if !statusIs(err, http.StatusForbidden) || !errors.As(err, &ref) || ref.Code != consent.RefusedOutside ||
		!strings.Contains(ref.Reason, "Olive's likeness may not be sent to outside render services") {
		t.Fatalf("outside grant by default = %v (%+v); want 403 refused: Olive's likeness may not be sent to outside render services", err, ref)
	}
	plain := must(ask(false))
	if plain.Outside {
		t.Error("a plain grant allows outside render services")
	}

	yes, no := true, false
	if got := must(olive.UpdateMember(ctx, m.ID, account.MemberPatch{Outside: &yes})); !got.Outside {
		t.Fatalf("after allowing, the member shows Outside %v", got.Outside)
	}
	if seen := must(oscar.Member(ctx, m.ID)); !seen.Outside {
		t.Error("someone who may cast the member does not see that outside services are allowed")
	}
	out := must(ask(true))
	if !out.Outside {
		t.Fatalf("outside grant = %+v, want Outside", out.Grant)
	}
	// The flag is in what the server signed, not only in the row.
	if g, err := oscar.VerifyGrant(out.Token); err != nil || !g.Outside {
		t.Errorf("VerifyGrant(outside token) = %+v, %v", g, err)
	}

	// Saying no again revokes the outside grant, tells oscar, and leaves
	// the plain grant standing.
	must(olive.UpdateMember(ctx, m.ID, account.MemberPatch{Outside: &no}))
	var revoked []string
	for _, c := range must(oscar.Changes(ctx, "", 0)).Changes {
		if c.Kind == account.ChangeRevocation {
			revoked = append(revoked, c.GrantID)
		}
	}
	if len(revoked) != 1 || revoked[0] != out.ID {
		t.Errorf("revoked grants = %v, want only the outside grant %s", revoked, out.ID)
	}
	use := func(g client.Grant) error {
		_, err := oscar.RegisterUse(ctx, account.NewUse{GrantID: g.ID, ClipSHA256: strings.Repeat("a", 64), ProjectTitle: "P", Scope: consent.Draft, At: e.clock.Now()})
		return err
	}
	if err := use(out); !statusIs(err, http.StatusForbidden) {
		t.Errorf("a use under the revoked outside grant = %v, want 403", err)
	}
	if err := use(plain); err != nil {
		t.Errorf("a use under the plain grant = %v, want it registered", err)
	}
	if _, err := ask(true); !errors.As(err, &ref) || ref.Code != consent.RefusedOutside {
		t.Errorf("outside grant after saying no = %v, want refused", err)
	}

	// The choice can be made when the member is created, and the owner is
	// held to it like anyone.
	e.clock.Advance(time.Second)
	own := must(olive.CreateMember(ctx, account.NewMember{Name: "Ona", Handle: "@ona", Outside: true}))
	if !own.Outside {
		t.Error("NewMember with Outside did not keep it")
	}
	if _, err := olive.RequestGrant(ctx, client.GrantRequest{Member: own.ID, Project: "p1", Scope: consent.Draft, Outside: true}); err != nil {
		t.Errorf("owner's outside grant for a member who allows it = %v", err)
	}
}
