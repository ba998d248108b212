package servers_test

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/account/client"
	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/render/remote"
	"github.com/slatestudio/slate/render/remote/remotetest"
	"github.com/slatestudio/slate/servers"
)

// A studio that quits while a render server renders one of its shots
// polls that same job when it starts again: the real queue, the remote
// backend the book registers, and a /v1/videos endpoint on loopback; one
// POST in all. Meanwhile the queue's row hears where the job stands.
func TestQuitMidRenderResumesPolling(t *testing.T) {
	tools := media.FindTools()
	if err := tools.Check(); err != nil {
		if os.Getenv("SLATE_REQUIRE_DEPS") == "1" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	wan := account.VideoModel{ID: "wan2.2", Object: "model", Sizes: []string{"320x180"}, FPS: []int{16}, MinSeconds: 1, MaxSeconds: 60}
	srv := remotetest.New(remotetest.Config{Tools: tools, Dir: t.TempDir(), Models: []account.VideoModel{wan}, Step: 150 * time.Millisecond, PollAfter: 20 * time.Millisecond})
	hs := httptest.NewServer(srv)
	defer func() { hs.Close(); srv.Close() }()

	dir := t.TempDir()
	keys := client.NewFileStore(filepath.Join(t.TempDir(), "keys"))
	var mu sync.Mutex
	var heard []string
	open := func() (*library.Library, *render.Queue) {
		lib, err := library.Open(ctx, dir, library.Options{})
		if err != nil {
			t.Fatal(err)
		}
		reg := render.NewRegistry()
		book := servers.New(lib, servers.Options{Store: keys, Remote: remote.Options{Tools: tools, Poll: 20 * time.Millisecond}})
		if _, err := book.Register(ctx, reg); err != nil {
			t.Fatal(err)
		}
		q := render.NewQueue(lib, reg, render.QueueOptions{Workers: 1})
		q.Subscribe(func(j render.Job) {
			mu.Lock()
			defer mu.Unlock()
			if j.RemoteStatus != "" && !slices.Contains(heard, j.RemoteStatus) {
				heard = append(heard, j.RemoteStatus)
			}
		})
		if _, _, err := q.Start(ctx); err != nil {
			t.Fatal(err)
		}
		return lib, q
	}
	lib, err := library.Open(ctx, dir, library.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := servers.New(lib, servers.Options{Store: keys}).Add(ctx, servers.Spec{Name: "box", URL: hs.URL}); err != nil {
		t.Fatal(err)
	}
	lib.Close()

	lib, q := open()
	p, err := library.ReadFile("../examples/demo.slate")
	if err != nil {
		t.Fatal(err)
	}
	p.Width, p.Height = 320, 180
	p.Shots[0].Duration = 2 * time.Second
	p.Shots[0].Lines = nil
	j, err := q.Submit(ctx, render.NewRequest(p, 0, lib.TempDir()), "remote:box/wan2.2")
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, id, _ := lib.JobRemote(ctx, j.ID); id != "" && len(srv.Jobs()) == 1 {
			break
		}
		if ctx.Err() != nil {
			t.Fatal("the job never reached the server")
		}
		time.Sleep(20 * time.Millisecond)
	}
	q.Close() // the studio quits
	lib.Close()
	if d := srv.Deletes(); len(d) > 0 {
		t.Fatalf("quitting deleted the server's job %v; it should run on", d)
	}

	lib, q = open()
	defer func() { q.Close(); lib.Close() }()
	done, err := q.Wait(ctx, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	if done.Status != render.Completed {
		t.Fatalf("the resumed job = %s %+v, want completed", done.Status, done.Error)
	}
	if srv.Posts() != 1 {
		t.Errorf("the server was sent %d jobs, want 1: the restart polled the first", srv.Posts())
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.ContainsFunc(heard, func(s string) bool {
		return s == remote.StatusRendering || s == remote.StatusQueued || s == remote.StatusSending
	}) {
		t.Errorf("the queue's row heard %q, want where the job stood on the server", heard)
	}
}
