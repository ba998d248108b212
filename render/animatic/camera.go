package animatic

import (
	"math"
	"sync"

	"github.com/slatestudio/slate/timeline"
)

// viewport is the part of the canvas the camera sees, in canvas pixels.
type viewport struct{ x, y, w, h float64 }

// cameraAt is where the camera looks at time t (0 at the shot's first
// frame, 1 at its last). Pans and tilts slide a frame-sized window across
// the canvas's headroom; zooms change the window's size about the centre;
// a dolly is a gentler push or pull that eases in and out and drifts
// slightly, as a camera on a track does, where a zoom is even throughout.
func cameraAt(g geometry, move timeline.Move, t float64) viewport {
	w, h := float64(g.w), float64(g.h)
	cw, ch := float64(g.cw), float64(g.ch)
	mx, my := cw-w, ch-h // headroom in each direction
	centre := viewport{mx / 2, my / 2, w, h}
	ease := t * t * (3 - 2*t)
	scaled := func(s, dy float64) viewport {
		vw, vh := cw/s, ch/s
		return viewport{(cw - vw) / 2, (ch-vh)/2 + dy, vw, vh}
	}
	switch move {
	case timeline.PanLeft:
		return viewport{mx * (1 - ease), my / 2, w, h}
	case timeline.PanRight:
		return viewport{mx * ease, my / 2, w, h}
	case timeline.TiltUp:
		return viewport{mx / 2, my * (1 - ease), w, h}
	case timeline.TiltDown:
		return viewport{mx / 2, my * ease, w, h}
	case timeline.ZoomIn:
		return scaled(1+(headroom-1)*t, 0)
	case timeline.ZoomOut:
		return scaled(headroom-(headroom-1)*t, 0)
	case timeline.DollyIn:
		return scaled(1+0.1+0.1*ease, my*0.1*(0.5-ease))
	case timeline.DollyOut:
		return scaled(1+0.2-0.1*ease, my*0.1*(ease-0.5))
	}
	return centre
}

// planes is a frame in YUV 4:2:0: full-size luma and half-size chroma.
type planes struct {
	w, h    int
	y, u, v []byte
}

func newPlanes(w, h int) *planes {
	return &planes{w, h, make([]byte, w*h), make([]byte, w*h/4), make([]byte, w*h/4)}
}

// bytes lays the planes out as one yuv420p frame, Y then U then V.
func (p *planes) into(buf []byte) {
	n := copy(buf, p.y)
	n += copy(buf[n:], p.u)
	copy(buf[n:], p.v)
}

// sampler resamples a canvas into output frames. Per output column and
// row it precomputes the source pixel and the blend weight (in 1/256), so
// each sample is four loads and a few integer multiply-adds.
type sampler struct {
	workers int
}

// resample draws the part vp of src (luma coordinates) into dst with
// bilinear filtering, splitting rows between workers.
func (s *sampler) resample(src, dst *planes, vp viewport) {
	if vp.w == float64(dst.w) && vp.h == float64(dst.h) && vp.x == math.Trunc(vp.x) && vp.y == math.Trunc(vp.y) {
		// A whole-pixel window at full size: copy rows, no filtering.
		ox, oy := int(vp.x), int(vp.y)
		copyRows(src.y, src.w, dst.y, dst.w, dst.h, ox, oy)
		copyRows(src.u, src.w/2, dst.u, dst.w/2, dst.h/2, ox/2, oy/2)
		copyRows(src.v, src.w/2, dst.v, dst.w/2, dst.h/2, ox/2, oy/2)
		return
	}
	var wg sync.WaitGroup
	n := max(1, s.workers)
	for k := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.plane(src.y, src.w, src.h, dst.y, dst.w, dst.h, vp, k, n)
			half := viewport{vp.x / 2, vp.y / 2, vp.w / 2, vp.h / 2}
			s.plane(src.u, src.w/2, src.h/2, dst.u, dst.w/2, dst.h/2, half, k, n)
			s.plane(src.v, src.w/2, src.h/2, dst.v, dst.w/2, dst.h/2, half, k, n)
		}()
	}
	wg.Wait()
}

func copyRows(src []byte, sw int, dst []byte, dw, dh, ox, oy int) {
	for y := range dh {
		copy(dst[y*dw:(y+1)*dw], src[(oy+y)*sw+ox:])
	}
}

// plane resamples rows k, k+n, k+2n, … of one plane.
func (s *sampler) plane(src []byte, sw, sh int, dst []byte, dw, dh int, vp viewport, k, n int) {
	xs, fx := axis(vp.x, vp.w, dw, sw)
	ys, fy := axis(vp.y, vp.h, dh, sh)
	for oy := k; oy < dh; oy += n {
		y0 := int(ys[oy])
		r0 := src[y0*sw : y0*sw+sw]
		r1 := src[(y0+1)*sw : (y0+1)*sw+sw]
		wy := fy[oy]
		out := dst[oy*dw : oy*dw+dw]
		for ox := range out {
			x0 := xs[ox]
			wx := fx[ox]
			a, b := int32(r0[x0]), int32(r0[x0+1])
			c, d := int32(r1[x0]), int32(r1[x0+1])
			top := a<<8 + (b-a)*wx
			bot := c<<8 + (d-c)*wx
			out[ox] = byte((top<<8 + (bot-top)*wy + 1<<15) >> 16)
		}
	}
}

// axis maps each output coordinate along one axis to a source pixel and a
// weight for the next one, clamped so both stay inside the source.
func axis(start, span float64, out, size int) ([]int32, []int32) {
	idx := make([]int32, out)
	w := make([]int32, out)
	scale := span / float64(out)
	for i := range out {
		src := start + (float64(i)+0.5)*scale - 0.5
		src = max(0, min(src, float64(size-1)-1e-6))
		i0 := int(src)
		if i0 >= size-1 {
			i0 = size - 2
		}
		idx[i] = int32(i0)
		w[i] = int32(math.Round((src - float64(i0)) * 256))
	}
	return idx, w
}
