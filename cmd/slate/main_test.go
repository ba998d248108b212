package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"regexp"
	"testing"

	"github.com/slatestudio/slate/internal/cli"
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

func TestVersion(t *testing.T) {
	var stdout bytes.Buffer
	if code := cli.Main(context.Background(), []string{"version"}, nil, &stdout, io.Discard, nil); code != 0 || stdout.String() != "slate "+cli.Version+"\n" {
		t.Errorf("slate version = %d, %q", code, stdout.String())
	}
	// FyneApp.toml carries the same version and app ID.
	toml, err := os.ReadFile("../../FyneApp.toml")
	if err != nil {
		t.Fatal(err)
	}
	field := func(name string) string {
		m := regexp.MustCompile(`(?m)^\s*` + name + `\s*=\s*"([^"]*)"`).FindSubmatch(toml)
		if m == nil {
			return ""
		}
		return string(m[1])
	}
	if v := field("Version"); v != cli.Version {
		t.Errorf("FyneApp.toml has Version %q, the binary %q", v, cli.Version)
	}
	if id := field("ID"); id != appID {
		t.Errorf("FyneApp.toml has ID %q, the binary %q", id, appID)
	}
}
