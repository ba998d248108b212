package studio

import (
	"fmt"
	"testing"
	"time"

	"github.com/slatestudio/slate/timeline"
)

func manyShots(n int) *timeline.Project {
	p := timeline.New("Many")
	p.Cast = []timeline.CastRef{{ID: "ana", Name: "Ana"}}
	for i := range n {
		s := timeline.NewShot(fmt.Sprintf("Shot %d", i+1))
		s.Prompt = "a harbour at dusk"
		s.Duration = time.Duration(2+i%5) * time.Second
		s.Cast = []string{"ana"}
		if i%7 == 0 {
			s.Transition = timeline.Transition{Kind: timeline.Crossfade, Duration: 500 * time.Millisecond}
		}
		p.Shots = append(p.Shots, s)
	}
	return p
}

// BenchmarkTimelineRefresh times bringing the timeline up to date after one
// edit (a prompt change on a shot in view), on a 1,000-shot project and,
// as the baseline in the same run, on a 10-shot one. Only the cards in
// view are touched, so the two should cost about the same.
func BenchmarkTimelineRefresh(b *testing.B) {
	var per [2]time.Duration
	for k, n := range []int{10, 1000} {
		h := newHarness(b, manyShots(n))
		h.ui.drain()
		id := h.s.Project().Shots[1].ID
		var took time.Duration
		for i := range b.N {
			ch, err := h.s.doc.Do(h.s.ctx, timeline.SetPrompt(id, fmt.Sprintf("edit %d", i)))
			if err != nil {
				b.Fatal(err)
			}
			t0 := time.Now()
			h.s.timeline.projectChanged(ch)
			took += time.Since(t0)
		}
		per[k] = took / time.Duration(b.N)
		if n := len(h.cards()); n == 0 || n > 60 {
			b.Fatalf("%d cards have widgets, want only those in view", n)
		}
	}
	b.ReportMetric(float64(per[1].Microseconds())/1000, "ms/refresh-1000")
	b.ReportMetric(float64(per[0].Microseconds())/1000, "ms/refresh-10")
	b.ReportMetric(float64(per[1])/float64(per[0]), "ratio")
}
