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

// sampler resamples a canvas into output frames with bilinear filtering,
// done separably: each source row needed is filtered horizontally once
// (and kept while the next output row needs it too), then pairs of those
// rows are blended vertically. Per output column and row it precomputes
// the source pixel and the weight of the next one, in 1/256.
type sampler struct {
	workers int
}

// resample draws the part vp of src (luma coordinates) into dst, splitting
// the rows between workers.
func (s *sampler) resample(src, dst *planes, vp viewport) {
	if vp.w == float64(dst.w) && vp.h == float64(dst.h) && vp.x == math.Trunc(vp.x) && vp.y == math.Trunc(vp.y) &&
		int(vp.x)%2 == 0 && int(vp.y)%2 == 0 {
		// A whole-pixel window at full size: copy rows, no filtering.
		ox, oy := int(vp.x), int(vp.y)
		copyRows(src.y, src.w, dst.y, dst.w, dst.h, ox, oy)
		copyRows(src.u, src.w/2, dst.u, dst.w/2, dst.h/2, ox/2, oy/2)
		copyRows(src.v, src.w/2, dst.v, dst.w/2, dst.h/2, ox/2, oy/2)
		return
	}
	half := viewport{vp.x / 2, vp.y / 2, vp.w / 2, vp.h / 2}
	jobs := []func(k, n int){
		func(k, n int) { resamplePlane(src.y, src.w, src.h, dst.y, dst.w, dst.h, vp, k, n) },
		func(k, n int) { resamplePlane(src.u, src.w/2, src.h/2, dst.u, dst.w/2, dst.h/2, half, k, n) },
		func(k, n int) { resamplePlane(src.v, src.w/2, src.h/2, dst.v, dst.w/2, dst.h/2, half, k, n) },
	}
	n := max(1, s.workers)
	var wg sync.WaitGroup
	for k := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, job := range jobs {
				job(k, n)
			}
		}()
	}
	wg.Wait()
}

func copyRows(src []byte, sw int, dst []byte, dw, dh, ox, oy int) {
	for y := range dh {
		copy(dst[y*dw:(y+1)*dw], src[(oy+y)*sw+ox:])
	}
}

// resamplePlane fills block k of n of the rows of one plane.
func resamplePlane(src []byte, sw, sh int, dst []byte, dw, dh int, vp viewport, k, n int) {
	xs, fx := axis(vp.x, vp.w, dw, sw)
	ys, fy := axis(vp.y, vp.h, dh, sh)
	from, to := dh*k/n, dh*(k+1)/n
	if vp.w == float64(dw) && vp.h == float64(dh) {
		shiftPlane(src, sw, dst, dw, xs[0], fx[0], ys[from:to], fy[from:to], from)
		return
	}
	// Two horizontally filtered source rows, values times 256.
	rows := [2][]int32{make([]int32, dw), make([]int32, dw)}
	have := [2]int{-1, -1}
	row := func(y int) []int32 {
		for i := range have {
			if have[i] == y {
				return rows[i]
			}
		}
		// Replace the row not needed next: the lower one.
		i := 0
		if have[1] < have[0] {
			i = 1
		}
		have[i] = y
		filterRow(rows[i], src[y*sw:y*sw+sw], xs, fx)
		return rows[i]
	}
	for oy := from; oy < to; oy++ {
		y0 := int(ys[oy])
		wy := fy[oy]
		a := row(y0)
		out := dst[oy*dw : oy*dw+dw]
		a = a[:len(out)]
		if wy == 0 {
			for i := range out {
				out[i] = byte((a[i] + 128) >> 8)
			}
			continue
		}
		b := row(y0 + 1)[:len(out)]
		for i := range out {
			out[i] = byte((a[i]<<8 + (b[i]-a[i])*wy + 1<<15) >> 16)
		}
	}
}

// shiftPlane handles a full-size window moved by a fraction of a pixel, as
// in every pan and tilt: the same two weights for every pixel, and each
// output pixel blends at most four neighbours at fixed offsets.
func shiftPlane(src []byte, sw int, dst []byte, dw int, x0, wx int32, ys, fy []int32, from int) {
	for r, y := range ys {
		wy := fy[r]
		out := dst[(from+r)*dw : (from+r)*dw+dw]
		// axis keeps a weighted neighbour inside the plane, so the slices
		// below are only taken when their weight is not zero.
		base := int(y)*sw + int(x0)
		a0 := src[base : base+dw]
		switch {
		case wy == 0 && wx == 0:
			copy(out, a0)
		case wy == 0:
			a1 := src[base+1 : base+1+dw]
			w0, w1 := 256-uint32(wx), uint32(wx)
			for i := range out {
				out[i] = byte((uint32(a0[i])*w0 + uint32(a1[i])*w1 + 128) >> 8)
			}
		case wx == 0:
			b0 := src[base+sw : base+sw+dw]
			v0, v1 := 256-uint32(wy), uint32(wy)
			for i := range out {
				out[i] = byte((uint32(a0[i])*v0 + uint32(b0[i])*v1 + 128) >> 8)
			}
		default:
			a1 := src[base+1 : base+1+dw]
			b0 := src[base+sw : base+sw+dw]
			b1 := src[base+sw+1 : base+sw+1+dw]
			w0, w1 := 256-uint32(wx), uint32(wx)
			v0, v1 := 256-uint32(wy), uint32(wy)
			for i := range out {
				top := uint32(a0[i])*w0 + uint32(a1[i])*w1
				bot := uint32(b0[i])*w0 + uint32(b1[i])*w1
				out[i] = byte((top*v0 + bot*v1 + 1<<15) >> 16)
			}
		}
	}
}

// filterRow resamples one source row horizontally into h (times 256).
func filterRow(h []int32, src []byte, xs, fx []int32) {
	fx = fx[:len(h)]
	xs = xs[:len(h)]
	for i := range h {
		x := xs[i]
		a := int32(src[x])
		h[i] = a<<8 + (int32(src[x+1])-a)*fx[i]
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
