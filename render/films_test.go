package render_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/slatestudio/slate/internal/filehash"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/render/animatic"
	"github.com/slatestudio/slate/timeline"
)

// tinyProject is a one-second film of one shot, small enough to render
// and assemble in a moment.
func tinyProject(title string) *timeline.Project {
	p := timeline.New(title)
	p.Width, p.Height, p.FPS = 320, 180, 24
	s := timeline.NewShot("Shot 1")
	s.Prompt, s.Duration = "a kite over the dunes", time.Second
	p.Shots = append(p.Shots, s)
	return p
}

func exportFilm(t *testing.T, s *studio, p *timeline.Project, out string) {
	t.Helper()
	var warned []error
	e, err := s.queue.PrepareFilm(context.Background(), s.tools, p, render.ExportOptions{Output: out, Backend: animatic.Name, Warn: func(err error) { warned = append(warned, err) }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Make(context.Background(), render.FilmProgress{}); err != nil {
		t.Fatal(err)
	}
	if len(warned) != 0 {
		t.Errorf("export warned: %v", warned)
	}
}

// An exported film of a library project is kept in the blob store and
// recorded with its name, so that it syncs (its upload queued); a film of
// a .slate file ("slate render FILE.slate") is not.
func TestExportKeepsACopyToSync(t *testing.T) {
	ctx := context.Background()
	s := newStudio(t, t.TempDir())
	doc, err := s.lib.CreateProject(ctx, tinyProject("The Kite"))
	if err != nil {
		t.Fatal(err)
	}
	p := doc.Project()
	out := filepath.Join(t.TempDir(), "The Kite.mp4")
	exportFilm(t, s, p, out)
	films, err := s.lib.Films(ctx, p.ID)
	if err != nil || len(films) != 1 {
		t.Fatalf("Films = %+v, %v; want the film exported", films, err)
	}
	f := films[0]
	sum, err := filehash.SHA256(out)
	if err != nil {
		t.Fatal(err)
	}
	if f.Name != "The Kite.mp4" || f.SHA256 != sum || s.lib.Blobs().Verify(sum) != nil {
		t.Errorf("film kept = %+v; want The Kite.mp4 with the exported file's bytes", f)
	}
	ts, err := s.lib.Transfers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	queued := false
	for _, x := range ts {
		queued = queued || x.SHA256 == f.SHA256 && x.Kind == "film" && x.Direction == "up"
	}
	if !queued {
		t.Errorf("transfers = %+v; want the film's upload", ts)
	}

	loose := tinyProject("From a file")
	loose.ID = "file-0123456789abcdef"
	exportFilm(t, s, loose, filepath.Join(t.TempDir(), "loose.mp4"))
	if films, err := s.lib.Films(ctx, loose.ID); err != nil || len(films) != 0 {
		t.Errorf("Films of a .slate file's project = %+v, %v; want none", films, err)
	}
}
