package render

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"slices"
	"sync"
	"syscall"
	"time"

	"github.com/slatestudio/slate/consent"
	"github.com/slatestudio/slate/internal/clock"
	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/media"
)

// QueueOptions configures a Queue.
type QueueOptions struct {
	// Workers is how many jobs run at once; 0 picks one per two CPUs, since
	// each render already keeps an encoder busy on several.
	Workers int
	// Clock tells the time jobs start and end; tests pass one they move.
	Clock  clock.Clock
	Logger *slog.Logger
	// Transient keeps jobs in memory only: none are stored, and Start
	// neither resumes nor fails the stored ones. A command-line render
	// beside an open studio uses it, so it never touches the studio's
	// queue. Clips are registered all the same.
	Transient bool
	// Consent grants renders of shots that feature other people's cast
	// members; nil refuses them all.
	Consent Consent
}

// Queue runs render jobs on a bounded pool of workers, keeps them in the
// library so they survive a restart, and reports every change to its
// subscribers. Finished clips go into the library's blob store.
type Queue struct {
	lib     *library.Library
	reg     *Registry
	clock   clock.Clock
	log     *slog.Logger
	workers int
	consent Consent

	transient bool

	submitMu sync.Mutex
	mu       sync.Mutex
	jobs     map[string]*entry
	order    []string // job IDs in the order they were created
	pending  []*entry
	wake     chan struct{}
	subs     map[int]func(Job)
	nextSub  int
	started  bool
	closing  bool

	// stop cancels the context the workers run jobs under (Start gives it
	// to them); Close calls it.
	stop context.CancelFunc
	wg   sync.WaitGroup
}

type entry struct {
	job       Job
	req       *Request
	stored    []byte
	cancel    context.CancelFunc // while running
	cancelled bool               // asked to cancel while running
	saved     int                // progress last written to the library
	done      chan struct{}
}

// NewQueue returns a queue over lib that opens backends from reg. Call
// Start before submitting.
func NewQueue(lib *library.Library, reg *Registry, opts QueueOptions) *Queue {
	if opts.Workers <= 0 {
		opts.Workers = max(1, runtime.NumCPU()/2)
	}
	opts.Clock = clock.Or(opts.Clock)
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Queue{
		lib: lib, reg: reg, clock: opts.Clock, log: opts.Logger, workers: opts.Workers, transient: opts.Transient, consent: opts.Consent,
		jobs: map[string]*entry{}, wake: make(chan struct{}, 1), subs: map[int]func(Job){},
	}
}

// Start recovers the jobs stored by an earlier run — queued ones resume,
// ones that were running are marked failed with the reason, except those
// a render server runs, which resume polling it — and starts
// the workers. It returns how many were resumed and how many had been
// interrupted.
//
// The workers run until Close, not until ctx is done: they render under
// a context that keeps ctx's values but only Close cancels.
func (q *Queue) Start(ctx context.Context) (resumed, interrupted int, err error) {
	var queued, history []library.JobRecord
	if !q.transient {
		if queued, interrupted, err = q.lib.RecoverJobs(ctx); err != nil {
			return 0, 0, err
		}
		if history, err = q.lib.Jobs(ctx, library.StatusCompleted, library.StatusFailed, library.StatusCancelled); err != nil {
			return 0, 0, err
		}
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.started {
		return 0, 0, errors.New("render queue already started")
	}
	q.started = true
	// The most recent finished jobs, for the queue panel.
	for _, r := range history[max(0, len(history)-200):] {
		e := &entry{job: jobFromRecord(r), stored: r.Request, done: make(chan struct{})}
		close(e.done)
		q.jobs[r.ID] = e
		q.order = append(q.order, r.ID)
	}
	for _, r := range queued {
		req, err := DecodeRequest(r.Request, q.lib.TempDir())
		e := &entry{job: jobFromRecord(r), req: req, stored: r.Request, done: make(chan struct{})}
		q.jobs[r.ID] = e
		q.order = append(q.order, r.ID)
		if err != nil {
			e.job.Status, e.job.CompletedAt = Failed, q.clock.Now()
			e.job.Error = &JobError{CodeBadRequest, "this job was saved by another version of Slate and cannot be resumed; render the shot again"}
			close(e.done)
			q.persist(ctx, e)
			continue
		}
		q.pending = append(q.pending, e)
		resumed++
	}
	work, stop := context.WithCancel(context.WithoutCancel(ctx))
	q.stop = stop
	for range q.workers {
		q.wg.Add(1)
		go q.worker(work)
	}
	q.signal()
	return resumed, interrupted, nil
}

func jobFromRecord(r library.JobRecord) Job {
	j := Job{
		ID: r.ID, Status: Status(r.Status), Progress: r.Progress, CreatedAt: r.CreatedAt, StartedAt: r.StartedAt,
		CompletedAt: r.CompletedAt, Backend: r.Backend, ProjectID: r.ProjectID, ShotID: r.ShotID, Key: r.Key,
	}
	if r.ErrorCode != "" || r.ErrorMessage != "" {
		j.Error = &JobError{r.ErrorCode, r.ErrorMessage}
	}
	if req, err := DecodeRequest(r.Request, ""); err == nil {
		j.ShotNumber, j.ShotTitle, j.Format, j.Duration = req.Index+1, req.Shot.Title, req.Format, req.Shot.Duration
	}
	return j
}

// Close stops the workers. Running jobs are stopped and put back in the
// queue, so they resume at the next Start; Close waits for that.
func (q *Queue) Close() {
	q.mu.Lock()
	q.closing = true
	stop := q.stop
	q.mu.Unlock()
	if stop != nil {
		stop()
	}
	q.wg.Wait()
}

// Subscribe calls fn with every change to every job, on the goroutine that
// made the change; fn must not block (the studio hands it to fyne.Do). The
// returned function unsubscribes.
func (q *Queue) Subscribe(fn func(Job)) (unsubscribe func()) {
	q.mu.Lock()
	defer q.mu.Unlock()
	id := q.nextSub
	q.nextSub++
	q.subs[id] = fn
	return func() {
		q.mu.Lock()
		defer q.mu.Unlock()
		delete(q.subs, id)
	}
}

// emit sends a job's state to the subscribers. Called without q.mu held.
func (q *Queue) emit(j Job) {
	q.mu.Lock()
	subs := make([]func(Job), 0, len(q.subs))
	for _, fn := range q.subs {
		subs = append(subs, fn)
	}
	q.mu.Unlock()
	for _, fn := range subs {
		fn(j)
	}
}

func (q *Queue) signal() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

func newJobID() string {
	var b [12]byte
	rand.Read(b[:])
	return "video_" + hex.EncodeToString(b[:])
}

// Submit renders req on the named backend. When the render cache already
// has the clip, the job it returns is completed at once (Cached) — or,
// when the shot features someone else's member and no grant covers it,
// failed at once with CodeConsentRequired; when the same render is
// already queued or running, it returns that job.
func (q *Queue) Submit(ctx context.Context, req *Request, backend string) (Job, error) {
	b, err := q.reg.Open(backend)
	if err != nil {
		return Job{}, err
	}
	if err := b.Capabilities().Check(b.Name(), req); err != nil {
		return Job{}, err
	}
	key := Key(b, req)
	now := q.clock.Now()
	job := Job{
		Status: Queued, CreatedAt: now, Backend: b.Name(), ProjectID: req.ProjectID, ShotID: req.Shot.ID,
		ShotNumber: req.Index + 1, ShotTitle: req.Shot.Title, Key: key, Format: req.Format, Duration: req.Shot.Duration,
	}
	clip, ok, err := q.lib.ClipByKey(ctx, key)
	if errors.Is(err, library.ErrDamaged) {
		// The blob is out of the cache's way now (ClipByKey moved it
		// aside); the shot renders again as if it had never been.
		job.Note = fmt.Sprintf("the cached clip of shot %d was damaged; rendering it again", req.Index+1)
		q.log.Warn("a cached clip was damaged", "project", req.ProjectID, "shot", req.Shot.ID, "err", err)
		err = nil
	}
	if err != nil {
		return Job{}, err
	}
	if ok {
		// A clip from the cache is a use of whoever it features, so it
		// passes the same gate as a render; nothing is sent anywhere, so
		// it needs no leave to go outside.
		grants, err := q.permit(ctx, req, false)
		if err != nil && !errors.Is(err, ErrNoConsent) {
			return Job{}, err
		}
		if err != nil {
			job.ID, job.Status, job.CompletedAt = newJobID(), Failed, now
			job.Error = &JobError{errorCode(err, codes), err.Error()}
			return q.addDone(ctx, job, req)
		}
		if clip.ProjectID != req.ProjectID || clip.ShotID != req.Shot.ID {
			// Same pixels made for another shot: link them to this one too.
			clip.ProjectID, clip.ShotID, clip.Created = req.ProjectID, req.Shot.ID, now
			if err := q.lib.AddClip(ctx, clip); err != nil {
				return Job{}, err
			}
		}
		job.Status, job.Progress, job.CompletedAt, job.Cached, job.Clip = Completed, 100, now, true, &clip
		q.made(ctx, grants, req, clip.SHA256)
		return job, nil
	}
	stored, err := EncodeRequest(req)
	if err != nil {
		return Job{}, err
	}
	// One submission at a time, so the duplicate check and the stored row
	// agree; the job is stored before any worker can see it, so its
	// "queued" row can never land after a later state.
	q.submitMu.Lock()
	defer q.submitMu.Unlock()
	q.mu.Lock()
	if !q.started || q.closing {
		q.mu.Unlock()
		return Job{}, errors.New("the render queue is not running")
	}
	for _, e := range q.jobs {
		if e.job.Key == key && (e.job.Status == Queued || e.job.Status == InProgress) {
			j := e.job
			q.mu.Unlock()
			return j, nil
		}
	}
	q.mu.Unlock()
	job.ID = newJobID()
	e := &entry{job: job, req: req, stored: stored, done: make(chan struct{})}
	if !q.transient {
		if err := q.lib.PutJob(ctx, job.record(stored)); err != nil {
			return Job{}, fmt.Errorf("queue shot %d: %w", req.Index+1, err)
		}
	}
	q.mu.Lock()
	q.jobs[job.ID] = e
	q.order = append(q.order, job.ID)
	q.pending = append(q.pending, e)
	q.mu.Unlock()
	q.emit(job)
	q.signal()
	return job, nil
}

// addDone keeps a job that ended as it was submitted, so that it shows
// in the queue beside the others and can be retried.
func (q *Queue) addDone(ctx context.Context, job Job, req *Request) (Job, error) {
	stored, err := EncodeRequest(req)
	if err != nil {
		return Job{}, err
	}
	if !q.transient {
		if err := q.lib.PutJob(ctx, job.record(stored)); err != nil {
			return Job{}, fmt.Errorf("queue shot %d: %w", req.Index+1, err)
		}
	}
	e := &entry{job: job, req: req, stored: stored, done: make(chan struct{})}
	close(e.done)
	q.mu.Lock()
	q.jobs[job.ID] = e
	q.order = append(q.order, job.ID)
	q.mu.Unlock()
	q.emit(job)
	return job, nil
}

// permit asks for the grants that rendering req's shot needs: a draft
// grant from each other person whose member it features. For an outside
// render service (outside), those grants and my own members featured must
// allow it.
func (q *Queue) permit(ctx context.Context, req *Request, outside bool) ([]consent.SignedGrant, error) {
	members, err := featured(ctx, q.lib, outside, req.Cast, req.Shot)
	if err == nil && outside {
		err = PermitOutside(members)
		members = slices.DeleteFunc(members, func(m library.CastMember) bool { return !m.Remote })
	}
	if err != nil {
		return nil, err
	}
	return Permit(ctx, q.consent, Need{
		ProjectID: req.ProjectID, ProjectTitle: req.ProjectTitle, ShotID: req.Shot.ID,
		Scope: consent.Draft, Members: members, Outside: outside,
	})
}

// made records that the clip sum was made for req's shot under grants. The
// clip exists either way, so a failure is logged, not returned; the
// record is written even when the job's context has just been cancelled.
func (q *Queue) made(ctx context.Context, grants []consent.SignedGrant, req *Request, sum string) {
	if len(grants) == 0 || q.consent == nil {
		return
	}
	m := Made{ProjectID: req.ProjectID, ProjectTitle: req.ProjectTitle, ShotID: req.Shot.ID, Scope: consent.Draft, SHA256: sum}
	if err := q.consent.Made(context.WithoutCancel(ctx), grants, m); err != nil {
		q.log.Error("record a use made under consent", "project", req.ProjectID, "shot", req.Shot.ID, "clip", sum, "err", err)
	}
}

// Retry queues a failed or cancelled job's shot again, as a new job.
func (q *Queue) Retry(ctx context.Context, id string) (Job, error) {
	q.mu.Lock()
	e, ok := q.jobs[id]
	q.mu.Unlock()
	if !ok {
		return Job{}, fmt.Errorf("job %s: %w", id, library.ErrNotFound)
	}
	req, err := DecodeRequest(e.stored, q.lib.TempDir())
	if err != nil {
		return Job{}, err
	}
	return q.Submit(ctx, req, e.job.Backend)
}

// Cancel stops a job: a queued one at once, a running one as soon as its
// backend notices (within a second). The cancelled state is stored even
// when ctx is done.
func (q *Queue) Cancel(ctx context.Context, id string) error {
	q.mu.Lock()
	e, ok := q.jobs[id]
	if !ok {
		q.mu.Unlock()
		return fmt.Errorf("job %s: %w", id, library.ErrNotFound)
	}
	switch e.job.Status {
	case Queued:
		q.pending = slices.DeleteFunc(q.pending, func(x *entry) bool { return x == e })
		e.job.Status, e.job.CompletedAt = Cancelled, q.clock.Now()
		j := e.job
		q.mu.Unlock()
		q.persist(ctx, e)
		q.emit(j)
		close(e.done)
		return nil
	case InProgress:
		e.cancelled = true
		cancel := e.cancel
		q.mu.Unlock()
		if cancel != nil {
			cancel()
		}
		return nil
	}
	q.mu.Unlock()
	return fmt.Errorf("job %s has already %s", id, e.job.Status)
}

// Wait blocks until a job is done and returns its final state.
func (q *Queue) Wait(ctx context.Context, id string) (Job, error) {
	q.mu.Lock()
	e, ok := q.jobs[id]
	q.mu.Unlock()
	if !ok {
		return Job{}, fmt.Errorf("job %s: %w", id, library.ErrNotFound)
	}
	select {
	case <-e.done:
		q.mu.Lock()
		defer q.mu.Unlock()
		return e.job, nil
	case <-ctx.Done():
		return Job{}, ctx.Err()
	}
}

// Job returns a job's current state.
func (q *Queue) Job(id string) (Job, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	e, ok := q.jobs[id]
	if !ok {
		return Job{}, false
	}
	return e.job, true
}

// Jobs returns every job this queue knows, oldest first.
func (q *Queue) Jobs() []Job {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := make([]Job, 0, len(q.order))
	for _, id := range q.order {
		out = append(out, q.jobs[id].job)
	}
	return out
}

// persist stores a job's state. It is written even when ctx is done (a
// cancelled job's last state is the one to keep).
func (q *Queue) persist(ctx context.Context, e *entry) {
	if q.transient {
		return
	}
	q.mu.Lock()
	rec := e.job.record(e.stored)
	e.saved = e.job.Progress
	q.mu.Unlock()
	if err := q.lib.PutJob(context.WithoutCancel(ctx), rec); err != nil {
		q.log.Error("save render job", "job", rec.ID, "err", err)
	}
}

// next takes the next pending job and the context it runs under, which
// Cancel (through the entry's cancel) and Close end. It waits for one
// until ctx, the workers' context, is done.
func (q *Queue) next(ctx context.Context) (*entry, context.Context) {
	for {
		q.mu.Lock()
		if q.closing {
			q.mu.Unlock()
			return nil, nil
		}
		if len(q.pending) > 0 {
			e := q.pending[0]
			q.pending = q.pending[1:]
			jctx, cancel := context.WithCancelCause(ctx)
			e.cancel = func() { cancel(ErrJobCancelled) }
			e.job.Status, e.job.StartedAt = InProgress, q.clock.Now()
			e.req.TempDir = q.lib.TempDir()
			if !q.transient { // a render server's job is polled again after a restart
				e.req.Remote = queueRemote{q: q, e: e}
			}
			q.mu.Unlock()
			return e, jctx
		}
		q.mu.Unlock()
		select {
		case <-q.wake:
		case <-ctx.Done():
			return nil, nil
		}
	}
}

// worker runs jobs until ctx, the workers' context, is done.
func (q *Queue) worker(ctx context.Context) {
	defer q.wg.Done()
	for {
		e, jctx := q.next(ctx)
		if e == nil {
			return
		}
		// Another job may be waiting for a second worker's wake-up.
		q.signal()
		q.run(ctx, jctx, e)
	}
}

// codes maps the errors the media layer and the filesystem raise to job
// error codes.
var codes = []codeMatch{
	{media.ErrDiskFull, CodeDiskFull},
	{syscall.ENOSPC, CodeDiskFull},
	{media.ErrMissingTool, CodeMissingTool},
}

// run renders a job under ctx, its own context, which Cancel ends; the
// finished clip is registered under work, the workers' context, which
// only Close ends.
func (q *Queue) run(work, ctx context.Context, e *entry) {
	defer e.cancel()
	q.persist(ctx, e)
	q.emitEntry(e)

	// Nothing is rendered without the grants it needs (for an outside
	// service, leave to go there); a job resumed after a restart asks again.
	var res *Result
	var grants []consent.SignedGrant
	b, err := q.reg.Open(e.job.Backend)
	if err == nil {
		grants, err = q.permit(ctx, e.req, b.Capabilities().Outside)
	}
	if err == nil {
		e.req.Grants = grants
		res, err = q.render(ctx, e, b)
	}
	q.mu.Lock()
	userCancel, closing := e.cancelled, q.closing
	q.mu.Unlock()
	if err == nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	if err != nil && res != nil {
		os.Remove(res.Path)
	}
	var clip *library.Clip
	if err == nil {
		clip, err = q.register(work, e, res)
	}
	if err == nil {
		q.made(ctx, grants, e.req, clip.SHA256)
	}

	q.mu.Lock()
	now := q.clock.Now()
	e.job.RemoteStatus = ""
	switch {
	case err == nil:
		e.job.Status, e.job.Progress, e.job.CompletedAt, e.job.Clip = Completed, 100, now, clip
	case ctx.Err() != nil && closing && !userCancel:
		// Slate is closing: leave the job queued so it resumes next time.
		e.job.Status, e.job.Progress, e.job.StartedAt = Queued, 0, time.Time{}
	case ctx.Err() != nil:
		e.job.Status, e.job.CompletedAt = Cancelled, now
	default:
		e.job.Status, e.job.CompletedAt = Failed, now
		e.job.Error = &JobError{errorCode(err, codes), err.Error()}
	}
	j := e.job
	q.mu.Unlock()
	q.persist(ctx, e)
	// Subscribers hear the final state before waiters wake, so someone who
	// waits and then stops listening never misses it.
	q.emit(j)
	if j.Status.Done() {
		close(e.done)
	}
}

func (q *Queue) emitEntry(e *entry) {
	q.mu.Lock()
	j := e.job
	q.mu.Unlock()
	q.emit(j)
}

func (q *Queue) render(ctx context.Context, e *entry, b Backend) (*Result, error) {
	if err := b.Capabilities().Check(b.Name(), e.req); err != nil {
		return nil, err
	}
	progress := func(f float64) {
		p := min(99, max(0, int(f*100)))
		q.mu.Lock()
		if p <= e.job.Progress || e.job.Status != InProgress {
			q.mu.Unlock()
			return
		}
		e.job.Progress = p
		j, save := e.job, p-e.saved >= 10
		q.mu.Unlock()
		if save {
			q.persist(ctx, e)
		}
		q.emit(j)
	}
	return b.Render(ctx, e.req, progress)
}

// register moves a finished clip into the blob store and records it.
func (q *Queue) register(ctx context.Context, e *entry, res *Result) (*library.Clip, error) {
	sum, size, err := q.lib.Blobs().Adopt(ctx, res.Path)
	if err != nil {
		os.Remove(res.Path)
		return nil, err
	}
	c := library.Clip{
		ProjectID: e.job.ProjectID, ShotID: e.job.ShotID, Key: e.job.Key, SHA256: sum, Size: size,
		Backend: e.job.Backend, Width: e.req.Format.Width, Height: e.req.Format.Height, FPS: e.req.Format.FPS,
		Frames: res.Frames, Created: q.clock.Now(),
	}
	if err := q.lib.AddClip(ctx, c); err != nil {
		return nil, err
	}
	return &c, nil
}
