package consent

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// An outside grant is signed as version 2: the flag is under the
// signature, so it can be neither added to an old grant nor stripped.
func TestOutsideGrantIsSigned(t *testing.T) {
	pub := testKey.Public().(ed25519.PublicKey)
	g := testGrant()
	g.Outside = true
	data, err := g.Encode()
	if err != nil {
		t.Fatal(err)
	}
	v1, _ := testGrant().Encode()
	want := append([]byte(grantMagicV2), v1[len(grantMagic):]...)
	want = append(want, flagOutside)
	if !bytes.Equal(data, want) {
		t.Errorf("Encode(outside) = %x, want %x", data, want)
	}
	tok, err := Sign(testKey, g)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Verify(pub, tok, t0)
	if err != nil || got != g || !got.Outside {
		t.Fatalf("Verify(Sign(outside grant)) = %+v, %v; want %+v", got, err, g)
	}

	// An old grant (version 1, the vector's) allows no outside service.
	old, err := Sign(testKey, testGrant())
	if err != nil {
		t.Fatal(err)
	}
	if og, err := Verify(pub, old, t0); err != nil || og.Outside {
		t.Errorf("Verify(version 1 grant) = %+v, %v; want Outside false", og, err)
	}

	enc := base64.RawURLEncoding
	sig := strings.Split(tok, ".")[2]
	oldSig := strings.Split(old, ".")[2]
	v2Plain := append(append([]byte(grantMagicV2), v1[len(grantMagic):]...), 0)
	v2Unknown := append(append([]byte(grantMagicV2), v1[len(grantMagic):]...), 3)
	for _, tt := range []struct {
		name, token string
		want        error
	}{
		// The flag added to an old grant's bytes, under its old signature.
		{"flag added", "sg1." + enc.EncodeToString(data) + "." + oldSig, ErrBadSignature},
		// The flag taken off, under the outside grant's signature.
		{"flag stripped", "sg1." + enc.EncodeToString(v1) + "." + sig, ErrBadSignature},
		// Version 2 with no flag is not canonical, even signed.
		{"no flag", "sg1." + enc.EncodeToString(v2Plain) + "." + enc.EncodeToString(ed25519.Sign(testKey, v2Plain)), ErrMalformed},
		{"unknown flag", "sg1." + enc.EncodeToString(v2Unknown) + "." + enc.EncodeToString(ed25519.Sign(testKey, v2Unknown)), ErrMalformed},
	} {
		if _, err := Verify(pub, tt.token, t0); !errors.Is(err, tt.want) {
			t.Errorf("%s: Verify = %v, want %v", tt.name, err, tt.want)
		}
	}
}

func TestDecideOutside(t *testing.T) {
	p := MemberPolicy{Member: "m1", Owner: "ana", Name: "Mara", Level: Everyone}
	req := GrantRequest{ID: "g1", Member: "m1", Grantee: "ben", Project: "p1", Scope: Draft, Outside: true}
	_, err := Decide(p, req, t0)
	var r *Refusal
	if !errors.As(err, &r) || r.Code != RefusedOutside {
		t.Fatalf("Decide(outside, member says no) = %v; want refusal %s", err, RefusedOutside)
	}
	if !strings.HasPrefix(r.Reason, "Mara's likeness may not be sent to outside render services") {
		t.Errorf("reason = %q, want it to start with Mara's likeness may not be sent to outside render services", r.Reason)
	}
	// The owner too is held to their own choice.
	own := req
	own.Grantee = "ana"
	if _, err := Decide(p, own, t0); !errors.As(err, &r) || r.Code != RefusedOutside {
		t.Errorf("Decide(owner, outside, says no) = %v; want refusal %s", err, RefusedOutside)
	}
	// Not asking for outside is unchanged, and the grant says no outside.
	plain := req
	plain.Outside = false
	if g, err := Decide(p, plain, t0); err != nil || g.Outside {
		t.Errorf("Decide(plain) = %+v, %v; want a grant without Outside", g, err)
	}
	p.Outside = true
	if g, err := Decide(p, req, t0); err != nil || !g.Outside {
		t.Errorf("Decide(outside, member allows) = %+v, %v; want an outside grant", g, err)
	}
	// Allowing outside lets nobody in whom the level keeps out.
	p.Level = OnlyMe
	if _, err := Decide(p, req, t0); !errors.As(err, &r) || r.Code != RefusedOnlyMe {
		t.Errorf("Decide(outside allowed, only me) = %v; want refusal %s", err, RefusedOnlyMe)
	}
	if got := OutsideRefusal("").Reason; !strings.HasPrefix(got, "this cast member's likeness may not") {
		t.Errorf("OutsideRefusal(\"\") = %q", got)
	}
}

// No grant that allows outside services is ever issued, or left standing,
// for a member whose owner does not allow them: after any sequence of
// policy changes and requests, every grant Decide issues with Outside was
// issued while the member allowed it, and once the owner says no, Revoked
// takes back every outstanding outside grant (and no other grant for that
// reason alone).
func TestNoOutsideGrantWithoutConsent(t *testing.T) {
	accounts := []string{"ana", "ben", "cy"}
	rapid.Check(t, func(t *rapid.T) {
		p := MemberPolicy{Member: "m1", Owner: "ana", Name: "Mara", Level: Everyone}
		var outstanding []Grant
		now := t0
		t.Repeat(map[string]func(*rapid.T){
			"outside": func(t *rapid.T) {
				p.Outside = rapid.Bool().Draw(t, "outside")
			},
			"level": func(t *rapid.T) {
				p.Level = rapid.SampledFrom(Levels).Draw(t, "level")
			},
			"request": func(t *rapid.T) {
				a := rapid.SampledFrom(accounts).Draw(t, "who")
				outside := rapid.Bool().Draw(t, "ask outside")
				now = now.Add(time.Second)
				g, err := Decide(p, GrantRequest{ID: "g", Member: "m1", Grantee: a, Project: "p", Scope: Draft, Outside: outside}, now)
				if err != nil {
					var r *Refusal
					if !errors.As(err, &r) {
						t.Fatalf("Decide = %v, not a refusal", err)
					}
					if outside && !p.Outside && p.Check(a) == nil && r.Code != RefusedOutside {
						t.Fatalf("Decide(outside, %s) refused with %s; want %s", a, r.Code, RefusedOutside)
					}
					return
				}
				if g.Outside != outside {
					t.Fatalf("Decide(outside=%v) = grant with Outside %v", outside, g.Outside)
				}
				if g.Outside && !p.Outside {
					t.Fatalf("an outside grant was issued for %s under %+v", a, p)
				}
				outstanding = append(outstanding, g)
			},
			"": func(t *rapid.T) {
				gone := Revoked(p, outstanding)
				outstanding = slices.DeleteFunc(outstanding, func(g Grant) bool { return slices.Contains(gone, g) })
				for _, g := range outstanding {
					if g.Outside && !p.Outside {
						t.Fatalf("outside grant %+v outstanding after the owner said no (%+v)", g, p)
					}
				}
				for _, g := range gone {
					if p.Check(g.Grantee) == nil && (!g.Outside || p.Outside) {
						t.Fatalf("Revoked took %+v, which %+v still allows", g, p)
					}
				}
			},
		})
	})
}
