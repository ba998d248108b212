package library

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slatestudio/slate/internal/userfile/userfiletest"
	"github.com/slatestudio/slate/timeline"
)

func open(t testing.TB, dir string) *Library {
	t.Helper()
	l, err := Open(t.Context(), dir, Options{Exclusive: true})
	if err != nil {
		t.Fatalf("Open(%s) = %v", dir, err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func demo(t testing.TB) *timeline.Project {
	t.Helper()
	p, err := ReadFile("../examples/demo.slate")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func encode(t testing.TB, p *timeline.Project) []byte {
	t.Helper()
	b, err := timeline.Encode(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDefaultDir(t *testing.T) {
	t.Setenv("SLATE_HOME", "")
	t.Setenv("XDG_DATA_HOME", "/data/home")
	if d, _ := DefaultDir(); d != "/data/home/slate" {
		t.Errorf("DefaultDir() with XDG_DATA_HOME = %q, want /data/home/slate", d)
	}
	t.Setenv("SLATE_HOME", "/elsewhere/studio")
	if d, _ := DefaultDir(); d != "/elsewhere/studio" {
		t.Errorf("DefaultDir() with SLATE_HOME = %q, want /elsewhere/studio", d)
	}
	t.Setenv("SLATE_HOME", "")
	t.Setenv("XDG_DATA_HOME", "")
	t.Setenv("HOME", "/home/ana")
	if d, _ := DefaultDir(); d != "/home/ana/.local/share/slate" {
		t.Errorf("DefaultDir() = %q, want /home/ana/.local/share/slate", d)
	}
}

func TestSecondStudioRefused(t *testing.T) {
	dir := t.TempDir()
	open(t, dir)
	_, err := Open(t.Context(), dir, Options{Exclusive: true})
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open = %v, want ErrLocked", err)
	}
	for _, want := range []string{"another Slate studio", dir, "SLATE_HOME"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	// A tool that only reads or renders may open beside the studio.
	l, err := Open(t.Context(), dir, Options{})
	if err != nil {
		t.Fatalf("non-exclusive Open beside the studio = %v", err)
	}
	l.Close()
}

func TestLockReleasedOnClose(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(t.Context(), dir, Options{Exclusive: true})
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	open(t, dir)
}

func TestNewerDatabaseRefused(t *testing.T) {
	dir := t.TempDir()
	l := open(t, dir)
	if _, err := l.db.Exec("PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}
	l.Close()
	_, err := Open(t.Context(), dir, Options{})
	if err == nil || !strings.Contains(err.Error(), "newer Slate") {
		t.Fatalf("Open of a newer database = %v, want a newer-Slate error", err)
	}
}

func TestProjectRoundTrip(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l := open(t, dir)
	d, err := l.CreateProject(ctx, demo(t))
	if err != nil {
		t.Fatal(err)
	}
	id := d.Project().ID
	want := encode(t, d.Project())
	l.Close()

	l = open(t, dir)
	d2, err := l.OpenProject(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if got := encode(t, d2.Project()); !bytes.Equal(got, want) {
		t.Errorf("reopened project differs:\n%s\nwant\n%s", got, want)
	}
	list, err := l.Projects(ctx)
	if err != nil || len(list) != 1 || list[0].Title != "Last Light" || list[0].Shots != 5 {
		t.Errorf("Projects() = %+v, %v; want one project Last Light with 5 shots", list, err)
	}
	if _, err := l.OpenProject(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("OpenProject(nope) = %v, want ErrNotFound", err)
	}
}

// changes counts the rows a function writes, from SQLite's own counter on
// the library's single connection.
func changes(t *testing.T, l *Library, fn func()) int {
	t.Helper()
	var before, after int
	if err := l.db.QueryRow("SELECT total_changes()").Scan(&before); err != nil {
		t.Fatal(err)
	}
	fn()
	if err := l.db.QueryRow("SELECT total_changes()").Scan(&after); err != nil {
		t.Fatal(err)
	}
	return after - before
}

func TestEditWritesOnlyWhatChanged(t *testing.T) {
	ctx := context.Background()
	l := open(t, t.TempDir())
	p := timeline.New("Many")
	for range 500 {
		p.Shots = append(p.Shots, timeline.NewShot("s"))
	}
	d, err := l.CreateProject(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	id := p.Shots[250].ID
	tests := []struct {
		name string
		c    timeline.Command
		rows int // shot rows plus the project's updated_at and its count of edits for sync
	}{
		{"prompt", timeline.SetPrompt(id, "changed"), 3},
		{"move", timeline.MoveShot(id, 3), 3},
		{"add", timeline.AddShot(100, timeline.NewShot("new")), 3},
		{"delete", timeline.DeleteShots(p.Shots[7].ID), 3},
		{"title", timeline.SetTitle("Renamed"), 2},
	}
	for _, tt := range tests {
		n := changes(t, l, func() {
			if _, err := d.Do(ctx, tt.c); err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
		})
		if n != tt.rows {
			t.Errorf("%s wrote %d rows, want %d", tt.name, n, tt.rows)
		}
	}
	d2, err := l.OpenProject(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(encode(t, d2.Project()), encode(t, d.Project())) {
		t.Errorf("stored project differs from the edited one")
	}
}

// Moving shots into the same gap again and again uses it up; the positions
// are then spread out and the order stays right.
func TestPositionsRespread(t *testing.T) {
	ctx := context.Background()
	l := open(t, t.TempDir())
	p := timeline.New("Order")
	for range 4 {
		p.Shots = append(p.Shots, timeline.NewShot("s"))
	}
	d, err := l.CreateProject(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 60 {
		// Move the last shot to position 1: always into the gap after shot 0.
		if _, err := d.Do(ctx, timeline.MoveShot(p.Shots[len(p.Shots)-1].ID, 1)); err != nil {
			t.Fatal(err)
		}
		if i%2 == 0 {
			if _, err := d.Do(ctx, timeline.AddShot(1, timeline.NewShot("new"))); err != nil {
				t.Fatal(err)
			}
		}
	}
	d2, err := l.OpenProject(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(encode(t, d2.Project()), encode(t, d.Project())) {
		t.Errorf("stored order differs from the edited one")
	}
}

func TestUndoRedoPersist(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l := open(t, dir)
	d, err := l.CreateProject(ctx, demo(t))
	if err != nil {
		t.Fatal(err)
	}
	original := encode(t, d.Project())
	if _, err := d.Do(ctx, timeline.DeleteShots("pier")); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Undo(ctx); err != nil {
		t.Fatal(err)
	}
	d2, _ := l.OpenProject(ctx, d.Project().ID)
	if !bytes.Equal(encode(t, d2.Project()), original) {
		t.Errorf("after undo the stored project differs from the original")
	}
	if _, err := d.Redo(ctx); err != nil {
		t.Fatal(err)
	}
	d3, _ := l.OpenProject(ctx, d.Project().ID)
	if d3.Project().Index("pier") >= 0 {
		t.Errorf("after redo the deleted shot is still stored")
	}
}

// An edit that cannot be saved is not made: the project in memory stays as
// it is on disk.
func TestFailedSaveRollsBack(t *testing.T) {
	ctx := context.Background()
	l := open(t, t.TempDir())
	d, err := l.CreateProject(ctx, demo(t))
	if err != nil {
		t.Fatal(err)
	}
	before := encode(t, d.Project())
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := d.Do(cancelled, timeline.SetPrompt("pier", "lost")); err == nil || !strings.Contains(err.Error(), "the edit was not made") {
		t.Fatalf("Do with a failing save = %v, want an error saying the edit was not made", err)
	}
	if got := encode(t, d.Project()); !bytes.Equal(got, before) {
		t.Errorf("a failed save left the edit in memory")
	}
	if name, ok := d.UndoName(); ok {
		t.Errorf("a failed save left %q in the undo history", name)
	}
}

func TestImportExport(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l := open(t, dir)
	d, err := l.ImportFile(ctx, "../examples/demo.slate")
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "export.slate")
	if err := l.ExportFile(ctx, d.Project().ID, out); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(out)
	want, _ := os.ReadFile("../examples/demo.slate")
	if !bytes.Equal(got, want) {
		t.Errorf("exported file differs from the imported one")
	}
}

func TestImportBadFileStoresNothing(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l := open(t, dir)
	bad := filepath.Join(dir, "bad.slate")
	good, _ := os.ReadFile("../examples/demo.slate")
	truncated := good[:len(good)/2]
	if err := os.WriteFile(bad, truncated, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := l.ImportFile(ctx, bad)
	if err == nil || !strings.HasPrefix(err.Error(), bad+": ") || !strings.Contains(err.Error(), "truncated") {
		t.Fatalf("ImportFile(truncated) = %v, want an error naming the file and saying it is truncated", err)
	}
	if list, _ := l.Projects(ctx); len(list) != 0 {
		t.Errorf("a refused import stored %d projects", len(list))
	}
	if got, _ := os.ReadFile(bad); !bytes.Equal(got, truncated) {
		t.Errorf("a refused import changed the file")
	}
}

// A project file from someone else with text that is not UTF-8, a junk
// frame size or a null shot is refused where it is wrong; nothing is
// stored and the file is left as it was.
func TestImportRefusesDamagedText(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l := open(t, dir)
	demo, err := os.ReadFile("../examples/demo.slate")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"title", bytes.Replace(demo, []byte("Last Light"), []byte("Last \xffLight"), 1), `title (line 4, column 18, byte 56): the text holds byte 0xFF, which is not UTF-8`},
		{"prompt", bytes.Replace(demo, []byte("A small fishing"), []byte(`A small \ud800fishing`), 1), `shots[0].prompt (line 24, column 26, byte 390): the text holds \ud800, half of a UTF-16 surrogate pair`},
		{"v1 size", []byte(`{"format": "slate", "version": 1, "title": "x", "size": "320x180x9", "fps": 24}`), `size (line 1, column 57, byte 56): the size "320x180x9" is not WIDTHxHEIGHT`},
		{"null shot", []byte(`{"format": "slate", "version": 2, "title": "x", "width": 320, "height": 180, "fps": 24, "shots": [null]}`), `shots[0] (line 1, column 99, byte 98): null is not allowed here`},
	}
	for _, tt := range tests {
		path := filepath.Join(dir, tt.name+".slate")
		if err := os.WriteFile(path, tt.data, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := l.ImportFile(ctx, path)
		if err == nil || !strings.HasPrefix(err.Error(), path+": "+tt.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("ImportFile(%s) = %v, want one line %q", tt.name, err, path+": "+tt.want+"…")
		}
		if got, _ := os.ReadFile(path); !bytes.Equal(got, tt.data) {
			t.Errorf("ImportFile(%s) changed the file", tt.name)
		}
	}
	if list, _ := l.Projects(ctx); len(list) != 0 {
		t.Errorf("refused imports stored %d projects", len(list))
	}
}

// A project path that is a device or a named pipe is refused at once,
// naming it and what it is; a device is never read, a pipe never waited on.
// Each runs in a child bounded in time and memory, since the old ReadFile
// blocked forever on a pipe and read /dev/zero until memory ran out.
func TestReadFileRefusesDevicesAndPipes(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "pipe.slate")
	userfiletest.Mkfifo(t, fifo)
	// The child makes a pipe of its own, so the path is written PATH.
	tests := []struct{ name, path, want string }{
		{"zero", "/dev/zero", "PATH is a device, not a project file"},
		{"urandom", "/dev/urandom", "PATH is a device, not a project file"},
		{"fifo", fifo, "PATH is a named pipe, not a project file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := userfiletest.Bounded(t, 10*time.Second, func() string {
				_, err := ReadFile(tt.path)
				return strings.ReplaceAll(fmt.Sprint(err), tt.path, "PATH")
			})
			if got != tt.want {
				t.Errorf("ReadFile(%s) = %s, want %s", tt.path, got, tt.want)
			}
		})
	}
}

func TestDeleteAndDuplicateProject(t *testing.T) {
	ctx := context.Background()
	l := open(t, t.TempDir())
	d, err := l.CreateProject(ctx, demo(t))
	if err != nil {
		t.Fatal(err)
	}
	c, err := l.DuplicateProject(ctx, d.Project().ID, "Copy")
	if err != nil {
		t.Fatal(err)
	}
	if c.Project().ID == d.Project().ID || c.Project().Title != "Copy" || len(c.Project().Shots) != 5 {
		t.Errorf("duplicate = %q %q with %d shots", c.Project().ID, c.Project().Title, len(c.Project().Shots))
	}
	if err := l.DeleteProject(ctx, d.Project().ID); err != nil {
		t.Fatal(err)
	}
	var n int
	l.db.QueryRow("SELECT count(*) FROM shots WHERE project_id = ?", d.Project().ID).Scan(&n)
	if n != 0 {
		t.Errorf("deleting a project left %d shot rows", n)
	}
	if err := l.DeleteProject(ctx, d.Project().ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleting twice = %v, want ErrNotFound", err)
	}
}

func TestJobsRecover(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l := open(t, dir)
	now := time.UnixMilli(1_700_000_000_000)
	for _, j := range []JobRecord{
		{ID: "a", Status: StatusCompleted, Progress: 100, CompletedAt: now},
		{ID: "b", Status: StatusInProgress, Progress: 40, StartedAt: now},
		{ID: "c", Status: StatusQueued},
	} {
		j.Key, j.Backend, j.CreatedAt, j.Request = "k", "animatic", now, []byte("{}")
		if err := l.PutJob(ctx, j); err != nil {
			t.Fatal(err)
		}
	}
	l.Close()
	l = open(t, dir)
	queued, interrupted, err := l.RecoverJobs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(queued) != 1 || queued[0].ID != "c" || interrupted != 1 {
		t.Errorf("RecoverJobs() = %d queued (%v), %d interrupted; want c queued and 1 interrupted", len(queued), queued, interrupted)
	}
	b, _ := l.Job(ctx, "b")
	if b.Status != StatusFailed || b.ErrorCode != ErrInterrupted || !strings.Contains(b.ErrorMessage, "render it again") {
		t.Errorf("interrupted job = %+v", b)
	}
	if a, _ := l.Job(ctx, "a"); a.Status != StatusCompleted || a.Progress != 100 || !a.CompletedAt.Equal(now) {
		t.Errorf("completed job changed: %+v", a)
	}
}

func TestClips(t *testing.T) {
	ctx := context.Background()
	l := open(t, t.TempDir())
	sum, size, err := l.Blobs().Put(ctx, strings.NewReader("clip bytes"))
	if err != nil {
		t.Fatal(err)
	}
	c := Clip{ProjectID: "p", ShotID: "s", Key: "key1", SHA256: sum, Size: size, Backend: "animatic", Width: 64, Height: 36, FPS: 24, Frames: 24}
	if err := l.AddClip(ctx, c); err != nil {
		t.Fatal(err)
	}
	if err := l.AddClip(ctx, Clip{ShotID: "s", Key: "k2", SHA256: strings.Repeat("0", 64)}); err == nil {
		t.Errorf("AddClip with a missing blob succeeded")
	}
	got, ok, err := l.ClipByKey(ctx, "key1")
	if err != nil || !ok || got.SHA256 != sum || got.Frames != 24 {
		t.Errorf("ClipByKey = %+v, %v, %v", got, ok, err)
	}
	if err := l.DeleteClip(ctx, c); err != nil {
		t.Fatal(err)
	}
	if l.Blobs().Has(sum) {
		t.Errorf("deleting the only clip of a blob left the blob")
	}
	if _, ok, _ := l.ClipByKey(ctx, "key1"); ok {
		t.Errorf("deleted clip still found")
	}
}

func TestReadFileResolvesCueFiles(t *testing.T) {
	dir := t.TempDir()
	p := demo(t)
	p.Shots[0].Cues[0].File = "sounds/gulls.wav"
	p.Shots[4].Cues[0].File = "/abs/piano.wav"
	path := filepath.Join(dir, "film.slate")
	if err := WriteFile(path, p); err != nil {
		t.Fatal(err)
	}
	got, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if f := got.Shots[0].Cues[0].File; f != filepath.Join(dir, "sounds", "gulls.wav") {
		t.Errorf("relative cue file = %s, want it under %s", f, dir)
	}
	if f := got.Shots[4].Cues[0].File; f != "/abs/piano.wav" {
		t.Errorf("absolute cue file = %s, want it unchanged", f)
	}
	if _, err := ReadFile(filepath.Join(dir, "missing.slate")); err == nil || strings.Count(err.Error(), "missing.slate") != 1 {
		t.Errorf("ReadFile(missing) = %v, want one mention of the file", err)
	}
}
