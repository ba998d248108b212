package servers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/account/accounttest"
	"github.com/slatestudio/slate/account/client"
	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/render/remote"
	"github.com/slatestudio/slate/render/remote/remotetest"
	"github.com/slatestudio/slate/render/worker"
	"github.com/slatestudio/slate/servers"
)

// The kill test runs this test binary as a studio that is SIGKILLed while
// a render server renders its shot: with SLATE_TEST_STUDIO_DIR set it
// opens the library there, registers the render servers kept in it (keys
// in SLATE_TEST_STUDIO_KEYS), starts the queue, submits one shot to the
// backend SLATE_TEST_STUDIO_BACKEND and waits to be killed.
func TestMain(m *testing.M) {
	if dir := os.Getenv("SLATE_TEST_STUDIO_DIR"); dir != "" {
		if err := killedStudio(dir, os.Getenv("SLATE_TEST_STUDIO_KEYS"), os.Getenv("SLATE_TEST_STUDIO_BACKEND")); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// killShot is the shot the killed studio renders: the example's first,
// small and short.
func killShot(lib *library.Library) (*render.Request, error) {
	p, err := library.ReadFile("../examples/demo.slate")
	if err != nil {
		return nil, err
	}
	p.Width, p.Height = 320, 180
	p.Shots[0].Duration = 2 * time.Second
	p.Shots[0].Lines, p.Shots[0].Cues = nil, nil
	return render.NewRequest(p, 0, lib.TempDir()), nil
}

func killOpen(ctx context.Context, dir, keys string) (*library.Library, *render.Queue, error) {
	lib, err := library.Open(ctx, dir, library.Options{})
	if err != nil {
		return nil, nil, err
	}
	reg := render.NewRegistry()
	book := servers.New(lib, servers.Options{Store: client.NewFileStore(keys), Remote: remote.Options{Tools: media.FindTools(), Poll: 20 * time.Millisecond}})
	if _, err := book.Register(ctx, reg); err != nil {
		lib.Close()
		return nil, nil, err
	}
	q := render.NewQueue(lib, reg, render.QueueOptions{Workers: 1})
	if _, _, err := q.Start(ctx); err != nil {
		lib.Close()
		return nil, nil, err
	}
	return lib, q, nil
}

func killedStudio(dir, keys, backend string) error {
	ctx := context.Background()
	lib, q, err := killOpen(ctx, dir, keys)
	if err != nil {
		return err
	}
	req, err := killShot(lib)
	if err != nil {
		return err
	}
	j, err := q.Submit(ctx, req, backend)
	if err != nil {
		return err
	}
	_, err = q.Wait(ctx, j.ID)
	return fmt.Errorf("the studio was not killed before its job ended (%v)", err)
}

// killMoment is when the studio is killed: while the server answers the
// POST (the job made there, its ID not yet in the studio), at the first
// poll of the job (its ID kept), a few polls into the render, or as the
// shot is sent (before the server has it).
type killMoment int

const (
	killAnswering killMoment = iota
	killFirstPoll
	killMidRender
	killSending
	killMoments
)

func (k killMoment) String() string {
	return [...]string{"while the server answers the POST", "at the first poll", "mid-render", "as the shot is sent"}[k]
}

// endpoint stands before a /v1/videos server and kills the studio at the
// moment asked, before it answers the request of that moment. It counts
// the POSTs that reach the server.
type endpoint struct {
	next   http.Handler
	mu     sync.Mutex
	moment killMoment
	polls  int
	posts  int
	proc   *os.Process // nil once the studio is killed
	killed chan struct{}
}

// arm has the endpoint kill p at its moment, closing killed then.
func (e *endpoint) arm(p *os.Process, killed chan struct{}) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.proc, e.killed = p, killed
}

func (e *endpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(strings.Trim(strings.TrimPrefix(r.URL.Path, account.VideosPrefix), "/"), "/")
	post := r.Method == http.MethodPost && parts[0] == ""
	e.mu.Lock()
	armed, moment := e.proc != nil, e.moment
	if post && !(armed && moment == killSending) {
		e.posts++
	}
	e.mu.Unlock()
	if !armed {
		e.next.ServeHTTP(w, r)
		return
	}
	switch {
	case post && moment == killSending:
		// The studio dies before the server reads the shot.
		e.fire()
		return
	case post && moment == killAnswering:
		// The server makes the job; the studio dies before hearing of it.
		e.next.ServeHTTP(httptest.NewRecorder(), r)
		e.fire()
		return
	case r.Method == http.MethodGet && len(parts) == 1 && strings.HasPrefix(parts[0], "video_"):
		e.mu.Lock()
		e.polls++
		n := e.polls
		e.mu.Unlock()
		if (moment == killFirstPoll && n == 1) || (moment == killMidRender && n == 3) {
			e.fire()
			return
		}
	case r.Method == http.MethodGet && len(parts) == 2 && parts[1] == "content" && moment == killMidRender:
		// A render done before the third poll: killed as the clip comes.
		e.fire()
		return
	}
	e.next.ServeHTTP(w, r)
}

func (e *endpoint) fire() {
	e.mu.Lock()
	p, killed := e.proc, e.killed
	e.proc = nil
	e.mu.Unlock()
	if p != nil {
		p.Kill() // SIGKILL
		close(killed)
	}
}

// Posts is how many POST /v1/videos reached the server.
func (e *endpoint) Posts() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.posts
}

// killServer is a /v1/videos server the killed studio renders on: start
// returns its handler, the API key it takes, the studio's backend for it,
// and how many jobs it made.
type killServer struct {
	name  string
	start func(t *testing.T, tools media.Tools) (h http.Handler, apiKey, backend string, jobs func(url string) int)
}

var killServers = []killServer{
	{"slate-server", func(t *testing.T, tools media.Tools) (http.Handler, string, string, func(string) int) {
		w, err := worker.Open(worker.Options{Backends: []string{"animatic"}, Tools: tools})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { w.Close() })
		srv, _, key := accounttest.StartRenderer(t, w, 1)
		return srv, key, "remote:box/animatic", func(url string) int { return listed(t, url, key) }
	}},
	{"vllm-like", func(t *testing.T, tools media.Tools) (http.Handler, string, string, func(string) int) {
		wan := account.VideoModel{ID: "wan2.2", Object: "model", Sizes: []string{"320x180"}, FPS: []int{16}, MinSeconds: 1, MaxSeconds: 60}
		srv := remotetest.New(remotetest.Config{Tools: tools, Dir: t.TempDir(), Models: []account.VideoModel{wan}, Step: 100 * time.Millisecond, PollAfter: 20 * time.Millisecond})
		t.Cleanup(srv.Close)
		return srv, "", "remote:box/wan2.2", func(string) int { return len(srv.Jobs()) }
	}},
}

// listed is how many jobs the server at url lists for the key's account.
func listed(t *testing.T, url, key string) int {
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url+account.VideosPrefix+"?limit=100", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list struct {
		Data []json.RawMessage `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		t.Fatalf("list the server's jobs: %v", err)
	}
	return len(list.Data)
}

// A studio SIGKILLed while a render server renders its shot — just after
// the server made the job, at its first poll, or mid-render — polls that
// same job when it starts again: the job completes, its clip lands in the
// library once, and the server was sent the shot once. Killed as the shot
// is sent, before the server has it, it sends it when it starts again.
// The real slate-server (with its animatic worker) and a vLLM-Omni-like
// endpoint, one kill at each moment on each in go test;
// SLATE_REMOTE_KILLS=20 for a longer run, the moments taken in turn.
func TestKilledMidPollResumes(t *testing.T) {
	tools := media.FindTools()
	if err := tools.Check(); err != nil {
		if os.Getenv("SLATE_REQUIRE_DEPS") == "1" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	kills := int(killMoments)
	if s := os.Getenv("SLATE_REMOTE_KILLS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("SLATE_REMOTE_KILLS=%q: want a number of kills, such as 20", s)
		}
		kills = n
	}
	for _, ks := range killServers {
		t.Run(ks.name, func(t *testing.T) {
			for i := range kills {
				moment := killMoment(i % int(killMoments))
				t.Run(fmt.Sprintf("%d %s", i+1, moment), func(t *testing.T) { killOnce(t, tools, ks, moment) })
			}
		})
	}
}

func killOnce(t *testing.T, tools media.Tools, ks killServer, moment killMoment) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	h, apiKey, backend, jobs := ks.start(t, tools)
	ep := &endpoint{next: h, moment: moment}
	hs := httptest.NewServer(ep)
	defer hs.Close()

	dir := t.TempDir()
	keys := filepath.Join(t.TempDir(), "keys")
	lib, err := library.Open(ctx, dir, library.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := servers.New(lib, servers.Options{Store: client.NewFileStore(keys)}).Add(ctx, servers.Spec{Name: "box", URL: hs.URL, APIKey: apiKey}); err != nil {
		t.Fatal(err)
	}
	lib.Close()

	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "SLATE_TEST_STUDIO_DIR="+dir, "SLATE_TEST_STUDIO_KEYS="+keys, "SLATE_TEST_STUDIO_BACKEND="+backend)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	killed := make(chan struct{})
	ep.arm(cmd.Process, killed)
	defer ep.fire()
	select {
	case <-killed:
		<-exited
	case err := <-exited:
		select {
		case <-killed: // killed; the kill is told a moment later
		case <-time.After(5 * time.Second):
			t.Fatalf("the studio ended before it was killed: %v", err)
		}
	case <-ctx.Done():
		t.Fatal("the studio was never killed")
	}

	lib, q, err := killOpen(ctx, dir, keys)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { q.Close(); lib.Close() }()
	all, err := lib.Jobs(ctx)
	if err != nil || len(all) != 1 {
		t.Fatalf("the library holds %d jobs (%v), want the killed studio's one", len(all), err)
	}
	jobID := all[0].ID
	done, err := q.Wait(ctx, jobID)
	if err != nil {
		t.Fatal(err)
	}
	if done.Status != render.Completed {
		t.Fatalf("killed %s, the job resumed as %s %+v, want completed", moment, done.Status, done.Error)
	}
	if n := ep.Posts(); n != 1 {
		t.Errorf("killed %s, the server was sent the shot %d times, want once", moment, n)
	}
	if n := jobs(hs.URL); n != 1 {
		t.Errorf("killed %s, the server made %d jobs, want 1", moment, n)
	}
	c, ok, err := lib.ClipByKey(ctx, done.Key)
	if err != nil || !ok {
		t.Fatalf("killed %s, no clip for the job's key in the library (%v)", moment, err)
	}
	if !lib.Blobs().Has(c.SHA256) {
		t.Errorf("killed %s, the clip's blob %s is not in the store", moment, c.SHA256)
	}
	if clips, err := lib.ShotClips(ctx, done.ProjectID, done.ShotID); err != nil || len(clips) != 1 {
		t.Errorf("killed %s, the shot has %d clips (%v), want 1", moment, len(clips), err)
	}
	if _, id, _ := lib.JobRemote(ctx, jobID); id != "" {
		t.Errorf("killed %s, the finished job still keeps the server's job %q", moment, id)
	}
}
