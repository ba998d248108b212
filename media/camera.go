package media

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"
)

// Codecs of the camera frames [Tools.EncodeCamera] reads.
const (
	CameraMJPEG = "mjpeg"   // concatenated JPEG images, as MJPEG webcams send them
	CameraYUYV  = "yuyv422" // raw packed 4:2:2 frames, two bytes a pixel
)

// CameraEncodeOptions describes an encode of a camera's frames into an
// MP4 of H.264 video and AAC sound.
type CameraEncodeOptions struct {
	Codec         string // CameraMJPEG or CameraYUYV
	Width, Height int    // of the frames; with MJPEG, the JPEGs' own size wins
	// FPS is the output's constant rate: frame n of the stream is shown at
	// n/FPS s. The caller places the camera's frames on that grid first
	// (repeating or leaving out frames), because only it knows when each
	// was captured.
	FPS int
	// Audio is an optional WAV (or any audio file) whose first sample goes
	// with the first frame; it is kept whole, not cut to the picture, so a
	// difference in length stays visible. AAC, 128 kb/s, 48 kHz.
	Audio string
	// AudioDuration, when positive, cuts the sound to this length: a take
	// that ended early keeps no sound past its end.
	AudioDuration time.Duration
	Output        string // the .mp4 to write; only a successful encode creates it
	Preset        string // x264 preset; default "veryfast"
	CRF           int    // 1..51; 0 means the default 20
	Threads       int    // 0 lets x264 choose
}

// x264 is o's settings for libx264.
func (o CameraEncodeOptions) x264() x264 {
	return x264{preset: o.Preset, crf: o.CRF, threads: o.Threads, fps: o.FPS}
}

func (o CameraEncodeOptions) validate() error {
	switch {
	case o.Codec != CameraMJPEG && o.Codec != CameraYUYV:
		return fmt.Errorf("camera codec %q: want %q or %q", o.Codec, CameraMJPEG, CameraYUYV)
	case o.Width <= 0 || o.Height <= 0:
		return fmt.Errorf("frame size %dx%d must be positive", o.Width, o.Height)
	case o.Width > MaxWidth || o.Height > MaxHeight:
		return fmt.Errorf("%w: frame size %dx%d exceeds the limit of %dx%d", ErrTooLarge, o.Width, o.Height, MaxWidth, MaxHeight)
	case o.Codec == CameraYUYV && o.Width%2 != 0:
		return fmt.Errorf("frame width %d must be even for YUYV, which pairs pixels", o.Width)
	case o.FPS <= 0 || o.FPS > MaxFPS:
		return fmt.Errorf("frame rate %d must be between 1 and %d", o.FPS, MaxFPS)
	}
	return checkMP4(o.x264(), o.Output, o.Audio)
}

// CameraEncoderArgs returns the ffmpeg arguments [Tools.EncodeCamera] runs
// (after "-nostdin -hide_banner -nostats -loglevel error -y"), reading the
// frames from standard input.
//
// Webcam JPEGs are full-range YUV; ffmpeg's scaler converts them to the
// limited range that H.264 players expect. Settings otherwise follow
// [EncoderArgs].
func CameraEncoderArgs(opts CameraEncodeOptions) []string {
	fps := strconv.Itoa(opts.FPS)
	var args []string
	switch opts.Codec {
	case CameraMJPEG:
		args = []string{"-f", "mjpeg", "-framerate", fps}
	default:
		args = []string{"-f", "rawvideo", "-pix_fmt", "yuyv422", "-s", fmt.Sprintf("%dx%d", opts.Width, opts.Height), "-framerate", fps}
	}
	args = append(args, "-protocol_whitelist", ProtocolWhitelist, "-i", stdinInput)
	if opts.Audio != "" {
		if opts.AudioDuration > 0 {
			args = append(args, "-t", seconds(opts.AudioDuration))
		}
		args = append(args, "-protocol_whitelist", ProtocolWhitelist, "-i", opts.Audio, "-map", "0:v:0", "-map", "1:a:0")
	}
	args = append(args, opts.x264().args()...)
	if opts.Audio != "" {
		args = append(args, "-c:a", "aac", "-b:a", "128k", "-ar", "48000")
	}
	return append(args, "-movflags", "+faststart", "-f", "mp4", opts.Output)
}

// EncodeCamera encodes the camera frames read from frames, in opts.Codec,
// into an MP4 at opts.Output, with opts.Audio as its sound. The MP4 is
// written to a temp file beside Output and renamed into place only when
// ffmpeg succeeded, so a failed or cancelled encode leaves nothing there.
// Cancelling ctx kills ffmpeg; the error then matches ctx.Err().
func (t Tools) EncodeCamera(ctx context.Context, frames io.Reader, opts CameraEncodeOptions) error {
	if err := opts.validate(); err != nil {
		return fmt.Errorf("encode camera frames: %w", err)
	}
	if err := t.Check(ToolFFmpeg); err != nil {
		return err
	}
	tmp, err := reserveTemp(opts.Output)
	if err != nil {
		return fmt.Errorf("encode camera frames: %w", err)
	}
	defer func() {
		if tmp != "" {
			os.Remove(tmp)
		}
	}()
	o := opts
	o.Output = tmp
	args := append([]string{"-nostdin", "-hide_banner", "-nostats", "-loglevel", "error", "-y"}, CameraEncoderArgs(o)...)
	p, err := t.command(ctx, ToolFFmpeg, args)
	if err != nil {
		return err
	}
	// A YUYV frame at 720p is 1.8 MB: fed through a large pipe.
	w, err := p.startFed()
	if err != nil {
		return fmt.Errorf("encode camera frames: %w", err)
	}
	_, copyErr := io.Copy(w, frames)
	w.Close()
	if err := p.wait(); err != nil {
		// ffmpeg's own failure explains a broken pipe better than the pipe.
		return fmt.Errorf("encode camera frames into %q: %w", opts.Output, err)
	}
	if copyErr != nil {
		return fmt.Errorf("encode camera frames into %q: read the frames: %w", opts.Output, copyErr)
	}
	if err := commitTemp(tmp, opts.Output); err != nil {
		return fmt.Errorf("encode camera frames: %w", err)
	}
	tmp = ""
	return nil
}
