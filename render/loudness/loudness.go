// Package loudness brings a film's raw mix to a loudness target with its
// true peak under −1 dBTP, the usual ceiling for online video, streaming
// the mix from its file on every pass so memory stays small however long
// the film: it measures (EBU R128, through ffmpeg), applies a gain, limits
// the peaks the gain pushed too high, and measures again.
package loudness

import (
	"bufio"
	"context"
	"encoding/binary"
	"io"
	"math"
	"os"
	"time"

	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/media/audio"
)

// The true peak stays under −1 dBTP by limiting samples at −2 dBFS.
const (
	peakCeiling = 0.794 // −2 dBFS
	maxTruePeak = -1.0
	maxBoostDB  = 24
)

// Step is one pass of normalisation: a gain, then the limiter if the gain
// pushed peaks too high.
type Step struct {
	gain  float32
	limit bool
}

// Normalise brings raw, stereo float32 samples at rate, to target LUFS
// with its true peak under −1 dBTP, and writes it to path as a WAV. It measures (EBU R128,
// through ffmpeg), applies the gain, limits the peaks the gain pushed too
// high, and measures again, since limiting takes a little loudness away.
// Each pass applies every step so far to the raw mix as it streams from
// the file.
func Normalise(ctx context.Context, tools media.Tools, raw, path string, rate int, target float64) error {
	var steps []Step
	for round := 0; ; round++ {
		peak, err := Write(ctx, raw, path, rate, steps)
		if err != nil {
			return err
		}
		l, err := tools.MeasureLoudness(ctx, path)
		if err != nil {
			return err
		}
		gain := target - l.Integrated
		if (math.Abs(gain) <= 0.1 && l.TruePeak <= maxTruePeak) || round == 4 {
			return nil
		}
		g := float32(math.Pow(10, min(gain, maxBoostDB)/20))
		// Gain keeps the order of the samples' sizes, so the peak after
		// it is the peak before it times the gain.
		steps = append(steps, Step{gain: g, limit: peak*g > peakCeiling || l.TruePeak+gain > maxTruePeak})
	}
}

// Write streams the raw mix through steps into a 16-bit WAV at path, and
// returns the peak of what it wrote, before it was rounded to 16 bits.
func Write(ctx context.Context, raw, path string, rate int, steps []Step) (float32, error) {
	in, err := os.Open(raw)
	if err != nil {
		return 0, err
	}
	defer in.Close()
	out, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	defer out.Close()
	wav, err := audio.NewWAVWriter(out, rate, 2)
	if err != nil {
		return 0, err
	}
	limiters := make([]*audio.Limiter, len(steps))
	for i, s := range steps {
		if s.limit {
			limiters[i] = audio.NewLimiter(rate, 2, peakCeiling, 5*time.Millisecond, 80*time.Millisecond)
		}
	}
	var peak float32
	// apply runs samples through steps from the first on; the limiters
	// hold back a few milliseconds, which flush gives at the end.
	apply := func(samples []float32, from int) error {
		for i := from; i < len(steps) && len(samples) > 0; i++ {
			for k := range samples {
				samples[k] *= steps[i].gain
			}
			if limiters[i] != nil {
				samples = limiters[i].Process(samples)
			}
		}
		for _, s := range samples {
			peak = max(peak, float32(math.Abs(float64(s))))
		}
		return wav.Write(samples)
	}
	r := bufio.NewReaderSize(in, 1<<20)
	buf := make([]byte, 4<<16)
	samples := make([]float32, 0, 1<<16)
	for {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		n, err := io.ReadFull(r, buf)
		n -= n % 8 // whole stereo frames
		samples = samples[:0]
		for i := 0; i < n; i += 4 {
			samples = append(samples, math.Float32frombits(binary.LittleEndian.Uint32(buf[i:])))
		}
		if werr := apply(samples, 0); werr != nil {
			return 0, werr
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return 0, err
		}
	}
	for i, lim := range limiters {
		if lim != nil {
			// What a limiter held back goes on through the steps after it.
			if err := apply(append([]float32(nil), lim.Flush()...), i+1); err != nil {
				return 0, err
			}
		}
	}
	if err := wav.Close(); err != nil {
		return 0, err
	}
	if err := out.Sync(); err != nil {
		return 0, err
	}
	return peak, out.Close()
}
