package library

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/slatestudio/slate/internal/sqlitedb"
	"github.com/slatestudio/slate/timeline"
)

func projectSync(t *testing.T, l *Library, id string) ProjectSync {
	t.Helper()
	all, err := l.ProjectSyncs(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range all {
		if s.Project == id {
			return s
		}
	}
	t.Fatalf("no sync row for project %s in %+v", id, all)
	return ProjectSync{}
}

// Every local change of a project counts as an edit to push, and a
// deleted project leaves a tombstone to tell the server.
func TestEveryLocalChangeIsCounted(t *testing.T) {
	ctx := t.Context()
	l := open(t, t.TempDir())
	d, err := l.CreateProject(ctx, demo(t))
	if err != nil {
		t.Fatal(err)
	}
	id := d.Project().ID
	if s := projectSync(t, l, id); !s.Dirty() || s.Edits != 1 || s.ServerRev != 0 || s.Deleted || s.Title != d.Project().Title {
		t.Fatalf("after create: %+v, want dirty with one edit", s)
	}
	if err := l.MarkProjectSynced(ctx, id, 1, []byte("doc"), 1); err != nil {
		t.Fatal(err)
	}
	if s := projectSync(t, l, id); s.Dirty() || s.ServerRev != 1 || string(s.Base) != "doc" {
		t.Fatalf("after marking synced: %+v", s)
	}
	edits := []func() error{
		func() error { _, err := d.Do(ctx, timeline.SetPrompt(d.Project().Shots[0].ID, "changed")); return err },
		func() error { _, err := d.Undo(ctx); return err },
		func() error { _, err := d.Redo(ctx); return err },
		func() error {
			_, err := d.Do(ctx, timeline.AddCast(timeline.CastRef{ID: "zoe", Name: "Zoe", Character: true}))
			return err
		},
	}
	for i, edit := range edits {
		if err := edit(); err != nil {
			t.Fatal(err)
		}
		if s := projectSync(t, l, id); !s.Dirty() || s.Edits != int64(i+2) {
			t.Fatalf("after edit %d: %+v, want dirty with %d edits", i+1, s, i+2)
		}
	}
	dup, err := l.DuplicateProject(ctx, id, "Copy")
	if err != nil {
		t.Fatal(err)
	}
	if s := projectSync(t, l, dup.Project().ID); !s.Dirty() || s.Title != "Copy" {
		t.Fatalf("duplicate: %+v, want dirty", s)
	}
	file := filepath.Join(t.TempDir(), "x.slate")
	if err := WriteFile(file, demo(t)); err != nil {
		t.Fatal(err)
	}
	imp, err := l.ImportFile(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	if s := projectSync(t, l, imp.Project().ID); !s.Dirty() {
		t.Fatalf("import: %+v, want dirty", s)
	}
	title := d.Project().Title
	if err := l.DeleteProject(ctx, id); err != nil {
		t.Fatal(err)
	}
	s := projectSync(t, l, id)
	if !s.Deleted || !s.Dirty() || s.Title != title || s.ServerRev != 1 {
		t.Fatalf("after delete: %+v, want a dirty tombstone named %q", s, title)
	}
	p, snap, err := l.ProjectSnapshot(ctx, id)
	if err != nil || p != nil || !snap.Deleted {
		t.Fatalf("ProjectSnapshot of a tombstone = %v, %+v, %v", p, snap, err)
	}
}

// An edit made after the snapshot that is pushed keeps the project dirty
// when the push is marked done.
func TestEditBetweenSnapshotAndMarkStaysDirty(t *testing.T) {
	ctx := t.Context()
	l := open(t, t.TempDir())
	d, err := l.CreateProject(ctx, demo(t))
	if err != nil {
		t.Fatal(err)
	}
	id := d.Project().ID
	p, snap, err := l.ProjectSnapshot(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(encode(t, p), encode(t, d.Project())) || snap.Edits != 1 {
		t.Fatalf("snapshot = %+v", snap)
	}
	pushed := encode(t, p)
	// The person edits while the snapshot is on its way to the server.
	if _, err := d.Do(ctx, timeline.SetTitle("Edited meanwhile")); err != nil {
		t.Fatal(err)
	}
	if err := l.MarkProjectSynced(ctx, id, 1, pushed, snap.Edits); err != nil {
		t.Fatal(err)
	}
	s := projectSync(t, l, id)
	if !s.Dirty() || s.SyncedEdits != 1 || s.Edits != 2 || s.ServerRev != 1 || !bytes.Equal(s.Base, pushed) {
		t.Fatalf("after marking the older snapshot synced: %+v, want dirty (edits 2, synced 1)", s)
	}
	// A late mark of an even older push does not take the count back.
	if err := l.MarkProjectSynced(ctx, id, 2, pushed, 2); err != nil {
		t.Fatal(err)
	}
	if err := l.MarkProjectSynced(ctx, id, 2, pushed, 1); err != nil {
		t.Fatal(err)
	}
	if s := projectSync(t, l, id); s.Dirty() {
		t.Fatalf("after marking everything synced: %+v", s)
	}
	if err := l.MarkProjectSynced(ctx, "nope", 1, nil, 1); !errors.Is(err, ErrNotFound) {
		t.Errorf("MarkProjectSynced of no project = %v, want ErrNotFound", err)
	}
}

// failOn makes every write of the given kind to table fail, as a crash or
// a full disk would, to show what else is in the same transaction.
func failOn(t *testing.T, l *Library, table, event string) {
	t.Helper()
	name := "fail_" + table + "_" + strings.ToLower(event)
	if _, err := l.db.Exec(`CREATE TEMP TRIGGER ` + name + ` BEFORE ` + event + ` ON ` + table + ` BEGIN SELECT RAISE(ABORT, 'disk full'); END`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.db.Exec(`DROP TRIGGER IF EXISTS temp.` + name) })
}

// The edit counter is written in the same transaction as the edit: when
// it cannot be, the edit is not stored either (and not kept in memory), so
// no change is ever stored without being marked for sync.
func TestCounterInTheEditsTransaction(t *testing.T) {
	ctx := t.Context()
	l := open(t, t.TempDir())
	d, err := l.CreateProject(ctx, demo(t))
	if err != nil {
		t.Fatal(err)
	}
	id := d.Project().ID
	before := encode(t, d.Project())
	t.Run("edit", func(t *testing.T) {
		failOn(t, l, "project_sync", "UPDATE")
		if _, err := d.Do(ctx, timeline.SetTitle("Lost")); err == nil {
			t.Fatal("the edit was saved without its count")
		}
		if !bytes.Equal(encode(t, d.Project()), before) {
			t.Error("the edit stayed in memory")
		}
		stored, err := l.OpenProject(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(encode(t, stored.Project()), before) {
			t.Error("the edit was stored")
		}
	})
	t.Run("delete", func(t *testing.T) {
		failOn(t, l, "project_sync", "UPDATE")
		if err := l.DeleteProject(ctx, id); err == nil {
			t.Fatal("the project was deleted without a tombstone")
		}
		if _, err := l.OpenProject(ctx, id); err != nil {
			t.Errorf("the project went: %v", err)
		}
	})
	t.Run("create", func(t *testing.T) {
		failOn(t, l, "project_sync", "INSERT")
		p := demo(t)
		p.ID = "new-one"
		if _, err := l.CreateProject(ctx, p); err == nil {
			t.Fatal("the project was created without its sync row")
		}
		if _, err := l.OpenProject(ctx, "new-one"); !errors.Is(err, ErrNotFound) {
			t.Errorf("the project was stored: %v", err)
		}
	})
	t.Run("clip", func(t *testing.T) {
		failOn(t, l, "transfers", "INSERT")
		sum, size := putSized(t, l, "clip bytes")
		err := l.AddClip(ctx, Clip{ProjectID: id, ShotID: "s", Key: "k", SHA256: sum, Size: size})
		if err == nil {
			t.Fatal("the clip was registered without its upload queued")
		}
		if clips, _ := l.ShotClips(ctx, id, "s"); len(clips) != 0 {
			t.Errorf("the clip was registered: %+v", clips)
		}
	})
}

func putSized(t *testing.T, l *Library, content string) (string, int64) {
	t.Helper()
	sum, size, err := l.Blobs().Put(t.Context(), strings.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	return sum, size
}

func TestClipsAndTransfers(t *testing.T) {
	ctx := t.Context()
	l := open(t, t.TempDir())
	// A clip of no project in the library ("slate render FILE.slate")
	// does not sync.
	loose, looseSize := putSized(t, l, "a shot rendered from a file")
	if err := l.AddClip(ctx, Clip{ProjectID: "file-0123", ShotID: "s", Key: "k0", SHA256: loose, Size: looseSize}); err != nil {
		t.Fatal(err)
	}
	if got, err := l.Transfers(ctx); err != nil || len(got) != 0 {
		t.Fatalf("Transfers after AddClip of a clip of no project = %+v, %v; want none", got, err)
	}
	doc, err := l.CreateProject(ctx, timeline.New("The Kite"))
	if err != nil {
		t.Fatal(err)
	}
	p := doc.Project().ID
	sum, size := putSized(t, l, "a rendered shot")
	if err := l.AddClip(ctx, Clip{ProjectID: p, ShotID: "s", Key: "k1", SHA256: sum, Size: size}); err != nil {
		t.Fatal(err)
	}
	up := Transfer{SHA256: sum, Direction: "up", Kind: "clip", Project: p, Size: size, State: "waiting"}
	got, err := l.Transfers(ctx)
	if err != nil || len(got) != 1 || got[0].Updated.IsZero() {
		t.Fatalf("Transfers after AddClip = %+v, %v", got, err)
	}
	got[0].Updated = up.Updated
	if got[0] != up {
		t.Fatalf("queued %+v, want %+v", got[0], up)
	}
	// The same clip in a second shot is one upload.
	if err := l.AddClip(ctx, Clip{ProjectID: p, ShotID: "s2", Key: "k1", SHA256: sum, Size: size}); err != nil {
		t.Fatal(err)
	}
	other, osize := putSized(t, l, "a clip from the server")
	if err := l.AddRemoteClip(ctx, Clip{ProjectID: p, ShotID: "s3", Key: "k3", SHA256: other, Size: osize}); err != nil {
		t.Fatal(err)
	}
	if got, _ := l.Transfers(ctx); len(got) != 1 {
		t.Fatalf("transfers = %+v, want the one upload", got)
	}
	// Progress is saved; queueing again leaves it.
	up.Done, up.URL = 100, "http://server/files/abc"
	if err := l.SaveTransfer(ctx, up); err != nil {
		t.Fatal(err)
	}
	if err := l.QueueTransfer(ctx, Transfer{SHA256: sum, Direction: "up", Kind: "clip"}); err != nil {
		t.Fatal(err)
	}
	down := Transfer{SHA256: other, Direction: "down", Kind: "film", Size: 9}
	if err := l.QueueTransfer(ctx, down); err != nil {
		t.Fatal(err)
	}
	got, _ = l.Transfers(ctx)
	byDir := map[string]Transfer{}
	for _, x := range got {
		byDir[x.Direction] = x
	}
	if u, d := byDir["up"], byDir["down"]; len(got) != 2 || u.Done != 100 || u.URL != up.URL || d.SHA256 != other || d.State != "waiting" || d.Kind != "film" {
		t.Fatalf("transfers = %+v", got)
	}
	up.State = "done"
	if err := l.SaveTransfer(ctx, up); err != nil {
		t.Fatal(err)
	}
	if got, _ := l.Transfers(ctx); len(got) != 1 || got[0].Direction != "down" {
		t.Fatalf("transfers after the upload is done = %+v", got)
	}
	if err := l.SaveTransfer(ctx, Transfer{SHA256: other, Direction: "sideways"}); err == nil {
		t.Error("a transfer in no direction was saved")
	}

	// A use its owner removed takes its transfers and partial download too.
	if err := os.WriteFile(l.PartialPath(other), []byte("half"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := l.RemoveUse(ctx, "", other); err != nil {
		t.Fatal(err)
	}
	if got, _ := l.Transfers(ctx); len(got) != 0 {
		t.Fatalf("transfers after the use was removed = %+v", got)
	}
	if _, err := os.Stat(l.PartialPath(other)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the partial download of a removed use is still there: %v", err)
	}
}

// Partial downloads and the pause survive a restart: they are not
// temporary files.
func TestPartialAndPauseSurviveRestart(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	l, err := Open(ctx, dir, Options{Exclusive: true})
	if err != nil {
		t.Fatal(err)
	}
	sum := strings.Repeat("ab", 32)
	if err := os.WriteFile(l.PartialPath(sum), []byte("the first half"), 0o644); err != nil {
		t.Fatal(err)
	}
	if paused, err := l.SyncPaused(ctx); err != nil || paused {
		t.Fatalf("SyncPaused of a new library = %v, %v", paused, err)
	}
	if err := l.SetSyncPaused(ctx, true); err != nil {
		t.Fatal(err)
	}
	l.Close()
	l = open(t, dir)
	if b, err := os.ReadFile(l.PartialPath(sum)); err != nil || string(b) != "the first half" {
		t.Errorf("partial download after a restart: %q, %v", b, err)
	}
	if paused, err := l.SyncPaused(ctx); err != nil || !paused {
		t.Errorf("SyncPaused after a restart = %v, %v", paused, err)
	}
}

// A project from the server is not dirty; merging the server's changes
// into an open project is one undoable edit, clean or left to push.
func TestRemoteProjects(t *testing.T) {
	ctx := t.Context()
	l := open(t, t.TempDir())
	p := demo(t)
	p.ID = "remote1"
	doc := encode(t, p)
	if err := l.AddRemoteProject(ctx, p, 3, doc); err != nil {
		t.Fatal(err)
	}
	got, s, err := l.ProjectSnapshot(ctx, "remote1")
	if err != nil {
		t.Fatal(err)
	}
	if s.Dirty() || s.ServerRev != 3 || !bytes.Equal(s.Base, doc) || !bytes.Equal(encode(t, got), doc) {
		t.Fatalf("remote project: %+v", s)
	}
	if err := l.AddRemoteProject(ctx, p, 3, doc); err == nil || !strings.Contains(err.Error(), "already in the library") {
		t.Errorf("adding a project from the server twice = %v", err)
	}
	d, err := l.OpenProject(ctx, "remote1")
	if err != nil {
		t.Fatal(err)
	}
	theirs := p.Clone()
	theirs.Title = "From the laptop"
	theirs.Shots[0].Prompt = "their prompt"
	doc4 := encode(t, theirs)
	if _, err := d.SyncWith(ctx, timeline.Become("Changes from laptop", theirs), 4, doc4, true); err != nil {
		t.Fatal(err)
	}
	if s := projectSync(t, l, "remote1"); s.Dirty() || s.ServerRev != 4 || !bytes.Equal(s.Base, doc4) || s.Title != "From the laptop" {
		t.Fatalf("after a clean SyncWith: %+v", s)
	}
	if name, _ := d.UndoName(); name != "Changes from laptop" {
		t.Errorf("UndoName = %q", name)
	}
	if _, err := d.Undo(ctx); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(encode(t, d.Project()), doc) {
		t.Error("undo did not return to before the server's changes")
	}
	if s := projectSync(t, l, "remote1"); !s.Dirty() || s.ServerRev != 4 {
		t.Fatalf("after undoing the server's changes: %+v, want dirty", s)
	}
	merged := theirs.Clone()
	merged.Shots[1].Prompt = "mine too"
	if _, err := d.SyncWith(ctx, timeline.Become("Changes from laptop", merged), 5, doc4, false); err != nil {
		t.Fatal(err)
	}
	if s := projectSync(t, l, "remote1"); !s.Dirty() || s.ServerRev != 5 {
		t.Fatalf("after a merge to push: %+v, want dirty at rev 5", s)
	}
	stored, err := l.OpenProject(ctx, "remote1")
	if err != nil || !bytes.Equal(encode(t, stored.Project()), encode(t, merged)) {
		t.Fatalf("stored after SyncWith differs: %v", err)
	}

	if err := l.DeleteRemoteProject(ctx, "remote1", 6); err != nil {
		t.Fatal(err)
	}
	// A window still showing it cannot bring it back with an edit.
	if _, err := d.Do(ctx, timeline.SetTitle("Still editing")); !errors.Is(err, ErrNotFound) {
		t.Errorf("editing a project deleted on another device = %v, want ErrNotFound", err)
	}
	if _, err := l.OpenProject(ctx, "remote1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("project deleted on the server still opens: %v", err)
	}
	if s := projectSync(t, l, "remote1"); !s.Deleted || s.Dirty() || s.ServerRev != 6 {
		t.Fatalf("after a remote delete: %+v, want a synced tombstone", s)
	}
	// Made again on another device: it comes back.
	if err := l.AddRemoteProject(ctx, p, 7, doc); err != nil {
		t.Fatal(err)
	}
	if s := projectSync(t, l, "remote1"); s.Deleted || s.Dirty() || s.ServerRev != 7 {
		t.Fatalf("after coming back: %+v", s)
	}
}

// A library made before sync gets a sync row for each project, dirty so
// it goes out on the first sync, and an upload for each clip.
func TestMigrateToSync(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	old := fstest.MapFS{}
	entries, err := fs.ReadDir(migrations, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() >= "0007" {
			continue
		}
		b, err := fs.ReadFile(migrations, "migrations/"+e.Name())
		if err != nil {
			t.Fatal(err)
		}
		old["migrations/"+e.Name()] = &fstest.MapFile{Data: b}
	}
	db, err := sqlitedb.OpenWriter(ctx, filepath.Join(dir, "slate.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := sqlitedb.Migrate(ctx, db, sqlitedb.Migrations{FS: old, Pattern: "migrations/*.sql", TooNew: func(int, int) error { return errors.New("too new") }}); err != nil {
		t.Fatal(err)
	}
	// What the previous Slate's CreateProject and AddClip wrote.
	for _, q := range []string{
		`INSERT INTO projects (id, title, width, height, fps, cast_json, created_at, updated_at) VALUES ('old', 'Old film', 1280, 720, 24, '[]', 1, 1)`,
		`INSERT INTO shots (project_id, id, pos, data) VALUES ('old', 's1', 1048576, '{"id":"s1","title":"One","prompt":"a kite","duration_ms":4000,"camera":{"framing":"medium","move":"static"},"transition":{"kind":"cut","duration_ms":0},"seed":0}')`,
		`INSERT INTO clips (project_id, shot_id, key, sha256, size, backend, width, height, fps, frames, created_at) VALUES ('old', 's1', 'k', '` + strings.Repeat("0f", 32) + `', 42, 'animatic', 1280, 720, 24, 96, 1)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	l := open(t, dir)
	s := projectSync(t, l, "old")
	if !s.Dirty() || s.ServerRev != 0 || s.Base != nil || s.Title != "Old film" {
		t.Fatalf("migrated project: %+v, want dirty", s)
	}
	tr, err := l.Transfers(ctx)
	if err != nil || len(tr) != 1 || tr[0].SHA256 != strings.Repeat("0f", 32) || tr[0].Direction != "up" || tr[0].Project != "old" || tr[0].Size != 42 {
		t.Fatalf("transfers after migrating = %+v, %v", tr, err)
	}
	d, err := l.OpenProject(ctx, "old")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Do(ctx, timeline.SetTitle("Renamed")); err != nil {
		t.Fatal(err)
	}
	if s := projectSync(t, l, "old"); s.Edits != 2 {
		t.Errorf("edits after one edit of a migrated project = %d, want 2", s.Edits)
	}
	var n int
	if err := l.db.QueryRow(`SELECT count(*) FROM project_sync`).Scan(&n); err != nil || n != 1 {
		t.Errorf("sync rows = %d, %v", n, err)
	}
}
