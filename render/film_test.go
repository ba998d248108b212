package render_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/media/audio"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/render/animatic"
	"github.com/slatestudio/slate/timeline"
)

// needTools returns the real tools, skipping the test when they are
// missing unless SLATE_REQUIRE_DEPS=1, when it fails instead.
func needTools(t testing.TB) media.Tools {
	t.Helper()
	tools := media.FindTools()
	if err := tools.Check(media.ToolFFmpeg, media.ToolFFprobe, media.ToolEspeak); err != nil {
		if os.Getenv("SLATE_REQUIRE_DEPS") == "1" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	return tools
}

type studio struct {
	tools media.Tools
	lib   *library.Library
	reg   *render.Registry
	queue *render.Queue
}

func newStudio(t testing.TB, dir string) *studio {
	t.Helper()
	tools := needTools(t)
	lib, err := library.Open(t.Context(), dir, library.Options{})
	if err != nil {
		t.Fatal(err)
	}
	reg := render.NewRegistry()
	reg.Register(animatic.Name, func() (render.Backend, error) { return animatic.New(tools) })
	q := render.NewQueue(lib, reg, render.QueueOptions{Workers: 2})
	if _, _, err := q.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		q.Close()
		lib.Close()
	})
	return &studio{tools, lib, reg, q}
}

func demoProject(t testing.TB) *timeline.Project {
	t.Helper()
	p, err := library.ReadFile("../examples/demo.slate")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (s *studio) clipPaths(clips []library.Clip) []string {
	var out []string
	for _, c := range clips {
		out = append(out, s.lib.Blobs().Path(c.SHA256))
	}
	return out
}

// TestDemoFilm renders the example storyboard and checks the film the way a
// person would: h264 + aac, as long as the storyboard to within a frame,
// speech where the dialogue is, and −16 LUFS.
func TestDemoFilm(t *testing.T) {
	ctx := context.Background()
	s := newStudio(t, t.TempDir())
	p := demoProject(t)
	clips, err := s.queue.RenderProject(ctx, p, render.ProjectOptions{Backend: animatic.Name})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "film.mp4")
	var last float64
	film, err := render.Assemble(ctx, s.tools, p, s.clipPaths(clips), render.FilmOptions{Output: out, Progress: func(f float64) {
		if f < last {
			t.Errorf("progress went back from %v to %v", last, f)
		}
		last = f
	}})
	if err != nil {
		t.Fatal(err)
	}
	if last != 1 {
		t.Errorf("progress ended at %v, want 1", last)
	}
	if film.Copied {
		t.Errorf("the demo has a crossfade and a dip, yet the film was copied")
	}
	pr, err := s.tools.Probe(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	if pr.Video == nil || pr.Video.Codec != "h264" || pr.Video.PixFmt != "yuv420p" || pr.Audio == nil || pr.Audio.Codec != "aac" || pr.Audio.SampleRate != 48000 || pr.Audio.Channels != 2 {
		t.Fatalf("film streams = %+v / %+v, want h264 yuv420p + aac 48 kHz stereo", pr.Video, pr.Audio)
	}
	want := p.Length()
	frame := time.Second / time.Duration(p.FPS)
	if d := pr.Duration - want; d < -frame || d > frame {
		t.Errorf("film lasts %v, storyboard %v: more than a frame apart", pr.Duration, want)
	}
	if pr.Video.Frames != p.TotalFrames() {
		t.Errorf("film has %d frames, storyboard %d", pr.Video.Frames, p.TotalFrames())
	}
	if math.Abs(film.Loudness.Integrated-render.LoudnessTarget) > 1 {
		t.Errorf("integrated loudness %.1f LUFS, want %.0f ± 1", film.Loudness.Integrated, render.LoudnessTarget)
	}
	if film.Loudness.TruePeak > -1 {
		t.Errorf("true peak %.1f dBTP, want at most −1", film.Loudness.TruePeak)
	}
	for _, f := range []string{film.Thumbnail, film.Sprite} {
		if fi, err := os.Stat(f); err != nil || fi.Size() == 0 {
			t.Errorf("%s missing: %v", f, err)
		}
	}
	checkSpeech(t, s.tools, p, out)
	t.Logf("film: %d frames, %v, %.2f LUFS integrated, true peak %.2f dBTP", pr.Video.Frames, pr.Duration, film.Loudness.Integrated, film.Loudness.TruePeak)
	if dir := os.Getenv("SLATE_KEEP_FILM"); dir != "" {
		for _, f := range []string{out, film.Thumbnail, film.Sprite} {
			data, _ := os.ReadFile(f)
			os.WriteFile(filepath.Join(dir, filepath.Base(f)), data, 0o644)
		}
	}
}

func frame(p *timeline.Project) time.Duration { return time.Second / time.Duration(p.FPS) }

// checkSpeech decodes the film's sound and compares each line's window with
// the quiet between lines.
func checkSpeech(t *testing.T, tools media.Tools, p *timeline.Project, film string) {
	t.Helper()
	sound, err := tools.DecodeAudio(context.Background(), film, 48000, 1)
	if err != nil {
		t.Fatal(err)
	}
	at := func(d time.Duration) int { return int(d.Seconds() * 48000) }
	spans := p.Timing()
	speaking := make([]bool, sound.Frames())
	for i, s := range p.Shots {
		start := timeline.FrameTime(spans[i].Start, p.FPS)
		for _, l := range s.Lines {
			from, to := at(start+l.Start), at(start+l.Start+timeline.SpeechTime(l.Text)*3/4)
			rms := audio.DBFS(sound.RMS(from, to))
			if rms < -30 {
				t.Errorf("shot %d line %q: RMS %.1f dBFS in its window, want speech (> −30)", i+1, l.Text, rms)
			}
			// The words start when the line does: within a frame, allowing
			// the 10 ms espeak-ng's trimmed speech keeps before its words.
			onset := -1
			for f := max(0, from-at(500*time.Millisecond)); f < to; f++ {
				if math.Abs(float64(sound.Samples[f])) > 0.02 {
					onset = f
					break
				}
			}
			if early := time.Duration(from-onset) * time.Second / 48000; onset < 0 || early > 0 || -early > frame(p)+10*time.Millisecond {
				t.Errorf("shot %d line %q starts %v after its cue, want within a frame", i+1, l.Text, -early)
			}
			for f := max(0, from-at(300*time.Millisecond)); f < min(len(speaking), at(start+l.Start+timeline.SpeechTime(l.Text))+at(time.Second)); f++ {
				speaking[f] = true
			}
		}
	}
	// The quiet stretches: everything at least 0.3 s from any line. The
	// demo's cues have no audio files, so they are silent.
	var quiet float64
	n := 0
	for f, sp := range speaking {
		if !sp {
			v := float64(sound.Samples[f])
			quiet += v * v
			n++
		}
	}
	if n < 48000 {
		t.Fatalf("only %d quiet samples to compare with", n)
	}
	if q := audio.DBFS(math.Sqrt(quiet / float64(n))); q > -50 {
		t.Errorf("between lines the RMS is %.1f dBFS, want near silence (< −50)", q)
	}
}

// With only cuts the clips are joined without re-encoding: the film's
// frames are exactly the clips' frames.
func TestAllCutsJoinedWithoutReencoding(t *testing.T) {
	ctx := context.Background()
	s := newStudio(t, t.TempDir())
	p := demoProject(t)
	for _, sh := range p.Shots {
		sh.Transition = timeline.Transition{Kind: timeline.Cut}
	}
	p.Shots = p.Shots[1:4]
	clips, err := s.queue.RenderProject(ctx, p, render.ProjectOptions{Backend: animatic.Name})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "cuts.mp4")
	film, err := render.Assemble(ctx, s.tools, p, s.clipPaths(clips), render.FilmOptions{Output: out})
	if err != nil {
		t.Fatal(err)
	}
	if !film.Copied {
		t.Fatal("an all-cuts film was re-encoded")
	}
	pr, err := s.tools.Probe(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	if pr.Video.Frames != p.TotalFrames() || film.Frames != p.TotalFrames() {
		t.Errorf("film has %d frames (reported %d), want %d", pr.Video.Frames, film.Frames, p.TotalFrames())
	}
	if pr.Audio == nil || math.Abs(film.Loudness.Integrated-render.LoudnessTarget) > 1 {
		t.Errorf("audio %+v at %.1f LUFS, want AAC at −16 ± 1", pr.Audio, film.Loudness.Integrated)
	}
	// The picture is the clips' own bytes: decoding frame 0 of the second
	// shot's clip and the film at that shot's start gives the same pixels.
	spans := p.Timing()
	a := frameAt(t, s.tools, clips[1].SHA256, s, 0)
	b := frameAtFile(t, s.tools, out, spans[1].Start)
	if !bytesEqual(a, b) {
		t.Errorf("the film's frame %d differs from the first frame of shot 2's clip", spans[1].Start)
	}
}

func frameAt(t *testing.T, tools media.Tools, sum string, s *studio, n int) []byte {
	return frameAtFile(t, tools, s.lib.Blobs().Path(sum), n)
}

func frameAtFile(t *testing.T, tools media.Tools, path string, n int) []byte {
	t.Helper()
	dec, err := tools.NewDecoder(context.Background(), path, media.DecodeOptions{Width: 1280, Height: 720, PixFmt: "yuv420p"})
	if err != nil {
		t.Fatal(err)
	}
	defer dec.Close()
	buf := make([]byte, dec.FrameSize())
	for range n + 1 {
		if err := dec.ReadFrame(buf); err != nil {
			t.Fatal(err)
		}
	}
	return buf
}

func bytesEqual(a, b []byte) bool { return string(a) == string(b) }

// minuteClip writes a one-minute 64×64 clip at 24 fps with a tone, as a
// shot's clip, and returns its path. The tone is a 1 kHz sine at −16 dBFS
// in both channels, which measures −16 LUFS: the mix is measured once and
// needs no gain, which keeps the test short.
func minuteClip(t testing.TB, tools media.Tools, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "minute.mp4")
	err := tools.RunFFmpeg(context.Background(),
		"-f", "lavfi", "-i", "testsrc=size=64x64:rate=24",
		"-f", "lavfi", "-i", "aevalsrc=0.1585*sin(2*PI*1000*t)|0.1585*sin(2*PI*1000*t):s=48000",
		"-t", "60", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", path)
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// minutes is a project of n one-minute shots, all cuts.
func minutes(n int) *timeline.Project {
	p := timeline.New("Long Night")
	p.Width, p.Height = 64, 64
	for i := range n {
		s := timeline.NewShot(fmt.Sprintf("minute %d", i+1))
		s.Duration = time.Minute
		p.Shots = append(p.Shots, s)
	}
	return p
}

// A film longer than ten minutes — eleven shots of a minute, each valid —
// is assembled, its sound mixed and normalised as a stream; until the mix
// streamed, every shot rendered and then assembly failed with "media too
// large: the parts last longer than the limit of 10m0s".
func TestAssembleElevenMinutes(t *testing.T) {
	tools := needTools(t)
	dir := t.TempDir()
	clip := minuteClip(t, tools, dir)
	p := minutes(11)
	clips := make([]string, len(p.Shots))
	for i := range clips {
		clips[i] = clip
	}
	out := filepath.Join(dir, "film.mp4")
	film, err := render.Assemble(context.Background(), tools, p, clips, render.FilmOptions{Output: out})
	if err != nil {
		t.Fatal(err)
	}
	if film.Frames != 11*60*24 || film.Duration != 11*time.Minute {
		t.Errorf("film: %d frames, %v; want %d frames, 11 min", film.Frames, film.Duration, 11*60*24)
	}
	if math.Abs(film.Loudness.Integrated-render.LoudnessTarget) > 1 || film.Loudness.TruePeak > -1 {
		t.Errorf("film at %.1f LUFS, true peak %.1f dBTP; want −16 ± 1 LUFS and at most −1 dBTP", film.Loudness.Integrated, film.Loudness.TruePeak)
	}
}

// Assemble refuses a film longer than one can be, whatever its caller
// checked.
func TestAssembleRefusesTooLong(t *testing.T) {
	tools := needTools(t)
	p := minutes(61)
	clips := make([]string, len(p.Shots))
	_, err := render.Assemble(context.Background(), tools, p, clips, render.FilmOptions{Output: filepath.Join(t.TempDir(), "film.mp4")})
	if err == nil || err.Error() != "assemble: Long Night is 1 h 1 min long; a film can be at most 1 h, so shorten it or make it as two projects" {
		t.Errorf("Assemble(61 min) = %v", err)
	}
}
