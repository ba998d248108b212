package render_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/media/audio"
	"github.com/slatestudio/slate/ml"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/render/animatic"
	"github.com/slatestudio/slate/timeline"
	"github.com/slatestudio/slate/voices"
)

// tinyVoices is the folder of the tiny Piper-shaped test voices.
const tinyVoices = "../voices/testdata"

// needRuntime skips the test without ONNX Runtime, or fails it when
// SLATE_REQUIRE_DEPS=1.
func needRuntime(t *testing.T) {
	t.Helper()
	if _, _, err := ml.FindLibrary(); err != nil {
		if os.Getenv("SLATE_REQUIRE_DEPS") == "1" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
}

// spy records which voice spoke each line, at what rate.
type spy struct {
	render.Voices
	mu    sync.Mutex
	calls []call
}

type call struct {
	text, voice string
	wpm         int
	took        time.Duration
}

func (s *spy) Speak(ctx context.Context, text, voice string, wpm int) (*audio.PCM, error) {
	p, err := s.Voices.Speak(ctx, text, voice, wpm)
	if err == nil {
		s.mu.Lock()
		s.calls = append(s.calls, call{text, voice, wpm, p.Duration()})
		s.mu.Unlock()
	}
	return p, err
}

// dialogue is a one-shot project in which Ana speaks with the tiny Piper
// voice and Ben with espeak-ng's default for him, and the request for its
// shot.
func dialogue(t *testing.T, dur time.Duration, lines ...timeline.Line) *render.Request {
	t.Helper()
	p := dialogueProject(dur, lines)
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	return render.NewRequest(p, 0, "")
}

// unchecked is dialogue without the project's validation, which refuses
// a line whose estimated speaking time does not fit in its shot.
func unchecked(dur time.Duration, lines ...timeline.Line) *render.Request {
	return render.NewRequest(dialogueProject(dur, lines), 0, "")
}

func dialogueProject(dur time.Duration, lines []timeline.Line) *timeline.Project {
	p := timeline.New("Voices")
	p.Width, p.Height, p.FPS = 320, 180, 24
	p.Cast = []timeline.CastRef{{ID: "ana", Name: "Ana", Voice: "piper:tiny"}, {ID: "ben", Name: "Ben"}}
	sh := timeline.NewShot("Talk")
	sh.Duration = dur
	sh.Lines = lines
	p.Shots = []*timeline.Shot{sh}
	return p
}

// speechIn reports the level of a mix's first channel over [from, to).
func speechIn(mix *audio.PCM, from, to time.Duration) float64 {
	at := func(d time.Duration) int { return int(d.Seconds() * render.AudioRate) }
	left := &audio.PCM{Rate: mix.Rate, Channels: 1, Samples: make([]float32, mix.Frames())}
	for i := range left.Samples {
		left.Samples[i] = mix.Samples[2*i]
	}
	return audio.DBFS(left.RMS(at(from), at(to)))
}

func TestSoundtrackSpeaksPiperAndEspeak(t *testing.T) {
	tools := needTools(t)
	needRuntime(t)
	req := dialogue(t, 5*time.Second,
		timeline.Line{Speaker: "ana", Text: "The kite is flying high.", Start: 300 * time.Millisecond},
		timeline.Line{Speaker: "ben", Text: "Look at it go.", Start: 3 * time.Second},
	)
	speaker := voices.NewSpeaker(tools, []string{tinyVoices})
	defer speaker.Close()
	vs := &spy{Voices: speaker}
	mix, captions, err := render.SoundtrackWith(context.Background(), tools, vs, req)
	if err != nil {
		t.Fatalf("SoundtrackWith() = %v", err)
	}
	if mix.Rate != render.AudioRate || mix.Channels != 2 || mix.Duration() != 5*time.Second {
		t.Errorf("SoundtrackWith() = %d Hz, %d channels, %v; want 48000 Hz stereo, 5s", mix.Rate, mix.Channels, mix.Duration())
	}
	voicesUsed := []string{vs.calls[0].voice, vs.calls[1].voice}
	if want := []string{"piper:tiny", render.VoiceFor(req.Cast, req.Shot.Lines[1])}; !slices.Equal(voicesUsed, want) || want[1] == "piper:tiny" {
		t.Fatalf("the lines were spoken in %q, want %q", voicesUsed, want)
	}
	ana := vs.calls[0].took
	if db := speechIn(mix, 300*time.Millisecond, 300*time.Millisecond+ana); db < -30 {
		t.Errorf("Ana's Piper line: %.1f dBFS in its window, want speech (> −30)", db)
	}
	if db := speechIn(mix, 3*time.Second, 3*time.Second+vs.calls[1].took); db < -30 {
		t.Errorf("Ben's espeak-ng line: %.1f dBFS in its window, want speech (> −30)", db)
	}
	if db := speechIn(mix, 0, 290*time.Millisecond); db > -60 {
		t.Errorf("before the first line: %.1f dBFS, want silence", db)
	}
	if db := speechIn(mix, 300*time.Millisecond+ana+20*time.Millisecond, 2990*time.Millisecond); db > -60 {
		t.Errorf("between the lines: %.1f dBFS, want silence", db)
	}
	if c := captions[0]; c.Speaker != "Ana" || c.Start != 300*time.Millisecond || c.End != 300*time.Millisecond+ana+400*time.Millisecond {
		t.Errorf("captions[0] = %+v, want Ana's line for as long as she speaks, and 400ms", c)
	}
}

// A Piper line too long for the room left in the shot is spoken faster,
// by shortening the voice's length_scale, until it fits.
func TestSoundtrackFitsPiperLine(t *testing.T) {
	tools := needTools(t)
	needRuntime(t)
	// Validation estimates the time a line takes from its length, and
	// would refuse this one; a real voice can be slower than the estimate
	// too, and then the line must still fit.
	const text = "The kite is flying high over the green hill."
	req := unchecked(2500*time.Millisecond, timeline.Line{Speaker: "ana", Text: text, Start: 200 * time.Millisecond})
	speaker := voices.NewSpeaker(tools, []string{tinyVoices})
	defer speaker.Close()
	vs := &spy{Voices: speaker}
	_, captions, err := render.SoundtrackWith(context.Background(), tools, vs, req)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs.calls) < 2 || vs.calls[0].wpm >= vs.calls[len(vs.calls)-1].wpm {
		t.Fatalf("spoken at %+v, want a first try that did not fit and a faster one", vs.calls)
	}
	last := vs.calls[len(vs.calls)-1]
	if room := 2500*time.Millisecond - 200*time.Millisecond - 50*time.Millisecond; last.took > room {
		t.Errorf("the line lasts %v at %d words a minute, want it to fit in %v", last.took, last.wpm, room)
	}
	if captions[0].End > 2500*time.Millisecond {
		t.Errorf("the caption ends at %v, after the shot", captions[0].End)
	}
}

// Soundtrack, which other backends call, finds Piper voices where the
// studio installs them, and in $SLATE_VOICES.
func TestSoundtrackDefaultVoices(t *testing.T) {
	tools := needTools(t)
	needRuntime(t)
	home := t.TempDir()
	t.Setenv("SLATE_HOME", home)
	t.Setenv(voices.EnvDirs, "")
	req := dialogue(t, 3*time.Second, timeline.Line{Speaker: "ana", Text: "Hello there.", Start: 0})
	_, _, err := render.Soundtrack(context.Background(), tools, req)
	if !errors.Is(err, voices.ErrNotInstalled) {
		t.Errorf("Soundtrack() with no voices installed = %v, want ErrNotInstalled", err)
	}
	if _, err := voices.Install(nil, filepath.Join(tinyVoices, "tiny.onnx"), filepath.Join(home, "voices")); err != nil {
		t.Fatal(err)
	}
	if mix, _, err := render.Soundtrack(context.Background(), tools, req); err != nil || speechIn(mix, 0, 500*time.Millisecond) < -30 {
		t.Errorf("Soundtrack() with tiny installed in the data folder = %v, want Ana speaking", err)
	}
	abs, _ := filepath.Abs(tinyVoices)
	t.Setenv("SLATE_HOME", t.TempDir())
	t.Setenv(voices.EnvDirs, abs)
	if _, _, err := render.Soundtrack(context.Background(), tools, req); err != nil {
		t.Errorf("Soundtrack() with tiny in %s = %v", voices.EnvDirs, err)
	}
}

// keyOnly is a backend without voices of its own, as render/onnx might be.
type keyOnly struct{ render.Backend }

func TestKeyFollowsVoiceFiles(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "tiny.onnx")
	if _, err := voices.Install(nil, filepath.Join(tinyVoices, "tiny.onnx"), dir); err != nil {
		t.Fatal(err)
	}
	t.Setenv(voices.EnvDirs, dir)
	t.Setenv("SLATE_HOME", t.TempDir())
	voiced, err := animatic.NewWithVoices(media.Tools{}, voices.NewSpeaker(media.Tools{}, []string{dir}))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := animatic.New(media.Tools{})
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string]render.Backend{"voiced": voiced, "default voices": keyOnly{plain}} {
		piper := dialogue(t, 3*time.Second, timeline.Line{Speaker: "ana", Text: "Hi.", Start: 0})
		espeak := dialogue(t, 3*time.Second, timeline.Line{Speaker: "ben", Text: "Hi.", Start: 0})
		base, espeakBase := render.Key(b, piper), render.Key(b, espeak)
		if base == espeakBase {
			t.Errorf("%s: a Piper voice and espeak-ng's give the same key", name)
		}

		later := time.Now().Add(time.Duration(len(name)) * time.Hour)
		os.Chtimes(model, later, later)
		touched := render.Key(b, piper)
		if touched == base {
			t.Errorf("%s: replacing the voice's model did not change the key", name)
		}
		cfg, _ := os.ReadFile(model + ".json")
		os.WriteFile(model+".json", append(cfg, '\n'), 0o644)
		if render.Key(b, piper) == touched {
			t.Errorf("%s: changing the voice's config did not change the key", name)
		}
		if render.Key(b, espeak) != espeakBase {
			t.Errorf("%s: an espeak-ng line's key changed with a Piper voice's files", name)
		}
	}
	os.Remove(model)
	if k := render.Key(voiced, dialogue(t, 3*time.Second, timeline.Line{Speaker: "ana", Text: "Hi.", Start: 0})); k == "" {
		t.Error("Key() of a line in a voice no longer installed is empty")
	}
}
