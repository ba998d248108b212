package mediacheck

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/slatestudio/slate/account"
)

// ebmlMagic starts every EBML file, WebM and Matroska among them.
var ebmlMagic = []byte{0x1a, 0x45, 0xdf, 0xa3}

// The EBML and Matroska element IDs checkWebM reads.
const (
	idEBML           = 0x1a45dfa3
	idDocType        = 0x4282
	idSegment        = 0x18538067
	idInfo           = 0x1549a966
	idTimestampScale = 0x2ad7b1
	idDuration       = 0x4489
	idTracks         = 0x1654ae6b
	idTrackEntry     = 0xae
	idTrackType      = 0x83
	idVideo          = 0xe0
	idPixelWidth     = 0xb0
	idPixelHeight    = 0xba
	idCluster        = 0x1f43b675
)

// maxWebMHeader bounds the header elements read into memory (the EBML
// header, Info, Tracks); real ones are a few hundred bytes.
const maxWebMHeader = 1 << 20

// unknownSize is the size of an element whose end its parent's end, or the
// file's, marks (a live recording writes its segment so).
const unknownSize = -1

// checkWebM reads a WebM file's EBML header, its segment's Info (the
// length) and Tracks (a video track and its size), and looks for at least
// one cluster of media. It is a small reader of its own: those few
// elements are all a check needs.
func checkWebM(r io.ReadSeeker, size int64) error {
	er := &ebmlReader{r: r, size: size}
	id, n, err := er.header(0)
	if err != nil || id != idEBML || n == unknownSize {
		return errors.New("WebM: the EBML header cannot be read")
	}
	body, err := er.body(n)
	if err != nil {
		return err
	}
	var docType string
	if err := eachChild(body, func(id uint32, data []byte) error {
		if id == idDocType {
			docType = string(data)
		}
		return nil
	}); err != nil {
		return err
	}
	if docType != "webm" && docType != "matroska" {
		return fmt.Errorf("WebM: the document type is %q, not webm", docType)
	}
	id, n, err = er.header(er.off)
	if err != nil || id != idSegment {
		return errors.New("WebM: the file has no segment after its header")
	}
	end := size
	if n != unknownSize {
		if n > size-er.off {
			return errors.New("WebM: the segment runs past the end of the file")
		}
		end = er.off + n
	}
	scale := int64(1_000_000) // nanoseconds per tick, unless Info says
	var duration float64
	var haveInfo, haveCluster bool
	var video []string
	for er.off < end && !haveCluster {
		start := er.off
		id, n, err := er.header(start)
		if err != nil {
			return err
		}
		if id == idCluster {
			haveCluster = true
			break
		}
		if n == unknownSize || n > end-er.off {
			return fmt.Errorf("WebM: the element at byte %d runs past the end of its segment", start)
		}
		switch id {
		case idInfo:
			body, err := er.body(n)
			if err != nil {
				return err
			}
			haveInfo = true
			err = eachChild(body, func(id uint32, data []byte) error {
				switch id {
				case idTimestampScale:
					v, ok := ebmlUint(data)
					if !ok || v == 0 || v > 1e9 {
						return errors.New("WebM: the timestamp scale is not sane")
					}
					scale = int64(v)
				case idDuration:
					switch len(data) {
					case 4:
						duration = float64(math.Float32frombits(binary.BigEndian.Uint32(data)))
					case 8:
						duration = math.Float64frombits(binary.BigEndian.Uint64(data))
					default:
						return errors.New("WebM: the duration is not a number")
					}
				}
				return nil
			})
			if err != nil {
				return err
			}
		case idTracks:
			body, err := er.body(n)
			if err != nil {
				return err
			}
			err = eachChild(body, func(id uint32, data []byte) error {
				if id != idTrackEntry {
					return nil
				}
				p, isVideo, err := webmTrack(data)
				if isVideo {
					video = append(video, p)
				}
				return err
			})
			if err != nil {
				return err
			}
		default:
			er.off += n
		}
	}
	switch {
	case len(video) == 0:
		return errors.New("WebM: the file has no video track")
	case !haveCluster:
		return errors.New("WebM: the file has no media clusters")
	case !haveInfo:
		return errors.New("WebM: the file has no segment information")
	}
	for _, p := range video {
		if p != "" {
			return errors.New(p)
		}
	}
	ticks := duration * float64(scale)
	if math.IsNaN(ticks) || ticks > float64(account.MaxTakeDuration) {
		return fmt.Errorf("WebM: the video lasts %.0f s", duration*float64(scale)/1e9)
	}
	return checkLength(time.Duration(ticks), account.MaxTakeDuration)
}

// webmTrack reads a TrackEntry: whether it is video, and if so what is
// wrong with its picture size ("" if nothing).
func webmTrack(data []byte) (problem string, video bool, err error) {
	var w, h uint64
	err = eachChild(data, func(id uint32, d []byte) error {
		switch id {
		case idTrackType:
			t, _ := ebmlUint(d)
			video = t == 1
		case idVideo:
			return eachChild(d, func(id uint32, d []byte) error {
				switch id {
				case idPixelWidth:
					w, _ = ebmlUint(d)
				case idPixelHeight:
					h, _ = ebmlUint(d)
				}
				return nil
			})
		}
		return nil
	})
	if video && (w < 1 || h < 1 || w > account.MaxMediaSide || h > account.MaxMediaSide) {
		problem = fmt.Sprintf("WebM: the picture is %d×%d", w, h)
	}
	return problem, video, err
}

// ebmlReader reads element headers and bodies from a file, keeping its
// place.
type ebmlReader struct {
	r    io.ReadSeeker
	size int64
	off  int64
}

// header reads the ID and size of the element at off and moves past them.
func (e *ebmlReader) header(off int64) (id uint32, size int64, err error) {
	var buf [12]byte
	if _, err := e.r.Seek(off, io.SeekStart); err != nil {
		return 0, 0, err
	}
	n, _ := io.ReadFull(e.r, buf[:])
	id, size, used, ok := parseElementHeader(buf[:n])
	if !ok {
		return 0, 0, fmt.Errorf("WebM: the element at byte %d cannot be read", off)
	}
	e.off = off + int64(used)
	return id, size, nil
}

// body reads an element's body of n bytes, which must be within the
// header limit.
func (e *ebmlReader) body(n int64) ([]byte, error) {
	if n > maxWebMHeader || n > e.size-e.off {
		return nil, fmt.Errorf("WebM: an element at byte %d is %d bytes, too large for a header", e.off, n)
	}
	buf := make([]byte, n)
	if _, err := e.r.Seek(e.off, io.SeekStart); err != nil {
		return nil, err
	}
	if _, err := io.ReadFull(e.r, buf); err != nil {
		return nil, fmt.Errorf("WebM: an element at byte %d is cut short", e.off)
	}
	e.off += n
	return buf, nil
}

// parseElementHeader reads an element's ID (1 to 4 bytes, marker kept)
// and size (1 to 8 bytes; all ones is unknownSize).
func parseElementHeader(b []byte) (id uint32, size int64, used int, ok bool) {
	if len(b) == 0 || b[0] == 0 {
		return 0, 0, 0, false
	}
	idLen := leadingZeros(b[0]) + 1
	if idLen > 4 || len(b) < idLen {
		return 0, 0, 0, false
	}
	for _, c := range b[:idLen] {
		id = id<<8 | uint32(c)
	}
	rest := b[idLen:]
	if len(rest) == 0 || rest[0] == 0 {
		return 0, 0, 0, false
	}
	sizeLen := leadingZeros(rest[0]) + 1
	if len(rest) < sizeLen {
		return 0, 0, 0, false
	}
	v := uint64(rest[0]) & (0xff >> sizeLen)
	allOnes := v == 0xff>>sizeLen
	for _, c := range rest[1:sizeLen] {
		v = v<<8 | uint64(c)
		allOnes = allOnes && c == 0xff
	}
	if allOnes {
		return id, unknownSize, idLen + sizeLen, true
	}
	if v > math.MaxInt64 {
		return 0, 0, 0, false
	}
	return id, int64(v), idLen + sizeLen, true
}

// leadingZeros counts the zero bits before the first one in b (b > 0).
func leadingZeros(b byte) int {
	n := 0
	for mask := byte(0x80); b&mask == 0; mask >>= 1 {
		n++
	}
	return n
}

// eachChild calls fn with each child element of a body held in memory.
func eachChild(body []byte, fn func(id uint32, data []byte) error) error {
	for len(body) > 0 {
		id, n, used, ok := parseElementHeader(body)
		if !ok || n == unknownSize || n > int64(len(body)-used) {
			return errors.New("WebM: a header element is damaged")
		}
		if err := fn(id, body[used:used+int(n)]); err != nil {
			return err
		}
		body = body[used+int(n):]
	}
	return nil
}

// ebmlUint reads an unsigned integer element of up to 8 bytes.
func ebmlUint(b []byte) (uint64, bool) {
	if len(b) > 8 {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	return v, true
}
