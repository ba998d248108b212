package capture

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
)

// YUYVToRGBA converts a YUYV frame to RGB in dst, whose bounds give the
// frame's size. Webcams send YUYV as BT.601 with limited range (black at
// luma 16, white at 235), so that is how it is read; image.YCbCr would
// read it as full range and show a washed-out picture.
func YUYVToRGBA(dst *image.RGBA, src []byte) error {
	w, h := dst.Rect.Dx(), dst.Rect.Dy()
	if w%2 != 0 {
		return fmt.Errorf("convert yuyv: width %d is odd; YUYV pairs pixels", w)
	}
	if len(src) != 2*w*h {
		return fmt.Errorf("convert yuyv: frame is %d bytes, want %d for %dx%d", len(src), 2*w*h, w, h)
	}
	for y := range h {
		in := src[2*w*y : 2*w*(y+1)]
		out := dst.Pix[y*dst.Stride : y*dst.Stride+4*w]
		for x := 0; x < w; x += 2 {
			y0, u, y1, v := in[2*x], in[2*x+1], in[2*x+2], in[2*x+3]
			r0, g0, b0 := bt601(y0, u, v)
			r1, g1, b1 := bt601(y1, u, v)
			p := out[4*x : 4*x+8 : 4*x+8]
			p[0], p[1], p[2], p[3] = r0, g0, b0, 0xff
			p[4], p[5], p[6], p[7] = r1, g1, b1, 0xff
		}
	}
	return nil
}

// bt601 converts one limited-range BT.601 pixel to RGB, in the fixed-point
// form of the standard's equations (coefficients × 256).
func bt601(y, u, v byte) (r, g, b byte) {
	c := 298 * (int32(y) - 16)
	d := int32(u) - 128
	e := int32(v) - 128
	return clip8((c + 409*e + 128) >> 8), clip8((c - 100*d - 208*e + 128) >> 8), clip8((c + 516*d + 128) >> 8)
}

func clip8(x int32) byte {
	switch {
	case x < 0:
		return 0
	case x > 255:
		return 255
	}
	return byte(x)
}

// I420ToYUYV packs a planar 4:2:0 frame (Y, then U, then V, as in Y4M
// files) into YUYV, repeating each chroma row for the two rows it covers.
// w must be even.
func I420ToYUYV(dst, src []byte, w, h int) error {
	cw, ch := (w+1)/2, (h+1)/2
	switch {
	case w%2 != 0:
		return fmt.Errorf("convert i420: width %d is odd; YUYV pairs pixels", w)
	case len(src) != w*h+2*cw*ch:
		return fmt.Errorf("convert i420: frame is %d bytes, want %d for %dx%d", len(src), w*h+2*cw*ch, w, h)
	case len(dst) != 2*w*h:
		return fmt.Errorf("convert i420: room for %d bytes, want %d for %dx%d", len(dst), 2*w*h, w, h)
	}
	ys, us, vs := src[:w*h], src[w*h:w*h+cw*ch], src[w*h+cw*ch:]
	for y := range h {
		yr, ur, vr := ys[y*w:(y+1)*w], us[y/2*cw:(y/2+1)*cw], vs[y/2*cw:(y/2+1)*cw]
		out := dst[2*w*y : 2*w*(y+1)]
		for x := 0; x < w; x += 2 {
			out[2*x], out[2*x+1], out[2*x+2], out[2*x+3] = yr[x], ur[x/2], yr[x+1], vr[x/2]
		}
	}
	return nil
}

// FrameImage decodes a frame for a preview or a still: an MJPEG frame as a
// JPEG, a YUYV frame with YUYVToRGBA.
func FrameImage(f VideoFormat, data []byte) (image.Image, error) {
	switch f.Pixel {
	case MJPEG:
		jpg, err := TrimJPEG(data)
		if err != nil {
			return nil, err
		}
		img, err := jpeg.Decode(bytes.NewReader(WithHuffmanTables(jpg)))
		if err != nil {
			return nil, fmt.Errorf("decode mjpeg frame: %w", err)
		}
		return img, nil
	case YUYV:
		img := image.NewRGBA(image.Rect(0, 0, f.Width, f.Height))
		if err := YUYVToRGBA(img, data); err != nil {
			return nil, err
		}
		return img, nil
	}
	return nil, fmt.Errorf("decode frame: pixel format %q is not one Slate takes", f.Pixel)
}

// JPEG markers that matter here.
const (
	markerSOI  = 0xd8
	markerEOI  = 0xd9
	markerSOS  = 0xda
	markerDHT  = 0xc4
	markerRST0 = 0xd0
	markerRST7 = 0xd7
	markerTEM  = 0x01
)

// ErrBadJPEG is wrapped by errors for a camera frame that is not a whole
// JPEG image: cut short in the USB transfer, or garbage.
var ErrBadJPEG = errors.New("not a whole JPEG image")

// TrimJPEG returns the JPEG image in an MJPEG frame without the bytes some
// cameras leave after its end (the rest of a fixed-size buffer), or an
// error wrapping ErrBadJPEG for a frame that does not start with a JPEG
// start-of-image marker or has no end-of-image marker (a frame cut short,
// which a decoder would show torn). Entropy-coded data never holds 0xFF
// 0xD9, so the last such pair is the end.
func TrimJPEG(frame []byte) ([]byte, error) {
	if len(frame) < 4 || frame[0] != 0xff || frame[1] != markerSOI {
		return nil, fmt.Errorf("mjpeg frame of %d bytes: %w: no start-of-image marker", len(frame), ErrBadJPEG)
	}
	end := bytes.LastIndex(frame, []byte{0xff, markerEOI})
	if end < 2 {
		return nil, fmt.Errorf("mjpeg frame of %d bytes: %w: no end-of-image marker (cut short)", len(frame), ErrBadJPEG)
	}
	return frame[:end+2], nil
}

// WithHuffmanTables returns jpg with the standard Huffman tables of the
// JPEG specification (Annex K.3) added when it has none: most MJPEG
// webcams leave them out to save bytes, as the AVI MJPEG format allows.
// ffmpeg supplies them itself; Go's decoder needs them in the file.
func WithHuffmanTables(jpg []byte) []byte {
	sos := -1
	for i := 2; i+4 <= len(jpg); {
		if jpg[i] != 0xff {
			return jpg // not a marker where one should be: let the decoder say so
		}
		m := jpg[i+1]
		switch {
		case m == 0xff: // fill byte
			i++
			continue
		case m == markerDHT:
			return jpg
		case m == markerSOS:
			sos = i
		case m == markerTEM || markerRST0 <= m && m <= markerRST7:
			i += 2
			continue
		}
		if sos >= 0 {
			break
		}
		i += 2 + (int(jpg[i+2])<<8 | int(jpg[i+3]))
	}
	if sos < 0 {
		return jpg
	}
	out := make([]byte, 0, len(jpg)+len(standardDHT))
	out = append(out, jpg[:sos]...)
	out = append(out, standardDHT...)
	return append(out, jpg[sos:]...)
}

// JPEGSize reads a JPEG's width and height from its start-of-frame segment.
func JPEGSize(jpg []byte) (width, height int, err error) {
	if len(jpg) < 4 || jpg[0] != 0xff || jpg[1] != markerSOI {
		return 0, 0, fmt.Errorf("jpeg size: %w: no start-of-image marker", ErrBadJPEG)
	}
	for i := 2; i+4 <= len(jpg); {
		if jpg[i] != 0xff {
			return 0, 0, fmt.Errorf("jpeg size: %w: byte %d is %#x, want a marker", ErrBadJPEG, i, jpg[i])
		}
		m := jpg[i+1]
		switch {
		case m == 0xff:
			i++
			continue
		case m == markerTEM || markerRST0 <= m && m <= markerRST7:
			i += 2
			continue
		case m == markerSOS || m == markerEOI:
			return 0, 0, fmt.Errorf("jpeg size: %w: no start-of-frame before the image data", ErrBadJPEG)
		case isSOF(m):
			if i+9 > len(jpg) {
				return 0, 0, fmt.Errorf("jpeg size: %w: start-of-frame cut short", ErrBadJPEG)
			}
			return int(jpg[i+7])<<8 | int(jpg[i+8]), int(jpg[i+5])<<8 | int(jpg[i+6]), nil
		}
		i += 2 + (int(jpg[i+2])<<8 | int(jpg[i+3]))
	}
	return 0, 0, fmt.Errorf("jpeg size: %w: no start-of-frame", ErrBadJPEG)
}

// isSOF reports whether m is a start-of-frame marker: C0–CF, except DHT
// (C4), JPG (C8) and DAC (CC), which share the range.
func isSOF(m byte) bool {
	return 0xc0 <= m && m <= 0xcf && m != markerDHT && m != 0xc8 && m != 0xcc
}

// standardDHT is a DHT segment with the four tables of JPEG Annex K.3
// (luminance and chrominance, DC and AC): the ones MJPEG streams without
// tables are decoded with, and the ones Go's own encoder writes.
const standardDHT = "" +
	"\xff\xc4\x01\xa2\x00\x00\x01\x05\x01\x01\x01\x01\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x01\x02" +
	"\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x10\x00\x02\x01\x03\x03\x02\x04\x03\x05\x05\x04\x04\x00\x00" +
	"\x01\x7d\x01\x02\x03\x00\x04\x11\x05\x12\x21\x31\x41\x06\x13\x51\x61\x07\x22\x71\x14\x32\x81\x91" +
	"\xa1\x08\x23\x42\xb1\xc1\x15\x52\xd1\xf0\x24\x33\x62\x72\x82\x09\x0a\x16\x17\x18\x19\x1a\x25\x26" +
	"\x27\x28\x29\x2a\x34\x35\x36\x37\x38\x39\x3a\x43\x44\x45\x46\x47\x48\x49\x4a\x53\x54\x55\x56\x57" +
	"\x58\x59\x5a\x63\x64\x65\x66\x67\x68\x69\x6a\x73\x74\x75\x76\x77\x78\x79\x7a\x83\x84\x85\x86\x87" +
	"\x88\x89\x8a\x92\x93\x94\x95\x96\x97\x98\x99\x9a\xa2\xa3\xa4\xa5\xa6\xa7\xa8\xa9\xaa\xb2\xb3\xb4" +
	"\xb5\xb6\xb7\xb8\xb9\xba\xc2\xc3\xc4\xc5\xc6\xc7\xc8\xc9\xca\xd2\xd3\xd4\xd5\xd6\xd7\xd8\xd9\xda" +
	"\xe1\xe2\xe3\xe4\xe5\xe6\xe7\xe8\xe9\xea\xf1\xf2\xf3\xf4\xf5\xf6\xf7\xf8\xf9\xfa\x01\x00\x03\x01" +
	"\x01\x01\x01\x01\x01\x01\x01\x01\x00\x00\x00\x00\x00\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a" +
	"\x0b\x11\x00\x02\x01\x02\x04\x04\x03\x04\x07\x05\x04\x04\x00\x01\x02\x77\x00\x01\x02\x03\x11\x04" +
	"\x05\x21\x31\x06\x12\x41\x51\x07\x61\x71\x13\x22\x32\x81\x08\x14\x42\x91\xa1\xb1\xc1\x09\x23\x33" +
	"\x52\xf0\x15\x62\x72\xd1\x0a\x16\x24\x34\xe1\x25\xf1\x17\x18\x19\x1a\x26\x27\x28\x29\x2a\x35\x36" +
	"\x37\x38\x39\x3a\x43\x44\x45\x46\x47\x48\x49\x4a\x53\x54\x55\x56\x57\x58\x59\x5a\x63\x64\x65\x66" +
	"\x67\x68\x69\x6a\x73\x74\x75\x76\x77\x78\x79\x7a\x82\x83\x84\x85\x86\x87\x88\x89\x8a\x92\x93\x94" +
	"\x95\x96\x97\x98\x99\x9a\xa2\xa3\xa4\xa5\xa6\xa7\xa8\xa9\xaa\xb2\xb3\xb4\xb5\xb6\xb7\xb8\xb9\xba" +
	"\xc2\xc3\xc4\xc5\xc6\xc7\xc8\xc9\xca\xd2\xd3\xd4\xd5\xd6\xd7\xd8\xd9\xda\xe2\xe3\xe4\xe5\xe6\xe7" +
	"\xe8\xe9\xea\xf2\xf3\xf4\xf5\xf6\xf7\xf8\xf9\xfa"
