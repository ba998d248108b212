package server_test

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/account/client"
	"github.com/slatestudio/slate/consent"
)

// mGrant is a grant as the model knows it.
type mGrant struct {
	g       client.Grant
	holder  string
	revoked bool
}

// mUse is a use as the model knows it.
type mUse struct {
	id, grant, creator, clip string
	scope                    consent.Scope
	removed                  bool
}

// TestConsentProperties drives the real server through the real client
// with random sequences of policy changes, grant requests, renders (uses),
// removals and the passing of time, against a model of what consent means:
//
//   - a grant is given exactly when the policy of that moment allows it,
//     so no grant, and hence no use, comes from a request made after a
//     revocation;
//   - a use is accepted exactly when its grant is live (not revoked, not
//     expired) and covers its scope: no use ever succeeds on a revoked
//     grant;
//   - the owner's list of uses always equals the uses that happened, with
//     the removed ones marked;
//   - every revocation and removal reaches the account concerned through
//     its change feed.
func TestConsentProperties(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, accountConfig())
	owner := e.signUp("olive")
	others := map[string]*user{"ana": e.signUp("ana"), "ben": e.signUp("ben")}
	everyone := map[string]*user{"olive": owner, "ana": others["ana"], "ben": others["ben"]}
	names := []string{"olive", "ana", "ben"}
	n := 0
	// How often each outcome came up, to show the test reached them all.
	var count struct{ granted, refused, used, useRefused, revoked, removed int }
	defer func() { t.Logf("outcomes: %+v", count) }()

	rapid.Check(t, func(t *rapid.T) {
		n++
		level := rapid.SampledFrom(consent.Levels).Draw(t, "level")
		m := must(owner.CreateMember(ctx, account.NewMember{Name: "Olive", Handle: fmt.Sprintf("@olive_%d", n), Level: level}))
		approved := map[string]bool{}
		var grants []*mGrant
		uses := map[string]*mUse{}
		cursors := map[string]string{}
		for name, u := range others {
			cursors[name] = must(u.Changes(ctx, "", 1000)).Next // only this member's changes count
		}
		permitted := func(name string) bool {
			return name == "olive" || level == consent.Everyone || level == consent.Approved && approved[name]
		}
		// applyPolicy sends the model's policy to the server and revokes
		// in the model what the change took away.
		applyPolicy := func(t *rapid.T) {
			list := slices.Sorted(maps.Keys(approved))
			got := must(owner.UpdateMember(ctx, m.ID, account.MemberPatch{Level: &level, Approved: &list}))
			if got.Level != level || !slices.Equal(got.Approved, list) {
				t.Fatalf("UpdateMember = %+v, want level %s approved %v", got, level, list)
			}
			now := e.clock.Now()
			for _, g := range grants {
				if !g.revoked && now.Before(g.g.Expires) && !permitted(g.holder) {
					g.revoked = true
					count.revoked++
				}
			}
		}
		t.Repeat(map[string]func(*rapid.T){
			"set level": func(t *rapid.T) {
				level = rapid.SampledFrom(consent.Levels).Draw(t, "level")
				applyPolicy(t)
			},
			"approve": func(t *rapid.T) {
				approved[rapid.SampledFrom([]string{"ana", "ben"}).Draw(t, "who")] = true
				applyPolicy(t)
			},
			"revoke approval": func(t *rapid.T) {
				delete(approved, rapid.SampledFrom([]string{"ana", "ben"}).Draw(t, "who"))
				applyPolicy(t)
			},
			"request grant": func(t *rapid.T) {
				who := rapid.SampledFrom(names).Draw(t, "who")
				scope := rapid.SampledFrom([]consent.Scope{consent.Draft, consent.Final}).Draw(t, "scope")
				g, err := everyone[who].RequestGrant(ctx, client.GrantRequest{Member: m.ID, Project: "p", Scope: scope})
				if permitted(who) != (err == nil) {
					t.Fatalf("%s asked for a grant under level %s, approved %v: %v; want granted=%v", who, level, approved, err, permitted(who))
				}
				if err != nil && !statusIs(err, http.StatusForbidden) {
					t.Fatalf("refusal with the wrong status: %v", err)
				}
				if err == nil {
					grants = append(grants, &mGrant{g: g, holder: who})
					count.granted++
				} else {
					count.refused++
				}
			},
			"render": func(t *rapid.T) {
				if len(grants) == 0 {
					t.Skip("no grant yet")
				}
				g := rapid.SampledFrom(grants).Draw(t, "grant")
				scope := rapid.SampledFrom([]consent.Scope{consent.Draft, consent.Final}).Draw(t, "scope")
				n++
				clip := clipSum(fmt.Sprint("clip", n))
				u, err := everyone[g.holder].RegisterUse(ctx, account.NewUse{GrantID: g.g.ID, ClipSHA256: clip, ProjectTitle: "Voyage", Scope: scope, At: e.clock.Now()})
				live := !g.revoked && e.clock.Now().Before(g.g.Expires) && g.g.Scope.Covers(scope)
				if live != (err == nil) {
					t.Fatalf("use under grant %+v (revoked %v) at %s for %s: %v; want accepted=%v", g.g.Grant, g.revoked, e.clock.Now(), scope, err, live)
				}
				if err == nil {
					uses[u.ID] = &mUse{id: u.ID, grant: g.g.ID, creator: g.holder, clip: clip, scope: scope}
					count.used++
				} else {
					count.useRefused++
				}
			},
			"remove use": func(t *rapid.T) {
				if len(uses) == 0 {
					t.Skip("no use yet")
				}
				u := uses[rapid.SampledFrom(slices.Sorted(maps.Keys(uses))).Draw(t, "use")]
				if err := owner.RemoveUse(ctx, u.id); err != nil {
					t.Fatal(err)
				}
				u.removed = true
				count.removed++
			},
			"time passes": func(t *rapid.T) {
				e.clock.Advance(time.Duration(rapid.IntRange(0, 30).Draw(t, "hours")) * time.Hour)
			},
			"": func(t *rapid.T) {
				// The owner's list is exactly the uses that happened.
				listed := must(owner.Uses(ctx, m.ID))
				if len(listed) != len(uses) {
					t.Fatalf("the owner lists %d uses, the model has %d", len(listed), len(uses))
				}
				for _, l := range listed {
					u, ok := uses[l.ID]
					if !ok || l.GrantID != u.grant || l.ClipSHA256 != u.clip || l.Scope != u.scope ||
						l.Creator != u.creator || (l.Removed != nil) != u.removed {
						t.Fatalf("listed use %+v, model %+v", l, u)
					}
				}
			},
		})
		// Every revocation and removal reached its account.
		for name, u := range others {
			seen := map[string]bool{}
			for cursor := cursors[name]; ; {
				page := must(u.Changes(ctx, cursor, 1000))
				for _, c := range page.Changes {
					switch {
					case c.Member != m.ID:
					case c.Kind == account.ChangeRevocation:
						seen["revoked "+c.GrantID] = true
					case c.Kind == account.ChangeRemoval:
						seen["removed "+c.UseID] = true
					}
				}
				if cursor = page.Next; !page.More {
					break
				}
			}
			for _, g := range grants {
				if g.holder == name && g.revoked && !seen["revoked "+g.g.ID] {
					t.Fatalf("%s never heard that grant %s was revoked", name, g.g.ID)
				}
			}
			for _, us := range uses {
				if us.creator == name && us.removed && !seen["removed "+us.id] {
					t.Fatalf("%s never heard that use %s was removed", name, us.id)
				}
			}
		}
	})
}
