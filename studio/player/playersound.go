package player

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/slatestudio/slate/render"
)

// The player's sound. Each shot's sound (its clip's, or the animatic's
// speech) is laid at its shot's start, as the film mixes it: no fades,
// overlapping sounds add. The audio thread mixes the parts as it plays
// instead of from one premixed track, so that each shot is heard as soon
// as its own sound is ready and an edit swaps in a new board at once.

// soundboard is the film's sound as parts on its timeline, in samples
// (stereo frames at render.AudioRate). It is never changed once built:
// the audio thread reads it without a lock.
type soundboard struct {
	total int64
	parts []soundPart // by start
}

// soundPart is one shot's sound on the film's timeline: its samples play
// from start, cut at end (a clip's sound may run past its picture).
type soundPart struct {
	start, end int64
	pcm        []float32 // interleaved stereo; nil until ready
}

// mixInto adds the board's sound from sample pos into out (stereo).
func (b *soundboard) mixInto(out []float32, pos int64) {
	n := int64(len(out) / 2)
	for _, part := range b.parts {
		if part.start >= pos+n {
			break
		}
		from := max(pos, part.start)
		to := min(pos+n, part.end, part.start+int64(len(part.pcm)/2))
		if to <= from {
			continue
		}
		src := part.pcm[(from-part.start)*2 : (to-part.start)*2]
		dst := out[(from-pos)*2 : (to-pos)*2]
		for i, v := range src {
			dst[i] += v
		}
	}
}

// ready reports whether every part's sound is in.
func (b *soundboard) ready() bool {
	for _, part := range b.parts {
		if part.pcm == nil {
			return false
		}
	}
	return true
}

// rebuildBoardLocked lays the sources' sound out on the film's timeline.
func (p *Player) rebuildBoardLocked() {
	f := p.film
	b := &soundboard{total: samplesAt(f.total, f.fps)}
	for i, sp := range f.spans {
		part := soundPart{start: samplesAt(sp.Start, f.fps), end: samplesAt(sp.End, f.fps)}
		if pcm, ok := f.srcs[i].sound(); ok {
			part.pcm = pcm
			if part.pcm == nil {
				part.pcm = []float32{} // failed: silent, but done
			}
		}
		b.parts = append(b.parts, part)
	}
	slices.SortStableFunc(b.parts, func(x, y soundPart) int { return cmp.Compare(x.start, y.start) })
	p.board.Store(b)
}

// samplesAt is the sample at which a frame starts, as the film's mix
// places it.
func samplesAt(frame, fps int) int64 {
	return int64(frame) * render.AudioRate / int64(max(1, fps))
}

// frameOfSample is the frame showing while sample pos plays.
func frameOfSample(pos int64, fps int) int {
	return int(pos * int64(fps) / render.AudioRate)
}

// audioWant is the sound the player wants now: which run, and from where.
type audioWant struct {
	run          int64
	play         bool
	from         int64
	loopA, loopB int64 // samples; loopB == 0: no loop
}

// stream is one run of sound on the output: from sample from, looping
// over [loopA, loopB) if loopB > 0. handed is the audio thread's own.
type stream struct {
	run          int64
	from         int64
	loopA, loopB int64
	handed       int64
}

// pos is the film's sample that the stream's nth frame plays: the audio
// thread writes by it, and the picture follows the output's Played by it,
// so the two agree by construction.
func (st *stream) pos(n int64) int64 {
	pos := st.from + n
	if span := st.loopB - st.loopA; span > 0 && pos >= st.loopB {
		pos = st.loopA + (pos-st.loopB)%span
	}
	return pos
}

// fill writes the stream's next frames. It runs on the output's thread:
// no locks, no allocation.
func (p *Player) fill(st *stream, out []float32) {
	clear(out)
	b := p.board.Load()
	frames := int64(len(out) / 2)
	if b == nil {
		st.handed += frames
		return
	}
	for done := int64(0); done < frames; {
		pos := st.pos(st.handed + done)
		limit := b.total
		if st.loopB > 0 {
			limit = st.loopB
		}
		run := min(frames-done, limit-pos)
		if run <= 0 {
			break // past the end of the film: silence
		}
		b.mixInto(out[done*2:(done+run)*2], pos)
		done += run
	}
	st.handed += frames
}

// kickAudio tells the audio worker that audioWant changed.
func (p *Player) kickAudio() {
	select {
	case p.wakeAudio <- struct{}{}:
	default:
	}
}

// audioLoop starts and stops the output as the player wants. Starting a
// device can take a while (it fills its buffer first), so this is kept
// off the UI goroutine; a burst of seeks costs one restart, not many.
func (p *Player) audioLoop(ctx context.Context, out AudioOut) {
	defer close(p.audioDone)
	var cur *stream
	stop := func() {
		if cur == nil {
			return
		}
		p.stream.Store(nil)
		if err := out.Stop(); err != nil {
			p.report(true, fmt.Sprintf("No sound: %v", err))
		}
		cur = nil
	}
	defer stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-p.wakeAudio:
		}
		p.mu.Lock()
		want := p.audioWant
		p.mu.Unlock()
		if cur != nil && (!want.play || want.run != cur.run) {
			stop()
		}
		if !want.play || cur != nil {
			continue
		}
		st := &stream{run: want.run, from: want.from, loopA: want.loopA, loopB: want.loopB}
		if err := out.Start(func(buf []float32) { p.fill(st, buf) }); err != nil {
			p.mu.Lock()
			if p.run == want.run && p.audioClock {
				// Play on by the clock from the run's start.
				p.audioClock, p.audioBroken = false, true
				p.anchorTime = p.d.Clock.Now()
			}
			p.mu.Unlock()
			p.report(true, fmt.Sprintf("No sound: %v", err))
			continue
		}
		cur = st
		p.stream.Store(st)
	}
}
