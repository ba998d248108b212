package liveness

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slatestudio/slate/capture"
	"github.com/slatestudio/slate/capture/face"
	"github.com/slatestudio/slate/capture/liveness/livenesstest"
	"github.com/slatestudio/slate/capture/vad"
	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/media/audio"
	"github.com/slatestudio/slate/ml"
)

// need skips the test when an external component is missing, or fails it
// when SLATE_REQUIRE_DEPS=1 (as CI sets).
func need(t testing.TB, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if os.Getenv("SLATE_REQUIRE_DEPS") == "1" {
		t.Fatalf("SLATE_REQUIRE_DEPS=1: %v", err)
	}
	t.Skip(err)
}

// realDeps are the real tools, VAD and face detector. Each test gets its
// own VAD, which is not safe for concurrent use.
func realDeps(t testing.TB) Deps {
	t.Helper()
	tools := media.FindTools()
	need(t, tools.Check(media.ToolFFmpeg, media.ToolFFprobe, media.ToolEspeak))
	lib, _, err := ml.FindLibrary()
	need(t, err)
	model, err := vad.FindModel()
	need(t, err)
	rt, err := ml.Load(lib)
	if err != nil {
		t.Fatal(err)
	}
	m, err := vad.Open(rt, model)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	faces, err := face.NewDetector()
	if err != nil {
		t.Fatal(err)
	}
	return Deps{Tools: tools, VAD: m, Faces: faces}
}

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// script is a fixed script, so failures can be reproduced.
func script(seed uint64) capture.Script {
	return capture.NewScript(rand.New(rand.NewPCG(seed, seed+1)))
}

func makeTake(t testing.TB, deps Deps, s capture.Script, opts livenesstest.Options) capture.Take {
	t.Helper()
	take, err := livenesstest.Make(testCtx(t), deps.Tools, filepath.Join(t.TempDir(), "take.mp4"), s, opts)
	if err != nil {
		t.Fatalf("make a fake take: %v", err)
	}
	return take
}

func TestGoodTakePasses(t *testing.T) {
	deps := realDeps(t)
	s := script(1)
	take := makeTake(t, deps, s, livenesstest.Options{})
	start := time.Now()
	rep, err := Check(testCtx(t), take, deps)
	if err != nil {
		t.Fatalf("Check = %v", err)
	}
	t.Logf("checked a %v take in %v", take.Duration, time.Since(start))
	want := []string{CheckPicture, CheckFace, CheckTurnLeft, CheckTurnRight, CheckQuietStart, CheckDigits, CheckLine, CheckSound}
	if len(rep.Results) != len(want) {
		t.Fatalf("Check gave %d results, want %d: %v", len(rep.Results), len(want), rep.Results)
	}
	for i, r := range rep.Results {
		if r.Name != want[i] {
			t.Errorf("result %d is %q, want %q", i, r.Name, want[i])
		}
		if !r.Passed || r.Skipped || r.Message == "" {
			t.Errorf("%s: passed %v, skipped %v: %s", r.Name, r.Passed, r.Skipped, r.Message)
		}
		t.Logf("%s: %s", r.Name, r.Message)
	}
	if !rep.Passed() {
		t.Error("Passed() = false for a good take")
	}

	// A still for each face prompt, at full size, from within its prompt.
	kinds := map[capture.PromptKind]bool{}
	for _, st := range rep.Stills {
		kinds[st.Kind] = true
		p, _ := s.Find(st.Kind)
		if st.At < p.Start || st.At >= p.End {
			t.Errorf("%s still at %v, outside its prompt %v–%v", st.Kind, st.At, p.Start, p.End)
		}
		if st.Image == nil || st.Image.Bounds().Dx() != take.Format.Width || st.Image.Bounds().Dy() != take.Format.Height {
			t.Errorf("%s still is %v, want %dx%d", st.Kind, st.Image.Bounds(), take.Format.Width, take.Format.Height)
		}
		if st.Score < face.MinScore {
			t.Errorf("%s still scores %.0f, below a face's %v", st.Kind, st.Score, face.MinScore)
		}
	}
	if len(rep.Stills) != 3 || !kinds[capture.LookAtCamera] || !kinds[capture.TurnLeft] || !kinds[capture.TurnRight] {
		t.Errorf("stills %v, want one each for look, turn_left and turn_right", kinds)
	}

	// The voice sample is the longest speech: here the digits, which are
	// read one by one and take longer than the line.
	if rep.Voice == nil {
		t.Fatal("no voice sample")
	}
	wav, err := audio.ReadWAV(bytes.NewReader(rep.Voice.WAV))
	if err != nil {
		t.Fatalf("voice sample: %v", err)
	}
	digits, _ := s.Find(capture.ReadDigits)
	if wav.Rate != 48000 || wav.Channels != 1 || wav.Duration() < time.Second || wav.Duration() > 5*time.Second {
		t.Errorf("voice sample is %d ch at %d Hz, %v long; want mono 48 kHz, 1–5 s", wav.Channels, wav.Rate, wav.Duration())
	}
	if span := rep.Voice.Span; span.Start < digits.Start || span.End > digits.End+time.Second || wav.Duration() != span.Duration() {
		t.Errorf("voice sample spans %v–%v (%v of sound), want the digits, read from %v", span.Start, span.End, wav.Duration(), digits.Start+500*time.Millisecond)
	}
	if level := audio.DBFS(wav.RMS(0, wav.Frames())); level < -30 {
		t.Errorf("voice sample at %.1f dBFS, want the voice's own level (the fake speaks at about −20)", level)
	}

	t.Run("without detectors", func(t *testing.T) {
		rep, err := Check(testCtx(t), take, Deps{Tools: deps.Tools})
		if err != nil {
			t.Fatalf("Check = %v", err)
		}
		for _, r := range rep.Results {
			switch r.Name {
			case CheckFace, CheckTurnLeft, CheckTurnRight, CheckQuietStart, CheckDigits, CheckLine:
				if !r.Skipped || r.Passed || !strings.Contains(r.Message, "could not be checked") {
					t.Errorf("%s without its detector: %+v, want skipped, saying why", r.Name, r)
				}
			default:
				if !r.Passed {
					t.Errorf("%s: %s", r.Name, r.Message)
				}
			}
		}
		if res, _ := rep.Result(CheckDigits); !strings.Contains(res.Message, "scripts/setup.sh") {
			t.Errorf("digits without a VAD: %q, want it to say how to install the model", res.Message)
		}
		if len(rep.Stills) != 0 || rep.Passed() {
			t.Errorf("without a face detector: %d stills, passed %v; want none, false", len(rep.Stills), rep.Passed())
		}
	})
}

// TestSpoiledTakesFail spoils a take one way at a time and checks that
// exactly the checks that should fail do, each with its own message.
func TestSpoiledTakesFail(t *testing.T) {
	s := script(2)
	digits, _ := s.Find(capture.ReadDigits)
	tests := []struct {
		name string
		opts livenesstest.Options
		fail map[string]string // check → part of its message
		race bool              // also run under the race detector
	}{
		{"silent", livenesstest.Options{Silent: true}, map[string]string{
			CheckDigits: "No speech was heard while the digits " + spaced(s.Digits) + " were shown",
			CheckLine:   "No speech was heard while the line",
			CheckSound:  "No voice was heard",
		}, true},
		{"black", livenesstest.Options{Black: true}, map[string]string{
			CheckPicture:   "The picture was black for",
			CheckFace:      "No face was found",
			CheckTurnLeft:  "Your face was not seen while you were asked to turn to your left",
			CheckTurnRight: "Your face was not seen while you were asked to turn to your right",
		}, false},
		{"no face", livenesstest.Options{NoFace: true}, map[string]string{
			CheckFace:      "No face was found",
			CheckTurnLeft:  "Your face was not seen",
			CheckTurnRight: "Your face was not seen",
		}, false},
		{"turned the wrong way", livenesstest.Options{WrongTurns: true}, map[string]string{
			CheckTurnLeft:  "Your head turned to your right when the prompt asked for your left",
			CheckTurnRight: "Your head turned to your left when the prompt asked for your right",
		}, true},
		{"did not turn", livenesstest.Options{NoTurns: true}, map[string]string{
			CheckTurnLeft:  "did not clearly turn to your left",
			CheckTurnRight: "did not clearly turn to your right",
		}, false},
		{"looked away", livenesstest.Options{LookAway: true}, map[string]string{
			CheckFace: "turned away from the camera",
		}, false},
		{"frozen", livenesstest.Options{FreezeAt: digits.Start}, map[string]string{
			CheckPicture: "The picture stopped moving",
		}, true},
		{"quiet", livenesstest.Options{Quiet: true}, map[string]string{
			CheckSound: "Your voice was too quiet",
		}, false},
		{"clipped", livenesstest.Options{Clipped: true}, map[string]string{
			CheckSound: "too loud and distorted",
		}, false},
		{"spoke early", livenesstest.Options{EarlyWords: true}, map[string]string{
			CheckQuietStart: "Speech was heard before the first prompt",
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if raceEnabled && !tt.race {
				// The same code runs for every case; under the race
				// detector each costs some 15 s, so a few stand for all.
				t.Skip("runs without -race")
			}
			t.Parallel()
			deps := realDeps(t)
			opts := tt.opts
			// Smaller than a webcam's picture, to keep the test quick:
			// the checks analyse every take at 320 pixels wide anyway.
			opts.Width, opts.Height, opts.FPS = 320, 240, 10
			rep, err := Check(testCtx(t), makeTake(t, deps, s, opts), deps)
			if err != nil {
				t.Fatalf("Check = %v", err)
			}
			for _, r := range rep.Results {
				want, shouldFail := tt.fail[r.Name]
				switch {
				case shouldFail && r.Passed:
					t.Errorf("%s passed (%s), want it to fail saying %q", r.Name, r.Message, want)
				case shouldFail && !strings.Contains(r.Message, want):
					t.Errorf("%s failed saying %q, want %q", r.Name, r.Message, want)
				case !shouldFail && !r.Passed:
					t.Errorf("%s failed (%s); only %v should", r.Name, r.Message, keys(tt.fail))
				}
				if shouldFail {
					t.Logf("%s: %s", r.Name, r.Message)
				}
			}
			if rep.Passed() {
				t.Error("Passed() = true")
			}
		})
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestCheckErrors(t *testing.T) {
	tools := media.FindTools()
	need(t, tools.Check(media.ToolFFmpeg, media.ToolFFprobe))
	ctx := testCtx(t)
	missing := filepath.Join(t.TempDir(), "nope.mp4")
	if _, err := Check(ctx, capture.Take{Video: missing, Script: script(3)}, Deps{Tools: tools}); err == nil || !strings.Contains(err.Error(), "nope.mp4") {
		t.Errorf("Check(missing file) = %v, want an error naming it", err)
	}
	if _, err := Check(ctx, capture.Take{Video: missing}, Deps{Tools: tools}); err == nil || !strings.Contains(err.Error(), "no script") {
		t.Errorf("Check(no script) = %v, want an error saying so", err)
	}
	if _, err := Check(ctx, capture.Take{Video: missing, Script: script(3)}, Deps{}); !errors.Is(err, media.ErrMissingTool) {
		t.Errorf("Check(no ffmpeg) = %v, want media.ErrMissingTool", err)
	}
}
