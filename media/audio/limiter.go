package audio

import "time"

// Limiter is [PCM.Limit] for a stream: samples go in a chunk at a time and
// come out the same, limited, lookahead later, so a film's whole sound
// never has to be in memory. Fed all of a PCM and flushed, it gives
// exactly what PCM.Limit gives, bit for bit. Its methods are not safe for
// concurrent use.
type Limiter struct {
	ch      int
	ceiling float32
	l       int     // lookahead, in frames
	up      float32 // how fast the gain comes back up per frame

	// Frames waiting for their lookahead, from frame out on: their
	// samples, and the gain each needs.
	wait     []float32
	waitNeed []float32
	// Indexes of waiting frames whose need is less than that of every
	// frame after them, in order: the front has the least need of the
	// frames waiting (a sliding minimum, as in PCM.Limit).
	dq []int64
	// The smoothed least needs of the last l frames sent out, in a ring,
	// their sum, and the gain.
	least []float32
	sum   float64
	g     float32

	in, out int64 // frames taken in and sent out
	buf     []float32
}

// NewLimiter returns a limiter for audio of rate frames a second and
// channels channels, with PCM.Limit's ceiling, lookahead and release.
func NewLimiter(rate, channels int, ceiling float32, lookahead, release time.Duration) *Limiter {
	l := max(1, int(int64(lookahead)*int64(rate)/int64(time.Second)))
	up := float32(1)
	if r := int64(release) * int64(rate) / int64(time.Second); r > 0 {
		up = 1 / float32(r)
	}
	return &Limiter{ch: max(channels, 1), ceiling: ceiling, l: l, up: up, least: make([]float32, l), g: 1}
}

// Process takes samples, a whole number of frames, and returns the frames
// that are now ready: their lookahead has arrived. The result is valid
// until the next call.
func (lim *Limiter) Process(samples []float32) []float32 {
	lim.buf = lim.buf[:0]
	if lim.ceiling <= 0 {
		return append(lim.buf, samples...)
	}
	ch := lim.ch
	for f := 0; f+ch <= len(samples); f += ch {
		frame := samples[f : f+ch]
		peak := float32(0)
		for _, s := range frame {
			peak = max(peak, abs32(s))
		}
		need := float32(1)
		if peak > lim.ceiling {
			need = lim.ceiling / peak
		}
		lim.wait = append(lim.wait, frame...)
		lim.waitNeed = append(lim.waitNeed, need)
		for len(lim.dq) > 0 && lim.needOf(lim.dq[len(lim.dq)-1]) >= need {
			lim.dq = lim.dq[:len(lim.dq)-1]
		}
		lim.dq = append(lim.dq, lim.in)
		lim.in++
		// The frame a lookahead back now has all of its window.
		if lim.in-lim.out >= int64(lim.l) {
			lim.send()
		}
	}
	lim.compact()
	return lim.buf
}

// Flush sends out the frames still waiting, their windows cut short by the
// end of the sound, as PCM.Limit's are at the end of its samples.
func (lim *Limiter) Flush() []float32 {
	lim.buf = lim.buf[:0]
	if lim.ceiling <= 0 {
		return lim.buf
	}
	for lim.out < lim.in {
		lim.send()
	}
	lim.compact()
	return lim.buf
}

// needOf is the need of waiting frame i.
func (lim *Limiter) needOf(i int64) float32 { return lim.waitNeed[i-lim.out] }

// send limits frame out, the first waiting, and appends it to buf. The
// arithmetic is PCM.Limit's, in the same order.
func (lim *Limiter) send() {
	i := lim.out
	least := lim.needOf(lim.dq[0])
	slot := int(i % int64(lim.l))
	lim.sum += float64(least)
	if i >= int64(lim.l) {
		lim.sum -= float64(lim.least[slot])
	}
	lim.least[slot] = least
	avg := float32(lim.sum / float64(min(i+1, int64(lim.l))))
	lim.g = min(avg, lim.g+lim.up*(1-lim.g))
	lim.g = min(lim.g, lim.waitNeed[0])
	for _, s := range lim.wait[:lim.ch] {
		lim.buf = append(lim.buf, s*lim.g)
	}
	lim.wait, lim.waitNeed = lim.wait[lim.ch:], lim.waitNeed[1:]
	lim.out++
	// Only waiting frames stay in the window.
	if lim.dq[0] < lim.out {
		lim.dq = lim.dq[1:]
	}
}

// compact moves the waiting frames to the front of their arrays, so that
// they do not grow with the stream.
func (lim *Limiter) compact() {
	lim.wait = append(lim.wait[:0:0], lim.wait...)
	lim.waitNeed = append(lim.waitNeed[:0:0], lim.waitNeed...)
	lim.dq = append(lim.dq[:0:0], lim.dq...)
}
