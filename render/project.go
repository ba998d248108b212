package render

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/timeline"
)

// ProjectOptions says which shots of a project to render and how.
type ProjectOptions struct {
	// Backend renders shots that do not name their own.
	Backend string
	// Shots are the indexes of the shots to render; nil renders them all.
	Shots []int
	// OnProgress is called with each change to a shot's job.
	OnProgress func(index int, j Job)
	// Likeness is given to every shot's request (see LoadLikeness).
	Likeness map[string]Likeness
}

// LoadLikeness looks up the project's cast in the library: each recorded
// member's frontal still and preferences. Cast the library does not know
// (a name in a .slate file) is left out.
func LoadLikeness(ctx context.Context, lib *library.Library, cast []timeline.CastRef) (map[string]Likeness, error) {
	out := map[string]Likeness{}
	for _, c := range cast {
		m, err := lib.CastMember(ctx, c.ID)
		if errors.Is(err, library.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		l := Likeness{Preferences: m.Preferences}
		if m.Frontal != "" {
			l.Still, l.StillSHA256 = lib.Blobs().Path(m.Frontal), m.Frontal
		}
		out[c.ID] = l
	}
	return out, nil
}

// RenderProject renders the chosen shots of p and returns their clips in
// order. Shots whose render key has a clip already are not rendered again.
// If the context is cancelled, every job it started is cancelled.
func (q *Queue) RenderProject(ctx context.Context, p *timeline.Project, opts ProjectOptions) ([]library.Clip, error) {
	shots := opts.Shots
	if shots == nil {
		for i := range p.Shots {
			shots = append(shots, i)
		}
	}
	for _, i := range shots {
		if i < 0 || i >= len(p.Shots) {
			return nil, fmt.Errorf("render: the project has no shot %d", i+1)
		}
	}

	var mu sync.Mutex
	watching := map[string]int{} // job ID → shot index
	unsubscribe := q.Subscribe(func(j Job) {
		mu.Lock()
		i, ok := watching[j.ID]
		mu.Unlock()
		if ok && opts.OnProgress != nil {
			opts.OnProgress(i, j)
		}
	})
	defer unsubscribe()

	jobs := make([]Job, len(shots))
	var prevKey string
	cancelAll := func() {
		for _, j := range jobs {
			if j.ID != "" && !j.Status.Done() {
				q.Cancel(ctx, j.ID)
			}
		}
	}
	for n, i := range shots {
		backend := p.Shots[i].Backend
		if backend == "" {
			backend = opts.Backend
		}
		req := NewRequest(p, i, q.lib.TempDir())
		req.Likeness = opts.Likeness
		b, err := q.reg.Open(backend)
		if err != nil {
			cancelAll()
			return nil, fmt.Errorf("shot %d: %w", i+1, err)
		}
		// A shot that starts from the previous clip's last frame waits
		// for that clip; others are queued together and run in parallel.
		if req.Shot.Continue && b.Capabilities().ImageConditioning && n > 0 && shots[n-1] == i-1 {
			prev, err := q.waitJob(ctx, jobs[n-1])
			if err != nil {
				cancelAll()
				return nil, fmt.Errorf("shot %d needs shot %d first: %w", i+1, i, err)
			}
			jobs[n-1] = prev
			req.PrevKey, req.PrevClip = prevKey, q.lib.Blobs().Path(prev.Clip.SHA256)
		}
		j, err := q.Submit(ctx, req, backend)
		if err != nil {
			cancelAll()
			return nil, fmt.Errorf("shot %d: %w", i+1, err)
		}
		mu.Lock()
		watching[j.ID] = i
		mu.Unlock()
		jobs[n] = j
		prevKey = j.Key
		if opts.OnProgress != nil {
			opts.OnProgress(i, j)
		}
	}

	clips := make([]library.Clip, len(shots))
	var failures []error
	for n, j := range jobs {
		done := j
		if !j.Status.Done() {
			var err error
			if done, err = q.Wait(ctx, j.ID); err != nil {
				cancelAll()
				return nil, err
			}
		}
		switch done.Status {
		case Completed:
			clips[n] = *done.Clip
		case Failed:
			failures = append(failures, fmt.Errorf("shot %d (%s): %s", shots[n]+1, p.Shots[shots[n]].Title, done.Error.Message))
		case Cancelled:
			failures = append(failures, fmt.Errorf("shot %d: %w", shots[n]+1, context.Canceled))
		}
	}
	if len(failures) > 0 {
		return nil, errors.Join(failures...)
	}
	return clips, nil
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
