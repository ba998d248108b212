package player

import (
	"context"
	"image"
	"slices"

	"github.com/slatestudio/slate/timeline"
)

// film is the project as the player's background work sees it: a
// snapshot taken on the UI goroutine, never changed after.
type film struct {
	fps, total int
	w, h       int // the preview's size
	spans      []timeline.Span
	kinds      []timeline.TransitionKind // shot i's transition into shot i+1
	srcs       []*source
}

// sameTiming reports whether two snapshots put the same frames at the
// same places, so a run can play on across the change.
func sameTiming(a, b *film) bool {
	return a.fps == b.fps && a.total == b.total && slices.Equal(a.spans, b.spans)
}

// renderWant is the frame the player wants drawn, of which film.
type renderWant struct {
	frame int
	film  *film
}

// requestLocked asks the renderer for frame; only the latest request
// counts.
func (p *Player) requestLocked(frame int) {
	p.want = renderWant{frame: frame, film: p.film}
	if f := p.film; f != nil && (f != p.preparedFor || abs(frame-p.preparedAt) > int(prepareStep.Seconds())*max(1, f.fps)) {
		p.prepareNearLocked(frame)
		p.rebuildBoardLocked()
	}
	p.wakeRenderer()
}

func (p *Player) wakeRenderer() {
	select {
	case p.wakeRender <- struct{}{}:
	default:
	}
}

// renderLoop draws the wanted frame whenever it changes, or when a
// source gets better (a clip frame decoded, captions timed) while the
// frame on screen is not yet the best it can be. It draws into one of a
// few buffers and hands it to the UI goroutine, which hands back the one
// it replaced.
func (p *Player) renderLoop(ctx context.Context) {
	free := make(chan *image.RGBA, 3)
	var last renderWant
	lastFinal := false
	var stamp int64
	var scratchA, scratchB *image.RGBA
	for {
		select {
		case <-ctx.Done():
			return
		case <-p.wakeRender:
		}
		p.mu.Lock()
		want := p.want
		p.mu.Unlock()
		if want.film == nil || (want == last && lastFinal) {
			continue
		}
		f := want.film
		var buf *image.RGBA
		select {
		case buf = <-free:
		default:
		}
		buf = sized(buf, f.w, f.h)
		scratchA, scratchB = sized(scratchA, f.w, f.h), sized(scratchB, f.w, f.h)
		stamp++
		final, clip := p.compose(ctx, want, buf, scratchA, scratchB, stamp)
		last, lastFinal = want, final
		p.s.OnUI(func() { p.show(want, buf, final, clip, free) })
	}
}

// sized returns img if it is w×h, else a new image that is.
func sized(img *image.RGBA, w, h int) *image.RGBA {
	if img != nil && img.Rect.Dx() == w && img.Rect.Dy() == h {
		return img
	}
	return image.NewRGBA(image.Rect(0, 0, w, h))
}

// show puts a drawn frame on screen.
func (p *Player) show(want renderWant, img *image.RGBA, final, clip bool, free chan *image.RGBA) {
	if p.closed() {
		return
	}
	p.uiMu.Lock()
	old, _ := p.img.Image.(*image.RGBA)
	p.img.Image = img
	p.img.Refresh()
	p.uiMu.Unlock()
	if old != nil {
		select {
		case free <- old:
		default:
		}
	}
	p.mu.Lock()
	p.shown = shownState{frame: want.frame, film: want.film, final: final, clip: clip, img: img}
	close(p.shownCh)
	p.shownCh = make(chan struct{})
	p.mu.Unlock()
}

// compose draws frame want.frame of the film into dst: the shot on screen
// then, or the two a transition joins, blended as the film blends them.
func (p *Player) compose(ctx context.Context, want renderWant, dst, a, b *image.RGBA, stamp int64) (final, clip bool) {
	f := want.film
	var on []int
	for i, sp := range f.spans {
		if sp.Start <= want.frame && want.frame < sp.End {
			on = append(on, i)
		}
	}
	if len(on) > 0 {
		// Decode the next shot's clip ahead, to play on into it.
		if next := on[len(on)-1] + 1; next < len(f.srcs) {
			p.prefetch(ctx, f.srcs[next])
		}
	}
	switch len(on) {
	case 0:
		fillBlack(dst)
		return true, false
	case 1:
		i := on[0]
		return p.drawShot(ctx, f.srcs[i], want.frame-f.spans[i].Start, dst, stamp)
	}
	i, j := on[0], on[1]
	finalA, clipA := p.drawShot(ctx, f.srcs[i], want.frame-f.spans[i].Start, a, stamp)
	finalB, clipB := p.drawShot(ctx, f.srcs[j], want.frame-f.spans[j].Start, b, stamp)
	n := f.spans[i].End - f.spans[j].Start
	t := float64(want.frame-f.spans[j].Start+1) / float64(n+1)
	blendRGBA(dst, a, b, t, f.kinds[i])
	return finalA && finalB, clipA || clipB
}

// blendRGBA mixes two frames for a transition at t in (0, 1), by the
// film's rule (render's blend, there on YUV): a crossfade weighs them; a
// dip to black fades the first out over the first half and the second in
// over the second half. Alpha stays opaque.
func blendRGBA(dst, a, b *image.RGBA, t float64, kind timeline.TransitionKind) {
	if kind == timeline.DipToBlack {
		src, g := a, 1-2*t
		if t >= 0.5 {
			src, g = b, 2*t-1
		}
		w := int32(g*256 + 0.5)
		for i := range dst.Pix {
			if i%4 == 3 {
				dst.Pix[i] = 0xff
				continue
			}
			dst.Pix[i] = byte((int32(src.Pix[i])*w + 128) >> 8)
		}
		return
	}
	w := int32(t*256 + 0.5)
	for i := range dst.Pix {
		dst.Pix[i] = byte((int32(a.Pix[i])*(256-w) + int32(b.Pix[i])*w + 128) >> 8)
	}
}

// fillBlack makes img opaque black.
func fillBlack(img *image.RGBA) {
	for i := range img.Pix {
		img.Pix[i] = 0
		if i%4 == 3 {
			img.Pix[i] = 0xff
		}
	}
}
