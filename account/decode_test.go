package account

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// kinds are the request bodies the server decodes, by name.
var kinds = []struct {
	name string
	new  func() Validator
}{
	{"credentials", func() Validator { return new(Credentials) }},
	{"delete_account", func() Validator { return new(DeleteAccount) }},
	{"new_member", func() Validator { return new(NewMember) }},
	{"member_patch", func() Validator { return new(MemberPatch) }},
	{"grant_request", func() Validator { return new(GrantRequest) }},
	{"approval_ask", func() Validator { return new(ApprovalAsk) }},
	{"new_use", func() Validator { return new(NewUse) }},
	{"session_patch", func() Validator { return new(SessionPatch) }},
	{"new_api_key", func() Validator { return new(NewAPIKey) }},
}

func kindIndex(name string) int {
	for i, k := range kinds {
		if k.name == name {
			return i
		}
	}
	panic("no kind " + name)
}

const sum = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

var decodeTests = []struct {
	kind string
	body string
	want string // "" decodes; else part of the error message
}{
	{"credentials", `{"username":"mara_q","password":"correct horse","device":"laptop"}`, ""},
	{"credentials", ` {"username":"mara_q","password":"x","device":"laptop"} `, ""},
	{"credentials", `{"username":"Mara","password":"correct horse","device":"laptop"}`, `field "username"`},
	{"credentials", `{"username":"mara_q","password":"","device":"laptop"}`, `field "password": missing`},
	{"credentials", `{"username":"mara_q","password":"correct horse","device":""}`, `field "device": missing`},
	{"credentials", `{"username":"mara_q","password":"correct horse","device":"a\nb"}`, `control character`},
	{"credentials", `{"username":"mara_q","password":"correct horse","device":"laptop","admin":true}`, `unknown field "admin"`},
	{"credentials", `{"username":"mara_q",`, `cut short`},
	{"credentials", `{"username":"mara_q" "password":"x"}`, `malformed JSON at byte`},
	// The byte named is the one at fault (0-based, as raw.go counts), not
	// the count of bytes read up to and past it.
	{"credentials", `{"username":"mara_q" "password":"x"}`, `malformed JSON at byte 21: `},
	{"credentials", `{"username":"mara_q",` + "\n" + `x}`, `malformed JSON at byte 22: `},
	{"credentials", `{"username":5}`, `field "username": expected string, got number`},
	{"credentials", `{"username":"mara_q","password":"correct horse","device":"laptop"} {}`, `unexpected data after the object`},
	{"credentials", `[]`, `not a JSON object`},
	{"credentials", `null`, `not a JSON object`},
	{"credentials", ``, `empty`},
	{"new_api_key", `{"name":"gpu-box"}`, ""},
	{"new_api_key", `{"name":"nightly renders, studio B"}`, ""},
	{"new_api_key", `{}`, `field "name": missing`},
	{"new_api_key", `{"name":"   "}`, `field "name": missing`},
	{"new_api_key", `{"name":"gpu\nbox"}`, `control character`},
	{"new_api_key", `{"name":"` + strings.Repeat("n", MaxNameRunes+1) + `"}`, `field "name": longer`},
	// The server makes the key; a client cannot choose one.
	{"new_api_key", `{"name":"gpu-box","key":"slk_chosen"}`, `unknown field "key"`},
	{"delete_account", `{"password":"correct horse"}`, ""},
	{"delete_account", `{}`, `field "password": missing`},
	{"new_member", `{"name":"Mara Quinn","handle":"@mara_q"}`, ""},
	{"new_member", `{"id":"0123456789abcdef","name":"Mara","handle":"@mara","level":"approved","approved":["ben_k"],"blocked":["cy_d"],"preferences":"always in a red scarf"}`, ""},
	{"new_member", `{"name":"Mara","handle":"mara"}`, `field "handle"`},
	{"new_member", `{"name":"  ","handle":"@mara"}`, `field "name": missing`},
	{"new_member", `{"name":"Mara","handle":"@mara","level":"friends"}`, `field "level"`},
	{"new_member", `{"name":"Mara","handle":"@mara","approved":["Ben"]}`, `field "approved[0]"`},
	{"new_member", `{"id":"XYZ","name":"Mara","handle":"@mara"}`, `field "id"`},
	{"new_member", `{"name":"Mara","handle":"@mara","preferences":"` + strings.Repeat("x", MaxPreferencesRunes+1) + `"}`, `field "preferences": longer`},
	{"member_patch", `{}`, ""},
	{"member_patch", `{"level":"everyone","approved":[]}`, ""},
	{"member_patch", `{"level":"all"}`, `field "level"`},
	{"member_patch", `{"name":""}`, `field "name"`},
	{"member_patch", `{"approved":"ben"}`, `field "approved": expected []string`},
	{"grant_request", `{"member":"@mara","project":"p1","shot":"s1","scope":"draft"}`, ""},
	{"grant_request", `{"member":"0123456789abcdef","project":"p1","scope":"final","lifetime_seconds":3600}`, ""},
	{"grant_request", `{"member":"mara","project":"p1","scope":"draft"}`, `field "member"`},
	{"grant_request", `{"member":"@mara","scope":"draft"}`, `field "project": missing`},
	{"grant_request", `{"member":"@mara","project":"p1","scope":"publish"}`, `field "scope"`},
	{"grant_request", `{"member":"@mara","project":"p1","scope":"draft","lifetime_seconds":-1}`, `field "lifetime_seconds"`},
	{"grant_request", `{"member":"@mara","project":"` + strings.Repeat("p", 257) + `","scope":"draft"}`, `field "project": longer`},
	{"grant_request", `{"member":"@mara","project":"p1","scope":"draft","lifetime_seconds":1.5}`, `field "lifetime_seconds": expected int64`},
	{"approval_ask", `{}`, ""},
	{"approval_ask", `{"message":"for my short film"}`, ""},
	{"approval_ask", `{"message":"` + strings.Repeat("x", MaxMessageRunes+1) + `"}`, `field "message"`},
	{"new_use", `{"grant_id":"0123456789abcdef0123456789abcdef","clip_sha256":"` + sum + `","project_title":"Voyage","scope":"draft","at":"2026-01-01T00:00:00Z"}`, ""},
	{"new_use", `{"grant_id":"0123456789abcdef0123456789abcdef","clip_sha256":"abc","project_title":"Voyage","scope":"draft","at":"2026-01-01T00:00:00Z"}`, `field "clip_sha256"`},
	{"new_use", `{"grant_id":"0123456789abcdef0123456789abcdef","clip_sha256":"` + sum + `","project_title":"Voyage","scope":"draft"}`, `field "at": missing`},
	{"new_use", `{"grant_id":"0123456789abcdef0123456789abcdef","clip_sha256":"` + sum + `","project_title":"Voyage","scope":"draft","at":"yesterday"}`, `malformed`},
	{"new_use", `{"grant_id":"g","clip_sha256":"` + sum + `","project_title":"Voyage","scope":"draft","at":"2026-01-01T00:00:00Z"}`, `field "grant_id"`},

	// A key once per object, however it is spelt: encoding/json would let
	// the last win, matching names regardless of case.
	{"credentials", `{"username":"mara_q","password":"correct horse","device":"laptop","username":"ben_k"}`, `field "username" appears twice (at bytes 1 and 66)`},
	{"credentials", `{"username":"mara_q","password":"correct horse","device":"laptop","Username":"ben_k"}`, `field "Username" appears twice (as "username" at byte 1 and "Username" at byte 66)`},
	{"credentials", `{"username":"mara_q","password":"correct horse","device":"laptop","uſername":"ben_k"}`, `field "uſername" appears twice`},
	{"delete_account", `{"password":"a","password":"b"}`, `field "password" appears twice`},
	{"new_member", `{"name":"Mara","handle":"@mara","approved":[],"approved":["ben_k"]}`, `field "approved" appears twice`},
	{"new_member", `{"name":"Mara","handle":"@mara","extra":[{"a":{"b":1,"b":2}}]}`, `field "extra[0].a.b" appears twice`},
	{"new_member", `{"name":"Mara","handle":"@mara","extra":[{"a":1},{"a":2}]}`, `unknown field "extra"`},
	{"member_patch", `{"level":"everyone","level":"only_me"}`, `field "level" appears twice`},
	{"grant_request", `{"member":"@mara","project":"p1","scope":"draft","scope":"final"}`, `field "scope" appears twice`},
	{"approval_ask", `{"message":"a","MESSAGE":"b"}`, `field "MESSAGE" appears twice`},
	{"new_use", `{"grant_id":"0123456789abcdef0123456789abcdef","grant_id":"0123456789abcdef0123456789abcdee","clip_sha256":"` + sum + `","project_title":"Voyage","scope":"draft","at":"2026-01-01T00:00:00Z"}`, `field "grant_id" appears twice`},

	// Text as sent: valid UTF-8, whole surrogate pairs, no control
	// characters but line breaks and tabs where text has several lines.
	{"new_member", "{\"name\":\"Mara \xff\",\"handle\":\"@mara\"}", `field "name" is not valid UTF-8 at byte 14`},
	{"new_member", "{\"name\":\"Mara\",\"handle\":\"@mara\",\"preferences\":\"\xc3(\"}", `field "preferences" is not valid UTF-8`},
	{"new_member", "{\"na\xffme\":\"Mara\",\"handle\":\"@mara\"}", `a field name is not valid UTF-8 at byte 4`},
	{"new_member", `{"name":"Mara \ud800","handle":"@mara"}`, `field "name" holds half of a UTF-16 surrogate pair (\ud800) at byte 14`},
	{"new_member", `{"name":"Mara \uDFFF","handle":"@mara"}`, `field "name" holds half of a UTF-16 surrogate pair (\uDFFF)`},
	{"new_member", `{"name":"Mara \ud800\u0041","handle":"@mara"}`, `surrogate pair`},
	{"new_member", `{"name":"Mara \ud83c\udfac","handle":"@mara"}`, ""},
	{"new_member", "{\"name\":\"Mara \U0001F3AC\",\"handle\":\"@mara\"}", ""},
	{"new_member", `{"name":"Mara","handle":"@mara","preferences":"red\u0000scarf"}`, `field "preferences" holds a control character (U+0000) at byte 50`},
	{"new_member", `{"name":"Mara","handle":"@mara","preferences":"red\rscarf"}`, `field "preferences" holds a control character (U+000D)`},
	{"new_member", "{\"name\":\"Mara\",\"handle\":\"@mara\",\"preferences\":\"red\u0085scarf\"}", `field "preferences" holds a control character (U+0085)`},
	{"new_member", "{\"name\":\"Mara\",\"handle\":\"@mara\",\"preferences\":\"red\x7fscarf\"}", `field "preferences" holds a control character (U+007F)`},
	{"new_member", `{"name":"Mara","handle":"@mara","preferences":"red scarf,\n\tand a hat"}`, ""},
	{"new_member", `{"name":"Mara\nQuinn","handle":"@mara"}`, `field "name": holds a control character`},
	{"new_member", `{"name":"Mara","handle":"@mara","approved":["ben_k","\u0000"]}`, `field "approved[1]" holds a control character`},
	{"approval_ask", `{"message":"for my\nshort film"}`, ""},
	{"approval_ask", `{"message":"bell\u0007"}`, `field "message" holds a control character (U+0007)`},
	{"credentials", "{\"username\":\"mara_q\",\"password\":\"p\xe9ssword long\",\"device\":\"laptop\"}", `field "password" is not valid UTF-8`},
	{"grant_request", `{"member":"@mara","project":"p\b1","scope":"draft"}`, `field "project" holds a control character (U+0008)`},
}

func TestDecode(t *testing.T) {
	for _, tt := range decodeTests {
		v := kinds[kindIndex(tt.kind)].new()
		err := Decode(strings.NewReader(tt.body), v)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("Decode(%s, %.60q) = %v, want nil", tt.kind, tt.body, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("Decode(%s, %.60q) = %v, want an error containing %q", tt.kind, tt.body, err, tt.want)
		}
	}
}

func TestDecodeTooLarge(t *testing.T) {
	body := `{"message":"` + strings.Repeat("x", 100) + `"}`
	r := httptest.NewRequest("POST", "/", strings.NewReader(body))
	rd := http.MaxBytesReader(httptest.NewRecorder(), r.Body, 50)
	err := Decode(rd, new(ApprovalAsk))
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Decode(oversized) = %v, want ErrTooLarge", err)
	}
}

func TestCursorsAndLimits(t *testing.T) {
	for _, s := range []string{"-1", "01", "x", "1.5", "99999999999999999999"} {
		if _, err := ParseCursor(s); err == nil {
			t.Errorf("ParseCursor(%q) succeeded", s)
		}
	}
	if n, err := ParseCursor("42"); err != nil || n != 42 || FormatCursor(n) != "42" {
		t.Errorf("ParseCursor(42) = %d, %v", n, err)
	}
	if n, err := ParseLimit("", 100, 1000); err != nil || n != 100 {
		t.Errorf("ParseLimit(\"\") = %d, %v", n, err)
	}
	for _, s := range []string{"0", "1001", "ten"} {
		if _, err := ParseLimit(s, 100, 1000); err == nil {
			t.Errorf("ParseLimit(%q) succeeded", s)
		}
	}
}

// FuzzDecode feeds every request decoder arbitrary bytes, seeded from the
// table above. A decoder must never panic, and a body it accepts must
// survive a round trip: encoded again, it decodes to the same value.
func FuzzDecode(f *testing.F) {
	for _, tt := range decodeTests {
		f.Add(uint8(kindIndex(tt.kind)), []byte(tt.body))
	}
	f.Fuzz(func(t *testing.T, kind uint8, body []byte) {
		k := kinds[int(kind)%len(kinds)]
		v := k.new()
		if err := Decode(bytes.NewReader(body), v); err != nil {
			if err.Error() == "" {
				t.Fatal("an error without a message")
			}
			return
		}
		again, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("Marshal(%s) = %v", k.name, err)
		}
		w := k.new()
		if err := Decode(bytes.NewReader(again), w); err != nil {
			t.Fatalf("Decode(%s) accepted %q but not its re-encoding %q: %v", k.name, body, again, err)
		}
		if third, _ := json.Marshal(w); !bytes.Equal(third, again) {
			t.Fatalf("round trip of %s changed %q to %q", k.name, again, third)
		}
	})
}

func TestDecodeNormalizesLevels(t *testing.T) {
	var m NewMember
	if err := Decode(strings.NewReader(`{"name":"Mara","handle":"@mara","level":"People I approve"}`), &m); err != nil || m.Level != "approved" {
		t.Errorf("NewMember level = %q, %v; want approved", m.Level, err)
	}
	var p MemberPatch
	if err := Decode(strings.NewReader(`{"level":"only me"}`), &p); err != nil || *p.Level != "only_me" {
		t.Errorf("MemberPatch level = %v, %v; want only_me", p.Level, err)
	}
}

// BenchmarkDecode measures what the raw pre-pass (repeated keys, UTF-8,
// surrogates, control characters) adds to decoding a member with long
// preferences: compare pre-pass/op with decode/op.
func BenchmarkDecode(b *testing.B) {
	body := []byte(`{"name":"Mara Quinn","handle":"@mara_q","level":"approved","approved":["ben_k","cy_d"],"preferences":"` +
		strings.Repeat("always in a red scarf, never as a villain; ", 45) + `"}`)
	b.Run("pre-pass", func(b *testing.B) {
		for b.Loop() {
			if err := checkRaw(body); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decode", func(b *testing.B) {
		for b.Loop() {
			var m NewMember
			if err := Decode(bytes.NewReader(body), &m); err != nil {
				b.Fatal(err)
			}
		}
	})
}
