package cli

import (
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/account/accounttest"
)

// keyCall sends GET /api/v1/account with key as the bearer token and
// returns the status and the username or the error message.
func keyCall(t *testing.T, server, key string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, server+account.Prefix+"/account", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var body struct {
		Username string            `json:"username"`
		Error    account.ErrorBody `json:"error"`
	}
	json.Unmarshal(data, &body)
	if resp.StatusCode == http.StatusOK {
		return resp.StatusCode, body.Username
	}
	return resp.StatusCode, body.Error.Message
}

// "slate account keys" makes a key and shows it once, lists keys without
// showing them, and revokes one, against the real server on loopback.
func TestAccountKeysCommands(t *testing.T) {
	srv := accounttest.Start(t)
	olive := person{t: t, dir: t.TempDir(), password: "olive's long password"}
	carl := person{t: t, dir: t.TempDir(), password: "carl's long password"}

	if _, errs, code := olive.run("account", "keys", "list"); code != 1 || !strings.Contains(errs, "log in first") {
		t.Fatalf("keys list before log-in: exit %d, stderr %q; want 1 and log in first", code, errs)
	}
	olive.must("account", "signup", "--server", srv, "olive")
	carl.must("account", "signup", "--server", srv, "carl")
	if out := olive.must("account", "keys", "list"); !strings.Contains(out, "no API keys") {
		t.Fatalf("keys list with none printed %q", out)
	}

	out := olive.must("account", "keys", "create", "gpu", "box")
	m := regexp.MustCompile(`(?m)^Made the API key "gpu box" \(ID ([0-9a-f]{32})\):\n\n(slk_[A-Za-z0-9_-]{43})\n\n`).FindStringSubmatch(out)
	if m == nil || !strings.Contains(out, "it will not be shown again") || !strings.Contains(out, "slate account keys revoke "+m[1]) {
		t.Fatalf("keys create printed %q; want the key on a line of its own, said to be shown this once, and how to revoke it", out)
	}
	id, key := m[1], m[2]
	if code, who := keyCall(t, srv, key); code != http.StatusOK || who != "olive" {
		t.Fatalf("the key on GET /account = %d %q; want olive", code, who)
	}

	out = olive.must("account", "keys", "list")
	if strings.Contains(out, key) || strings.Contains(out, strings.TrimPrefix(key, "slk_")) {
		t.Fatalf("keys list shows the key itself: %q", out)
	}
	if !regexp.MustCompile(`(?m)^KEY\s+NAME\s+MADE\s+LAST USED\s+STATE\n` + id + `\s+gpu box\s+\S+ \S+\s+.*works$`).MatchString(out) {
		t.Fatalf("keys list printed %q; want the key's row, working", out)
	}

	// Carl cannot revoke it; olive can, and then it is refused at once.
	if _, errs, code := carl.run("account", "keys", "revoke", id); code != 1 || !strings.Contains(errs, "not found") {
		t.Fatalf("carl revokes olive's key: exit %d, stderr %q; want 1, not found", code, errs)
	}
	if out := olive.must("account", "keys", "revoke", id); !strings.Contains(out, "Revoked the API key "+id) {
		t.Fatalf("keys revoke printed %q", out)
	}
	if code, msg := keyCall(t, srv, key); code != http.StatusUnauthorized || !strings.Contains(msg, "revoked") {
		t.Fatalf("the revoked key on GET /account = %d %q; want 401 saying it was revoked", code, msg)
	}
	if out := olive.must("account", "keys", "list"); !regexp.MustCompile(`(?m)^` + id + `\s+gpu box\s.*revoked \S+ \S+$`).MatchString(out) {
		t.Fatalf("keys list after revoking printed %q; want the key marked revoked", out)
	}

	for _, args := range [][]string{{"account", "keys"}, {"account", "keys", "create"}, {"account", "keys", "revoke"}, {"account", "keys", "rotate"}} {
		if _, errs, code := olive.run(args...); code != 2 || errs == "" {
			t.Errorf("slate %s: exit %d, stderr %q; want 2 and what to type", strings.Join(args, " "), code, errs)
		}
	}
}
