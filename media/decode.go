package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
)

// DecodeOptions says what frames a [Decoder] produces.
type DecodeOptions struct {
	Width, Height int    // 0 keeps the source's size; otherwise frames are scaled
	PixFmt        string // "yuv420p" (default), "rgba", "rgb24" or "gray"
	FPS           int    // 0 keeps the source's frames as they are; otherwise a constant rate (ffmpeg's fps filter), duplicating or dropping frames
}

// Decoder reads a video's frames as raw pixels from ffmpeg. Its methods are
// not safe for concurrent use.
type Decoder struct {
	path          string
	proc          *process
	stdout        io.ReadCloser
	width, height int
	frameSize     int

	waitOnce sync.Once
	waitErr  error
	err      error // sticky: io.EOF after the last frame, or the failure
}

// NewDecoder probes path (which enforces Slate's limits and needs ffprobe)
// and starts ffmpeg decoding its first video stream.
func (t Tools) NewDecoder(ctx context.Context, path string, opts DecodeOptions) (*Decoder, error) {
	if opts.PixFmt == "" {
		opts.PixFmt = "yuv420p"
	}
	switch {
	case FrameSize(opts.PixFmt, 1, 1) == 0:
		return nil, fmt.Errorf("decode %q: pixel format %q: want \"yuv420p\", \"rgba\", \"rgb24\" or \"gray\"", path, opts.PixFmt)
	case opts.Width < 0 || opts.Height < 0 || opts.Width > MaxWidth || opts.Height > MaxHeight:
		return nil, fmt.Errorf("decode %q: frame size %dx%d must be within %dx%d", path, opts.Width, opts.Height, MaxWidth, MaxHeight)
	case opts.FPS < 0 || opts.FPS > MaxFPS:
		return nil, fmt.Errorf("decode %q: frame rate %d must be between 0 and %d", path, opts.FPS, MaxFPS)
	}
	in, err := InputArgs(path)
	if err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	if err := t.Check(ToolFFmpeg, ToolFFprobe); err != nil {
		return nil, err
	}
	pr, err := t.Probe(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	if pr.Video == nil || pr.Video.Width <= 0 || pr.Video.Height <= 0 {
		return nil, fmt.Errorf("decode %q: no video stream", path)
	}
	w, h := opts.Width, opts.Height
	if w == 0 {
		w = pr.Video.Width
	}
	if h == 0 {
		h = pr.Video.Height
	}

	args := append([]string{"-nostdin", "-hide_banner", "-nostats", "-loglevel", "error"}, in...)
	args = append(args, "-map", "0:v:0", "-an", "-sn", "-dn")
	var filters []string
	if opts.FPS > 0 {
		// The fps filter rather than "-r": ffmpeg 5.1's -r on rawvideo output
		// adds frames at the end (14 instead of 12 for one second at 12 fps).
		filters = append(filters, "fps="+strconv.Itoa(opts.FPS))
	}
	if w != pr.Video.Width || h != pr.Video.Height {
		filters = append(filters, fmt.Sprintf("scale=%d:%d:flags=bicubic", w, h))
	}
	if len(filters) > 0 {
		args = append(args, "-vf", strings.Join(filters, ","))
	}
	args = append(args, "-f", "rawvideo", "-pix_fmt", opts.PixFmt, "pipe:1")

	proc, err := t.command(ctx, ToolFFmpeg, args)
	if err != nil {
		return nil, err
	}
	stdout, err := proc.cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("decode %q: %w", path, err)
	}
	if err := proc.start(); err != nil {
		return nil, fmt.Errorf("decode %q: %w", path, err)
	}
	return &Decoder{
		path:      path,
		proc:      proc,
		stdout:    stdout,
		width:     w,
		height:    h,
		frameSize: FrameSize(opts.PixFmt, w, h),
	}, nil
}

// FrameSize returns the number of bytes in one frame.
func (d *Decoder) FrameSize() int { return d.frameSize }

// Size returns the frames' width and height, which are the source's when
// DecodeOptions left them zero.
func (d *Decoder) Size() (width, height int) { return d.width, d.height }

// ReadFrame fills buf, which must be FrameSize bytes, with the next frame.
// It returns io.EOF after the last frame, and ffmpeg's error instead if the
// decode failed.
func (d *Decoder) ReadFrame(buf []byte) error {
	if len(buf) != d.frameSize {
		return fmt.Errorf("decode %q: buffer is %d bytes, want %d", d.path, len(buf), d.frameSize)
	}
	if d.err != nil {
		return d.err
	}
	_, err := io.ReadFull(d.stdout, buf)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, io.EOF):
		d.err = io.EOF
	case errors.Is(err, io.ErrUnexpectedEOF):
		d.err = fmt.Errorf("decode %q: the last frame is incomplete", d.path)
	default:
		d.err = fmt.Errorf("decode %q: %w", d.path, err)
	}
	// ffmpeg's exit says more than the end of its output: a failed decode
	// also ends the output.
	if werr := d.wait(); werr != nil {
		d.err = fmt.Errorf("decode %q: %w", d.path, werr)
	}
	return d.err
}

func (d *Decoder) wait() error {
	d.waitOnce.Do(func() { d.waitErr = d.proc.wait() })
	return d.waitErr
}

// Close stops ffmpeg if frames remain unread and releases it. It returns the
// decode's failure, if there was one, but not the deliberate stop.
func (d *Decoder) Close() error {
	if d.err == nil {
		if d.proc.cmd.Process != nil {
			d.proc.cmd.Process.Kill()
		}
		d.stdout.Close()
		d.wait()
		d.err = fmt.Errorf("decode %q: decoder closed", d.path)
		return nil
	}
	if d.err == io.EOF {
		return nil
	}
	return d.err
}
