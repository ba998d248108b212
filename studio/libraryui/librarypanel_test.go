package libraryui

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/timeline"
)

func TestAgo(t *testing.T) {
	now := time.Date(2025, 3, 14, 15, 30, 0, 0, time.UTC)
	for _, tc := range []struct {
		then time.Time
		want string
	}{
		{now, "just now"},
		{now.Add(30 * time.Second), "just now"}, // a clock a little ahead
		{now.Add(-59 * time.Second), "just now"},
		{now.Add(-2 * time.Minute), "2 min ago"},
		{now.Add(-59 * time.Minute), "59 min ago"},
		{now.Add(-3 * time.Hour), "3 h ago"},
		{now.Add(-15 * time.Hour), "15 h ago"}, // still today
		{time.Date(2025, 3, 14, 4, 0, 0, 0, time.UTC), "11 h ago"},
		{time.Date(2025, 3, 13, 23, 0, 0, 0, time.UTC), "yesterday"},
		{time.Date(2025, 3, 13, 9, 0, 0, 0, time.UTC), "yesterday"},
		{time.Date(2025, 1, 2, 9, 0, 0, 0, time.UTC), "2 Jan"},
		{time.Date(2024, 12, 31, 9, 0, 0, 0, time.UTC), "31 Dec 2024"},
	} {
		if got := ago(now, tc.then); got != tc.want {
			t.Errorf("ago(%v, %v) = %q, want %q", now, tc.then, got, tc.want)
		}
	}
}

func TestFileName(t *testing.T) {
	for _, tc := range []struct{ title, want string }{
		{"Last Light", "Last Light.mp4"},
		{"a/b: c?", "a-b- c-.mp4"},
		{"  ..  ", "film.mp4"},
		{"", "film.mp4"},
	} {
		if got := fileName(tc.title, ".mp4"); got != tc.want {
			t.Errorf("fileName(%q) = %q, want %q", tc.title, got, tc.want)
		}
	}
}

func projectWith(title string, shots int) *timeline.Project {
	p := timeline.New(title)
	for i := range shots {
		p.Shots = append(p.Shots, timeline.NewShot("Shot "+string(rune('1'+i))))
	}
	return p
}

func TestProjectsList(t *testing.T) {
	f := newFixture(t, media.FindTools(), projectWith("Alpha", 2), projectWith("Beta", 1), projectWith("Gamma", 3))
	l := f.panel
	got := f.titles()
	slices.Sort(got)
	if !slices.Equal(got, []string{"Alpha", "Beta", "Gamma"}) {
		t.Fatalf("the list shows %q, want Alpha, Beta and Gamma", got)
	}
	if l.selectedID != f.s.Project().ID || f.s.Project().Title != "Alpha" {
		t.Errorf("picked project %s, want the open one, Alpha", l.selectedID)
	}
	if !l.openBtn.Disabled() {
		t.Error("Open is enabled with the open project picked")
	}
	shown := texts(l.projectList)
	for _, want := range []string{"Alpha", "Beta", "Gamma", "open · 2 shots · changed just now", "1 shot · changed just now", "3 shots"} {
		if !strings.Contains(shown, want) {
			t.Errorf("the projects list does not show %q; it shows:\n%s", want, shown)
		}
	}
	if strings.Count(shown, "open · ") != 1 {
		t.Errorf("want exactly one project marked open:\n%s", shown)
	}

	// Picking another and pressing Open switches to it.
	f.selectProject("Gamma")
	if l.openBtn.Disabled() {
		t.Fatal("Open is disabled with another project picked")
	}
	test.Tap(l.openBtn)
	f.until("Gamma to open", 10*time.Second, func() bool { return f.s.Project().Title == "Gamma" })
	f.idle()
	if len(f.s.Project().Shots) != 3 {
		t.Errorf("Gamma opened with %d shots, want 3", len(f.s.Project().Shots))
	}
	if s := texts(l.projectList); !strings.Contains(s, "open · 3 shots") {
		t.Errorf("Gamma is not marked open:\n%s", s)
	}

	// A double tap on a row opens it too.
	for i, p := range l.projects {
		if p.Title == "Beta" {
			row := newProjectRow()
			l.updateProjectRow(t.Context(), i, row)
			test.DoubleTap(row)
		}
	}
	f.until("Beta to open", 10*time.Second, func() bool { return f.s.Project().Title == "Beta" })

	// Open project focuses the list (the studio brings the tab forward:
	// its tests check that).
	f.panel.OpenProject()
	if f.win.Canvas().Focused() != l.projectList {
		t.Error("Open project did not focus the projects list")
	}
	// From there the keyboard opens a project: pick it, press Enter.
	f.selectProject("Alpha")
	l.projectList.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	f.until("Alpha to open", 10*time.Second, func() bool { return f.s.Project().Title == "Alpha" })
}

func TestNewProject(t *testing.T) {
	f := newFixture(t, media.FindTools())
	f.panel.NewProject(t.Context())
	d := f.topDialog()
	if d == nil {
		t.Fatal("New project showed no dialog")
	}
	e := f.entry(d)
	if e.Text != untitled {
		t.Errorf("the title offered is %q, want %q", e.Text, untitled)
	}
	e.SetText("")
	if !f.button(d, "Create").Disabled() {
		t.Error("Create is enabled with no title")
	}
	test.Type(e, "Second film")
	f.tap("Create")
	f.until("the new project to open", 10*time.Second, func() bool { return f.s.Project().Title == "Second film" })
	f.idle()
	p := f.s.Project()
	if len(p.Shots) != 1 {
		t.Errorf("the new project has %d shots, want one to start from", len(p.Shots))
	}
	stored := f.stored()
	if len(stored) != 2 || stored[0].ID != p.ID {
		t.Errorf("the library holds %v, want the new project first of two", stored)
	}
	if !strings.Contains(texts(f.panel.projectList), "open · 1 shot") {
		t.Errorf("the new project is not shown open:\n%s", texts(f.panel.projectList))
	}
}

func TestDuplicateProject(t *testing.T) {
	f := newFixture(t, media.FindTools(), projectWith("Alpha", 2), projectWith("Beta", 1))
	l := f.panel
	openID := f.s.Project().ID
	f.selectProject("Beta")
	l.askDuplicate(t.Context())
	e := f.entry(f.topDialog())
	if e.Text != "Beta copy" {
		t.Errorf("the copy's title offered is %q, want %q", e.Text, "Beta copy")
	}
	f.tap("Duplicate")
	f.until("the copy to show", 10*time.Second, func() bool { return len(l.projects) == 3 })
	f.idle()
	var copied library.ProjectInfo
	for _, p := range f.stored() {
		if p.Title == "Beta copy" {
			copied = p
		}
	}
	if copied.ID == "" || copied.Shots != 1 {
		t.Fatalf("the library holds %v, want a one-shot Beta copy", f.stored())
	}
	if l.selectedID != copied.ID {
		t.Error("the copy is not picked in the list")
	}
	if f.s.Project().ID != openID {
		t.Error("duplicating switched the open project")
	}
}

func TestDeleteProject(t *testing.T) {
	f := newFixture(t, media.FindTools(), projectWith("Alpha", 2), projectWith("Beta", 1), projectWith("Gamma", 1))
	l := f.panel

	// Keep it: nothing happens.
	f.selectProject("Beta")
	l.askDelete(t.Context())
	msg := texts(f.topDialog())
	if !strings.Contains(msg, "“Beta”") || !strings.Contains(msg, "cannot be undone") {
		t.Errorf("the confirmation says %q; want it to name Beta and say it cannot be undone", msg)
	}
	f.tap("Keep it")
	f.idle()
	if n := len(f.stored()); n != 3 {
		t.Fatalf("after Keep it the library holds %d projects, want 3", n)
	}

	// Delete: gone.
	l.askDelete(t.Context())
	f.tap("Delete")
	f.until("Beta to go", 10*time.Second, func() bool { return len(l.projects) == 2 })
	for _, p := range f.stored() {
		if p.Title == "Beta" {
			t.Fatal("Beta is still in the library")
		}
	}
	if f.s.Project().Title != "Alpha" {
		t.Errorf("deleting another project switched to %q", f.s.Project().Title)
	}

	// Deleting the open project opens the next most recent.
	f.selectProject("Alpha")
	l.askDelete(t.Context())
	if msg := texts(f.topDialog()); !strings.Contains(msg, "open project") {
		t.Errorf("the confirmation does not say Alpha is open: %q", msg)
	}
	f.tap("Delete")
	f.until("Gamma to open", 10*time.Second, func() bool { return f.s.Project().Title == "Gamma" })
	f.idle()

	// And deleting the last one opens a new empty one.
	f.selectProject("Gamma")
	l.askDelete(t.Context())
	f.tap("Delete")
	f.until("a new project to open", 10*time.Second, func() bool { return f.s.Project().Title == untitled })
	f.idle()
	stored := f.stored()
	if len(stored) != 1 || stored[0].ID != f.s.Project().ID || len(f.s.Project().Shots) != 1 {
		t.Errorf("after deleting every project the library holds %v, want just the new one, open", stored)
	}
	if !slices.Equal(f.titles(), []string{untitled}) {
		t.Errorf("the list shows %q", f.titles())
	}
}

func TestImportProject(t *testing.T) {
	f := newFixture(t, media.FindTools())
	l := f.panel
	demo, err := library.ReadFile("../../examples/demo.slate")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	good := filepath.Join(dir, "demo.slate")
	if err := library.WriteFile(good, demo); err != nil {
		t.Fatal(err)
	}
	l.importFile(t.Context(), good)
	f.until("the import to open", 10*time.Second, func() bool { return f.s.Project().Title == demo.Title })
	f.idle()
	if n := len(f.stored()); n != 2 || len(l.projects) != 2 {
		t.Errorf("after importing the library holds %d projects and the list %d, want 2", n, len(l.projects))
	}
	if got := len(f.s.Project().Shots); got != len(demo.Shots) {
		t.Errorf("imported %d shots, want %d", got, len(demo.Shots))
	}

	// A truncated file: the reason in a dialog, nothing stored.
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "truncated.slate")
	if err := os.WriteFile(bad, data[:len(data)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	_, want := library.ReadFile(bad)
	if want == nil || strings.Contains(want.Error(), "\n") {
		t.Fatalf("ReadFile(truncated) = %v, want a one-line error", want)
	}
	openID := f.s.Project().ID
	l.importFile(t.Context(), bad)
	f.until("the error", 10*time.Second, func() bool { return f.topDialog() != nil })
	f.idle()
	if msg := texts(f.topDialog()); !strings.Contains(msg, want.Error()) || !strings.Contains(msg, "Nothing was added") {
		t.Errorf("the dialog says %q, want %q and that nothing was added", msg, want)
	}
	if n := len(f.stored()); n != 2 {
		t.Errorf("after a bad import the library holds %d projects, want 2", n)
	}
	if f.s.Project().ID != openID {
		t.Error("a bad import switched the open project")
	}
}

func TestExportProjectFile(t *testing.T) {
	f := newFixture(t, media.FindTools(), projectWith("Alpha", 2), projectWith("Beta", 3))
	l := f.panel
	f.selectProject("Beta")
	p, _ := l.selected()
	out := filepath.Join(t.TempDir(), "beta.slate")
	// The save dialog leaves an empty file where it was told to save.
	if err := os.WriteFile(out, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	l.exportFile(t.Context(), p, out)
	f.idle()
	got, err := library.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != "Beta" || len(got.Shots) != 3 {
		t.Errorf("exported %q with %d shots, want Beta with 3", got.Title, len(got.Shots))
	}
	if !strings.Contains(l.status.Text, out) {
		t.Errorf("the panel says %q, want it to name %s", l.status.Text, out)
	}

	// A folder that does not exist: the reason, and no file.
	missing := filepath.Join(t.TempDir(), "no", "such", "beta.slate")
	l.exportFile(t.Context(), p, missing)
	f.idle()
	if d := f.topDialog(); d == nil || !strings.Contains(texts(d), "Could not export") {
		t.Error("exporting into a missing folder showed no error")
	}
	if _, err := os.Stat(missing); err == nil {
		t.Error("a failed export left a file")
	}
}

func TestWithExt(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		renamed  bool
	}{
		{"/v/film.mp4", "/v/film.mp4", false},
		{"/v/film.MP4", "/v/film.MP4", false},
		{"/v/film", "/v/film.mp4", true},
		{"/v/film.mov", "/v/film.mov.mp4", true},
		{"/v/my.film", "/v/my.film.mp4", true},
	} {
		if got, renamed := withExt(tc.in, ".mp4"); got != tc.want || renamed != tc.renamed {
			t.Errorf("withExt(%q) = %q, %v, want %q, %v", tc.in, got, renamed, tc.want, tc.renamed)
		}
	}
}

func TestDropPlaceholder(t *testing.T) {
	dir := t.TempDir()
	empty, full := filepath.Join(dir, "empty.mp4"), filepath.Join(dir, "full.mp4")
	os.WriteFile(empty, nil, 0o644)
	os.WriteFile(full, []byte("film"), 0o644)
	dropPlaceholder(empty)
	dropPlaceholder(full)
	dropPlaceholder(filepath.Join(dir, "missing.mp4"))
	if _, err := os.Stat(empty); err == nil {
		t.Error("the empty placeholder is still there")
	}
	if _, err := os.Stat(full); err != nil {
		t.Error("a file with something in it was removed")
	}
}

// The projects a library holds change under the panel only through it, so
// its list must follow an edit in the open project too.
func TestListFollowsEdits(t *testing.T) {
	f := newFixture(t, media.FindTools(), projectWith("Alpha", 1), projectWith("Beta", 1))
	f.selectProject("Beta")
	test.Tap(f.panel.openBtn)
	f.until("Beta to open", 10*time.Second, func() bool { return f.s.Project().Title == "Beta" })
	f.idle()
	f.s.AddShot(t.Context())
	f.idle()
	if s := texts(f.panel.projectList); !strings.Contains(s, "open · 2 shots") {
		t.Errorf("after adding a shot the list shows:\n%s", s)
	}
	if ps := f.stored(); ps[0].Title != "Beta" {
		t.Errorf("the most recently changed project is %q, want Beta", ps[0].Title)
	}
}
