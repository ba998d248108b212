package animatic

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	_ "image/jpeg" // cast stills
	_ "image/png"
	"math"
	"os"
	"strings"

	xdraw "golang.org/x/image/draw"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"

	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/timeline"
)

// fonts holds the parsed Go fonts (BSD-licensed, shipped with
// golang.org/x/image), from which faces of any size are made.
type fonts struct {
	regular, bold *opentype.Font
}

func loadFonts() (*fonts, error) {
	r, err := opentype.Parse(goregular.TTF)
	if err != nil {
		return nil, fmt.Errorf("load font: %w", err)
	}
	b, err := opentype.Parse(gobold.TTF)
	if err != nil {
		return nil, fmt.Errorf("load font: %w", err)
	}
	return &fonts{r, b}, nil
}

func (f *fonts) face(bold bool, size float64) font.Face {
	src := f.regular
	if bold {
		src = f.bold
	}
	face, err := opentype.NewFace(src, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		// Only a size of zero or less fails; sizes here are always positive.
		panic(err)
	}
	return face
}

// palettes are the card backgrounds, top and bottom of a gradient, picked
// by shot number so neighbouring cards differ.
var palettes = [][2]color.RGBA{
	{{0x1d, 0x2b, 0x53, 255}, {0x7e, 0x25, 0x53, 255}},
	{{0x0f, 0x3d, 0x3e, 255}, {0x1f, 0x6f, 0x5c, 255}},
	{{0x2d, 0x1e, 0x4a, 255}, {0xc0, 0x6c, 0x3e, 255}},
	{{0x12, 0x2c, 0x44, 255}, {0x4a, 0x7f, 0xa7, 255}},
	{{0x3b, 0x1f, 0x2b, 255}, {0xa8, 0x4a, 0x3c, 255}},
	{{0x1a, 0x24, 0x2f, 255}, {0x56, 0x6d, 0x7e, 255}},
}

// Colours with transparency are NRGBA: image.RGBA's own colour type is
// premultiplied, where a channel above alpha is not a colour at all.
var (
	white  = color.RGBA{0xf5, 0xf2, 0xea, 255}
	dim    = color.NRGBA{0xf5, 0xf2, 0xea, 0xb8}
	accent = color.RGBA{0xff, 0xc8, 0x57, 255}
	panel  = color.NRGBA{0x08, 0x0b, 0x12, 0x8c}
)

// geometry relates the output frame to the larger canvas the card is drawn
// on: the camera moves over the canvas, and everything that must stay
// readable lies in the safe area every camera position shows.
type geometry struct {
	w, h   int     // output frame
	cw, ch int     // canvas
	u      float64 // one "point" at this size: 1 at 720p
	safe   image.Rectangle
}

// headroom is how much larger than the frame the canvas is.
const headroom = 1.2

func newGeometry(w, h int) geometry {
	g := geometry{w: w, h: h, cw: even(float64(w) * headroom), ch: even(float64(h) * headroom)}
	g.u = float64(min(w, h)) / 720
	// Every viewport (see camera.go) contains [0.2w, 1.0w] × [0.2h, 1.0h];
	// keep a margin inside that.
	g.safe = image.Rect(int(0.24*float64(w)), int(0.23*float64(h)), int(0.96*float64(w)), int(0.97*float64(h)))
	return g
}

func even(x float64) int { return int(math.Round(x/2)) * 2 }

// drawCard draws the shot's storyboard card on a canvas.
func drawCard(f *fonts, g geometry, req *render.Request) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, g.cw, g.ch))
	pal := palettes[req.Index%len(palettes)]
	gradient(img, pal[0], pal[1])
	drawScene(img, g, req.Shot.Camera.Framing, max(1, len(req.Shot.Cast)))

	s := req.Shot
	x, y := g.safe.Min.X, g.safe.Min.Y
	width := g.safe.Dx()
	u := g.u

	// Shot number, then length and camera, on one line.
	num := f.face(true, 30*u)
	y += int(30 * u)
	label := fmt.Sprintf("SHOT %d", req.Index+1)
	adv := text(img, num, accent, x, y, label)
	meta := f.face(false, 22*u)
	text(img, meta, dim, x+adv+int(16*u), y, fmt.Sprintf("%s  ·  %s  ·  %s", timeline.Seconds(s.Duration), s.Camera.Framing.Label(), s.Camera.Move.Label()))

	// Title.
	title := s.Title
	if title == "" {
		title = "Untitled shot"
	}
	tf := f.face(true, 46*u)
	for _, line := range wrap(tf, title, width, 2) {
		y += int(56 * u)
		text(img, tf, white, x, y, line)
	}

	// The prompt, on a translucent panel so it reads on any background,
	// with the featured cast's preferences folded in as a model reads it.
	if p := req.Prompt(); p != "" {
		pf := f.face(false, 26*u)
		lines := wrap(pf, p, width-int(40*u), 7)
		lh := int(34 * u)
		top := y + int(28*u)
		box := image.Rect(x-int(4*u), top, x+width, top+len(lines)*lh+int(28*u))
		draw.Draw(img, box, image.NewUniform(panel), image.Point{}, draw.Over)
		y = top + int(8*u)
		for _, line := range lines {
			y += lh
			text(img, pf, white, x+int(16*u), y, line)
		}
		y += int(20 * u)
	}

	// Who is in it and what is heard.
	small := f.face(false, 22*u)
	if len(s.Cast) > 0 {
		var names []string
		for _, id := range s.Cast {
			names = append(names, castName(req.Cast, id))
		}
		y += int(36 * u)
		adv := text(img, small, accent, x, y, "featuring "+strings.Join(names, ", "))
		// Their faces, as recorded, beside their names.
		side := int(72 * u)
		px := x + adv + int(16*u)
		for _, id := range s.Cast {
			l, ok := req.Likeness[id]
			if !ok || l.Still == "" {
				continue
			}
			if still, err := loadStill(l.Still); err == nil {
				r := image.Rect(px, y-side+int(8*u), px+side, y+int(8*u))
				xdraw.CatmullRom.Scale(img, r, still, still.Bounds(), draw.Over, nil)
				px += side + int(8*u)
			}
		}
		if px > x+adv+int(16*u) {
			y += int(16 * u)
		}
	}
	var sounds []string
	for _, c := range s.Cues {
		d := c.Description
		if d == "" {
			d = "(no description)"
		}
		sounds = append(sounds, string(c.Kind)+": "+d)
	}
	if len(sounds) > 0 {
		for _, line := range wrap(small, "sound  "+strings.Join(sounds, "  ·  "), width, 2) {
			y += int(30 * u)
			text(img, small, dim, x, y, line)
		}
	}
	if s.Continue {
		y += int(30 * u)
		text(img, small, dim, x, y, fmt.Sprintf("continues from shot %d", req.Index))
	}
	return img
}

func castName(cast []timeline.CastRef, id string) string {
	for _, c := range cast {
		if c.ID == id {
			return c.Name
		}
	}
	return id
}

// loadStill reads a cast member's still.
func loadStill(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	return img, err
}

// gradient fills img with a vertical gradient from top to bottom.
func gradient(img *image.RGBA, top, bottom color.RGBA) {
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		t := float64(y-b.Min.Y) / float64(max(1, b.Dy()-1))
		c := color.RGBA{lerp8(top.R, bottom.R, t), lerp8(top.G, bottom.G, t), lerp8(top.B, bottom.B, t), 255}
		row := img.Pix[y*img.Stride : y*img.Stride+b.Dx()*4]
		for x := 0; x < len(row); x += 4 {
			row[x], row[x+1], row[x+2], row[x+3] = c.R, c.G, c.B, 255
		}
	}
}

func lerp8(a, b uint8, t float64) uint8 {
	return uint8(math.Round(float64(a) + (float64(b)-float64(a))*t))
}

// drawScene sketches the framing behind the text: small figures on a
// horizon for a wide shot, a figure from the waist up for a medium shot, a
// head and shoulders for a close-up, an eye for an extreme close-up.
func drawScene(img *image.RGBA, g geometry, framing timeline.Framing, figures int) {
	cw, ch := float32(g.cw), float32(g.ch)
	shade := color.NRGBA{0xff, 0xff, 0xff, 0x22}
	z := vector.NewRasterizer(g.cw, g.ch)
	// The figures stand right of centre, so the text on the left stays clear.
	cx := cw * 0.68
	switch framing {
	case timeline.Wide:
		horizon := ch * 0.68
		z.MoveTo(0, horizon)
		z.LineTo(cw, horizon-ch*0.03)
		z.LineTo(cw, ch)
		z.LineTo(0, ch)
		z.ClosePath()
		for i := range min(figures, 4) {
			x := cx + float32(i)*cw*0.06 - float32(figures-1)*cw*0.03
			person(z, x, horizon-ch*0.01, ch*0.16)
		}
	case timeline.Medium:
		for i := range min(figures, 3) {
			x := cx + float32(i)*cw*0.16 - float32(min(figures, 3)-1)*cw*0.08
			person(z, x, ch*1.08, ch*0.9)
		}
	case timeline.CloseUp:
		person(z, cx, ch*1.55, ch*1.5)
	default:
		// An eye: an almond with an iris.
		ey, ew, eh := ch*0.5, cw*0.36, ch*0.2
		z.MoveTo(cx-ew/2, ey)
		z.QuadTo(cx, ey-eh, cx+ew/2, ey)
		z.QuadTo(cx, ey+eh, cx-ew/2, ey)
		z.ClosePath()
		circle(z, cx, ey, eh*0.45)
	}
	z.Draw(img, img.Bounds(), image.NewUniform(shade), image.Point{})
}

// person adds a simple standing figure, feet at (x, feet), of height h.
func person(z *vector.Rasterizer, x, feet, h float32) {
	head := h * 0.075
	circle(z, x, feet-h+head, head)
	sw := h * 0.13 // shoulder half-width
	top := feet - h + head*2.3
	z.MoveTo(x-sw, top+head*0.6)
	z.QuadTo(x-sw, top, x, top)
	z.QuadTo(x+sw, top, x+sw, top+head*0.6)
	z.LineTo(x+sw*0.7, feet)
	z.LineTo(x-sw*0.7, feet)
	z.ClosePath()
}

func circle(z *vector.Rasterizer, cx, cy, r float32) {
	// Four cubic arcs approximate a circle closely enough for a sketch.
	const k = 0.5523
	z.MoveTo(cx+r, cy)
	z.CubeTo(cx+r, cy+k*r, cx+k*r, cy+r, cx, cy+r)
	z.CubeTo(cx-k*r, cy+r, cx-r, cy+k*r, cx-r, cy)
	z.CubeTo(cx-r, cy-k*r, cx-k*r, cy-r, cx, cy-r)
	z.CubeTo(cx+k*r, cy-r, cx+r, cy-k*r, cx+r, cy)
	z.ClosePath()
}

// text draws s with its baseline at (x, y) and returns its advance.
func text(img draw.Image, face font.Face, c color.Color, x, y int, s string) int {
	d := font.Drawer{Dst: img, Src: image.NewUniform(c), Face: face, Dot: fixed.P(x, y)}
	d.DrawString(s)
	return (d.Dot.X - fixed.I(x)).Round()
}

// fitRunes is the longest start of s no wider than width, and at least
// its first rune. It measures rune by rune, as far as the width reaches:
// cutting a word one rune at a time from its end and measuring it again
// took minutes for a prompt of 32,000 characters without a space (a
// Chinese prompt, say), which a project may hold.
func fitRunes(face font.Face, s string, width int) string {
	var w fixed.Int26_6
	prev := rune(-1)
	for i, r := range s {
		if prev >= 0 {
			w += face.Kern(prev, r)
		}
		a, _ := face.GlyphAdvance(r)
		w += a
		if w.Round() > width && i > 0 {
			return s[:i]
		}
		prev = r
	}
	return s
}

// wrap breaks s into at most maxLines lines no wider than width, ending
// with an ellipsis when it had to cut.
func wrap(face font.Face, s string, width, maxLines int) []string {
	var lines []string
	var cur string
	words := strings.Fields(s)
	for _, w := range words {
		try := w
		if cur != "" {
			try = cur + " " + w
		}
		if font.MeasureString(face, try).Round() <= width || cur == "" {
			// A single word wider than the line is cut to fit.
			cur = fitRunes(face, try, width)
			continue
		}
		lines = append(lines, cur)
		cur = w
		if len(lines) == maxLines {
			last := lines[maxLines-1]
			for font.MeasureString(face, last+"…").Round() > width && len([]rune(last)) > 1 {
				r := []rune(last)
				last = string(r[:len(r)-1])
			}
			lines[maxLines-1] = strings.TrimRight(last, " ,.;:") + "…"
			return lines
		}
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return lines
}
