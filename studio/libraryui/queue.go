package libraryui

import (
	"cmp"
	"context"
	"fmt"
	"net/url"
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/studio/look"
	"github.com/slatestudio/slate/studio/session"
	"github.com/slatestudio/slate/studio/uikit"
	"github.com/slatestudio/slate/timeline"
)

// QueuePanel shows the render queue: every job with its progress, time
// left and a button for what can be done with it, and the overall
// progress of the jobs still to finish. It starts with the jobs the queue
// kept from earlier runs.
type QueuePanel struct {
	s       Session
	d       Deps
	jobs    []render.Job // newest batch first
	list    *widget.List
	overall *widget.ProgressBar
	summary *widget.Label
	all     *widget.Button
}

// NewQueuePanel makes the Render queue tab; it follows the session's jobs
// from now on, and what its buttons start runs under ctx, the studio's.
func NewQueuePanel(ctx context.Context, d Deps) *QueuePanel {
	d = d.withDefaults()
	q := &QueuePanel{s: d.Session, d: d}
	q.all = widget.NewButtonWithIcon("Render all", theme.MediaPlayIcon(), func() { d.RenderAll(ctx) })
	q.jobs = d.Queue.Jobs()
	q.sort()
	q.overall = widget.NewProgressBar()
	q.summary = widget.NewLabel("")
	q.list = widget.NewList(
		func() int { return len(q.jobs) },
		func() fyne.CanvasObject { return newJobRow(ctx, q) },
		func(i widget.ListItemID, o fyne.CanvasObject) { o.(*jobRow).bind(q.jobs[i]) },
	)
	q.update()
	q.s.Listen(session.Listener{JobChanged: q.jobChanged})
	return q
}

// View is the panel, for the studio's side tabs.
func (q *QueuePanel) View() fyne.CanvasObject {
	clear := widget.NewButton("Clear finished", q.clearFinished)
	top := container.NewVBox(container.NewHBox(q.all, clear), q.summary, look.ProgressBar(q.overall), widget.NewSeparator())
	return container.NewBorder(top, nil, nil, nil, q.list)
}

// jobChanged takes in a change to one job.
func (q *QueuePanel) jobChanged(j render.Job) {
	if j.ID == "" {
		return // answered from the cache: nothing to queue
	}
	if k := slices.IndexFunc(q.jobs, func(x render.Job) bool { return x.ID == j.ID }); k >= 0 {
		q.jobs[k] = j
	} else {
		q.jobs = append(q.jobs, j)
		q.sort()
	}
	q.update()
}

// sort puts the newest batch of jobs first (jobs queued within the same
// second, as by one Render all) and, within a batch, the shots in order.
func (q *QueuePanel) sort() {
	slices.SortStableFunc(q.jobs, func(a, b render.Job) int {
		if c := b.CreatedAt.Truncate(time.Second).Compare(a.CreatedAt.Truncate(time.Second)); c != 0 {
			return c
		}
		return a.ShotNumber - b.ShotNumber
	})
}

func (q *QueuePanel) clearFinished() {
	q.jobs = slices.DeleteFunc(q.jobs, func(j render.Job) bool { return j.Status.Done() })
	q.update()
}

// batchGap is how long after a batch's last job finished a new job may be
// queued and still belong to it: a continuing shot is queued as the shot
// it starts from finishes, and one Render all queues its jobs within
// moments. A job queued later starts a new batch.
const batchGap = 2 * time.Second

// update refreshes the list and the overall progress: that of the current
// batch (see batch), its jobs finished counting as whole, with how many
// are done, failed or still to go; 100 % once all are finished.
func (q *QueuePanel) update() {
	var active, done, failed, cancelled, sum int
	batch := q.batch()
	for _, j := range batch {
		switch j.Status {
		case render.Completed:
			done++
		case render.Failed:
			failed++
		case render.Cancelled:
			cancelled++
		default:
			active++
			sum += j.Progress
			continue
		}
		sum += 100
	}
	n := len(batch)
	text := fmt.Sprintf("%d of %d done", done, n)
	if active > 0 {
		text = fmt.Sprintf("Rendering: %s, %d to go", text, active)
	}
	if failed > 0 {
		text += fmt.Sprintf(", %d failed", failed)
	}
	if cancelled > 0 {
		text += fmt.Sprintf(", %d cancelled", cancelled)
	}
	if n == 0 {
		q.overall.SetValue(0)
		q.summary.SetText("Nothing rendering.")
	} else {
		q.overall.SetValue(float64(sum) / float64(100*n))
		q.summary.SetText(text)
	}
	q.list.Refresh()
}

// batch is the listed jobs asked for together last: taken in the order
// they were queued, a job starts a new batch when every job before it
// had finished more than batchGap before it was queued. It works from the
// jobs' times alone, so it holds however the queue's events were folded.
func (q *QueuePanel) batch() []render.Job {
	jobs := slices.Clone(q.jobs)
	slices.SortStableFunc(jobs, func(a, b render.Job) int { return a.CreatedAt.Compare(b.CreatedAt) })
	start := 0
	var open bool         // a job of the batch is still to finish
	var lastEnd time.Time // when the batch's last finished job finished
	for i, j := range jobs {
		if i > 0 && !open && j.CreatedAt.After(lastEnd.Add(batchGap)) {
			start, lastEnd = i, time.Time{}
		}
		switch {
		case !j.Status.Done():
			open = true
		case j.CompletedAt.After(lastEnd):
			lastEnd = j.CompletedAt
		}
		if j.Status.Done() && j.CompletedAt.IsZero() && j.CreatedAt.After(lastEnd) {
			lastEnd = j.CreatedAt
		}
	}
	return jobs[start:]
}

// jobRow is one job in the list.
type jobRow struct {
	widget.BaseWidget
	q                   *QueuePanel
	job                 render.Job
	title, state        *widget.Label
	bar                 *widget.ProgressBar
	cancel, retry, open *uikit.TipButton
}

func newJobRow(ctx context.Context, q *QueuePanel) *jobRow {
	r := &jobRow{q: q, title: widget.NewLabel(""), state: widget.NewLabel(""), bar: widget.NewProgressBar()}
	r.title.TextStyle.Bold = true
	r.title.Truncation = fyne.TextTruncateEllipsis
	r.state.Truncation = fyne.TextTruncateEllipsis
	r.cancel = uikit.NewTipButton("", theme.CancelIcon(), "Cancel this render", func() {
		if err := q.d.Queue.Cancel(ctx, r.job.ID); err != nil {
			q.d.Report(err)
		}
	})
	r.retry = uikit.NewTipButton("", theme.ViewRefreshIcon(), "Render again", func() { q.retry(ctx, r.job) })
	r.open = uikit.NewTipButton("", theme.MediaPlayIcon(), "Show the shot in the preview", func() { q.open(ctx, r.job) })
	r.ExtendBaseWidget(r)
	return r
}

func (r *jobRow) CreateRenderer() fyne.WidgetRenderer {
	buttons := container.NewHBox(r.cancel, r.retry, r.open)
	return widget.NewSimpleRenderer(container.NewVBox(
		container.NewBorder(nil, nil, nil, buttons, r.title),
		look.ProgressBar(r.bar), r.state))
}

func (r *jobRow) bind(j render.Job) {
	r.job = j
	title := fmt.Sprintf("Shot %d", j.ShotNumber)
	if j.ShotTitle != "" {
		title += " · " + j.ShotTitle
	}
	r.title.SetText(title)
	r.bar.SetValue(float64(j.Progress) / 100)
	r.state.SetText(jobText(j, r.q.d.Clock.Now()))
	show := func(b fyne.CanvasObject, on bool) {
		if on {
			b.Show()
		} else {
			b.Hide()
		}
	}
	show(r.cancel, !j.Status.Done())
	show(r.retry, j.Status == render.Failed || j.Status == render.Cancelled)
	show(r.open, j.Status == render.Completed)
}

// jobText says where a job is, in words: "rendering 42 %, about 12 s
// left", "failed: …". Until it is done, a job's note (its cached clip was
// damaged) is said too. A job on a render server says which, and while
// it runs, what the server says of it: "on gpu-box · queued, 3 ahead".
func jobText(j render.Job, now time.Time) string {
	server, _, remote := timeline.RemoteServer(j.Backend)
	text := localJobText(j, now)
	switch {
	case !remote || j.Status.Done():
		return text
	case j.Status == render.InProgress && j.RemoteStatus != "":
		text = j.RemoteStatus
		if j.Progress > 0 {
			text += fmt.Sprintf(", %d %%", j.Progress)
		}
	}
	return "on " + server + " · " + text
}

func localJobText(j render.Job, now time.Time) string {
	switch j.Status {
	case render.Queued:
		return cmp.Or(j.Note, "queued")
	case render.InProgress:
		text := fmt.Sprintf("rendering %d %%", j.Progress)
		if eta, ok := j.ETA(now); ok {
			text = fmt.Sprintf("rendering %d %%, about %s left", j.Progress, timeline.Seconds(eta.Round(time.Second)))
		}
		if j.Note != "" {
			text += " · " + j.Note
		}
		return text
	case render.Completed:
		took := j.CompletedAt.Sub(j.StartedAt).Round(100 * time.Millisecond)
		if j.StartedAt.IsZero() {
			return "done"
		}
		return fmt.Sprintf("done in %s", timeline.Seconds(took))
	case render.Failed:
		if j.Error != nil {
			return "failed: " + j.Error.Message
		}
		return "failed"
	case render.Cancelled:
		return "cancelled"
	}
	return string(j.Status)
}

func (q *QueuePanel) retry(ctx context.Context, j render.Job) {
	session.Background(ctx, q.s, func(ctx context.Context) (render.Job, error) {
		return q.d.Queue.Retry(ctx, j.ID)
	}, func(nj render.Job, err error) {
		if err != nil {
			q.d.Report(fmt.Errorf("retry shot %d: %w", j.ShotNumber, err))
			return
		}
		q.jobChanged(nj)
	})
}

// open shows a finished job's shot: selected, with the playhead at its
// start; or, when the job's project is not the open one, its clip in the
// system's video player.
func (q *QueuePanel) open(ctx context.Context, j render.Job) {
	s := q.s
	p := s.Project()
	if i := p.Index(j.ShotID); i >= 0 && j.ProjectID == p.ID {
		s.Select(j.ShotID)
		s.SetPlayhead(p.Timing()[i].Start)
		return
	}
	if j.Clip == nil {
		return
	}
	sum := j.Clip.SHA256
	session.Background(ctx, s, func(context.Context) (struct{}, error) {
		return struct{}{}, s.CheckClip(sum, j.ShotNumber)
	}, func(_ struct{}, err error) {
		if err != nil {
			q.d.Report(err)
			return
		}
		u := &url.URL{Scheme: "file", Path: q.d.Library.Blobs().Path(sum)}
		if err := q.d.App.OpenURL(u); err != nil {
			q.d.Report(fmt.Errorf("open the clip: %w", err))
		}
	})
}
