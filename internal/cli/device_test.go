package cli

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/slatestudio/slate/account/server"
)

// Two data folders logged in to one account from one computer are two
// devices: both stay logged in and sync, both are listed, each can be
// named, and logging one out leaves the other.
func TestTwoDataFoldersOneAccount(t *testing.T) {
	srv, err := server.New(context.Background(), server.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer func() { hs.Close(); srv.Close() }()

	// Both folders go by the same default name, as two SLATE_HOMEs of one
	// person on one computer would before they are named.
	home := person{t: t, dir: t.TempDir(), password: "olive's long password"}
	school := person{t: t, dir: t.TempDir(), password: home.password}
	home.must("account", "signup", "--server", hs.URL, "olive")
	school.must("account", "login", "--server", hs.URL, "olive")
	home.must("account", "sync")
	school.must("account", "sync")

	if out := school.must("account", "status"); !strings.Contains(out, `This data folder is the device "test"`) {
		t.Errorf("status printed %q; want the folder's device name", out)
	}
	if out := school.must("account", "device-name", "Film", "school", "edit", "suite"); !strings.Contains(out, `now the device "Film school edit suite"`) {
		t.Errorf("device-name printed %q", out)
	}
	if out := school.must("account", "device-name"); out != "Film school edit suite\n" {
		t.Errorf("device-name without a name printed %q, want the name", out)
	}
	if _, errs, code := school.run("account", "device-name", "two\nlines"); code != 1 || !strings.Contains(errs, "slate account device-name: the device name holds a line break") {
		t.Errorf("a name with a line break: exit %d, stderr %q", code, errs)
	}
	out := home.must("account", "devices")
	if rows := strings.Count(out, "\n") - 1; rows != 2 || !strings.Contains(out, "Film school edit suite") || !strings.Contains(out, "test") {
		t.Fatalf("devices printed %q; want both folders, one renamed", out)
	}
	if !strings.Contains(lineWith(out, "(this one)"), "test") {
		t.Errorf("devices printed %q; want this folder, still called test, marked", out)
	}

	if out := school.must("account", "logout"); !strings.Contains(out, "Logged out") {
		t.Fatalf("logout printed %q", out)
	}
	home.must("account", "sync")
	if out := home.must("account", "devices"); strings.Count(out, "\n") != 2 || strings.Contains(out, "Film school") {
		t.Errorf("after the other folder logged out, devices printed %q; want this one alone", out)
	}
	if out := school.must("account", "device-name", ""); !strings.Contains(out, `now the device "test"`) {
		t.Errorf("device-name '' printed %q; want the default back", out)
	}
}

// lineWith is the first line of out that holds s.
func lineWith(out, s string) string {
	for line := range strings.Lines(out) {
		if strings.Contains(line, s) {
			return line
		}
	}
	return ""
}
