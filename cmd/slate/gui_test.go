package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/slatestudio/slate/library"
)

func TestOpenProject(t *testing.T) {
	ctx := context.Background()
	lib, err := library.Open(t.Context(), t.TempDir(), library.Options{Exclusive: true})
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()

	// First launch: the built-in demo.
	first, err := openProject(ctx, lib, "")
	if err != nil {
		t.Fatal(err)
	}
	if p := first.Project(); p.Title != "Last Light" || len(p.Shots) != 5 {
		t.Fatalf("first launch opened %q with %d shots, want the demo", p.Title, len(p.Shots))
	}
	// Next launch: the same project, not a second copy of the demo.
	again, err := openProject(ctx, lib, "")
	if err != nil {
		t.Fatal(err)
	}
	if again.Project().ID != first.Project().ID {
		t.Errorf("second launch opened project %s, want %s again", again.Project().ID, first.Project().ID)
	}
	// A file is imported as a new project.
	imported, err := openProject(ctx, lib, "../../examples/demo.slate")
	if err != nil {
		t.Fatal(err)
	}
	projects, _ := lib.Projects(ctx)
	if imported.Project().ID == first.Project().ID || len(projects) != 2 {
		t.Errorf("importing a file: %d projects, want 2", len(projects))
	}
	if _, err := openProject(ctx, lib, "missing.slate"); err == nil || !strings.Contains(err.Error(), "missing.slate") {
		t.Errorf("openProject(missing.slate) = %v, want an error naming the file", err)
	}
}

// TestSecondStudioRefused opens the GUI on a data folder another studio
// holds: it must say so and exit before making a window.
func TestSecondStudioRefused(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("SLATE_HOME", dir)
	held, err := library.Open(t.Context(), dir, library.Options{Exclusive: true})
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	var stderr bytes.Buffer
	if code := gui(context.Background(), "", &stderr); code != 1 {
		t.Errorf("gui with the folder held: exit %d, want 1", code)
	}
	if !strings.HasPrefix(stderr.String(), "slate: another Slate studio") || !strings.Contains(stderr.String(), "SLATE_HOME") {
		t.Errorf("gui with the folder held said %q, want the library's refusal", stderr.String())
	}
}

// With no display the studio says so, and what works without one, instead
// of the window toolkit's panic and stack trace.
func TestNoDisplay(t *testing.T) {
	t.Setenv("DISPLAY", "")
	t.Setenv("WAYLAND_DISPLAY", "")
	t.Setenv("SLATE_HOME", t.TempDir())
	var stderr bytes.Buffer
	if code := gui(context.Background(), "", &stderr); code != 1 || !strings.Contains(stderr.String(), "no display") || !strings.Contains(stderr.String(), "slate help") {
		t.Errorf("slate with no display = %d, %q; want 1 and a line saying there is no display and what to use instead", code, stderr.String())
	}
}
