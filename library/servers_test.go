package library

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestRenderServers(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l := open(t, dir)
	added := time.UnixMilli(1_700_000_000_000)
	gpu := RenderServer{Name: "gpu-box", URL: "http://gpu-box:8080", Kind: "slate", Models: []byte(`[{"id":"animatic"}]`), Added: added}
	gen := RenderServer{Name: "hosted", URL: "https://example.com", Kind: "generic", Profile: []byte(`{"sizes":["1280x720"]}`), KeepModelAudio: true, Added: added}
	for _, s := range []RenderServer{gpu, gen} {
		if err := l.AddRenderServer(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.AddRenderServer(ctx, RenderServer{Name: "gpu-box", URL: "http://other", Kind: "slate"}); !errors.Is(err, ErrServerExists) {
		t.Errorf("AddRenderServer(gpu-box again) = %v, want ErrServerExists", err)
	}
	l.Close()
	l = open(t, dir)
	all, err := l.RenderServers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all[0].Name != "gpu-box" || all[1].Name != "hosted" {
		t.Fatalf("RenderServers() = %+v, want gpu-box and hosted", all)
	}
	if g := all[0]; g.URL != gpu.URL || g.Kind != "slate" || string(g.Models) != string(gpu.Models) || g.Profile != nil || !g.Added.Equal(added) || g.KeepModelAudio {
		t.Errorf("gpu-box = %+v, want %+v", g, gpu)
	}
	if h := all[1]; string(h.Profile) != string(gen.Profile) || !h.KeepModelAudio || string(h.Models) != "[]" {
		t.Errorf("hosted = %+v, want %+v with models []", h, gen)
	}
	gpu.URL, gpu.Models = "http://gpu-box:9090", []byte(`[{"id":"onnx"}]`)
	if err := l.UpdateRenderServer(ctx, gpu); err != nil {
		t.Fatal(err)
	}
	if g, err := l.RenderServer(ctx, "gpu-box"); err != nil || g.URL != gpu.URL || string(g.Models) != `[{"id":"onnx"}]` || !g.Added.Equal(added) {
		t.Errorf("RenderServer(gpu-box) after update = %+v, %v", g, err)
	}
	if err := l.RemoveRenderServer(ctx, "gpu-box"); err != nil {
		t.Fatal(err)
	}
	if _, err := l.RenderServer(ctx, "gpu-box"); !errors.Is(err, ErrNotFound) {
		t.Errorf("RenderServer(removed) = %v, want ErrNotFound", err)
	}
	if err := l.RemoveRenderServer(ctx, "gpu-box"); !errors.Is(err, ErrNotFound) {
		t.Errorf("RemoveRenderServer(removed) = %v, want ErrNotFound", err)
	}
	if err := l.UpdateRenderServer(ctx, gpu); !errors.Is(err, ErrNotFound) {
		t.Errorf("UpdateRenderServer(removed) = %v, want ErrNotFound", err)
	}
}

// A job a render server runs keeps its remote ID across a restart, and a
// crash while it ran queues it again rather than failing it: the server
// carries on, and resuming polls it.
func TestJobRemoteSurvivesCrash(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l := open(t, dir)
	now := time.UnixMilli(1_700_000_000_000)
	for _, j := range []JobRecord{
		{ID: "remote", Status: StatusInProgress, Progress: 30, StartedAt: now},
		{ID: "local", Status: StatusInProgress, Progress: 40, StartedAt: now},
	} {
		j.Key, j.Backend, j.CreatedAt, j.Request = "k", "remote:gpu-box/animatic", now, []byte("{}")
		if err := l.PutJob(ctx, j); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.SetJobRemote(ctx, "remote", "gpu-box", "video_123"); err != nil {
		t.Fatal(err)
	}
	// A later save of the job's state keeps its remote ID.
	if err := l.PutJob(ctx, JobRecord{ID: "remote", Key: "k", Backend: "remote:gpu-box/animatic", Status: StatusInProgress, Progress: 50, CreatedAt: now, StartedAt: now, Request: []byte("{}")}); err != nil {
		t.Fatal(err)
	}
	if err := l.SetJobRemote(ctx, "missing", "gpu-box", "video_1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("SetJobRemote(missing) = %v, want ErrNotFound", err)
	}
	l.Close()
	l = open(t, dir)
	queued, interrupted, err := l.RecoverJobs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(queued) != 1 || queued[0].ID != "remote" || interrupted != 1 {
		t.Errorf("RecoverJobs() = %v queued, %d interrupted; want the remote job queued and the local one interrupted", queued, interrupted)
	}
	server, id, err := l.JobRemote(ctx, "remote")
	if err != nil || server != "gpu-box" || id != "video_123" {
		t.Errorf("JobRemote(remote) = %q, %q, %v; want gpu-box, video_123", server, id, err)
	}
	if err := l.SetJobRemote(ctx, "remote", "gpu-box", ""); err != nil {
		t.Fatal(err)
	}
	if server, id, err := l.JobRemote(ctx, "remote"); err != nil || server != "" || id != "" {
		t.Errorf("JobRemote after forgetting = %q, %q, %v; want nothing", server, id, err)
	}
}
