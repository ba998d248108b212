package capture

import (
	"math"

	"github.com/slatestudio/slate/media/audio"
)

// Level measures samples for a level meter: their RMS and their peak, in
// dB relative to full scale (0 is full scale; silence is −Inf). The RMS is
// what the ear hears as loudness; the peak shows clipping.
func Level(samples []float32) (rmsDBFS, peakDBFS float64) {
	if len(samples) == 0 {
		return math.Inf(-1), math.Inf(-1)
	}
	var sum, peak float64
	for _, s := range samples {
		v := float64(s)
		sum += v * v
		peak = max(peak, math.Abs(v))
	}
	return audio.DBFS(math.Sqrt(sum / float64(len(samples)))), audio.DBFS(peak)
}
