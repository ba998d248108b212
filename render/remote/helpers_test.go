package remote_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/render/animatic"
	"github.com/slatestudio/slate/render/remote/remotetest"
	"github.com/slatestudio/slate/timeline"
)

func tools(t testing.TB) media.Tools {
	t.Helper()
	tools := media.FindTools()
	if err := tools.Check(); err != nil {
		if os.Getenv("SLATE_REQUIRE_DEPS") == "1" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	return tools
}

func testCtx(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// wan is how a generic endpoint such as vLLM-Omni serving Wan 2.2 might
// be described: fixed sizes, lengths from 1 to 60 s, 16 fps, no sound.
var wan = account.VideoModel{
	ID: "wan2.2", Object: "model", OwnedBy: "vllm-omni",
	Sizes: []string{"320x180", "640x360", "1280x720", "720x1280", "480x480"}, FPS: []int{16},
	MinSeconds: 1, MaxSeconds: 60, ImageInput: true,
}

// serve starts a test endpoint with cfg (its Tools and Dir filled in).
func serve(t testing.TB, cfg remotetest.Config) (*remotetest.Server, *httptest.Server) {
	t.Helper()
	cfg.Tools = tools(t)
	if cfg.Dir == "" {
		cfg.Dir = t.TempDir()
	}
	if cfg.PollAfter == 0 {
		cfg.PollAfter = 20 * time.Millisecond
	}
	s := remotetest.New(cfg)
	hs := httptest.NewServer(s)
	t.Cleanup(func() {
		hs.Close()
		s.Close()
	})
	return s, hs
}

// slateRenderer renders a Slate request the way a Slate server's worker
// does: the shot decoded from the "slate" object, rendered by the
// animatic.
func slateRenderer(t testing.TB) func(ctx context.Context, model string, slate json.RawMessage, dir string) (string, error) {
	b, err := animatic.New(tools(t))
	if err != nil {
		t.Fatal(err)
	}
	return func(ctx context.Context, model string, slate json.RawMessage, dir string) (string, error) {
		var sl account.SlateRequest
		if err := json.Unmarshal(slate, &sl); err != nil {
			return "", err
		}
		req, err := render.DecodeRequest(sl.Request, dir)
		if err != nil {
			return "", err
		}
		res, err := b.Render(ctx, req, func(float64) {})
		if err != nil {
			return "", err
		}
		return res.Path, nil
	}
}

// slateModel is the animatic as a Slate server lists it.
var slateModel = account.VideoModel{
	ID: "animatic", Object: "model", OwnedBy: account.SlateOwner, Version: "1",
	MaxWidth: 4096, MaxHeight: 4096, FPS: []int{24, 25, 30}, MinSeconds: 0.5, MaxSeconds: 60, Audio: true,
}

// memRemote is a render.RemoteJob in memory, as the queue's jobs table
// keeps it.
type memRemote struct {
	mu         sync.Mutex
	server, id string
	sets       []string
}

func (m *memRemote) RemoteID(context.Context) (string, string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.server, m.id, nil
}

func (m *memRemote) SetRemoteID(_ context.Context, server, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.server, m.id = server, id
	m.sets = append(m.sets, id)
	return nil
}

func (m *memRemote) get() (string, []string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.id, append([]string(nil), m.sets...)
}

// shotRequest is a one-shot project's request: w×h at fps, the shot d
// long, edited by edit.
func shotRequest(t testing.TB, w, h, fps int, d time.Duration, edit func(*timeline.Project, *timeline.Shot)) *render.Request {
	t.Helper()
	p := timeline.New("Remote")
	p.Width, p.Height, p.FPS = w, h, fps
	p.Cast = []timeline.CastRef{{ID: "ana", Name: "Ana"}}
	sh := timeline.NewShot("Kite")
	sh.ID = "kite"
	sh.Prompt = "A red kite over a green hill"
	sh.Duration = d
	sh.Seed = 3
	if edit != nil {
		edit(p, sh)
	}
	p.Shots = append(p.Shots, sh)
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	return render.NewRequest(p, len(p.Shots)-1, t.TempDir())
}

func onlyJob(t *testing.T, s *remotetest.Server) remotetest.Video {
	t.Helper()
	jobs := s.Jobs()
	if len(jobs) != 1 {
		var ids []string
		for _, j := range jobs {
			ids = append(ids, j.ID+" "+j.Status)
		}
		t.Fatalf("the server holds %d jobs (%s), want exactly one", len(jobs), strings.Join(ids, ", "))
	}
	return jobs[0]
}

// slateEndpoint is a Slate render server the Slate tests run against:
// start returns its URL and an API key, and, where the endpoint can tell,
// the "slate" object a job was sent with (nil otherwise).
// They are the test endpoint, which shows it, and the real slate-server
// with its animatic worker (slateserver_test.go).
type slateEndpoint struct {
	name  string
	start func(t testing.TB) (url, apiKey string, slate func(id string) json.RawMessage)
}

func slateEndpoints() []slateEndpoint {
	return []slateEndpoint{{"remotetest", func(t testing.TB) (string, string, func(string) json.RawMessage) {
		srv, hs := serve(t, remotetest.Config{Models: []account.VideoModel{slateModel}, Render: slateRenderer(t)})
		return hs.URL, "", srv.Slate
	}}, {"slate-server", realSlateServer}}
}

// watchRemote keeps nothing and tells set of each ID saved.
type watchRemote struct{ set func(id string) }

func (w *watchRemote) RemoteID(context.Context) (string, string, error) { return "", "", nil }

func (w *watchRemote) SetRemoteID(_ context.Context, _, id string) error {
	w.set(id)
	return nil
}
