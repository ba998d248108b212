package projectsync_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/slatestudio/slate/consent"
	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/sharing/projectsync"
)

// film exports (stands in for exporting) a film of a project: size
// bytes made from seed, kept as render's export keeps one.
func (d *device) film(t testing.TB, project, name string, seed, size int) library.Film {
	t.Helper()
	ctx := context.Background()
	data := make([]byte, size)
	for i := range data {
		data[i] = byte(seed*197 + i*11 + i/509)
	}
	sum, n, err := d.lib.Blobs().Put(ctx, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	f := library.Film{ProjectID: project, SHA256: sum, Name: name, Size: n}
	if err := d.lib.AddFilm(ctx, f); err != nil {
		t.Fatal(err)
	}
	return f
}

// hasFilm says whether the device lists the film under its project, with
// the bytes its sha256 names.
func (d *device) hasFilm(t testing.TB, f library.Film) bool {
	t.Helper()
	films, err := d.lib.Films(context.Background(), f.ProjectID)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range films {
		if g.SHA256 == f.SHA256 {
			if err := blobSum(d.lib, g.SHA256); err != nil {
				t.Errorf("%s: film %s: %v", d.name, g.Name, err)
			}
			return true
		}
	}
	return false
}

// A film exported on one device arrives on the other, named after its
// project and checked by its sha256; a film of a .slate file ("slate
// render FILE.slate") is not sent.
func TestFilmReachesTheOtherDevice(t *testing.T) {
	ctx := context.Background()
	s := startServer(t)
	a, b := newDevice(t, "laptop"), newDevice(t, "desktop")
	logIn(t, s, "olive", a, b)
	doc := a.project(t, "The Kite", 2)
	id := doc.Project().ID
	film := a.film(t, id, "kite-final.mp4", 1, 2<<20)
	loose := a.film(t, "file-0123456789abcdef", "loose.mp4", 2, 5000)
	a.sync(t)
	b.sync(t)
	if !b.hasFilm(t, film) {
		t.Fatal("the desktop lacks the laptop's film")
	}
	films, err := b.lib.Films(ctx, id)
	if err != nil || len(films) != 1 || films[0].Name != "The Kite.mp4" || films[0].Size != film.Size {
		t.Errorf("desktop's films = %+v, %v; want The Kite.mp4 of %d bytes", films, err, film.Size)
	}
	if st := b.eng.Clip(ctx, film.SHA256); st.State != projectsync.Synced {
		t.Errorf("desktop's Clip(film) = %+v, want synced", st)
	}
	if st := a.eng.Clip(ctx, film.SHA256); st.State != projectsync.Synced {
		t.Errorf("laptop's Clip(film) = %+v, want synced", st)
	}
	c, err := a.svc.Client()
	if err != nil {
		t.Fatal(err)
	}
	if has, err := c.HasBlob(ctx, loose.SHA256); err != nil || has {
		t.Errorf("the film of a .slate file went to the server: %v, %v", has, err)
	}
	// Nothing goes back, nor twice.
	settle(t, a, b)
	if films, _ := a.lib.Films(ctx, id); len(films) != 1 || films[0].Name != "kite-final.mp4" {
		t.Errorf("laptop's films after settling = %+v, want its own one", films)
	}
	if films, _ := b.lib.Films(ctx, id); len(films) != 1 {
		t.Errorf("desktop's films after settling = %+v, want one", films)
	}
}

// A film featuring someone else's cast member goes to the maker's other
// device once its use is registered, and when the owner removes the use
// it goes from every device of the maker and from the server.
func TestRemovedUseDeletesTheFilmEverywhere(t *testing.T) {
	ctx := context.Background()
	s := startServer(t)
	owner := newDevice(t, "olive's laptop")
	logIn(t, s, "olive", owner)
	mara := library.CastMember{Name: "Mara Quinn", Handle: "@mara", Consent: consent.Everyone}
	if err := owner.lib.AddCastMember(ctx, &mara); err != nil {
		t.Fatal(err)
	}
	owner.sync(t)

	a, b := newDevice(t, "laptop"), newDevice(t, "desktop")
	logIn(t, s, "carl", a, b)
	theirs, err := a.svc.Find(ctx, "mara")
	if err != nil {
		t.Fatal(err)
	}
	doc := a.project(t, "The Kite", 1)
	id := doc.Project().ID
	grants, err := a.svc.Permit(ctx, render.Need{ProjectID: id, ProjectTitle: "The Kite", Scope: consent.Final, Members: []library.CastMember{theirs}})
	if err != nil {
		t.Fatal(err)
	}
	film := a.film(t, id, "The Kite.mp4", 3, 8000)
	plain := a.film(t, id, "The Kite, silent.mp4", 4, 3000)
	if err := a.svc.Made(ctx, grants, render.Made{ProjectID: id, ProjectTitle: "The Kite", Scope: consent.Final, SHA256: film.SHA256}); err != nil {
		t.Fatal(err)
	}
	settle(t, a, b)
	if !b.hasFilm(t, film) || !b.hasFilm(t, plain) {
		t.Fatal("the desktop lacks the films")
	}

	uses, err := owner.svc.UsesOfMine(ctx)
	if err != nil || len(uses) != 1 {
		t.Fatalf("owner's uses = %+v, %v; want one", uses, err)
	}
	if err := owner.svc.RemoveUse(ctx, uses[0].ID); err != nil {
		t.Fatal(err)
	}
	settle(t, a, b)
	for _, d := range []*device{a, b} {
		if d.hasFilm(t, film) || d.lib.Blobs().Has(film.SHA256) {
			t.Errorf("%s still has the removed film", d.name)
		}
		if !d.hasFilm(t, plain) {
			t.Errorf("%s lost the film that features no one else", d.name)
		}
	}
	c, err := a.svc.Client()
	if err != nil {
		t.Fatal(err)
	}
	if has, err := c.HasBlob(ctx, film.SHA256); err != nil || has {
		t.Errorf("the server still holds the removed film for the account: %v, %v", has, err)
	}
}
