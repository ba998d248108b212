package cli

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/slatestudio/slate/account/server"
	"github.com/slatestudio/slate/library"
)

// slate consent set --outside yes|no sets whether a member may be sent to
// outside render services, and the server has it: someone who finds them
// reads which it is.
func TestConsentSetOutside(t *testing.T) {
	srv, err := server.New(context.Background(), server.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer func() { hs.Close(); srv.Close() }()
	olive := person{t: t, dir: t.TempDir(), password: "olive's long password"}
	carl := person{t: t, dir: t.TempDir(), password: "carl's long password"}
	lib, err := library.Open(t.Context(), olive.dir, library.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := lib.AddCastMember(context.Background(), &library.CastMember{Name: "Mara Quinn", Handle: "@mara"}); err != nil {
		t.Fatal(err)
	}
	lib.Close()
	olive.must("account", "signup", "--server", hs.URL, "olive")
	carl.must("account", "signup", "--server", hs.URL, "carl")

	out := olive.must("consent", "set", "@mara", "--level", "everyone")
	if !strings.Contains(out, "@mara: Everyone; not to be sent to outside render services.") {
		t.Errorf("consent set printed %q; want the default, not to outside services", out)
	}
	out = olive.must("consent", "set", "@mara", "--outside", "yes")
	if !strings.Contains(out, "@mara: Everyone; may be sent to outside render services.") || !strings.Contains(out, "The account server has it") {
		t.Errorf("consent set --outside yes printed %q", out)
	}
	if out := carl.must("consent", "find", "@mara"); !strings.Contains(out, "Everyone; may be sent to outside render services.") {
		t.Errorf("find printed %q; want the outside choice from the server", out)
	}
	if _, errs, code := olive.run("consent", "set", "@mara", "--outside", "maybe"); code != 2 || !strings.Contains(errs, "--outside is yes or no") {
		t.Errorf("--outside maybe: exit %d, stderr %q; want 2 saying yes or no", code, errs)
	}
}
