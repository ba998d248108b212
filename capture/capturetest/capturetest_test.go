package capturetest_test

import (
	"bytes"
	"context"
	"errors"
	"image/color"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/slatestudio/slate/capture"
	"github.com/slatestudio/slate/capture/capturetest"
	"github.com/slatestudio/slate/internal/clock"
	"github.com/slatestudio/slate/internal/clock/clocktest"
	"github.com/slatestudio/slate/media"
)

func needTools(t testing.TB) media.Tools {
	t.Helper()
	tools := media.FindTools()
	if err := tools.Check(media.ToolFFmpeg, media.ToolFFprobe); err != nil {
		if os.Getenv("SLATE_REQUIRE_DEPS") == "1" {
			t.Fatalf("SLATE_REQUIRE_DEPS=1: %v", err)
		}
		t.Skipf("skipping: %v", err)
	}
	return tools
}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return c
}

var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// The Y4M fake gives every frame, as YUYV with the file's own luma, at
// n/fps on the clock, then io.EOF.
func TestOpenCameraY4M(t *testing.T) {
	tools := needTools(t)
	path := filepath.Join(t.TempDir(), "in.y4m")
	if err := capturetest.WriteY4M(ctx(t), tools, path, capturetest.Pattern{Width: 64, Height: 48, FPS: 25, Duration: 400 * time.Millisecond, Flash: -1}); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	clock := clocktest.New(epoch)
	cam, err := capturetest.OpenCamera(path, clock)
	if err != nil {
		t.Fatal(err)
	}
	defer cam.Close()
	if f := cam.Format(); f != (capture.VideoFormat{Pixel: capture.YUYV, Width: 64, Height: 48, FPS: 25}) {
		t.Errorf("Format() = %+v", f)
	}
	frameAt := bytes.Index(raw, []byte("FRAME\n")) + len("FRAME\n")
	for n := range 10 {
		f, err := cam.ReadFrame(context.Background())
		if err != nil {
			t.Fatalf("frame %d: %v", n, err)
		}
		if want := time.Duration(n) * 40 * time.Millisecond; f.Time != want || clock.Now().Sub(epoch) != want {
			t.Errorf("frame %d at %v with the clock at %v, want both %v", n, f.Time, clock.Now().Sub(epoch), want)
		}
		luma := raw[frameAt : frameAt+64*48]
		for i := range 64 * 48 {
			if f.Data[2*i] != luma[i] {
				t.Fatalf("frame %d: pixel %d has luma %d, want the file's %d", n, i, f.Data[2*i], luma[i])
			}
		}
		frameAt += 64*48*3/2 + len("FRAME\n")
	}
	if _, err := cam.ReadFrame(context.Background()); err != io.EOF {
		t.Errorf("after the last frame: %v, want io.EOF", err)
	}
}

// The MJPEG fake splits the file into its JPEGs, each whole, at 30 fps.
func TestOpenCameraMJPEG(t *testing.T) {
	tools := needTools(t)
	path := filepath.Join(t.TempDir(), "in.mjpeg")
	if err := capturetest.WriteMJPEG(ctx(t), tools, path, capturetest.Pattern{Width: 96, Height: 64, FPS: 30, Duration: 500 * time.Millisecond, Flash: 200 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	clock := clocktest.New(epoch)
	cam, err := capturetest.OpenCamera(path, clock)
	if err != nil {
		t.Fatal(err)
	}
	defer cam.Close()
	if f := cam.Format(); f != (capture.VideoFormat{Pixel: capture.MJPEG, Width: 96, Height: 64, FPS: 30}) {
		t.Errorf("Format() = %+v", f)
	}
	var total int
	for n := 0; ; n++ {
		f, err := cam.ReadFrame(context.Background())
		if err == io.EOF {
			if n != 15 {
				t.Errorf("%d frames, want 15", n)
			}
			break
		}
		if err != nil {
			t.Fatalf("frame %d: %v", n, err)
		}
		total += len(f.Data)
		if want := time.Duration(n) * time.Second / 30; f.Time != want {
			t.Errorf("frame %d at %v, want %v", n, f.Time, want)
		}
		img, err := capture.FrameImage(cam.Format(), f.Data)
		if err != nil {
			t.Fatalf("frame %d: %v", n, err)
		}
		// The flash is frame 6 (200 ms at 30 fps), and only it.
		r, g, b, _ := img.At(48, 32).RGBA()
		if white := r>>8 > 240 && g>>8 > 240 && b>>8 > 240; white != (n == 6) {
			t.Errorf("frame %d: centre %v, white %v", n, color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), 255}, white)
		}
	}
	if fi, _ := os.Stat(path); int64(total) != fi.Size() {
		t.Errorf("the frames hold %d bytes of the file's %d", total, fi.Size())
	}
}

func TestOpenCameraRefuses(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"clip.mp4":     "",
		"empty.mjpeg":  "",
		"png.mjpeg":    "\x89PNG\r\n\x1a\n",
		"cut.mjpeg":    "\xff\xd8\xff\xe0\x00\x10JFIF",
		"bad.y4m":      "YUV4MPEG3 W2 H2\n",
		"422.y4m":      "YUV4MPEG2 W64 H48 F30:1 C422\n",
		"odd.y4m":      "YUV4MPEG2 W63 H48 F30:1\n",
		"rate.y4m":     "YUV4MPEG2 W64 H48 F0:1\n",
		"huge.y4m":     "YUV4MPEG2 W8192 H48 F30:1\n",
		"no-line.y4m":  "YUV4MPEG2 W64",
		"missing.y4m/": "",
	} {
		path := filepath.Join(dir, name)
		if name != "missing.y4m/" {
			if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if cam, err := capturetest.OpenCamera(path, clocktest.New(epoch)); err == nil {
			cam.Close()
			t.Errorf("OpenCamera(%s) = nil error", name)
		} else {
			t.Logf("OpenCamera(%s) = %v", name, err)
		}
	}
}

// A Y4M file cut short in its last frame gives the frames before, then an
// error, not a torn frame.
func TestOpenCameraY4MCutShort(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cut.y4m")
	frame := append([]byte("FRAME\n"), make([]byte, 4*2*3/2)...)
	body := append([]byte("YUV4MPEG2 W4 H2 F10:1 Ip A1:1 C420jpeg\n"), frame...)
	body = append(body, frame[:9]...)
	if err := os.WriteFile(path, body, 0o644); err != nil {
		t.Fatal(err)
	}
	cam, err := capturetest.OpenCamera(path, clocktest.New(epoch))
	if err != nil {
		t.Fatal(err)
	}
	defer cam.Close()
	if _, err := cam.ReadFrame(context.Background()); err != nil {
		t.Fatalf("frame 0: %v", err)
	}
	if _, err := cam.ReadFrame(context.Background()); err == nil || err == io.EOF {
		t.Errorf("the cut frame: %v, want an error", err)
	}
}

// The WAV fake hands over 10 ms buffers once the clock has passed their
// end, stamped with their start, then io.EOF.
func TestOpenMicrophone(t *testing.T) {
	path := filepath.Join(t.TempDir(), "in.wav")
	if err := capturetest.WriteTone(path, capturetest.Tone{Rate: 44100, Channels: 2, Duration: 1005 * time.Millisecond, Beep: 500 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	clock := clocktest.New(epoch)
	mic, err := capturetest.OpenMicrophone(path, clock)
	if err != nil {
		t.Fatal(err)
	}
	defer mic.Close()
	if f := mic.Format(); f != (capture.AudioFormat{Rate: 44100, Channels: 2}) {
		t.Errorf("Format() = %+v", f)
	}
	frames, loud := 0, -1
	for k := 0; ; k++ {
		b, err := mic.ReadBuffer(context.Background())
		if err == io.EOF {
			if k != 101 {
				t.Errorf("%d buffers, want 101", k)
			}
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if want := time.Duration(frames) * time.Second / 44100; b.Time != want {
			t.Errorf("buffer %d at %v, want %v", k, b.Time, want)
		}
		frames += len(b.Samples) / 2
		if ready := time.Duration(frames) * time.Second / 44100; clock.Now().Sub(epoch) != ready {
			t.Errorf("buffer %d handed over at %v, want %v", k, clock.Now().Sub(epoch), ready)
		}
		if _, peak := capture.Level(b.Samples); peak > -7 && loud < 0 {
			loud = k
		}
	}
	if frames != 44320 || loud != 50 {
		t.Errorf("%d frames with the beep in buffer %d, want 44320 and 50", frames, loud)
	}
}

// At real pace the fakes take real time: a third of a second of frames
// takes a third of a second.
func TestFakesKeepRealPace(t *testing.T) {
	tools := needTools(t)
	dir := t.TempDir()
	video, sound := filepath.Join(dir, "in.mjpeg"), filepath.Join(dir, "in.wav")
	if err := capturetest.WriteMJPEG(ctx(t), tools, video, capturetest.Pattern{Width: 64, Height: 48, FPS: 30, Duration: time.Second, Flash: -1}); err != nil {
		t.Fatal(err)
	}
	if err := capturetest.WriteTone(sound, capturetest.Tone{Rate: 48000, Channels: 1, Duration: time.Second, Beep: -1}); err != nil {
		t.Fatal(err)
	}
	clock := clock.Real{}
	cam, err := capturetest.OpenCamera(video, clock)
	if err != nil {
		t.Fatal(err)
	}
	defer cam.Close()
	mic, err := capturetest.OpenMicrophone(sound, clock)
	if err != nil {
		t.Fatal(err)
	}
	defer mic.Close()
	start := cam.Epoch()
	for range 11 { // frame 10 is at 333 ms
		if _, err := cam.ReadFrame(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if took := time.Since(start); took < 333*time.Millisecond || took > 450*time.Millisecond {
		t.Errorf("11 frames at 30 fps took %v, want 333 ms", took)
	}
	start = mic.Epoch()
	for range 20 {
		if _, err := mic.ReadBuffer(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if took := time.Since(start); took < 200*time.Millisecond || took > 300*time.Millisecond {
		t.Errorf("20 buffers of 10 ms took %v, want 200 ms", took)
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := cam.ReadFrame(cancelled); !errors.Is(err, context.Canceled) {
		t.Errorf("ReadFrame(cancelled) = %v", err)
	}
}

func TestUnplug(t *testing.T) {
	path := filepath.Join(t.TempDir(), "in.y4m")
	frame := append([]byte("FRAME\n"), make([]byte, 4*2*3/2)...)
	body := append([]byte("YUV4MPEG2 W4 H2 F10:1\n"), bytes.Repeat(frame, 5)...)
	if err := os.WriteFile(path, body, 0o644); err != nil {
		t.Fatal(err)
	}
	cam, err := capturetest.OpenCamera(path, clocktest.New(epoch))
	if err != nil {
		t.Fatal(err)
	}
	defer cam.Close()
	u := capturetest.Unplug(cam, 2)
	if _, ok := u.(capture.Epocher); !ok {
		t.Error("Unplug lost the camera's Epoch")
	}
	for n := range 3 {
		_, err := u.ReadFrame(context.Background())
		if unplugged := errors.Is(err, capture.ErrUnplugged); unplugged != (n == 2) {
			t.Errorf("frame %d: %v", n, err)
		}
	}
}

// OpenDevices plays the files named in the choice, or else in the
// environment, and says so when there is no camera at all.
func TestOpenDevices(t *testing.T) {
	dir := t.TempDir()
	y4m, wav := filepath.Join(dir, "a.y4m"), filepath.Join(dir, "a.wav")
	if err := os.WriteFile(y4m, []byte("YUV4MPEG2 W4 H2 F10:1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := capturetest.WriteTone(wav, capturetest.Tone{Rate: 16000, Channels: 1, Duration: 100 * time.Millisecond, Beep: -1}); err != nil {
		t.Fatal(err)
	}
	clock := clocktest.New(epoch)

	cam, mic, err := capture.OpenDevices(context.Background(), capture.DeviceChoice{FakeCamera: y4m, FakeMic: wav}, clock)
	if err != nil {
		t.Fatalf("OpenDevices(fakes) = %v", err)
	}
	if cam.Format().Width != 4 || mic.Format().Rate != 16000 {
		t.Errorf("OpenDevices(fakes) = %+v, %+v", cam.Format(), mic.Format())
	}
	cam.Close()
	mic.Close()

	t.Setenv(capture.EnvFakeCamera, y4m)
	t.Setenv(capture.EnvFakeMic, wav)
	cam, mic, err = capture.OpenDevices(context.Background(), capture.DeviceChoice{Camera: "/dev/video0"}, clock)
	if err != nil {
		t.Fatalf("OpenDevices(with %s set) = %v", capture.EnvFakeCamera, err)
	}
	if _, ok := cam.(*capture.FileCamera); !ok {
		t.Errorf("with %s set, the camera is a %T", capture.EnvFakeCamera, cam)
	}
	cam.Close()
	mic.Close()

	t.Setenv(capture.EnvFakeMic, filepath.Join(dir, "missing.wav"))
	if _, _, err := capture.OpenDevices(context.Background(), capture.DeviceChoice{}, clock); err == nil {
		t.Error("OpenDevices(a missing fake microphone) = nil error")
	}
	if cams, _ := capture.ListCameras(); len(cams) == 0 {
		t.Setenv(capture.EnvFakeCamera, "")
		if _, _, err := capture.OpenDevices(context.Background(), capture.DeviceChoice{FakeMic: wav}, clock); !errors.Is(err, capture.ErrNoCamera) {
			t.Errorf("OpenDevices(no camera) = %v, want ErrNoCamera", err)
		}
	}
}

// What ffmpeg makes of the generated files is what they claim to be.
func TestWritersMakeWhatTheySay(t *testing.T) {
	tools := needTools(t)
	if _, err := exec.LookPath("ffprobe"); err != nil {
		t.Skip(err)
	}
	dir := t.TempDir()
	p := capturetest.Pattern{Width: 128, Height: 72, FPS: 30, Duration: time.Second, Flash: -1}
	for _, c := range []struct {
		ext   string
		write func(context.Context, media.Tools, string, capturetest.Pattern) error
		codec string
	}{
		{"mjpeg", capturetest.WriteMJPEG, "mjpeg"},
		{"y4m", capturetest.WriteY4M, "rawvideo"},
	} {
		path := filepath.Join(dir, "a."+c.ext)
		if err := c.write(ctx(t), tools, path, p); err != nil {
			t.Fatal(err)
		}
		pr, err := tools.Probe(ctx(t), path)
		if err != nil {
			t.Fatal(err)
		}
		if v := pr.Video; v == nil || v.Codec != c.codec || v.Width != 128 || v.Frames != 30 {
			t.Errorf("%s: %+v, want 30 frames of %s 128x72", c.ext, pr.Video, c.codec)
		}
	}
}
