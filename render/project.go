package render

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sync"

	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/timeline"
)

// ProjectOptions says which shots of a project to render and how.
type ProjectOptions struct {
	// Backend renders shots that do not name their own; DefaultBackend
	// when empty.
	Backend string
	// Shots are the indexes of the shots to render; nil renders them all.
	Shots []int
	// OnProgress is called with each change to a shot's job: those chosen
	// and those they start from (Plan.Needs).
	OnProgress func(index int, j Job)
	// Likeness is given to every shot's request (see LoadLikeness).
	Likeness map[string]Likeness
}

// LoadLikeness looks up the project's cast in the library: each recorded
// member's frontal still and preferences. Cast the library does not know
// (a name in a .slate file) is left out. A character is looked up by the
// member who plays it, if any; a plan adds it under its own ID
// (CastLikeness).
func LoadLikeness(ctx context.Context, lib *library.Library, cast []timeline.CastRef) (map[string]Likeness, error) {
	var members []library.CastMember
	for _, c := range cast {
		id := c.ID
		if c.Character {
			if id = c.Member; id == "" {
				continue
			}
		}
		m, err := lib.CastMember(ctx, id)
		if errors.Is(err, library.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		members = append(members, m)
	}
	return LikenessOf(lib, members), nil
}

// CastLikeness is likeness (by member ID, as LikenessOf gives it) with
// the project's characters added under their own IDs: a character played
// by a recorded member has that member's likeness, and so needs the
// consent that member needs; one with only a reference picture has the
// picture as its still (pictures says where it is; nil leaves the path
// out). likeness is not changed.
func CastLikeness(cast []timeline.CastRef, likeness map[string]Likeness, pictures func(sum string) string) map[string]Likeness {
	var out map[string]Likeness
	for _, c := range cast {
		if !c.Character {
			continue
		}
		l, ok := likeness[c.Member]
		if !ok || c.Member == "" {
			if c.Image == "" {
				continue
			}
			l = Likeness{StillSHA256: c.Image}
			if pictures != nil {
				l.Still = pictures(c.Image)
			}
		}
		if out == nil {
			out = maps.Clone(likeness)
			if out == nil {
				out = map[string]Likeness{}
			}
		}
		out[c.ID] = l
	}
	if out == nil {
		return likeness
	}
	return out
}

// LikenessOf is what renders use of members, by ID: each one's frontal
// still (a blob of lib) and preferences.
func LikenessOf(lib *library.Library, members []library.CastMember) map[string]Likeness {
	out := make(map[string]Likeness, len(members))
	for _, m := range members {
		l := Likeness{Preferences: m.Preferences}
		if m.Frontal != "" {
			l.Still, l.StillSHA256 = lib.Blobs().Path(m.Frontal), m.Frontal
		}
		out[m.ID] = l
	}
	return out
}

// Plan plans the rendering of p's shots on this queue's backends, its
// requests writing to the library's temporary folder.
func (q *Queue) Plan(p *timeline.Project, backend string, likeness map[string]Likeness) *Plan {
	return NewPlan(p, q.reg, PlanOptions{Backend: backend, Likeness: likeness, TempDir: q.lib.TempDir(), Pictures: q.lib.Blobs().Path})
}

// RenderProject renders the chosen shots of p and returns their clips in
// order. Shots whose render key has a clip already are not rendered again.
// If the context is cancelled, every job it started is cancelled.
func (q *Queue) RenderProject(ctx context.Context, p *timeline.Project, opts ProjectOptions) ([]library.Clip, error) {
	return q.RenderPlan(ctx, q.Plan(p, opts.Backend, opts.Likeness), opts.Shots, opts.OnProgress)
}

// RenderPlan renders the chosen shots of a plan (nil: all), with the
// shots they start from, and returns the chosen shots' clips in order.
// onJob (when not nil) hears each change to their jobs. Shots whose render
// key has a clip already are not rendered again. If the context is
// cancelled, every job it started is cancelled.
func (q *Queue) RenderPlan(ctx context.Context, plan *Plan, shots []int, onJob func(index int, j Job)) ([]library.Clip, error) {
	if shots == nil {
		shots = seq(len(plan.Project().Shots))
	}
	if err := plan.check(shots); err != nil {
		return nil, err
	}

	var mu sync.Mutex
	watching := map[string]int{} // job ID → shot index
	unsubscribe := q.Subscribe(func(j Job) {
		mu.Lock()
		i, ok := watching[j.ID]
		mu.Unlock()
		if ok && onJob != nil {
			onJob(i, j)
		}
	})
	defer unsubscribe()

	jobs := map[int]Job{} // shot index → its job
	cancelAll := func() {
		for _, j := range jobs {
			if !j.Status.Done() {
				q.Cancel(ctx, j.ID)
			}
		}
	}
	// The first failure to submit stops the rest.
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	var failed error
	q.SubmitPlan(sctx, plan, shots, func(i int, j Job, err error) {
		if err != nil {
			if failed == nil {
				failed = fmt.Errorf("shot %d: %w", i+1, err)
			}
			stop()
			return
		}
		mu.Lock()
		watching[j.ID] = i
		mu.Unlock()
		jobs[i] = j
		if onJob != nil {
			onJob(i, j)
		}
	})
	if failed != nil {
		cancelAll()
		return nil, failed
	}

	p := plan.Project()
	clips := make([]library.Clip, len(shots))
	var failures []error
	for n, i := range shots {
		done := jobs[i]
		if !done.Status.Done() {
			var err error
			if done, err = q.Wait(ctx, done.ID); err != nil {
				cancelAll()
				return nil, err
			}
		}
		switch done.Status {
		case Completed:
			clips[n] = *done.Clip
		case Failed:
			failures = append(failures, fmt.Errorf("shot %d (%s): %s", i+1, p.Shots[i].Title, done.Error.Message))
		case Cancelled:
			failures = append(failures, fmt.Errorf("shot %d: %w", i+1, context.Canceled))
		}
	}
	if len(failures) > 0 {
		return nil, errors.Join(failures...)
	}
	return clips, nil
}

// SubmitPlan submits the chosen shots of a plan (nil: all) to the queue in
// order, with the shots they start from (Plan.Needs), and tells submitted
// of each: the job it became, or why it could not be queued. A shot that
// starts from the previous shot's clip is submitted once that clip is
// rendered, so SubmitPlan may wait for renders; the others are queued
// together and run in parallel. A shot whose predecessor failed is not
// submitted. It returns when every shot has been told of.
func (q *Queue) SubmitPlan(ctx context.Context, plan *Plan, shots []int, submitted func(i int, j Job, err error)) {
	if err := plan.check(shots); err != nil {
		for _, i := range shots {
			submitted(i, Job{}, err)
		}
		return
	}
	jobs := map[int]Job{} // shot index → its job, once submitted
	for _, i := range plan.Needs(shots) {
		j, err := q.submitPlanned(ctx, plan, i, jobs)
		if err == nil {
			jobs[i] = j
		}
		submitted(i, j, err)
	}
}

// submitPlanned submits shot i of plan; jobs holds the jobs of the shots
// before it that were submitted.
func (q *Queue) submitPlanned(ctx context.Context, plan *Plan, i int, jobs map[int]Job) (Job, error) {
	if _, err := plan.Key(i); err != nil {
		return Job{}, err
	}
	req := plan.Request(i)
	if plan.After(i) {
		prev, ok := jobs[i-1]
		if !ok {
			return Job{}, fmt.Errorf("it starts from shot %d, which could not be queued", i)
		}
		prev, err := q.waitJob(ctx, prev)
		if err != nil {
			return Job{}, fmt.Errorf("needs shot %d first: %w", i, err)
		}
		jobs[i-1] = prev
		req.PrevClip = q.lib.Blobs().Path(prev.Clip.SHA256)
	}
	return q.Submit(ctx, req, plan.Backend(i))
}

// waitJob waits for a submitted job unless it is already done (a cache hit
// is never in the queue).
func (q *Queue) waitJob(ctx context.Context, j Job) (Job, error) {
	if j.Status.Done() {
		return j, nil
	}
	done, err := q.Wait(ctx, j.ID)
	if err != nil {
		return Job{}, err
	}
	if done.Status != Completed {
		if done.Error != nil {
			return done, errors.New(done.Error.Message)
		}
		return done, fmt.Errorf("the job was %s", done.Status)
	}
	return done, nil
}
