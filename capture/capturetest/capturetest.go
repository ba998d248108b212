// Package capturetest has fakes for capture: file-backed cameras and
// microphones that keep real pace (against a clock.Clock: clocktest.Clock
// skips the waiting), a camera that is unplugged mid-take, and generators
// for their files.
//
// The file players themselves live in capture (FileCamera,
// FileMicrophone), because capture.OpenDevices selects them by name from
// the CLI and the studio, and capture cannot import this package, which
// imports it.
package capturetest

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/slatestudio/slate/capture"
	"github.com/slatestudio/slate/internal/clock"
	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/media/audio"
)

// OpenCamera plays a .y4m (YUV 4:2:0, 8-bit) or .mjpeg (concatenated
// JPEGs, 30 fps) file as a camera at its frame rate against clock: frame
// n comes at start + n/fps, and io.EOF after the last. See
// capture.FileCamera.
func OpenCamera(path string, clock clock.Clock) (*capture.FileCamera, error) {
	return capture.OpenFileCamera(path, clock)
}

// OpenMicrophone plays a WAV file as a microphone in 10 ms buffers at
// real pace against clock, and io.EOF at the end. See
// capture.FileMicrophone.
func OpenMicrophone(path string, clock clock.Clock) (*capture.FileMicrophone, error) {
	return capture.OpenFileMicrophone(path, clock)
}

// Unplug wraps cam so that after frames frames ReadFrame fails with an
// error wrapping capture.ErrUnplugged, as a webcam pulled out mid-take.
// The wrapper keeps cam's Epoch.
func Unplug(cam capture.Camera, frames int) capture.Camera {
	u := &unplugged{Camera: cam, left: frames}
	if e, ok := cam.(capture.Epocher); ok {
		return &unpluggedEpocher{unplugged: u, e: e}
	}
	return u
}

type unplugged struct {
	capture.Camera
	left int
}

// ReadFrame reads from the camera until it is unplugged.
func (u *unplugged) ReadFrame(ctx context.Context) (capture.Frame, error) {
	if u.left <= 0 {
		return capture.Frame{}, fmt.Errorf("read fake camera: %w", capture.ErrUnplugged)
	}
	u.left--
	return u.Camera.ReadFrame(ctx)
}

type unpluggedEpocher struct {
	*unplugged
	e capture.Epocher
}

// Epoch is the camera's.
func (u *unpluggedEpocher) Epoch() time.Time { return u.e.Epoch() }

// Pattern describes a generated test video: ffmpeg's testsrc2 picture
// (moving, coloured, with a frame counter).
type Pattern struct {
	Width, Height, FPS int
	Duration           time.Duration
	// Flash, when not negative, turns the frame shown at that time white:
	// a mark to line up with a Tone's beep.
	Flash time.Duration
}

// lavfi returns the ffmpeg input of the pattern.
func (p Pattern) lavfi() []string {
	src := fmt.Sprintf("testsrc2=size=%dx%d:rate=%d", p.Width, p.Height, p.FPS)
	if p.Flash >= 0 {
		n := int64(p.Flash) * int64(p.FPS) / int64(time.Second)
		src += fmt.Sprintf(",drawbox=x=0:y=0:w=iw:h=ih:color=white:t=fill:enable=eq(n\\,%d)", n)
	}
	return []string{"-f", "lavfi", "-i", src, "-t", strconv.FormatFloat(p.Duration.Seconds(), 'f', 6, 64)}
}

// WriteMJPEG writes the pattern as an .mjpeg file (concatenated JPEGs, as
// an MJPEG webcam sends them) through ffmpeg.
func WriteMJPEG(ctx context.Context, tools media.Tools, path string, p Pattern) error {
	args := append(p.lavfi(), "-c:v", "mjpeg", "-q:v", "5", "-pix_fmt", "yuvj422p", "-f", "mjpeg", path)
	if err := tools.RunFFmpeg(ctx, args...); err != nil {
		return fmt.Errorf("write test mjpeg: %w", err)
	}
	return nil
}

// WriteY4M writes the pattern as a .y4m file (8-bit 4:2:0) through ffmpeg.
func WriteY4M(ctx context.Context, tools media.Tools, path string, p Pattern) error {
	args := append(p.lavfi(), "-pix_fmt", "yuv420p", "-f", "yuv4mpegpipe", path)
	if err := tools.RunFFmpeg(ctx, args...); err != nil {
		return fmt.Errorf("write test y4m: %w", err)
	}
	return nil
}

// Tone describes a generated test sound: a quiet 440 Hz tone, as a room
// heard by a microphone, with an optional loud beep.
type Tone struct {
	Rate, Channels int
	Duration       time.Duration
	// Beep, when not negative, is when a 50 ms 1 kHz beep at half scale
	// starts: a mark to line up with a Pattern's flash.
	Beep time.Duration
}

// WriteTone writes the tone as a 16-bit WAV file.
func WriteTone(path string, t Tone) error {
	frames := int(int64(t.Duration) * int64(t.Rate) / int64(time.Second))
	p := audio.NewPCM(t.Rate, t.Channels, frames)
	beepFrom, beepTo := -1, -1
	if t.Beep >= 0 {
		beepFrom = int(int64(t.Beep) * int64(t.Rate) / int64(time.Second))
		beepTo = beepFrom + t.Rate/20
	}
	for f := range frames {
		x := float64(f) / float64(t.Rate)
		v := 0.03 * math.Sin(2*math.Pi*440*x)
		if beepFrom <= f && f < beepTo {
			v = 0.5 * math.Sin(2*math.Pi*1000*x)
		}
		for c := range t.Channels {
			p.Samples[f*t.Channels+c] = float32(v)
		}
	}
	if err := audio.WriteWAVFile(path, p); err != nil {
		return fmt.Errorf("write test tone: %w", err)
	}
	return nil
}
