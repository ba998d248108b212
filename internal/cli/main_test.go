package cli

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
)

// requireDeps skips a test whose external component is missing, or fails
// it when SLATE_REQUIRE_DEPS=1 (as CI sets).
func requireDeps(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if os.Getenv("SLATE_REQUIRE_DEPS") == "1" {
		t.Fatalf("SLATE_REQUIRE_DEPS=1: %v", err)
	}
	t.Skip(err)
}

func runArgs(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Main(context.Background(), args, strings.NewReader(""), &out, &errb, nil)
	return code, out.String(), errb.String()
}

func TestHelp(t *testing.T) {
	for _, arg := range []string{"help", "-h", "--help"} {
		code, stdout, stderr := runArgs(t, arg)
		if code != 0 || stderr != "" {
			t.Errorf("slate %s: exit %d, stderr %q; want 0 and nothing", arg, code, stderr)
		}
		for _, want := range []string{"slate render FILE.slate -o FILM.mp4", "--shots", "--backend", "--workers", "--quiet", "slate doctor", "slate version", "slate help", "slate FILE.slate", "SLATE_HOME", "SLATE_ORT_LIB"} {
			if !strings.Contains(stdout, want) {
				t.Errorf("slate %s does not mention %q", arg, want)
			}
		}
	}
}

func TestUnknownCommand(t *testing.T) {
	for _, args := range [][]string{{"rendr"}, {"project.txt"}, {"doctor", "now"}, {"a.slate", "b.slate"}} {
		code, stdout, stderr := runArgs(t, args...)
		if code != 2 || stdout != "" || stderr == "" {
			t.Errorf("slate %q: exit %d, stdout %q, stderr %q; want exit 2 and a message on stderr", args, code, stdout, stderr)
		}
	}
	_, _, stderr := runArgs(t, "rendr")
	if !strings.Contains(stderr, `unknown command "rendr"`) || !strings.Contains(stderr, "Usage:") {
		t.Errorf("slate rendr: stderr %q, want the command named and the usage", stderr)
	}
}
