package libraryui

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/storage"

	"github.com/slatestudio/slate/consent"
	"github.com/slatestudio/slate/internal/userfile/userfiletest"
	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/render/rendertest"
	"github.com/slatestudio/slate/timeline"
)

// tinyDemo is the example storyboard cut down to two one-second shots at
// 320×180, joined by a short crossfade, so a film is made in seconds.
func tinyDemo(t *testing.T) *timeline.Project {
	t.Helper()
	p, err := library.ReadFile("../../examples/demo.slate")
	if err != nil {
		t.Fatal(err)
	}
	p.Width, p.Height = 320, 180
	p.Shots = p.Shots[:2]
	for _, sh := range p.Shots {
		sh.Duration = time.Second
		sh.Cues = nil
		for j := range sh.Lines {
			sh.Lines[j].Text, sh.Lines[j].Start = "Hello.", 100*time.Millisecond
		}
	}
	p.Shots[0].Transition = timeline.Transition{Kind: timeline.Crossfade, Duration: 250 * time.Millisecond}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	return p
}

// export runs an export to path and waits for it to end.
func (f *fixture) export(path string) *filmExport {
	f.t.Helper()
	e := exportFilmTo(f.t.Context(), f.d, path)
	f.until("the export to end", 2*time.Minute, func() bool { return e.done })
	return e
}

func TestExportFilm(t *testing.T) {
	tools := needTools(t)
	p := tinyDemo(t)
	f := newFixture(t, tools, p)
	dir := t.TempDir()
	out := filepath.Join(dir, "Last Light.mp4")
	// The save dialog leaves an empty file where it was told to save.
	if err := os.WriteFile(out, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	e := f.export(out)
	if e.err != nil {
		t.Fatalf("export: %v", e.err)
	}
	t.Logf("exported in %v", time.Since(start).Round(time.Millisecond))
	if e.bar.Value != 1 {
		t.Errorf("progress ended at %v, want 1", e.bar.Value)
	}
	pr, err := tools.Probe(context.Background(), out)
	if err != nil {
		t.Fatal(err)
	}
	if pr.Video == nil || pr.Video.Width != 320 || pr.Video.Height != 180 || pr.Video.Frames != p.TotalFrames() {
		t.Errorf("the film is %+v, want %d frames of 320×180", pr.Video, p.TotalFrames())
	}
	if pr.Audio == nil {
		t.Error("the film has no sound")
	}
	// Only the film lands in the folder: no thumbnail, sprite sheet or
	// temporary files beside it.
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("the folder holds %q, want just the film", names)
	}

	// The last dialog says where the film went, how long it is and how
	// loud, and copies the path.
	if e.result == nil || f.topDialog() == nil {
		t.Fatal("no dialog says the film is done")
	}
	msg := texts(f.topDialog())
	for _, want := range []string{out, "Length 1.8 s", "LUFS"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the final dialog does not say %q:\n%s", want, msg)
		}
	}
	f.tap("Copy path")
	if got := f.app.Clipboard().Content(); got != out {
		t.Errorf("Copy path put %q on the clipboard, want %q", got, out)
	}
	if folderOpener() == "" {
		for _, b := range []string{"Open folder"} {
			if strings.Contains(msg, b) {
				t.Errorf("%q is offered with no program to open folders", b)
			}
		}
	}
	f.tap("Close")

	// The rendered clips show in the panel, with thumbnails made once and
	// kept on disk.
	l := f.panel
	f.until("the clips and their thumbnails", time.Minute, func() bool {
		return len(l.clips) == 2 && len(l.thumbs) == 2 && !l.thumbBusy && l.busy == 0
	})
	for _, c := range l.clips {
		if !c.current {
			t.Errorf("shot %d's clip is marked out of date", c.number)
		}
		if data, err := f.lib.Blobs().Derived(c.clip.SHA256, library.Thumbnail); err != nil || len(data) == 0 {
			t.Errorf("shot %d has no thumbnail on disk: %v", c.number, err)
		}
	}
	shown := texts(l.clipList)
	for _, want := range []string{"Shot 1 · Harbour at dusk", "Shot 2 · Mara at the window", "animatic · 24 frames · 1.0 s · 320×180", "made just now"} {
		if !strings.Contains(shown, want) {
			t.Errorf("the clips list does not show %q:\n%s", want, shown)
		}
	}
	if l.noClips.Visible() {
		t.Error("the clips list says there are no clips")
	}

	// Exporting again reuses every clip from the cache and replaces the
	// film.
	again := filepath.Join(dir, "again.mp4")
	if e := f.export(again); e.err != nil || e.bar.Value != 1 {
		t.Fatalf("second export: %v, progress %v", e.err, e.bar.Value)
	}
	for _, j := range f.queue.Jobs() {
		if j.Status != render.Completed {
			t.Errorf("job %s for shot %d is %s", j.ID, j.ShotNumber, j.Status)
		}
	}
}

func TestCancelExport(t *testing.T) {
	f, e, out := exportUnderWay(t)
	f.tap("Cancel")
	f.until("the export to stop", time.Minute, func() bool { return e.done })
	if e.err == nil {
		t.Fatal("a cancelled export reported success")
	}
	if e.result != nil || f.topDialog() != nil {
		t.Errorf("a cancelled export showed a dialog:\n%s", texts(f.topDialog()))
	}
	entries, _ := os.ReadDir(filepath.Dir(out))
	for _, e := range entries {
		t.Errorf("a cancelled export left %s", e.Name())
	}
	f.until("its jobs to end", time.Minute, func() bool {
		for _, j := range f.queue.Jobs() {
			if !j.Status.Done() {
				return false
			}
		}
		return true
	})
}

func TestExportFailedShot(t *testing.T) {
	tools := needTools(t)
	p := tinyDemo(t)
	p.Shots[1].Backend = "no-such-backend"
	f := newFixture(t, tools, p)
	out := filepath.Join(t.TempDir(), "film.mp4")
	e := f.export(out)
	if e.err == nil {
		t.Fatal("an export with a shot that cannot render succeeded")
	}
	msg := texts(f.topDialog())
	for _, want := range []string{"not exported", "shot 2", "no-such-backend", "export again"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the error dialog does not say %q:\n%s", want, msg)
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a failed export left a file")
	}
}

func TestFilmLength(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{1750 * time.Millisecond, "1.8 s"},
		{59 * time.Second, "59.0 s"},
		{3*time.Minute + 5200*time.Millisecond, "3:05.2"},
	} {
		if got := filmLength(tc.d); got != tc.want {
			t.Errorf("filmLength(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

func TestExportWithoutFFmpeg(t *testing.T) {
	f := newFixture(t, media.Tools{}, tinyDemo(t))
	out := filepath.Join(t.TempDir(), "film.mp4")
	if err := os.WriteFile(out, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	e := f.export(out)
	if !errors.Is(e.err, media.ErrMissingTool) {
		t.Fatalf("export without ffmpeg: %v, want a missing tool", e.err)
	}
	if msg := texts(f.topDialog()); !strings.Contains(msg, "apt-get install ffmpeg") || !strings.Contains(msg, "export the film again") {
		t.Errorf("the error dialog does not say how to install ffmpeg:\n%s", msg)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("the empty file the save dialog made is still there")
	}
}

// putMara makes the demo's Mara someone else's member, known from the
// account server.
func putMara(t *testing.T, lib *library.Library) {
	t.Helper()
	m := &library.CastMember{ID: "mara", Name: "Mara", Handle: "@mara", Owner: "acct-mara", OwnerName: "mara", Consent: consent.Everyone}
	if err := lib.PutRemoteMember(context.Background(), m); err != nil {
		t.Fatal(err)
	}
}

// A film featuring someone else's member is not exported without their
// consent: the dialog says whose, nothing is rendered and no file is left.
func TestExportNeedsConsent(t *testing.T) {
	tools := needTools(t)
	f := newFixture(t, tools, tinyDemo(t))
	putMara(t, f.lib)
	dir := t.TempDir()
	out := filepath.Join(dir, "film.mp4")
	if err := os.WriteFile(out, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	e := f.export(out)
	if !errors.Is(e.err, render.ErrNoConsent) {
		t.Fatalf("export without consent = %v, want ErrNoConsent", e.err)
	}
	msg := texts(f.topDialog())
	for _, want := range []string{"not exported", "needs consent from @mara: log in to the account server", "Nothing was written to " + out} {
		if !strings.Contains(msg, want) {
			t.Errorf("the error dialog does not say %q:\n%s", want, msg)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a refused export left %v", entries)
	}
	if jobs := f.queue.Jobs(); len(jobs) != 0 {
		t.Errorf("a refused export rendered %d shots", len(jobs))
	}
}

// With consent the film is exported, and the uses are recorded: a draft
// for the shot that features Mara, and the final film by its sha256.
func TestExportUnderConsent(t *testing.T) {
	tools := needTools(t)
	c := &rendertest.Consent{}
	p := tinyDemo(t)
	f := newFixtureConsent(t, tools, c, p)
	putMara(t, f.lib)
	out := filepath.Join(t.TempDir(), "film.mp4")
	if e := f.export(out); e.err != nil {
		t.Fatalf("export: %v", e.err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	var final []render.Made
	drafts := 0
	for _, u := range c.Uses() {
		switch u.Made.Scope {
		case consent.Final:
			final = append(final, u.Made)
		case consent.Draft:
			drafts++
		}
	}
	want := render.Made{ProjectID: f.s.Project().ID, ProjectTitle: p.Title, Scope: consent.Final, SHA256: hex.EncodeToString(sum[:]), Path: out}
	if len(final) != 1 || final[0] != want {
		t.Errorf("final uses = %+v, want one: %+v", final, want)
	}
	if drafts != 1 {
		t.Errorf("%d draft uses recorded, want 1 (shot 2 features Mara)", drafts)
	}
	var asked []consent.Scope
	for _, n := range c.Needs() {
		asked = append(asked, n.Scope)
	}
	if !slices.Contains(asked, consent.Final) {
		t.Errorf("asked for %v, want a final grant among them", asked)
	}
}

// A film whose sound cue is a named pipe can never be made: the export
// refuses it at once, saying which cue and what it is, and renders
// nothing. (The old export rendered the other shots while the cue's shot
// waited on the pipe for ever.) The length limit goes through the same
// check; render's tests cover it, and the studio's that Render all does
// the same.
func TestExportChecksTheFilmFirst(t *testing.T) {
	tools := needTools(t)
	p := tinyDemo(t)
	fifo := filepath.Join(t.TempDir(), "rain.wav")
	userfiletest.Mkfifo(t, fifo)
	p.Shots[1].Cues = []timeline.Cue{{Kind: timeline.Ambience, File: fifo, Duration: 500 * time.Millisecond}}
	f := newFixture(t, tools, p)
	want := "shot 2 (Mara at the window), sound cue 1: " + fifo + " is a named pipe, not a sound file"

	dir := t.TempDir()
	out := filepath.Join(dir, "film.mp4")
	if err := os.WriteFile(out, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	e := exportFilmTo(t.Context(), f.d, out)
	f.until("the export to end", 10*time.Second, func() bool { return e.done })
	if e.err == nil || e.err.Error() != want {
		t.Fatalf("export = %v, want %q", e.err, want)
	}
	if msg := texts(f.topDialog()); !strings.Contains(msg, want) || !strings.Contains(msg, "Nothing was written") {
		t.Errorf("the dialog says:\n%s\nwant %q", msg, want)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("the refused export left the save dialog's empty file")
	}
	f.tap("Close")
	f.idle()
	if jobs := f.queue.Jobs(); len(jobs) != 0 {
		t.Errorf("%d shots were sent to render, want none", len(jobs))
	}
}

// The file dialogs list only regular files: Fyne opens the one picked
// itself, and a named pipe would block the studio until someone wrote to
// it.
func TestFileDialogsListOnlyRegularFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe.slate")
	userfiletest.Mkfifo(t, fifo)
	good := filepath.Join(dir, "Last Light.SLATE")
	if err := os.WriteFile(good, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(other, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		filter regularFiles
		path   string
		want   bool
	}{
		{regularFiles{".slate"}, good, true},
		{regularFiles{".slate"}, fifo, false},
		{regularFiles{".slate"}, other, false},
		{regularFiles{}, other, true},
		{regularFiles{}, fifo, false},
		{regularFiles{}, "/dev/zero", false},
	} {
		if got := tc.filter.Matches(storage.NewFileURI(tc.path)); got != tc.want {
			t.Errorf("regularFiles%q.Matches(%s) = %v, want %v", []string(tc.filter), tc.path, got, tc.want)
		}
	}
}

// exportUnderWay starts exporting the tiny demo over an existing file and
// returns once rendering is under way, so that there is an export to
// cancel.
func exportUnderWay(t *testing.T) (*fixture, *filmExport, string) {
	t.Helper()
	tools := needTools(t)
	f := newFixture(t, tools, tinyDemo(t))
	out := filepath.Join(t.TempDir(), "film.mp4")
	if err := os.WriteFile(out, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	e := exportFilmTo(t.Context(), f.d, out)
	f.until("rendering to start", time.Minute, func() bool { return e.done || e.bar.Value > 0 })
	if e.done {
		t.Fatalf("the export ended before it could be cancelled: %v", e.err)
	}
	return f, e, out
}
