package audio

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/slatestudio/slate/internal/diskfull"
)

// WAVWriter writes a 16-bit PCM WAV file as samples come, so that a
// recording is on disk while it is made rather than held in memory. The
// header's sizes are filled in by Close; until then they read 0, which
// ReadWAV (and ffmpeg) take as "read to the end", so the file of a crashed
// recording can still be read. Its methods are not safe for concurrent use.
type WAVWriter struct {
	w        io.WriteSeeker
	bw       *bufio.Writer
	channels int
	frames   int64
	buf      []byte
	err      error // sticky: the first failure, or errWAVClosed
}

// errWAVClosed is what a WAVWriter returns once it is closed.
var errWAVClosed = errors.New("write wav: the writer is closed")

// maxWAVData is the most sample bytes a WAV file can hold: its sizes are
// 32-bit and count the 36 bytes of header after the first 8.
const maxWAVData = math.MaxUint32 - 36

// NewWAVWriter writes the header of a WAV file of rate frames a second and
// channels channels to w, which must be at its start.
func NewWAVWriter(w io.WriteSeeker, rate, channels int) (*WAVWriter, error) {
	if channels < 1 || channels > MaxChannels || rate < 1 || rate > MaxRate {
		return nil, fmt.Errorf("write wav: %d channels at %d Hz is not writable", channels, rate)
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	if _, err := bw.Write(wavHeader(rate, channels, 0)); err != nil {
		return nil, fmt.Errorf("write wav: %w", diskfull.Wrap(err))
	}
	return &WAVWriter{w: w, bw: bw, channels: channels}, nil
}

// Write appends samples, interleaved, a whole number of frames, scaled and
// clipped as [WriteWAV] does.
func (w *WAVWriter) Write(samples []float32) error {
	if w.err != nil {
		return w.err
	}
	if len(samples)%w.channels != 0 {
		return fmt.Errorf("write wav: %d samples is not a whole number of %d-channel frames", len(samples), w.channels)
	}
	frames := int64(len(samples) / w.channels)
	if (w.frames+frames)*int64(w.channels)*2 > maxWAVData {
		return w.fail(errors.New("audio too long for a WAV file"))
	}
	if cap(w.buf) < 2*len(samples) {
		w.buf = make([]byte, 2*len(samples))
	}
	b := w.buf[:2*len(samples)]
	for i, v := range samples {
		binary.LittleEndian.PutUint16(b[2*i:], uint16(toInt16(v)))
	}
	if _, err := w.bw.Write(b); err != nil {
		return w.fail(err)
	}
	w.frames += frames
	return nil
}

// WriteSilence appends frames frames of silence.
func (w *WAVWriter) WriteSilence(frames int) error {
	zero := make([]float32, min(frames, 4800)*w.channels)
	for frames > 0 {
		n := min(frames, len(zero)/w.channels)
		if err := w.Write(zero[:n*w.channels]); err != nil {
			return err
		}
		frames -= n
	}
	return nil
}

// Frames returns how many frames have been written.
func (w *WAVWriter) Frames() int64 { return w.frames }

// Close flushes the samples and writes the sizes into the header. It does
// not close the underlying file, whose owner syncs and closes it.
func (w *WAVWriter) Close() error {
	if w.err != nil {
		if w.err == errWAVClosed {
			return nil
		}
		return w.err
	}
	if err := w.bw.Flush(); err != nil {
		return w.fail(err)
	}
	data := uint32(w.frames * int64(w.channels) * 2)
	var sizes [4]byte
	for _, f := range []struct {
		off int64
		v   uint32
	}{{4, 36 + data}, {40, data}} {
		binary.LittleEndian.PutUint32(sizes[:], f.v)
		if _, err := w.w.Seek(f.off, io.SeekStart); err != nil {
			return w.fail(err)
		}
		if _, err := w.w.Write(sizes[:]); err != nil {
			return w.fail(err)
		}
	}
	if _, err := w.w.Seek(0, io.SeekEnd); err != nil {
		return w.fail(err)
	}
	w.err = errWAVClosed
	return nil
}

func (w *WAVWriter) fail(err error) error {
	w.err = fmt.Errorf("write wav: %w", diskfull.Wrap(err))
	return w.err
}
