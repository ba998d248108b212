package library

import (
	"testing"
	"time"

	"github.com/slatestudio/slate/timeline"
)

// A film of a library project is kept and its upload queued in the same
// transaction; one of a project made from a .slate file is kept but not
// sent; one from the server is not sent back; a removed use takes the
// film and its copy.
func TestFilms(t *testing.T) {
	ctx := t.Context()
	l := open(t, t.TempDir())
	doc, err := l.CreateProject(ctx, timeline.New("The Kite"))
	if err != nil {
		t.Fatal(err)
	}
	p := doc.Project().ID
	if err := l.AddFilm(ctx, Film{ProjectID: p, SHA256: "0123", Name: "The Kite.mp4"}); err == nil {
		t.Error("a film whose copy is not in the store was kept")
	}

	loose, looseSize := putSized(t, l, "a film exported from a file")
	if err := l.AddFilm(ctx, Film{ProjectID: "file-0123", SHA256: loose, Name: "kite.mp4", Size: looseSize}); err != nil {
		t.Fatal(err)
	}
	if got, err := l.Transfers(ctx); err != nil || len(got) != 0 {
		t.Fatalf("Transfers after AddFilm of a film of no project = %+v, %v; want none", got, err)
	}

	t.Run("in the upload's transaction", func(t *testing.T) {
		failOn(t, l, "transfers", "INSERT")
		sum, size := putSized(t, l, "a film that could not be queued")
		if err := l.AddFilm(ctx, Film{ProjectID: p, SHA256: sum, Name: "lost.mp4", Size: size}); err == nil {
			t.Fatal("the film was kept without its upload queued")
		}
		if got, _ := l.FilmsOf(ctx, sum); len(got) != 0 {
			t.Errorf("the film was kept: %+v", got)
		}
	})

	sum, size := putSized(t, l, "a film of the kite")
	at := time.UnixMilli(1_700_000_000_000)
	film := Film{ProjectID: p, SHA256: sum, Name: "The Kite.mp4", Size: size, Created: at}
	if err := l.AddFilm(ctx, film); err != nil {
		t.Fatal(err)
	}
	got, err := l.Transfers(ctx)
	if err != nil || len(got) != 1 {
		t.Fatalf("Transfers after AddFilm = %+v, %v; want its upload", got, err)
	}
	if x := got[0]; x.SHA256 != sum || x.Direction != "up" || x.Kind != "film" || x.Project != p || x.Size != size || x.State != "waiting" || x.Updated.IsZero() {
		t.Errorf("queued %+v", x)
	}
	remote, rsize := putSized(t, l, "a film from the desktop")
	if err := l.AddRemoteFilm(ctx, Film{ProjectID: p, SHA256: remote, Name: "The Kite.mp4", Size: rsize, Created: at.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if got, _ := l.Transfers(ctx); len(got) != 1 {
		t.Errorf("transfers after AddRemoteFilm = %+v, want the one upload", got)
	}
	films, err := l.Films(ctx, p)
	if err != nil || len(films) != 2 || films[0].SHA256 != remote || films[1] != film {
		t.Fatalf("Films = %+v, %v; want the desktop's, then %+v", films, err, film)
	}
	if of, err := l.FilmsOf(ctx, sum); err != nil || len(of) != 1 || of[0] != film {
		t.Errorf("FilmsOf = %+v, %v", of, err)
	}

	// A use removed by the person it features: the film goes everywhere
	// here, with its copy and its upload.
	if _, err := l.RemoveUse(ctx, "", sum); err != nil {
		t.Fatal(err)
	}
	if of, _ := l.FilmsOf(ctx, sum); len(of) != 0 {
		t.Errorf("films after the use was removed = %+v", of)
	}
	if l.Blobs().Has(sum) {
		t.Error("the removed film's copy is still in the store")
	}
	if got, _ := l.Transfers(ctx); len(got) != 0 {
		t.Errorf("transfers after the use was removed = %+v", got)
	}
	if films, _ := l.Films(ctx, p); len(films) != 1 || films[0].SHA256 != remote {
		t.Errorf("Films after the use was removed = %+v, want the other film", films)
	}
}
