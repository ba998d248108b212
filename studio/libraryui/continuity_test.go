package libraryui

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/render/animatic"
	"github.com/slatestudio/slate/render/rendertest"
	"github.com/slatestudio/slate/studio/studiotest"
	"github.com/slatestudio/slate/timeline"
)

// A shot that continues from the previous one, on a backend that starts
// it from the previous clip's last frame, rendered with Ctrl+R and then
// exported, is rendered once: the key the studio shows and renders by is
// the key the export looks up. Ctrl+R renders the shot it continues from
// first, since its clip is where the shot starts.
func TestContinuedShotRenderedOnceThenExported(t *testing.T) {
	tools := needTools(t)
	p := tinyDemo(t)
	p.Shots[0].Transition = timeline.Transition{Kind: timeline.Cut}
	p.Shots[1].Continue = true
	a, err := animatic.New(tools)
	if err != nil {
		t.Fatal(err)
	}
	cond := &rendertest.Counter{Backend: a, As: "conditioned", ImageConditioning: true}
	f := newFixtureOn(t, studiotest.Options{
		Projects: []*timeline.Project{p}, Tools: &tools, Backend: cond.As,
		Change: func(reg *render.Registry) {
			reg.Register(cond.As, func() (render.Backend, error) { return cond, nil })
		},
	})
	first, second := p.Shots[0].ID, p.Shots[1].ID

	f.s.Select(second)
	f.s.Render(t.Context(), f.s.SelectedShots()) // Ctrl+R
	f.until("shot 2's clip", time.Minute, func() bool { _, ok := f.s.ClipOf(1); return ok })
	if n := cond.Renders(second); n != 1 {
		t.Fatalf("Ctrl+R rendered shot 2 %d times, want once", n)
	}
	if one, ok := f.s.ClipOf(0); !ok {
		t.Error("shot 2 was rendered without the shot it continues from")
	} else if got, want := cond.PrevClip(second), f.lib.Blobs().Path(one.SHA256); got != want {
		t.Errorf("shot 2 started from %q, want shot 1's clip %q", got, want)
	}

	e := f.export(filepath.Join(t.TempDir(), "film.mp4"))
	if e.err != nil {
		t.Fatalf("export: %v", e.err)
	}
	if n := cond.Renders(second); n != 1 {
		t.Errorf("shot 2 was rendered %d times by Ctrl+R and the export, want once", n)
	}
	if n := cond.Renders(first); n != 1 {
		t.Errorf("shot 1 was rendered %d times, want once", n)
	}
}
