package media

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slatestudio/slate/media/audio"
)

// ebur128Tests is the table for TestParseEBUR128 and the seeds of its fuzz
// target; "@name" reads a capture of real ffmpeg output from testdata/.
var ebur128Tests = []struct {
	in      string
	want    Loudness
	wantErr string
}{
	{"@ebur128_sine.txt", Loudness{Integrated: -21.8, TruePeak: -16.1, LRA: 0}, ""},
	{"@ebur128_silence.txt", Loudness{Integrated: -70, TruePeak: math.Inf(-1), LRA: 0}, ""},
	{"[Parsed_ebur128_0 @ 0x1] Summary:\n\n  Integrated loudness:\n    I:         -16.0 LUFS\r\n    Threshold: -26.0 LUFS\n\n  Loudness range:\n    LRA:         7.5 LU\n    Threshold: -36.0 LUFS\n\n  True peak:\n    Peak:       -1.4 dBFS\n", Loudness{-16, -1.4, 7.5}, ""},
	// Only the last summary counts, and the sample peak is not the true peak.
	{"Summary:\n  Integrated loudness:\n    I: -30.0 LUFS\n  Loudness range:\n    LRA: 1.0 LU\n  Sample peak:\n    Peak: -3.0 dBFS\n  True peak:\n    Peak: -2.0 dBFS\n", Loudness{-30, -2, 1}, ""},
	{"Summary:\n  Integrated loudness:\n    I: -30.0 LUFS\n  Loudness range:\n    LRA: 1.0 LU\n  Sample peak:\n    Peak: -3.0 dBFS\n", Loudness{}, "no true peak"},
	{"Summary:\n  Integrated loudness:\n    I: loud LUFS\n", Loudness{}, `I: "loud" is not a number`},
	{"Summary:\n  Loudness range:\n    LRA: 1.0 LU\n", Loudness{}, "no integrated loudness"},
	{"Error opening input file x.wav.\n", Loudness{}, `no summary in ffmpeg's output ("Error opening input file x.wav.")`},
	{"", Loudness{}, "no summary"},
}

func readCapture(t testing.TB, in string) string {
	t.Helper()
	if name, ok := strings.CutPrefix(in, "@"); ok {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	return in
}

func TestParseEBUR128(t *testing.T) {
	for _, tc := range ebur128Tests {
		got, err := ParseEBUR128(readCapture(t, tc.in))
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("ParseEBUR128(%.30q) = %+v, %v, want error containing %q", tc.in, got, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseEBUR128(%.30q) = %+v, %v, want %+v", tc.in, got, err, tc.want)
		}
	}
}

func FuzzParseEBUR128(f *testing.F) {
	for _, tc := range ebur128Tests {
		f.Add(readCapture(f, tc.in))
	}
	f.Fuzz(func(t *testing.T, log string) {
		l, err := ParseEBUR128(log)
		if err == nil && (math.IsNaN(l.Integrated) || math.IsNaN(l.LRA) || math.IsNaN(l.TruePeak)) {
			t.Errorf("ParseEBUR128(%q) = %+v, want no NaN", log, l)
		}
	})
}

var loudnormTests = []struct {
	in      string
	want    LoudnormStats
	wantErr string
}{
	{"@loudnorm_sine.txt", LoudnormStats{InputI: -21.75, InputTP: -16.08, InputLRA: 0, InputThresh: -31.75, TargetOffset: 0.05}, ""},
	{"[Parsed_loudnorm_0 @ 0x1] \n{\n\t\"input_i\" : \"-inf\",\n\t\"input_tp\" : \"-inf\",\n\t\"input_lra\" : \"0.00\",\n\t\"input_thresh\" : \"-inf\",\n\t\"target_offset\" : \"inf\"\n}\n",
		LoudnormStats{InputI: math.Inf(-1), InputTP: math.Inf(-1), InputThresh: math.Inf(-1), TargetOffset: math.Inf(1)}, ""},
	{"[Parsed_loudnorm_0 @ 0x1] \n{\n\t\"input_i\" : \"-20\"\n}\n", LoudnormStats{}, `no "input_tp"`},
	{"[Parsed_loudnorm_0 @ 0x1] \n{\n\t\"input_i\" : \"-20\",\n", LoudnormStats{}, "no JSON"},
	{"[Parsed_loudnorm_0 @ 0x1] \n{\n\t\"input_i\" : -20}\n", LoudnormStats{}, "parse loudnorm"},
	{"[Parsed_loudnorm_0 @ 0x1] {\"input_i\":\"x\",\"input_tp\":\"0\",\"input_lra\":\"0\",\"input_thresh\":\"0\",\"target_offset\":\"0\"}", LoudnormStats{}, `input_i "x" is not a number`},
	{"nothing here", LoudnormStats{}, "no loudnorm report"},
}

func TestParseLoudnorm(t *testing.T) {
	for _, tc := range loudnormTests {
		got, err := ParseLoudnorm(readCapture(t, tc.in))
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("ParseLoudnorm(%.30q) = %+v, %v, want error containing %q", tc.in, got, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseLoudnorm(%.30q) = %+v, %v, want %+v", tc.in, got, err, tc.want)
		}
	}
}

func FuzzParseLoudnorm(f *testing.F) {
	for _, tc := range loudnormTests {
		f.Add(readCapture(f, tc.in))
	}
	f.Fuzz(func(t *testing.T, log string) {
		ParseLoudnorm(log) // must not panic
	})
}

func TestMeasureLoudnessSine(t *testing.T) {
	// A 1 kHz sine at −20 dBFS in one channel measures −23.0 LUFS by the
	// definition of EBU R128 (full-scale 1 kHz mono sine = −3.01 LUFS), and
	// its true peak is −20 dBTP.
	tools := needTools(t, ToolFFmpeg, ToolFFprobe)
	t.Parallel()
	path := filepath.Join(t.TempDir(), "sine.wav")
	if err := audio.WriteWAVFile(path, sine(48000, 1, 3*48000, 1000, 0.1)); err != nil {
		t.Fatal(err)
	}
	l, err := tools.MeasureLoudness(testCtx(t), path)
	if err != nil {
		t.Fatalf("MeasureLoudness() = %v", err)
	}
	if math.Abs(l.Integrated-(-23)) > 0.2 || math.Abs(l.TruePeak-(-20)) > 0.3 {
		t.Errorf("MeasureLoudness(-20 dBFS 1 kHz sine) = %+v, want I -23.0 ±0.2 LUFS, TP -20 ±0.3", l)
	}
}

func TestNormalizeLoudnessSpeech(t *testing.T) {
	tools := needTools(t, ToolFFmpeg, ToolFFprobe, ToolEspeak)
	t.Parallel()
	ctx := testCtx(t)
	dir := t.TempDir()
	speech, err := tools.Speak(ctx, "The rain had stopped by the time we reached the station. Nobody was waiting.", SpeakOptions{Voice: "en-gb"})
	if err != nil {
		t.Fatal(err)
	}
	// Half a second of silence either side, quiet overall, as a raw take is.
	take := audio.NewPCM(48000, 1, speech.Frames()+48000)
	if err := take.Mix(speech, 24000, 0.3); err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(dir, "take.wav")
	if err := audio.WriteWAVFile(in, take); err != nil {
		t.Fatal(err)
	}
	before, err := tools.MeasureLoudness(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	for _, target := range []float64{-16, -23} {
		out := filepath.Join(dir, "norm.wav")
		if err := tools.NormalizeLoudness(ctx, in, out, target); err != nil {
			t.Fatalf("NormalizeLoudness(%v) = %v", target, err)
		}
		l, err := tools.MeasureLoudness(ctx, out)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("NormalizeLoudness(%v): before %+v, after %+v", target, before, l)
		if math.Abs(l.Integrated-target) > 1 || l.TruePeak > -1.0 {
			t.Errorf("NormalizeLoudness(%v): measured %+v (before %+v), want I within ±1 LU of %v and true peak ≤ -1.5 dBTP", target, l, before, target)
		}
		p, err := tools.Probe(ctx, out)
		if err != nil {
			t.Fatal(err)
		}
		if a := p.Audio; a == nil || a.Codec != "pcm_s16le" || a.SampleRate != 48000 || a.Channels != 2 ||
			absDuration(a.Duration-take.Duration()) > 50*time.Millisecond {
			t.Errorf("NormalizeLoudness output = %s, want 16-bit 48 kHz stereo WAV of %v", dumpProbe(p), take.Duration())
		}
	}

	silent := filepath.Join(dir, "silent.wav")
	if err := audio.WriteWAVFile(silent, audio.NewPCM(48000, 1, 48000)); err != nil {
		t.Fatal(err)
	}
	if err := tools.NormalizeLoudness(ctx, silent, filepath.Join(dir, "x.wav"), -16); err == nil || !strings.Contains(err.Error(), "silent") {
		t.Errorf("NormalizeLoudness(silence) = %v, want an error saying it is silent", err)
	}
	if err := tools.NormalizeLoudness(ctx, in, filepath.Join(dir, "x.wav"), 3); err == nil {
		t.Errorf("NormalizeLoudness(target +3) = nil, want a range error")
	}
	if extra := leftovers(t, dir, "take.wav", "norm.wav", "silent.wav"); len(extra) != 0 {
		t.Errorf("files left: %q, want none", extra)
	}
}

func absDuration(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}
