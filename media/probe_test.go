package media

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// probeTests is both the table for TestParseProbe and the seed corpus of
// FuzzParseProbe. in is inline JSON, or "@name" for a capture of real
// ffprobe output in testdata/.
var probeTests = []struct {
	name    string
	in      string
	want    *Probe
	wantErr string // a substring of the error
}{
	{
		name: "h264+aac", in: "@probe_h264_aac.json",
		want: &Probe{
			Path: "t.mp4", FormatName: "mov,mp4,m4a,3gp,3g2,mj2", Duration: 500 * time.Millisecond, Size: 7881, BitRate: 126096,
			Video: &VideoStream{Codec: "h264", Profile: "High", PixFmt: "yuv420p", Width: 64, Height: 48, FrameRate: Rational{10, 1}, Frames: 5, Duration: 500 * time.Millisecond},
			Audio: &AudioStream{Codec: "aac", SampleRate: 48000, Channels: 1, Duration: 500 * time.Millisecond},
		},
	},
	{
		name: "wav", in: "@probe_wav.json",
		want: &Probe{
			Path: "t.mp4", FormatName: "wav", Duration: 300 * time.Millisecond, Size: 13308, BitRate: 354880,
			Audio: &AudioStream{Codec: "pcm_s16le", SampleRate: 22050, Channels: 1, Duration: 300 * time.Millisecond},
		},
	},
	{
		name: "png", in: "@probe_png.json",
		want: &Probe{
			Path: "t.mp4", FormatName: "png_pipe", Size: 275,
			Video: &VideoStream{Codec: "png", PixFmt: "rgb24", Width: 32, Height: 24, FrameRate: Rational{25, 1}, Frames: 1},
		},
	},
	{
		name: "numbers as numbers, N/A, cover art skipped",
		in: `{"streams":[{"codec_type":"video","codec_name":"mjpeg","width":600,"height":600,"disposition":{"attached_pic":1}},
			{"codec_type":"video","codec_name":"vp9","width":1280,"height":720,"avg_frame_rate":"0/0","r_frame_rate":"30000/1001","nb_frames":"N/A","duration":"2.5"}],
			"format":{"format_name":"matroska,webm","duration":3,"size":"N/A","bit_rate":null}}`,
		want: &Probe{
			Path: "t.mp4", FormatName: "matroska,webm", Duration: 3 * time.Second,
			Video: &VideoStream{Codec: "vp9", Width: 1280, Height: 720, FrameRate: Rational{30000, 1001}, Duration: 2500 * time.Millisecond},
		},
	},
	{
		name: "duration from streams",
		in:   `{"streams":[{"codec_type":"audio","codec_name":"opus","sample_rate":"48000","channels":2,"duration":"1.25"}],"format":{"format_name":"ogg"}}`,
		want: &Probe{Path: "t.mp4", FormatName: "ogg", Duration: 1250 * time.Millisecond, Audio: &AudioStream{Codec: "opus", SampleRate: 48000, Channels: 2, Duration: 1250 * time.Millisecond}},
	},
	{name: "syntax error", in: `{"streams": [}`, wantErr: "byte 14"},
	{name: "wrong type", in: `{"streams":[{"codec_type":5}]}`, wantErr: "field streams.codec_type"},
	{name: "bad number", in: `{"streams":[{"codec_type":"video","width":"wide"}]}`, wantErr: "field streams[0].width"},
	{name: "bool number", in: `{"streams":[{"codec_type":"video","width":true}]}`, wantErr: "want a number"},
	{name: "negative duration", in: `{"streams":[{"codec_type":"audio","duration":"-1"}]}`, wantErr: "streams[0].duration"},
	{name: "bad rate", in: `{"streams":[{"codec_type":"video","r_frame_rate":"x/y"}]}`, wantErr: "streams[0].r_frame_rate"},
	{name: "no streams", in: `{"streams":[],"format":{"format_name":"tty"}}`, wantErr: "no video or audio stream"},
	{name: "empty", in: ``, wantErr: "parse probe"},
	{name: "huge duration saturates", in: `{"streams":[{"codec_type":"audio","duration":"1e300"}]}`,
		want: &Probe{Path: "t.mp4", Duration: time.Duration(math.MaxInt64), Audio: &AudioStream{Duration: time.Duration(math.MaxInt64)}}},
}

func probeInput(t testing.TB, in string) []byte {
	t.Helper()
	if name, ok := strings.CutPrefix(in, "@"); ok {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	return []byte(in)
}

func TestParseProbe(t *testing.T) {
	for _, tc := range probeTests {
		got, err := ParseProbe("t.mp4", probeInput(t, tc.in))
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), `"t.mp4"`) {
				t.Errorf("%s: ParseProbe(%.40q) = %v, want an error naming the file and containing %q", tc.name, tc.in, err, tc.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: ParseProbe(%.40q) = %s, %v, want %s", tc.name, tc.in, dumpProbe(got), err, dumpProbe(tc.want))
		}
	}
}

func dumpProbe(p *Probe) string {
	if p == nil {
		return "nil"
	}
	s := strings.TrimSuffix(strings.TrimPrefix(reflectString(*p), "{"), "}")
	if p.Video != nil {
		s += " video=" + reflectString(*p.Video)
	}
	if p.Audio != nil {
		s += " audio=" + reflectString(*p.Audio)
	}
	return "{" + s + "}"
}

func reflectString(v any) string { return strings.ReplaceAll(strings.TrimSpace(fmtV(v)), "\n", " ") }

func FuzzParseProbe(f *testing.F) {
	for _, tc := range probeTests {
		f.Add(probeInput(f, tc.in))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParseProbe("fuzz.json", data)
		if err != nil {
			if !strings.Contains(err.Error(), `"fuzz.json"`) {
				t.Errorf("ParseProbe error %q does not name the file", err)
			}
			return
		}
		if p.Video == nil && p.Audio == nil {
			t.Errorf("ParseProbe(%q) = no streams and no error", data)
		}
		if p.Duration < 0 || (p.Video != nil && (p.Video.Width < 0 || p.Video.Frames < 0)) {
			t.Errorf("ParseProbe(%q) = negative values %s", data, dumpProbe(p))
		}
		CheckLimits(p) // must not panic either
	})
}

func TestRationalFloat(t *testing.T) {
	for _, tc := range []struct {
		r    Rational
		want float64
	}{
		{Rational{30000, 1001}, 29.97002997002997},
		{Rational{25, 1}, 25},
		{Rational{0, 0}, 0},
		{Rational{1, 0}, 0},
	} {
		if got := tc.r.Float(); got != tc.want {
			t.Errorf("%v.Float() = %v, want %v", tc.r, got, tc.want)
		}
	}
}

func TestCheckLimits(t *testing.T) {
	for _, tc := range []struct {
		p       Probe
		wantErr string
	}{
		{Probe{Path: "ok.mp4", Duration: MaxDuration, Video: &VideoStream{Width: 4096, Height: 4096}}, ""},
		{Probe{Path: "wide.mp4", Video: &VideoStream{Width: 4097, Height: 100}}, `"wide.mp4" is 4097 pixels wide; the limit is 4096`},
		{Probe{Path: "tall.mp4", Video: &VideoStream{Width: 100, Height: 8000}}, `"tall.mp4" is 8000 pixels high; the limit is 4096`},
		{Probe{Path: "long.wav", Duration: MaxDuration + time.Second}, `"long.wav" lasts 10m1s; the limit is 10m0s`},
		{Probe{Path: "longaudio.mp4", Audio: &AudioStream{Duration: time.Hour}}, `"longaudio.mp4" lasts 1h0m0s`},
	} {
		err := CheckLimits(&tc.p)
		if tc.wantErr == "" {
			if err != nil {
				t.Errorf("CheckLimits(%s) = %v, want nil", tc.p.Path, err)
			}
			continue
		}
		if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("CheckLimits(%s) = %v, want ErrTooLarge containing %q", tc.p.Path, err, tc.wantErr)
		}
	}
}

func TestProbeLimitsLongAudio(t *testing.T) {
	// A real file just over the duration limit, cheap to make at 8 kHz u8.
	tools := needTools(t, ToolFFmpeg, ToolFFprobe)
	t.Parallel()
	dir := t.TempDir()
	long := filepath.Join(dir, "long.wav")
	if err := tools.RunFFmpeg(testCtx(t), "-f", "lavfi", "-i", "anullsrc=r=8000:cl=mono", "-t", "601", "-c:a", "pcm_u8", long); err != nil {
		t.Fatal(err)
	}
	if _, err := tools.Probe(testCtx(t), long); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "long.wav") {
		t.Errorf("Probe(601 s file) = %v, want ErrTooLarge naming the file", err)
	}
	if _, err := tools.DecodeAudio(testCtx(t), long, 8000, 1); !errors.Is(err, ErrTooLarge) {
		t.Errorf("DecodeAudio(601 s file) = %v, want ErrTooLarge", err)
	}
}

func TestProbeMissingFile(t *testing.T) {
	tools := needTools(t, ToolFFprobe)
	missing := filepath.Join(t.TempDir(), "missing.mp4")
	_, err := tools.Probe(testCtx(t), missing)
	var te *ToolError
	if !errors.As(err, &te) || !strings.Contains(err.Error(), "missing.mp4") || !strings.Contains(te.Stderr, "No such file") {
		t.Errorf("Probe(missing) = %v, want a ToolError naming the file with ffprobe's reason", err)
	}
}
