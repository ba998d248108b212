package libraryui

import (
	"fmt"
	"testing"
	"time"

	"github.com/slatestudio/slate/render"
)

// The overall bar and its line show the batch's real state: how many of
// its jobs are done, failed or still to go, 100 % once all are finished,
// never 0 % for a batch that is done. A batch is the jobs asked for
// together (a Render all, a continuing shot queued as the one before it
// finishes); one asked for later starts a new batch.
func TestQueueOverallShowsTheBatch(t *testing.T) {
	f := newFixture(t, needTools(t))
	q := f.jobs
	t0 := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	job := func(n int, st render.Status, progress int, created, completed time.Time) render.Job {
		return render.Job{ID: fmt.Sprintf("job-%d-%d", created.Unix(), n), Status: st, Progress: progress, ShotNumber: n,
			ShotID: fmt.Sprintf("s%d", n), CreatedAt: created, CompletedAt: completed}
	}
	check := func(step string, value float64, summary string) {
		t.Helper()
		if q.overall.Value < value-0.001 || q.overall.Value > value+0.001 || q.summary.Text != summary {
			t.Errorf("%s: the bar reads %.0f %% and says %q; want %.0f %%, %q", step, 100*q.overall.Value, q.summary.Text, 100*value, summary)
		}
	}
	check("no jobs", 0, "Nothing rendering.")
	a := []render.Job{
		job(1, render.Queued, 0, t0, time.Time{}),
		job(2, render.Queued, 0, t0.Add(10*time.Millisecond), time.Time{}),
		job(3, render.Queued, 0, t0.Add(20*time.Millisecond), time.Time{}),
	}
	for _, j := range a {
		q.jobChanged(j)
	}
	check("three queued", 0, "Rendering: 0 of 3 done, 3 to go")
	a[0].Status, a[0].Progress, a[0].CompletedAt = render.Completed, 100, t0.Add(5*time.Second)
	a[1].Status, a[1].Progress = render.InProgress, 50
	q.jobChanged(a[0])
	q.jobChanged(a[1])
	check("one done, one half way", 0.5, "Rendering: 1 of 3 done, 2 to go")
	// Shot 3 continues from shot 2: queued once shot 2 is done.
	a[1].Status, a[1].Progress, a[1].CompletedAt = render.Completed, 100, t0.Add(9*time.Second)
	q.jobChanged(a[1])
	a[2].CreatedAt = a[1].CompletedAt.Add(30 * time.Millisecond)
	q.jobChanged(a[2])
	check("the continuing shot queued", 2.0/3, "Rendering: 2 of 3 done, 1 to go")
	a[2].Status, a[2].Progress, a[2].CompletedAt = render.Completed, 100, t0.Add(12*time.Second)
	q.jobChanged(a[2])
	check("all done", 1, "3 of 3 done")

	// A later Render all whose jobs finish before the studio hears of
	// them (the session folds the queue's events): one failed.
	t1 := t0.Add(time.Minute)
	b := []render.Job{
		job(1, render.Completed, 100, t1, t1.Add(time.Second)),
		job(2, render.Failed, 10, t1.Add(5*time.Millisecond), t1.Add(2*time.Second)),
	}
	for _, j := range b {
		q.jobChanged(j)
	}
	check("a later batch, one failed", 1, "1 of 2 done, 1 failed")
	b[1].Status, b[1].CompletedAt = render.Cancelled, t1.Add(2*time.Second)
	q.jobChanged(b[1])
	check("a later batch, one cancelled", 1, "1 of 2 done, 1 cancelled")
	q.clearFinished()
	check("cleared", 0, "Nothing rendering.")
}
