// Package mediacheck says whether an upload to slate-server is the medium
// its kind must be: a take an MP4 or WebM video, a still a JPEG or PNG
// image, a voice sample a PCM WAV file, each within the limits of package
// account. It reads the bytes alone (headers, not the whole stream) and
// runs no external program, so a file made to fool or exhaust a decoder is
// refused before it is stored.
package mediacheck

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"math"
	"time"

	mp4 "github.com/abema/go-mp4"

	"github.com/slatestudio/slate/account"
)

// Check reads an upload of the given kind, size bytes at r, and says
// what it is, or why it is not what the kind must be. It reads the file
// itself, not just its first bytes: a take must be an MP4 or WebM video
// with a video track of a sane size and length, a still must decode as a
// JPEG or PNG image within the limits, a voice sample must be a PCM WAV
// file whose data fits the file. Nothing here runs an external program.
func Check(kind account.MediaKind, r io.ReaderAt, size int64) (contentType string, err error) {
	if size == 0 {
		return "", errors.New("the file is empty")
	}
	head := make([]byte, 16)
	n, _ := r.ReadAt(head, 0)
	head = head[:n]
	switch kind {
	case account.MediaTake:
		switch {
		case n >= 8 && string(head[4:8]) == "ftyp":
			return "video/mp4", checkMP4(io.NewSectionReader(r, 0, size), size)
		case bytes.HasPrefix(head, ebmlMagic):
			return "video/webm", checkWebM(io.NewSectionReader(r, 0, size), size)
		}
		return "", errors.New("it is neither an MP4 nor a WebM file")
	case account.MediaFrontal, account.MediaLeft, account.MediaRight:
		return checkImage(io.NewSectionReader(r, 0, size))
	case account.MediaSample:
		return "audio/wav", checkWAV(io.NewSectionReader(r, 0, size), size)
	}
	return "", fmt.Errorf("no check for media of kind %q", kind)
}

// Expected says what an upload of a kind must be, for people.
func Expected(kind account.MediaKind) string {
	switch kind {
	case account.MediaTake:
		return fmt.Sprintf("an MP4 or WebM video with a picture of at most %d×%d lasting at most %s", account.MaxMediaSide, account.MaxMediaSide, spoken(account.MaxTakeDuration))
	case account.MediaSample:
		return fmt.Sprintf("a PCM WAV file lasting at most %s", spoken(account.MaxSampleDuration))
	}
	return fmt.Sprintf("a JPEG or PNG image of at most %d×%d", account.MaxMediaSide, account.MaxMediaSide)
}

// checkMP4 walks the file's top-level boxes, each of which must lie
// inside it, and reads the movie's header and each track's: at least one
// track must be video, of a sane size, and the movie of a sane length.
// Only the small header boxes are decoded; sample tables, which can be
// large, are not.
func checkMP4(r io.ReadSeeker, size int64) error {
	var haveMoov, haveMdat bool
	for off := int64(0); off < size; {
		if _, err := r.Seek(off, io.SeekStart); err != nil {
			return fmt.Errorf("MP4: %w", err)
		}
		bi, err := mp4.ReadBoxInfo(r)
		if err != nil {
			return fmt.Errorf("MP4: the box at byte %d cannot be read", off)
		}
		if bi.Size < bi.HeaderSize || int64(bi.Size) > size-off {
			return fmt.Errorf("MP4: the box at byte %d runs past the end of the file", off)
		}
		if off == 0 && bi.Type != mp4.BoxTypeFtyp() {
			return errors.New("MP4: the file does not start with its file type box")
		}
		switch bi.Type {
		case mp4.BoxTypeMoov():
			haveMoov = true
		case mp4.BoxTypeMdat():
			haveMdat = bi.Size > bi.HeaderSize
		}
		off += int64(bi.Size)
	}
	if !haveMoov || !haveMdat {
		return errors.New("MP4: the file has no movie header or no media data")
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("MP4: %w", err)
	}
	boxes, err := mp4.ExtractBoxesWithPayload(r, nil, []mp4.BoxPath{
		{mp4.BoxTypeMoov(), mp4.BoxTypeMvhd()},
		{mp4.BoxTypeMoov(), mp4.BoxTypeTrak(), mp4.BoxTypeTkhd()},
		{mp4.BoxTypeMoov(), mp4.BoxTypeTrak(), mp4.BoxTypeMdia(), mp4.BoxTypeHdlr()},
		{mp4.BoxTypeMoov(), mp4.BoxTypeTrak(), mp4.BoxTypeMdia(), mp4.BoxTypeMdhd()},
	})
	if err != nil {
		return fmt.Errorf("MP4: the movie header cannot be read: %v", err)
	}
	var movie time.Duration
	var tkhd *mp4.Tkhd
	var video []string // the problems of each video track; "" for a good one
	for _, b := range boxes {
		switch p := b.Payload.(type) {
		case *mp4.Mvhd:
			d, err := mp4Duration(p.Timescale, p.GetDuration())
			if err != nil {
				return err
			}
			movie = max(movie, d)
		case *mp4.Tkhd:
			tkhd = p // the boxes come in file order: a track's header, then its media's
		case *mp4.Hdlr:
			if p.HandlerType != [4]byte{'v', 'i', 'd', 'e'} || tkhd == nil {
				continue
			}
			w, h := tkhd.GetWidthInt(), tkhd.GetHeightInt()
			problem := ""
			if w < 1 || h < 1 || w > account.MaxMediaSide || h > account.MaxMediaSide {
				problem = fmt.Sprintf("MP4: the picture is %d×%d", w, h)
			}
			video = append(video, problem)
		case *mp4.Mdhd:
			d, err := mp4Duration(p.Timescale, p.GetDuration())
			if err != nil {
				return err
			}
			movie = max(movie, d)
		}
	}
	if len(video) == 0 {
		return errors.New("MP4: the file has no video track")
	}
	for _, p := range video {
		if p != "" {
			return errors.New(p)
		}
	}
	return checkLength(movie, account.MaxTakeDuration)
}

// mp4Duration turns a duration in a timescale into time.
func mp4Duration(scale uint32, d uint64) (time.Duration, error) {
	if scale == 0 {
		return 0, errors.New("MP4: a header has no timescale")
	}
	if d == math.MaxUint32 || d == math.MaxUint64 { // "unknown"
		return 0, nil
	}
	if d/uint64(scale) > uint64(account.MaxTakeDuration/time.Second) {
		secs := min(d/uint64(scale), 1<<31) // beyond that it is only "too long"
		return 0, fmt.Errorf("MP4: the video lasts %s", spoken(time.Duration(secs)*time.Second))
	}
	return time.Duration(d) * time.Second / time.Duration(scale), nil
}

// checkLength checks a length is known, above zero and within max.
func checkLength(d, max time.Duration) error {
	switch {
	case d <= 0:
		return errors.New("it does not say how long it lasts")
	case d > max:
		return fmt.Errorf("it lasts %s", spoken(d))
	}
	return nil
}

// spoken says a length as people do: "25 s", "5 min", "6 min 40 s".
func spoken(d time.Duration) string {
	s := int64(d.Round(time.Second) / time.Second)
	switch {
	case s < 60:
		return fmt.Sprintf("%d s", s)
	case s%60 == 0:
		return fmt.Sprintf("%d min", s/60)
	}
	return fmt.Sprintf("%d min %d s", s/60, s%60)
}

// checkImage decodes a still: first its header alone, to check its size
// before any pixels are allocated, then the whole picture, so a cut or
// damaged file is refused.
func checkImage(r io.ReadSeeker) (string, error) {
	cfg, format, err := image.DecodeConfig(r)
	if err != nil {
		return "", errors.New("it is neither a JPEG nor a PNG image")
	}
	if cfg.Width < 1 || cfg.Height < 1 || cfg.Width > account.MaxMediaSide || cfg.Height > account.MaxMediaSide {
		return "", fmt.Errorf("the picture is %d×%d", cfg.Width, cfg.Height)
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	switch format {
	case "jpeg":
		if _, err := jpeg.Decode(r); err != nil {
			return "", fmt.Errorf("the JPEG image is damaged: %v", err)
		}
		return "image/jpeg", nil
	case "png":
		if _, err := png.Decode(r); err != nil {
			return "", fmt.Errorf("the PNG image is damaged: %v", err)
		}
		return "image/png", nil
	}
	return "", fmt.Errorf("it is a %s image, not a JPEG or PNG", format)
}

// checkWAV reads a RIFF WAVE file's chunks: its format must be PCM (or
// IEEE float) with a sane number of channels, rate and sample size, and
// its data chunk must hold whole frames and fit in the file.
func checkWAV(r io.ReadSeeker, size int64) error {
	var hdr [12]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil || string(hdr[:4]) != "RIFF" || string(hdr[8:]) != "WAVE" {
		return errors.New("it is not a WAV file")
	}
	var fmtOK bool
	var channels, bits, align uint16
	var rate uint32
	for off := int64(12); off+8 <= size; {
		var ch [8]byte
		if _, err := r.Seek(off, io.SeekStart); err != nil {
			return err
		}
		if _, err := io.ReadFull(r, ch[:]); err != nil {
			return fmt.Errorf("WAV: the chunk at byte %d is cut short", off)
		}
		id, n := string(ch[:4]), int64(binary.LittleEndian.Uint32(ch[4:]))
		switch id {
		case "fmt ":
			if n < 16 || n > 40 || off+8+n > size {
				return fmt.Errorf("WAV: the format chunk is %d bytes", n)
			}
			var f [16]byte
			if _, err := io.ReadFull(r, f[:]); err != nil {
				return errors.New("WAV: the format chunk is cut short")
			}
			format := binary.LittleEndian.Uint16(f[0:])
			channels, rate = binary.LittleEndian.Uint16(f[2:]), binary.LittleEndian.Uint32(f[4:])
			align, bits = binary.LittleEndian.Uint16(f[12:]), binary.LittleEndian.Uint16(f[14:])
			switch {
			case format != 1 && format != 3 && format != 0xfffe:
				return fmt.Errorf("WAV: the sound is in format %#x, not PCM", format)
			case channels < 1 || channels > 8:
				return fmt.Errorf("WAV: %d channels", channels)
			case rate < 8000 || rate > 192000:
				return fmt.Errorf("WAV: a rate of %d Hz", rate)
			case bits != 8 && bits != 16 && bits != 24 && bits != 32:
				return fmt.Errorf("WAV: %d-bit samples", bits)
			case align != channels*bits/8:
				return errors.New("WAV: the frame size does not match the channels and sample size")
			}
			fmtOK = true
		case "data":
			if !fmtOK {
				return errors.New("WAV: the sound comes before its format")
			}
			if n == 0xffffffff { // written while streaming: the rest of the file
				n = size - off - 8
			}
			if n == 0 || off+8+n > size || n%int64(align) != 0 {
				return fmt.Errorf("WAV: the sound data (%d bytes) does not fit the file or is not whole frames", n)
			}
			frames := n / int64(align)
			return checkLength(time.Duration(frames)*time.Second/time.Duration(rate), account.MaxSampleDuration)
		}
		off += 8 + n + n%2 // chunks are padded to an even size
	}
	return errors.New("WAV: the file has no sound data")
}
