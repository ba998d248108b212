package render_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/render/animatic"
	"github.com/slatestudio/slate/timeline"
)

// BenchmarkRerenderAfterEdit renders a 20-shot project, edits one shot, and
// times rendering the whole project again against rendering that one shot
// alone (after an equivalent edit, so it is not cached either). The ratio
// is what the other 19 shots cost when nothing about them changed. It also
// reports assembling the film afterwards (all cuts, so joined by copy).
func BenchmarkRerenderAfterEdit(b *testing.B) {
	ctx := context.Background()
	s := newStudio(b, b.TempDir())
	p := timeline.New("Twenty")
	p.Cast = []timeline.CastRef{{ID: "ana", Name: "Ana"}}
	for i := range 20 {
		sh := timeline.NewShot(fmt.Sprintf("Shot %d", i+1))
		sh.Prompt = fmt.Sprintf("harbour view number %d at dusk", i+1)
		sh.Duration = 3 * time.Second
		sh.Camera.Move = timeline.Moves[i%len(timeline.Moves)]
		sh.Lines = []timeline.Line{{Speaker: "ana", Text: "Look at the light.", Start: 500 * time.Millisecond}}
		p.Shots = append(p.Shots, sh)
	}
	opts := render.ProjectOptions{Backend: animatic.Name}
	if _, err := s.queue.RenderProject(ctx, p, opts); err != nil {
		b.Fatal(err)
	}
	e := timeline.NewEditor(p)
	target := p.Shots[7].ID
	var whole, alone, assemble time.Duration
	b.ResetTimer()
	for n := range b.N {
		if _, err := e.Do(timeline.SetPrompt(target, fmt.Sprintf("edit %d for the whole project", n))); err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		clips, err := s.queue.RenderProject(ctx, p, opts)
		if err != nil {
			b.Fatal(err)
		}
		whole += time.Since(t0)

		t0 = time.Now()
		out := filepath.Join(b.TempDir(), "film.mp4")
		if _, err := render.Assemble(ctx, s.tools, p, s.clipPaths(clips), render.FilmOptions{Output: out}); err != nil {
			b.Fatal(err)
		}
		assemble += time.Since(t0)
		os.Remove(out)

		if _, err := e.Do(timeline.SetPrompt(target, fmt.Sprintf("edit %d for the shot alone", n))); err != nil {
			b.Fatal(err)
		}
		t0 = time.Now()
		if _, err := s.queue.RenderProject(ctx, p, render.ProjectOptions{Backend: animatic.Name, Shots: []int{7}}); err != nil {
			b.Fatal(err)
		}
		alone += time.Since(t0)
	}
	b.StopTimer()
	b.ReportMetric(whole.Seconds()/float64(b.N), "project-s")
	b.ReportMetric(alone.Seconds()/float64(b.N), "shot-s")
	b.ReportMetric(assemble.Seconds()/float64(b.N), "assemble-s")
	b.ReportMetric(float64(whole)/float64(alone), "ratio")
}
