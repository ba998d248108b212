package render_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/render/animatic"
	"github.com/slatestudio/slate/render/rendertest"
)

// seen is the animatic backend that notes what a backend rendering on a
// server needs of the queue: the grants, and why its context ended.
type seen struct {
	render.Backend
	hold    bool
	started chan struct{}

	mu     sync.Mutex
	grants []string
	cause  error
}

func (s *seen) Render(ctx context.Context, req *render.Request, progress func(float64)) (*render.Result, error) {
	s.mu.Lock()
	for _, g := range req.Grants {
		s.grants = append(s.grants, g.Member+" "+g.Token)
	}
	s.mu.Unlock()
	if s.hold {
		s.started <- struct{}{}
		<-ctx.Done()
		s.mu.Lock()
		s.cause = context.Cause(ctx)
		s.mu.Unlock()
		return nil, ctx.Err()
	}
	return s.Backend.Render(ctx, req, progress)
}

func seenQueue(t *testing.T, c render.Consent, hold bool) (*render.Queue, *library.Library, *seen) {
	t.Helper()
	g := newGate(t, t.TempDir(), nil, false) // the library with @mara and @theo
	b, err := animatic.New(needTools(t))
	if err != nil {
		t.Fatal(err)
	}
	s := &seen{Backend: b, hold: hold, started: make(chan struct{}, 1)}
	reg := render.NewRegistry()
	reg.Register(animatic.Name, func() (render.Backend, error) { return s, nil })
	q := render.NewQueue(g.lib, reg, render.QueueOptions{Workers: 1, Consent: c})
	if _, _, err := q.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	return q, g.lib, s
}

// The grants the queue was given reach the backend, which shows them to
// a render server.
func TestBackendGetsTheGrants(t *testing.T) {
	q, lib, s := seenQueue(t, &rendertest.Consent{}, false)
	defer q.Close()
	p := gateProject(t)
	j, err := q.Submit(context.Background(), render.NewRequest(p, shotCast, lib.TempDir()), animatic.Name)
	if err != nil {
		t.Fatal(err)
	}
	if j, err = q.Wait(context.Background(), j.ID); err != nil || j.Status != render.Completed {
		t.Fatalf("job = %+v, %v", j, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.grants) != 1 || s.grants[0] != "mara token-mara" {
		t.Errorf("the backend was given grants %v, want @mara's", s.grants)
	}
}

// A job the person cancels ends with render.ErrJobCancelled as its cause;
// one cut off by Slate closing does not, so a server's job is left to
// resume.
func TestCancelCause(t *testing.T) {
	for _, byPerson := range []bool{true, false} {
		q, lib, s := seenQueue(t, nil, true)
		p := gateProject(t)
		j, err := q.Submit(context.Background(), render.NewRequest(p, shotOwn, lib.TempDir()), animatic.Name)
		if err != nil {
			t.Fatal(err)
		}
		<-s.started
		if byPerson {
			if err := q.Cancel(context.Background(), j.ID); err != nil {
				t.Fatal(err)
			}
			q.Wait(context.Background(), j.ID)
		}
		q.Close()
		s.mu.Lock()
		cause := s.cause
		s.mu.Unlock()
		if got := errors.Is(cause, render.ErrJobCancelled); got != byPerson {
			t.Errorf("cancelled by the person %v: the context's cause is %v", byPerson, cause)
		}
	}
}
