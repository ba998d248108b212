package consent

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"
)

var (
	testKey = ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	t0      = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
)

func testGrant() Grant {
	return Grant{ID: "g1", Member: "m1", Owner: "ana", Grantee: "ben", Project: "p1", Shot: "s1",
		Scope: Draft, Issued: t0, Expires: t0.Add(time.Hour)}
}

// The encoding and the signature are fixed by the format: these bytes are
// what any implementation (another server, a verifier in another language)
// must produce for this grant and the all-zero seed.
func TestGrantEncodingVector(t *testing.T) {
	const wantHex = "736c6174652d6772616e742d763100" + // "slate-grant-v1" 0x00
		"0002" + "6731" + // ID "g1"
		"0002" + "6d31" + // Member "m1"
		"0003" + "616e61" + // Owner "ana"
		"0003" + "62656e" + // Grantee "ben"
		"0002" + "7031" + // Project "p1"
		"0002" + "7331" + // Shot "s1"
		"0005" + "6472616674" + // Scope "draft"
		"0000019b76daa800" + // Issued 2026-01-01T00:00:00Z in Unix ms
		"0000019b77119680" // Expires an hour later
	const wantToken = "sg1.c2xhdGUtZ3JhbnQtdjEAAAJnMQACbTEAA2FuYQADYmVuAAJwMQACczEABWRyYWZ0AAABm3baqAAAAAGbdxGWgA." +
		"_h_etwVfcoSBTP4nQUS9StjioIolhmLmv9tf8zbhlhkl1UJzVML05aIlKDjO4dOMfzY__cNCGySAAWoMZybvDQ"
	b, err := testGrant().Encode()
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(b); got != wantHex {
		t.Errorf("Encode() = %s, want %s", got, wantHex)
	}
	tok, err := Sign(testKey, testGrant())
	if err != nil {
		t.Fatal(err)
	}
	if tok != wantToken {
		t.Errorf("Sign() = %s, want %s", tok, wantToken)
	}
	g, err := Verify(testKey.Public().(ed25519.PublicKey), wantToken, t0.Add(time.Minute))
	if err != nil || g != testGrant() {
		t.Errorf("Verify(vector) = %+v, %v; want %+v", g, err, testGrant())
	}
}

func TestSignVerifyRoundTrip(t *testing.T) {
	pub := testKey.Public().(ed25519.PublicKey)
	g := testGrant()
	g.Shot = "" // a whole-project grant
	g.Project = "Le Voyage — scène 2"
	g.Scope = Final
	g.Issued = t0.Add(123 * time.Millisecond)
	tok, err := Sign(testKey, g)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Verify(pub, tok, g.Issued)
	if err != nil || got != g {
		t.Fatalf("Verify(Sign(g)) = %+v, %v; want %+v", got, err, g)
	}
	if !got.Covers("m1", "ben", g.Project, "any-shot", Draft) {
		t.Error("a whole-project final grant does not cover a draft of one of its shots")
	}
}

func TestVerifyRefuses(t *testing.T) {
	pub := testKey.Public().(ed25519.PublicKey)
	good, _ := Sign(testKey, testGrant())
	_, otherPriv, _ := ed25519.GenerateKey(nil)
	otherTok, _ := Sign(otherPriv, testGrant())
	dataPart := strings.Split(good, ".")[1]
	sigPart := strings.Split(good, ".")[2]
	forged := testGrant()
	forged.Scope = Final
	forgedData, _ := forged.Encode()
	trailing, _ := testGrant().Encode()
	trailing = append(trailing, 0)
	enc := base64.RawURLEncoding

	tests := []struct {
		name  string
		token string
		now   time.Time
		want  error
	}{
		{"empty", "", t0, ErrMalformed},
		{"other prefix", "sg2." + dataPart + "." + sigPart, t0, ErrMalformed},
		{"no signature", "sg1." + dataPart, t0, ErrMalformed},
		{"bad base64", "sg1." + dataPart + "!." + sigPart, t0, ErrMalformed},
		{"short signature", "sg1." + dataPart + "." + sigPart[:20], t0, ErrMalformed},
		{"padded base64", "sg1." + dataPart + "==." + sigPart, t0, ErrMalformed},
		{"other key", otherTok, t0, ErrBadSignature},
		{"changed scope", "sg1." + enc.EncodeToString(forgedData) + "." + sigPart, t0, ErrBadSignature},
		{"trailing byte", "sg1." + enc.EncodeToString(trailing) + "." + enc.EncodeToString(ed25519.Sign(testKey, trailing)), t0, ErrMalformed},
		{"expired", good, t0.Add(time.Hour), ErrExpired},
		{"long expired", good, t0.Add(48 * time.Hour), ErrExpired},
		{"from the future", good, t0.Add(-ClockSkew - time.Millisecond), ErrNotYetValid},
		{"too long", "sg1." + strings.Repeat("A", MaxTokenBytes), t0, ErrMalformed},
	}
	for _, tt := range tests {
		if _, err := Verify(pub, tt.token, tt.now); !errors.Is(err, tt.want) {
			t.Errorf("%s: Verify = %v, want %v", tt.name, err, tt.want)
		}
	}
	// Within the allowed skew a grant from a slightly fast server clock passes.
	if _, err := Verify(pub, good, t0.Add(-ClockSkew)); err != nil {
		t.Errorf("Verify at -ClockSkew = %v, want nil", err)
	}
	if _, err := Verify(pub[:10], good, t0); err == nil {
		t.Error("Verify with a short key succeeded")
	}
}

func TestGrantValidate(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Grant)
		ok   bool
	}{
		{"good", func(*Grant) {}, true},
		{"whole project", func(g *Grant) { g.Shot = "" }, true},
		{"no id", func(g *Grant) { g.ID = "" }, false},
		{"no member", func(g *Grant) { g.Member = "" }, false},
		{"no owner", func(g *Grant) { g.Owner = "" }, false},
		{"no grantee", func(g *Grant) { g.Grantee = "" }, false},
		{"no project", func(g *Grant) { g.Project = "" }, false},
		{"bad scope", func(g *Grant) { g.Scope = "publish" }, false},
		{"control char", func(g *Grant) { g.Project = "a\nb" }, false},
		{"bad utf-8", func(g *Grant) { g.Project = "a\xffb" }, false},
		{"long field", func(g *Grant) { g.Project = strings.Repeat("x", MaxFieldBytes+1) }, false},
		{"longest field", func(g *Grant) { g.Project = strings.Repeat("x", MaxFieldBytes) }, true},
		{"24 hours", func(g *Grant) { g.Expires = g.Issued.Add(MaxGrantLifetime) }, true},
		{"over 24 hours", func(g *Grant) { g.Expires = g.Issued.Add(MaxGrantLifetime + time.Millisecond) }, false},
		{"zero life", func(g *Grant) { g.Expires = g.Issued }, false},
		{"backwards", func(g *Grant) { g.Expires = g.Issued.Add(-time.Hour) }, false},
	}
	for _, tt := range tests {
		g := testGrant()
		tt.edit(&g)
		if err := g.Validate(); (err == nil) != tt.ok {
			t.Errorf("%s: Validate() = %v, want ok=%v", tt.name, err, tt.ok)
		}
		if _, err := g.Encode(); (err == nil) != tt.ok {
			t.Errorf("%s: Encode() error = %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
}

func TestScopes(t *testing.T) {
	for _, tt := range []struct {
		have, want Scope
		ok         bool
	}{{Draft, Draft, true}, {Final, Final, true}, {Final, Draft, true}, {Draft, Final, false}, {"", Draft, false}} {
		if got := tt.have.Covers(tt.want); got != tt.ok {
			t.Errorf("%q.Covers(%q) = %v, want %v", tt.have, tt.want, got, tt.ok)
		}
	}
	if _, err := ParseScope("publish"); err == nil {
		t.Error(`ParseScope("publish") succeeded`)
	}
	g := testGrant()
	for _, tt := range []struct {
		member, grantee, project, shot string
		scope                          Scope
		ok                             bool
	}{
		{"m1", "ben", "p1", "s1", Draft, true},
		{"m2", "ben", "p1", "s1", Draft, false},
		{"m1", "cy", "p1", "s1", Draft, false},
		{"m1", "ben", "p2", "s1", Draft, false},
		{"m1", "ben", "p1", "s2", Draft, false},
		{"m1", "ben", "p1", "s1", Final, false},
	} {
		if got := g.Covers(tt.member, tt.grantee, tt.project, tt.shot, tt.scope); got != tt.ok {
			t.Errorf("Covers(%s, %s, %s, %s, %s) = %v, want %v", tt.member, tt.grantee, tt.project, tt.shot, tt.scope, got, tt.ok)
		}
	}
}

// FuzzVerify feeds arbitrary tokens to Verify: it must never panic, and
// whatever it accepts must re-sign to the same token (one encoding per
// grant) and validate.
func FuzzVerify(f *testing.F) {
	good, _ := Sign(testKey, testGrant())
	f.Add(good)
	outside := testGrant()
	outside.Outside = true
	goodOutside, _ := Sign(testKey, outside)
	f.Add(goodOutside)
	f.Add("sg1.")
	f.Add("sg1.AAAA.AAAA")
	f.Add(strings.Replace(good, "A", "B", 1))
	pub := testKey.Public().(ed25519.PublicKey)
	f.Fuzz(func(t *testing.T, token string) {
		g, err := Verify(pub, token, t0)
		if err != nil {
			return
		}
		if err := g.Validate(); err != nil {
			t.Fatalf("Verify accepted an invalid grant %+v: %v", g, err)
		}
		again, err := Sign(testKey, g)
		if err != nil || again != token {
			t.Fatalf("Sign(Verify(%q)) = %q, %v", token, again, err)
		}
	})
}

// FuzzDecodeGrant checks that decoding arbitrary bytes never panics and
// that whatever decodes encodes back to the same bytes.
func FuzzDecodeGrant(f *testing.F) {
	b, _ := testGrant().Encode()
	f.Add(b)
	outside := testGrant()
	outside.Outside = true
	v2, _ := outside.Encode()
	f.Add(v2)
	f.Add([]byte(grantMagicV2))
	f.Add([]byte(grantMagic))
	f.Add(append(b, 1))
	f.Fuzz(func(t *testing.T, data []byte) {
		g, err := DecodeGrant(data)
		if err != nil {
			return
		}
		again, err := g.Encode()
		if err != nil || string(again) != string(data) {
			t.Fatalf("Encode(DecodeGrant(%x)) = %x, %v", data, again, err)
		}
	})
}
