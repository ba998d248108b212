// Package remotetest is a /v1/videos endpoint for tests, following
// vLLM-Omni's documented behaviour: a multipart POST (prompt, model,
// seconds as a string, size "WxH", input_reference as a file part, and
// extra fields such as seed, num_frames and fps), the OpenAI job object,
// listing, DELETE, and the clip at /content. Its clips are real MP4s made
// by ffmpeg from its test pattern, with no sound, at the model's own rate.
//
// With Config.Render set it also takes the JSON body a Slate studio sends
// a Slate server, and renders the "slate" object's shot with it, so the
// remote backend's Slate path can be tested before a real slate-server is
// at hand. A loopback Proxy cuts connections and takes the network away.
package remotetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/internal/clock"
	"github.com/slatestudio/slate/media"
)

// Config is what the test server renders and how it behaves.
type Config struct {
	Tools media.Tools
	// Dir holds the clips.
	Dir string
	// Models are listed at /v1/videos/models; nil answers 404, as
	// vLLM-Omni does.
	Models []account.VideoModel
	// FPS is the rate of its clips; 0 means 16, Wan's.
	FPS int
	// Step is how long each tenth of a render's progress takes at the
	// least; 0 means 20 ms.
	Step time.Duration
	// PollAfter is sent as openai-poll-after-ms; 0 sends none.
	PollAfter time.Duration
	// APIKey, when set, is the only bearer token accepted.
	APIKey string
	// Render, when set, renders a request with a "slate" object (the
	// Slate server's way) into dir, returning the clip's path.
	Render func(ctx context.Context, model string, slate json.RawMessage, dir string) (string, error)
	// Intercept, when set, sees each request first and answers it
	// itself by returning true (a test's 429 storm).
	Intercept func(w http.ResponseWriter, r *http.Request) bool
	// Clock stamps created_at; nil means the real one.
	Clock clock.Clock
}

// Video is the job object.
type Video struct {
	ID                 string          `json:"id"`
	Object             string          `json:"object"`
	Model              string          `json:"model"`
	Status             string          `json:"status"`
	Progress           int             `json:"progress"`
	CreatedAt          int64           `json:"created_at"`
	CompletedAt        *int64          `json:"completed_at"`
	ExpiresAt          *int64          `json:"expires_at"`
	Prompt             string          `json:"prompt"`
	Size               string          `json:"size"`
	Seconds            string          `json:"seconds"`
	RemixedFromVideoID *string         `json:"remixed_from_video_id"`
	Error              *VideoError     `json:"error"`
	SlateKey           string          `json:"slate_key,omitempty"`
	Seed               *int64          `json:"seed,omitempty"`
	Reference          bool            `json:"-"`
	Slate              json.RawMessage `json:"-"`
}

// VideoError is a failed job's error.
type VideoError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Server is the test endpoint; it is an http.Handler.
type Server struct {
	cfg   Config
	clock clock.Clock

	mu      sync.Mutex
	jobs    map[string]*entry
	order   []string
	posts   int
	deletes []string
	wg      sync.WaitGroup
}

type entry struct {
	v      Video
	path   string
	cancel context.CancelFunc
}

// New returns a server; Close stops its renders.
func New(cfg Config) *Server {
	if cfg.FPS == 0 {
		cfg.FPS = 16
	}
	if cfg.Step == 0 {
		cfg.Step = 20 * time.Millisecond
	}
	return &Server{cfg: cfg, clock: clock.Or(cfg.Clock), jobs: map[string]*entry{}}
}

// Close cancels the renders under way and waits for them.
func (s *Server) Close() {
	s.mu.Lock()
	for _, e := range s.jobs {
		e.cancel()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// Posts is how many POST /v1/videos requests reached the server.
func (s *Server) Posts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.posts
}

// Jobs are the jobs made so far, oldest first (deleted ones included).
func (s *Server) Jobs() []Video {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Video
	for _, id := range s.order {
		out = append(out, s.jobs[id].v)
	}
	return out
}

// Deletes are the IDs DELETE was asked for.
func (s *Server) Deletes() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.deletes)
}

// Slate is the "slate" object job id was submitted with.
func (s *Server) Slate(id string) json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.jobs[id]; ok {
		return e.v.Slate
	}
	return nil
}

// ServeHTTP answers the /v1/videos routes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Intercept != nil && s.cfg.Intercept(w, r) {
		return
	}
	if s.cfg.APIKey != "" && r.Header.Get("Authorization") != "Bearer "+s.cfg.APIKey {
		fail(w, http.StatusUnauthorized, "invalid_api_key", "", "Incorrect API key provided.")
		return
	}
	path := strings.TrimPrefix(r.URL.Path, account.VideosPrefix)
	parts := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case r.Method == http.MethodGet && path == "/models":
		if s.cfg.Models == nil {
			http.NotFound(w, r)
			return
		}
		reply(w, map[string]any{"object": "list", "data": s.cfg.Models})
	case r.Method == http.MethodPost && (path == "" || path == "/"):
		s.create(w, r)
	case r.Method == http.MethodGet && (path == "" || path == "/"):
		s.list(w, r)
	case r.Method == http.MethodGet && len(parts) == 1:
		s.get(w, parts[0])
	case r.Method == http.MethodDelete && len(parts) == 1:
		s.delete(w, parts[0])
	case r.Method == http.MethodGet && len(parts) == 2 && parts[1] == "content":
		s.content(w, r, parts[0])
	default:
		fail(w, http.StatusNotFound, "not_found", "", "no route "+r.Method+" "+r.URL.Path)
	}
}

func reply(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, status int, code, param, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": msg, "type": "invalid_request_error", "param": param, "code": code}})
}

func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.posts++
	s.mu.Unlock()
	var v Video
	var seconds string
	r.Body = http.MaxBytesReader(w, r.Body, 32<<20)
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		var body struct {
			Model   string          `json:"model"`
			Prompt  string          `json:"prompt"`
			Seconds string          `json:"seconds"`
			Size    string          `json:"size"`
			Seed    *int64          `json:"seed"`
			Slate   json.RawMessage `json:"slate"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			fail(w, http.StatusBadRequest, "invalid_json", "", err.Error())
			return
		}
		v.Model, v.Prompt, seconds, v.Size, v.Seed, v.Slate = body.Model, body.Prompt, body.Seconds, body.Size, body.Seed, body.Slate
		var sl struct {
			Key string `json:"key"`
		}
		json.Unmarshal(body.Slate, &sl)
		v.SlateKey = sl.Key
	} else {
		if err := r.ParseMultipartForm(8 << 20); err != nil {
			fail(w, http.StatusBadRequest, "invalid_form", "", err.Error())
			return
		}
		v.Model, v.Prompt, seconds, v.Size = r.FormValue("model"), r.FormValue("prompt"), r.FormValue("seconds"), r.FormValue("size")
		if sd := r.FormValue("seed"); sd != "" {
			n, err := strconv.ParseInt(sd, 10, 64)
			if err != nil {
				fail(w, http.StatusBadRequest, "invalid_value", "seed", "seed must be an integer")
				return
			}
			v.Seed = &n
		}
		if f, _, err := r.FormFile("input_reference"); err == nil {
			f.Close()
			v.Reference = true
		}
	}
	if v.Prompt == "" {
		fail(w, http.StatusBadRequest, "missing_required_parameter", "prompt", "prompt is required")
		return
	}
	if seconds == "" {
		seconds = "4"
	}
	sec, err := strconv.ParseFloat(seconds, 64)
	if err != nil || sec <= 0 || sec > 120 {
		fail(w, http.StatusBadRequest, "invalid_value", "seconds", "seconds must be a number of seconds as a string, such as \"4\"")
		return
	}
	if v.Size == "" {
		v.Size = "1280x720"
	}
	wd, ht, ok := size(v.Size)
	if !ok {
		fail(w, http.StatusBadRequest, "invalid_value", "size", "size must be WIDTHxHEIGHT")
		return
	}
	if len(v.Slate) > 0 && s.cfg.Render == nil {
		fail(w, http.StatusBadRequest, "invalid_value", "slate", "this server renders no slate requests")
		return
	}
	v.Seconds = seconds
	b := make([]byte, 12)
	rand.Read(b)
	v.ID, v.Object, v.Status = "video_"+hex.EncodeToString(b), "video", "queued"
	v.CreatedAt = s.clock.Now().Unix()
	// Each render lives until DELETE or Close: a test helper's own
	// lifetime, not the request's.
	ctx, cancel := context.WithCancel(context.Background())
	s.mu.Lock()
	s.jobs[v.ID] = &entry{v: v, cancel: cancel}
	s.order = append(s.order, v.ID)
	s.mu.Unlock()
	s.wg.Add(1)
	go s.render(ctx, v, wd, ht, sec)
	s.hint(w)
	reply(w, v)
}

func size(s string) (int, int, bool) {
	a, b, ok := strings.Cut(s, "x")
	w, err1 := strconv.Atoi(a)
	h, err2 := strconv.Atoi(b)
	return w, h, ok && err1 == nil && err2 == nil && w > 0 && h > 0 && w%2 == 0 && h%2 == 0
}

// render makes a job's clip while its progress climbs a tenth a Step.
func (s *Server) render(ctx context.Context, v Video, w, h int, sec float64) {
	defer s.wg.Done()
	done := make(chan struct{})
	var path string
	var err error
	go func() {
		defer close(done)
		dir := filepath.Join(s.cfg.Dir, v.ID)
		if err = os.MkdirAll(dir, 0o755); err != nil {
			return
		}
		if len(v.Slate) > 0 {
			path, err = s.cfg.Render(ctx, v.Model, v.Slate, dir)
			return
		}
		path = filepath.Join(dir, "video.mp4")
		// Each seed its own pattern, so a test can tell them apart.
		pattern := "testsrc"
		if v.Seed != nil && *v.Seed%2 == 1 {
			pattern = "testsrc2"
		}
		err = s.cfg.Tools.RunFFmpeg(ctx, "-f", "lavfi", "-i", fmt.Sprintf("%s=size=%dx%d:rate=%d", pattern, w, h, s.cfg.FPS),
			"-t", strconv.FormatFloat(sec, 'f', -1, 64), "-c:v", "libx264", "-preset", "ultrafast", "-threads", "1", "-pix_fmt", "yuv420p", "-f", "mp4", path)
	}()
	s.set(v.ID, func(e *entry) { e.v.Status = "in_progress" })
	for p := 10; p <= 90; p += 10 {
		select {
		case <-ctx.Done():
		case <-time.After(s.cfg.Step):
		}
		s.set(v.ID, func(e *entry) { e.v.Progress = max(e.v.Progress, p) })
	}
	<-done
	now := s.clock.Now().Unix()
	s.set(v.ID, func(e *entry) {
		if err != nil {
			e.v.Status, e.v.Error = "failed", &VideoError{Code: "render_failed", Message: err.Error()}
			return
		}
		e.v.Status, e.v.Progress, e.v.CompletedAt, e.path = "completed", 100, &now, path
	})
}

func (s *Server) set(id string, f func(*entry)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.jobs[id]; ok && e.v.Status != "deleted" {
		f(e)
	}
}

func (s *Server) hint(w http.ResponseWriter) {
	if s.cfg.PollAfter > 0 {
		w.Header().Set("openai-poll-after-ms", strconv.FormatInt(s.cfg.PollAfter.Milliseconds(), 10))
	}
}

func (s *Server) lookup(w http.ResponseWriter, id string) (Video, string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.jobs[id]
	if !ok || e.v.Status == "deleted" {
		fail(w, http.StatusNotFound, "not_found", "video_id", "no video "+id)
		return Video{}, "", false
	}
	return e.v, e.path, true
}

func (s *Server) get(w http.ResponseWriter, id string) {
	v, _, ok := s.lookup(w, id)
	if !ok {
		return
	}
	s.hint(w)
	reply(w, v)
}

func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	limit, err := strconv.Atoi(cmp(r.URL.Query().Get("limit"), "20"))
	if err != nil || limit < 1 || limit > 100 {
		fail(w, http.StatusBadRequest, "invalid_value", "limit", "limit must be 1 to 100")
		return
	}
	s.mu.Lock()
	var all []Video
	for _, id := range s.order {
		if e := s.jobs[id]; e.v.Status != "deleted" {
			all = append(all, e.v)
		}
	}
	s.mu.Unlock()
	if r.URL.Query().Get("order") != "asc" {
		slices.Reverse(all)
	}
	if after := r.URL.Query().Get("after"); after != "" {
		if i := slices.IndexFunc(all, func(v Video) bool { return v.ID == after }); i >= 0 {
			all = all[i+1:]
		}
	}
	more := len(all) > limit
	all = all[:min(limit, len(all))]
	out := map[string]any{"object": "list", "data": all, "has_more": more, "first_id": nil, "last_id": nil}
	if len(all) > 0 {
		out["first_id"], out["last_id"] = all[0].ID, all[len(all)-1].ID
	}
	reply(w, out)
}

func cmp(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func (s *Server) delete(w http.ResponseWriter, id string) {
	s.mu.Lock()
	s.deletes = append(s.deletes, id)
	e, ok := s.jobs[id]
	if ok && e.v.Status != "deleted" {
		e.cancel()
		e.v.Status = "deleted"
	} else {
		ok = false
	}
	s.mu.Unlock()
	if !ok {
		fail(w, http.StatusNotFound, "not_found", "video_id", "no video "+id)
		return
	}
	reply(w, map[string]any{"id": id, "object": "video.deleted", "deleted": true})
}

func (s *Server) content(w http.ResponseWriter, r *http.Request, id string) {
	v, path, ok := s.lookup(w, id)
	if !ok {
		return
	}
	if v.Status != "completed" {
		fail(w, http.StatusBadRequest, "video_not_ready", "video_id", "video "+id+" is "+v.Status)
		return
	}
	f, err := os.Open(path)
	if err != nil {
		fail(w, http.StatusInternalServerError, "server_error", "", err.Error())
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", "video/mp4")
	http.ServeContent(w, r, "video.mp4", time.Time{}, f)
}

// Wait waits until no job is rendering, or ctx ends.
func (s *Server) Wait(ctx context.Context) error {
	for {
		s.mu.Lock()
		busy := slices.ContainsFunc(s.order, func(id string) bool {
			st := s.jobs[id].v.Status
			return st == "queued" || st == "in_progress"
		})
		s.mu.Unlock()
		if !busy {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}
