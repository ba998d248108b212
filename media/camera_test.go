package media

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slatestudio/slate/media/audio"
)

func TestEncodeCameraMJPEG(t *testing.T) {
	tools := needTools(t, ToolFFmpeg, ToolFFprobe)
	t.Parallel()
	dir := t.TempDir()
	ctx := testCtx(t)
	stream := filepath.Join(dir, "in.mjpeg")
	if err := tools.RunFFmpeg(ctx, "-f", "lavfi", "-i", "testsrc=size=160x120:rate=30", "-frames:v", "45",
		"-c:v", "mjpeg", "-q:v", "5", "-f", "mjpeg", stream); err != nil {
		t.Fatal(err)
	}
	wav := filepath.Join(dir, "in.wav")
	if err := audio.WriteWAVFile(wav, sine(48000, 1, 72000, 440, 0.3)); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(stream)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := filepath.Join(dir, "take.mp4")
	if err := tools.EncodeCamera(ctx, f, CameraEncodeOptions{Codec: CameraMJPEG, Width: 160, Height: 120, FPS: 30, Audio: wav, Output: out, Preset: "ultrafast"}); err != nil {
		t.Fatalf("EncodeCamera() = %v", err)
	}
	p, err := tools.Probe(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	if v := p.Video; v == nil || v.Codec != "h264" || v.Frames != 45 || v.Width != 160 || v.FrameRate.Float() != 30 {
		t.Errorf("video = %s, want 45 frames of h264 160x120 at 30 fps", fmtV(v))
	}
	if a := p.Audio; a == nil || a.Codec != "aac" || a.SampleRate != 48000 || (a.Duration-1500*time.Millisecond).Abs() > 30*time.Millisecond {
		t.Errorf("audio = %s, want 1.5 s of aac at 48 kHz", fmtV(p.Audio))
	}
	if left := leftovers(t, dir, "in.mjpeg", "in.wav", "take.mp4"); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
}

func TestEncodeCameraYUYV(t *testing.T) {
	tools := needTools(t, ToolFFmpeg, ToolFFprobe)
	t.Parallel()
	const w, h, n = 64, 48, 10
	var frames bytes.Buffer
	for i := range n {
		f := make([]byte, 2*w*h)
		for j := 0; j < len(f); j += 4 {
			f[j], f[j+1], f[j+2], f[j+3] = byte(16+20*i), 128, byte(16+20*i), 128 // grey, lighter each frame
		}
		frames.Write(f)
	}
	dir := t.TempDir()
	ctx := testCtx(t)
	out := filepath.Join(dir, "take.mp4")
	if err := tools.EncodeCamera(ctx, &frames, CameraEncodeOptions{Codec: CameraYUYV, Width: w, Height: h, FPS: 10, Output: out}); err != nil {
		t.Fatalf("EncodeCamera() = %v", err)
	}
	d, err := tools.NewDecoder(ctx, out, DecodeOptions{PixFmt: "gray"})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	buf := make([]byte, d.FrameSize())
	for i := range n {
		if err := d.ReadFrame(buf); err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		// The decoder's grey is full range: limited-range 16..235 becomes 0..255.
		if want := 20 * i * 255 / 219; absInt(int(buf[w*h/2])-want) > 3 {
			t.Errorf("frame %d: grey %d, want about %d", i, buf[w*h/2], want)
		}
	}
}

func absInt(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func TestEncodeCameraFailures(t *testing.T) {
	tools := needTools(t, ToolFFmpeg)
	t.Parallel()
	dir := t.TempDir()
	out := filepath.Join(dir, "take.mp4")
	ok := CameraEncodeOptions{Codec: CameraYUYV, Width: 64, Height: 48, FPS: 30, Output: out}
	for _, c := range []struct {
		name   string
		change func(*CameraEncodeOptions)
		want   string
	}{
		{"codec", func(o *CameraEncodeOptions) { o.Codec = "h264" }, "camera codec"},
		{"size", func(o *CameraEncodeOptions) { o.Width = 0 }, "must be positive"},
		{"odd yuyv", func(o *CameraEncodeOptions) { o.Width = 63 }, "even"},
		{"too large", func(o *CameraEncodeOptions) { o.Width = 8192 }, "limit"},
		{"rate", func(o *CameraEncodeOptions) { o.FPS = 0 }, "frame rate"},
		{"preset", func(o *CameraEncodeOptions) { o.Preset = "fastest" }, "preset"},
		{"url audio", func(o *CameraEncodeOptions) { o.Audio = "http://example.com/a.wav" }, "URLs"},
		{"no output", func(o *CameraEncodeOptions) { o.Output = "" }, "no output"},
	} {
		o := ok
		c.change(&o)
		if err := tools.EncodeCamera(context.Background(), bytes.NewReader(nil), o); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: EncodeCamera() = %v, want an error containing %q", c.name, err, c.want)
		}
	}
	// Garbage in: ffmpeg's error, and no file.
	err := tools.EncodeCamera(testCtx(t), bytes.NewReader([]byte("not a jpeg at all")), CameraEncodeOptions{Codec: CameraMJPEG, Width: 64, Height: 48, FPS: 30, Output: out})
	var te *ToolError
	if !errors.As(err, &te) {
		t.Errorf("EncodeCamera(garbage) = %v, want a *ToolError", err)
	}
	// Cancelled: ctx's error, and no file.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := tools.EncodeCamera(ctx, bytes.NewReader(make([]byte, 64*48*2)), ok); !errors.Is(err, context.Canceled) {
		t.Errorf("EncodeCamera(cancelled) = %v, want context.Canceled", err)
	}
	if left := leftovers(t, dir); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
}

func TestCameraEncoderArgs(t *testing.T) {
	args := CameraEncoderArgs(CameraEncodeOptions{Codec: CameraMJPEG, Width: 1280, Height: 720, FPS: 30, Audio: "a.wav", Output: "o.mp4"})
	for _, want := range [][]string{
		{"-f", "mjpeg", "-framerate", "30"},
		{"-protocol_whitelist", "file,pipe", "-i", "pipe:0"},
		{"-protocol_whitelist", "file,pipe", "-i", "a.wav"},
		{"-c:a", "aac", "-b:a", "128k", "-ar", "48000"},
		{"-preset", "veryfast", "-crf", "20"},
	} {
		if !containsRun(args, want) {
			t.Errorf("CameraEncoderArgs() = %q, want it to contain %q", args, want)
		}
	}
	cut := CameraEncoderArgs(CameraEncodeOptions{Codec: CameraYUYV, Width: 64, Height: 48, FPS: 30, Audio: "a.wav", AudioDuration: 2500 * time.Millisecond, Output: "o.mp4"})
	if !containsRun(cut, []string{"-t", "2.500000", "-protocol_whitelist", "file,pipe", "-i", "a.wav"}) {
		t.Errorf("CameraEncoderArgs(AudioDuration 2.5 s) = %q, want the sound input cut to 2.5 s", cut)
	}
	if slices.Contains(args, "-shortest") {
		t.Errorf("CameraEncoderArgs() = %q: cuts the sound to the picture", args)
	}
}

func containsRun(args, run []string) bool {
	for i := 0; i+len(run) <= len(args); i++ {
		if slices.Equal(args[i:i+len(run)], run) {
			return true
		}
	}
	return false
}
