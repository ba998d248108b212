package audio

import (
	"fmt"
	"math"
	"time"
)

// PCM is uncompressed audio: interleaved float32 samples, nominally in
// −1..1, Channels per frame, Rate frames per second. Float samples let a mix
// go over full scale and come back without clipping until it is written.
type PCM struct {
	Rate, Channels int
	Samples        []float32
}

// NewPCM returns frames frames of silence.
func NewPCM(rate, channels, frames int) *PCM {
	return &PCM{Rate: rate, Channels: channels, Samples: make([]float32, max(frames, 0)*max(channels, 0))}
}

// Frames returns the number of frames (samples per channel).
func (p *PCM) Frames() int {
	if p.Channels <= 0 {
		return 0
	}
	return len(p.Samples) / p.Channels
}

// Duration returns the length of the audio.
func (p *PCM) Duration() time.Duration {
	if p.Rate <= 0 {
		return 0
	}
	return time.Duration(int64(p.Frames()) * int64(time.Second) / int64(p.Rate))
}

// Mix adds src, scaled by gain, into p starting at frame atFrame. p does not
// grow: whatever of src falls outside p (before frame 0 or after the end) is
// dropped, because the destination is usually a film's fixed-length track.
// The rates must match. A mono src is spread to every channel of p;
// otherwise the channel counts must match.
func (p *PCM) Mix(src *PCM, atFrame int, gain float32) error {
	if src.Rate != p.Rate {
		return fmt.Errorf("mix: source rate %d Hz differs from destination rate %d Hz (resample it first)", src.Rate, p.Rate)
	}
	if src.Channels != p.Channels && src.Channels != 1 {
		return fmt.Errorf("mix: cannot mix %d channels into %d", src.Channels, p.Channels)
	}
	n := src.Frames()
	from := 0
	if atFrame < 0 {
		from = -atFrame
	}
	to := min(n, p.Frames()-atFrame)
	pc := p.Channels
	for f := from; f < to; f++ {
		d := (atFrame + f) * pc
		if src.Channels == 1 {
			s := src.Samples[f] * gain
			for c := 0; c < pc; c++ {
				p.Samples[d+c] += s
			}
			continue
		}
		for c := 0; c < pc; c++ {
			p.Samples[d+c] += src.Samples[f*pc+c] * gain
		}
	}
	return nil
}

// Gain scales every sample by g.
func (p *PCM) Gain(g float32) {
	for i := range p.Samples {
		p.Samples[i] *= g
	}
}

// Peak returns the largest absolute sample value.
func (p *PCM) Peak() float32 {
	var peak float32
	for _, s := range p.Samples {
		peak = max(peak, abs32(s))
	}
	return peak
}

// RMS returns the root mean square of the frames in [fromFrame, toFrame),
// over all channels, clipped to the audio's length; 0 for an empty range.
func (p *PCM) RMS(fromFrame, toFrame int) float64 {
	fromFrame = max(fromFrame, 0)
	toFrame = min(toFrame, p.Frames())
	if toFrame <= fromFrame {
		return 0
	}
	var sum float64
	for _, s := range p.Samples[fromFrame*p.Channels : toFrame*p.Channels] {
		sum += float64(s) * float64(s)
	}
	return math.Sqrt(sum / float64((toFrame-fromFrame)*p.Channels))
}

// ToStereo returns a two-channel copy: mono is duplicated, stereo copied,
// and from more channels the first two (front left and right) are kept.
func (p *PCM) ToStereo() *PCM {
	n := p.Frames()
	out := NewPCM(p.Rate, 2, n)
	for f := 0; f < n; f++ {
		l := p.Samples[f*p.Channels]
		r := l
		if p.Channels > 1 {
			r = p.Samples[f*p.Channels+1]
		}
		out.Samples[2*f], out.Samples[2*f+1] = l, r
	}
	return out
}

// DBFS converts a linear level (1 = full scale) to decibels relative to full
// scale; 0 and below give −Inf.
func DBFS(x float64) float64 {
	if x <= 0 {
		return math.Inf(-1)
	}
	return 20 * math.Log10(x)
}

func abs32(x float32) float32 {
	if x < 0 {
		return -x
	}
	return x
}

// Limit keeps every sample within ±ceiling without clipping: where a peak
// would pass it, the gain comes down smoothly over lookahead before the
// peak and recovers over release after it. The gain is the same on every
// channel, so the stereo image holds. [Limiter] does the same to a stream.
//
// Each frame takes the least gain needed in the next lookahead of frames (a
// sliding minimum), then that is averaged over the last lookahead: the
// average at a peak covers only frames whose minimum already includes the
// peak, so it never lets the peak through.
func (p *PCM) Limit(ceiling float32, lookahead, release time.Duration) {
	if p.Frames() == 0 || ceiling <= 0 {
		return
	}
	lim := NewLimiter(p.Rate, p.Channels, ceiling, lookahead, release)
	n := p.Frames() * p.Channels
	out := append(make([]float32, 0, n), lim.Process(p.Samples[:n])...)
	out = append(out, lim.Flush()...)
	copy(p.Samples, out)
}
