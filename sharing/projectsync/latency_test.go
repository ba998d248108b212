package projectsync_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/slatestudio/slate/timeline"
)

// BenchmarkChangeShownOnOtherDevice measures how long an edit on one
// device takes to be in the other's library, both running their engines
// as the studio does (Run, every 2 s, kicked after each edit): the
// issue's target is p99 ≤ 5 s. Run it with a count of changes:
//
//	go test ./sharing/projectsync -run '^$' -bench ChangeShown -benchtime 40x
func BenchmarkChangeShownOnOtherDevice(b *testing.B) {
	s := startServer(b)
	a, o := newDevice(b, "laptop"), newDevice(b, "desktop")
	logIn(b, s, "olive", a, o)
	doc := a.project(b, "The Kite", 3)
	id, shot := doc.Project().ID, doc.Project().Shots[1].ID
	settle(b, a, o)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go a.eng.Run(ctx)
	go o.eng.Run(ctx)

	var took []time.Duration
	b.ResetTimer()
	for i := range b.N {
		v := fmt.Sprintf("change %d", i)
		start := time.Now()
		if _, err := doc.Do(ctx, timeline.SetPrompt(shot, v)); err != nil {
			b.Fatal(err)
		}
		a.eng.Kick() // as the studio's OnEdit does
		for {
			d, err := o.lib.OpenProject(ctx, id)
			if err == nil && d.Project().Shots[1].Prompt == v {
				break
			}
			if time.Since(start) > 30*time.Second {
				b.Fatalf("change %d not on the desktop after 30 s", i)
			}
			time.Sleep(5 * time.Millisecond)
		}
		took = append(took, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(took)
	q := func(f float64) float64 { return took[min(len(took)-1, int(f*float64(len(took))))].Seconds() }
	b.ReportMetric(q(0.5), "p50-s")
	b.ReportMetric(q(0.99), "p99-s")
	b.ReportMetric(q(0.99)/5, "p99/target")
}
