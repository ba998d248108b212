package animatic

import (
	"encoding/binary"
	"math"
	"sort"
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
	// busy holds, for a canvas, each plane's rows' busy spans: where a row
	// differs from its first pixel. Outside them a row is one flat value,
	// which the resampler fills without filtering. Nil for frames.
	busy *[3][]span
}

// span is a half-open range of columns; lo >= hi when empty.
type span struct{ lo, hi int32 }

// markBusy finds the busy span of every row of every plane.
func (p *planes) markBusy() {
	var b [3][]span
	for k, pl := range [][]byte{p.y, p.u, p.v} {
		w, h := p.w, p.h
		if k > 0 {
			w, h = w/2, h/2
		}
		b[k] = make([]span, h)
		for y := range h {
			row := pl[y*w : y*w+w]
			lo, hi := int32(w), int32(0)
			for x, v := range row {
				if v != row[0] {
					lo = int32(x)
					break
				}
			}
			for x := len(row) - 1; x >= 0; x-- {
				if row[x] != row[0] {
					hi = int32(x + 1)
					break
				}
			}
			b[k][y] = span{lo, hi}
		}
	}
	p.busy = &b
}

func newPlanes(w, h int) *planes {
	return &planes{w: w, h: h, y: make([]byte, w*h), u: make([]byte, w*h/4), v: make([]byte, w*h/4)}
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
	var busy [3][]span
	if src.busy != nil {
		busy = *src.busy
	}
	jobs := []func(k, n int){
		func(k, n int) { resamplePlane(src.y, src.w, src.h, busy[0], dst.y, dst.w, dst.h, vp, k, n) },
		func(k, n int) { resamplePlane(src.u, src.w/2, src.h/2, busy[1], dst.u, dst.w/2, dst.h/2, half, k, n) },
		func(k, n int) { resamplePlane(src.v, src.w/2, src.h/2, busy[2], dst.v, dst.w/2, dst.h/2, half, k, n) },
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

// resamplePlane fills block k of n of the rows of one plane. Each output
// row blends two source rows vertically (the same weight all along, so
// eight pixels at a time), then filters that row horizontally — only
// where the rows are busy (busy, when known): elsewhere both rows are flat
// and the output is one value.
func resamplePlane(src []byte, sw, sh int, busy []span, dst []byte, dw, dh int, vp viewport, k, n int) {
	xs, fx := axis(vp.x, vp.w, dw, sw)
	ys, fy := axis(vp.y, vp.h, dh, sh)
	from, to := dh*k/n, dh*(k+1)/n
	if vp.w == float64(dw) && vp.h == float64(dh) {
		shiftPlane(src, sw, busy, dst, dw, xs[0], fx[0], ys[from:to], fy[from:to], from)
		return
	}
	tmp := make([]byte, sw)
	taps := make([]int32, dw)
	for oy := from; oy < to; oy++ {
		y, wy := int(ys[oy]), uint64(fy[oy])
		out := dst[oy*dw : oy*dw+dw]
		// Output columns [i0, i1) need filtering; the rest are flat.
		i0, i1 := flatEdges(out, src, sw, busy, y, wy, func(b span) (int, int) {
			// Taps x and x+1 touch [lo, hi) when x+1 >= lo and x < hi.
			return sort.Search(dw, func(i int) bool { return xs[i]+1 >= b.lo }),
				sort.Search(dw, func(i int) bool { return xs[i] >= b.hi })
		})
		if i0 >= i1 {
			continue
		}
		// The source columns those outputs need: the first tap to one
		// past the last.
		x0, x1 := int(xs[i0]), int(xs[i1-1])+2
		t := tmp[:x1-x0]
		a := src[y*sw+x0 : y*sw+x1]
		if wy == 0 {
			copy(t, a)
		} else {
			lerpRow(t, a, src[(y+1)*sw+x0:(y+1)*sw+x1], wy)
		}
		tp := taps[:i1-i0]
		for i := range tp {
			tp[i] = xs[i0+i] - int32(x0)
		}
		filterRow(out[i0:i1], t, tp, fx[i0:i1])
	}
}

// flatEdges fills the flat ends of an output row blended from source rows
// y and y+1 (by wy/256), and returns the columns [i0, i1) between them that
// still need work. cols maps the source rows' joint busy span to output
// columns. With no busy spans known, the whole row needs work.
func flatEdges(out, src []byte, sw int, busy []span, y int, wy uint64, cols func(span) (int, int)) (int, int) {
	if busy == nil {
		return 0, len(out)
	}
	b := busy[y]
	if wy != 0 {
		c := busy[y+1]
		b = span{min(b.lo, c.lo), max(b.hi, c.hi)}
	}
	i0, i1 := len(out), len(out)
	if b.lo < b.hi {
		i0, i1 = cols(b)
	}
	if i0 > 0 || i1 < len(out) {
		a, c := uint64(src[y*sw]), uint64(src[y*sw])
		if wy != 0 {
			c = uint64(src[(y+1)*sw])
		}
		v := byte((a*(256-wy) + c*wy + 128) >> 8)
		fill(out[:i0], v)
		fill(out[i1:], v)
	}
	return i0, i1
}

// fill sets every byte of b to v.
func fill(b []byte, v byte) {
	if len(b) == 0 {
		return
	}
	b[0] = v
	for n := 1; n < len(b); n *= 2 {
		copy(b[n:], b[:n])
	}
}

// shiftPlane handles a full-size window moved by a fraction of a pixel, as
// in every pan and tilt: the same two weights for every pixel. Like
// resamplePlane it fills the flat parts of rows without blending.
func shiftPlane(src []byte, sw int, busy []span, dst []byte, dw int, x0, wx int32, ys, fy []int32, from int) {
	var tmp, tmp2 []byte
	for r, y := range ys {
		wy := uint64(fy[r])
		out := dst[(from+r)*dw : (from+r)*dw+dw]
		// Output columns [i0, i1) need blending; the rest are flat.
		i0, i1 := flatEdges(out, src, sw, busy, int(y), wy, func(b span) (int, int) {
			i0 := max(0, min(dw, int(b.lo-1-x0)))
			return i0, max(i0, min(dw, int(b.hi-x0)))
		})
		if i0 >= i1 {
			continue
		}
		out = out[i0:i1]
		n := i1 - i0
		// axis keeps a weighted neighbour inside the plane, so the slices
		// below are only taken when their weight is not zero.
		base := int(y)*sw + int(x0) + i0
		a0 := src[base : base+n]
		switch {
		case wy == 0 && wx == 0:
			copy(out, a0)
		case wy == 0:
			lerpRow(out, a0, src[base+1:base+1+n], uint64(wx))
		case wx == 0:
			lerpRow(out, a0, src[base+sw:base+sw+n], wy)
		default:
			if tmp == nil {
				tmp, tmp2 = make([]byte, dw), make([]byte, dw)
			}
			lerpRow(tmp[:n], a0, src[base+1:base+1+n], uint64(wx))
			lerpRow(tmp2[:n], src[base+sw:base+sw+n], src[base+sw+1:base+sw+1+n], uint64(wx))
			lerpRow(out, tmp[:n], tmp2[:n], wy)
		}
	}
}

// lerpRow sets out[i] = a[i]·(256−w)/256 + b[i]·w/256, rounded. It works
// on eight pixels at a time held in a uint64, four to a 16-bit lane set:
// a product is at most 255·256, so a lane never carries into the next.
func lerpRow(out, a, b []byte, w uint64) {
	const mask = 0x00ff00ff00ff00ff
	const half = 0x0080008000800080
	w0 := 256 - w
	n := len(out) &^ 7
	a, b = a[:len(out)], b[:len(out)]
	for i := 0; i < n; i += 8 {
		pa := binary.LittleEndian.Uint64(a[i:])
		pb := binary.LittleEndian.Uint64(b[i:])
		even := ((pa&mask)*w0 + (pb&mask)*w + half) >> 8 & mask
		odd := ((pa>>8&mask)*w0 + (pb>>8&mask)*w + half) & (mask << 8)
		binary.LittleEndian.PutUint64(out[i:], even|odd)
	}
	for i := n; i < len(out); i++ {
		out[i] = byte((uint64(a[i])*w0 + uint64(b[i])*w + 128) >> 8)
	}
}

// filterRow resamples one row horizontally: output pixel i blends src at
// taps[i] and the pixel after it by fx[i]/256.
func filterRow(out, src []byte, taps, fx []int32) {
	taps = taps[:len(out)]
	fx = fx[:len(out)]
	for i := range out {
		x := taps[i]
		a := int32(src[x])
		out[i] = byte((a<<8 + (int32(src[x+1])-a)*fx[i] + 128) >> 8)
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
