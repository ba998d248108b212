package libraryui

import (
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/studio/studiotest"
)

func TestRenderShotProgressAndThumbnail(t *testing.T) {
	f := newFixture(t, needTools(t), studiotest.SmallDemo(t))
	f.s.Select("pier")
	f.s.Render(t.Context(), f.s.SelectedShots()) // Ctrl+R
	var seen []int
	f.until("shot 3's job to complete", 60*time.Second, func() bool {
		for _, j := range f.jobs.jobs {
			if j.ShotID == "pier" {
				if len(seen) == 0 || seen[len(seen)-1] != j.Progress {
					seen = append(seen, j.Progress)
				}
				return j.Status == render.Completed
			}
		}
		return false
	})
	if seen[len(seen)-1] != 100 || len(seen) < 3 || !slices.IsSorted(seen) {
		t.Errorf("the job's progress went %v; want it to rise to 100", seen)
	}
	row := f.jobRow(t, "pier")
	if row.bar.Value != 1 || !row.open.Visible() || row.cancel.Visible() {
		t.Errorf("finished row: bar %v, open shown %v, cancel shown %v", row.bar.Value, row.open.Visible(), row.cancel.Visible())
	}
	// Done is done: the overall bar is full and says so (it read 0 % and
	// "Nothing rendering" once the queue was idle).
	if f.jobs.overall.Value != 1 || f.jobs.summary.Text != "1 of 1 done" {
		t.Errorf("overall %v %q once the queue is idle; want 1, \"1 of 1 done\"", f.jobs.overall.Value, f.jobs.summary.Text)
	}
	// The card's thumbnail is the clip's first frame (the storyboard's
	// tests check that the card says rendered and shows it).
	f.until("the clip's thumbnail", 30*time.Second, func() bool {
		_, rendered := f.s.ClipOf(2)
		return rendered && f.thumbs.Get(t.Context(), 2) != nil && f.thumbs.has("clip:")
	})
}

func TestCancelJob(t *testing.T) {
	p := studiotest.SmallDemo(t)
	p.Shots[4].Duration = 60 * time.Second
	f := newFixture(t, needTools(t), p)
	f.s.Select("night")
	f.s.Render(t.Context(), f.s.SelectedShots()) // Ctrl+R
	f.until("the long shot to start rendering", 30*time.Second, func() bool {
		for _, j := range f.jobs.jobs {
			if j.ShotID == "night" && j.Status == render.InProgress && j.Progress > 0 {
				return true
			}
		}
		return false
	})
	row := f.jobRow(t, "night")
	test.Tap(row.cancel)
	start := time.Now()
	f.until("the job to be cancelled", 10*time.Second, func() bool {
		r := f.jobRow(t, "night")
		return r.job.Status == render.Cancelled
	})
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("cancel took %v", took)
	}
	r := f.jobRow(t, "night")
	if !r.retry.Visible() || r.cancel.Visible() || !strings.Contains(r.state.Text, "cancelled") {
		t.Errorf("cancelled row: retry %v, cancel %v, %q", r.retry.Visible(), r.cancel.Visible(), r.state.Text)
	}
	if _, ok := f.s.ClipOf(4); ok {
		t.Error("a cancelled render left a clip")
	}
}

// jobRow finds the queue panel's row for a shot's latest job.
func (f *fixture) jobRow(t *testing.T, shotID string) *jobRow {
	t.Helper()
	f.jobs.list.Refresh()
	var found *jobRow
	walkAll(f.jobs.list, func(o fyne.CanvasObject) {
		if r, ok := o.(*jobRow); ok && r.job.ShotID == shotID && found == nil {
			found = r
		}
	})
	if found == nil {
		t.Fatalf("no queue row for shot %s", shotID)
	}
	return found
}

// has reports whether a thumbnail whose key starts with prefix is made.
func (th *Thumbnails) has(prefix string) bool {
	th.mu.Lock()
	defer th.mu.Unlock()
	for k := range th.done {
		if strings.HasPrefix(k, prefix) {
			return true
		}
	}
	return false
}

// The queue panel says when a shot renders again because its cached
// clip was damaged.
func TestJobTextSaysDamaged(t *testing.T) {
	j := render.Job{Status: render.Queued, Note: "the cached clip of shot 4 was damaged; rendering it again"}
	if got := jobText(j, time.Now()); got != "the cached clip of shot 4 was damaged; rendering it again" {
		t.Errorf("jobText(queued with a note) = %q", got)
	}
	j.Status, j.Progress = render.InProgress, 42
	if got := jobText(j, time.Now()); !strings.HasPrefix(got, "rendering 42 %") || !strings.HasSuffix(got, "the cached clip of shot 4 was damaged; rendering it again") {
		t.Errorf("jobText(rendering with a note) = %q", got)
	}
	j.Status = render.Completed
	if got := jobText(j, time.Now()); got != "done" {
		t.Errorf("jobText(done) = %q", got)
	}
}

// A job on a render server says where it runs and what the server says
// of it.
func TestJobTextSaysWhere(t *testing.T) {
	now := time.Now()
	for _, c := range []struct {
		job  render.Job
		want string
	}{
		{render.Job{Backend: "remote:gpu-box/animatic", Status: render.Queued}, "on gpu-box · queued"},
		{render.Job{Backend: "remote:gpu-box/animatic", Status: render.InProgress, RemoteStatus: "queued, 3 ahead"}, "on gpu-box · queued, 3 ahead"},
		{render.Job{Backend: "remote:gpu-box/animatic", Status: render.InProgress, RemoteStatus: "rendering", Progress: 40}, "on gpu-box · rendering, 40 %"},
		{render.Job{Backend: "remote:gpu-box/animatic", Status: render.InProgress, Progress: 40}, "on gpu-box · rendering 40 %"},
		{render.Job{Backend: "remote:gpu-box/animatic", Status: render.Failed, Error: &render.JobError{Message: "the server said no"}}, "failed: the server said no"},
		{render.Job{Backend: "animatic", Status: render.Queued}, "queued"},
	} {
		if got := jobText(c.job, now); got != c.want {
			t.Errorf("jobText(%s %s %q) = %q, want %q", c.job.Backend, c.job.Status, c.job.RemoteStatus, got, c.want)
		}
	}
}
