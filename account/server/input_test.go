package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/consent"
)

// A repeated key is refused, not settled by whichever copy comes last: two
// parsers in front of the server could otherwise read one request two
// ways. Keys that encoding/json would match to the same field (any case)
// count as repeats.
func TestDuplicateKeysRefused(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, accountConfig())
	u := e.signUp("olive")
	m := must(u.CreateMember(ctx, account.NewMember{Name: "Olive", Handle: "@olive"}))
	for _, tt := range []struct {
		method, path, body, field string
	}{
		{"POST", "/accounts", `{"username":"amy_a","password":"` + password + `","device":"d","username":"bob_b"}`, "username"},
		{"POST", "/accounts", `{"username":"amy_a","password":"` + password + `","device":"d","USERNAME":"bob_b"}`, "USERNAME"},
		{"POST", "/sessions", `{"username":"olive","password":"` + password + `","device":"d","device":"e"}`, "device"},
		{"POST", "/members", `{"name":"Amy","handle":"@amy","handle":"@bob"}`, "handle"},
		{"PATCH", "/members/" + m.ID, `{"level":"everyone","approved":[],"level":"only_me"}`, "level"},
		{"POST", "/members/" + m.ID + "/requests", `{"message":"a","message":"b"}`, "message"},
		{"POST", "/grants", `{"member":"@olive","member":"@other","project":"p","scope":"draft"}`, "member"},
		// At any depth: the pre-pass sees it before the unknown field.
		{"POST", "/members", `{"name":"Amy","handle":"@amy","x":{"deep":[{"k":1,"k":2}]}}`, "x.deep[0].k"},
	} {
		code, body := e.raw(tt.method, tt.path, u.token, strings.NewReader(tt.body))
		msg := errorMessage(body)
		if code != http.StatusBadRequest || !strings.Contains(msg, `field "`+tt.field+`" appears twice`) || !strings.Contains(msg, "byte") {
			t.Errorf("%s %s with %s = %d %q, want 400 saying field %q appears twice, with its bytes", tt.method, tt.path, tt.body, code, msg, tt.field)
		}
	}
	// Neither spelling of the account was created.
	for _, name := range []string{"amy_a", "bob_b"} {
		if _, err := e.client(nil).Login(ctx, name, password, "d"); !statusIs(err, http.StatusUnauthorized) {
			t.Errorf("log-in as %s after the refused sign-up = %v, want 401", name, err)
		}
	}
	if got := must(u.Members(ctx)); len(got) != 1 {
		t.Errorf("the refused members were created: %+v", got)
	}
}

// Text is checked as it arrives, before encoding/json replaces what it
// cannot read: invalid UTF-8 and lone surrogate escapes are refused (they
// would come out as U+FFFD), and so are control characters other than a
// line break or tab in text that may have several lines.
func TestTextFieldsRefuseBadText(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, accountConfig())
	u := e.signUp("olive")
	m := must(u.CreateMember(ctx, account.NewMember{Name: "Olive", Handle: "@olive"}))
	for _, tt := range []struct {
		method, path, body, field, problem string
	}{
		{"POST", "/members", "{\"name\":\"Mara \xff\xfe\",\"handle\":\"@mara\"}", "name", "not valid UTF-8"},
		{"POST", "/members", "{\"name\":\"Mara\",\"handle\":\"@mara\",\"preferences\":\"red \xc3\"}", "preferences", "not valid UTF-8"},
		{"POST", "/members", `{"name":"Mara \ud800","handle":"@mara"}`, "name", "surrogate"},
		{"POST", "/members", `{"name":"Mara \udc00x","handle":"@mara"}`, "name", "surrogate"},
		{"POST", "/members", `{"name":"Mara","handle":"@mara","preferences":"a\u0000b"}`, "preferences", "control character"},
		{"PATCH", "/members/" + m.ID, `{"preferences":"bell \u0007"}`, "preferences", "control character"},
		{"PATCH", "/members/" + m.ID, `{"preferences":"carriage\rreturn"}`, "preferences", "control character"},
		{"POST", "/members/" + m.ID + "/requests", `{"message":"del \u007f"}`, "message", "control character"},
		{"POST", "/members/" + m.ID + "/requests", `{"message":"c1 \u0085"}`, "message", "control character"},
		{"POST", "/accounts", "{\"username\":\"amy_a\",\"password\":\"pass\xffword long\",\"device\":\"d\"}", "password", "not valid UTF-8"},
		{"POST", "/sessions", `{"username":"olive","password":"` + password + `","device":"lap\u0000top"}`, "device", "control character"},
		{"POST", "/grants", "{\"member\":\"@olive\",\"project\":\"p\xff\",\"scope\":\"draft\"}", "project", "not valid UTF-8"},
		{"POST", "/members", "{\"name\":\"Mara\",\"handle\":\"@mara\",\"approved\":[\"ok\",\"b\xff\"]}", "approved[1]", "not valid UTF-8"},
	} {
		code, body := e.raw(tt.method, tt.path, u.token, strings.NewReader(tt.body))
		msg := errorMessage(body)
		if code != http.StatusBadRequest || !strings.Contains(msg, `field "`+tt.field+`"`) || !strings.Contains(msg, tt.problem) {
			t.Errorf("%s %s with %q = %d %q, want 400 naming field %q: %s", tt.method, tt.path, tt.body, code, msg, tt.field, tt.problem)
		}
	}
	if got := must(u.Members(ctx)); len(got) != 1 || got[0].Preferences != "" {
		t.Errorf("refused text was stored: %+v", got)
	}
	// Several lines, with tabs, are fine where text may have them; the
	// client sends Windows line breaks as the API takes them.
	prefs := "line one\r\n\tline two\rthree"
	if got, err := u.UpdateMember(ctx, m.ID, account.MemberPatch{Preferences: &prefs}); err != nil || got.Preferences != "line one\n\tline two\nthree" {
		t.Errorf("preferences with line breaks and a tab = %q, %v", got.Preferences, err)
	}
	level := consent.Approved
	must(u.UpdateMember(ctx, m.ID, account.MemberPatch{Level: &level}))
	if _, err := e.signUp("oscar").AskApproval(ctx, m.ID, "hello\n\tthere"); err != nil {
		t.Errorf("a message over two lines: %v", err)
	}
}

// Query parameters follow the same rules: one of each, known ones only.
func TestQueryParametersStrict(t *testing.T) {
	e := newEnv(t, accountConfig())
	u := e.signUp("olive")
	for _, tt := range []struct{ path, want string }{
		{"/changes?after=1&after=2", `parameter "after" appears twice`},
		{"/audit?limit=5&limit=500", `parameter "limit" appears twice`},
		{"/uses?member=0123456789abcdef&member=fedcba9876543210", `parameter "member" appears twice`},
		{"/uses?member=%ff", `parameter "member"`},
		{"/changes?afetr=1", `unknown parameter "afetr"`},
	} {
		code, body := e.raw("GET", tt.path, u.token, nil)
		if msg := errorMessage(body); code != http.StatusBadRequest || !strings.Contains(msg, tt.want) {
			t.Errorf("GET %s = %d %q, want 400 with %q", tt.path, code, msg, tt.want)
		}
	}
}
