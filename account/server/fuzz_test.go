package server_test

import (
	"bytes"
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/account/client"
	"github.com/slatestudio/slate/consent"
)

// FuzzRequestBodies sends arbitrary bodies to every endpoint that decodes
// one, through the real handler, as a logged-in account. Whatever the body,
// the server must answer with a status it means (never 500) and, for an
// error, a message. The seeds are the bodies of the table tests: valid ones
// and each kind of bad one.
func FuzzRequestBodies(f *testing.F) {
	e := newEnv(f, accountConfig())
	u := e.signUp("olive")
	other := e.signUp("oscar")
	ctx := context.Background()
	m := must(u.CreateMember(ctx, account.NewMember{Name: "Olive", Handle: "@olive", Level: consent.Everyone}))
	g := must(other.RequestGrant(ctx, client.GrantRequest{Member: m.ID, Project: "p", Scope: consent.Final}))
	endpoints := []struct{ method, path string }{
		{"POST", "/accounts"}, {"POST", "/sessions"}, {"DELETE", "/account"}, {"POST", "/members"},
		{"PATCH", "/members/" + m.ID}, {"POST", "/members/" + m.ID + "/requests"}, {"POST", "/grants"}, {"POST", "/uses"},
		{"PUT", "/members/" + m.ID + "/media/frontal"}, {"PATCH", "/sessions/current"},
	}
	seeds := []string{
		`{"username":"fuzzer","password":"a long password","device":"d"}`,
		`{"username":"olive","password":"wrong password","device":"d"}`,
		`{"username":"olive","password":"wrong password","device":"d","device_id":"0123456789abcdef0123456789abcdef"}`,
		`{"device":"Olive's laptop"}`,
		`{"password":"wrong password"}`,
		`{"name":"New","handle":"@new_one","level":"approved","approved":["oscar"]}`,
		`{"level":"only_me","approved":[],"blocked":["oscar"]}`,
		`{"message":"please"}`,
		`{"member":"@olive","project":"p1","shot":"s1","scope":"draft","lifetime_seconds":60}`,
		`{"grant_id":"` + g.ID + `","clip_sha256":"` + clipSum("c") + `","project_title":"T","scope":"draft","at":"2026-03-01T12:00:00Z"}`,
		`{"name":`, `{"name" "x"}`, `{"surprise":1}`, `[1,2]`, ``, `null`,
		string(jpeg("face")),
		// Repeated keys, at the top and deeper, in another case.
		`{"username":"fuzzer","password":"a long password","device":"d","username":"other"}`,
		`{"name":"New","handle":"@new_one","HANDLE":"@new_two"}`,
		`{"level":"everyone","approved":[{"a":1,"a":2}]}`,
		// Text that decoding would quietly change: invalid UTF-8, half a
		// surrogate pair, control characters.
		"{\"name\":\"New \xff\xfe\",\"handle\":\"@new_one\"}",
		`{"name":"New \ud800","handle":"@new_one"}`,
		`{"message":"\udc00 \ud83c\udfac"}`,
		`{"level":"only_me","preferences":"red\u0000scarf\u0085"}`,
		`{"preferences":"line one\n\tline two\r"}`,
	}
	for i := range endpoints {
		for _, s := range seeds {
			f.Add(uint8(i), []byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		ep := endpoints[int(which)%len(endpoints)]
		token := u.token
		if ep.path == "/uses" {
			token = other.token
		}
		if ep.method == "DELETE" && strings.Contains(string(body), password) {
			return // deleting the account would end the run
		}
		req := httptest.NewRequest(ep.method, account.Prefix+ep.path, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		w := httptest.NewRecorder()
		e.srv.ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Fatalf("%s %s with %q = %d %s", ep.method, ep.path, body, w.Code, w.Body)
		}
		if w.Code >= 400 && errorMessage(w.Body.Bytes()) == "" {
			t.Fatalf("%s %s with %q = %d without a message: %s", ep.method, ep.path, body, w.Code, w.Body)
		}
	})
}
