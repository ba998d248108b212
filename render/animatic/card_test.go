package animatic

import (
	"bytes"
	"flag"
	"image"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/image/font"
	"golang.org/x/image/math/fixed"

	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/timeline"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

func cardRequest(t *testing.T, w, h int, framing timeline.Framing) *render.Request {
	t.Helper()
	p := timeline.New("Golden")
	p.Width, p.Height = w, h
	p.Cast = []timeline.CastRef{{ID: "mara", Name: "Mara"}}
	s := timeline.NewShot("Mara at the window")
	s.Prompt = "A woman at a rain-streaked cottage window, holding a folded letter, lamplight on her face, the harbour lights blurred behind the glass"
	s.Camera = timeline.Camera{Framing: framing, Move: timeline.PanRight}
	s.Duration = 5500 * time.Millisecond
	s.Cast = []string{"mara"}
	s.Cues = []timeline.Cue{{Kind: timeline.Ambience, Description: "rain on glass", Duration: time.Second}}
	p.Shots = []*timeline.Shot{s}
	return render.NewRequest(p, 0, "")
}

// TestCardGolden draws cards for each framing and compares them with the
// PNGs in testdata (go test -update rewrites them; look at them).
func TestCardGolden(t *testing.T) {
	f, err := loadFonts()
	if err != nil {
		t.Fatal(err)
	}
	for _, fr := range timeline.Framings {
		req := cardRequest(t, 640, 360, fr)
		img := drawCard(f, newGeometry(640, 360), req)
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("testdata", "card-"+string(fr)+".png")
		if *update {
			os.WriteFile(path, buf.Bytes(), 0o644)
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("read golden (go test -update makes it): %v", err)
		}
		wimg, err := png.Decode(bytes.NewReader(want))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(img.Pix, toRGBA(wimg).Pix) {
			os.MkdirAll(filepath.Join("testdata", "failed"), 0o755)
			os.WriteFile(filepath.Join("testdata", "failed", filepath.Base(path)), buf.Bytes(), 0o644)
			t.Errorf("card for %s differs from %s; see testdata/failed/", fr, path)
		}
	}
}

func toRGBA(img image.Image) *image.RGBA {
	if r, ok := img.(*image.RGBA); ok {
		return r
	}
	b := img.Bounds()
	out := image.NewRGBA(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			out.Set(x, y, img.At(x, y))
		}
	}
	return out
}

// Every camera position stays inside the canvas and shows the whole safe
// area, where the card's text is.
func TestCameraKeepsSafeAreaInView(t *testing.T) {
	for _, size := range []timeline.Size{{Width: 1280, Height: 720}, {Width: 720, Height: 1280}, {Width: 1080, Height: 1080}, {Width: 320, Height: 180}} {
		g := newGeometry(size.Width, size.Height)
		for _, m := range timeline.Moves {
			for i := 0; i <= 20; i++ {
				vp := cameraAt(g, m, float64(i)/20)
				if vp.x < 0 || vp.y < 0 || vp.x+vp.w > float64(g.cw)+1e-9 || vp.y+vp.h > float64(g.ch)+1e-9 {
					t.Fatalf("%v %s at t=%v: viewport %+v leaves the %dx%d canvas", size, m, float64(i)/20, vp, g.cw, g.ch)
				}
				s := g.safe
				if float64(s.Min.X) < vp.x || float64(s.Min.Y) < vp.y || float64(s.Max.X) > vp.x+vp.w || float64(s.Max.Y) > vp.y+vp.h {
					t.Fatalf("%v %s at t=%v: viewport %+v hides part of the safe area %v", size, m, float64(i)/20, vp, s)
				}
			}
		}
	}
}

func TestCameraMoves(t *testing.T) {
	g := newGeometry(1280, 720)
	at := func(m timeline.Move, t float64) viewport { return cameraAt(g, m, t) }
	checks := []struct {
		move timeline.Move
		ok   func(a, b viewport) bool
	}{
		{timeline.Static, func(a, b viewport) bool { return a == b }},
		{timeline.PanRight, func(a, b viewport) bool { return b.x > a.x && a.y == b.y && a.w == b.w }},
		{timeline.PanLeft, func(a, b viewport) bool { return b.x < a.x && a.y == b.y }},
		{timeline.TiltUp, func(a, b viewport) bool { return b.y < a.y && a.x == b.x }},
		{timeline.TiltDown, func(a, b viewport) bool { return b.y > a.y && a.x == b.x }},
		{timeline.ZoomIn, func(a, b viewport) bool { return b.w < a.w }},
		{timeline.ZoomOut, func(a, b viewport) bool { return b.w > a.w }},
		{timeline.DollyIn, func(a, b viewport) bool { return b.w < a.w }},
		{timeline.DollyOut, func(a, b viewport) bool { return b.w > a.w }},
	}
	for _, c := range checks {
		if a, b := at(c.move, 0), at(c.move, 1); !c.ok(a, b) {
			t.Errorf("%s: start %+v, end %+v", c.move, a, b)
		}
	}
	// A zoom is even; a dolly eases in and out.
	z0, z1, zm := at(timeline.ZoomIn, 0), at(timeline.ZoomIn, 0.1), at(timeline.ZoomIn, 0.5)
	d0, d1, dm := at(timeline.DollyIn, 0), at(timeline.DollyIn, 0.1), at(timeline.DollyIn, 0.5)
	if (z0.w-z1.w)/(z0.w-zm.w) < (d0.w-d1.w)/(d0.w-dm.w) {
		t.Errorf("the dolly starts faster than the zoom; it should ease in")
	}
}

func TestResample(t *testing.T) {
	src := newPlanes(8, 4)
	for y := range 4 {
		for x := range 8 {
			src.y[y*8+x] = byte(10 * x)
		}
	}
	for i := range src.u {
		src.u[i], src.v[i] = 100, 200
	}
	dst := newPlanes(4, 2)
	s := sampler{workers: 2}
	s.resample(src, dst, viewport{2, 2, 4, 2}) // whole pixels: a plain copy
	if got := dst.y[:4]; !bytes.Equal(got, []byte{20, 30, 40, 50}) {
		t.Errorf("whole-pixel window row = %v, want [20 30 40 50]", got)
	}
	s.resample(src, dst, viewport{2.5, 2, 4, 2}) // half a pixel: the midpoints
	if got := dst.y[:4]; !bytes.Equal(got, []byte{25, 35, 45, 55}) {
		t.Errorf("half-pixel window row = %v, want [25 35 45 55]", got)
	}
	if dst.u[0] != 100 || dst.v[1] != 200 {
		t.Errorf("flat chroma changed: u %d v %d", dst.u[0], dst.v[1])
	}
	s.resample(src, dst, viewport{0, 0, 8, 4}) // half size
	if got := dst.y[:4]; !bytes.Equal(got, []byte{5, 25, 45, 65}) {
		t.Errorf("half-size row = %v, want [5 25 45 65]", got)
	}
}

func TestColourConversion(t *testing.T) {
	for _, c := range []struct {
		r, g, b   int32
		y, cb, cr int32
	}{
		{0, 0, 0, 16, 128, 128},
		{255, 255, 255, 235, 128, 128},
		{255, 0, 0, 63, 102, 240},
		{0, 0, 255, 32, 240, 118},
	} {
		y := luma(c.r, c.g, c.b)
		cb, cr := chroma(c.r, c.g, c.b)
		if abs(y-c.y) > 1 || abs(cb-c.cb) > 1 || abs(cr-c.cr) > 1 {
			t.Errorf("rgb(%d,%d,%d) = YCbCr(%d,%d,%d), want (%d,%d,%d) (BT.709 limited)", c.r, c.g, c.b, y, cb, cr, c.y, c.cb, c.cr)
		}
	}
}

func abs(x int32) int32 {
	if x < 0 {
		return -x
	}
	return x
}

func TestCaptionTiming(t *testing.T) {
	f, _ := loadFonts()
	g := newGeometry(1280, 720)
	o := makeOverlay(f, g, render.Caption{Speaker: "Mara", Text: "You kept more than that.", Start: 1200 * time.Millisecond, End: 3 * time.Second}, 24)
	if o.start != 29 || o.until != 72 {
		t.Errorf("caption frames [%d, %d), want [29, 72)", o.start, o.until)
	}
	if o.x < 0 || o.y < 0 || o.x+o.w > 1280 || o.y+o.h > 720 || o.y < 720/2 {
		t.Errorf("caption box %d,%d %dx%d is not in the lower part of the frame", o.x, o.y, o.w, o.h)
	}
	// Blending it changes the frame only inside its box.
	p := newPlanes(1280, 720)
	o.blend(p)
	for y := range 720 {
		for x := range 1280 {
			inside := x >= o.x && x < o.x+o.w && y >= o.y && y < o.y+o.h
			if !inside && p.y[y*1280+x] != 0 {
				t.Fatalf("blend touched %d,%d outside the caption box", x, y)
			}
		}
	}
}

// Skipping the flat parts of rows gives exactly the same frame as
// filtering every pixel.
func TestResampleSkipsFlatRowsExactly(t *testing.T) {
	f, _ := loadFonts()
	for _, fr := range timeline.Framings {
		g := newGeometry(640, 360)
		canvas := toPlanes(drawCard(f, g, cardRequest(t, 640, 360, fr)))
		plain := *canvas
		canvas.markBusy()
		s := sampler{workers: 2}
		for _, m := range []timeline.Move{timeline.ZoomIn, timeline.DollyOut, timeline.PanLeft, timeline.TiltDown} {
			for _, tt := range []float64{0, 0.37, 1} {
				vp := cameraAt(g, m, tt)
				a, b := newPlanes(640, 360), newPlanes(640, 360)
				s.resample(canvas, a, vp)
				s.resample(&plain, b, vp)
				if !bytes.Equal(a.y, b.y) || !bytes.Equal(a.u, b.u) || !bytes.Equal(a.v, b.v) {
					t.Fatalf("%s %s at t=%v: skipping flat runs changed the frame", fr, m, tt)
				}
			}
		}
	}
}

// The preview shows what the clip shows: its first frame, scaled down,
// matches the encoder's frame closely, and captions appear only in their
// window.
func TestPreview(t *testing.T) {
	f, _ := loadFonts()
	b := &Backend{fonts: f}
	req := cardRequest(t, 640, 360, timeline.Wide)
	p := b.Preview(req, []render.Caption{{Speaker: "Mara", Text: "Hello.", Start: time.Second, End: 2 * time.Second}}, 320, 180)
	if w, h := p.Size(); w != 320 || h != 180 || p.Frames() != req.Frames() {
		t.Fatalf("preview %dx%d of %d frames", w, h, p.Frames())
	}
	before, during := image.NewRGBA(image.Rect(0, 0, 320, 180)), image.NewRGBA(image.Rect(0, 0, 320, 180))
	p.Frame(20, before) // 0.83 s: no caption yet
	p.Frame(30, during) // 1.25 s: caption
	diff := 0
	for y := 120; y < 180; y++ {
		for x := 0; x < 320; x++ {
			if before.RGBAAt(x, y) != during.RGBAAt(x, y) {
				diff++
			}
		}
	}
	if diff < 500 {
		t.Errorf("only %d pixels of the lower frame change when the caption shows", diff)
	}
	// A pan moves the picture between the first and last frame.
	last := image.NewRGBA(image.Rect(0, 0, 320, 180))
	first := image.NewRGBA(image.Rect(0, 0, 320, 180))
	p.Frame(0, first)
	p.Frame(p.Frames()-1, last)
	if bytes.Equal(first.Pix, last.Pix) {
		t.Error("a pan right shows the same first and last frame")
	}
	if th := b.Thumbnail(req, 160, 90); th.Bounds().Dx() != 160 || th.Bounds().Dy() != 90 {
		t.Errorf("thumbnail is %v", th.Bounds())
	}
}

// A featured member's recorded likeness shows on the card: their still
// beside their name, their preferences in the prompt.
func TestCardShowsLikeness(t *testing.T) {
	f, _ := loadFonts()
	req := cardRequest(t, 640, 360, timeline.Medium)
	still := filepath.Join(t.TempDir(), "mara.jpg")
	red := image.NewRGBA(image.Rect(0, 0, 64, 64))
	for i := 0; i < len(red.Pix); i += 4 {
		red.Pix[i], red.Pix[i+3] = 255, 255
	}
	out, _ := os.Create(still)
	jpeg.Encode(out, red, nil)
	out.Close()
	plain := drawCard(f, newGeometry(640, 360), req)
	req.Likeness = map[string]render.Likeness{"mara": {Still: still, StillSHA256: "x", Preferences: "always wears a red scarf"}}
	if got := req.Prompt(); !strings.HasSuffix(got, "; Mara: always wears a red scarf") {
		t.Errorf("Prompt() = %q, want the preferences folded in", got)
	}
	with := drawCard(f, newGeometry(640, 360), req)
	reds := 0
	for i := 0; i < len(with.Pix); i += 4 {
		if with.Pix[i] > 200 && with.Pix[i+1] < 60 && with.Pix[i+2] < 60 {
			reds++
		}
	}
	if reds < 500 {
		t.Errorf("only %d red pixels: the still is not on the card", reds)
	}
	if bytes.Equal(plain.Pix, with.Pix) {
		t.Error("the card did not change with the likeness")
	}
}

// countingFace counts the glyphs measured, failing past a budget.
type countingFace struct {
	font.Face
	t        *testing.T
	measured int
	budget   int
}

func (f *countingFace) GlyphAdvance(r rune) (fixed.Int26_6, bool) {
	f.measured++
	if f.measured > f.budget {
		f.t.Fatalf("measured %d glyphs, past the budget of %d", f.measured, f.budget)
	}
	return f.Face.GlyphAdvance(r)
}

// TestWrapLongWord wraps prompts of 32,000 characters without a space
// (Latin, and Chinese, which has none): the card shows as much of the word
// as fits on its first line, having measured little more than that. It
// used to cut the word one rune at a time from its end, measuring it
// again each time: minutes for one card.
func TestWrapLongWord(t *testing.T) {
	f, err := loadFonts()
	if err != nil {
		t.Fatal(err)
	}
	for _, word := range []string{strings.Repeat("x", timeline.MaxPromptRunes), strings.Repeat("海", timeline.MaxPromptRunes)} {
		face := &countingFace{Face: f.face(false, 26), t: t, budget: 4 * utf8.RuneCountInString(word)}
		lines := wrap(face, word+" and then the harbour", 600, 7)
		if len(lines) < 2 {
			t.Fatalf("wrap gave %q, want the cut word and the rest", lines)
		}
		first := lines[0]
		n := utf8.RuneCountInString(first)
		if w := font.MeasureString(face, first).Round(); w > 600 || n < 2 {
			t.Errorf("first line has %d runes and is %d wide, want the most of the word that fits in 600", n, w)
		}
		more := first + string([]rune(word)[n:n+1])
		if w := font.MeasureString(face, more).Round(); w <= 600 {
			t.Errorf("first line has %d runes, but %d fit (%d wide)", n, n+1, w)
		}
	}
}
