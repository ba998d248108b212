package remote_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/consent"
	"github.com/slatestudio/slate/internal/clock/clocktest"
	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/media/audio"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/render/animatic"
	"github.com/slatestudio/slate/render/remote"
	"github.com/slatestudio/slate/render/remote/remotetest"
	"github.com/slatestudio/slate/render/rendertest"
	"github.com/slatestudio/slate/timeline"
)

func TestProbe(t *testing.T) {
	_, bare := serve(t, remotetest.Config{})
	_, slate := serve(t, remotetest.Config{Models: []account.VideoModel{slateModel}})
	_, listed := serve(t, remotetest.Config{Models: []account.VideoModel{wan}})
	_, locked := serve(t, remotetest.Config{Models: []account.VideoModel{wan}, APIKey: "sk-right"})
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	ctx := testCtx(t)

	info, err := remote.Probe(ctx, nil, remote.Server{Name: "box", URL: bare.URL})
	if err != nil || info.Kind != remote.KindGeneric || len(info.Models) != 0 {
		t.Errorf("a server with no listing: Probe = %+v, %v; want generic, no models", info, err)
	}
	info, err = remote.Probe(ctx, nil, remote.Server{Name: "gpu", URL: slate.URL})
	if err != nil || info.Kind != remote.KindSlate || len(info.Models) != 1 || info.Models[0].Version != "1" {
		t.Errorf("a Slate server: Probe = %+v, %v; want slate with the animatic, version 1", info, err)
	}
	info, err = remote.Probe(ctx, nil, remote.Server{Name: "vllm", URL: listed.URL})
	if err != nil || info.Kind != remote.KindGeneric || len(info.Models) != 1 || info.Models[0].ID != "wan2.2" {
		t.Errorf("a generic server with a listing: Probe = %+v, %v; want generic with wan2.2", info, err)
	}
	if _, err = remote.Probe(ctx, nil, remote.Server{Name: "vllm", URL: locked.URL, APIKey: "sk-wrong"}); !errors.Is(err, remote.ErrAuth) {
		t.Errorf("a wrong key: Probe = %v, want ErrAuth", err)
	}
	if info, err = remote.Probe(ctx, nil, remote.Server{Name: "vllm", URL: locked.URL, APIKey: "sk-right"}); err != nil || len(info.Models) != 1 {
		t.Errorf("the right key: Probe = %+v, %v", info, err)
	}
	if _, err = remote.Probe(ctx, nil, remote.Server{Name: "gone", URL: dead.URL}); err == nil || !strings.Contains(err.Error(), "reach the render server gone") {
		t.Errorf("an unreachable server: Probe = %v, want an error saying it cannot be reached", err)
	}
	if _, err := remote.Open(ctx, remote.Server{Name: "gpu", URL: slate.URL}, "onnx", remote.Options{}); err == nil || !strings.Contains(err.Error(), "animatic") {
		t.Errorf("Open of a model the server lacks = %v, want an error naming the animatic", err)
	}
}

// The conformance suite, through remote: against a vLLM-Omni-like
// endpoint, whose silent 16 fps clips are fitted to each shot here.
func TestConformanceGeneric(t *testing.T) {
	_, hs := serve(t, remotetest.Config{Models: []account.VideoModel{wan}})
	b, err := remote.Open(testCtx(t), remote.Server{Name: "vllm", URL: hs.URL}, "wan2.2", remote.Options{Tools: tools(t)})
	if err != nil {
		t.Fatal(err)
	}
	if b.Name() != "remote:vllm/wan2.2" || !b.Capabilities().Outside {
		t.Errorf("Name() = %q, Outside = %v; want remote:vllm/wan2.2, outside", b.Name(), b.Capabilities().Outside)
	}
	rendertest.Run(t, b, tools(t), rendertest.Options{})
}

// The conformance suite, through remote: against a Slate server (here
// the test endpoint rendering the "slate" object with the animatic, as a
// slate-server's worker does).
func TestConformanceSlate(t *testing.T) {
	for _, e := range slateEndpoints() {
		t.Run(e.name, func(t *testing.T) {
			url, key, _ := e.start(t)
			b, err := remote.Open(testCtx(t), remote.Server{Name: "gpu", URL: url, APIKey: key}, "animatic", remote.Options{Tools: tools(t)})
			if err != nil {
				t.Fatal(err)
			}
			if b.Capabilities().Outside {
				t.Error("a Slate server's backend is Outside; want it not")
			}
			rendertest.Run(t, b, tools(t), rendertest.Options{})
		})
	}
}

func sum(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// Against a Slate server the shot goes whole, with its key and grants,
// and the clip is byte for byte the local animatic's.
func TestSlateClipIsTheLocalOne(t *testing.T) {
	for _, e := range slateEndpoints() {
		t.Run(e.name, func(t *testing.T) { slateClipIsTheLocalOne(t, e) })
	}
}

func slateClipIsTheLocalOne(t *testing.T, e slateEndpoint) {
	url, key, slate := e.start(t)
	b, err := remote.Open(testCtx(t), remote.Server{Name: "gpu", URL: url, APIKey: key}, "animatic", remote.Options{Tools: tools(t)})
	if err != nil {
		t.Fatal(err)
	}
	local, err := animatic.New(tools(t))
	if err != nil {
		t.Fatal(err)
	}
	edit := func(p *timeline.Project, sh *timeline.Shot) {
		sh.Cast = []string{"ana"}
		sh.Lines = []timeline.Line{{Speaker: "ana", Text: "The wind is up.", Start: 300 * time.Millisecond}}
		sh.Camera = timeline.Camera{Framing: timeline.Wide, Move: timeline.ZoomIn}
	}
	req := shotRequest(t, 320, 180, 24, 2*time.Second, edit)
	var jobID string
	req.Remote = &watchRemote{set: func(id string) {
		if id != "" {
			jobID = id
		}
	}}
	res, err := b.Render(testCtx(t), req, func(float64) {})
	if err != nil {
		t.Fatal(err)
	}
	want, err := local.Render(testCtx(t), shotRequest(t, 320, 180, 24, 2*time.Second, edit), func(float64) {})
	if err != nil {
		t.Fatal(err)
	}
	if a, b := sum(t, res.Path), sum(t, want.Path); a != b {
		t.Errorf("the clip from the Slate server (%s) is not the local animatic's (%s)", a[:12], b[:12])
	}
	raw := slate(jobID)
	if raw == nil {
		return // the endpoint does not show what it was sent
	}
	var sl account.SlateRequest
	if err := json.Unmarshal(raw, &sl); err != nil {
		t.Fatal(err)
	}
	if k := render.Key(local, req); sl.Key != k || sl.Backend != "animatic" || sl.Version != 1 {
		t.Errorf("slate = backend %q, version %d, key %s; want animatic, 1, the local animatic's key %s", sl.Backend, sl.Version, sl.Key, k)
	}
}

// The grants the queue gave a request go to the Slate server with it.
func TestSlateGrantsSent(t *testing.T) {
	srv, hs := serve(t, remotetest.Config{Models: []account.VideoModel{slateModel}, Render: slateRenderer(t)})
	b, err := remote.Open(testCtx(t), remote.Server{Name: "gpu", URL: hs.URL}, "animatic", remote.Options{Tools: tools(t)})
	if err != nil {
		t.Fatal(err)
	}
	req := shotRequest(t, 320, 180, 24, time.Second, nil)
	req.Grants = []consent.SignedGrant{{Grant: consent.Grant{ID: "g1", Member: "m-ana"}, Token: "tok-ana"}}
	if _, err := b.Render(testCtx(t), req, func(float64) {}); err != nil {
		t.Fatal(err)
	}
	var sl account.SlateRequest
	if err := json.Unmarshal(srv.Slate(onlyJob(t, srv).ID), &sl); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(sl.Members, []string{"m-ana"}) || !slices.Equal(sl.Grants, []string{"tok-ana"}) {
		t.Errorf("slate members %v, grants %v; want the request's grant", sl.Members, sl.Grants)
	}
}

// A generic endpoint is asked for the nearest size, the shortest length
// covering the shot, the prompt with the cast's preferences and a
// reference image; its silent clip comes back at exactly the shot's
// frames, size and rate, with the shot's dialogue in it.
func TestGenericMapping(t *testing.T) {
	srv, hs := serve(t, remotetest.Config{})
	model := account.VideoModel{ID: "wan", Sizes: []string{"1280x720", "720x1280", "480x480"}, Seconds: []string{"4", "8"}, FPS: []int{16}, ImageInput: true}
	b := remote.New(remote.Server{Name: "vllm", URL: hs.URL, Kind: remote.KindGeneric}, "wan", remote.Options{Tools: tools(t), Model: &model})
	still := filepath.Join(t.TempDir(), "ana.png")
	if err := tools(t).RunFFmpeg(testCtx(t), "-f", "lavfi", "-i", "color=c=red:s=64x64", "-frames:v", "1", still); err != nil {
		t.Fatal(err)
	}
	req := shotRequest(t, 640, 360, 24, 2500*time.Millisecond, func(p *timeline.Project, sh *timeline.Shot) {
		sh.Cast = []string{"ana"}
		sh.Lines = []timeline.Line{{Speaker: "ana", Text: "Look, the kite!", Start: 800 * time.Millisecond}}
	})
	req.Likeness = map[string]render.Likeness{"ana": {Still: still, StillSHA256: "abc", Preferences: "always in a yellow coat"}}
	res, err := b.Render(testCtx(t), req, func(float64) {})
	if err != nil {
		t.Fatal(err)
	}
	j := onlyJob(t, srv)
	if j.Size != "1280x720" || j.Seconds != "4" || !j.Reference || !strings.Contains(j.Prompt, "Ana: always in a yellow coat") {
		t.Errorf("asked for size %s, %s s, reference %v, prompt %q; want 1280x720, 4 s, the still, the preferences", j.Size, j.Seconds, j.Reference, j.Prompt)
	}
	p, err := tools(t).Probe(testCtx(t), res.Path)
	if err != nil {
		t.Fatal(err)
	}
	if v := p.Video; v == nil || v.Width != 640 || v.Height != 360 || v.Frames != 60 || v.FrameRate != (media.Rational{Num: 24, Den: 1}) || res.Frames != 60 {
		t.Errorf("clip = %+v (result %d frames), want 640x360, 60 frames at 24 fps", p.Video, res.Frames)
	}
	sound, err := tools(t).DecodeAudio(testCtx(t), res.Path, 48000, 1)
	if err != nil {
		t.Fatal(err)
	}
	before, during := audio.DBFS(sound.RMS(0, 30000)), audio.DBFS(sound.RMS(40000, 80000))
	if before > -50 || during < -30 {
		t.Errorf("RMS before the line %.1f dBFS, during it %.1f dBFS; want silence, then the line heard", before, during)
	}

	// A shot that continues the one before starts from its last frame.
	cont := shotRequest(t, 640, 360, 24, time.Second, func(p *timeline.Project, sh *timeline.Shot) { sh.Continue = true })
	cont.PrevClip = res.Path
	if _, err := b.Render(testCtx(t), cont, func(float64) {}); err != nil {
		t.Fatal(err)
	}
	jobs := srv.Jobs()
	if last := jobs[len(jobs)-1]; !last.Reference || last.Seconds != "4" {
		t.Errorf("a continuing shot was sent with reference %v, %s s; want the previous clip's last frame", last.Reference, last.Seconds)
	}
}

// Connections cut at random moments: every render completes, and the
// server holds exactly one job for each — none submitted twice.
func TestCutConnections(t *testing.T) {
	srv, hs := serve(t, remotetest.Config{})
	proxy, err := remotetest.NewProxy(strings.TrimPrefix(hs.URL, "http://"), 12)
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	proxy.Cut(0.3)
	proxy.CutPOSTs(2) // the first two renders' jobs are made, their answers lost
	hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	b := remote.New(remote.Server{Name: "flaky", URL: proxy.URL(), Kind: remote.KindGeneric}, "wan", remote.Options{Tools: tools(t), Model: &wan, HTTP: hc, Poll: 10 * time.Millisecond})
	const renders = 4
	for i := range renders {
		req := shotRequest(t, 320, 180, 24, time.Second, func(p *timeline.Project, sh *timeline.Shot) { sh.Seed = int64(i) })
		if _, err := b.Render(testCtx(t), req, func(float64) {}); err != nil {
			t.Fatalf("render %d: %v", i, err)
		}
	}
	if n := len(srv.Jobs()); n != renders {
		t.Errorf("the server made %d jobs for %d renders (%d POSTs reached it)", n, renders, srv.Posts())
	}
	if proxy.CutPOSTAnswers() < 2 {
		t.Errorf("the proxy cut %d POSTs' answers, want at least 2: the test tested nothing", proxy.CutPOSTAnswers())
	}
	t.Logf("%d connections cut, %d POST answers among them; %d POSTs, %d jobs", proxy.Cuts(), proxy.CutPOSTAnswers(), srv.Posts(), len(srv.Jobs()))
}

// A 429 storm: the client waits out every Retry-After (on a test clock,
// so nothing sleeps) and then renders.
func TestTooManyRequests(t *testing.T) {
	clk := clocktest.New(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	var mu sync.Mutex
	var until time.Time
	storm, early := 0, 0
	var polls []time.Time
	_, hs := serve(t, remotetest.Config{PollAfter: 250 * time.Millisecond, Intercept: func(w http.ResponseWriter, r *http.Request) bool {
		mu.Lock()
		defer mu.Unlock()
		now := clk.Now()
		if now.Before(until) {
			early++
		}
		if r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/v1/videos/video_") && !strings.HasSuffix(r.URL.Path, "/content") {
			polls = append(polls, now)
		}
		if storm < 6 {
			storm++
			until = now.Add(3 * time.Second)
			w.Header().Set("Retry-After", "3")
			w.WriteHeader(http.StatusTooManyRequests)
			return true
		}
		return false
	}})
	var statuses []string
	b := remote.New(remote.Server{Name: "busy", URL: hs.URL, Kind: remote.KindGeneric}, "wan", remote.Options{
		Tools: tools(t), Model: &wan, Clock: clk,
		Status: func(_ *render.Request, s string) { statuses = append(statuses, s) },
	})
	start := clk.Now()
	if _, err := b.Render(testCtx(t), shotRequest(t, 320, 180, 24, time.Second, nil), func(float64) {}); err != nil {
		t.Fatal(err)
	}
	if early > 0 {
		t.Errorf("%d requests came before the server's Retry-After", early)
	}
	if waited := clk.Now().Sub(start); waited < 18*time.Second {
		t.Errorf("the client waited %v through six 429s of 3 s, want at least 18 s", waited)
	}
	// Polls are paced by the server's openai-poll-after-ms (250 ms), not
	// the backend's own second.
	for i := 1; i < len(polls); i++ {
		if d := polls[i].Sub(polls[i-1]); d < 250*time.Millisecond || d >= time.Second {
			t.Errorf("poll %d came %v after the one before; want the server's 250 ms", i, d)
			break
		}
	}
	if len(polls) < 2 {
		t.Errorf("%d polls; want several", len(polls))
	}
	if !slices.Contains(statuses, remote.StatusWaiting) {
		t.Errorf("statuses %v; want %q while the server was busy", statuses, remote.StatusWaiting)
	}
}

// A request that already holds a job's ID polls it and never submits.
func TestResumePolls(t *testing.T) {
	srv, hs := serve(t, remotetest.Config{Step: 100 * time.Millisecond})
	b := remote.New(remote.Server{Name: "box", URL: hs.URL, Kind: remote.KindGeneric}, "wan", remote.Options{Tools: tools(t), Model: &wan, Poll: 20 * time.Millisecond})
	req := shotRequest(t, 320, 180, 24, time.Second, nil)
	// The studio submitted and quit: the job runs on, its ID in the table.
	ctx, cancel := context.WithCancel(testCtx(t))
	rj := &memRemote{}
	req.Remote = rj
	first := make(chan error, 1)
	go func() {
		_, err := b.Render(ctx, req, func(f float64) {
			if f > 0 {
				cancel() // Slate closing: no cause, so the job is left running
			}
		})
		first <- err
	}()
	if err := <-first; !errors.Is(err, context.Canceled) {
		t.Fatalf("the first render ended with %v, want cancelled", err)
	}
	id, _ := rj.get()
	if id == "" || len(srv.Deletes()) > 0 {
		t.Fatalf("after quitting: remote ID %q, deletes %v; want the ID kept and the job left running", id, srv.Deletes())
	}
	posts := srv.Posts()
	res, err := b.Render(testCtx(t), req, func(float64) {})
	if err != nil {
		t.Fatal(err)
	}
	if srv.Posts() != posts || len(srv.Jobs()) != 1 {
		t.Errorf("resuming sent %d more POSTs (%d jobs); want none", srv.Posts()-posts, len(srv.Jobs()))
	}
	if id, sets := rj.get(); id != "" || sets[len(sets)-1] != "" {
		t.Errorf("after the clip came, the remote ID is %q; want it forgotten", id)
	}
	if _, err := os.Stat(res.Path); err != nil {
		t.Error(err)
	}
}

// Cancelling a job cancels the server's job: DELETE is sent.
func TestCancelDeletes(t *testing.T) {
	srv, hs := serve(t, remotetest.Config{Step: 200 * time.Millisecond})
	b := remote.New(remote.Server{Name: "box", URL: hs.URL, Kind: remote.KindGeneric}, "wan", remote.Options{Tools: tools(t), Model: &wan, Poll: 20 * time.Millisecond})
	req := shotRequest(t, 320, 180, 24, time.Second, nil)
	rj := &memRemote{}
	req.Remote = rj
	ctx, cancel := context.WithCancelCause(testCtx(t))
	_, err := b.Render(ctx, req, func(f float64) {
		if f > 0 {
			cancel(render.ErrJobCancelled)
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Render = %v, want cancelled", err)
	}
	j := onlyJob(t, srv)
	if !slices.Equal(srv.Deletes(), []string{j.ID}) {
		t.Errorf("DELETEs %v, want one for %s", srv.Deletes(), j.ID)
	}
	if id, _ := rj.get(); id != "" {
		t.Errorf("the cancelled job's ID %q is still kept", id)
	}
	if entries, _ := os.ReadDir(req.TempDir); len(entries) > 0 {
		t.Errorf("a cancelled render left %d files behind", len(entries))
	}
}

// With the network down the job waits, saying so, and carries on.
func TestNetworkDown(t *testing.T) {
	srv, hs := serve(t, remotetest.Config{})
	proxy, err := remotetest.NewProxy(strings.TrimPrefix(hs.URL, "http://"), 1)
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	proxy.Down(true)
	waits := make(chan struct{}, 100)
	b := remote.New(remote.Server{Name: "box", URL: proxy.URL(), Kind: remote.KindGeneric}, "wan", remote.Options{
		Tools: tools(t), Model: &wan, Poll: 10 * time.Millisecond,
		Status: func(_ *render.Request, s string) {
			if s == remote.StatusWaiting {
				select {
				case waits <- struct{}{}:
				default:
				}
			}
		},
	})
	done := make(chan error, 1)
	go func() {
		_, err := b.Render(testCtx(t), shotRequest(t, 320, 180, 24, time.Second, nil), func(float64) {})
		done <- err
	}()
	// Down long enough for several tries, the submission's and the
	// search for it after.
	for range 4 {
		select {
		case <-waits:
		case err := <-done:
			t.Fatalf("with the network down Render returned %v; want it to wait", err)
		case <-time.After(30 * time.Second):
			t.Fatal("no \"waiting for the server\" status")
		}
	}
	proxy.Down(false)
	if err := <-done; err != nil {
		t.Fatalf("after the network came back: %v", err)
	}
	if len(srv.Jobs()) != 1 {
		t.Errorf("%d jobs, want one", len(srv.Jobs()))
	}
}

// A cue's sound file stays in the studio: the Slate server renders the
// shot without it, and it is mixed into the clip here.
func TestSlateCueFileMixedHere(t *testing.T) {
	srv, hs := serve(t, remotetest.Config{Models: []account.VideoModel{slateModel}, Render: slateRenderer(t)})
	b, err := remote.Open(testCtx(t), remote.Server{Name: "gpu", URL: hs.URL}, "animatic", remote.Options{Tools: tools(t)})
	if err != nil {
		t.Fatal(err)
	}
	wav := filepath.Join(t.TempDir(), "gong.wav")
	tone := audio.NewPCM(48000, 2, 48000)
	for i := range 48000 {
		v := float32(0.3 * math.Sin(2*math.Pi*660*float64(i)/48000))
		tone.Samples[2*i], tone.Samples[2*i+1] = v, v
	}
	if err := audio.WriteWAVFile(wav, tone); err != nil {
		t.Fatal(err)
	}
	req := shotRequest(t, 320, 180, 24, 2*time.Second, func(p *timeline.Project, sh *timeline.Shot) {
		sh.Cues = []timeline.Cue{
			{Kind: timeline.SFX, Description: "a gong", File: wav, Start: time.Second, Duration: 800 * time.Millisecond},
			{Kind: timeline.Ambience, Description: "wind", Duration: 2 * time.Second},
		}
	})
	res, err := b.Render(testCtx(t), req, func(float64) {})
	if err != nil {
		t.Fatal(err)
	}
	var sl account.SlateRequest
	if err := json.Unmarshal(srv.Slate(onlyJob(t, srv).ID), &sl); err != nil {
		t.Fatal(err)
	}
	sent, err := render.DecodeRequest(sl.Request, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if len(sent.Shot.Cues) != 1 || sent.Shot.Cues[0].File != "" {
		t.Errorf("the server was sent cues %+v; want only the described one", sent.Shot.Cues)
	}
	p, err := tools(t).Probe(testCtx(t), res.Path)
	if err != nil {
		t.Fatal(err)
	}
	if v := p.Video; v == nil || v.Frames != 48 || v.Width != 320 || p.Audio == nil {
		t.Fatalf("clip = %+v, %+v; want 48 frames at 320x180 with sound", p.Video, p.Audio)
	}
	sound, err := tools(t).DecodeAudio(testCtx(t), res.Path, 48000, 1)
	if err != nil {
		t.Fatal(err)
	}
	before, during := audio.DBFS(sound.RMS(0, 40000)), audio.DBFS(sound.RMS(55000, 80000))
	if before > -50 || during < -25 {
		t.Errorf("RMS before the cue %.1f dBFS, during it %.1f dBFS; want silence, then the gong", before, during)
	}
}

// A refused key, and a server that is no /v1/videos endpoint, end the
// render with a message saying so, rather than trying for ever.
func TestRenderRefused(t *testing.T) {
	_, locked := serve(t, remotetest.Config{APIKey: "sk-right"})
	b := remote.New(remote.Server{Name: "box", URL: locked.URL, APIKey: "sk-wrong", Kind: remote.KindGeneric}, "wan", remote.Options{Tools: tools(t), Model: &wan})
	if _, err := b.Render(testCtx(t), shotRequest(t, 320, 180, 24, time.Second, nil), func(float64) {}); !errors.Is(err, remote.ErrAuth) {
		t.Errorf("with a wrong key Render = %v, want ErrAuth", err)
	}
	var posts int
	var mu sync.Mutex
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		if r.Method == http.MethodPost {
			posts++
		}
		mu.Unlock()
		w.Write([]byte("<html>a web page</html>"))
	}))
	defer web.Close()
	clk := clocktest.New(time.Now())
	b = remote.New(remote.Server{Name: "page", URL: web.URL, Kind: remote.KindGeneric}, "wan", remote.Options{Tools: tools(t), Model: &wan, Clock: clk})
	_, err := b.Render(testCtx(t), shotRequest(t, 320, 180, 24, time.Second, nil), func(float64) {})
	if err == nil || !strings.Contains(err.Error(), "is "+web.URL+" a /v1/videos endpoint?") {
		t.Errorf("against a web page Render = %v, want an error asking whether it is a /v1/videos endpoint", err)
	}
	if posts > 5 {
		t.Errorf("%d POSTs to a web page, want at most 5", posts)
	}
}

// Server errors are tried again, a few times: a passing fault is ridden
// out, a lasting one ends the render with the server's words.
func TestServerErrorsRetried(t *testing.T) {
	for _, tt := range []struct {
		fails int
		ok    bool
	}{{3, true}, {100, false}} {
		var mu sync.Mutex
		n := 0
		srv, hs := serve(t, remotetest.Config{Intercept: func(w http.ResponseWriter, r *http.Request) bool {
			mu.Lock()
			defer mu.Unlock()
			if r.Method == http.MethodPost && n < tt.fails {
				n++
				http.Error(w, `{"error":{"message":"CUDA out of memory","type":"server_error"}}`, http.StatusInternalServerError)
				return true
			}
			return false
		}})
		b := remote.New(remote.Server{Name: "box", URL: hs.URL, Kind: remote.KindGeneric}, "wan", remote.Options{Tools: tools(t), Model: &wan, Clock: clocktest.New(time.Now())})
		_, err := b.Render(testCtx(t), shotRequest(t, 320, 180, 24, time.Second, nil), func(float64) {})
		if tt.ok && (err != nil || len(srv.Jobs()) != 1) {
			t.Errorf("after %d server errors: Render = %v, %d jobs; want the clip, one job", tt.fails, err, len(srv.Jobs()))
		}
		if !tt.ok && (err == nil || !strings.Contains(err.Error(), "CUDA out of memory") || n > 10) {
			t.Errorf("with the server failing: Render = %v after %d tries; want the server's words after a few", err, n)
		}
	}
}
