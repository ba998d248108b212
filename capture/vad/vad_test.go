package vad

import (
	"context"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

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

// openModel loads ONNX Runtime and the installed model.
func openModel(t testing.TB) *Model {
	t.Helper()
	lib, _, err := ml.FindLibrary()
	need(t, err)
	path, err := FindModel()
	need(t, err)
	rt, err := ml.Load(lib)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Open(rt, path)
	if err != nil {
		t.Fatalf("Open(%s) = %v", path, err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// loudBounds is where p is first and last at or above −50 dBFS: where the
// speech truly starts and ends.
func loudBounds(p *audio.PCM) (first, last int) {
	thr := float32(math.Pow(10, -50.0/20))
	first, last = -1, -1
	for i, v := range p.Samples {
		if v >= thr || -v >= thr {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	return first, last
}

// TestFindsSpokenIntervals places espeak-ng's speech at known offsets in a
// recording of near-silence and checks that the VAD finds each to within
// 100 ms of where the speech is above −50 dBFS.
func TestFindsSpokenIntervals(t *testing.T) {
	tools := media.FindTools()
	need(t, tools.Check(media.ToolEspeak))
	m := openModel(t)
	ctx := testCtx(t)

	// Voices, speeds and levels vary (peaks from about −15 to −3 dBFS).
	phrases := []struct {
		text string
		at   time.Duration
		opts media.SpeakOptions
		gain float32
	}{
		{"Hello, this is a test of the voice detector.", 1 * time.Second, media.SpeakOptions{}, 0.5},
		{"Four, seven, one, nine, two.", 6 * time.Second, media.SpeakOptions{Voice: "en-gb", WPM: 140}, 0.8},
		{"Good morning.", 11500 * time.Millisecond, media.SpeakOptions{Voice: "en-us+f2"}, 0.3},
		{"Let's make a film together.", 14 * time.Second, media.SpeakOptions{Voice: "en-us+m3", WPM: 120}, 0.8},
		{"Thanks for watching.", 18300 * time.Millisecond, media.SpeakOptions{Voice: "en-gb+f3", WPM: 200}, 0.3},
		{"Three eight zero six five.", 21 * time.Second, media.SpeakOptions{WPM: 180}, 0.5},
	}
	const length = 25
	rate := media.SpeechRate
	rec := audio.NewPCM(rate, 1, length*rate)
	// A faint hiss, as a real room has, about −66 dBFS RMS.
	seed := uint32(1)
	for i := range rec.Samples {
		seed = seed*1664525 + 1013904223
		rec.Samples[i] = (float32(seed>>8)/(1<<24) - 0.5) * 0.0017
	}
	var want []Interval
	for _, ph := range phrases {
		speech, err := tools.Speak(ctx, ph.text, ph.opts)
		if err != nil {
			t.Fatalf("Speak(%q) = %v", ph.text, err)
		}
		speech.Gain(ph.gain)
		at := int(ph.at.Seconds() * float64(rate))
		if err := rec.Mix(speech, at, 1); err != nil {
			t.Fatal(err)
		}
		first, last := loudBounds(speech)
		want = append(want, Interval{
			Start: time.Duration(at+first) * time.Second / time.Duration(rate),
			End:   time.Duration(at+last+1) * time.Second / time.Duration(rate),
		})
	}

	start := time.Now()
	probs, err := m.Probabilities(ctx, rec)
	if err != nil {
		t.Fatalf("Probabilities = %v", err)
	}
	t.Logf("%d windows of %v in %v", len(probs), Window, time.Since(start))
	if wantN := (length*SampleRate + WindowSamples - 1) / WindowSamples; len(probs) != wantN {
		t.Errorf("len(Probabilities) = %d, want %d", len(probs), wantN)
	}
	got := Segments(probs, 0.5, 250*time.Millisecond, 500*time.Millisecond)
	if len(got) != len(want) {
		t.Fatalf("Segments = %v, want %d intervals near %v", got, len(want), want)
	}
	const tolerance = 100 * time.Millisecond
	var worst time.Duration
	for i := range want {
		ds, de := got[i].Start-want[i].Start, got[i].End-want[i].End
		t.Logf("%q: found %v–%v, true %v–%v: start %+v, end %+v", phrases[i].text, got[i].Start, got[i].End, want[i].Start, want[i].End, ds, de)
		worst = max(worst, ds.Abs(), de.Abs())
		if ds.Abs() > tolerance || de.Abs() > tolerance {
			t.Errorf("interval %d (%q) = %v–%v, want within %v of %v–%v", i, phrases[i].text, got[i].Start, got[i].End, tolerance, want[i].Start, want[i].End)
		}
	}
	t.Logf("largest error %v", worst)
}

// TestSilenceAndNoiseHoldNoSpeech: hiss and a steady hum are not speech.
func TestSilenceAndNoiseHoldNoSpeech(t *testing.T) {
	m := openModel(t)
	ctx := testCtx(t)
	rate := 48000
	quiet := audio.NewPCM(rate, 2, 3*rate)
	hum := audio.NewPCM(rate, 1, 3*rate)
	for i := range hum.Samples {
		hum.Samples[i] = float32(0.1 * math.Sin(2*math.Pi*50*float64(i)/float64(rate)))
	}
	for name, p := range map[string]*audio.PCM{"silence (stereo)": quiet, "50 Hz hum": hum} {
		probs, err := m.Probabilities(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if got := Segments(probs, 0.5, 250*time.Millisecond, 100*time.Millisecond); len(got) != 0 {
			t.Errorf("%s: Segments = %v, want none", name, got)
		}
		if mx := slices.Max(probs); mx > 0.3 {
			t.Errorf("%s: highest speech probability %.2f, want below 0.3", name, mx)
		}
	}
	if probs, err := m.Probabilities(ctx, audio.NewPCM(rate, 1, 0)); err != nil || len(probs) != 0 {
		t.Errorf("Probabilities(empty) = %v, %v; want none", probs, err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := m.Probabilities(cancelled, hum); !errors.Is(err, context.Canceled) {
		t.Errorf("Probabilities(cancelled) = %v, want context.Canceled", err)
	}
}

func TestSegments(t *testing.T) {
	ms := time.Millisecond
	// Edges come out one window early, making up for the model's lag,
	// except that speech cannot start before the recording.
	w := func(n int) time.Duration { return time.Duration(n)*Window - lag }
	tests := []struct {
		name       string
		probs      []float32
		minSpeech  time.Duration
		minSilence time.Duration
		want       []Interval
	}{
		{"none", nil, 0, 0, nil},
		{"all silence", []float32{0.1, 0.2, 0.1}, 0, 0, nil},
		{"one run", []float32{0, 0.9, 0.9, 0.9, 0, 0, 0, 0}, 0, 64 * ms, []Interval{{w(1), w(4)}}},
		{"speech from the start keeps its length", []float32{0.9, 0.9, 0, 0, 0}, 0, 64 * ms, []Interval{{0, w(3)}}},
		{"runs to the end", []float32{0, 0, 0.6, 0.7}, 0, 100 * ms, []Interval{{w(2), w(4)}}},
		{"ends in a dip", []float32{0, 0.9, 0.9, 0.1}, 0, time.Second, []Interval{{w(1), w(3)}}},
		{"short pause is bridged", []float32{0, 0.9, 0.9, 0.1, 0.9, 0.9, 0, 0, 0, 0}, 0, 96 * ms, []Interval{{w(1), w(6)}}},
		{"long pause splits", []float32{0, 0.9, 0.9, 0.1, 0.1, 0.1, 0.9, 0.9, 0, 0, 0}, 0, 96 * ms, []Interval{{w(1), w(3)}, {w(6), w(8)}}},
		{"hysteresis keeps speech going", []float32{0, 0.9, 0.4, 0.4, 0.4, 0.4, 0.9, 0.1, 0.1, 0.1}, 0, 64 * ms, []Interval{{w(1), w(7)}}},
		{"between thresholds does not start speech", []float32{0.4, 0.45, 0.49, 0.4}, 0, 0, nil},
		{"dip in the band keeps counting silence", []float32{0, 0.9, 0.1, 0.4, 0.1, 0.9}, 0, 96 * ms, []Interval{{w(1), w(2)}, {w(5), w(6)}}},
		{"short speech dropped", []float32{0, 0.9, 0, 0, 0, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0, 0, 0}, 250 * ms, 64 * ms, []Interval{{w(5), w(13)}}},
	}
	for _, tt := range tests {
		got := Segments(tt.probs, 0.5, tt.minSpeech, tt.minSilence)
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: Segments(%v, 0.5, %v, %v) = %v, want %v", tt.name, tt.probs, tt.minSpeech, tt.minSilence, got, tt.want)
		}
	}
}

func TestIntervalOverlap(t *testing.T) {
	s := time.Second
	a := Interval{1 * s, 3 * s}
	for _, tt := range []struct {
		b    Interval
		want time.Duration
	}{{Interval{2 * s, 5 * s}, s}, {Interval{0, s}, 0}, {Interval{4 * s, 5 * s}, 0}, {Interval{0, 9 * s}, 2 * s}} {
		if got := a.Overlap(tt.b); got != tt.want || tt.b.Overlap(a) != tt.want {
			t.Errorf("%v.Overlap(%v) = %v, want %v", a, tt.b, got, tt.want)
		}
	}
}

func TestBindRefusesOtherModels(t *testing.T) {
	f, i := ml.Float32, ml.Int64
	v5in := []ml.TensorInfo{{Name: "input", Type: f, Shape: []int64{-1, -1}}, {Name: "state", Type: f, Shape: []int64{2, -1, 128}}, {Name: "sr", Type: i, Shape: []int64{}}}
	v5out := []ml.TensorInfo{{Name: "output", Type: f, Shape: []int64{-1, 1}}, {Name: "stateN", Type: f, Shape: []int64{-1, -1, -1}}}
	var m Model
	if err := m.bind(v5in, v5out); err != nil {
		t.Fatalf("bind(v5) = %v", err)
	}
	if m.audio != 0 || m.state != 1 || m.rate != 2 || m.prob != 0 || m.nextState != 1 || !slices.Equal(m.stateShape, []int64{2, 1, 128}) || m.rateShape != nil {
		t.Errorf("bind(v5) = %+v", m)
	}
	// The same tensors in another order, with other names, bind the same way.
	renamed := []ml.TensorInfo{{Name: "rate", Type: i, Shape: []int64{1}}, {Name: "h", Type: f, Shape: []int64{2, -1, 128}}, {Name: "pcm", Type: f, Shape: []int64{1, -1}}}
	if err := m.bind(renamed, v5out); err != nil || m.audio != 2 || m.state != 1 || m.rate != 0 || !slices.Equal(m.rateShape, []int64{1}) {
		t.Errorf("bind(renamed) = %v, %+v", err, m)
	}
	v4in := []ml.TensorInfo{{Name: "input", Type: f, Shape: []int64{-1, -1}}, {Name: "sr", Type: i, Shape: []int64{1}}, {Name: "h", Type: f, Shape: []int64{2, -1, 64}}, {Name: "c", Type: f, Shape: []int64{2, -1, 64}}}
	v4out := []ml.TensorInfo{{Name: "output", Type: f, Shape: []int64{-1, 1}}, {Name: "hn", Type: f, Shape: []int64{2, -1, 64}}, {Name: "cn", Type: f, Shape: []int64{2, -1, 64}}}
	other := []ml.TensorInfo{{Name: "x", Type: f, Shape: []int64{-1, 3}}}
	for name, c := range map[string][2][]ml.TensorInfo{"v4": {v4in, v4out}, "other": {other, other}, "no outputs": {v5in, nil}} {
		if err := m.bind(c[0], c[1]); err == nil || !strings.Contains(err.Error(), "not the Silero VAD v5 model") {
			t.Errorf("bind(%s) = %v, want an error", name, err)
		}
	}
}

func TestFindModel(t *testing.T) {
	files := map[string]bool{}
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	home := func() (string, error) { return "/home/ana", nil }
	isFile := func(p string) bool { return files[p] }
	installed := "/home/ana/.local/share/slate/models/silero-vad/silero_vad.onnx"

	if _, err := find(getenv, home, isFile); !errors.Is(err, ErrModelNotFound) || !strings.Contains(err.Error(), "scripts/setup.sh") || !strings.Contains(err.Error(), installed) {
		t.Errorf("find() with nothing installed = %v, want ErrModelNotFound naming %s and how to install it", err, installed)
	}
	files[installed] = true
	if p, err := find(getenv, home, isFile); p != installed || err != nil {
		t.Errorf("find() = %q, %v; want %q", p, err, installed)
	}
	env["XDG_DATA_HOME"] = "/data"
	if p, _ := find(getenv, home, isFile); p != "" {
		t.Errorf("find() with XDG_DATA_HOME=/data = %q, want nothing (the model is under /home)", p)
	}
	env["SLATE_VAD_MODEL"] = "/opt/vad.onnx"
	if _, err := find(getenv, home, isFile); err == nil || !strings.Contains(err.Error(), "SLATE_VAD_MODEL=/opt/vad.onnx: no such file") {
		t.Errorf("find() with a missing SLATE_VAD_MODEL = %v, want an error naming it", err)
	}
	files["/opt/vad.onnx"] = true
	if p, err := find(getenv, home, isFile); p != "/opt/vad.onnx" || err != nil {
		t.Errorf("find() = %q, %v; want SLATE_VAD_MODEL's /opt/vad.onnx", p, err)
	}
}

// TestInstallPathMatchesSetup keeps InstallPath and scripts/setup.sh's
// vad_path in step: the studio must look where set-up installs.
func TestInstallPathMatchesSetup(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash not found")
	}
	home := t.TempDir()
	for _, xdg := range []string{"", filepath.Join(home, "xdg")} {
		t.Setenv("HOME", home)
		t.Setenv("XDG_DATA_HOME", xdg)
		out, err := exec.Command("bash", "../../scripts/setup.sh", "--print-vad-path").Output()
		if err != nil {
			t.Fatalf("setup.sh --print-vad-path: %v", err)
		}
		want := strings.TrimSpace(string(out))
		if got, err := InstallPath(); err != nil || got != want {
			t.Errorf("XDG_DATA_HOME=%q: InstallPath() = %q, %v; setup.sh --print-vad-path = %q", xdg, got, err, want)
		}
	}
}
