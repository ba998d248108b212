package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
)

// Encoder defaults, chosen for a laptop: fast to encode, visually clean.
const (
	DefaultPreset = "veryfast"
	DefaultCRF    = 20
	// MaxFPS bounds frame rates; no shot needs more, and a typo such as
	// 2400 would otherwise make a very long encode.
	MaxFPS = 240
)

// EncodeOptions describes an H.264 MP4 encode from raw frames.
type EncodeOptions struct {
	Width, Height int    // even, at most MaxWidth×MaxHeight
	FPS           int    // frames per second, 1..MaxFPS
	PixFmt        string // of the frames written: "yuv420p" (default) or "rgba"
	Output        string // the .mp4 to write; only a successful Close creates it
	Audio         string // optional WAV (or any audio file) muxed as AAC 192k, 48 kHz stereo
	Preset        string // x264 preset; default "veryfast"
	CRF           int    // x264 constant rate factor, 1..51; 0 means the default 20, so lossless is not offered
	Threads       int    // 0 lets x264 choose
	// BT709 tags the video as BT.709 limited range, so players and
	// ffmpeg's own scaler convert its colours the way they were made.
	BT709 bool
}

// x264 is o's settings for libx264.
func (o EncodeOptions) x264() x264 {
	return x264{preset: o.Preset, crf: o.CRF, threads: o.Threads, fps: o.FPS}
}

// withDefaults fills the zero values; x264's are filled by x264.args.
func (o EncodeOptions) withDefaults() EncodeOptions {
	if o.PixFmt == "" {
		o.PixFmt = "yuv420p"
	}
	return o
}

// x264 is the H.264 settings that both encodes, the renders' and the
// camera's, hand to libx264.
type x264 struct {
	preset  string // "" means DefaultPreset
	crf     int    // 0 means DefaultCRF
	threads int    // 0 lets x264 choose
	fps     int
}

// check refuses what libx264 would refuse late, inside ffmpeg, with a less
// helpful message.
func (x x264) check() error {
	switch {
	case x.preset != "" && !knownPreset(x.preset):
		return fmt.Errorf("x264 preset %q is unknown (want one such as \"veryfast\" or \"medium\")", x.preset)
	case x.crf < 0 || x.crf > 51:
		return fmt.Errorf("crf %d must be between 0 and 51", x.crf)
	case x.threads < 0:
		return fmt.Errorf("threads %d must not be negative", x.threads)
	}
	return nil
}

// args are ffmpeg's options for the video track: H.264 High in 4:2:0, a
// keyframe every two seconds (a compromise between seeking and size), and
// a time scale of FPS×1000 ticks, so every frame time is an exact number
// of ticks and frame-exact timecodes survive the container.
func (x x264) args() []string {
	preset, crf := x.preset, x.crf
	if preset == "" {
		preset = DefaultPreset
	}
	if crf == 0 {
		crf = DefaultCRF
	}
	args := []string{
		"-c:v", "libx264", "-preset", preset, "-crf", strconv.Itoa(crf),
		"-profile:v", "high", "-pix_fmt", "yuv420p",
		"-g", strconv.Itoa(2 * x.fps),
		"-video_track_timescale", strconv.Itoa(x.fps * 1000),
	}
	if x.threads > 0 {
		args = append(args, "-threads", strconv.Itoa(x.threads))
	}
	return args
}

// knownPreset reports whether libx264 knows preset.
func knownPreset(preset string) bool {
	switch preset {
	case "ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow", "placebo":
		return true
	}
	return false
}

// validate checks options before any program starts, so that mistakes are
// reported in Slate's words rather than ffmpeg's.
func (o EncodeOptions) validate() error {
	switch {
	case o.Width <= 0 || o.Height <= 0:
		return fmt.Errorf("frame size %dx%d must be positive", o.Width, o.Height)
	case o.Width%2 != 0 || o.Height%2 != 0:
		return fmt.Errorf("frame size %dx%d must be even in both directions for H.264 4:2:0", o.Width, o.Height)
	case o.Width > MaxWidth || o.Height > MaxHeight:
		return fmt.Errorf("%w: frame size %dx%d exceeds the limit of %dx%d", ErrTooLarge, o.Width, o.Height, MaxWidth, MaxHeight)
	case o.FPS <= 0 || o.FPS > MaxFPS:
		return fmt.Errorf("frame rate %d must be between 1 and %d", o.FPS, MaxFPS)
	case o.PixFmt != "yuv420p" && o.PixFmt != "rgba":
		return fmt.Errorf("pixel format %q: want \"yuv420p\" or \"rgba\"", o.PixFmt)
	}
	return checkMP4(o.x264(), o.Output, o.Audio)
}

// checkMP4 checks what the film's encoder and the camera's are given
// alike: the x264 settings, where the MP4 goes, and the sound file to put
// in it, if any.
func checkMP4(x x264, output, audio string) error {
	if err := x.check(); err != nil {
		return err
	}
	if output == "" {
		return errors.New("no output file")
	}
	if err := checkPlainPath(output); err != nil {
		return fmt.Errorf("output %q: %w", output, err)
	}
	if audio != "" {
		if err := CheckInputPath(audio); err != nil {
			return err
		}
	}
	return nil
}

// EncoderArgs returns the ffmpeg arguments an [Encoder] runs (after the
// common "-nostdin -hide_banner -nostats -loglevel error -y"), reading frames
// from standard input and writing opts.Output. It is exported so that a
// benchmark can run ffmpeg alone with exactly the same settings.
//
// The video is as x264.args says. Audio is padded with silence and cut to
// the video's length, because the film's length is the picture's.
func EncoderArgs(opts EncodeOptions) []string {
	o := opts.withDefaults()
	fps := strconv.Itoa(o.FPS)
	args := []string{
		"-f", "rawvideo", "-pix_fmt", o.PixFmt, "-s", fmt.Sprintf("%dx%d", o.Width, o.Height), "-framerate", fps,
		"-protocol_whitelist", ProtocolWhitelist, "-i", stdinInput,
	}
	if o.Audio != "" {
		args = append(args, "-protocol_whitelist", ProtocolWhitelist, "-i", o.Audio, "-map", "0:v:0", "-map", "1:a:0")
	}
	args = append(args, o.x264().args()...)
	if o.BT709 {
		args = append(args, "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709", "-color_range", "tv")
	}
	if o.Audio != "" {
		args = append(args, "-c:a", "aac", "-b:a", "192k", "-ar", "48000", "-ac", "2", "-af", "apad", "-shortest")
	}
	return append(args, "-movflags", "+faststart", "-f", "mp4", o.Output)
}

// Encoder feeds raw frames to ffmpeg, which writes an H.264 MP4. Its methods
// are not safe for concurrent use, except Abort, which may be called from
// another goroutine to stop an encode.
type Encoder struct {
	proc      *process
	stdin     io.WriteCloser
	tmp       string
	output    string
	frameSize int

	waitOnce sync.Once
	waitErr  error

	mu       sync.Mutex
	finished bool
	err      error // the first failure, returned again by later calls
}

// wait waits for ffmpeg once, however many of WriteFrame, Close and Abort
// get there.
func (e *Encoder) wait() error {
	e.waitOnce.Do(func() { e.waitErr = e.proc.wait() })
	return e.waitErr
}

// NewEncoder validates opts and starts ffmpeg. Frames go to a temp file in
// the output's directory; only a successful [Encoder.Close] renames it to
// opts.Output. Cancelling ctx kills ffmpeg; Close then reports ctx.Err().
func (t Tools) NewEncoder(ctx context.Context, opts EncodeOptions) (*Encoder, error) {
	o := opts.withDefaults()
	if err := o.validate(); err != nil {
		return nil, fmt.Errorf("new encoder: %w", err)
	}
	if err := t.Check(ToolFFmpeg); err != nil {
		return nil, err
	}
	tmp, err := reserveTemp(o.Output)
	if err != nil {
		return nil, fmt.Errorf("new encoder: %w", err)
	}
	o.Output = tmp
	args := append([]string{"-nostdin", "-hide_banner", "-nostats", "-loglevel", "error", "-y"}, EncoderArgs(o)...)
	proc, err := t.command(ctx, ToolFFmpeg, args)
	if err != nil {
		os.Remove(tmp)
		return nil, err
	}
	// A 720p frame is 1.4 MB: fed through a large pipe.
	stdin, err := proc.startFed()
	if err != nil {
		os.Remove(tmp)
		return nil, fmt.Errorf("new encoder: %w", err)
	}
	return &Encoder{
		proc:      proc,
		stdin:     stdin,
		tmp:       tmp,
		output:    opts.Output,
		frameSize: FrameSize(o.PixFmt, o.Width, o.Height),
	}, nil
}

// FrameSize returns the number of bytes one frame must have.
func (e *Encoder) FrameSize() int { return e.frameSize }

// WriteFrame sends one frame. A frame of the wrong length is refused before
// anything is written, so the stream never goes out of step.
func (e *Encoder) WriteFrame(frame []byte) error {
	if len(frame) != e.frameSize {
		return fmt.Errorf("encode %q: frame is %d bytes, want %d", e.output, len(frame), e.frameSize)
	}
	e.mu.Lock()
	err := e.err
	e.mu.Unlock()
	if err != nil {
		return err
	}
	if _, err := e.stdin.Write(frame); err != nil {
		// ffmpeg has gone; its exit status and stderr say why, the broken
		// pipe does not.
		return e.fail(e.wait())
	}
	return nil
}

// fail records the first failure, removes the temp file and returns the
// failure wrapped with the output's name.
func (e *Encoder) fail(err error) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.failLocked(err)
}

func (e *Encoder) failLocked(err error) error {
	if e.err == nil {
		if err == nil {
			err = errors.New("ffmpeg exited before the last frame")
		}
		e.err = fmt.Errorf("encode %q: %w", e.output, err)
	}
	e.finished = true
	os.Remove(e.tmp)
	return e.err
}

// Close ends the stream, waits for ffmpeg to finish the file and moves it to
// the output path. On any failure the output path is left untouched.
func (e *Encoder) Close() error {
	e.mu.Lock()
	if e.finished {
		defer e.mu.Unlock()
		return e.err
	}
	e.mu.Unlock()
	e.stdin.Close()
	err := e.wait()

	e.mu.Lock()
	if e.finished { // aborted while ffmpeg was finishing
		defer e.mu.Unlock()
		return e.err
	}
	if err != nil {
		defer e.mu.Unlock()
		return e.failLocked(err)
	}
	// From here on the encode has succeeded and Abort is too late.
	e.finished = true
	e.mu.Unlock()
	if err := commitTemp(e.tmp, e.output); err != nil {
		e.mu.Lock()
		defer e.mu.Unlock()
		return e.failLocked(err)
	}
	return nil
}

// Abort kills ffmpeg, waits for it to go and removes the partial file. It is
// safe to call after Close (it then does nothing) and from another goroutine;
// WriteFrame and Close return an error after it.
func (e *Encoder) Abort() {
	e.mu.Lock()
	done := e.finished
	e.mu.Unlock()
	if done {
		return
	}
	if e.proc.cmd.Process != nil {
		e.proc.cmd.Process.Kill()
	}
	e.stdin.Close()
	e.wait()
	e.fail(errors.New("aborted"))
}

// FrameSize returns the size in bytes of one raw frame of the given pixel
// format, or 0 for a format media does not handle. yuv420p rounds the
// chroma planes up, as ffmpeg does for odd sizes.
func FrameSize(pixFmt string, width, height int) int {
	if width <= 0 || height <= 0 {
		return 0
	}
	switch pixFmt {
	case "yuv420p":
		cw, ch := (width+1)/2, (height+1)/2
		return width*height + 2*cw*ch
	case "rgba", "bgra":
		return width * height * 4
	case "rgb24", "bgr24":
		return width * height * 3
	case "gray":
		return width * height
	}
	return 0
}
