package capture

import (
	"errors"
	"testing"
)

// Typical offers of real webcams.
var (
	mjpeg720p30 = FormatOffer{MJPEG, 1280, 720, 30}
	yuyv480p30  = FormatOffer{YUYV, 640, 480, 30}
	yuyv720p10  = FormatOffer{YUYV, 1280, 720, 10}
	yuyv1080p5  = FormatOffer{YUYV, 1920, 1080, 5}
)

var chooseFormatTests = []struct {
	name   string
	offers []FormatOffer
	want   VideoFormat
}{
	{"mjpeg 720p30 among many", []FormatOffer{yuyv480p30, yuyv720p10, {MJPEG, 1920, 1080, 30}, mjpeg720p30, {MJPEG, 1280, 720, 60}}, VideoFormat{MJPEG, 1280, 720, 30}},
	{"29.97 is 30", []FormatOffer{{MJPEG, 1280, 720, 30000.0 / 1001}, {YUYV, 1280, 720, 30}}, VideoFormat{MJPEG, 1280, 720, 30}},
	{"the order offered does not matter", []FormatOffer{{MJPEG, 1280, 720, 60}, mjpeg720p30, yuyv480p30}, VideoFormat{MJPEG, 1280, 720, 30}},
	{"yuyv: 30 fps at 640x480 beats 10 fps at 720p", []FormatOffer{yuyv1080p5, yuyv720p10, yuyv480p30, {YUYV, 320, 240, 30}}, VideoFormat{YUYV, 640, 480, 30}},
	{"yuyv 720p30 when the camera can", []FormatOffer{yuyv480p30, {YUYV, 1280, 720, 30}, yuyv720p10}, VideoFormat{YUYV, 1280, 720, 30}},
	{"yuyv 800x600@30 is nearer than 640x480@30", []FormatOffer{yuyv480p30, {YUYV, 800, 600, 30}}, VideoFormat{YUYV, 800, 600, 30}},
	{"halving the rate costs as much as quartering the picture; the tie goes to the faster", []FormatOffer{{YUYV, 1280, 720, 15}, {YUYV, 640, 360, 30}}, VideoFormat{YUYV, 640, 360, 30}},
	{"mjpeg at another size beats a small yuyv", []FormatOffer{yuyv480p30, {MJPEG, 1920, 1080, 30}}, VideoFormat{MJPEG, 1920, 1080, 30}},
	{"mjpeg 720p at 25", []FormatOffer{{MJPEG, 1280, 720, 25}, yuyv720p10}, VideoFormat{MJPEG, 1280, 720, 25}},
	{"a faster rate is fine", []FormatOffer{{YUYV, 1280, 720, 60}, yuyv720p10}, VideoFormat{YUYV, 1280, 720, 60}},
	{"a tie goes to mjpeg", []FormatOffer{{YUYV, 1920, 1080, 30}, {MJPEG, 1920, 1080, 30}}, VideoFormat{MJPEG, 1920, 1080, 30}},
	{"other pixel formats are skipped", []FormatOffer{{"h264", 1280, 720, 30}, {"nv12", 1280, 720, 30}, yuyv720p10}, VideoFormat{YUYV, 1280, 720, 10}},
	{"too large and odd yuyv are skipped", []FormatOffer{{MJPEG, 8192, 4320, 30}, {YUYV, 1279, 720, 30}, yuyv1080p5}, VideoFormat{YUYV, 1920, 1080, 5}},
	{"rates are rounded", []FormatOffer{{YUYV, 640, 480, 7.5}}, VideoFormat{YUYV, 640, 480, 8}},
}

func TestChooseFormat(t *testing.T) {
	for _, c := range chooseFormatTests {
		got, err := ChooseFormat(c.offers)
		if err != nil || got != c.want {
			t.Errorf("%s: ChooseFormat(%v) = %v, %v, want %v", c.name, c.offers, got, err, c.want)
		}
	}
}

func TestChooseFormatNone(t *testing.T) {
	for _, offers := range [][]FormatOffer{
		nil,
		{{"h264", 1280, 720, 30}},
		{{MJPEG, 0, 720, 30}, {MJPEG, 1280, 720, 0}, {YUYV, 1281, 720, 30}, {MJPEG, 1280, 720, 0.5}},
	} {
		if got, err := ChooseFormat(offers); !errors.Is(err, ErrNoFormat) {
			t.Errorf("ChooseFormat(%v) = %v, %v, want ErrNoFormat", offers, got, err)
		}
	}
}

// Whatever a camera reports, ChooseFormat picks one of its usable offers
// or says there is none.
func FuzzChooseFormat(f *testing.F) {
	for _, c := range chooseFormatTests {
		o := c.offers[0]
		f.Add(string(o.Pixel), o.Width, o.Height, o.FPS, string(c.offers[len(c.offers)-1].Pixel), 640, 480, 30.0)
	}
	f.Fuzz(func(t *testing.T, p1 string, w1, h1 int, r1 float64, p2 string, w2, h2 int, r2 float64) {
		offers := []FormatOffer{{PixelFormat(p1), w1, h1, r1}, {PixelFormat(p2), w2, h2, r2}}
		got, err := ChooseFormat(offers)
		if err != nil {
			if usableOffer(offers[0]) || usableOffer(offers[1]) {
				t.Fatalf("ChooseFormat(%v) = %v, but an offer is usable", offers, err)
			}
			return
		}
		for _, o := range offers {
			if usableOffer(o) && o.Pixel == got.Pixel && o.Width == got.Width && o.Height == got.Height {
				return
			}
		}
		t.Fatalf("ChooseFormat(%v) = %v, not one of the usable offers", offers, got)
	})
}

func TestNearestStep(t *testing.T) {
	for _, c := range []struct{ target, lo, hi, step, want int }{
		{1280, 160, 1920, 16, 1280},
		{1280, 160, 1920, 0, 1280},
		{720, 120, 1080, 100, 720},
		{730, 120, 1080, 100, 720},
		{1280, 160, 640, 16, 640},
		{1280, 1920, 3840, 16, 1920},
		{1280, 176, 1200, 100, 1176},
		{30, 1, 60, 7, 29},
		{5, 10, 9, 1, 10},
	} {
		if got := nearestStep(c.target, c.lo, c.hi, c.step); got != c.want {
			t.Errorf("nearestStep(%d, %d, %d, %d) = %d, want %d", c.target, c.lo, c.hi, c.step, got, c.want)
		}
	}
}
