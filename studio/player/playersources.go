package player

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/media/audio"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/render/animatic"
	"github.com/slatestudio/slate/timeline"
)

// maxDecoded bounds the memory held by decoded clip frames. Each shot
// keeps a window of a third of it (at 640×360, 145 frames: six seconds
// at 24 fps), so the two shots of a transition and the next one fit:
// within a window stepping, seeking and playing backwards are instant;
// beyond it, the clip is decoded again from its start.
const maxDecoded = 384 << 20

// clipWindow is how many decoded frames of w×h a shot keeps.
func clipWindow(w, h int) int { return max(8, maxDecoded/3/(w*h*4)) }

// source is what the player shows and plays for one shot, cached by the
// shot's render key (and clip): the animatic card drawn at the preview's
// size, the shot's sound, and the clip's frames once it has one.
type source struct {
	key  string
	req  *render.Request
	clip string // the clip's file; "" for a shot not rendered yet
	w, h int
	fps  int
	// done is closed when the player lets go of the source (the shot
	// changed, or the project did): the work for it stops (workCtx).
	done     chan struct{}
	stopOnce sync.Once

	// prepared: the card and sound are made or being made; guarded by
	// the player's mu, not this one.
	prepared bool

	mu sync.Mutex
	// preview draws the card; only the renderer calls it once published.
	preview *animatic.Preview
	// captioned is true once the preview shows the timed captions, or
	// it is known that it never will.
	captioned bool
	pcm       []float32
	soundDone bool

	// The clip's decoded frames: decoded[0] is frame base. The decoder
	// keeps at most window of them, from a quarter window behind want,
	// the frame the renderer last drew, and waits on moved for room.
	decoded []*image.RGBA
	base    int
	window  int
	want    int
	moved   chan struct{}
	decode  decodeState
	stopDec context.CancelFunc
	used    int64 // the renderer's stamp when it last drew this shot
}

type decodeState int

const (
	decodeIdle decodeState = iota // not started, or evicted
	decodeRunning
	decodeDone
	decodeFailed
)

func newSource(key string, req *render.Request, clip string, w, h, fps, window int) *source {
	return &source{key: key, req: req, clip: clip, w: w, h: h, fps: fps, window: window, moved: make(chan struct{}, 1), done: make(chan struct{})}
}

// cancel stops the work for the source: the player has let go of it.
func (src *source) cancel() { src.stopOnce.Do(func() { close(src.done) }) }

// workCtx is the context of work for src: parent's, ended early when the
// player lets go of src. Call stop when the work is over.
func (src *source) workCtx(parent context.Context) (ctx context.Context, stop context.CancelFunc) {
	ctx, stop = context.WithCancel(parent)
	go func() {
		select {
		case <-src.done:
			stop()
		case <-ctx.Done():
		}
	}()
	return ctx, stop
}

// adoptCard takes the card another source of the same shot has drawn.
// Both are drawn by the renderer alone, so they may share it.
func (src *source) adoptCard(from *source) {
	from.mu.Lock()
	pv := from.preview
	from.mu.Unlock()
	src.mu.Lock()
	src.preview = pv
	src.mu.Unlock()
}

// sound returns the shot's sound and whether it is ready (nil when it
// could not be made: the shot is silent).
func (src *source) sound() ([]float32, bool) {
	src.mu.Lock()
	defer src.mu.Unlock()
	return src.pcm, src.soundDone
}

// The player prepares (draws the card of, makes the sound of) only the
// shots near the playhead, and lets go of those far from it: a card and a
// shot's sound take a megabyte or two, and preparing every shot of a
// 10,000-shot project (which a project may be) took the memory at 50 MB
// a second until none was left. Playing, the window moves with the
// playhead, far enough ahead that the shots are ready when it gets there.
const (
	// The shots within this much of the playhead are prepared, the
	// nearest maxPrepared of them at most: a card takes tens of
	// milliseconds to draw, and a project of half-second shots would
	// otherwise have the studio draw sixty of them as it opens.
	prepareBehind, prepareAhead = 15 * time.Second, 60 * time.Second
	maxPrepared                 = 24
	// Prepared shots further than this, or beyond the nearest maxKept,
	// are let go.
	keepBehind, keepAhead = 60 * time.Second, 150 * time.Second
	maxKept               = 160
	// prepareStep is how far the playhead moves before the window is
	// worked out again.
	prepareStep = 5 * time.Second
)

// prepareNearLocked prepares the shots near frame that are not yet, and
// lets go of the cards and sound of those far from it. The caller
// rebuilds the soundboard. The shots are prepared by prepareLoop, which
// is woken here.
func (p *Player) prepareNearLocked(frame int) {
	f := p.film
	p.preparedAt, p.preparedFor = frame, f
	fps := max(1, f.fps)
	frames := func(d time.Duration) int { return int(d.Seconds() * float64(fps)) }
	type shot struct{ i, dist int }
	order := make([]shot, len(f.spans))
	for i, sp := range f.spans {
		order[i] = shot{i, spanDistance(sp, frame)}
	}
	slices.SortStableFunc(order, func(a, b shot) int { return a.dist - b.dist })
	var todo []*source
	for rank, o := range order {
		src, sp := f.srcs[o.i], f.spans[o.i]
		near := rank < maxPrepared && sp.End > frame-frames(prepareBehind) && sp.Start < frame+frames(prepareAhead)
		kept := rank < maxKept && sp.End > frame-frames(keepBehind) && sp.Start < frame+frames(keepAhead)
		switch {
		case near && !src.prepared:
			src.prepared = true
			todo = append(todo, src)
		case !kept && src.prepared:
			src.prepared = false
			src.letGo()
		}
	}
	if len(todo) > 0 {
		p.toPrepare = append(p.toPrepare, todo)
		select {
		case p.wakePrepare <- struct{}{}:
		default:
		}
	}
}

// prepareLoop prepares the shots prepareNearLocked asks for, under ctx,
// until the player closes.
func (p *Player) prepareLoop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-p.wakePrepare:
		}
		p.mu.Lock()
		batches := p.toPrepare
		p.toPrepare = nil
		p.mu.Unlock()
		for _, srcs := range batches {
			p.prepare(ctx, srcs)
		}
	}
}

// spanDistance is how many frames a shot's span is from frame.
func spanDistance(sp timeline.Span, frame int) int {
	switch {
	case frame < sp.Start:
		return sp.Start - frame
	case frame >= sp.End:
		return frame - sp.End + 1
	}
	return 0
}

// letGo drops the source's card and sound, to be made again if the
// playhead comes back.
func (src *source) letGo() {
	src.mu.Lock()
	defer src.mu.Unlock()
	src.preview, src.captioned, src.pcm, src.soundDone = nil, false, nil, false
}

// stillPrepared reports whether src is still to be prepared.
func (p *Player) stillPrepared(src *source) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return src.prepared
}

// prepare draws the shots' cards and makes their sound, in the
// background, in order: every card first, since cards are quick and the
// person is looking; then each shot's sound (speech from espeak-ng, or
// the clip's), with the card again with its captions timed to the speech.
// srcs come nearest the playhead first.
func (p *Player) prepare(ctx context.Context, srcs []*source) {
	if len(srcs) == 0 {
		return
	}
	jobs := make(chan func(), 2*len(srcs))
	for _, src := range srcs {
		jobs <- func() { p.drawCard(ctx, src) }
	}
	for _, src := range srcs {
		jobs <- func() { p.makeSound(ctx, src) }
	}
	close(jobs)
	for range min(cap(p.sem), len(srcs)) {
		go func() {
			for job := range jobs {
				job()
			}
		}()
	}
}

func (p *Player) drawCard(ctx context.Context, src *source) {
	ctx, stop := src.workCtx(ctx)
	defer stop()
	if p.anim == nil || !p.stillPrepared(src) || !p.acquire(ctx) {
		return
	}
	pv := p.anim.Preview(src.req, nil, src.w, src.h)
	p.release()
	p.mu.Lock()
	if src.prepared { // not let go meanwhile
		src.mu.Lock()
		if src.preview == nil {
			src.preview = pv
		}
		src.mu.Unlock()
	}
	p.mu.Unlock()
	p.wakeRenderer()
}

func (p *Player) makeSound(ctx context.Context, src *source) {
	ctx, stop := src.workCtx(ctx)
	defer stop()
	if !p.stillPrepared(src) || !p.acquire(ctx) {
		return
	}
	var pcm []float32
	var pv *animatic.Preview
	var err error
	if src.clip != "" {
		if err = p.s.CheckClip(filepath.Base(src.clip), src.req.Index+1); err == nil {
			pcm, err = clipSound(ctx, p.d.Tools, src.clip)
		}
	} else {
		var sound *audio.PCM
		var captions []render.Caption
		// The animatic's own voices keep each Piper voice loaded from one
		// shot to the next; Soundtrack alone would load it for every shot.
		if vb, ok := p.anim.(render.VoicedBackend); ok {
			sound, captions, err = render.SoundtrackWith(ctx, p.d.Tools, vb.Voices(), src.req)
		} else {
			sound, captions, err = render.Soundtrack(ctx, p.d.Tools, src.req)
		}
		if err == nil {
			pcm = sound.Samples
			if p.anim != nil && len(captions) > 0 {
				pv = p.anim.Preview(src.req, captions, src.w, src.h)
			}
		}
	}
	p.release()
	if ctx.Err() != nil {
		return // the shot changed or the window closed
	}
	p.mu.Lock()
	if !src.prepared {
		p.mu.Unlock()
		return // let go meanwhile
	}
	src.mu.Lock()
	src.pcm, src.soundDone, src.captioned = pcm, true, true
	if pv != nil {
		src.preview = pv
	}
	src.mu.Unlock()
	if p.sources[src.key] == src {
		p.rebuildBoardLocked()
	}
	p.mu.Unlock()
	p.wakeRenderer()
	if err != nil {
		p.report(false, fmt.Sprintf("No sound for shot %d: %v", src.req.Index+1, err))
	}
}

// clipSound decodes a clip's sound; a clip without sound is silent.
func clipSound(ctx context.Context, tools media.Tools, path string) ([]float32, error) {
	pr, err := tools.Probe(ctx, path)
	if err != nil {
		return nil, err
	}
	if pr.Audio == nil {
		return []float32{}, nil
	}
	pcm, err := tools.DecodeAudio(ctx, path, render.AudioRate, 2)
	if err != nil {
		return nil, err
	}
	return pcm.Samples, nil
}

func (p *Player) acquire(ctx context.Context) bool {
	select {
	case p.sem <- struct{}{}:
		return true
	case <-ctx.Done():
		return false
	}
}

func (p *Player) release() { <-p.sem }

// drawShot draws frame k of a shot into dst: the clip's frame when it is
// decoded, else the card. It says whether that is the best this source
// will give (so the renderer need not draw it again) and whether it was
// the clip's. It runs on the renderer only.
func (p *Player) drawShot(ctx context.Context, src *source, k int, dst *image.RGBA, stamp int64) (final, clip bool) {
	src.mu.Lock()
	src.used = stamp
	var frame *image.RGBA
	failed := false
	if src.clip != "" {
		src.want = k
		select {
		case src.moved <- struct{}{}:
		default:
		}
		switch {
		case src.decode == decodeIdle:
			p.startDecodeLocked(ctx, src, max(0, k-src.window/4))
		case k < src.base && src.decode != decodeFailed:
			// Behind the window: decode again, leaving room to go on back.
			p.startDecodeLocked(ctx, src, max(0, k-src.window*3/4))
		}
		switch n := len(src.decoded); {
		case k >= src.base && k < src.base+n:
			frame = src.decoded[k-src.base]
		case src.decode == decodeDone && n > 0 && k >= src.base+n:
			frame = src.decoded[n-1] // a clip a frame short holds its last
		}
		failed = src.decode == decodeFailed
	}
	pv, captioned := src.preview, src.captioned
	src.mu.Unlock()

	switch {
	case frame != nil:
		copy(dst.Pix, frame.Pix)
		return true, true
	case pv != nil:
		pv.Frame(k, dst)
	default:
		fillBlack(dst)
	}
	if src.clip != "" {
		return failed && (pv != nil || p.anim == nil), false
	}
	return (captioned && pv != nil) || p.anim == nil, false
}

// prefetch starts decoding a shot's clip ahead of the playhead, so that
// playing on into it shows the clip from its first frame.
func (p *Player) prefetch(ctx context.Context, src *source) {
	src.mu.Lock()
	defer src.mu.Unlock()
	if src.clip != "" && src.decode == decodeIdle {
		p.startDecodeLocked(ctx, src, 0)
	}
}

// startDecodeLocked decodes the clip's frames from frame base at the
// preview's size and the project's rate, in the background, replacing
// any decode under way; the renderer shows each frame as soon as it
// arrives. src.mu is held; ctx is the renderer's.
func (p *Player) startDecodeLocked(ctx context.Context, src *source, base int) {
	if src.stopDec != nil {
		src.stopDec()
	}
	ctx, stop := src.workCtx(ctx)
	src.decode, src.decoded, src.base, src.stopDec = decodeRunning, nil, base, stop
	go func() {
		err := p.decodeClip(ctx, src)
		src.mu.Lock()
		replaced := ctx.Err() != nil // evicted, restarted, changed or closing: not a failure
		if !replaced {
			src.decode = decodeDone
			if err != nil {
				src.decode = decodeFailed
			}
		}
		src.mu.Unlock()
		stop()
		if replaced {
			return
		}
		p.wakeRenderer()
		if err != nil {
			p.report(false, fmt.Sprintf("Shot %d shows its storyboard: %v", src.req.Index+1, err))
		}
	}()
}

// decodeClip reads the clip's frames in order, skipping those before
// src.base, keeping a window of them around the frame the renderer wants.
func (p *Player) decodeClip(ctx context.Context, src *source) error {
	p.makeRoom(src)
	if err := p.s.CheckClip(filepath.Base(src.clip), src.req.Index+1); err != nil {
		return err
	}
	dec, err := p.d.Tools.NewDecoder(ctx, src.clip, media.DecodeOptions{Width: src.w, Height: src.h, PixFmt: "rgba", FPS: src.fps})
	if err != nil {
		return err
	}
	defer dec.Close()
	skipped := image.NewRGBA(image.Rect(0, 0, src.w, src.h))
	for i := range src.req.Frames() {
		keep, err := src.roomFor(ctx, i)
		if err != nil {
			return err
		}
		img := skipped
		if keep {
			img = image.NewRGBA(image.Rect(0, 0, src.w, src.h))
		}
		if err := dec.ReadFrame(img.Pix); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return err
		}
		if !keep {
			continue
		}
		src.mu.Lock()
		if ctx.Err() != nil {
			src.mu.Unlock()
			return ctx.Err()
		}
		src.decoded = append(src.decoded, img)
		src.mu.Unlock()
		p.wakeRenderer()
	}
	return nil
}

// roomFor waits until frame i, the decoder's next, may be kept, and says
// whether it should be (rather than skipped). Frames more than a quarter
// window behind the wanted one go first; while the window is full of
// frames ahead of it, the decoder waits for the renderer to move on.
func (src *source) roomFor(ctx context.Context, i int) (bool, error) {
	for {
		src.mu.Lock()
		if err := ctx.Err(); err != nil {
			src.mu.Unlock()
			return false, err
		}
		target := src.want - src.window/4
		if drop := min(len(src.decoded), target-src.base); drop > 0 {
			src.decoded = slices.Clone(src.decoded[drop:]) // let the dropped frames go
			src.base += drop
		}
		if len(src.decoded) == 0 {
			src.base = max(src.base, target, i) // the wanted frame moved on past the decoder
		}
		keep := i >= src.base
		full := keep && len(src.decoded) >= src.window
		src.mu.Unlock()
		if !full {
			return keep, nil
		}
		select {
		case <-src.moved:
		case <-ctx.Done():
			return false, ctx.Err()
		}
	}
}

// makeRoom drops the decoded frames of the shots drawn longest ago until
// src's fit within maxDecoded. The shots on screen are never dropped.
func (p *Player) makeRoom(src *source) {
	p.mu.Lock()
	defer p.mu.Unlock()
	type held struct {
		src   *source
		bytes int
		used  int64
	}
	var all []held
	size := func(o *source) int { return o.w * o.h * 4 * min(o.window, o.req.Frames()) }
	total, newest := size(src), int64(0)
	for _, o := range p.sources {
		if o == src {
			continue
		}
		o.mu.Lock()
		if len(o.decoded) > 0 || o.decode == decodeRunning {
			all = append(all, held{o, size(o), o.used})
			total += size(o)
			newest = max(newest, o.used)
		}
		o.mu.Unlock()
	}
	slices.SortFunc(all, func(a, b held) int { return cmp.Compare(a.used, b.used) })
	for _, h := range all {
		if total <= maxDecoded || h.used == newest {
			break
		}
		h.src.mu.Lock()
		h.src.stopDec()
		h.src.decode, h.src.decoded = decodeIdle, nil
		h.src.mu.Unlock()
		total -= h.bytes
	}
}
