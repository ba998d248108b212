package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slatestudio/slate/internal/userfile/userfiletest"
	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/render/animatic"
	"github.com/slatestudio/slate/timeline"
)

const demo = "../../examples/demo.slate"

func TestParseRenderArgs(t *testing.T) {
	tests := []struct {
		args    []string
		want    renderArgs
		wantErr string
	}{
		{[]string{"p.slate", "-o", "film.mp4"}, renderArgs{file: "p.slate", output: "film.mp4", backend: "animatic"}, ""},
		{[]string{"-o", "film.mp4", "--quiet", "p.slate", "--shots", "2-4", "--workers", "3", "--backend", "onnx"},
			renderArgs{file: "p.slate", output: "film.mp4", backend: "onnx", shotsSpec: "2-4", shots: []shotSpan{{2, 4}}, workers: 3, quiet: true}, ""},
		{[]string{"p.slate", "-o=out/Film.MP4", "-shots=1,3"}, renderArgs{file: "p.slate", output: "out/Film.MP4", backend: "animatic", shotsSpec: "1,3", shots: []shotSpan{{1, 1}, {3, 3}}}, ""},
		{[]string{"-o", "film.mp4"}, renderArgs{}, "no project file"},
		{[]string{"a.slate", "b.slate", "-o", "film.mp4"}, renderArgs{}, "one project at a time, not a.slate and b.slate"},
		{[]string{"p.slate"}, renderArgs{}, "-o FILM.mp4"},
		{[]string{"p.slate", "-o", "film.mov"}, renderArgs{}, "-o film.mov: the film is an MP4"},
		{[]string{"p.slate", "-o", "f.mp4", "--workers", "-1"}, renderArgs{}, "--workers -1"},
		{[]string{"p.slate", "-o", "f.mp4", "--shots", "x"}, renderArgs{}, `--shots x: "x" is not a shot number`},
		{[]string{"p.slate", "-o", "f.mp4", "--shots", ""}, renderArgs{}, "--shots: give shot numbers"},
		{[]string{"p.slate", "-o", "f.mp4", "--frobnicate"}, renderArgs{}, "flag provided but not defined: -frobnicate"},
		{[]string{"p.slate", "-o"}, renderArgs{}, "flag needs an argument: -o"},
	}
	for _, tt := range tests {
		got, err := parseRenderArgs(tt.args)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("parseRenderArgs(%q) error = %v, want it to say %q", tt.args, err, tt.wantErr)
			}
			continue
		}
		if err != nil || fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("parseRenderArgs(%q) = %+v, %v\nwant %+v", tt.args, got, err, tt.want)
		}
	}
	if _, err := parseRenderArgs([]string{"-h"}); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("parseRenderArgs(-h) = %v, want flag.ErrHelp", err)
	}
}

var shotsTests = []struct {
	spec    string
	n       int
	want    []int
	wantErr string
}{
	{"1", 5, []int{0}, ""},
	{"5", 5, []int{4}, ""},
	{"2-4", 5, []int{1, 2, 3}, ""},
	{"1,3,5-6", 6, []int{0, 2, 4, 5}, ""},
	{" 3 , 1 ", 5, []int{0, 2}, ""},
	{"1-3,2", 5, []int{0, 1, 2}, ""},
	{"4-4", 5, []int{3}, ""},
	{"9", 5, nil, "--shots 9: the project has 5 shots"},
	{"1,9", 5, nil, "--shots 1,9: the project has 5 shots (there is no shot 9)"},
	{"4-7", 5, nil, "--shots 4-7: the project has 5 shots (there is no shot 7)"},
	{"7-9", 5, nil, "(there is no shot 7)"},
	{"2", 1, nil, "--shots 2: the project has 1 shot"},
	{"0", 5, nil, "--shots 0: shots are numbered from 1"},
	{"4-2", 5, nil, "--shots 4-2: the range 4-2 goes down; write it 2-4"},
	{"1,,2", 5, nil, "--shots 1,,2: an empty item"},
	{"1,", 5, nil, "an empty item"},
	{"-3", 5, nil, `"-3" is not a shot number`},
	{"+3", 5, nil, `"+3" is not a shot number`},
	{"1-2-3", 5, nil, `"1-2-3" is not a shot number`},
	{"a-b", 5, nil, "is not a shot number"},
	{"1-999999999999", 5, nil, "the project has 5 shots"},
	{"99999999999999999999", 5, nil, "is not a shot number"},
}

func TestShots(t *testing.T) {
	for _, tt := range shotsTests {
		spans, err := parseShots(tt.spec)
		var got []int
		if err == nil {
			got, err = selectShots(tt.spec, spans, tt.n)
		}
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("shots(%q, %d) = %v, %v; want error %q", tt.spec, tt.n, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("shots(%q, %d) = %v, %v; want %v", tt.spec, tt.n, got, err, tt.want)
		}
	}
}

func FuzzShots(f *testing.F) {
	for _, tt := range shotsTests {
		f.Add(tt.spec, tt.n)
	}
	f.Fuzz(func(t *testing.T, spec string, n int) {
		n = max(0, n%200)
		spans, err := parseShots(spec)
		if err != nil {
			return
		}
		got, err := selectShots(spec, spans, n)
		if err != nil {
			return
		}
		if len(got) == 0 || !slices.IsSorted(got) || got[0] < 0 || got[len(got)-1] >= n || len(slices.Compact(slices.Clone(got))) != len(got) {
			t.Fatalf("shots(%q, %d) = %v: want sorted, distinct shot indexes in [0, %d)", spec, n, got, n)
		}
	})
}

// smallProject writes a copy of the demo at 320×180 with short shots, so
// real renders in these tests take a second or two, and returns its path.
func smallProject(t *testing.T, edit func(p *timeline.Project)) string {
	t.Helper()
	p, err := library.ReadFile(demo)
	if err != nil {
		t.Fatal(err)
	}
	p.Width, p.Height = 320, 180
	if edit != nil {
		edit(p)
	}
	path := filepath.Join(t.TempDir(), "small.slate")
	if err := library.WriteFile(path, p); err != nil {
		t.Fatal(err)
	}
	return path
}

// startSignal wraps a real backend and says when a render starts, so a
// test can cancel in the middle of one.
type startSignal struct {
	render.Backend
	started chan struct{}
}

func (s startSignal) Render(ctx context.Context, req *render.Request, progress func(float64)) (*render.Result, error) {
	select {
	case s.started <- struct{}{}:
	default:
	}
	return s.Backend.Render(ctx, req, progress)
}

// testRenderEnv renders with the real programs, backends and assembly into
// a fresh library.
func testRenderEnv(t *testing.T) renderEnv {
	t.Helper()
	env := defaultRenderEnv()
	requireDeps(t, env.tools.Check())
	dir := t.TempDir()
	env.dataDir = func() (string, error) { return dir, nil }
	env.isTTY = false
	return env
}

func renderArgsRun(ctx context.Context, env renderEnv, args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := renderMain(ctx, args, &out, &errb, env)
	return code, out.String(), errb.String()
}

func TestRenderChosenShots(t *testing.T) {
	env := testRenderEnv(t)
	project := smallProject(t, nil)
	out := filepath.Join(t.TempDir(), "film.mp4")
	code, stdout, stderr := renderArgsRun(context.Background(), env, project, "-o", out, "--shots", "4,2")
	if code != 0 {
		t.Fatalf("slate render: exit %d\n%s", code, stderr)
	}
	// Shots 2 (5.5 s) and 4 (4.5 s), in the project's order, joined by a
	// cut: 240 frames.
	base := strings.TrimSuffix(out, ".mp4")
	wantOut := regexp.MustCompile(`^wrote ` + regexp.QuoteMeta(out) + ` \(10\.0 s, 240 frames, 320×180 24 fps, −1[56]\.[0-9] LUFS\)\n  thumbnail     ` +
		regexp.QuoteMeta(base) + `\.jpg\n  sprite sheet  ` + regexp.QuoteMeta(base) + `-sprite\.jpg\n$`)
	if !wantOut.MatchString(stdout) {
		t.Errorf("stdout:\n%s\nwant it to match %s", stdout, wantOut)
	}
	pr, err := env.tools.Probe(context.Background(), out)
	if err != nil {
		t.Fatal(err)
	}
	if pr.Video == nil || pr.Video.Frames != 240 || pr.Audio == nil {
		t.Errorf("the film: %+v / %+v, want 240 frames with sound", pr.Video, pr.Audio)
	}
	for _, want := range []string{
		"shot 2/5 Mara at the window … queued\n", "shot 2/5 Mara at the window … done\n",
		"shot 4/5 The letter … rendering\n", "shot 4/5 The letter … done\n",
		"total … rendering\n", "total … assembling the film\n", "total … done\n",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("progress does not say %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stderr, "Harbour") || strings.Contains(stderr, "\x1b[") {
		t.Errorf("progress shows a shot not chosen, or terminal escapes in plain mode:\n%s", stderr)
	}

	// Again: both clips come from the cache, and nothing is rendered.
	code, _, stderr = renderArgsRun(context.Background(), env, "--quiet", project, "--shots", "2,4", "-o", out)
	if code != 0 || !strings.Contains(stderr, "shot 4/5 The letter … done (cached)\n") || !strings.Contains(stderr, "shot 2/5 Mara at the window … done (cached)\n") || regexp.MustCompile(`shot .* … rendering`).MatchString(stderr) {
		t.Errorf("second render: exit %d, progress:\n%s\nwant the cached clips used", code, stderr)
	}
}

func TestRenderErrors(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "film.mp4")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"missing project", []string{filepath.Join(dir, "nope.slate"), "-o", out}, "slate render: open " + filepath.Join(dir, "nope.slate") + ": "},
		{"no such shot", []string{demo, "-o", out, "--shots", "9"}, "slate render: --shots 9: the project has 5 shots\n"},
		{"no such folder", []string{demo, "-o", filepath.Join(dir, "missing", "film.mp4")}, "slate render: -o " + filepath.Join(dir, "missing", "film.mp4") + ": the folder " + filepath.Join(dir, "missing") + " does not exist; create it first\n"},
		{"unknown backend", []string{demo, "-o", out, "--backend", "dream"}, "slate render: --backend dream: no such backend; choose one of animatic, onnx\n"},
		{"truncated project", []string{truncated(t), "-o", out}, "slate render: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := renderArgsRun(context.Background(), testRenderEnv(t), tt.args...)
			if code != 1 || stdout != "" || !strings.HasPrefix(stderr, tt.want) || strings.Count(stderr, "\n") != 1 || !strings.HasSuffix(stderr, "\n") {
				t.Errorf("slate render %q: exit %d, stdout %q, stderr\n%q\nwant exit 1 and one line starting\n%q", tt.args, code, stdout, stderr, tt.want)
			}
		})
	}
}

// truncated writes the first half of the demo to a file, as a crash or a
// bad download leaves it.
func truncated(t *testing.T) string {
	data, err := os.ReadFile(demo)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "cut.slate")
	os.WriteFile(path, data[:len(data)/2], 0o644)
	return path
}

func TestRenderMissingPrograms(t *testing.T) {
	env := testRenderEnv(t)
	for _, tt := range []struct {
		tools media.Tools
		want  string
	}{
		{media.Tools{}, `slate render: ffmpeg not found on PATH: install it with "sudo apt-get install ffmpeg"`},
		{media.Tools{FFmpeg: "/x", FFprobe: "/x"}, `slate render: espeak-ng not found on PATH: install it with "sudo apt-get install espeak-ng"`},
	} {
		env.tools = tt.tools
		code, _, stderr := renderArgsRun(context.Background(), env, demo, "-o", filepath.Join(t.TempDir(), "f.mp4"))
		if code != 1 || !strings.HasPrefix(stderr, tt.want) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("with %+v: exit %d, stderr %q; want exit 1 and one line starting %q", tt.tools, code, stderr, tt.want)
		}
	}
}

func TestRenderFailedShot(t *testing.T) {
	env := testRenderEnv(t)
	bad := filepath.Join(t.TempDir(), "rain.wav")
	os.WriteFile(bad, []byte("not a sound"), 0o644)
	project := smallProject(t, func(p *timeline.Project) {
		p.Shots[1].Cues = []timeline.Cue{{Kind: timeline.Ambience, Description: "rain", File: bad, Duration: time.Second}}
	})
	out := filepath.Join(t.TempDir(), "film.mp4")
	code, _, stderr := renderArgsRun(context.Background(), env, project, "-o", out, "--shots", "1-3")
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr:\n%s", code, stderr)
	}
	for _, want := range []string{
		"shot 2/5 Mara at the window … failed: shot 2, sound cue 1: decode audio",
		"slate render: shot 2 (Mara at the window): shot 2, sound cue 1: decode audio",
		"total … failed\n",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr does not say %q:\n%s", want, stderr)
		}
	}
	if !strings.HasSuffix(stderr, "\n") || strings.Count(stderr[strings.Index(stderr, "slate render:"):], "\n") != 1 {
		t.Errorf("the error is not one line:\n%s", stderr)
	}
	entries, _ := os.ReadDir(filepath.Dir(out))
	if len(entries) != 0 {
		t.Errorf("a failed render left %v beside the film", entries)
	}
}

func TestRenderCancelled(t *testing.T) {
	env := testRenderEnv(t)
	started := make(chan struct{}, 1)
	env.register = func(reg *render.Registry, tools media.Tools) {
		reg.Register("animatic", func() (render.Backend, error) {
			b, err := animatic.New(tools)
			return startSignal{b, started}, err
		})
	}
	project := smallProject(t, func(p *timeline.Project) {
		for _, s := range p.Shots {
			s.Duration = 60 * time.Second
		}
	})
	out := filepath.Join(t.TempDir(), "film.mp4")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type result struct {
		code   int
		stderr string
	}
	done := make(chan result)
	go func() {
		code, _, stderr := renderArgsRun(ctx, env, project, "-o", out, "--workers", "2")
		done <- result{code, stderr}
	}()
	select {
	case <-started:
	case <-time.After(30 * time.Second):
		t.Fatal("no shot started rendering within 30 s")
	}
	time.Sleep(200 * time.Millisecond) // into the frames
	cancelled := time.Now()
	cancel() // as Ctrl-C does
	var r result
	select {
	case r = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("slate render did not stop within 30 s of being cancelled")
	}
	if took := time.Since(cancelled); took > 2*time.Second {
		t.Errorf("slate render took %v to stop after Ctrl-C", took)
	}
	if r.code != 130 || !strings.Contains(r.stderr, "slate render: cancelled") {
		t.Errorf("cancelled render: exit %d, stderr:\n%s\nwant exit 130 and cancelled", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "total … cancelled\n") {
		t.Errorf("progress does not end cancelled:\n%s", r.stderr)
	}
	entries, _ := os.ReadDir(filepath.Dir(out))
	if len(entries) != 0 {
		t.Errorf("cancelled render left files beside the film: %v", entries)
	}
}

// TestRenderDemoShot renders one shot of the demo for real: the animatic
// backend, ffmpeg, espeak-ng and film assembly.
func TestRenderDemoShot(t *testing.T) {
	if testing.Short() {
		t.Skip("renders video; skipped with -short")
	}
	env := defaultRenderEnv()
	requireDeps(t, env.tools.Check())
	dir := t.TempDir()
	env.dataDir = func() (string, error) { return filepath.Join(dir, "home"), nil }
	out := filepath.Join(dir, "demo.mp4")
	start := time.Now()
	code, stdout, stderr := renderArgsRun(context.Background(), env, demo, "-o", out, "--shots", "3")
	t.Logf("rendered in %v:\n%s%s", time.Since(start).Round(time.Millisecond), stderr, stdout)
	if code != 0 {
		t.Fatalf("slate render: exit %d", code)
	}
	want := regexp.MustCompile(`^wrote ` + regexp.QuoteMeta(out) + ` \(4\.0 s, 96 frames, 1280×720 24 fps, −[0-9]+\.[0-9] LUFS\)\n`)
	if !want.MatchString(stdout) {
		t.Errorf("stdout %q does not match %s", stdout, want)
	}
	for _, f := range []string{out, filepath.Join(dir, "demo.jpg"), filepath.Join(dir, "demo-sprite.jpg")} {
		if fi, err := os.Stat(f); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	p, err := env.tools.Probe(context.Background(), out)
	if err != nil {
		t.Fatal(err)
	}
	if p.Video == nil || p.Video.Width != 1280 || p.Video.Height != 720 || p.Audio == nil {
		t.Errorf("probe of the film: %+v, want 1280×720 video with sound", p)
	}
}

// TestRenderAssemblyFailure: when assembly fails after writing some of
// its files, the new ones are removed and what was there before is kept.
// Here the thumbnail's name is taken by a folder, so the film is written
// and then the thumbnail fails.
func TestRenderAssemblyFailure(t *testing.T) {
	env := testRenderEnv(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "film.mp4")
	earlier := filepath.Join(dir, "film.jpg")
	if err := os.MkdirAll(filepath.Join(earlier, "keep"), 0o755); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := renderArgsRun(context.Background(), env, smallProject(t, nil), "-o", out, "--shots", "3")
	if code != 1 || stdout != "" || !strings.Contains(stderr, "slate render: assemble \"Last Light\": thumbnail: ") {
		t.Errorf("exit %d, stdout %q, stderr:\n%s\nwant exit 1 and the thumbnail's error", code, stdout, stderr)
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("%s is left after a failed assembly", out)
	}
	if _, err := os.Stat(filepath.Join(earlier, "keep")); err != nil {
		t.Errorf("%s existed before the render and is gone: %v", earlier, err)
	}
}

// noRender is the animatic backend, except that it counts renders and
// fails them: a test that must refuse before anything renders sees every
// attempt.
type noRender struct {
	render.Backend
	calls *atomic.Int32
}

func (n noRender) Render(context.Context, *render.Request, func(float64)) (*render.Result, error) {
	n.calls.Add(1)
	return nil, errors.New("this test renders nothing")
}

// A film that could never be made — longer than an hour — is refused
// before any shot renders, saying how long it is, what the limit is, and
// naming the file. Until then it started rendering every shot.
func TestRenderRefusesFilmTooLong(t *testing.T) {
	env := testRenderEnv(t)
	var calls atomic.Int32
	env.register = func(reg *render.Registry, tools media.Tools) {
		reg.Register(animatic.Name, func() (render.Backend, error) {
			b, err := animatic.New(tools)
			return noRender{b, &calls}, err
		})
	}
	p := timeline.New("Long Night")
	p.Width, p.Height = 320, 180
	for i := range 61 {
		s := timeline.NewShot(fmt.Sprintf("minute %d", i+1))
		s.Duration = time.Minute
		p.Shots = append(p.Shots, s)
	}
	project := filepath.Join(t.TempDir(), "long.slate")
	if err := library.WriteFile(project, p); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := renderArgsRun(context.Background(), env, project, "-o", filepath.Join(t.TempDir(), "film.mp4"))
	want := "slate render: " + project + ": shots: Long Night is 1 h 1 min long; a film can be at most 1 h, so shorten it or make it as two projects\n"
	if code != 1 || stdout != "" || stderr != want || calls.Load() != 0 {
		t.Errorf("slate render (61 min): exit %d, %d shots rendered, stdout %q, stderr\n%q\nwant exit 1, nothing rendered and\n%q", code, calls.Load(), stdout, stderr, want)
	}
}

// A project path or a sound cue that is a device or a named pipe is
// refused at once, naming it and what it is. Each runs in a child process
// bounded in time and memory: the old code read /dev/zero until memory ran
// out and waited on a pipe forever.
func TestRenderRefusesDevicesAndPipes(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "bell.wav")
	userfiletest.Mkfifo(t, fifo)
	withCue := func(file string) func(p *timeline.Project) {
		return func(p *timeline.Project) {
			p.Shots[0].Cues = append(p.Shots[0].Cues, timeline.Cue{Kind: timeline.SFX, File: file, Duration: time.Second})
		}
	}
	tests := []struct {
		name    string
		project func() string
		want    string
	}{
		{"zero project", func() string { return "/dev/zero" }, "slate render: /dev/zero is a device, not a project file\n"},
		{"urandom project", func() string { return "/dev/urandom" }, "slate render: /dev/urandom is a device, not a project file\n"},
		{"pipe project", func() string { return fifo }, "slate render: FIFO is a named pipe, not a project file\n"},
		{"pipe cue", func() string { return smallProject(t, withCue(fifo)) }, "slate render: PROJECT: shot 1 (Harbour at dusk), sound cue 2: FIFO is a named pipe, not a sound file\n"},
		{"device cue", func() string { return smallProject(t, withCue("/dev/zero")) }, "slate render: PROJECT: shot 1 (Harbour at dusk), sound cue 2: /dev/zero is a device, not a sound file\n"},
		{"missing cue", func() string { return smallProject(t, withCue(fifo+".gone")) }, "slate render: PROJECT: shot 1 (Harbour at dusk), sound cue 2: FIFO.gone is not there; put the file back or choose another\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := userfiletest.Bounded(t, 30*time.Second, func() string {
				// In the child, which made its own pipe and project.
				project := tt.project()
				code, _, stderr := renderArgsRun(context.Background(), testRenderEnv(t), project, "-o", filepath.Join(t.TempDir(), "film.mp4"))
				if !strings.HasPrefix(project, "/dev/") && project != fifo {
					stderr = strings.ReplaceAll(stderr, project, "PROJECT")
				}
				return fmt.Sprintf("exit %d: %s", code, strings.ReplaceAll(stderr, fifo, "FIFO"))
			})
			if want := "exit 1: " + strings.TrimSuffix(tt.want, "\n") + "; "; got != want {
				t.Errorf("slate render = %q, want %q", got, want)
			}
		})
	}
}
