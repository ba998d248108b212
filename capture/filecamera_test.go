package capture

import (
	"bufio"
	"bytes"
	"errors"
	"image/color"
	"io"
	"testing"
)

// readJPEG splits by markers, not by searching for 0xFF 0xD9: an end
// marker inside a segment (an EXIF thumbnail), stuffed bytes and restart
// markers in the image data, and fill bytes before a marker are all part
// of one image.
func TestReadJPEG(t *testing.T) {
	tricky := []byte{
		0xff, 0xd8,
		0xff, 0xe1, 0x00, 0x08, 0xff, 0xd8, 0xff, 0xd9, 0x00, 0x00, // APP1 holding a tiny "thumbnail"
		0xff, 0xda, 0x00, 0x04, 0x01, 0x02, // SOS
		0x12, 0xff, 0x00, 0x34, 0xff, 0xd0, 0x56, 0xff, 0xd7, // data, stuffing, RST0, RST7
		0xff, 0xc4, 0x00, 0x03, 0x00, // DHT between scans (progressive)
		0xff, 0xda, 0x00, 0x02, 0x78, // a second scan
		0xff, 0xff, 0xd9, // a fill byte, then EOI
	}
	plain := encodeJPEG(t, 16, 16, color.Black)
	stream := append(append(append([]byte{}, tricky...), 0, 0, 0), plain...)
	r := bufio.NewReaderSize(bytes.NewReader(stream), 16) // small, to split the data across reads
	// The fill byte goes; the image is the same without it.
	want := append(tricky[:len(tricky)-3:len(tricky)-3], 0xff, 0xd9)
	if got, err := readJPEG(r); err != nil || !bytes.Equal(got, want) {
		t.Errorf("readJPEG(tricky) = % x, %v, want % x", got, err, want)
	}
	if got, err := readJPEG(r); err != nil || !bytes.Equal(got, plain) {
		t.Errorf("readJPEG(second) = %d bytes, %v, want the %d of the image", len(got), err, len(plain))
	}
	if _, err := readJPEG(r); err != io.EOF {
		t.Errorf("readJPEG(at the end) = %v, want io.EOF", err)
	}
	for _, bad := range [][]byte{plain[:len(plain)-2], plain[:30], {0xff, 0xd8, 0x12}, {0x12}} {
		if _, err := readJPEG(bufio.NewReader(bytes.NewReader(bad))); !errors.Is(err, ErrBadJPEG) {
			t.Errorf("readJPEG(% x…) = %v, want ErrBadJPEG", bad[:min(len(bad), 8)], err)
		}
	}
}

func FuzzReadJPEG(f *testing.F) {
	f.Add(encodeJPEG(f, 8, 8, color.White))
	f.Add([]byte{0xff, 0xd8, 0xff, 0xda, 0x00, 0x02, 0xff, 0x00, 0xff, 0xd9})
	f.Fuzz(func(t *testing.T, data []byte) {
		r := bufio.NewReader(bytes.NewReader(data))
		total := 0
		for {
			jpg, err := readJPEG(r)
			if err != nil {
				break
			}
			if _, err := TrimJPEG(jpg); err != nil {
				t.Fatalf("readJPEG returned % x, which TrimJPEG refuses: %v", jpg, err)
			}
			total += len(jpg)
		}
		if total > len(data) {
			t.Fatalf("read %d bytes of images from %d", total, len(data))
		}
	})
}
