package animatic

import (
	"image"
	"image/draw"

	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/timeline"
)

// Preview draws a shot's animatic frames straight into images, for the
// studio's player and timeline thumbnails: no encoder, no sound, any size.
// Build one per shot and size with Backend.Preview; Frame is then cheap
// enough to call for every frame of playback. A Preview is not safe for
// concurrent use.
type Preview struct {
	g        geometry
	canvas   *image.RGBA
	move     timeline.Move
	frames   int
	captions []previewCaption
}

type previewCaption struct {
	img          *image.RGBA
	x, y         int
	start, until int
}

// Preview prepares frames of req's shot at w×h (at least 16×16). The
// captions are the shot's lines with their timing, as Soundtrack gives
// them; nil shows none.
func (b *Backend) Preview(req *render.Request, captions []render.Caption, w, h int) *Preview {
	w, h = max(16, w), max(16, h)
	g := newGeometry(w, h)
	p := &Preview{g: g, canvas: drawCard(b.fonts, g, req), move: req.Shot.Camera.Move, frames: req.Frames()}
	for _, c := range captions {
		img, x, y := captionBox(b.fonts, g, c)
		p.captions = append(p.captions, previewCaption{img, x, y, captionFrame(c.Start, req.Format.FPS), captionFrame(c.End, req.Format.FPS)})
	}
	return p
}

// Size is the size of the frames Frame draws.
func (p *Preview) Size() (w, h int) { return p.g.w, p.g.h }

// Frames is how many frames the shot has.
func (p *Preview) Frames() int { return p.frames }

// Frame draws frame i (clamped to the shot) into dst, which must be the
// preview's size, as the clip would show it.
func (p *Preview) Frame(i int, dst *image.RGBA) {
	i = max(0, min(i, p.frames-1))
	t := 0.0
	if p.frames > 1 {
		t = float64(i) / float64(p.frames-1)
	}
	resampleRGBA(p.canvas, dst, cameraAt(p.g, p.move, t))
	for _, c := range p.captions {
		if i >= c.start && i < c.until {
			r := c.img.Bounds().Add(image.Pt(c.x, c.y))
			draw.Draw(dst, r, c.img, image.Point{}, draw.Over)
		}
	}
}

// resampleRGBA draws the part vp of src into dst with bilinear filtering.
// Previews are small, so plain per-pixel arithmetic is quick enough.
func resampleRGBA(src, dst *image.RGBA, vp viewport) {
	dw, dh := dst.Bounds().Dx(), dst.Bounds().Dy()
	sw, sh := src.Bounds().Dx(), src.Bounds().Dy()
	xs, fx := axis(vp.x, vp.w, dw, sw)
	ys, fy := axis(vp.y, vp.h, dh, sh)
	for oy := range dh {
		y := int(ys[oy])
		wy := fy[oy]
		r0 := src.Pix[y*src.Stride:]
		r1 := src.Pix[min(y+1, sh-1)*src.Stride:]
		out := dst.Pix[oy*dst.Stride : oy*dst.Stride+dw*4]
		for ox := range dw {
			x := int(xs[ox]) * 4
			wx := fx[ox]
			for c := range 4 {
				a, b := int32(r0[x+c]), int32(r0[x+4+c])
				cc, d := int32(r1[x+c]), int32(r1[x+4+c])
				top := a<<8 + (b-a)*wx
				bot := cc<<8 + (d-cc)*wx
				out[ox*4+c] = byte((top<<8 + (bot-top)*wy + 1<<15) >> 16)
			}
		}
	}
}

// Thumbnail draws the first frame of req's shot at w×h, with no captions.
func (b *Backend) Thumbnail(req *render.Request, w, h int) *image.RGBA {
	p := b.Preview(req, nil, w, h)
	img := image.NewRGBA(image.Rect(0, 0, p.g.w, p.g.h))
	p.Frame(0, img)
	return img
}
