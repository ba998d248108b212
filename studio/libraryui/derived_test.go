package libraryui

import (
	"bytes"
	"image"
	"image/jpeg"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slatestudio/slate/account/accounttest"
	"github.com/slatestudio/slate/account/client"
	"github.com/slatestudio/slate/consent"
	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/render/animatic"
	"github.com/slatestudio/slate/sharing"
	"github.com/slatestudio/slate/studio/studiotest"
)

// When a cast member's owner removes a use, the clip goes from the maker's
// studio and so does every file made from it: after the removal no file
// in the data folder is named after the clip or holds its thumbnail.
func TestRemovedUseLeavesNoDerivedFile(t *testing.T) {
	ctx := t.Context()
	server := accounttest.Start(t)
	ana := newPeer(t, server, "ana")
	mara := &library.CastMember{Name: "Mara", Handle: "@mara", Consent: consent.Everyone}
	if err := ana.lib.AddCastMember(ctx, mara); err != nil {
		t.Fatal(err)
	}
	if _, err := ana.svc.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	// Ben's studio, logged in to the server.
	h := newFixture(t, needTools(t), studiotest.Demo(t))
	svc := sharing.New(h.lib, sharing.Options{Store: client.NewFileStore(t.TempDir()), Device: "ben's laptop"})
	if _, err := svc.SignUp(ctx, server, "ben", testPassword); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Find(ctx, "@mara"); err != nil {
		t.Fatal(err)
	}

	// Ben renders shot 1; the studio shows the clip with its thumbnail.
	j, err := h.queue.Submit(ctx, h.s.Request(0), animatic.Name)
	if err != nil {
		t.Fatal(err)
	}
	if j, err = h.queue.Wait(ctx, j.ID); err != nil || j.Status != render.Completed {
		t.Fatalf("render shot 1: %v, %+v", err, j.Error)
	}
	sum := j.Clip.SHA256
	l := h.panel
	h.until("the clip's thumbnails", time.Minute, func() bool {
		return l.thumbs[sum] != nil && l.busy == 0 && h.thumbs.Get(ctx, 0) != nil && h.thumbs.has("clip:")
	})
	thumb, err := jpeg.Decode(bytes.NewReader(l.thumbs[sum].Content()))
	if err != nil {
		t.Fatalf("the clip's thumbnail: %v", err)
	}

	// The use is registered; ana removes it; ben's next sync hears.
	remote, err := h.lib.CastMember(ctx, mara.ID)
	if err != nil {
		t.Fatal(err)
	}
	p := h.s.Project()
	need := render.Need{ProjectID: p.ID, ProjectTitle: p.Title, ShotID: p.Shots[0].ID, Scope: consent.Draft, Members: []library.CastMember{remote}}
	grants, err := svc.Permit(ctx, need)
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Made(ctx, grants, render.Made{ProjectID: p.ID, ProjectTitle: p.Title, ShotID: p.Shots[0].ID, Scope: consent.Draft, SHA256: sum}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	uses, err := ana.svc.UsesOfMine(ctx)
	if err != nil || len(uses) != 1 {
		t.Fatalf("ana sees uses %+v, %v", uses, err)
	}
	if err := ana.svc.RemoveUse(ctx, uses[0].ID); err != nil {
		t.Fatal(err)
	}
	r, err := svc.Sync(ctx)
	if err != nil || len(r.Removed) != 1 {
		t.Fatalf("ben's sync after the removal: %+v, %v; want the clip removed", r, err)
	}

	for _, f := range derivedFrom(t, h.lib.Dir(), sum, thumb) {
		t.Errorf("%s is still in the data folder after the removal", f)
	}
}

const testPassword = "correct horse battery"

// peer is another person's studio, without a window: a library and its
// sharing service, signed up on server.
type peer struct {
	lib *library.Library
	svc *sharing.Service
}

func newPeer(t *testing.T, server, username string) *peer {
	t.Helper()
	lib, err := library.Open(t.Context(), t.TempDir(), library.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lib.Close() })
	p := &peer{lib: lib, svc: sharing.New(lib, sharing.Options{Store: client.NewFileStore(t.TempDir()), Device: username + "'s laptop"})}
	if _, err := p.svc.SignUp(t.Context(), server, username, testPassword); err != nil {
		t.Fatal(err)
	}
	return p
}

// derivedFrom walks the data folder dir and lists the files that come
// from the blob sum: those named after it, and JPEGs that decode to its
// thumbnail.
func derivedFrom(t *testing.T, dir, sum string, thumb image.Image) []string {
	t.Helper()
	var found []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if strings.Contains(path, sum) {
			found = append(found, path)
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if img, err := jpeg.Decode(bytes.NewReader(data)); err == nil && sameImage(img, thumb) {
			found = append(found, path+" (the clip's thumbnail)")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

func sameImage(a, b image.Image) bool {
	if a.Bounds() != b.Bounds() {
		return false
	}
	r := a.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if a.At(x, y) != b.At(x, y) {
				return false
			}
		}
	}
	return true
}
