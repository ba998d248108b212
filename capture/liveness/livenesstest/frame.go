// Package livenesstest builds fake takes for the liveness checks' tests:
// a real face photo, moved, scaled and turned as a script's prompts ask,
// encoded by media to an MP4 with espeak-ng reading the digits and the
// line at the prompted times. Options spoil a take in one way at a time
// (silent, black, frozen, no face, turned the wrong way, ...) so each
// check can be seen to fail for its own reason.
//
// A turned head is faked in 2D: the half of the face on the side the head
// turns towards is squeezed and the other half stretched, about the
// nose, and the face slides a little that way. The nose thus ends up off
// the middle of the eyes, as it does on a real turned head, but nothing
// is hidden the way a real cheek hides the far eye, and the outline of
// the head does not change. It is a fair test of the measurement the
// checks make, not of how well it works on people.
package livenesstest

import (
	"bytes"
	_ "embed"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"
)

// facePhoto is pigo's sample portrait (MIT; see testdata/README.md): one
// frontal face, 320×400, on a plain light background.
//
//go:embed testdata/face.jpg
var facePhoto []byte

// Photo decodes the bundled face photo.
func Photo() (image.Image, error) {
	img, err := jpeg.Decode(bytes.NewReader(facePhoto))
	if err != nil {
		return nil, fmt.Errorf("decode the bundled face photo: %w", err)
	}
	return img, nil
}

// Pose is where and how the photo is drawn in a frame.
type Pose struct {
	// X and Y move the photo's centre from the frame's, in pixels.
	X, Y float64
	// Scale is the photo's height as a fraction of the frame's.
	Scale float64
	// Turn fakes a turned head, from −1 to 1: 0 faces the camera; a
	// positive Turn turns the face towards the picture's right, which is
	// the person's left in a picture that is not mirrored. 0.35 reads as
	// a clear turn.
	Turn float64
}

// Painter draws a photo into frames. It keeps the photo as RGBA so each
// frame is a plain resampling.
type Painter struct {
	src        *image.RGBA
	background color.RGBA
}

// NewPainter prepares photo for drawing. The background of every frame is
// the colour of the photo's top-left corner, so the photo's edges do not
// show.
func NewPainter(photo image.Image) *Painter {
	b := photo.Bounds()
	src := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	for y := range b.Dy() {
		for x := range b.Dx() {
			src.Set(x, y, photo.At(b.Min.X+x, b.Min.Y+y))
		}
	}
	return &Painter{src: src, background: src.RGBAAt(2, 2)}
}

// Background is the colour around the photo.
func (p *Painter) Background() color.RGBA { return p.background }

// Draw paints the photo into dst in pose p, bilinearly resampled.
func (p *Painter) Draw(dst *image.RGBA, pose Pose) {
	db := dst.Bounds()
	sw, sh := float64(p.src.Rect.Dx()), float64(p.src.Rect.Dy())
	scale := pose.Scale * float64(db.Dy()) / sh // frame pixels per photo pixel
	turn := math.Max(-0.9, math.Min(0.9, pose.Turn))
	// A head turning swings its face towards the turn too.
	cx := float64(db.Min.X) + float64(db.Dx())/2 + pose.X + turn*0.12*sw*scale
	cy := float64(db.Min.Y) + float64(db.Dy())/2 + pose.Y
	bg := p.background
	for y := db.Min.Y; y < db.Max.Y; y++ {
		sy := (float64(y)+0.5-cy)/scale + sh/2 - 0.5
		row := dst.Pix[dst.PixOffset(db.Min.X, y):]
		for x := db.Min.X; x < db.Max.X; x++ {
			u := (float64(x) + 0.5 - cx) / scale // photo pixels from its middle
			// Undo the fake turn: the half of the face towards the
			// picture's left was stretched by 1+turn, the other half
			// squeezed by 1−turn (and the other way round for a negative
			// turn).
			if u < 0 {
				u /= 1 + turn
			} else {
				u /= 1 - turn
			}
			sx := u + sw/2 - 0.5
			c := p.sample(sx, sy, bg)
			i := (x - db.Min.X) * 4
			row[i], row[i+1], row[i+2], row[i+3] = c.R, c.G, c.B, 255
		}
	}
}

// sample reads the photo at (x, y) bilinearly, or bg outside it.
func (p *Painter) sample(x, y float64, bg color.RGBA) color.RGBA {
	w, h := p.src.Rect.Dx(), p.src.Rect.Dy()
	if x < 0 || y < 0 || x > float64(w-1) || y > float64(h-1) {
		return bg
	}
	x0, y0 := int(x), int(y)
	x1, y1 := min(x0+1, w-1), min(y0+1, h-1)
	fx, fy := x-float64(x0), y-float64(y0)
	at := func(x, y int) []uint8 { i := p.src.PixOffset(x, y); return p.src.Pix[i : i+3] }
	a, b, c, d := at(x0, y0), at(x1, y0), at(x0, y1), at(x1, y1)
	var out [3]uint8
	for k := range out {
		top := float64(a[k])*(1-fx) + float64(b[k])*fx
		bot := float64(c[k])*(1-fx) + float64(d[k])*fx
		out[k] = uint8(top*(1-fy) + bot*fy + 0.5)
	}
	return color.RGBA{out[0], out[1], out[2], 255}
}
