package library

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slatestudio/slate/timeline"
)

// bigProject is a storyboard of n realistic shots: a prompt of a couple of
// hundred characters, a word of dialogue, a cue. They fit the longest film
// a project may hold: at half a second each, overlapped by 0.2 s
// crossfades, 10,000 shots last 50 minutes.
func bigProject(n int) *timeline.Project {
	p := timeline.New("Ten thousand shots")
	p.Cast = []timeline.CastRef{{ID: "ana", Name: "Ana"}}
	for i := range n {
		s := timeline.NewShot(fmt.Sprintf("Shot %d", i+1))
		s.Prompt = strings.Repeat(fmt.Sprintf("a wide view of harbour %d at dusk, ", i), 6)
		s.Duration = timeline.MinShotDuration
		s.Transition = timeline.Transition{Kind: timeline.Crossfade, Duration: 200 * time.Millisecond}
		s.Lines = []timeline.Line{{Speaker: "ana", Text: "Go."}}
		s.Cues = []timeline.Cue{{Kind: timeline.Ambience, Description: "wind", Duration: timeline.MinShotDuration}}
		p.Shots = append(p.Shots, s)
	}
	return p
}

func percentile(d []time.Duration, p float64) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, int(float64(len(s))*p))]
}

// BenchmarkEditSave10k times edits of a 10,000-shot project, each saved
// durably before it returns, against the baseline of one durable one-row
// UPDATE on the same database: the ratio is the cost of Slate's edit path
// over the bare write it cannot avoid.
func BenchmarkEditSave10k(b *testing.B) {
	ctx := context.Background()
	l, err := Open(b.Context(), b.TempDir(), Options{Exclusive: true})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	d, err := l.CreateProject(ctx, bigProject(10000))
	if err != nil {
		b.Fatal(err)
	}
	p := d.Project()
	r := rand.New(rand.NewPCG(1, 2))
	const edits = 1000
	var took, base []time.Duration
	b.ResetTimer()
	for range b.N {
		took, base = took[:0], base[:0]
		for n := range edits {
			id := p.Shots[r.IntN(len(p.Shots))].ID
			var c timeline.Command
			switch n % 5 {
			case 0:
				c = timeline.SetPrompt(id, fmt.Sprintf("edited prompt %d", n))
			case 1:
				// Lengths stay short so that the film, edited 3,000
				// times, stays within the longest a project may be.
				c = timeline.SetDuration(id, timeline.MinShotDuration+time.Duration(r.IntN(5))*100*time.Millisecond)
			case 2:
				c = timeline.MoveShot(id, r.IntN(len(p.Shots)))
			case 3:
				// A shot goes before one comes, so the project never
				// holds more than the most shots it may.
				c = timeline.DeleteShots(id)
			default:
				added := timeline.NewShot("added")
				added.Duration = timeline.MinShotDuration
				c = timeline.AddShot(r.IntN(len(p.Shots)), added)
			}
			t0 := time.Now()
			if _, err := d.Do(ctx, c); err != nil {
				b.Fatal(err)
			}
			took = append(took, time.Since(t0))

			t0 = time.Now()
			if _, err := l.db.ExecContext(ctx, `UPDATE projects SET updated_at = ? WHERE id = ?`, n, p.ID); err != nil {
				b.Fatal(err)
			}
			base = append(base, time.Since(t0))
		}
	}
	b.StopTimer()
	p50, p99 := percentile(took, 0.5), percentile(took, 0.99)
	b99 := percentile(base, 0.99)
	b.ReportMetric(float64(p50.Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(b99.Microseconds())/1000, "base-p99-ms")
	b.ReportMetric(float64(p99)/float64(b99), "p99/base")
}

// BenchmarkOpen10k times opening a 10,000-shot project against the
// baseline of reading the same rows without decoding them.
func BenchmarkOpen10k(b *testing.B) {
	ctx := context.Background()
	l, err := Open(b.Context(), b.TempDir(), Options{Exclusive: true})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	d, err := l.CreateProject(ctx, bigProject(10000))
	if err != nil {
		b.Fatal(err)
	}
	id := d.Project().ID
	var open, raw time.Duration
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		if _, err := l.OpenProject(ctx, id); err != nil {
			b.Fatal(err)
		}
		open += time.Since(t0)

		t0 = time.Now()
		rows, err := l.db.QueryContext(ctx, `SELECT id, pos, data FROM shots WHERE project_id = ? ORDER BY pos`, id)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for rows.Next() {
			var sid string
			var pos int64
			var data []byte
			rows.Scan(&sid, &pos, &data)
			n++
		}
		rows.Close()
		raw += time.Since(t0)
	}
	b.StopTimer()
	b.ReportMetric(float64(open.Microseconds())/1000/float64(b.N), "open-ms")
	b.ReportMetric(float64(raw.Microseconds())/1000/float64(b.N), "rows-ms")
	b.ReportMetric(float64(open)/float64(raw), "open/rows")
}
