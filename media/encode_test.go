package media

import (
	"context"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slatestudio/slate/media/audio"
)

// testFrame fills a yuv420p frame with a smooth gradient that moves by 2
// luma steps per frame, so both pixel accuracy and frame order can be checked.
func testFrame(w, h, i int) []byte {
	f := make([]byte, FrameSize("yuv420p", w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			f[y*w+x] = byte(30 + x*100/w + y*60/h + 2*i)
		}
	}
	u, v := f[w*h:w*h+w*h/4], f[w*h+w*h/4:]
	for j := range u {
		u[j], v[j] = byte(100+i), byte(150-i)
	}
	return f
}

func meanAbsDiff(a, b []byte) float64 {
	var sum int
	for i := range a {
		d := int(a[i]) - int(b[i])
		if d < 0 {
			d = -d
		}
		sum += d
	}
	return float64(sum) / float64(len(a))
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	tools := needTools(t, ToolFFmpeg, ToolFFprobe)
	t.Parallel()
	const w, h, fps, n = 320, 240, 30, 30
	dir := t.TempDir()
	out := filepath.Join(dir, "shot.mp4")
	ctx := testCtx(t)
	enc, err := tools.NewEncoder(ctx, EncodeOptions{Width: w, Height: h, FPS: fps, Output: out, Threads: 2})
	if err != nil {
		t.Fatalf("NewEncoder() = %v", err)
	}
	if got, want := enc.FrameSize(), w*h*3/2; got != want {
		t.Errorf("FrameSize() = %d, want %d", got, want)
	}
	if err := enc.WriteFrame(make([]byte, 10)); err == nil {
		t.Errorf("WriteFrame(10 bytes) = nil, want a length error")
	}
	for i := 0; i < n; i++ {
		if err := enc.WriteFrame(testFrame(w, h, i)); err != nil {
			t.Fatalf("WriteFrame(%d) = %v", i, err)
		}
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("output exists before Close (stat: %v), want it only after Close", err)
	}
	if err := enc.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	if extra := leftovers(t, dir, "shot.mp4"); len(extra) != 0 {
		t.Errorf("files left beside the output: %q", extra)
	}

	p, err := tools.Probe(ctx, out)
	if err != nil {
		t.Fatalf("Probe(encoded) = %v", err)
	}
	v := p.Video
	if v == nil || v.Codec != "h264" || v.PixFmt != "yuv420p" || v.Profile != "High" || v.Width != w || v.Height != h ||
		v.Frames != n || v.FrameRate != (Rational{fps, 1}) || v.Duration != time.Second || p.Audio != nil {
		t.Errorf("Probe(encoded) = %s, want h264 High yuv420p %dx%d, %d frames at %d/1, 1s, no audio", dumpProbe(p), w, h, n, fps)
	}

	dec, err := tools.NewDecoder(ctx, out, DecodeOptions{})
	if err != nil {
		t.Fatalf("NewDecoder() = %v", err)
	}
	defer dec.Close()
	if gw, gh := dec.Size(); gw != w || gh != h {
		t.Errorf("Size() = %dx%d, want %dx%d", gw, gh, w, h)
	}
	buf := make([]byte, dec.FrameSize())
	got := 0
	for ; ; got++ {
		err := dec.ReadFrame(buf)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("ReadFrame(%d) = %v", got, err)
		}
		if got >= n {
			continue
		}
		want := testFrame(w, h, got)
		if testing.Verbose() && got%10 == 0 {
			t.Logf("frame %d: mean luma difference %.2f, chroma %.2f", got, meanAbsDiff(buf[:w*h], want[:w*h]), meanAbsDiff(buf[w*h:], want[w*h:]))
		}
		// Neighbouring frames differ by 2 in luma and 1 in chroma, so these
		// bounds also catch a frame out of order.
		if d := meanAbsDiff(buf[:w*h], want[:w*h]); d > 1 {
			t.Errorf("frame %d: mean luma difference %.2f, want at most 1", got, d)
		}
		if d := meanAbsDiff(buf[w*h:], want[w*h:]); d > 0.5 {
			t.Errorf("frame %d: mean chroma difference %.2f, want at most 0.5", got, d)
		}
	}
	if got != n {
		t.Errorf("decoded %d frames, want %d", got, n)
	}
	if err := dec.ReadFrame(buf); err != io.EOF {
		t.Errorf("ReadFrame after the end = %v, want io.EOF again", err)
	}
	if err := dec.Close(); err != nil {
		t.Errorf("Close() after EOF = %v, want nil", err)
	}
}

func TestEncodeRGBAWithAudio(t *testing.T) {
	tools := needTools(t, ToolFFmpeg, ToolFFprobe)
	t.Parallel()
	const w, h, fps, n = 160, 120, 24, 24
	dir := t.TempDir()
	wav := filepath.Join(dir, "tone.wav")
	// Mono 22.05 kHz half a second: the encoder must pad it to the picture's
	// second and make it 48 kHz stereo.
	if err := audio.WriteWAVFile(wav, sine(22050, 1, 11025, 440, 0.5)); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "rgba.mp4")
	ctx := testCtx(t)
	enc, err := tools.NewEncoder(ctx, EncodeOptions{Width: w, Height: h, FPS: fps, PixFmt: "rgba", Output: out, Audio: wav})
	if err != nil {
		t.Fatalf("NewEncoder() = %v", err)
	}
	frame := make([]byte, enc.FrameSize())
	for i := 0; i < len(frame); i += 4 {
		frame[i], frame[i+1], frame[i+2], frame[i+3] = 200, 40, 40, 255 // red
	}
	for i := 0; i < n; i++ {
		if err := enc.WriteFrame(frame); err != nil {
			t.Fatalf("WriteFrame(%d) = %v", i, err)
		}
	}
	if err := enc.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	p, err := tools.Probe(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	if p.Video == nil || p.Video.Frames != n || p.Video.PixFmt != "yuv420p" {
		t.Errorf("Probe(rgba encode) video = %s, want %d yuv420p frames", dumpProbe(p), n)
	}
	if a := p.Audio; a == nil || a.Codec != "aac" || a.SampleRate != 48000 || a.Channels != 2 ||
		a.Duration < 900*time.Millisecond || a.Duration > 1100*time.Millisecond {
		t.Errorf("Probe(rgba encode) audio = %s, want AAC 48 kHz stereo padded to about 1s", dumpProbe(p))
	}

	dec, err := tools.NewDecoder(ctx, out, DecodeOptions{PixFmt: "rgba", Width: 80, Height: 60, FPS: 12})
	if err != nil {
		t.Fatal(err)
	}
	defer dec.Close()
	buf := make([]byte, dec.FrameSize())
	if len(buf) != 80*60*4 {
		t.Errorf("FrameSize() = %d, want %d", len(buf), 80*60*4)
	}
	count := 0
	for ; dec.ReadFrame(buf) == nil; count++ {
		r, g, b := buf[4*(30*80+40)], buf[4*(30*80+40)+1], buf[4*(30*80+40)+2]
		if absDiff(r, 200) > 8 || absDiff(g, 40) > 8 || absDiff(b, 40) > 8 {
			t.Fatalf("frame %d centre = rgb(%d,%d,%d), want about rgb(200,40,40)", count, r, g, b)
		}
	}
	if count != 12 {
		t.Errorf("decoded %d frames at FPS 12 from 1s, want 12", count)
	}

	// Audio survives the round trip: the tone is there for its half second.
	pcm, err := tools.DecodeAudio(ctx, out, 48000, 1)
	if err != nil {
		t.Fatal(err)
	}
	if rms := pcm.RMS(4800, 19200); math.Abs(rms-0.5/math.Sqrt2) > 0.03 {
		t.Errorf("DecodeAudio(encoded).RMS(0.1s..0.4s) = %.3f, want about %.3f", rms, 0.5/math.Sqrt2)
	}
	if rms := pcm.RMS(33600, 43200); rms > 0.01 {
		t.Errorf("DecodeAudio(encoded).RMS(0.7s..0.9s) = %.3f, want silence from the padding", rms)
	}
}

func absDiff(a, b byte) int {
	if a > b {
		return int(a - b)
	}
	return int(b - a)
}

func TestEncoderAbortAndCancel(t *testing.T) {
	tools := needTools(t, ToolFFmpeg)
	t.Parallel()
	dir := t.TempDir()
	frame := testFrame(64, 48, 0)

	out := filepath.Join(dir, "aborted.mp4")
	enc, err := tools.NewEncoder(testCtx(t), EncodeOptions{Width: 64, Height: 48, FPS: 10, Output: out})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		enc.WriteFrame(frame)
	}
	enc.Abort()
	if err := enc.WriteFrame(frame); err == nil {
		t.Errorf("WriteFrame after Abort = nil, want an error")
	}
	if err := enc.Close(); err == nil {
		t.Errorf("Close after Abort = nil, want an error")
	}
	enc.Abort() // again: harmless

	out2 := filepath.Join(dir, "cancelled.mp4")
	ctx, cancel := context.WithCancel(context.Background())
	enc, err = tools.NewEncoder(ctx, EncodeOptions{Width: 64, Height: 48, FPS: 10, Output: out2})
	if err != nil {
		t.Fatal(err)
	}
	enc.WriteFrame(frame)
	cancel()
	start := time.Now()
	for i := 0; i < 1000 && enc.WriteFrame(frame) == nil; i++ {
	}
	if err := enc.Close(); !errors.Is(err, context.Canceled) {
		t.Errorf("Close after cancel = %v, want context.Canceled", err)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("cancelled encode took %v to stop, want under 1s", took)
	}
	if extra := leftovers(t, dir); len(extra) != 0 {
		t.Errorf("files left after abort and cancel: %q, want none", extra)
	}
}

func TestEncodeOptionsValidate(t *testing.T) {
	ok := EncodeOptions{Width: 320, Height: 240, FPS: 30, Output: "out.mp4"}
	for _, tc := range []struct {
		name string
		edit func(*EncodeOptions)
		want string
	}{
		{"odd width", func(o *EncodeOptions) { o.Width = 321 }, "even"},
		{"zero height", func(o *EncodeOptions) { o.Height = 0 }, "positive"},
		{"too wide", func(o *EncodeOptions) { o.Width = 4098 }, "limit"},
		{"no fps", func(o *EncodeOptions) { o.FPS = 0 }, "frame rate 0"},
		{"pixfmt", func(o *EncodeOptions) { o.PixFmt = "nv12" }, `"nv12"`},
		{"preset", func(o *EncodeOptions) { o.Preset = "warp" }, `"warp"`},
		{"crf", func(o *EncodeOptions) { o.CRF = 60 }, "crf 60"},
		{"url output", func(o *EncodeOptions) { o.Output = "rtmp://host/live" }, "not allowed"},
		{"url audio", func(o *EncodeOptions) { o.Audio = "http://host/a.wav" }, "not allowed"},
		{"no output", func(o *EncodeOptions) { o.Output = "" }, "no output"},
	} {
		o := ok
		tc.edit(&o)
		// No tools: validation must come before anything runs.
		_, err := Tools{}.NewEncoder(context.Background(), o)
		if err == nil || !strings.Contains(err.Error(), tc.want) || errors.Is(err, ErrMissingTool) {
			t.Errorf("%s: NewEncoder(%+v) = %v, want a validation error containing %q", tc.name, o, err, tc.want)
		}
	}
	if _, err := (Tools{}).NewEncoder(context.Background(), ok); !errors.Is(err, ErrMissingTool) {
		t.Errorf("NewEncoder(valid, no ffmpeg) = %v, want ErrMissingTool", err)
	}
}

func TestEncoderArgs(t *testing.T) {
	args := EncoderArgs(EncodeOptions{Width: 320, Height: 240, FPS: 24, Output: "o.mp4", Audio: "a.wav", Threads: 2})
	joined := strings.Join(args, " ")
	for _, want := range []string{
		"-f rawvideo -pix_fmt yuv420p -s 320x240 -framerate 24 -protocol_whitelist file,pipe -i pipe:0",
		"-protocol_whitelist file,pipe -i a.wav",
		"-c:v libx264 -preset veryfast -crf 20 -profile:v high -pix_fmt yuv420p -g 48 -video_track_timescale 24000 -threads 2",
		"-c:a aac -b:a 192k -ar 48000 -ac 2",
		"-movflags +faststart",
	} {
		if !strings.Contains(joined, want) {
			t.Errorf("EncoderArgs() = %q, want it to contain %q", joined, want)
		}
	}
	if args[len(args)-1] != "o.mp4" {
		t.Errorf("EncoderArgs() ends with %q, want the output o.mp4", args[len(args)-1])
	}
	// Every -i is restricted.
	for i, a := range args {
		if a == "-i" && (i < 2 || args[i-2] != "-protocol_whitelist" || args[i-1] != ProtocolWhitelist) {
			t.Errorf("EncoderArgs(): -i %s at %d lacks the protocol whitelist", args[i+1], i)
		}
	}
	if got, _ := RestrictInputs(args); !slices.Equal(got, args) {
		t.Errorf("RestrictInputs(EncoderArgs()) changed them: %q", got)
	}
}

func TestFrameSize(t *testing.T) {
	for _, tc := range []struct {
		pix  string
		w, h int
		want int
	}{
		{"yuv420p", 320, 240, 115200},
		{"yuv420p", 3, 3, 9 + 2*4},
		{"rgba", 320, 240, 307200},
		{"rgb24", 2, 2, 12},
		{"gray", 5, 5, 25},
		{"nv12", 2, 2, 0},
		{"rgba", 0, 5, 0},
	} {
		if got := FrameSize(tc.pix, tc.w, tc.h); got != tc.want {
			t.Errorf("FrameSize(%q, %d, %d) = %d, want %d", tc.pix, tc.w, tc.h, got, tc.want)
		}
	}
}

func TestDecoderCloseEarly(t *testing.T) {
	tools := needTools(t, ToolFFmpeg, ToolFFprobe)
	t.Parallel()
	clip := genClip(t, tools, t.TempDir(), 320, 240, 30, 2*time.Second, false)
	dec, err := tools.NewDecoder(testCtx(t), clip, DecodeOptions{Width: 160, Height: 120, PixFmt: "gray"})
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, dec.FrameSize())
	if err := dec.ReadFrame(buf); err != nil {
		t.Fatalf("ReadFrame() = %v", err)
	}
	if err := dec.ReadFrame(buf[:10]); err == nil {
		t.Errorf("ReadFrame(short buffer) = nil, want a length error")
	}
	start := time.Now()
	if err := dec.Close(); err != nil {
		t.Errorf("Close() with frames left = %v, want nil", err)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("Close() took %v, want well under 1s", took)
	}
	if err := dec.ReadFrame(buf); err == nil || err == io.EOF {
		t.Errorf("ReadFrame after Close = %v, want an error", err)
	}
}
