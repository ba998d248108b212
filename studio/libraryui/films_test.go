package libraryui

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/media"
)

// The open project's films show under its clips, with their size and
// sync; Save a copy… writes the film's bytes where asked, and a damaged
// copy in the library leaves no file.
func TestFilmsListAndSaveACopy(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, media.FindTools(), projectWith("The Kite", 2))
	l := f.panel
	if l.filmsArea.Visible() {
		t.Error("the films show while the project has none")
	}
	data := bytes.Repeat([]byte("a film of the kite "), 20000)
	sum, size, err := f.lib.Blobs().Put(ctx, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	film := library.Film{ProjectID: f.s.Project().ID, SHA256: sum, Name: "The Kite.mp4", Size: size}
	if err := f.lib.AddFilm(ctx, film); err != nil {
		t.Fatal(err)
	}
	l.d.FilmSync = func(_ context.Context, s string) string {
		if s != sum {
			return "?"
		}
		return "uploading 42 %"
	}
	l.SetSync(nil) // sync changed: the films are read again
	f.idle()
	shown := texts(l.filmsArea)
	for _, want := range []string{"Films of “The Kite”", "The Kite.mp4", "0.4 MB", "just now", "uploading 42 %"} {
		if !l.filmsArea.Visible() || !strings.Contains(shown, want) {
			t.Errorf("the films say %q, want %q in it", shown, want)
		}
	}

	// Save a copy… asks where, offering the film's name.
	test.Tap(f.button(l.filmsArea, "Save a copy…"))
	if d := f.topDialog(); d == nil {
		t.Error("Save a copy… asked nothing")
	} else {
		d.Hide()
	}
	out := filepath.Join(t.TempDir(), "kite copy.mp4")
	if err := os.WriteFile(out, nil, 0o644); err != nil { // the save dialog's placeholder
		t.Fatal(err)
	}
	l.saveFilm(ctx, film, out)
	f.idle()
	if got, err := os.ReadFile(out); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("the copy holds %d bytes (%v), want the film's %d", len(got), err, len(data))
	}
	if !strings.Contains(l.status.Text, out) {
		t.Errorf("the panel says %q, want it to name %s", l.status.Text, out)
	}

	// A damaged copy in the library: the reason, and no file.
	if err := os.Chmod(f.lib.Blobs().Path(sum), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(f.lib.Blobs().Path(sum), []byte("not the film"), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(t.TempDir(), "damaged.mp4")
	l.saveFilm(ctx, film, bad)
	f.idle()
	if d := f.topDialog(); d == nil || !strings.Contains(texts(d), "damaged") {
		t.Error("saving a damaged film showed no error")
	}
	if _, err := os.Stat(bad); err == nil {
		t.Error("a damaged film was saved")
	}
}
