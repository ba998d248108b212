package worker_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/ml"
	"github.com/slatestudio/slate/ml/pack"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/render/animatic"
	"github.com/slatestudio/slate/render/local"
	"github.com/slatestudio/slate/render/onnx/onnxtest"
	"github.com/slatestudio/slate/render/worker"
	"github.com/slatestudio/slate/timeline"
)

// needTools are ffmpeg, ffprobe and espeak-ng, which CI installs.
func needTools(t *testing.T) media.Tools {
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

// openAnimatic opens a worker rendering with the animatic alone.
func openAnimatic(t *testing.T, tools media.Tools) *worker.Worker {
	t.Helper()
	w, err := worker.Open(worker.Options{Backends: []string{"animatic"}, Tools: tools, Models: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

func fileSum(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// picture is a small PNG, a character's reference picture.
func picture(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 64))
	for y := range 64 {
		for x := range 64 {
			img.Set(x, y, color.RGBA{uint8(4 * x), uint8(4 * y), 160, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// project is two short shots featuring Ada, a character with a picture:
// the first with a line and a described sound, the second continuing
// from it with a sound file's cue.
func project(pictureSum, soundFile string) *timeline.Project {
	p := timeline.New("Harbour")
	p.ID = "proj-harbour"
	p.Width, p.Height, p.FPS = 320, 180, 24
	p.Cast = []timeline.CastRef{{ID: "ada", Name: "Ada", Character: true, Description: "a girl of nine in a yellow raincoat", Image: pictureSum}}
	a := timeline.NewShot("Ada on the quay")
	a.ID = "shot-a"
	a.Prompt = "a harbour at dusk, gulls"
	a.Duration = 2 * time.Second
	a.Camera = timeline.Camera{Framing: timeline.Wide, Move: timeline.DollyIn}
	a.Cast = []string{"ada"}
	a.Lines = []timeline.Line{{Speaker: "ada", Text: "The boats are late.", Start: 100 * time.Millisecond}}
	a.Cues = []timeline.Cue{{Kind: timeline.Ambience, Description: "waves on the stones", Duration: time.Second}}
	a.Seed = 7
	b := timeline.NewShot("The lamp")
	b.ID = "shot-b"
	b.Prompt = "the lighthouse lamp turns"
	b.Duration = time.Second
	b.Camera = timeline.Camera{Framing: timeline.CloseUp, Move: timeline.Static}
	b.Cast = []string{"ada"}
	b.Continue = true
	b.Cues = []timeline.Cue{{Kind: timeline.Music, Description: "a low drone", File: soundFile, Duration: time.Second}}
	p.Shots = []*timeline.Shot{a, b}
	return p
}

// studio is what a laptop has: a library, the local backends and a queue.
type studio struct {
	lib   *library.Library
	queue *render.Queue
	reg   *render.Registry
}

func newStudio(t *testing.T, tools media.Tools) *studio {
	t.Helper()
	ctx := context.Background()
	lib, err := library.Open(ctx, t.TempDir(), library.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lib.Close() })
	reg := render.NewRegistry()
	models := t.TempDir()
	local.Register(reg, tools, func() (string, error) { return models, nil }, func(string) string { return "" })
	q := render.NewQueue(lib, reg, render.QueueOptions{Workers: 1})
	q.Start(ctx)
	t.Cleanup(q.Close)
	return &studio{lib: lib, queue: q, reg: reg}
}

// slateJob is the job a Slate studio's request for shot i of plan
// becomes on the server, with key as the render key it expects.
func slateJob(t *testing.T, plan *render.Plan, i int, key string, still func(string) (string, error)) account.RenderJob {
	t.Helper()
	req, err := render.EncodeRequest(plan.Request(i))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(map[string]any{"version": 1, "backend": plan.Backend(i), "request": json.RawMessage(req), "key": key, "members": []string{}, "grants": []string{}})
	if err != nil {
		t.Fatal(err)
	}
	return account.RenderJob{ID: fmt.Sprintf("video_%d", i), Model: plan.Backend(i), Prompt: plan.Request(i).Shot.Prompt, Slate: raw, TempDir: t.TempDir(), Still: still}
}

// serverStills is a server's media: pictures it holds by sha256.
func serverStills(t *testing.T, pics ...[]byte) func(string) (string, error) {
	t.Helper()
	dir := t.TempDir()
	for _, b := range pics {
		sum := sha256.Sum256(b)
		if err := os.WriteFile(filepath.Join(dir, hex.EncodeToString(sum[:])), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return func(sum string) (string, error) {
		p := filepath.Join(dir, sum)
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("no medium %s", sum)
		}
		return p, nil
	}
}

// sound writes a second of a 440 Hz tone.
func sound(t *testing.T, tools media.Tools) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "drone.wav")
	out, err := exec.Command(tools.FFmpeg, "-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-ar", "48000", p).CombinedOutput()
	if err != nil {
		t.Fatalf("ffmpeg: %v: %s", err, out)
	}
	return p
}

func empty(t *testing.T, dir string) {
	t.Helper()
	if es, _ := os.ReadDir(dir); len(es) != 0 {
		t.Errorf("%s holds %d files after a failed render, want none", dir, len(es))
	}
}

// A shot a Slate studio sends renders on the server to the very bytes the
// studio's own queue renders, its picture taken from the server's media;
// a shot with a sound file renders without it (the studio mixes it in),
// to the bytes of the same request rendered locally without the file.
func TestSlateJobRendersTheStudiosClip(t *testing.T) {
	ctx := context.Background()
	tools := needTools(t)
	s := newStudio(t, tools)
	pic := picture(t)
	sum, _, err := s.lib.Blobs().Put(ctx, bytes.NewReader(pic))
	if err != nil {
		t.Fatal(err)
	}
	p := project(sum, sound(t, tools))
	plan := s.queue.Plan(p, animatic.Name, nil)
	clips, err := s.queue.RenderPlan(ctx, plan, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if l := plan.Request(0).Likeness["ada"]; l.Still == "" || l.StillSHA256 != sum {
		t.Fatalf("the studio's request has Ada's likeness %+v, want her picture: the test would prove nothing", l)
	}
	// The studio's files are on another computer: the server draws Ada
	// from its own copy of her picture or not at all.
	if err := os.Remove(s.lib.Blobs().Path(sum)); err != nil {
		t.Fatal(err)
	}

	w := openAnimatic(t, tools)
	key, err := plan.Key(0)
	if err != nil {
		t.Fatal(err)
	}
	var last float64
	stills := serverStills(t, pic)
	job := slateJob(t, plan, 0, key, stills)
	got, err := w.Render(ctx, job, func(f float64) { last = f })
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(got) != job.TempDir {
		t.Errorf("the clip is at %s, want it in the job's folder %s", got, job.TempDir)
	}
	if g := fileSum(t, got); g != clips[0].SHA256 {
		t.Errorf("the server's clip of shot 1 has sha256 %s, the studio's %s: want the same bytes", g, clips[0].SHA256)
	}
	if last != 1 {
		t.Errorf("progress ended at %v, want 1", last)
	}

	// Shot 2 has a sound file: the server cannot have it.
	key, err = plan.Key(1)
	if err != nil {
		t.Fatal(err)
	}
	got, err = w.Render(ctx, slateJob(t, plan, 1, key, stills), func(float64) {})
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.reg.Open(animatic.Name)
	if err != nil {
		t.Fatal(err)
	}
	req := plan.Request(1)
	req.Shot.Cues[0].File = ""
	l := req.Likeness["ada"]
	if l.Still, err = stills(sum); err != nil {
		t.Fatal(err)
	}
	req.Likeness["ada"] = l
	req.PrevClip = ""
	req.TempDir = t.TempDir()
	want, err := b.Render(ctx, req, func(float64) {})
	if err != nil {
		t.Fatal(err)
	}
	if g, w := fileSum(t, got), fileSum(t, want.Path); g != w {
		t.Errorf("the server's clip of shot 2 has sha256 %s; the studio's request without the sound file renders %s here", g, w)
	}
	if fileSum(t, got) == clips[1].SHA256 {
		t.Error("the server's clip of shot 2 is the studio's, sound file and all: the server cannot have read the studio's file")
	}
}

// A shot featuring someone whose picture the server does not hold fails,
// naming them, and leaves nothing behind.
func TestSlateJobWithoutTheStill(t *testing.T) {
	ctx := context.Background()
	tools := needTools(t)
	s := newStudio(t, tools)
	sum, _, err := s.lib.Blobs().Put(ctx, bytes.NewReader(picture(t)))
	if err != nil {
		t.Fatal(err)
	}
	plan := s.queue.Plan(project(sum, ""), animatic.Name, nil)
	key, err := plan.Key(0)
	if err != nil {
		t.Fatal(err)
	}
	w := openAnimatic(t, tools)
	job := slateJob(t, plan, 0, key, serverStills(t))
	_, err = w.Render(ctx, job, func(float64) {})
	if err == nil || !strings.Contains(err.Error(), "Ada") || !strings.Contains(err.Error(), "does not hold") {
		t.Errorf("Render without Ada's picture on the server = %v, want an error saying the server lacks Ada's picture", err)
	}
	empty(t, job.TempDir)
}

// A studio expecting another clip than the server would make (another
// animatic version, other voices) is told so, and nothing is rendered.
func TestSlateJobKeyMismatch(t *testing.T) {
	ctx := context.Background()
	tools := needTools(t)
	s := newStudio(t, tools)
	pic := picture(t)
	sum, _, err := s.lib.Blobs().Put(ctx, bytes.NewReader(pic))
	if err != nil {
		t.Fatal(err)
	}
	plan := s.queue.Plan(project(sum, ""), animatic.Name, nil)
	w := openAnimatic(t, tools)
	studioKey := strings.Repeat("ab", 32)
	job := slateJob(t, plan, 0, studioKey, serverStills(t, pic))
	_, err = w.Render(ctx, job, func(float64) {})
	b, _ := s.reg.Open(animatic.Name)
	if err == nil || !strings.Contains(err.Error(), "animatic version "+b.Version()) || !strings.Contains(err.Error(), "not the one your studio expects") {
		t.Errorf("Render with another key = %v, want an error naming the server's animatic version", err)
	}
	empty(t, job.TempDir)
}

// What a Slate studio may send wrong is refused with a reason.
func TestSlateJobRefusals(t *testing.T) {
	ctx := context.Background()
	tools := needTools(t)
	w := openAnimatic(t, tools)
	s := newStudio(t, tools)
	plan := s.queue.Plan(project("", ""), animatic.Name, nil)
	good := slateJob(t, plan, 0, "", nil)
	for _, c := range []struct {
		name string
		edit func(*account.RenderJob)
		want string
	}{
		{"version", func(j *account.RenderJob) {
			j.Slate = bytes.Replace(j.Slate, []byte(`"version":1`), []byte(`"version":2`), 1)
		}, "version 2"},
		{"model", func(j *account.RenderJob) { j.Model = "onnx" }, `the model "onnx"`},
		{"backend", func(j *account.RenderJob) {
			j.Model = ""
			j.Slate = bytes.Replace(j.Slate, []byte(`"backend":"animatic"`), []byte(`"backend":"wan"`), 1)
		}, `does not render with "wan"`},
		{"request", func(j *account.RenderJob) {
			j.Slate = []byte(`{"version":1,"backend":"animatic"}`)
		}, "no shot"},
		{"json", func(j *account.RenderJob) { j.Slate = []byte(`{"version":`) }, "read the studio's shot"},
		{"duration", func(j *account.RenderJob) {
			*j = slateJob(t, plan, 1, "", nil)
			j.Slate = bytes.Replace(j.Slate, []byte(`"duration_ms":1000`), []byte(`"duration_ms":100`), 1)
		}, "the studio's shot: shot 2: the duration is 0.1 s"},
		{"index", func(j *account.RenderJob) {
			j.Slate = bytes.Replace(j.Slate, []byte(`"index":0`), []byte(`"index":-3`), 1)
		}, "shot number -2"},
	} {
		job := good
		job.TempDir = t.TempDir()
		c.edit(&job)
		if _, err := w.Render(ctx, job, nil); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Render = %v, want an error saying %q", c.name, err, c.want)
		}
		empty(t, job.TempDir)
	}
}

// A plain request (a prompt, a size, a length) renders a clip of exactly
// that size, rate and number of frames; an input_reference the model
// cannot start from is refused.
func TestPlainJob(t *testing.T) {
	ctx := context.Background()
	tools := needTools(t)
	w := openAnimatic(t, tools)
	seed := int64(3)
	for _, c := range []struct {
		job                       account.RenderJob
		width, height, fps, frame int
	}{
		{account.RenderJob{ID: "video_a", Model: "animatic", Prompt: "a lighthouse at dusk", Width: 320, Height: 180, Seconds: 1.5, Seed: &seed}, 320, 180, 24, 36},
		{account.RenderJob{ID: "video_b", Model: "animatic", Prompt: "rain on a window", Width: 256, Height: 144, FPS: 25, Frames: 30}, 256, 144, 25, 30},
	} {
		job := c.job
		job.TempDir = t.TempDir()
		got, err := w.Render(ctx, job, func(float64) {})
		if err != nil {
			t.Fatalf("%s: %v", job.ID, err)
		}
		pr, err := tools.Probe(ctx, got)
		if err != nil {
			t.Fatal(err)
		}
		v := pr.Video
		if v == nil || v.Width != c.width || v.Height != c.height || v.Frames != c.frame || v.FrameRate.Num != c.fps*v.FrameRate.Den || pr.Audio == nil {
			t.Errorf("%s rendered %+v (audio %v), want %dx%d, %d frames at %d fps, with sound", job.ID, v, pr.Audio, c.width, c.height, c.frame, c.fps)
		}
	}
	ref := filepath.Join(t.TempDir(), "ref.png")
	if err := os.WriteFile(ref, picture(t), 0o600); err != nil {
		t.Fatal(err)
	}
	job := account.RenderJob{ID: "video_c", Model: "animatic", Prompt: "a gull", Width: 320, Height: 180, Seconds: 1, InputReference: ref, TempDir: t.TempDir()}
	if _, err := w.Render(ctx, job, nil); !errors.Is(err, render.ErrUnsupported) || !strings.Contains(err.Error(), "input_reference") {
		t.Errorf("a reference picture on the animatic: Render = %v, want ErrUnsupported naming input_reference", err)
	}
	empty(t, job.TempDir)
	job = account.RenderJob{ID: "video_d", Model: "animatic", Prompt: "a gull", Width: 320, Height: 180, Seconds: 90, TempDir: t.TempDir()}
	if _, err := w.Render(ctx, job, nil); err == nil || !strings.Contains(err.Error(), "duration") {
		t.Errorf("a 90 s video: Render = %v, want an error about its duration", err)
	}
}

// The models are the backends, with what each renders.
func TestModels(t *testing.T) {
	tools := needTools(t)
	w := openAnimatic(t, tools)
	got := w.Models()
	if len(got) != 1 {
		t.Fatalf("Models = %+v, want one", got)
	}
	m := got[0]
	if m.ID != "animatic" || m.Object != "model" || m.MaxWidth != media.MaxWidth || m.MaxHeight != media.MaxHeight ||
		fmt.Sprint(m.FPS) != fmt.Sprint(timeline.Rates) || m.MinSeconds != timeline.MinShotDuration.Seconds() ||
		m.MaxSeconds != timeline.MaxShotDuration.Seconds() || !m.Audio || m.ImageInput || m.Likeness {
		t.Errorf("Models()[0] = %+v, want the animatic's capabilities", m)
	}
}

// A backend that cannot open here, or that does not exist, stops the
// worker from opening, saying what to do.
func TestOpenRefuses(t *testing.T) {
	tools := needTools(t)
	_, err := worker.Open(worker.Options{Backends: []string{"animatic", "wan"}, Tools: tools, Models: t.TempDir()})
	if !errors.Is(err, worker.ErrUnknownBackend) || !strings.Contains(err.Error(), "animatic, onnx") {
		t.Errorf("Open(wan) = %v, want ErrUnknownBackend listing the backends", err)
	}
	data := t.TempDir()
	_, err = worker.Open(worker.Options{Backends: []string{"onnx"}, Tools: tools, Models: filepath.Join(data, "models"), Getenv: func(string) string { return "" }})
	if want := "SLATE_HOME=" + data + " slate models install PATH|URL"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Open(onnx) with no model pack = %v, want an error saying %q", err, want)
	}
	_, err = worker.Open(worker.Options{Backends: []string{"animatic"}, Tools: media.Tools{FFmpeg: "/nonexistent/ffmpeg"}})
	if err == nil || !strings.Contains(err.Error(), "ffprobe") {
		t.Errorf("Open without ffprobe = %v, want an error saying to install it", err)
	}
}

// requireORT skips without ONNX Runtime, or fails when CI says it is
// installed.
func requireORT(t *testing.T) {
	t.Helper()
	if _, _, err := ml.FindLibrary(); err != nil {
		if os.Getenv("SLATE_REQUIRE_DEPS") == "1" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
}

// On a server with a model pack, the on-device backend is a model that
// may show a likeness and starts from a picture: a plain request's
// input_reference is the first frame it starts from. A Slate shot that
// continues from the studio's previous clip cannot render here the way
// the studio expects, and is refused saying so.
func TestOnDevice(t *testing.T) {
	ctx := context.Background()
	tools := needTools(t)
	requireORT(t)
	src, models := t.TempDir(), t.TempDir()
	if _, err := onnxtest.Write(src, onnxtest.Options{Conditioning: "input"}); err != nil {
		t.Fatal(err)
	}
	if _, err := pack.NewStore(models, nil).Install(ctx, src, nil); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"SLATE_ORT_PROVIDER": "CPU"}
	w, err := worker.Open(worker.Options{Backends: []string{"animatic", "onnx"}, Tools: tools, Models: models, Getenv: func(k string) string { return env[k] }})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	ms := w.Models()
	if len(ms) != 2 || ms[0].ID != "animatic" || ms[1].ID != "onnx" || !ms[1].ImageInput || !ms[1].Likeness || !ms[1].Audio {
		t.Errorf("Models = %+v, want the animatic, then onnx with image input and likeness", ms)
	}

	ref := filepath.Join(t.TempDir(), "ref.png")
	if err := os.WriteFile(ref, picture(t), 0o600); err != nil {
		t.Fatal(err)
	}
	sums := map[string]string{}
	for _, input := range []string{"", ref} {
		job := account.RenderJob{ID: "video_o", Model: "onnx", Prompt: "a gull over the sea", Width: 64, Height: 64, Seconds: 0.5, InputReference: input, TempDir: t.TempDir()}
		got, err := w.Render(ctx, job, func(float64) {})
		if err != nil {
			t.Fatalf("onnx, input_reference %q: %v", input, err)
		}
		sums[input] = fileSum(t, got)
	}
	if sums[""] == sums[ref] {
		t.Error("the clip started from a picture is the clip started from none: the picture was not used")
	}

	s := newStudio(t, tools)
	p := project("", "")
	p.Shots[1].Cues = nil
	plan := s.queue.Plan(p, "onnx", nil)
	job := slateJob(t, plan, 1, "", nil)
	job.Model = "onnx"
	job.Slate = bytes.Replace(job.Slate, []byte(`"backend":"animatic"`), []byte(`"backend":"onnx"`), 1)
	if _, err := w.Render(ctx, job, nil); err == nil || !strings.Contains(err.Error(), "Continue from the previous shot") {
		t.Errorf("a continuing shot on onnx: Render = %v, want a refusal naming Continue", err)
	}
	empty(t, job.TempDir)
}
