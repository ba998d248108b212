package audio

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/slatestudio/slate/internal/atomicfile"
	"github.com/slatestudio/slate/internal/diskfull"
)

// WAV format tags.
const (
	wavPCM        = 1
	wavFloat      = 3
	wavExtensible = 0xFFFE
)

// MaxChannels and MaxRate bound the sound Slate reads and writes, so that a
// malformed header cannot ask for absurd work; media's decoder holds to
// them too.
const (
	MaxChannels = 64
	MaxRate     = 1 << 20
)

// wavReader reads little-endian fields and counts bytes, so every error can
// say where in the file it happened.
type wavReader struct {
	r   *bufio.Reader
	off int64
}

func (w *wavReader) full(b []byte) error {
	n, err := io.ReadFull(w.r, b)
	w.off += int64(n)
	return err
}

func (w *wavReader) skip(n int64) error {
	m, err := io.CopyN(io.Discard, w.r, n)
	w.off += m
	return err
}

// ReadWAV reads a RIFF WAVE stream: 8-bit unsigned, 16-, 24- and 32-bit
// integer and 32-bit float PCM, plain or WAVE_FORMAT_EXTENSIBLE. Chunks other
// than "fmt " and "data" are skipped. A data size of 0, 0xFFFFFFFF or
// 0x7FFFF000 and up is what programs such as espeak-ng write when they stream
// to a pipe and cannot seek back to fix the header, so the data is then read
// to the end of the stream. Errors give the byte offset; no input makes it
// panic.
func ReadWAV(r io.Reader) (*PCM, error) {
	w := &wavReader{r: bufio.NewReaderSize(r, 64<<10)}
	var hdr [12]byte
	if err := w.full(hdr[:]); err != nil {
		return nil, fmt.Errorf("read wav: byte %d: header: %w", w.off, eofIsUnexpected(err))
	}
	if string(hdr[0:4]) != "RIFF" || string(hdr[8:12]) != "WAVE" {
		return nil, fmt.Errorf("read wav: byte 0: not a RIFF WAVE file (starts %q)", hdr[:])
	}

	var f wavFormat
	haveFmt := false
	for {
		chunkOff := w.off
		var ch [8]byte
		if err := w.full(ch[:]); err != nil {
			if err == io.EOF {
				return nil, fmt.Errorf("read wav: byte %d: no data chunk", chunkOff)
			}
			return nil, fmt.Errorf("read wav: byte %d: chunk header: %w", chunkOff, eofIsUnexpected(err))
		}
		id := string(ch[0:4])
		size := binary.LittleEndian.Uint32(ch[4:8])
		switch id {
		case "fmt ":
			var err error
			if f, err = readWAVFormat(w, chunkOff, size); err != nil {
				return nil, err
			}
			haveFmt = true
		case "data":
			if !haveFmt {
				return nil, fmt.Errorf("read wav: byte %d: data chunk before fmt chunk", chunkOff)
			}
			return readWAVData(w, chunkOff, size, f)
		default:
			if err := w.skip(int64(size) + int64(size&1)); err != nil {
				return nil, fmt.Errorf("read wav: byte %d: chunk %q of %d bytes: %w", chunkOff, id, size, eofIsUnexpected(err))
			}
		}
	}
}

// wavFormat is what ReadWAV needs from the fmt chunk.
type wavFormat struct {
	tag      uint16 // wavPCM or wavFloat, after resolving the extensible sub-format
	channels int
	rate     int
	bits     int
}

func readWAVFormat(w *wavReader, off int64, size uint32) (wavFormat, error) {
	if size < 16 {
		return wavFormat{}, fmt.Errorf("read wav: byte %d: fmt chunk is %d bytes, want at least 16", off, size)
	}
	n := min(size, 40) // the extensible format's fields end at 40
	b := make([]byte, n)
	if err := w.full(b); err != nil {
		return wavFormat{}, fmt.Errorf("read wav: byte %d: fmt chunk: %w", w.off, eofIsUnexpected(err))
	}
	if err := w.skip(int64(size-n) + int64(size&1)); err != nil {
		return wavFormat{}, fmt.Errorf("read wav: byte %d: fmt chunk: %w", w.off, eofIsUnexpected(err))
	}
	le := binary.LittleEndian
	f := wavFormat{
		tag:      le.Uint16(b[0:2]),
		channels: int(le.Uint16(b[2:4])),
		rate:     int(le.Uint32(b[4:8])),
		bits:     int(le.Uint16(b[14:16])),
	}
	blockAlign := int(le.Uint16(b[12:14]))
	if f.tag == wavExtensible {
		if n < 26 {
			return wavFormat{}, fmt.Errorf("read wav: byte %d: extensible fmt chunk is %d bytes, want at least 26", off, size)
		}
		// The sub-format GUID starts at byte 24 of the chunk; its first two
		// bytes are the plain format tag.
		f.tag = le.Uint16(b[24:26])
	}
	field := off + 8
	switch {
	case f.tag != wavPCM && f.tag != wavFloat:
		return wavFormat{}, fmt.Errorf("read wav: byte %d: format %#x is not PCM or float (convert it with ffmpeg first)", field, f.tag)
	case f.channels < 1 || f.channels > MaxChannels:
		return wavFormat{}, fmt.Errorf("read wav: byte %d: %d channels, want 1 to %d", field+2, f.channels, MaxChannels)
	case f.rate < 1 || f.rate > MaxRate:
		return wavFormat{}, fmt.Errorf("read wav: byte %d: sample rate %d Hz, want 1 to %d", field+4, f.rate, MaxRate)
	case f.tag == wavFloat && f.bits != 32:
		return wavFormat{}, fmt.Errorf("read wav: byte %d: %d-bit float samples, want 32", field+14, f.bits)
	case f.tag == wavPCM && f.bits != 8 && f.bits != 16 && f.bits != 24 && f.bits != 32:
		return wavFormat{}, fmt.Errorf("read wav: byte %d: %d-bit samples, want 8, 16, 24 or 32", field+14, f.bits)
	case blockAlign != f.channels*f.bits/8:
		return wavFormat{}, fmt.Errorf("read wav: byte %d: block align %d, want %d for %d channels of %d bits", field+12, blockAlign, f.channels*f.bits/8, f.channels, f.bits)
	}
	return f, nil
}

// streaming reports whether a data size is a placeholder written by a
// program that could not seek back to fill it in.
func streaming(size uint32) bool {
	return size == 0 || size >= 0x7FFFF000
}

func readWAVData(w *wavReader, off int64, size uint32, f wavFormat) (*PCM, error) {
	bytesPer := f.bits / 8
	frameBytes := bytesPer * f.channels
	var src io.Reader = w.r
	if !streaming(size) {
		src = io.LimitReader(w.r, int64(size))
	}
	p := &PCM{Rate: f.rate, Channels: f.channels}
	// Grow as data arrives rather than trusting the header's size, so a
	// lying header costs nothing.
	buf := make([]byte, 64<<10/frameBytes*frameBytes)
	var total int64
	for {
		n, err := io.ReadFull(src, buf)
		total += int64(n)
		n -= n % frameBytes // a partial last frame of a cut-off stream is dropped
		p.Samples = appendSamples(p.Samples, buf[:n], f)
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read wav: byte %d: data: %w", off+8+total, err)
		}
	}
	if !streaming(size) && total < int64(size) {
		return nil, fmt.Errorf("read wav: byte %d: data chunk declares %d bytes but only %d follow (the file is cut off)", off, size, total)
	}
	return p, nil
}

// appendSamples converts little-endian samples to float32 in −1..1.
func appendSamples(dst []float32, b []byte, f wavFormat) []float32 {
	le := binary.LittleEndian
	switch {
	case f.tag == wavFloat:
		for i := 0; i+4 <= len(b); i += 4 {
			dst = append(dst, math.Float32frombits(le.Uint32(b[i:])))
		}
	case f.bits == 8:
		for _, v := range b {
			dst = append(dst, float32(int(v)-128)/128)
		}
	case f.bits == 16:
		for i := 0; i+2 <= len(b); i += 2 {
			dst = append(dst, float32(int16(le.Uint16(b[i:])))/32768)
		}
	case f.bits == 24:
		for i := 0; i+3 <= len(b); i += 3 {
			v := int32(uint32(b[i])<<8|uint32(b[i+1])<<16|uint32(b[i+2])<<24) >> 8
			dst = append(dst, float32(v)/(1<<23))
		}
	case f.bits == 32:
		for i := 0; i+4 <= len(b); i += 4 {
			dst = append(dst, float32(float64(int32(le.Uint32(b[i:])))/(1<<31)))
		}
	}
	return dst
}

// eofIsUnexpected turns a clean EOF inside a structure into
// io.ErrUnexpectedEOF, which is what it means there.
func eofIsUnexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// WriteWAV writes p as 16-bit PCM. Samples are scaled by 32768, rounded and
// clipped to the 16-bit range, so 16-bit audio read by ReadWAV is written
// back bit for bit.
func WriteWAV(w io.Writer, p *PCM) error {
	if p.Channels < 1 || p.Channels > MaxChannels || p.Rate < 1 || p.Rate > MaxRate {
		return fmt.Errorf("write wav: %d channels at %d Hz is not writable", p.Channels, p.Rate)
	}
	n := p.Frames() * p.Channels
	dataSize := int64(n) * 2
	if dataSize > math.MaxUint32-36 {
		return errors.New("write wav: audio too long for a WAV file")
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	if _, err := bw.Write(wavHeader(p.Rate, p.Channels, uint32(dataSize))); err != nil {
		return fmt.Errorf("write wav: %w", err)
	}
	var s [2]byte
	for _, v := range p.Samples[:n] {
		binary.LittleEndian.PutUint16(s[:], uint16(toInt16(v)))
		if _, err := bw.Write(s[:]); err != nil {
			return fmt.Errorf("write wav: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write wav: %w", err)
	}
	return nil
}

// wavHeader returns the 44-byte header of a 16-bit PCM WAV file whose data
// chunk holds dataSize bytes.
func wavHeader(rate, channels int, dataSize uint32) []byte {
	le := binary.LittleEndian
	h := make([]byte, 44)
	copy(h[0:], "RIFF")
	le.PutUint32(h[4:], 36+dataSize)
	copy(h[8:], "WAVEfmt ")
	le.PutUint32(h[16:], 16)
	le.PutUint16(h[20:], wavPCM)
	le.PutUint16(h[22:], uint16(channels))
	le.PutUint32(h[24:], uint32(rate))
	le.PutUint32(h[28:], uint32(rate*channels*2))
	le.PutUint16(h[32:], uint16(channels*2))
	le.PutUint16(h[34:], 16)
	copy(h[36:], "data")
	le.PutUint32(h[40:], dataSize)
	return h
}

func toInt16(v float32) int16 {
	x := math.Round(float64(v) * 32768)
	switch {
	case x > math.MaxInt16:
		return math.MaxInt16
	case x < math.MinInt16:
		return math.MinInt16
	case x != x: // NaN
		return 0
	}
	return int16(x)
}

// WriteWAVFile writes p to path as 16-bit PCM, atomically: through a temp
// file in the same directory that is synced and then renamed, so a crash or
// a full disk never leaves a partial file at path.
func WriteWAVFile(path string, p *PCM) error {
	err := atomicfile.Write(path, 0o644, func(w io.Writer) error { return WriteWAV(w, p) })
	if err != nil {
		return fmt.Errorf("write wav %q: %w", path, diskfull.Wrap(err))
	}
	return nil
}
