package main

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"dev.slate/quietlocale"
)

// TestQuietLocale starts this test binary afresh under LANG=C.UTF-8, as on
// most containers: Fyne's start-up must log nothing about the locale, and
// after quietlocale.Restore (first thing in main) the environment is as it
// was, for the programs Slate runs.
func TestQuietLocale(t *testing.T) {
	if os.Getenv("SLATE_LOCALE_CHILD") == "1" {
		quietlocale.Restore()
		_, ok := os.LookupEnv("LANGUAGE")
		fmt.Printf("LANGUAGE set: %v\n", ok)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestQuietLocale$", "-test.count=1")
	for _, kv := range os.Environ() {
		switch name, _, _ := strings.Cut(kv, "="); name {
		case "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG":
		default:
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "LANG=C.UTF-8", "SLATE_LOCALE_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if strings.Contains(string(out), "locale") {
		t.Errorf("start-up under LANG=C.UTF-8 logged about the locale:\n%s", out)
	}
	if !strings.Contains(string(out), "LANGUAGE set: false") {
		t.Errorf("LANGUAGE was not put back:\n%s", out)
	}
}
