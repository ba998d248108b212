package storyboard

import (
	"fmt"
	"testing"
	"time"

	"github.com/slatestudio/slate/studio/studiotest"
	"github.com/slatestudio/slate/timeline"
)

// BenchmarkTimelineRefresh times bringing the timeline up to date after one
// edit (a prompt change on a shot in view), on a 1,000-shot project and,
// as the baseline in the same run, on a 10-shot one. Only the cards in
// view are touched, so the two should cost about the same.
func BenchmarkTimelineRefresh(b *testing.B) {
	var per [2]time.Duration
	for k, n := range []int{10, 1000} {
		bd := newBoard(b, studiotest.ManyShots(n))
		bd.ui.Drain()
		id := bd.s.Project().Shots[1].ID
		var took time.Duration
		for i := range b.N {
			ch, err := bd.s.Document().Do(b.Context(), timeline.SetPrompt(id, fmt.Sprintf("edit %d", i)))
			if err != nil {
				b.Fatal(err)
			}
			t0 := time.Now()
			bd.strip.projectChanged(ch)
			took += time.Since(t0)
		}
		per[k] = took / time.Duration(b.N)
		if n := len(bd.cards()); n == 0 || n > 60 {
			b.Fatalf("%d cards have widgets, want only those in view", n)
		}
	}
	b.ReportMetric(float64(per[1].Microseconds())/1000, "ms/refresh-1000")
	b.ReportMetric(float64(per[0].Microseconds())/1000, "ms/refresh-10")
	b.ReportMetric(float64(per[1])/float64(per[0]), "ratio")
}
