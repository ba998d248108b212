package consent

import (
	"errors"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"
)

func TestDecide(t *testing.T) {
	base := MemberPolicy{Member: "m1", Owner: "ana", Level: Approved, Approved: []string{"ben"}, Blocked: []string{"dee"}}
	req := func(grantee string) GrantRequest {
		return GrantRequest{ID: "g1", Member: "m1", Grantee: grantee, Project: "p1", Shot: "s1", Scope: Draft}
	}
	tests := []struct {
		name   string
		level  Level
		req    GrantRequest
		want   RefusalCode // "" means granted
		expire time.Duration
	}{
		{"owner at only_me", OnlyMe, req("ana"), "", MaxGrantLifetime},
		{"other at only_me", OnlyMe, req("ben"), RefusedOnlyMe, 0},
		{"approved", Approved, req("ben"), "", MaxGrantLifetime},
		{"not approved", Approved, req("cy"), RefusedNotApproved, 0},
		{"everyone", Everyone, req("cy"), "", MaxGrantLifetime},
		{"blocked at everyone", Everyone, req("dee"), RefusedBlocked, 0},
		{"blocked owner is still owner", OnlyMe, func() GrantRequest { r := req("ana"); return r }(), "", MaxGrantLifetime},
		{"unknown level", "friends", req("ben"), RefusedOnlyMe, 0},
		{"short life", Everyone, func() GrantRequest { r := req("cy"); r.Lifetime = time.Hour; return r }(), "", time.Hour},
		{"life capped", Everyone, func() GrantRequest { r := req("cy"); r.Lifetime = 72 * time.Hour; return r }(), "", MaxGrantLifetime},
		{"negative life", Everyone, func() GrantRequest { r := req("cy"); r.Lifetime = -time.Hour; return r }(), RefusedInvalid, 0},
		{"other member", Everyone, func() GrantRequest { r := req("cy"); r.Member = "m2"; return r }(), RefusedInvalid, 0},
		{"no project", Everyone, func() GrantRequest { r := req("cy"); r.Project = ""; return r }(), RefusedInvalid, 0},
		{"bad scope", Everyone, func() GrantRequest { r := req("cy"); r.Scope = "all"; return r }(), RefusedInvalid, 0},
		{"no id", Everyone, func() GrantRequest { r := req("cy"); r.ID = ""; return r }(), RefusedInvalid, 0},
	}
	now := t0.Add(1500 * time.Microsecond) // sub-millisecond part is dropped
	for _, tt := range tests {
		p := base
		p.Level = tt.level
		g, err := Decide(p, tt.req, now)
		var r *Refusal
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: Decide = %v, want a grant", tt.name, err)
		case tt.want != "" && (!errors.As(err, &r) || r.Code != tt.want):
			t.Errorf("%s: Decide = %+v, %v; want refusal %s", tt.name, g, err, tt.want)
		case tt.want != "" && r.Reason == "":
			t.Errorf("%s: refusal has no reason", tt.name)
		case tt.want == "":
			want := Grant{ID: "g1", Member: "m1", Owner: "ana", Grantee: tt.req.Grantee, Project: "p1", Shot: "s1", Scope: Draft,
				Issued: t0.Add(time.Millisecond), Expires: t0.Add(time.Millisecond + tt.expire)}
			if g != want {
				t.Errorf("%s: Decide = %+v, want %+v", tt.name, g, want)
			}
		}
	}
}

// A decision uses nothing but its arguments, and a policy change applies
// to the very next request: after any sequence of changes, Decide agrees
// with the current policy, and Revoked names exactly the outstanding grants
// the change took away.
func TestDecideFollowsEveryChange(t *testing.T) {
	accounts := []string{"ana", "ben", "cy", "dee"}
	rapid.Check(t, func(t *rapid.T) {
		p := MemberPolicy{Member: "m1", Owner: "ana", Level: OnlyMe}
		var outstanding []Grant
		now := t0
		t.Repeat(map[string]func(*rapid.T){
			"level": func(t *rapid.T) {
				p.Level = rapid.SampledFrom(Levels).Draw(t, "level")
			},
			"approve": func(t *rapid.T) {
				a := rapid.SampledFrom(accounts).Draw(t, "who")
				if !slices.Contains(p.Approved, a) {
					p.Approved = append(slices.Clone(p.Approved), a)
				}
			},
			"unapprove": func(t *rapid.T) {
				a := rapid.SampledFrom(accounts).Draw(t, "who")
				p.Approved = slices.DeleteFunc(slices.Clone(p.Approved), func(s string) bool { return s == a })
			},
			"block": func(t *rapid.T) {
				a := rapid.SampledFrom(accounts).Draw(t, "who")
				if rapid.Bool().Draw(t, "on") {
					p.Blocked = append(slices.Clone(p.Blocked), a)
				} else {
					p.Blocked = slices.DeleteFunc(slices.Clone(p.Blocked), func(s string) bool { return s == a })
				}
			},
			"request": func(t *rapid.T) {
				a := rapid.SampledFrom(accounts).Draw(t, "who")
				now = now.Add(time.Second)
				g, err := Decide(p, GrantRequest{ID: "g", Member: "m1", Grantee: a, Project: "p", Scope: Draft}, now)
				allowed := a == "ana" || !slices.Contains(p.Blocked, a) &&
					(p.Level == Everyone || p.Level == Approved && slices.Contains(p.Approved, a))
				if (err == nil) != allowed {
					t.Fatalf("Decide(%+v, %s) = %v; want allowed=%v", p, a, err, allowed)
				}
				if err == nil {
					outstanding = append(outstanding, g)
				}
			},
			"": func(t *rapid.T) {
				// Revoked names exactly the grants whose grantee Check
				// now refuses; dropping them leaves only permitted ones.
				gone := Revoked(p, outstanding)
				for _, g := range outstanding {
					if (p.Check(g.Grantee) != nil) != slices.Contains(gone, g) {
						t.Fatalf("Revoked disagrees with Check for %s under %+v", g.Grantee, p)
					}
				}
				outstanding = slices.DeleteFunc(outstanding, func(g Grant) bool { return slices.Contains(gone, g) })
			},
		})
	})
}

// BenchmarkDecideAndSign is the pure part of a grant decision: the policy
// check and the ed25519 signature.
func BenchmarkDecideAndSign(b *testing.B) {
	p := MemberPolicy{Member: "m1", Owner: "ana", Level: Approved, Approved: []string{"ben", "cy", "dee"}}
	r := GrantRequest{ID: "0123456789abcdef0123456789abcdef", Member: "m1", Grantee: "dee", Project: "p1", Shot: "s1", Scope: Draft}
	for b.Loop() {
		g, err := Decide(p, r, t0)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Sign(testKey, g); err != nil {
			b.Fatal(err)
		}
	}
}
