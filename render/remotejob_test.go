package render_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/render"
)

// serverBackend stands for a backend that renders on a render server: the
// first time it is asked for a job it "submits" it and keeps the remote
// ID through req.Remote, then waits on the server until it is stopped;
// when it finds an ID already kept, it polls that job to its end.
type serverBackend struct {
	mu        sync.Mutex
	submitted int
	found     []string // the remote IDs each run found kept
	started   chan struct{}
}

func (b *serverBackend) Name() string    { return "remote:gpu-box/animatic" }
func (b *serverBackend) Version() string { return "1" }
func (b *serverBackend) Capabilities() render.Capabilities {
	return render.Capabilities{}
}

func (b *serverBackend) Render(ctx context.Context, req *render.Request, progress func(float64)) (*render.Result, error) {
	server, id, err := req.Remote.RemoteID(ctx)
	if err != nil {
		return nil, err
	}
	b.mu.Lock()
	b.found = append(b.found, server+" "+id)
	b.mu.Unlock()
	if id == "" {
		b.mu.Lock()
		b.submitted++
		b.mu.Unlock()
		if err := req.Remote.SetRemoteID(ctx, "gpu-box", "video_1"); err != nil {
			return nil, err
		}
		if st, ok := req.Remote.(interface{ SetRemoteStatus(string) }); ok {
			st.SetRemoteStatus("queued, 3 ahead")
		}
		close(b.started)
		<-ctx.Done()
		return nil, ctx.Err()
	}
	out := filepath.Join(req.TempDir, "remote.mp4")
	if err := os.WriteFile(out, []byte("the clip of "+id), 0o644); err != nil {
		return nil, err
	}
	if err := req.Remote.SetRemoteID(ctx, server, ""); err != nil {
		return nil, err
	}
	return &render.Result{Path: out, Frames: req.Frames()}, nil
}

// Quitting the studio while a render server runs a job, and starting it
// again, polls the same remote job rather than submitting the shot twice;
// the queue's row hears the server's words meanwhile.
func TestQueueResumesRemoteJob(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	b := &serverBackend{started: make(chan struct{})}
	open := func() (*library.Library, *render.Queue) {
		lib, err := library.Open(ctx, dir, library.Options{})
		if err != nil {
			t.Fatal(err)
		}
		reg := render.NewRegistry()
		reg.Register(b.Name(), func() (render.Backend, error) { return b, nil })
		q := render.NewQueue(lib, reg, render.QueueOptions{Workers: 1})
		if _, _, err := q.Start(ctx); err != nil {
			t.Fatal(err)
		}
		return lib, q
	}
	lib, q := open()
	rec := &recorder{}
	q.Subscribe(rec.add)
	p := demoProject(t)
	j, err := q.Submit(ctx, render.NewRequest(p, 0, lib.TempDir()), b.Name())
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-b.started:
	case <-time.After(10 * time.Second):
		t.Fatal("the backend was never started")
	}
	var heard bool
	for _, e := range rec.of(j.ID) {
		heard = heard || e.Status == render.InProgress && e.RemoteStatus == "queued, 3 ahead"
	}
	if !heard {
		t.Errorf("the queue's events for job %s never said %q: %+v", j.ID, "queued, 3 ahead", rec.of(j.ID))
	}
	q.Close()
	lib.Close()

	lib, q = open()
	defer func() { q.Close(); lib.Close() }()
	done, err := q.Wait(ctx, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	if done.Status != render.Completed || done.RemoteStatus != "" {
		t.Errorf("resumed job = %s (%v) %q, want completed with no server words left", done.Status, done.Error, done.RemoteStatus)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.submitted != 1 || len(b.found) != 2 || b.found[1] != "gpu-box video_1" {
		t.Errorf("submitted %d times, runs found %q; want one submission and the second run to find gpu-box video_1", b.submitted, b.found)
	}
	if server, id, err := lib.JobRemote(ctx, j.ID); err != nil || id != "" || server != "" {
		t.Errorf("after the job ended JobRemote = %q %q %v, want it forgotten", server, id, err)
	}
}
