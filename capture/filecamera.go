package capture

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/slatestudio/slate/internal/clock"
	"github.com/slatestudio/slate/media"
)

// FileMJPEGRate is the rate an .mjpeg file plays at: a stream of JPEGs
// carries no rate of its own, and 30 fps is what webcams send.
const FileMJPEGRate = 30

// maxJPEG bounds one image of an .mjpeg file, so a file that is not one
// cannot make the player read it all into memory.
const maxJPEG = 16 << 20

// FileCamera plays a video file as a camera, at the file's own frame rate
// against the clock: frame n comes at n/fps after the first read, so the
// recorder cannot tell it from a camera. It plays two kinds of file:
//
//   - .y4m: YUV4MPEG2, 8-bit 4:2:0 (ffmpeg -pix_fmt yuv420p -f
//     yuv4mpegpipe), played as a YUYV camera at the rate in its header;
//   - .mjpeg or .mjpg: JPEG images one after another (ffmpeg -c:v mjpeg
//     -f mjpeg), played as an MJPEG camera at 30 fps, since such a file
//     has no rate; the first image gives the size.
//
// Any other video becomes one of these with ffmpeg, for example
// "ffmpeg -i in.mp4 -r 30 -c:v mjpeg -q:v 3 -f mjpeg out.mjpeg".
// ReadFrame returns io.EOF after the last frame.
type FileCamera struct {
	path   string
	f      *os.File
	r      *bufio.Reader
	format VideoFormat
	clock  clock.Clock
	// The exact rate, num/den frames a second: a Y4M file may say 30000:1001.
	num, den int64
	read     func() ([]byte, error) // the next frame's bytes
	n        int64                  // frames read so far

	start sync.Once
	epoch time.Time
}

var (
	_ Camera  = (*FileCamera)(nil)
	_ Epocher = (*FileCamera)(nil)
)

// OpenFileCamera opens a .y4m or .mjpeg file to play as a camera, paced
// by clock.
func OpenFileCamera(path string, clock clock.Clock) (*FileCamera, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open fake camera: %w", err)
	}
	c := &FileCamera{path: path, f: f, r: bufio.NewReaderSize(f, 1<<20), clock: clock}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".y4m":
		err = c.openY4M()
	case ".mjpeg", ".mjpg":
		err = c.openMJPEG()
	default:
		err = fmt.Errorf("%q is neither .y4m nor .mjpeg; convert it with \"ffmpeg -i %s -r 30 -c:v mjpeg -q:v 3 -f mjpeg out.mjpeg\"", filepath.Ext(path), filepath.Base(path))
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open fake camera %q: %w", path, err)
	}
	return c, nil
}

func (c *FileCamera) openMJPEG() error {
	first, err := readJPEG(c.r)
	if err == io.EOF {
		return errors.New("the file is empty")
	}
	if err != nil {
		return fmt.Errorf("image 1: %w", err)
	}
	w, h, err := JPEGSize(first)
	if err != nil {
		return fmt.Errorf("image 1: %w", err)
	}
	if w > media.MaxWidth || h > media.MaxHeight {
		return fmt.Errorf("%w: %dx%d exceeds the limit of %dx%d", media.ErrTooLarge, w, h, media.MaxWidth, media.MaxHeight)
	}
	c.format = VideoFormat{Pixel: MJPEG, Width: w, Height: h, FPS: FileMJPEGRate}
	c.num, c.den = FileMJPEGRate, 1
	pending := first
	c.read = func() ([]byte, error) {
		if pending != nil {
			f := pending
			pending = nil
			return f, nil
		}
		f, err := readJPEG(c.r)
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("image %d: %w", c.n+1, err)
		}
		return f, err
	}
	return nil
}

// readJPEG reads one JPEG image from r by its markers: the segments up to
// the image data, then the entropy-coded data up to the end-of-image
// marker. Zero bytes between images (padding) are skipped. It returns
// io.EOF where the stream ends cleanly between images.
func readJPEG(r *bufio.Reader) ([]byte, error) {
	for {
		b, err := r.ReadByte()
		if err != nil {
			return nil, err // io.EOF between images is the clean end
		}
		if b == 0 {
			continue
		}
		m, err := r.ReadByte()
		if b != 0xff || err != nil || m != markerSOI {
			return nil, fmt.Errorf("%w: no start-of-image marker where an image should start", ErrBadJPEG)
		}
		break
	}
	out := []byte{0xff, markerSOI}
	haveFF := false // the image data ended at a marker's 0xFF
	for {
		if len(out) > maxJPEG {
			return nil, fmt.Errorf("%w: an image longer than %d bytes", ErrBadJPEG, maxJPEG)
		}
		// A marker: 0xFF, any fill 0xFFs, then its code.
		if !haveFF {
			b, err := r.ReadByte()
			if err != nil {
				return nil, fmt.Errorf("%w: cut short", ErrBadJPEG)
			}
			if b != 0xff {
				return nil, fmt.Errorf("%w: byte %#x where a marker should be", ErrBadJPEG, b)
			}
		}
		haveFF = false
		var err error
		m := byte(0xff)
		for m == 0xff {
			if m, err = r.ReadByte(); err != nil {
				return nil, fmt.Errorf("%w: cut short", ErrBadJPEG)
			}
		}
		out = append(out, 0xff, m)
		switch {
		case m == markerEOI:
			return out, nil
		case m == markerTEM || markerRST0 <= m && m <= markerRST7:
			continue
		}
		var l [2]byte
		if _, err := io.ReadFull(r, l[:]); err != nil {
			return nil, fmt.Errorf("%w: cut short", ErrBadJPEG)
		}
		n := int(l[0])<<8 | int(l[1])
		if n < 2 {
			return nil, fmt.Errorf("%w: segment length %d", ErrBadJPEG, n)
		}
		out = append(out, l[:]...)
		seg := len(out)
		out = append(out, make([]byte, n-2)...)
		if _, err := io.ReadFull(r, out[seg:]); err != nil {
			return nil, fmt.Errorf("%w: cut short", ErrBadJPEG)
		}
		if m != markerSOS {
			continue
		}
		// Entropy-coded data runs to the next 0xFF that is not stuffing
		// (0xFF00) or a restart marker.
		for {
			chunk, err := r.ReadSlice(0xff)
			out = append(out, chunk...)
			if err == bufio.ErrBufferFull {
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("%w: cut short in the image data", ErrBadJPEG)
			}
			if len(out) > maxJPEG {
				return nil, fmt.Errorf("%w: an image longer than %d bytes", ErrBadJPEG, maxJPEG)
			}
			next, err := r.Peek(1)
			if err != nil {
				return nil, fmt.Errorf("%w: cut short in the image data", ErrBadJPEG)
			}
			if next[0] == 0 || markerRST0 <= next[0] && next[0] <= markerRST7 {
				out = append(out, next[0])
				r.ReadByte()
				continue
			}
			// A marker: the segment loop reads its code.
			out = out[:len(out)-1]
			haveFF = true
			break
		}
	}
}

func (c *FileCamera) openY4M() error {
	line, err := readLine(c.r, 1024)
	if err != nil {
		return fmt.Errorf("header: %w", err)
	}
	fields := strings.Fields(line)
	if len(fields) == 0 || fields[0] != "YUV4MPEG2" {
		return errors.New("not a YUV4MPEG2 file (no \"YUV4MPEG2\" header)")
	}
	var w, h int
	num, den := int64(0), int64(0)
	for _, f := range fields[1:] {
		v := f[1:]
		switch f[0] {
		case 'W':
			w, err = strconv.Atoi(v)
		case 'H':
			h, err = strconv.Atoi(v)
		case 'F':
			n, d, ok := strings.Cut(v, ":")
			if !ok {
				return fmt.Errorf("header: frame rate %q, want N:D", v)
			}
			num, err = strconv.ParseInt(n, 10, 64)
			if err == nil {
				den, err = strconv.ParseInt(d, 10, 64)
			}
		case 'C':
			switch v {
			case "420", "420jpeg", "420paldv", "420mpeg2":
			default:
				return fmt.Errorf("colour space %q: only 8-bit 4:2:0 is played (convert with ffmpeg -pix_fmt yuv420p -f yuv4mpegpipe)", v)
			}
		}
		if err != nil {
			return fmt.Errorf("header field %q: %w", f, err)
		}
	}
	switch {
	case w <= 0 || h <= 0:
		return fmt.Errorf("header: frame size %dx%d", w, h)
	case w > media.MaxWidth || h > media.MaxHeight:
		return fmt.Errorf("%w: %dx%d exceeds the limit of %dx%d", media.ErrTooLarge, w, h, media.MaxWidth, media.MaxHeight)
	case w%2 != 0:
		return fmt.Errorf("frame width %d is odd; it plays as YUYV, which pairs pixels", w)
	case num <= 0 || den <= 0 || float64(num)/float64(den) > media.MaxFPS || float64(num)/float64(den) < 1:
		return fmt.Errorf("header: frame rate %d:%d, want 1 to %d frames a second", num, den, media.MaxFPS)
	}
	c.format = VideoFormat{Pixel: YUYV, Width: w, Height: h, FPS: int((num + den/2) / den)}
	c.num, c.den = num, den
	planar := make([]byte, media.FrameSize("yuv420p", w, h))
	c.read = func() ([]byte, error) {
		line, err := readLine(c.r, 1024)
		if err == io.EOF {
			return nil, io.EOF
		}
		if err != nil || !strings.HasPrefix(line, "FRAME") {
			return nil, fmt.Errorf("frame %d: no FRAME header", c.n+1)
		}
		if _, err := io.ReadFull(c.r, planar); err != nil {
			return nil, fmt.Errorf("frame %d: cut short: %w", c.n+1, err)
		}
		out := make([]byte, 2*w*h)
		if err := I420ToYUYV(out, planar, w, h); err != nil {
			return nil, err
		}
		return out, nil
	}
	return nil
}

// readLine reads a line of at most max bytes, without its newline. It
// returns io.EOF only at a clean end.
func readLine(r *bufio.Reader, max int) (string, error) {
	var b bytes.Buffer
	for b.Len() <= max {
		c, err := r.ReadByte()
		if err == io.EOF && b.Len() == 0 {
			return "", io.EOF
		}
		if err != nil {
			return "", io.ErrUnexpectedEOF
		}
		if c == '\n' {
			return b.String(), nil
		}
		b.WriteByte(c)
	}
	return "", fmt.Errorf("a line longer than %d bytes", max)
}

// Format returns what the file plays as.
func (c *FileCamera) Format() VideoFormat { return c.format }

// Epoch is when the file started playing: at the first ReadFrame or Epoch
// call, whichever came first. Frame n's time is n/fps from it.
func (c *FileCamera) Epoch() time.Time {
	c.start.Do(func() { c.epoch = c.clock.Now() })
	return c.epoch
}

// ReadFrame returns the next frame when the clock reaches its time, or
// io.EOF after the last one.
func (c *FileCamera) ReadFrame(ctx context.Context) (Frame, error) {
	epoch := c.Epoch()
	if err := ctx.Err(); err != nil {
		return Frame{}, err
	}
	data, err := c.read()
	if err != nil {
		if err == io.EOF {
			return Frame{}, io.EOF
		}
		return Frame{}, fmt.Errorf("read fake camera %q: %w", c.path, err)
	}
	at := time.Duration(c.n * c.den * int64(time.Second) / c.num)
	c.n++
	if err := c.clock.Sleep(ctx, epoch.Add(at).Sub(c.clock.Now())); err != nil {
		return Frame{}, err
	}
	return Frame{Time: at, Data: data}, nil
}

// Close closes the file.
func (c *FileCamera) Close() error { return c.f.Close() }
