package render_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/render/animatic"
	"github.com/slatestudio/slate/timeline"
)

func TestMain(m *testing.M) {
	if dir := os.Getenv("SLATE_DISKFULL_DIR"); dir != "" {
		diskFullChild(dir)
		return
	}
	os.Exit(m.Run())
}

// recorder keeps every job event.
type recorder struct {
	mu     sync.Mutex
	events []render.Job
}

func (r *recorder) add(j render.Job) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, j)
}

func (r *recorder) of(id string) []render.Job {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []render.Job
	for _, j := range r.events {
		if j.ID == id {
			out = append(out, j)
		}
	}
	return out
}

func TestRenderProjectCachesUnchangedShots(t *testing.T) {
	ctx := context.Background()
	s := newStudio(t, t.TempDir())
	p := demoProject(t)
	rendered := func() (fresh, cached int) {
		clips, err := s.queue.RenderProject(ctx, p, render.ProjectOptions{Backend: animatic.Name, OnProgress: func(i int, j render.Job) {
			if j.Status == render.Completed {
				if j.Cached {
					cached++
				} else {
					fresh++
				}
			}
		}})
		if err != nil {
			t.Fatal(err)
		}
		if len(clips) != len(p.Shots) {
			t.Fatalf("got %d clips for %d shots", len(clips), len(p.Shots))
		}
		for i, c := range clips {
			if c.ShotID != p.Shots[i].ID || !s.lib.Blobs().Has(c.SHA256) {
				t.Errorf("clip %d = %+v, want shot %s with its blob stored", i, c, p.Shots[i].ID)
			}
		}
		return fresh, cached
	}
	if fresh, cached := rendered(); fresh != 5 || cached != 0 {
		t.Errorf("first render: %d rendered, %d cached; want 5, 0", fresh, cached)
	}
	if fresh, cached := rendered(); fresh != 0 || cached != 5 {
		t.Errorf("second render: %d rendered, %d cached; want 0, 5", fresh, cached)
	}
	// Changing a transition re-renders nothing; changing a prompt, one shot.
	e := timeline.NewEditor(p)
	if _, err := e.Do(timeline.SetTransition("pier", timeline.Transition{Kind: timeline.Crossfade, Duration: 500 * time.Millisecond})); err != nil {
		t.Fatal(err)
	}
	if fresh, _ := rendered(); fresh != 0 {
		t.Errorf("after a transition change %d shots rendered again, want 0", fresh)
	}
	if _, err := e.Do(timeline.SetPrompt("pier", "The same pier in fog")); err != nil {
		t.Fatal(err)
	}
	if fresh, cached := rendered(); fresh != 1 || cached != 4 {
		t.Errorf("after one prompt change: %d rendered, %d cached; want 1, 4", fresh, cached)
	}
}

func TestJobProgressAndShape(t *testing.T) {
	ctx := context.Background()
	s := newStudio(t, t.TempDir())
	rec := &recorder{}
	defer s.queue.Subscribe(rec.add)()
	p := demoProject(t)
	j, err := s.queue.Submit(ctx, render.NewRequest(p, 1, s.lib.TempDir()), animatic.Name)
	if err != nil {
		t.Fatal(err)
	}
	// The same render submitted again while queued is the same job.
	if again, err := s.queue.Submit(ctx, render.NewRequest(p, 1, s.lib.TempDir()), animatic.Name); err != nil || again.ID != j.ID {
		t.Errorf("resubmitting gave job %s (%v), want the queued %s", again.ID, err, j.ID)
	}
	done, err := s.queue.Wait(ctx, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	if done.Status != render.Completed || done.Progress != 100 || done.Clip == nil || done.CompletedAt.IsZero() {
		t.Fatalf("finished job = %+v", done)
	}
	events := rec.of(j.ID)
	last := -1
	statuses := []render.Status{}
	for _, e := range events {
		if e.Progress < last {
			t.Errorf("progress went back from %d to %d", last, e.Progress)
		}
		last = e.Progress
		if len(statuses) == 0 || statuses[len(statuses)-1] != e.Status {
			statuses = append(statuses, e.Status)
		}
	}
	if fmt.Sprint(statuses) != "[queued in_progress completed]" {
		t.Errorf("statuses went %v, want queued, in_progress, completed", statuses)
	}
	if len(events) < 10 {
		t.Errorf("only %d progress events for a 5.5 s shot", len(events))
	}
	// The job object has the /v1/videos shape.
	b, _ := json.Marshal(done)
	var obj map[string]any
	json.Unmarshal(b, &obj)
	for _, k := range []string{"id", "object", "status", "progress", "created_at", "completed_at", "error", "model", "seconds", "size"} {
		if _, ok := obj[k]; !ok {
			t.Errorf("job JSON lacks %q: %s", k, b)
		}
	}
	if obj["object"] != "video" || obj["status"] != "completed" || obj["size"] != "1280x720" || obj["error"] != nil || obj["seconds"] != "5.5" {
		t.Errorf("job JSON = %s", b)
	}
	stored, err := s.lib.Job(ctx, j.ID)
	if err != nil || stored.Status != library.StatusCompleted || stored.Progress != 100 {
		t.Errorf("stored job = %+v, %v", stored, err)
	}
}

// A long render cancelled half-way stops within a second and registers
// nothing.
func TestCancelRunningJob(t *testing.T) {
	ctx := context.Background()
	s := newStudio(t, t.TempDir())
	p := demoProject(t)
	e := timeline.NewEditor(p)
	if _, err := e.Do(timeline.SetDuration("night", 60*time.Second)); err != nil {
		t.Fatal(err)
	}
	started := make(chan string, 1)
	defer s.queue.Subscribe(func(j render.Job) {
		if j.Status == render.InProgress && j.Progress >= 20 {
			select {
			case started <- j.ID:
			default:
			}
		}
	})()
	j, err := s.queue.Submit(ctx, render.NewRequest(p, 4, s.lib.TempDir()), animatic.Name)
	if err != nil {
		t.Fatal(err)
	}
	<-started
	t0 := time.Now()
	if err := s.queue.Cancel(ctx, j.ID); err != nil {
		t.Fatal(err)
	}
	done, err := s.queue.Wait(ctx, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(t0); took > time.Second {
		t.Errorf("cancel took %v, want under a second", took)
	}
	if done.Status != render.Cancelled || done.Clip != nil {
		t.Errorf("cancelled job = %+v", done)
	}
	if clips, _ := s.lib.ShotClips(ctx, p.ID, "night"); len(clips) != 0 {
		t.Errorf("a cancelled render registered %d clips", len(clips))
	}
	entries, _ := os.ReadDir(s.lib.TempDir())
	for _, e := range entries {
		t.Errorf("a cancelled render left %s", e.Name())
	}
	if err := s.queue.Cancel(ctx, j.ID); err == nil {
		t.Errorf("cancelling a finished job succeeded")
	}
}

// A render that fails — here a sound cue that is not audio — ends failed
// with ffmpeg's reason and registers nothing.
func TestFailedRenderRegistersNothing(t *testing.T) {
	ctx := context.Background()
	s := newStudio(t, t.TempDir())
	p := demoProject(t)
	bad := filepath.Join(t.TempDir(), "not-audio.wav")
	os.WriteFile(bad, []byte("this is not a sound"), 0o644)
	p.Shots[0].Cues[0].File = bad
	clips, err := s.queue.RenderProject(ctx, p, render.ProjectOptions{Backend: animatic.Name, Shots: []int{0}})
	if err == nil || !strings.Contains(err.Error(), "shot 1") || !strings.Contains(err.Error(), "sound cue 1") {
		t.Fatalf("RenderProject = %v, %v; want an error naming shot 1's sound cue", clips, err)
	}
	jobs := s.queue.Jobs()
	if len(jobs) != 1 || jobs[0].Status != render.Failed || jobs[0].Error == nil || jobs[0].Error.Code != render.CodeRenderFailed {
		t.Fatalf("jobs = %+v", jobs)
	}
	if cl, _ := s.lib.ShotClips(ctx, p.ID, p.Shots[0].ID); len(cl) != 0 {
		t.Errorf("a failed render registered a clip")
	}
	// Retry runs it again (and fails again the same way).
	r, err := s.queue.Retry(ctx, jobs[0].ID)
	if err != nil || r.ID == jobs[0].ID {
		t.Fatalf("Retry = %+v, %v", r, err)
	}
	if done, _ := s.queue.Wait(ctx, r.ID); done.Status != render.Failed {
		t.Errorf("retried job = %s, want failed", done.Status)
	}
}

// Jobs outlive the studio: queued ones resume after a restart, a running
// one interrupted by a crash is marked failed with the reason, and
// completed ones stay completed.
func TestJobsSurviveRestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	p := demoProject(t)

	lib, err := library.Open(t.Context(), dir, library.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tools := needTools(t)
	reg := render.NewRegistry()
	reg.Register(animatic.Name, func() (render.Backend, error) { return animatic.New(tools) })
	q := render.NewQueue(lib, reg, render.QueueOptions{Workers: 1})
	q.Start(ctx)
	var ids []string
	for i := range 3 {
		j, err := q.Submit(ctx, render.NewRequest(p, i, lib.TempDir()), animatic.Name)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, j.ID)
	}
	q.Close() // the running job goes back to the queue
	// A job some crashed studio left running.
	crashed := library.JobRecord{ID: "video_crashed", ProjectID: p.ID, ShotID: "x", Key: "k", Backend: animatic.Name,
		Status: library.StatusInProgress, Progress: 40, CreatedAt: time.Now(), StartedAt: time.Now(), Request: []byte("{}")}
	if err := lib.PutJob(ctx, crashed); err != nil {
		t.Fatal(err)
	}
	lib.Close()

	s := newStudio(t, dir)
	jobs := s.queue.Jobs()
	var crashedJob render.Job
	for _, j := range jobs {
		if j.ID == "video_crashed" {
			crashedJob = j
		}
	}
	if crashedJob.Status != render.Failed || crashedJob.Error == nil || crashedJob.Error.Code != render.CodeInterrupted {
		t.Errorf("the interrupted job = %+v, want failed with code interrupted", crashedJob)
	}
	for _, id := range ids {
		done, err := s.queue.Wait(ctx, id)
		if err != nil {
			t.Fatalf("job %s after restart: %v", id, err)
		}
		if done.Status != render.Completed {
			t.Errorf("job %s after restart = %s (%+v), want completed", id, done.Status, done.Error)
		}
	}
}

func TestSubmitRefusesWhatBackendCannotDo(t *testing.T) {
	s := newStudio(t, t.TempDir())
	p := demoProject(t)
	req := render.NewRequest(p, 0, s.lib.TempDir())
	req.Format.Width, req.Format.Height = 8192, 4320
	if _, err := s.queue.Submit(context.Background(), req, animatic.Name); !errors.Is(err, render.ErrUnsupported) {
		t.Errorf("Submit at 8192x4320 = %v, want ErrUnsupported", err)
	}
	if _, err := s.queue.Submit(context.Background(), render.NewRequest(p, 0, ""), "nonesuch"); !errors.Is(err, render.ErrUnknownBackend) {
		t.Errorf("Submit on an unknown backend = %v, want ErrUnknownBackend", err)
	}
}

// diskFullChild runs inside a mount namespace with a tiny filesystem at
// dir: the library lives there, and a render cannot fit.
func diskFullChild(dir string) {
	ctx := context.Background()
	out := map[string]any{}
	defer func() {
		b, _ := json.Marshal(out)
		fmt.Println(string(b))
	}()
	tools := media.FindTools()
	lib, err := library.Open(context.Background(), dir, library.Options{})
	if err != nil {
		out["error"] = err.Error()
		return
	}
	defer lib.Close()
	reg := render.NewRegistry()
	reg.Register(animatic.Name, func() (render.Backend, error) { return animatic.New(tools) })
	q := render.NewQueue(lib, reg, render.QueueOptions{Workers: 1})
	q.Start(ctx)
	defer q.Close()
	p, err := library.ReadFile(os.Getenv("SLATE_DISKFULL_PROJECT"))
	if err != nil {
		out["error"] = err.Error()
		return
	}
	_, err = q.RenderProject(ctx, p, render.ProjectOptions{Backend: animatic.Name, Shots: []int{4}})
	if err != nil {
		out["render_error"] = err.Error()
	}
	jobs := q.Jobs()
	if len(jobs) > 0 {
		out["status"] = jobs[0].Status
		if jobs[0].Error != nil {
			out["code"] = jobs[0].Error.Code
		}
	}
	clips, _ := lib.ShotClips(ctx, p.ID, p.Shots[4].ID)
	out["clips"] = len(clips)
	var left []string
	filepath.WalkDir(filepath.Join(dir, "blobs"), func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			left = append(left, path)
		}
		return nil
	})
	entries, _ := os.ReadDir(lib.TempDir())
	for _, e := range entries {
		left = append(left, e.Name())
	}
	out["left"] = left
}

// TestDiskFull renders onto a filesystem too small for the clip (a tmpfs in
// a private mount namespace): the job fails with disk_full and nothing is
// registered or left behind.
func TestDiskFull(t *testing.T) {
	needTools(t)
	if _, err := exec.LookPath("unshare"); err != nil {
		t.Skip("unshare (util-linux) is needed to make a small filesystem")
	}
	dir := t.TempDir()
	project, _ := filepath.Abs("../examples/demo.slate")
	script := fmt.Sprintf("mount -t tmpfs -o size=1300k tmpfs %q && exec %q -test.run='^$'", dir, os.Args[0])
	cmd := exec.Command("unshare", "--map-root-user", "--mount", "sh", "-c", script)
	cmd.Env = append(os.Environ(), "SLATE_DISKFULL_DIR="+dir, "SLATE_DISKFULL_PROJECT="+project)
	outb, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && strings.Contains(string(ee.Stderr), "unshare") {
			t.Skipf("no private mount namespace here: %s", ee.Stderr)
		}
		t.Fatalf("child: %v", err)
	}
	t.Logf("child: %s", outb)
	var res struct {
		Error       string   `json:"error"`
		RenderError string   `json:"render_error"`
		Code        string   `json:"code"`
		Status      string   `json:"status"`
		Clips       int      `json:"clips"`
		Left        []string `json:"left"`
	}
	lines := strings.Split(strings.TrimSpace(string(outb)), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &res); err != nil {
		t.Fatalf("child said %q", outb)
	}
	if res.Error != "" {
		t.Fatalf("child could not start: %s", res.Error)
	}
	if res.Status != "failed" || res.Code != render.CodeDiskFull || !strings.Contains(res.RenderError, "disk") {
		t.Errorf("on a full disk: status %q code %q error %q; want failed, disk_full and a message about the disk", res.Status, res.Code, res.RenderError)
	}
	if res.Clips != 0 || len(res.Left) != 0 {
		t.Errorf("on a full disk: %d clips registered, files left %v; want none", res.Clips, res.Left)
	}
}
