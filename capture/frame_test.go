package capture

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"testing"
)

// Known BT.601 limited-range values, from the standard's equations.
var yuvPixels = []struct {
	name    string
	y, u, v byte
	rgb     [3]byte
}{
	{"black", 16, 128, 128, [3]byte{0, 0, 0}},
	{"white", 235, 128, 128, [3]byte{255, 255, 255}},
	{"mid grey", 126, 128, 128, [3]byte{128, 128, 128}},
	{"red", 81, 90, 240, [3]byte{255, 0, 0}},
	{"green", 145, 54, 34, [3]byte{0, 255, 1}},
	{"blue", 41, 240, 110, [3]byte{0, 0, 255}},
	{"below black clips", 0, 128, 128, [3]byte{0, 0, 0}},
	{"above white clips", 255, 128, 128, [3]byte{255, 255, 255}},
}

func TestYUYVToRGBA(t *testing.T) {
	// One pixel pair per known value, the second of each pair darker to
	// check that the pair's two lumas are kept apart.
	w := 2 * len(yuvPixels)
	src := make([]byte, 2*w*2)
	for i, p := range yuvPixels {
		for row := range 2 {
			o := row*2*w + 4*i
			src[o], src[o+1], src[o+2], src[o+3] = p.y, p.u, 16, p.v
		}
	}
	img := image.NewRGBA(image.Rect(0, 0, w, 2))
	if err := YUYVToRGBA(img, src); err != nil {
		t.Fatal(err)
	}
	for i, p := range yuvPixels {
		for row := range 2 {
			got := img.RGBAAt(2*i, row)
			if want := (color.RGBA{p.rgb[0], p.rgb[1], p.rgb[2], 255}); got != want {
				t.Errorf("%s: YUYVToRGBA(Y=%d U=%d V=%d) = %v, want %v", p.name, p.y, p.u, p.v, got, want)
			}
		}
	}
	if got := img.RGBAAt(1, 0); got != (color.RGBA{0, 0, 0, 255}) {
		t.Errorf("YUYVToRGBA: second pixel of black = %v, want black", got)
	}
	for _, bad := range []struct {
		w, h, n int
	}{{3, 2, 12}, {4, 2, 15}} {
		if err := YUYVToRGBA(image.NewRGBA(image.Rect(0, 0, bad.w, bad.h)), make([]byte, bad.n)); err == nil {
			t.Errorf("YUYVToRGBA(%dx%d, %d bytes) = nil, want an error", bad.w, bad.h, bad.n)
		}
	}
}

func TestI420ToYUYV(t *testing.T) {
	const w, h = 4, 3
	src := []byte{
		1, 2, 3, 4, // Y
		5, 6, 7, 8,
		9, 10, 11, 12,
		100, 101, // U, 2 rows of 2
		102, 103,
		200, 201, // V
		202, 203,
	}
	want := []byte{
		1, 100, 2, 200, 3, 101, 4, 201,
		5, 100, 6, 200, 7, 101, 8, 201,
		9, 102, 10, 202, 11, 103, 12, 203,
	}
	got := make([]byte, 2*w*h)
	if err := I420ToYUYV(got, src, w, h); err != nil || !bytes.Equal(got, want) {
		t.Errorf("I420ToYUYV() = %v, %v, want %v", got, err, want)
	}
	if err := I420ToYUYV(got, src[:len(src)-1], w, h); err == nil {
		t.Error("I420ToYUYV(short frame) = nil, want an error")
	}
	if err := I420ToYUYV(make([]byte, 2*3*3), make([]byte, 9+4+4), 3, 3); err == nil {
		t.Error("I420ToYUYV(odd width) = nil, want an error")
	}
}

// encodeJPEG returns a JPEG of a w×h picture in flat colour c, as Go
// writes it (with the standard Huffman tables).
func encodeJPEG(t testing.TB, w, h int, c color.Color) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// stripDHT removes the Huffman tables, as MJPEG webcams send frames.
func stripDHT(t testing.TB, jpg []byte) []byte {
	t.Helper()
	out := append([]byte(nil), jpg[:2]...)
	for i := 2; i < len(jpg); {
		m := jpg[i+1]
		if m == markerSOS {
			return append(out, jpg[i:]...)
		}
		n := 2 + (int(jpg[i+2])<<8 | int(jpg[i+3]))
		if m != markerDHT {
			out = append(out, jpg[i:i+n]...)
		}
		i += n
	}
	t.Fatal("no SOS")
	return nil
}

func TestWithHuffmanTables(t *testing.T) {
	full := encodeJPEG(t, 32, 16, color.RGBA{200, 40, 60, 255})
	bare := stripDHT(t, full)
	if len(bare) >= len(full) {
		t.Fatal("stripDHT removed nothing")
	}
	if _, err := jpeg.Decode(bytes.NewReader(bare)); err == nil {
		t.Fatal("Go decoded a JPEG without Huffman tables; the test proves nothing")
	}
	fixed := WithHuffmanTables(bare)
	if !bytes.Equal(fixed, full) {
		t.Errorf("WithHuffmanTables(stripped) differs from the original (%d bytes, want %d)", len(fixed), len(full))
	}
	if got := WithHuffmanTables(full); !bytes.Equal(got, full) {
		t.Error("WithHuffmanTables changed a JPEG that had tables")
	}
	img, err := FrameImage(VideoFormat{Pixel: MJPEG, Width: 32, Height: 16}, append(bare, 0, 0, 0, 0))
	if err != nil {
		t.Fatalf("FrameImage(mjpeg without tables, padded) = %v", err)
	}
	if r, g, b, _ := img.At(5, 5).RGBA(); absDiff(r>>8, 200) > 4 || absDiff(g>>8, 40) > 4 || absDiff(b>>8, 60) > 4 {
		t.Errorf("FrameImage(mjpeg) pixel = %d,%d,%d, want about 200,40,60", r>>8, g>>8, b>>8)
	}
}

func absDiff(a, b uint32) uint32 {
	if a > b {
		return a - b
	}
	return b - a
}

var trimTests = []struct {
	name  string
	frame []byte
	want  []byte
	err   error
}{
	{"whole", []byte{0xff, 0xd8, 1, 2, 0xff, 0xd9}, []byte{0xff, 0xd8, 1, 2, 0xff, 0xd9}, nil},
	{"padded", []byte{0xff, 0xd8, 1, 2, 0xff, 0xd9, 0, 0, 0}, []byte{0xff, 0xd8, 1, 2, 0xff, 0xd9}, nil},
	{"cut short", []byte{0xff, 0xd8, 1, 2, 3, 4}, nil, ErrBadJPEG},
	{"not a jpeg", []byte{0x89, 'P', 'N', 'G', 0xff, 0xd9}, nil, ErrBadJPEG},
	{"empty", nil, nil, ErrBadJPEG},
}

func TestTrimJPEG(t *testing.T) {
	for _, c := range trimTests {
		got, err := TrimJPEG(c.frame)
		if !bytes.Equal(got, c.want) || !errors.Is(err, c.err) {
			t.Errorf("%s: TrimJPEG(% x) = % x, %v, want % x, %v", c.name, c.frame, got, err, c.want, c.err)
		}
	}
}

func TestJPEGSize(t *testing.T) {
	jpg := encodeJPEG(t, 48, 20, color.White)
	if w, h, err := JPEGSize(jpg); w != 48 || h != 20 || err != nil {
		t.Errorf("JPEGSize() = %d, %d, %v, want 48, 20", w, h, err)
	}
	if _, _, err := JPEGSize(jpg[:20]); !errors.Is(err, ErrBadJPEG) {
		t.Errorf("JPEGSize(cut) = %v, want ErrBadJPEG", err)
	}
}

// No frame makes the JPEG helpers panic, and what they accept decodes or
// fails cleanly.
func FuzzJPEG(f *testing.F) {
	for _, c := range trimTests {
		f.Add(c.frame)
	}
	f.Add(encodeJPEG(f, 16, 16, color.Black))
	f.Add(stripDHT(f, encodeJPEG(f, 16, 8, color.White)))
	f.Fuzz(func(t *testing.T, frame []byte) {
		JPEGSize(frame)
		WithHuffmanTables(frame)
		if jpg, err := TrimJPEG(frame); err == nil {
			FrameImage(VideoFormat{Pixel: MJPEG}, jpg)
		}
	})
}
