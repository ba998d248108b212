package server_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/account/server"
)

// testRenderer is a small Renderer: it reports progress over a few steps
// and writes a small file made of what the job asked for, so the same job
// makes the same clip. hold, when set, keeps every render at its first
// step until it is closed (or the render is cancelled).
type testRenderer struct {
	steps int
	step  time.Duration
	hold  chan struct{}
	// fail, when set, makes every render fail with it.
	fail error
	// stills are asked for through the job's Still as it renders; the
	// answers land in stillErrs.
	stills    []string
	stillErrs map[string][]error

	mu       sync.Mutex
	started  map[string]time.Time // first start of each job
	starts   map[string]int
	finished map[string]time.Time // last clip written
	jobs     map[string]account.RenderJob
	startCh  chan string
}

func newTestRenderer() *testRenderer {
	return &testRenderer{steps: 3, step: time.Millisecond, started: map[string]time.Time{}, starts: map[string]int{},
		finished: map[string]time.Time{}, jobs: map[string]account.RenderJob{}, stillErrs: map[string][]error{}, startCh: make(chan string, 1000)}
}

var _ server.Renderer = (*testRenderer)(nil)

func (r *testRenderer) Models() []account.VideoModel {
	return []account.VideoModel{
		{ID: "animatic", Object: "model", OwnedBy: "slate", Sizes: []string{"640x360", "1280x720"}, FPS: []int{24},
			MinSeconds: 1, MaxSeconds: 20, Audio: true, Likeness: true},
		{ID: "onnx", Object: "model", OwnedBy: "slate", Sizes: []string{"512x512"}, FPS: []int{16}, Seconds: []string{"4", "8"}, ImageInput: true},
	}
}

func (r *testRenderer) Render(ctx context.Context, job account.RenderJob, progress func(float64)) (string, error) {
	r.mu.Lock()
	if _, ok := r.started[job.ID]; !ok {
		r.started[job.ID] = time.Now()
	}
	r.starts[job.ID]++
	r.jobs[job.ID] = job
	hold := r.hold
	r.mu.Unlock()
	for _, sum := range r.stills {
		path, err := job.Still(sum)
		if err == nil {
			_, err = os.Stat(path)
		}
		r.mu.Lock()
		r.stillErrs[job.ID] = append(r.stillErrs[job.ID], err)
		r.mu.Unlock()
	}
	select {
	case r.startCh <- job.ID:
	default:
	}
	for i := range r.steps {
		progress(float64(i) / float64(r.steps))
		if i == 0 && hold != nil {
			select {
			case <-hold:
			case <-ctx.Done():
				return "", ctx.Err()
			}
		}
		select {
		case <-time.After(r.step):
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	if r.fail != nil {
		return "", r.fail
	}
	var in []byte
	if job.InputReference != "" {
		var err error
		if in, err = os.ReadFile(job.InputReference); err != nil {
			return "", err
		}
	}
	seed := int64(0)
	if job.Seed != nil {
		seed = *job.Seed
	}
	body := fmt.Sprintf("clip %s %dx%d %d frames seed %d input %x slate %s\n", job.Prompt, job.Width, job.Height, job.Frames, seed, len(in), job.Slate)
	out := filepath.Join(job.TempDir, "clip.mp4")
	if err := os.WriteFile(out, bytes.Repeat([]byte(body), 64), 0o600); err != nil {
		return "", err
	}
	r.mu.Lock()
	r.finished[job.ID] = time.Now()
	r.mu.Unlock()
	return out, nil
}

func (r *testRenderer) startsOf(id string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.starts[id]
}

// videoConfig is a server with the test renderer.
func videoConfig(r *testRenderer) server.Config {
	cfg := accountConfig()
	cfg.Renderer = r
	return cfg
}

// vreq sends a /v1/videos request and returns the status, headers and body.
func (e *env) vreq(method, path, token string, body io.Reader, contentType string, header ...string) (int, http.Header, []byte) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.hs.URL+account.VideosPrefix+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := e.hs.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

// submit posts a JSON request and returns the job, failing the test
// unless it was taken.
func (e *env) submit(token string, req any) account.Video {
	e.t.Helper()
	body, _ := json.Marshal(req)
	code, _, b := e.vreq("POST", "", token, bytes.NewReader(body), "application/json")
	if code != http.StatusOK {
		e.t.Fatalf("POST /v1/videos = %d %s", code, b)
	}
	var v account.Video
	if err := json.Unmarshal(b, &v); err != nil {
		e.t.Fatal(err)
	}
	return v
}

// video gets a job.
func (e *env) video(token, id string) (int, account.Video) {
	e.t.Helper()
	code, _, b := e.vreq("GET", "/"+id, token, nil, "")
	var v account.Video
	if code == http.StatusOK {
		if err := json.Unmarshal(b, &v); err != nil {
			e.t.Fatal(err)
		}
	}
	return code, v
}

// wait polls a job until it is done.
func (e *env) wait(token, id string) account.Video {
	e.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		code, v := e.video(token, id)
		if code != http.StatusOK {
			e.t.Fatalf("GET video %s = %d while waiting", id, code)
		}
		if v.Done() {
			return v
		}
		time.Sleep(5 * time.Millisecond)
	}
	e.t.Fatalf("video %s did not finish within 30 s", id)
	return account.Video{}
}

// apiError reads an OpenAI-shaped error body.
func apiError(t testing.TB, b []byte) account.APIErrorBody {
	t.Helper()
	var e account.APIError
	if err := json.Unmarshal(b, &e); err != nil || e.Error.Message == "" || e.Error.Type == "" {
		t.Fatalf("not an OpenAI error body: %s", b)
	}
	return e.Error
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// job is what the renderer was given for a job.
func (r *testRenderer) job(id string) account.RenderJob {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.jobs[id]
}

// finishedAt is when the renderer handed over a job's clip (zero if it
// never did).
func (r *testRenderer) finishedAt(id string) time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.finished[id]
}

// stillErrsOf are the answers to a job's asks for stills.
func (r *testRenderer) stillErrsOf(id string) []error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stillErrs[id]
}
