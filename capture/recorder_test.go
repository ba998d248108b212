package capture_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slatestudio/slate/capture"
	"github.com/slatestudio/slate/capture/capturetest"
	"github.com/slatestudio/slate/internal/clock"
	"github.com/slatestudio/slate/internal/clock/clocktest"
	"github.com/slatestudio/slate/media"
)

// needTools returns ffmpeg and ffprobe, skipping the test where they are
// missing, or failing it with SLATE_REQUIRE_DEPS=1.
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

func testCtx(t testing.TB, d time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// inputs writes a test pattern with a white flash and a tone with a beep,
// both at mark, and returns their paths.
func inputs(t testing.TB, tools media.Tools, ext string, p capturetest.Pattern, tone capturetest.Tone) (video, sound string) {
	t.Helper()
	dir := t.TempDir()
	video, sound = filepath.Join(dir, "camera."+ext), filepath.Join(dir, "mic.wav")
	write := capturetest.WriteMJPEG
	if ext == "y4m" {
		write = capturetest.WriteY4M
	}
	if err := write(testCtx(t, time.Minute), tools, video, p); err != nil {
		t.Fatal(err)
	}
	if err := capturetest.WriteTone(sound, tone); err != nil {
		t.Fatal(err)
	}
	return video, sound
}

func openFakes(t testing.TB, video, sound string, clock clock.Clock) (*capture.FileCamera, *capture.FileMicrophone) {
	t.Helper()
	cam, err := capturetest.OpenCamera(video, clock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cam.Close() })
	mic, err := capturetest.OpenMicrophone(sound, clock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mic.Close() })
	return cam, mic
}

func script(length time.Duration) capture.Script {
	return capture.Script{
		Length: length,
		Prompts: []capture.Prompt{
			{Kind: capture.LookAtCamera, Text: "Look at the camera", Start: 0, End: length / 3},
			{Kind: capture.TurnLeft, Text: "Turn your head to your left", Start: length / 3, End: 2 * length / 3},
			{Kind: capture.ReadDigits, Text: "Read aloud: 4 7 1 9 2", Start: 2 * length / 3, End: length},
		},
		Digits: "47192",
	}
}

// syncOffset finds the white frame and the beep in an MP4 and returns how
// much later the sound's mark is than the picture's.
func syncOffset(t testing.TB, tools media.Tools, path string, fps int) time.Duration {
	t.Helper()
	ctx := testCtx(t, time.Minute)
	d, err := tools.NewDecoder(ctx, path, media.DecodeOptions{Width: 64, Height: 36, PixFmt: "gray"})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	buf := make([]byte, d.FrameSize())
	flash := -1
	for n := 0; flash < 0; n++ {
		if err := d.ReadFrame(buf); err != nil {
			t.Fatalf("no white frame in %s: %v", path, err)
		}
		sum := 0
		for _, v := range buf {
			sum += int(v)
		}
		if sum/len(buf) > 240 {
			flash = n
		}
	}
	pcm, err := tools.DecodeAudio(ctx, path, 48000, 1)
	if err != nil {
		t.Fatal(err)
	}
	beep := slices.IndexFunc(pcm.Samples, func(s float32) bool { return math.Abs(float64(s)) > 0.25 })
	if beep < 0 {
		t.Fatalf("no beep in %s", path)
	}
	return time.Duration(beep)*time.Second/48000 - time.Duration(flash)*time.Second/time.Duration(fps)
}

// A take from the MJPEG fake at the fast clock: every frame of the input
// in the MP4, H.264 and AAC, the right length, sound and picture in step,
// and nothing left behind but the MP4.
func TestRecordMJPEG(t *testing.T) {
	tools := needTools(t)
	const fps, frames = 30, 90
	mark := 1500 * time.Millisecond
	video, sound := inputs(t, tools, "mjpeg",
		capturetest.Pattern{Width: 320, Height: 240, FPS: fps, Duration: 3 * time.Second, Flash: mark},
		capturetest.Tone{Rate: 48000, Channels: 1, Duration: 3 * time.Second, Beep: mark})
	clock := clocktest.New(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	cam, mic := openFakes(t, video, sound, clock)
	tmp := t.TempDir()
	var shown, levels atomic.Int64
	var prompts []int
	saving := false
	start := time.Now()
	// The script runs longer than the input: the camera's end ends the take.
	take, err := capture.Record(testCtx(t, time.Minute), cam, mic, clock, script(5*time.Second), capture.RecordOptions{
		TempDir:  tmp,
		Tools:    tools,
		OnFrame:  func(capture.Frame) { shown.Add(1) },
		OnLevel:  func(rms, peak float64) { levels.Add(1) },
		OnPrompt: func(i int) { prompts = append(prompts, i) },
		OnSaving: func() { saving = true },
	})
	if err != nil {
		t.Fatalf("Record() = %v", err)
	}
	t.Logf("a 3 s take at the fast clock took %v; %+v", time.Since(start).Round(time.Millisecond), *take)
	if take.Frames != frames || take.Dropped != 0 || take.Duration != 3*time.Second || take.Drift.Abs() > time.Millisecond || take.AudioLost != 0 {
		t.Errorf("Record() = %d frames, %d dropped, %v long, drift %v, %v of sound lost; want %d, 0, 3s, 0, 0", take.Frames, take.Dropped, take.Duration, take.Drift, take.AudioLost, frames)
	}
	if take.Format != (capture.VideoFormat{Pixel: capture.MJPEG, Width: 320, Height: 240, FPS: fps}) {
		t.Errorf("Take.Format = %+v", take.Format)
	}
	if shown.Load() != frames || levels.Load() != 300 || !slices.Equal(prompts, []int{0, 1}) || !saving {
		t.Errorf("callbacks: %d frames shown, %d levels, prompts %v, saving %v; want %d, 300, [0 1], true", shown.Load(), levels.Load(), prompts, saving, frames)
	}
	p, err := tools.Probe(testCtx(t, time.Minute), take.Video)
	if err != nil {
		t.Fatal(err)
	}
	in, err := tools.Probe(testCtx(t, time.Minute), video)
	if err != nil {
		t.Fatal(err)
	}
	if v := p.Video; v == nil || v.Codec != "h264" || v.Frames != in.Video.Frames || v.Width != 320 || v.FrameRate.Float() != fps {
		t.Errorf("video = %+v, want h264 320x240 at 30 fps with the input's %d frames", p.Video, in.Video.Frames)
	}
	if a := p.Audio; a == nil || a.Codec != "aac" || a.SampleRate != 48000 || (a.Duration-3*time.Second).Abs() > 30*time.Millisecond {
		t.Errorf("audio = %+v, want 3 s of aac at 48 kHz", p.Audio)
	}
	if (p.Duration - 3*time.Second).Abs() > 40*time.Millisecond {
		t.Errorf("duration = %v, want 3 s", p.Duration)
	}
	if off := syncOffset(t, tools, take.Video, fps); off.Abs() > time.Second/fps {
		t.Errorf("the beep is %v from the flash, more than a frame", off)
	} else {
		t.Logf("the beep is %v from the flash", off)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 1 || filepath.Join(tmp, left[0].Name()) != take.Video {
		t.Errorf("TempDir holds %v, want only the take", left)
	}
}

// The Y4M fake plays as a YUYV camera; the script's length ends the take.
func TestRecordYUYV(t *testing.T) {
	tools := needTools(t)
	const fps = 25
	mark := time.Second
	video, sound := inputs(t, tools, "y4m",
		capturetest.Pattern{Width: 160, Height: 120, FPS: fps, Duration: 3 * time.Second, Flash: mark},
		capturetest.Tone{Rate: 44100, Channels: 2, Duration: 3 * time.Second, Beep: mark})
	clock := clocktest.New(time.Unix(0, 0))
	cam, mic := openFakes(t, video, sound, clock)
	take, err := capture.Record(testCtx(t, time.Minute), cam, mic, clock, script(2*time.Second), capture.RecordOptions{TempDir: t.TempDir(), Tools: tools})
	if err != nil {
		t.Fatalf("Record() = %v", err)
	}
	if take.Frames != 50 || take.Dropped != 0 || take.Duration != 2*time.Second || take.Drift.Abs() > time.Millisecond {
		t.Errorf("Record() = %+v, want 50 frames, 2 s, no drift", *take)
	}
	p, err := tools.Probe(testCtx(t, time.Minute), take.Video)
	if err != nil {
		t.Fatal(err)
	}
	if p.Video == nil || p.Video.Frames != 50 || p.Audio == nil || p.Audio.SampleRate != 48000 {
		t.Errorf("probe = %+v %+v, want 50 frames and 48 kHz sound", p.Video, p.Audio)
	}
	if off := syncOffset(t, tools, take.Video, fps); off.Abs() > time.Second/fps {
		t.Errorf("the beep is %v from the flash, more than a frame", off)
	}
}

// A camera unplugged mid-take: ErrUnplugged, and a playable take of the
// frames before it, with the sound cut to match.
func TestRecordUnplugged(t *testing.T) {
	tools := needTools(t)
	video, sound := inputs(t, tools, "mjpeg",
		capturetest.Pattern{Width: 160, Height: 120, FPS: 30, Duration: 3 * time.Second, Flash: -1},
		capturetest.Tone{Rate: 48000, Channels: 1, Duration: 3 * time.Second, Beep: -1})
	clock := clocktest.New(time.Unix(0, 0))
	cam, mic := openFakes(t, video, sound, clock)
	take, err := capture.Record(testCtx(t, time.Minute), capturetest.Unplug(cam, 40), mic, clock, script(3*time.Second), capture.RecordOptions{TempDir: t.TempDir(), Tools: tools})
	if !errors.Is(err, capture.ErrUnplugged) {
		t.Fatalf("Record(unplugged after 40 frames) = %v, want ErrUnplugged", err)
	}
	t.Logf("Record() = %v", err)
	if take == nil {
		t.Fatal("Record(unplugged) returned no take")
	}
	if take.Frames != 40 || take.Drift.Abs() > time.Second/30 {
		t.Errorf("Record(unplugged) = %+v, want 40 frames and the sound cut to them", *take)
	}
	p, err := tools.Probe(testCtx(t, time.Minute), take.Video)
	if err != nil {
		t.Fatalf("the unplugged take does not play: %v", err)
	}
	if p.Video.Frames != 40 || p.Audio == nil || (p.Audio.Duration-40*time.Second/30).Abs() > 30*time.Millisecond {
		t.Errorf("probe = %+v %+v, want 40 frames and 1.33 s of sound", p.Video, p.Audio)
	}
}

// skipping loses frames 10, 11 and 12, as a camera that hiccups.
type skipping struct {
	capture.Camera
	n int
}

func (s *skipping) Epoch() time.Time { return s.Camera.(capture.Epocher).Epoch() }

func (s *skipping) ReadFrame(ctx context.Context) (capture.Frame, error) {
	for {
		f, err := s.Camera.ReadFrame(ctx)
		s.n++
		if err != nil || s.n < 11 || s.n > 13 {
			return f, err
		}
	}
}

func TestRecordCountsDroppedFrames(t *testing.T) {
	tools := needTools(t)
	video, sound := inputs(t, tools, "mjpeg",
		capturetest.Pattern{Width: 160, Height: 120, FPS: 30, Duration: time.Second, Flash: -1},
		capturetest.Tone{Rate: 48000, Channels: 1, Duration: time.Second, Beep: -1})
	clock := clocktest.New(time.Unix(0, 0))
	cam, mic := openFakes(t, video, sound, clock)
	take, err := capture.Record(testCtx(t, time.Minute), &skipping{Camera: cam}, mic, clock, script(time.Second), capture.RecordOptions{TempDir: t.TempDir(), Tools: tools})
	if err != nil {
		t.Fatal(err)
	}
	if take.Dropped != 3 || take.Frames != 30 {
		t.Errorf("Record(3 frames lost) = %d dropped, %d frames, want 3 dropped and 30 frames (the gap filled)", take.Dropped, take.Frames)
	}
}

// early is a microphone that started before the take: its times count
// from 300 ms before its first read.
type early struct {
	*capture.FileMicrophone
}

func (e early) Epoch() time.Time { return e.FileMicrophone.Epoch().Add(-300 * time.Millisecond) }

// Sound and picture are lined up by their devices' times, not by counting
// samples: a microphone that says its sound is 300 ms older is heard 300
// ms sooner.
func TestRecordHonoursEpochs(t *testing.T) {
	tools := needTools(t)
	mark := 1500 * time.Millisecond
	video, sound := inputs(t, tools, "mjpeg",
		capturetest.Pattern{Width: 160, Height: 120, FPS: 30, Duration: 3 * time.Second, Flash: mark},
		capturetest.Tone{Rate: 48000, Channels: 1, Duration: 3 * time.Second, Beep: mark})
	clock := clocktest.New(time.Unix(0, 0))
	cam, mic := openFakes(t, video, sound, clock)
	take, err := capture.Record(testCtx(t, time.Minute), cam, early{mic}, clock, script(3*time.Second), capture.RecordOptions{TempDir: t.TempDir(), Tools: tools})
	if err != nil {
		t.Fatal(err)
	}
	if off := syncOffset(t, tools, take.Video, 30); (off + 300*time.Millisecond).Abs() > time.Second/30 {
		t.Errorf("the beep is %v from the flash, want -300ms", off)
	}
	if (take.Drift + 300*time.Millisecond).Abs() > time.Millisecond {
		t.Errorf("Drift = %v, want -300ms: the sound's first 300 ms were before the take", take.Drift)
	}
}

// cancelling cancels ctx once it has read n frames.
type cancelling struct {
	capture.Camera
	n      int
	cancel context.CancelFunc
}

func (c *cancelling) ReadFrame(ctx context.Context) (capture.Frame, error) {
	if c.n--; c.n == 0 {
		c.cancel()
	}
	return c.Camera.ReadFrame(ctx)
}

func TestRecordCancel(t *testing.T) {
	tools := needTools(t)
	video, sound := inputs(t, tools, "mjpeg",
		capturetest.Pattern{Width: 160, Height: 120, FPS: 30, Duration: 2 * time.Second, Flash: -1},
		capturetest.Tone{Rate: 48000, Channels: 1, Duration: 2 * time.Second, Beep: -1})
	for _, when := range []string{"recording", "saving"} {
		t.Run(when, func(t *testing.T) {
			clock := clocktest.New(time.Unix(0, 0))
			cam, mic := openFakes(t, video, sound, clock)
			ctx, cancel := context.WithCancel(testCtx(t, time.Minute))
			defer cancel()
			opts := capture.RecordOptions{TempDir: t.TempDir(), Tools: tools}
			var c capture.Camera = cam
			if when == "recording" {
				c = &cancelling{Camera: cam, n: 20, cancel: cancel}
			} else {
				opts.OnSaving = cancel
			}
			take, err := capture.Record(ctx, c, mic, clock, script(2*time.Second), opts)
			if !errors.Is(err, context.Canceled) || take != nil {
				t.Errorf("Record(cancelled while %s) = %v, %v, want context.Canceled and no take", when, take, err)
			}
			if left, _ := os.ReadDir(opts.TempDir); len(left) != 0 {
				t.Errorf("cancelled while %s, TempDir holds %v", when, left)
			}
		})
	}
}

func TestRecordRefuses(t *testing.T) {
	tools := needTools(t)
	video, sound := inputs(t, tools, "mjpeg",
		capturetest.Pattern{Width: 160, Height: 120, FPS: 30, Duration: time.Second, Flash: -1},
		capturetest.Tone{Rate: 48000, Channels: 1, Duration: time.Second, Beep: -1})
	clock := clocktest.New(time.Unix(0, 0))
	cam, mic := openFakes(t, video, sound, clock)
	if _, err := capture.Record(context.Background(), cam, mic, clock, script(time.Second), capture.RecordOptions{TempDir: t.TempDir()}); !errors.Is(err, media.ErrMissingTool) {
		t.Errorf("Record(no ffmpeg) = %v, want ErrMissingTool before recording", err)
	}
	if _, err := capture.Record(context.Background(), cam, mic, clock, script(0), capture.RecordOptions{TempDir: t.TempDir(), Tools: tools}); err == nil {
		t.Error("Record(a take of 0 s) = nil error")
	}
}

// A minute at real pace, as a person records: 1280×720 MJPEG at 30 fps
// and 48 kHz sound. It measures what capture costs: the CPU time of this
// process from the take's start to the end of recording (the fakes'
// reading included, standing in for the drivers), per second recorded;
// and the encode's, which ffmpeg spends in a child process afterwards.
func TestRecordMinuteAtRealPace(t *testing.T) {
	if testing.Short() {
		t.Skip("records for a minute of real time")
	}
	tools := needTools(t)
	const length = 60 * time.Second
	genStart := time.Now()
	video, sound := inputs(t, tools, "mjpeg",
		capturetest.Pattern{Width: 1280, Height: 720, FPS: 30, Duration: length, Flash: 30 * time.Second},
		capturetest.Tone{Rate: 48000, Channels: 1, Duration: length, Beep: 30 * time.Second})
	t.Logf("generated the input in %v", time.Since(genStart).Round(time.Millisecond))
	clock := clock.Real{}
	cam, mic := openFakes(t, video, sound, clock)

	var before, captured, after usage
	var capturedAt time.Time
	before = rusage(t)
	start := time.Now()
	take, err := capture.Record(testCtx(t, 9*time.Minute), cam, mic, clock, script(length), capture.RecordOptions{
		TempDir:  t.TempDir(),
		Tools:    tools,
		OnSaving: func() { captured, capturedAt = rusage(t), time.Now() },
	})
	if err != nil {
		t.Fatalf("Record() = %v", err)
	}
	after = rusage(t)
	end := time.Now()
	capCPU := captured.self - before.self
	t.Logf("take: %d frames, %d dropped, drift %v, %v of sound lost, %v long", take.Frames, take.Dropped, take.Drift, take.AudioLost, take.Duration)
	t.Logf("capture: %v of wall time, %.3f CPU s (user+system), %.4f CPU s per s of capture", capturedAt.Sub(start).Round(time.Millisecond), capCPU.Seconds(), capCPU.Seconds()/length.Seconds())
	t.Logf("encode: %v of wall time, %.1f CPU s in ffmpeg, %.2f CPU s in Slate", end.Sub(capturedAt).Round(time.Millisecond), (after.children - captured.children).Seconds(), (after.self - captured.self).Seconds())
	if take.Dropped != 0 {
		t.Errorf("Dropped = %d, want 0", take.Dropped)
	}
	if take.Drift.Abs() > time.Second/30 {
		t.Errorf("Drift = %v, want within a frame", take.Drift)
	}
	if take.Frames != 1800 {
		t.Errorf("Frames = %d, want 1800", take.Frames)
	}
	if off := syncOffset(t, tools, take.Video, 30); off.Abs() > time.Second/30 {
		t.Errorf("the beep is %v from the flash, more than a frame", off)
	} else {
		t.Logf("the beep is %v from the flash", off)
	}
}

type usage struct{ self, children time.Duration }

func (u usage) String() string { return fmt.Sprintf("self %v, children %v", u.self, u.children) }
