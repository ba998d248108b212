package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/slatestudio/slate/consent"
	"github.com/slatestudio/slate/library"
)

func castRun(t *testing.T, dir string, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := castEnv{dataDir: func() (string, error) { return dir, nil }, stdin: strings.NewReader(stdin)}
	code := castMain(context.Background(), args, &out, &errb, env)
	return code, out.String(), errb.String()
}

func TestCastListAndDelete(t *testing.T) {
	dir := t.TempDir()
	if code, out, _ := castRun(t, dir, "", "list"); code != 0 || !strings.Contains(out, "No cast members yet") {
		t.Errorf("empty list: %d %q", code, out)
	}
	lib, err := library.Open(t.Context(), dir, library.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sum, _, _ := lib.Blobs().Put(context.Background(), strings.NewReader("still"))
	m := &library.CastMember{Name: "Mara Quinn", Handle: "@mara", Frontal: sum, Preferences: "red scarf"}
	if err := lib.AddCastMember(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	theirs := &library.CastMember{ID: "0123456789abcdef", Name: "Ola Berg", Handle: "@ola", Owner: "acct9", OwnerName: "olga", Consent: consent.Everyone}
	if err := lib.PutRemoteMember(context.Background(), theirs); err != nil {
		t.Fatal(err)
	}
	lib.Close()

	code, out, _ := castRun(t, dir, "", "list")
	if code != 0 || !strings.Contains(out, "@mara") || !strings.Contains(out, "Mara Quinn") || !strings.Contains(out, "Only me") || !strings.Contains(out, "red scarf") {
		t.Errorf("list: %d\n%s", code, out)
	}
	// Someone else's member is listed with its owner's username beside the
	// handle, which tells it from a look-alike.
	if !strings.Contains(out, "@ola · olga  ") {
		t.Errorf("list does not show @ola with its owner's username:\n%s", out)
	}
	// Answering no keeps them.
	if code, out, _ := castRun(t, dir, "n\n", "delete", "@mara"); code != 0 || !strings.Contains(out, "Kept.") {
		t.Errorf("delete, answered no: %d %q", code, out)
	}
	if code, out, _ := castRun(t, dir, "y\n", "delete", "mara"); code != 0 || !strings.Contains(out, "Deleted Mara Quinn (@mara) and their media.") {
		t.Errorf("delete, answered yes: %d %q", code, out)
	}
	if code, _, errOut := castRun(t, dir, "", "delete", "@mara", "--yes"); code != 1 || !strings.Contains(errOut, "no cast member @mara") {
		t.Errorf("deleting again: %d %q", code, errOut)
	}
	lib, _ = library.Open(t.Context(), dir, library.Options{})
	defer lib.Close()
	if lib.Blobs().Has(sum) {
		t.Error("the deleted member's still is still stored")
	}
}

func TestCastUsage(t *testing.T) {
	if code, _, errOut := castRun(t, t.TempDir(), "", "dance"); code != 2 || !strings.Contains(errOut, "use record, list or delete") {
		t.Errorf("unknown command: %d %q", code, errOut)
	}
	if code, _, _ := castRun(t, t.TempDir(), "", "delete"); code != 2 {
		t.Errorf("delete with no member: exit %d, want 2", code)
	}
}
