package audio

import (
	"math"
	"testing"
)

// toneAt measures the amplitude of a sine at freq in p's first channel by
// correlating with sine and cosine over [from, to) frames (a single DFT bin).
func toneAt(p *PCM, freq float64, from, to int) float64 {
	var re, im float64
	for f := from; f < to; f++ {
		ph := 2 * math.Pi * freq * float64(f) / float64(p.Rate)
		s := float64(p.Samples[f*p.Channels])
		re += s * math.Cos(ph)
		im += s * math.Sin(ph)
	}
	n := float64(to - from)
	return 2 * math.Hypot(re, im) / n
}

// resample is Resample for tests, which never cancel it.
func resample(t testing.TB, p *PCM, rate int) *PCM {
	t.Helper()
	out, err := Resample(t.Context(), p, rate)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestResampleKeepsSine(t *testing.T) {
	for _, tc := range []struct {
		from, to int
		freq     float64
	}{
		{22050, 48000, 1000},
		{22050, 48000, 5000},
		{48000, 22050, 1000},
		{44100, 48000, 440},
		{48000, 44100, 3000},
		{16000, 48000, 2000},
		{8000, 11025, 1000}, // an awkward ratio: 441/320
	} {
		const amp = 0.5
		in := sine(tc.from, 2, tc.from, tc.freq, amp) // one second, stereo
		out := resample(t, in, tc.to)
		if out.Rate != tc.to || out.Channels != 2 {
			t.Fatalf("Resample(%d→%d) = %d Hz %d channels, want %d Hz 2 channels", tc.from, tc.to, out.Rate, out.Channels, tc.to)
		}
		if got, want := out.Frames(), tc.to; got != want {
			t.Errorf("Resample(%d→%d).Frames() = %d, want %d", tc.from, tc.to, got, want)
		}
		// Away from the edges, where the filter sees silence beyond the ends.
		// The measuring window holds a whole number of cycles.
		lo, hi := tc.to/10, tc.to/10+tc.to/2
		if a := toneAt(out, tc.freq, lo, hi); math.Abs(a-amp)/amp > 0.01 {
			t.Errorf("Resample(%d→%d) of %v Hz: amplitude %.4f, want %.4f within 1%%", tc.from, tc.to, tc.freq, a, amp)
		}
		// Same frequency: nothing left after subtracting the expected sine.
		var res float64
		for f := lo; f < hi; f++ {
			want := amp * math.Sin(2*math.Pi*tc.freq*float64(f)/float64(tc.to))
			d := float64(out.Samples[2*f+1]) - want
			res += d * d
		}
		if rms := math.Sqrt(res / float64(hi-lo)); rms > 0.005 {
			t.Errorf("Resample(%d→%d) of %v Hz: residual RMS %.5f after removing the ideal sine, want under 0.005 (frequency or phase drift)", tc.from, tc.to, tc.freq, rms)
		}
	}
}

func TestResampleRejectsAliases(t *testing.T) {
	// 15 kHz cannot exist at 22050 Hz; a naive resampler folds it to 7050 Hz.
	in := sine(48000, 1, 48000, 15000, 0.5)
	out := resample(t, in, 22050)
	lo, hi := 2205, 2205+11025
	if rms := out.RMS(lo, hi); DBFS(rms/(0.5/math.Sqrt2)) > -60 {
		t.Errorf("Resample(15 kHz, 48000→22050) left RMS %.2e (%.1f dB), want below -60 dB", rms, DBFS(rms/(0.5/math.Sqrt2)))
	}
	// Upsampling must not create images: 10 kHz at 22050 → 48000 should
	// have nothing at its image, 22050−10000 = 12050 Hz.
	up := resample(t, sine(22050, 1, 22050, 10000, 0.5), 48000)
	if a := toneAt(up, 12050, 4800, 4800+24000); a > 0.5*0.001 {
		t.Errorf("Resample(10 kHz, 22050→48000) image at 12050 Hz = %.2e, want below -60 dB", a)
	}
}

func TestResampleEdges(t *testing.T) {
	dc := &PCM{Rate: 22050, Channels: 1, Samples: make([]float32, 2205)}
	for i := range dc.Samples {
		dc.Samples[i] = 0.25
	}
	out := resample(t, dc, 48000)
	mid := out.Frames() / 2
	if got := out.Samples[mid]; math.Abs(float64(got)-0.25) > 1e-6 {
		t.Errorf("Resample(DC 0.25)[middle] = %v, want 0.25", got)
	}
	same := resample(t, dc, 22050)
	same.Samples[0] = 9
	if dc.Samples[0] != 0.25 || same.Frames() != dc.Frames() {
		t.Errorf("Resample(same rate) did not return an independent copy")
	}
	if got := resample(t, &PCM{Rate: 22050, Channels: 1}, 48000); got.Frames() != 0 {
		t.Errorf("Resample(empty) = %d frames, want 0", got.Frames())
	}
	if got := resample(t, &PCM{Rate: 22050, Channels: 1, Samples: []float32{1}}, 48000); got.Frames() != 3 {
		t.Errorf("Resample(1 frame, 22050→48000) = %d frames, want ceil(48000/22050) = 3", got.Frames())
	}
}

func BenchmarkResampleSpeech(b *testing.B) {
	in := sine(22050, 1, 22050*3, 300, 0.5)
	for b.Loop() {
		Resample(b.Context(), in, 48000)
	}
}
