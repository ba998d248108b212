package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/account/server"
)

// An account makes a key, sees it in its list (without the key), uses it
// where it would use its session, and revokes it; from then on the key is
// refused, with a message that says it was revoked. Each step leaves its
// row in the audit trail.
func TestAPIKeysCreateListRevoke(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, accountConfig())
	olive := e.signUp("olive")

	k := must(olive.CreateAPIKey(ctx, "gpu-box"))
	if !strings.HasPrefix(k.Key, account.APIKeyPrefix) || len(k.Key) < 40 || k.Name != "gpu-box" || !account.ValidID(k.ID) ||
		!k.Created.Equal(account.KeepTime(e.clock.Now())) || k.LastUsed != nil || k.Revoked != nil {
		t.Fatalf("CreateAPIKey = %+v; want a slk_ key named gpu-box, made now, never used", k)
	}
	if other := must(olive.CreateAPIKey(ctx, "nightly renders")); other.Key == k.Key || other.ID == k.ID {
		t.Fatalf("two keys alike: %+v and %+v", k, other)
	}

	// The list never holds the key itself.
	code, body := e.raw("GET", "/keys", olive.token, nil)
	if code != http.StatusOK || bytes.Contains(body, []byte(k.Key)) || bytes.Contains(body, []byte(`"key"`)) {
		t.Fatalf("GET /keys = %d %s; want the list without the keys", code, body)
	}
	keys := must(olive.APIKeys(ctx))
	if len(keys) != 2 || keys[0].ID != k.ID || keys[0].Name != "gpu-box" || keys[1].Name != "nightly renders" {
		t.Fatalf("APIKeys = %+v; want gpu-box then nightly renders", keys)
	}

	// The key acts for the account on an endpoint that a session uses.
	e.clock.Advance(time.Hour)
	code, body = e.raw("GET", "/account", k.Key, nil)
	if code != http.StatusOK || !strings.Contains(string(body), `"username":"olive"`) {
		t.Fatalf("GET /account with the key = %d %s; want olive's account", code, body)
	}
	// Its last use shows in the list (written in the background).
	used := account.KeepTime(e.clock.Now())
	deadline := time.Now().Add(5 * time.Second)
	for {
		keys = must(olive.APIKeys(ctx))
		if keys[0].LastUsed != nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if keys[0].LastUsed == nil || !keys[0].LastUsed.Equal(used) || keys[1].LastUsed != nil {
		t.Fatalf("after one use the list says %+v; want gpu-box last used at %v, the other never", keys, used)
	}

	// Revoked: refused at once, saying so.
	if err := olive.RevokeAPIKey(ctx, k.ID); err != nil {
		t.Fatal(err)
	}
	code, body = e.raw("GET", "/account", k.Key, nil)
	if code != http.StatusUnauthorized || !strings.Contains(errorMessage(body), "revoked") {
		t.Fatalf("GET /account with the revoked key = %d %s; want 401 saying it was revoked", code, body)
	}
	keys = must(olive.APIKeys(ctx))
	if keys[0].Revoked == nil || !keys[0].Revoked.Equal(used) || keys[1].Revoked != nil {
		t.Fatalf("after revoking gpu-box the list says %+v", keys)
	}
	// Revoking it again changes nothing, and writes no second audit row.
	if err := olive.RevokeAPIKey(ctx, k.ID); err != nil {
		t.Fatalf("revoking a revoked key again = %v, want nothing changed", err)
	}
	var made, revoked int
	for _, a := range must(olive.Audit(ctx, "", 1000)) {
		switch {
		case a.Kind == account.AuditKeyCreated && a.Actor == olive.id:
			made++
		case a.Kind == account.AuditKeyRevoked && a.Actor == olive.id && strings.Contains(a.Detail, k.ID) && strings.Contains(a.Detail, "gpu-box"):
			revoked++
		}
	}
	if made != 2 || revoked != 1 {
		t.Errorf("audit trail holds %d keys made and %d revoked, want 2 and 1", made, revoked)
	}

	// The session still works: revoking a key ends only the key.
	if _, err := olive.Account(ctx); err != nil {
		t.Errorf("the session after revoking a key: %v", err)
	}
}

// The database keeps a key's SHA-256 and never the key: its row holds the
// hash, and the key's text is nowhere in the database's files.
func TestAPIKeyHashedAtRest(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, accountConfig())
	olive := e.signUp("olive")
	k := must(olive.CreateAPIKey(ctx, "gpu-box"))

	db, err := sql.Open("sqlite3", "file:"+filepath.Join(e.dir, "server.db")+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var hash []byte
	var name, owner string
	if err := db.QueryRowContext(ctx, `SELECT key_sha256, name, account_id FROM api_keys WHERE id = ?`, k.ID).Scan(&hash, &name, &owner); err != nil {
		t.Fatal(err)
	}
	want := sha256.Sum256([]byte(k.Key))
	if !bytes.Equal(hash, want[:]) || name != "gpu-box" || owner != olive.id {
		t.Errorf("the row holds %x %q %q; want the key's SHA-256 %x, gpu-box, olive", hash, name, owner, want)
	}
	secret := strings.TrimPrefix(k.Key, account.APIKeyPrefix)
	files, _ := filepath.Glob(filepath.Join(e.dir, "server.db*"))
	if len(files) == 0 {
		t.Fatal("no database files")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(data, []byte(secret)) {
			t.Errorf("%s holds the key itself", filepath.Base(f))
		}
	}
}

// Keys manage nothing about the account's credentials: a key cannot make,
// list or revoke keys, log devices out or delete the account, even with
// the password. Another account's key is not found; a deleted account's
// key is unknown.
func TestAPIKeysCannotManageTheAccount(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, accountConfig())
	olive, oscar := e.signUp("olive"), e.signUp("oscar")
	k := must(olive.CreateAPIKey(ctx, "gpu-box"))

	for _, r := range []struct{ method, path, body string }{
		{"POST", "/keys", `{"name":"another"}`},
		{"GET", "/keys", ""},
		{"DELETE", "/keys/" + k.ID, ""},
		{"DELETE", "/account", `{"password":"` + password + `"}`},
		{"DELETE", "/sessions/current", ""},
	} {
		var body io.Reader
		if r.body != "" {
			body = strings.NewReader(r.body)
		}
		code, resp := e.raw(r.method, r.path, k.Key, body)
		if code != http.StatusForbidden || !strings.Contains(errorMessage(resp), "API key cannot") {
			t.Errorf("%s %s with a key = %d %s; want 403 saying a key cannot", r.method, r.path, code, resp)
		}
	}
	if keys := must(olive.APIKeys(ctx)); len(keys) != 1 || keys[0].Revoked != nil {
		t.Errorf("after the key's attempts the keys are %+v; want the one, still working", keys)
	}
	if _, err := olive.Account(ctx); err != nil {
		t.Errorf("after the key's attempts the account or session is gone: %v", err)
	}

	// Oscar's key is not olive's to revoke, nor to see.
	ok := must(oscar.CreateAPIKey(ctx, "oscar's"))
	if err := olive.RevokeAPIKey(ctx, ok.ID); !statusIs(err, http.StatusNotFound) {
		t.Errorf("olive revokes oscar's key: %v, want 404", err)
	}
	if keys := must(olive.APIKeys(ctx)); len(keys) != 1 || keys[0].ID != k.ID {
		t.Errorf("olive's list = %+v; want her key alone", keys)
	}
	if code, body := e.raw("GET", "/account", ok.Key, nil); code != http.StatusOK || !strings.Contains(string(body), `"username":"oscar"`) {
		t.Errorf("oscar's key after olive tried to revoke it = %d %s; want it to work", code, body)
	}

	// A deleted account's keys go with it.
	if err := oscar.DeleteAccount(ctx, password); err != nil {
		t.Fatal(err)
	}
	if code, body := e.raw("GET", "/account", ok.Key, nil); code != http.StatusUnauthorized || !strings.Contains(errorMessage(body), "not one this server knows") {
		t.Errorf("a deleted account's key = %d %s; want 401, unknown", code, body)
	}
}

// Names are checked, and an account holds at most account.MaxAPIKeys keys
// that work; revoking one makes room.
func TestAPIKeyLimits(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, accountConfig())
	olive := e.signUp("olive")
	for _, name := range []string{"", "   ", "two\nlines", strings.Repeat("n", account.MaxNameRunes+1)} {
		if _, err := olive.CreateAPIKey(ctx, name); !statusIs(err, http.StatusBadRequest) || !strings.Contains(err.Error(), `"name"`) {
			t.Errorf("CreateAPIKey(%q) = %v, want 400 naming the field", name, err)
		}
	}
	var first account.CreatedAPIKey
	for i := range account.MaxAPIKeys {
		k := must(olive.CreateAPIKey(ctx, fmt.Sprintf("key %d", i)))
		if i == 0 {
			first = k
		}
	}
	if _, err := olive.CreateAPIKey(ctx, "one too many"); !statusIs(err, http.StatusConflict) || !strings.Contains(err.Error(), "revoke one") {
		t.Errorf("key %d = %v, want 409 saying to revoke one", account.MaxAPIKeys+1, err)
	}
	must(0, olive.RevokeAPIKey(ctx, first.ID))
	if _, err := olive.CreateAPIKey(ctx, "in its place"); err != nil {
		t.Errorf("a key after revoking one = %v", err)
	}
}

// TestAPIKeyAuthorizationMatrix sends the keys endpoints and a few others
// as nobody, as another account, as the owner's session, with the owner's
// key and with a revoked key of the owner's, and checks each status. A
// key is the owner everywhere except where the account's credentials are
// managed; a revoked key is nobody, told why.
func TestAPIKeyAuthorizationMatrix(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	key := must(f.owner.CreateAPIKey(ctx, "gpu-box"))
	gone := must(f.owner.CreateAPIKey(ctx, "old laptop"))
	must(0, f.owner.RevokeAPIKey(ctx, gone.ID))
	callers := [5]string{"nobody", "another account", "the owner's session", "the owner's key", "a revoked key"}
	tokens := [5]string{"", f.other.token, f.owner.token, key.Key, gone.Key}
	freshKey := func(t *testing.T) string { return "/keys/" + must(f.owner.CreateAPIKey(ctx, f.fresh("spare "))).ID }
	rows := []struct {
		name   string
		method string
		path   func(t *testing.T) string
		body   string
		want   [5]int
	}{
		{name: "make a key", method: "POST", path: fixed("/keys"), body: `{"name":"script"}`, want: [5]int{401, 201, 201, 403, 401}},
		{name: "list keys", method: "GET", path: fixed("/keys"), want: [5]int{401, 200, 200, 403, 401}},
		{name: "revoke a key", method: "DELETE", path: freshKey, want: [5]int{401, 404, 204, 403, 401}},
		{name: "revoke a missing key", method: "DELETE", path: fixed("/keys/00000000000000000000000000000000"), want: [5]int{401, 404, 404, 403, 401}},
		{name: "account", method: "GET", path: fixed("/account"), want: [5]int{401, 200, 200, 200, 401}},
		{name: "delete account, wrong password", method: "DELETE", path: fixed("/account"), body: `{"password":"not the password"}`, want: [5]int{401, 403, 403, 403, 401}},
		{name: "list sessions", method: "GET", path: fixed("/sessions"), want: [5]int{401, 200, 200, 200, 401}},
		{name: "revoke a session", method: "DELETE", path: func(t *testing.T) string {
			s := must(f.e.client(nil).Login(ctx, "olive", password, f.fresh("phone")))
			return "/sessions/" + s.SessionID
		}, want: [5]int{401, 404, 204, 403, 401}},
		{name: "rename this device", method: "PATCH", path: fixed("/sessions/current"), body: `{"device":"renamed"}`, want: [5]int{401, 200, 200, 403, 401}},
		{name: "list members", method: "GET", path: fixed("/members"), want: [5]int{401, 200, 200, 200, 401}},
		{name: "read member (only me)", method: "GET", path: func(*testing.T) string { return "/members/" + f.private.ID }, want: [5]int{401, 403, 200, 200, 401}},
		{name: "update member", method: "PATCH", path: func(*testing.T) string { return "/members/" + f.everyone.ID },
			body: `{"preferences":"always in green"}`, want: [5]int{401, 403, 200, 200, 401}},
		{name: "grant (only me)", method: "POST", path: fixed("/grants"), body: `{"member":"` + f.private.ID + `","project":"p1","scope":"draft"}`,
			want: [5]int{401, 403, 201, 201, 401}},
		{name: "audit", method: "GET", path: fixed("/audit"), want: [5]int{401, 200, 200, 200, 401}},
	}
	for _, r := range rows {
		path := r.path(t)
		for w, token := range tokens {
			var body io.Reader
			if r.body != "" {
				body = strings.NewReader(r.body)
			}
			got, resp := f.e.raw(r.method, path, token, body)
			if got != r.want[w] {
				t.Errorf("%s: %s %s as %s = %d (%s), want %d", r.name, r.method, path, callers[w], got, bytes.TrimSpace(resp), r.want[w])
			}
			msg := errorMessage(resp)
			switch {
			case got >= 400 && msg == "":
				t.Errorf("%s as %s: error without a message: %s", r.name, callers[w], resp)
			case w == 4 && !strings.Contains(msg, "revoked"):
				t.Errorf("%s with a revoked key: %q, want a message saying it was revoked", r.name, msg)
			case w == 3 && got == 403 && r.name != "delete account, wrong password" && !strings.Contains(msg, "API key cannot"):
				t.Errorf("%s with the owner's key: %q, want a message saying a key cannot", r.name, msg)
			}
		}
	}
	// What the key did, it did as the owner.
	if m := must(f.owner.Member(ctx, f.everyone.ID)); m.Preferences != "always in green" {
		t.Errorf("after the key's update the member is %+v", m)
	}
}

// A database from before API keys keeps its audit trail through the
// migration that adds them: every row, its seq, and its append-only rule.
func TestAPIKeysMigrationKeepsTheAudit(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, "server.db"))
	if err != nil {
		t.Fatal(err)
	}
	var qs []string
	for _, name := range []string{"0001_init.sql", "0002_device_ids.sql", "0003_lookalikes.sql"} {
		script, err := os.ReadFile(filepath.Join("migrations", name))
		if err != nil {
			t.Fatal(err)
		}
		qs = append(qs, string(script))
	}
	qs = append(qs, `PRAGMA user_version = 3`,
		`INSERT INTO audit (at, kind, actor_id, owner_id, member_id, detail) VALUES
			(1, 'grant', 'a', 'o', 'm', 'first'), (2, 'use', 'a', 'o', 'm', 'second'), (3, 'removal', 'o', 'o', 'm', 'third')`)
	for _, q := range qs {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	e := newEnv(t, server.Config{Dir: dir})
	olive := e.signUp("olive")
	k := must(olive.CreateAPIKey(ctx, "gpu-box"))
	entries := must(olive.Audit(ctx, "", 100))
	if len(entries) != 1 || entries[0].Seq != 4 || entries[0].Kind != account.AuditKeyCreated || !strings.Contains(entries[0].Detail, k.ID) {
		t.Fatalf("olive's audit after the migration = %+v; want the key's row, seq 4 after the three kept", entries)
	}
	db, err = sql.Open("sqlite3", "file:"+filepath.Join(dir, "server.db")+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var kept string
	if err := db.QueryRowContext(ctx, `SELECT group_concat(seq || ' ' || kind || ' ' || detail, ', ') FROM (SELECT * FROM audit WHERE seq <= 3 ORDER BY seq)`).Scan(&kept); err != nil {
		t.Fatal(err)
	}
	if kept != "1 grant first, 2 use second, 3 removal third" {
		t.Errorf("the old rows after the migration: %q", kept)
	}
	for _, q := range []string{`UPDATE audit SET detail = 'forged'`, `DELETE FROM audit`} {
		if _, err := db.ExecContext(ctx, q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s after the migration = %v, want refused as append-only", q, err)
		}
	}
}
