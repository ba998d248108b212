package audio

import (
	"context"
	"math"
)

// Resampler design: a Kaiser-windowed sinc, the textbook band-limited
// interpolator. 32 zero crossings each side with β = 8.6 give roughly 85 dB
// of stopband rejection; the cutoff sits at 95% of the lower Nyquist
// frequency, so speech at 22050 Hz keeps everything up to about 9.6 kHz flat
// and a downsample folds almost nothing back.
const (
	resampleZeros      = 32   // sinc zero crossings on each side
	resampleOversample = 512  // kernel table entries per zero crossing
	resampleBeta       = 8.6  // Kaiser window shape
	resampleRolloff    = 0.95 // cutoff as a fraction of the lower Nyquist frequency
)

// resampleKernel is the windowed sinc sampled from 0 to resampleZeros zero
// crossings. It is computed per call rather than kept in a package variable;
// building it costs well under a millisecond.
func resampleKernel() []float64 {
	n := resampleZeros*resampleOversample + 2
	k := make([]float64, n)
	i0b := besselI0(resampleBeta)
	for j := range k {
		u := float64(j) / resampleOversample // in zero crossings
		if u >= resampleZeros {
			break
		}
		r := u / resampleZeros
		w := besselI0(resampleBeta*math.Sqrt(1-r*r)) / i0b
		k[j] = sinc(u) * w
	}
	return k
}

func sinc(x float64) float64 {
	if x == 0 {
		return 1
	}
	return math.Sin(math.Pi*x) / (math.Pi * x)
}

// besselI0 is the modified Bessel function of the first kind, order 0, by
// its power series, which converges quickly for the arguments used here.
func besselI0(x float64) float64 {
	sum, term := 1.0, 1.0
	for k := 1; k < 50; k++ {
		term *= (x / (2 * float64(k))) * (x / (2 * float64(k)))
		sum += term
		if term < sum*1e-17 {
			break
		}
	}
	return sum
}

// Resample returns p converted to rate frames per second with a windowed-sinc
// filter (see the constants above), keeping the channel count. Output frame n
// sits exactly at input time n·p.Rate/rate, computed in integers so long
// audio does not drift. Samples beyond either end count as silence. The same
// rate returns a copy. It stops early, returning ctx's error, when ctx is
// cancelled: a long resample should not hold up a cancelled render. It
// panics if either rate is not positive, which is a programming error.
func Resample(ctx context.Context, p *PCM, rate int) (*PCM, error) {
	in := p.Rate
	if rate <= 0 || in <= 0 {
		panic("audio.Resample: rates must be positive")
	}
	ch := p.Channels
	if rate == in || ch <= 0 {
		return &PCM{Rate: rate, Channels: ch, Samples: append([]float32(nil), p.Samples...)}, nil
	}
	g := gcd(in, rate)
	up, down := int64(rate/g), int64(in/g)
	frames := int64(p.Frames())
	outFrames := (frames*up + down - 1) / down
	out := NewPCM(rate, ch, int(outFrames))

	fc := resampleRolloff
	if rate < in {
		fc *= float64(rate) / float64(in)
	}
	half := float64(resampleZeros) / fc // kernel half-width in input frames
	reach := int64(math.Ceil(half))
	kernel := resampleKernel()
	taps := int(2*reach + 1)
	// weightsAt fills w with the normalised filter taps for an output frame
	// whose position falls frac of the way between two input frames, and
	// returns them. Dividing by the taps' sum makes the gain at DC exactly
	// 1 whatever the phase, instead of rippling by the table's error.
	weightsAt := func(w []float64, frac float64) []float64 {
		var sum float64
		for k := range w {
			t := math.Abs(float64(int64(k)-reach) - frac)
			v := 0.0
			if t < half {
				u := t * fc * resampleOversample
				j := int(u)
				f := u - float64(j)
				v = kernel[j] + f*(kernel[j+1]-kernel[j])
			}
			w[k] = v
			sum += v
		}
		for k := range w {
			w[k] /= sum
		}
		return w
	}
	// There are only up distinct phases; when their taps fit in a modest
	// table (they do for every common pair of rates), compute each once.
	var phases [][]float64
	if up*int64(taps) <= 1<<20 {
		phases = make([][]float64, up)
		for ph := range phases {
			phases[ph] = weightsAt(make([]float64, taps), float64(ph)/float64(up))
		}
	}
	scratch := make([]float64, taps)
	acc := make([]float64, ch)

	for n := int64(0); n < outFrames; n++ {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		pos := n * down
		i, ph := pos/up, pos%up
		var weights []float64
		if phases != nil {
			weights = phases[ph]
		} else {
			weights = weightsAt(scratch, float64(ph)/float64(up))
		}
		first := i - reach
		lo := max(first, 0)
		hi := min(first+int64(len(weights)), frames)
		if ch == 1 { // speech, the common case: no per-channel bookkeeping
			var a float64
			w := weights[lo-first : hi-first]
			for k, x := range p.Samples[lo:hi] {
				a += w[k] * float64(x)
			}
			out.Samples[n] = float32(a)
			continue
		}
		clear(acc)
		for s := lo; s < hi; s++ {
			w := weights[s-first]
			base := s * int64(ch)
			for c := range acc {
				acc[c] += w * float64(p.Samples[base+int64(c)])
			}
		}
		for c, a := range acc {
			out.Samples[n*int64(ch)+int64(c)] = float32(a)
		}
	}
	return out, nil
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
