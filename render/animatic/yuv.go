package animatic

import (
	"image"
	"image/color"
	"image/draw"
	"strings"
	"time"

	"golang.org/x/image/font"

	"github.com/slatestudio/slate/render"
)

// BT.709 limited-range conversion (the encoder tags its output as such):
// luma 16–235, chroma 16–240 around 128. Weights are in 1/65536.
const (
	kr, kg, kb = 13933, 46871, 4732 // 0.2126, 0.7152, 0.0722
	kcb        = 31024              // 224/255 / 1.8556
	kcr        = 36556              // 224/255 / 1.5748
)

func luma(r, g, b int32) int32 {
	yf := int64(kr*r + kg*g + kb*b) // Y' in 0–255, times 65536
	return int32(16 + (yf*219/255+1<<15)>>16)
}

func chroma(r, g, b int32) (int32, int32) {
	yf := int64(kr*r + kg*g + kb*b)
	cb := 128 + ((int64(b)<<16-yf)*kcb+1<<31)>>32
	cr := 128 + ((int64(r)<<16-yf)*kcr+1<<31)>>32
	return clamp8(int32(cb)), clamp8(int32(cr))
}

func clamp8(v int32) int32 { return max(0, min(255, v)) }

// toPlanes converts an opaque RGBA image to YUV 4:2:0, averaging each 2×2
// block for chroma.
func toPlanes(img *image.RGBA) *planes {
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	p := newPlanes(w, h)
	for y := range h {
		row := img.Pix[y*img.Stride:]
		for x := range w {
			px := row[x*4 : x*4+3]
			p.y[y*w+x] = byte(luma(int32(px[0]), int32(px[1]), int32(px[2])))
		}
	}
	for y := 0; y < h; y += 2 {
		for x := 0; x < w; x += 2 {
			var r, g, b int32
			for _, o := range [4][2]int{{0, 0}, {1, 0}, {0, 1}, {1, 1}} {
				px := img.Pix[(y+o[1])*img.Stride+(x+o[0])*4:]
				r, g, b = r+int32(px[0]), g+int32(px[1]), b+int32(px[2])
			}
			cb, cr := chroma((r+2)/4, (g+2)/4, (b+2)/4)
			p.u[(y/2)*(w/2)+x/2] = byte(cb)
			p.v[(y/2)*(w/2)+x/2] = byte(cr)
		}
	}
	return p
}

// overlay is a caption prepared for blending: its colours in YUV with
// alpha, at its place in the frame. Chroma planes are half size.
type overlay struct {
	x, y, w, h   int // luma rectangle, even-aligned
	py, pa       []byte
	pu, pv, pua  []byte
	start, until int // frames [start, until)
}

// captionBox draws a caption box (speaker in the accent colour, then the
// line) and says where it goes: centred near the bottom of the frame.
func captionBox(f *fonts, g geometry, c render.Caption) (img *image.RGBA, x, y int) {
	u := g.u
	face := f.face(false, 30*u)
	bold := f.face(true, 30*u)
	maxW := int(float64(g.w) * 0.84)
	speaker := c.Speaker + ":  "
	sw := font.MeasureString(bold, speaker).Round()
	lines := wrap(face, c.Text, maxW-sw-int(40*u), 3)
	lh := int(40 * u)
	textW := 0
	for _, l := range lines {
		textW = max(textW, font.MeasureString(face, l).Round())
	}
	pad := int(16 * u)
	bw := even(float64(sw + textW + 2*pad))
	bh := even(float64(len(lines)*lh + pad))
	img = image.NewRGBA(image.Rect(0, 0, bw, bh))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.RGBA{0, 0, 0, 0xa8}), image.Point{}, draw.Src)
	base := pad/2 + int(31*u)
	text(img, bold, accent, pad, base, strings.TrimSpace(speaker))
	for i, l := range lines {
		text(img, face, white, pad+sw, base+i*lh, l)
	}
	return img, even(float64(g.w-bw) / 2), max(0, even(float64(g.h)-float64(bh)-float64(g.h)*0.06))
}

// makeOverlay prepares a caption box for blending into YUV frames.
func makeOverlay(f *fonts, g geometry, c render.Caption, fps int) *overlay {
	img, x, y := captionBox(f, g, c)
	bw, bh := img.Bounds().Dx(), img.Bounds().Dy()
	o := &overlay{
		x: x, y: y, w: bw, h: bh,
		start: captionFrame(c.Start, fps), until: captionFrame(c.End, fps),
	}
	o.py, o.pa = make([]byte, bw*bh), make([]byte, bw*bh)
	o.pu, o.pv, o.pua = make([]byte, bw*bh/4), make([]byte, bw*bh/4), make([]byte, bw*bh/4)
	// Draw the box's pixels premultiplied over nothing: un-premultiply to
	// get the colour, keep alpha apart.
	for y := range bh {
		for x := range bw {
			px := img.Pix[y*img.Stride+x*4:]
			a := int32(px[3])
			o.pa[y*bw+x] = byte(a)
			if a > 0 {
				o.py[y*bw+x] = byte(luma(int32(px[0])*255/a, int32(px[1])*255/a, int32(px[2])*255/a))
			}
		}
	}
	for y := 0; y < bh; y += 2 {
		for x := 0; x < bw; x += 2 {
			var r, g, b, a int32
			for _, d := range [4][2]int{{0, 0}, {1, 0}, {0, 1}, {1, 1}} {
				px := img.Pix[(y+d[1])*img.Stride+(x+d[0])*4:]
				r, g, b, a = r+int32(px[0]), g+int32(px[1]), b+int32(px[2]), a+int32(px[3])
			}
			i := (y/2)*(bw/2) + x/2
			o.pua[i] = byte(a / 4)
			if a > 0 {
				cb, cr := chroma(r*255/a, g*255/a, b*255/a)
				o.pu[i], o.pv[i] = byte(cb), byte(cr)
			}
		}
	}
	return o
}

// captionFrame is the first frame at or after t.
func captionFrame(t time.Duration, fps int) int {
	return int(t.Seconds()*float64(fps) + 0.5)
}

// blend draws the overlay onto a frame.
func (o *overlay) blend(p *planes) {
	blendPlane(p.y, p.w, o.py, o.pa, o.w, o.h, o.x, o.y)
	blendPlane(p.u, p.w/2, o.pu, o.pua, o.w/2, o.h/2, o.x/2, o.y/2)
	blendPlane(p.v, p.w/2, o.pv, o.pua, o.w/2, o.h/2, o.x/2, o.y/2)
}

func blendPlane(dst []byte, dw int, src, alpha []byte, w, h, x0, y0 int) {
	for y := range h {
		d := dst[(y0+y)*dw+x0 : (y0+y)*dw+x0+w]
		s := src[y*w : y*w+w]
		a := alpha[y*w : y*w+w]
		for x := range d {
			al := int32(a[x])
			d[x] = byte((int32(d[x])*(255-al) + int32(s[x])*al + 127) / 255)
		}
	}
}
