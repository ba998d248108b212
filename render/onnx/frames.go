package onnx

import (
	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/render"
)

// frameWriter takes the model's frames in order and writes the project's:
// project frame i shows model frame ⌊i·modelFPS/projectFPS⌋, so a faster
// project rate repeats frames and a slower one drops them, the same way
// every time. Each frame is cropped to the project's size (it was made in
// the pack's size multiple, centred) and converted to yuv420p.
type frameWriter struct {
	enc             *media.Encoder
	modelFPS, fps   int
	width, height   int // the project's
	genW, genH      int // the model's
	need            int // project frames
	written, native int // project frames written, model frames seen
	buf             []byte
	ox, oy          int // crop offset
}

func newFrameWriter(req *render.Request, modelFPS int, g Geometry, enc *media.Encoder) *frameWriter {
	f := req.Format
	return &frameWriter{
		enc: enc, modelFPS: modelFPS, fps: f.FPS,
		width: f.Width, height: f.Height, genW: g.Width, genH: g.Height,
		need: req.Frames(),
		buf:  make([]byte, media.FrameSize("yuv420p", f.Width, f.Height)),
		ox:   (g.Width - f.Width) / 2, oy: (g.Height - f.Height) / 2,
	}
}

func (w *frameWriter) done() bool { return w.written >= w.need }

// source is the model frame project frame i shows.
func (w *frameWriter) source(i int) int { return i * w.modelFPS / w.fps }

// add takes model frame t of a decoded chunk (video is [1, 3, frames, H,
// W] in −1..1) and writes every project frame that shows it.
func (w *frameWriter) add(video []float32, frames, t int) error {
	j := w.native
	w.native++
	if w.done() || w.source(w.written) != j {
		return nil
	}
	w.convert(video, frames, t)
	for !w.done() && w.source(w.written) == j {
		if err := w.enc.WriteFrame(w.buf); err != nil {
			return err
		}
		w.written++
	}
	return nil
}

// convert writes frame t as yuv420p into w.buf: BT.709 limited range,
// which the encoder tags the clip as, with chroma from each 2×2 block's
// mean colour.
func (w *frameWriter) convert(video []float32, frames, t int) {
	hw := w.genW * w.genH
	r := video[(0*frames+t)*hw : (0*frames+t+1)*hw]
	g := video[(1*frames+t)*hw : (1*frames+t+1)*hw]
	b := video[(2*frames+t)*hw : (2*frames+t+1)*hw]
	// 0..1 from the model's −1..1, clamped.
	unit := func(v float32) float32 {
		v = (v + 1) / 2
		return min(1, max(0, v))
	}
	ys := w.buf[:w.width*w.height]
	cw, ch := (w.width+1)/2, (w.height+1)/2
	us := w.buf[w.width*w.height : w.width*w.height+cw*ch]
	vs := w.buf[w.width*w.height+cw*ch:]
	for y := range w.height {
		row := (y+w.oy)*w.genW + w.ox
		for x := range w.width {
			i := row + x
			luma := 0.2126*unit(r[i]) + 0.7152*unit(g[i]) + 0.0722*unit(b[i])
			ys[y*w.width+x] = byte(16 + 219*luma + 0.5)
		}
	}
	for cy := range ch {
		for cx := range cw {
			var sr, sg, sb float32
			n := float32(0)
			for dy := range 2 {
				for dx := range 2 {
					x, y := 2*cx+dx, 2*cy+dy
					if x >= w.width || y >= w.height {
						continue
					}
					i := (y+w.oy)*w.genW + w.ox + x
					sr, sg, sb, n = sr+unit(r[i]), sg+unit(g[i]), sb+unit(b[i]), n+1
				}
			}
			sr, sg, sb = sr/n, sg/n, sb/n
			cb := -0.1146*sr - 0.3854*sg + 0.5*sb
			cr := 0.5*sr - 0.4542*sg - 0.0458*sb
			us[cy*cw+cx] = byte(128 + 224*cb + 0.5)
			vs[cy*cw+cx] = byte(128 + 224*cr + 0.5)
		}
	}
}
