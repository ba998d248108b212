package cli

import (
	"bytes"
	"cmp"
	"context"
	"image"
	"image/jpeg"
	"io"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/slatestudio/slate/account/client"
	"github.com/slatestudio/slate/account/server"
	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/sharing"
)

// person is one studio's data folder, driven through the CLI.
type person struct {
	t        *testing.T
	dir      string
	password string
	device   string // "test" unless set
}

func (p person) run(args ...string) (string, string, int) {
	p.t.Helper()
	var out, errs bytes.Buffer
	env := sharingEnv{
		dataDir:  func() (string, error) { return p.dir, nil },
		stdin:    strings.NewReader(""),
		password: func(string, io.Writer) (string, error) { return p.password, nil },
		open: func(lib *library.Library) *sharing.Service {
			return sharing.New(lib, sharing.Options{Store: client.NewFileStore(p.dir), Device: cmp.Or(p.device, "test")})
		},
	}
	var code int
	switch args[0] {
	case "account":
		code = accountMain(context.Background(), args[1:], &out, &errs, env)
	case "consent":
		code = consentMain(context.Background(), args[1:], &out, &errs, env)
	}
	return out.String(), errs.String(), code
}

func (p person) must(args ...string) string {
	p.t.Helper()
	out, errs, code := p.run(args...)
	if code != 0 {
		p.t.Fatalf("slate %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, out, errs)
	}
	return out
}

func TestAccountAndConsentCommands(t *testing.T) {
	srv, err := server.New(context.Background(), server.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer func() { hs.Close(); srv.Close() }()

	olive := person{t: t, dir: t.TempDir(), password: "olive's long password"}
	carl := person{t: t, dir: t.TempDir(), password: "carl's long password"}

	// Olive has a recorded member before she has an account.
	lib, err := library.Open(t.Context(), olive.dir, library.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var still bytes.Buffer
	jpeg.Encode(&still, image.NewGray(image.Rect(0, 0, 16, 16)), nil)
	sum, _, _ := lib.Blobs().Put(context.Background(), &still)
	if err := lib.AddCastMember(context.Background(), &library.CastMember{Name: "Mara Quinn", Handle: "@mara", Frontal: sum}); err != nil {
		t.Fatal(err)
	}
	lib.Close()

	if out := olive.must("account", "status"); !strings.Contains(out, "Not logged in") {
		t.Fatalf("status before log-in: %q", out)
	}
	out := olive.must("account", "signup", "--server", hs.URL, "olive")
	if !strings.Contains(out, "Logged in to "+hs.URL+" as olive") || !strings.Contains(out, "1 cast members sent") {
		t.Fatalf("signup printed %q; want logged in and the member sent", out)
	}
	out = olive.must("consent", "set", "@mara", "--level", "approved", "--preferences", "always wears a red scarf")
	if !strings.Contains(out, "People I approve") || !strings.Contains(out, "The account server has it") {
		t.Fatalf("consent set printed %q", out)
	}

	carl.must("account", "signup", "--server", hs.URL, "carl")
	out = carl.must("consent", "find", "@mara")
	if !strings.Contains(out, "@mara · olive (Mara Quinn), owned by olive: People I approve") || !strings.Contains(out, "always wears a red scarf") {
		t.Fatalf("find printed %q; want the level and the owner's wishes from the server", out)
	}
	carl.must("consent", "ask", "@mara", "for", "my", "kite", "film")

	out = olive.must("consent", "requests")
	id := regexp.MustCompile(`(?m)^([0-9a-f]{16,32})\s+@mara\s+carl\s+for my kite film`).FindStringSubmatch(out)
	if id == nil {
		t.Fatalf("requests printed %q; want carl's request with its message", out)
	}
	if out := olive.must("consent", "accept", id[1]); !strings.Contains(out, "accepted") {
		t.Fatalf("accept printed %q", out)
	}
	if out := carl.must("account", "sync"); !strings.Contains(out, "You are approved to feature @mara") {
		t.Fatalf("carl's sync printed %q; want the approval", out)
	}
	if out := olive.must("consent", "uses"); !strings.Contains(out, "Nobody has used") {
		t.Fatalf("uses printed %q", out)
	}

	// A wrong password is refused with the server's message and exit 1.
	bad := carl
	bad.password = "not it at all"
	bad.dir = t.TempDir()
	if _, errs, code := bad.run("account", "login", "--server", hs.URL, "carl"); code != 1 || !strings.Contains(errs, "slate account login:") {
		t.Fatalf("wrong password: exit %d, stderr %q", code, errs)
	}
	// Plain http to another computer is refused before any password goes.
	if _, errs, code := carl.run("account", "login", "--server", "http://example.com", "carl"); code != 1 || !strings.Contains(errs, "https") {
		t.Fatalf("plain http elsewhere: exit %d, stderr %q", code, errs)
	}

	// Carl logs in on a second computer, sees both devices, and logs the
	// first one out from there.
	carl2 := person{t: t, dir: t.TempDir(), password: carl.password, device: "test-desktop"}
	carl2.must("account", "login", "--server", hs.URL, "carl")
	out = carl2.must("account", "devices")
	if strings.Count(out, "test") != 2 || !strings.Contains(out, "(this one)") {
		t.Fatalf("devices printed %q; want two sessions, this one marked", out)
	}
	var first string
	for _, line := range strings.Split(out, "\n")[1:] {
		if f := strings.Fields(line); len(f) > 0 && !strings.Contains(line, "(this one)") {
			first = f[0]
		}
	}
	carl2.must("account", "revoke", first)
	if _, errs, code := carl.run("consent", "requests"); code != 1 || !strings.Contains(errs, "log in again") {
		t.Fatalf("the revoked device still works: exit %d, stderr %q", code, errs)
	}
	// Deleting the account takes its password and leaves the studio logged out.
	if out := carl2.must("account", "delete"); !strings.Contains(out, "Deleted the account carl") {
		t.Fatalf("delete printed %q", out)
	}
	if _, errs, code := carl2.run("account", "login", "--server", hs.URL, "carl"); code != 1 || errs == "" {
		t.Fatalf("log-in to a deleted account: exit %d, stderr %q", code, errs)
	}

	if out := olive.must("account", "logout"); !strings.Contains(out, "Logged out of "+hs.URL) {
		t.Fatalf("logout printed %q", out)
	}
	if _, errs, code := olive.run("consent", "uses"); code != 1 || !strings.Contains(errs, "not logged in") {
		t.Fatalf("uses after log-out: exit %d, stderr %q", code, errs)
	}
}
