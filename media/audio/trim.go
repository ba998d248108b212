package audio

import (
	"math"
	"time"
)

// TrimSilence returns a copy of p without the leading and trailing frames
// whose every channel is below thresholdDBFS, keeping margin of them at each
// end so that consonants do not start abruptly. All-silent audio gives zero
// frames.
func TrimSilence(p *PCM, thresholdDBFS float64, margin time.Duration) *PCM {
	thr := float32(math.Pow(10, thresholdDBFS/20))
	n := p.Frames()
	loud := func(f int) bool {
		for c := 0; c < p.Channels; c++ {
			if abs32(p.Samples[f*p.Channels+c]) >= thr {
				return true
			}
		}
		return false
	}
	first, last := -1, -1
	for f := 0; f < n; f++ {
		if loud(f) {
			first = f
			break
		}
	}
	if first < 0 {
		return &PCM{Rate: p.Rate, Channels: p.Channels}
	}
	for f := n - 1; f >= first; f-- {
		if loud(f) {
			last = f
			break
		}
	}
	m := int(margin.Seconds() * float64(p.Rate))
	from, to := max(first-m, 0), min(last+1+m, n)
	return &PCM{Rate: p.Rate, Channels: p.Channels, Samples: append([]float32(nil), p.Samples[from*p.Channels:to*p.Channels]...)}
}
