package audio

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestPCMBasics(t *testing.T) {
	p := NewPCM(48000, 2, 24000)
	if got := p.Frames(); got != 24000 {
		t.Errorf("Frames() = %d, want 24000", got)
	}
	if got := p.Duration(); got != 500*time.Millisecond {
		t.Errorf("Duration() = %v, want 500ms", got)
	}
	if got := (&PCM{}).Duration(); got != 0 {
		t.Errorf("PCM{}.Duration() = %v, want 0", got)
	}
	s := sine(48000, 1, 48000, 1000, 0.5)
	if got := s.RMS(0, s.Frames()); math.Abs(got-0.5/math.Sqrt2) > 1e-4 {
		t.Errorf("RMS(sine 0.5) = %v, want %v", got, 0.5/math.Sqrt2)
	}
	if got := s.Peak(); math.Abs(float64(got)-0.5) > 1e-3 {
		t.Errorf("Peak(sine 0.5) = %v, want 0.5", got)
	}
	s.Gain(2)
	if got := s.Peak(); math.Abs(float64(got)-1) > 2e-3 {
		t.Errorf("Peak() after Gain(2) = %v, want 1", got)
	}
	for _, tc := range []struct{ from, to int }{{-5, 0}, {10, 5}, {48000, 50000}} {
		if got := s.RMS(tc.from, tc.to); got != 0 {
			t.Errorf("RMS(%d, %d) = %v, want 0 for an empty range", tc.from, tc.to, got)
		}
	}
	st := (&PCM{Rate: 8000, Channels: 1, Samples: []float32{0.1, -0.2}}).ToStereo()
	if want := []float32{0.1, 0.1, -0.2, -0.2}; st.Channels != 2 || !slices.Equal(st.Samples, want) {
		t.Errorf("ToStereo(mono) = %v, want %v", st.Samples, want)
	}
	st = (&PCM{Rate: 8000, Channels: 3, Samples: []float32{1, 2, 3, 4, 5, 6}}).ToStereo()
	if want := []float32{1, 2, 4, 5}; !slices.Equal(st.Samples, want) {
		t.Errorf("ToStereo(3 channels) = %v, want %v", st.Samples, want)
	}
}

func TestMix(t *testing.T) {
	for _, tc := range []struct {
		name    string
		dst     *PCM
		src     *PCM
		at      int
		gain    float32
		want    []float32
		wantErr string
	}{
		{"mono into mono", pcm(1, 0, 0, 0, 0), pcm(1, 1, 2), 1, 1, []float32{0, 1, 2, 0}, ""},
		{"gain", pcm(1, 1, 1), pcm(1, 1, 1), 0, 0.5, []float32{1.5, 1.5}, ""},
		{"clipped at the end", pcm(1, 0, 0, 0), pcm(1, 1, 2, 3), 2, 1, []float32{0, 0, 1}, ""},
		{"negative start", pcm(1, 0, 0, 0), pcm(1, 1, 2, 3), -1, 1, []float32{2, 3, 0}, ""},
		{"entirely after", pcm(1, 0, 0), pcm(1, 1), 5, 1, []float32{0, 0}, ""},
		{"mono into stereo", pcm(2, 0, 0, 0, 0), pcm(1, 1, 2), 0, 1, []float32{1, 1, 2, 2}, ""},
		{"stereo into stereo", pcm(2, 0, 0, 0, 0), pcm(2, 1, 2), 1, 1, []float32{0, 0, 1, 2}, ""},
		{"stereo into mono", pcm(1, 0, 0), pcm(2, 1, 2), 0, 1, nil, "cannot mix 2 channels into 1"},
		{"rate mismatch", pcm(1, 0), &PCM{Rate: 22050, Channels: 1, Samples: []float32{1}}, 0, 1, nil, "22050 Hz"},
	} {
		err := tc.dst.Mix(tc.src, tc.at, tc.gain)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s: Mix() = %v, want error containing %q", tc.name, err, tc.wantErr)
			}
			continue
		}
		if err != nil || !slices.Equal(tc.dst.Samples, tc.want) {
			t.Errorf("%s: Mix(at %d) = %v, %v, want %v", tc.name, tc.at, tc.dst.Samples, err, tc.want)
		}
	}
}

func pcm(channels int, samples ...float32) *PCM {
	return &PCM{Rate: 48000, Channels: channels, Samples: samples}
}

func TestDBFS(t *testing.T) {
	for _, tc := range []struct{ in, want float64 }{
		{1, 0}, {0.5, -6.0206}, {0.1, -20}, {math.Sqrt(0.5), -3.0103}, {0, math.Inf(-1)}, {-1, math.Inf(-1)},
	} {
		got := DBFS(tc.in)
		if math.IsInf(tc.want, -1) && !math.IsInf(got, -1) || !math.IsInf(tc.want, -1) && math.Abs(got-tc.want) > 1e-3 {
			t.Errorf("DBFS(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestTrimSilence(t *testing.T) {
	const rate = 1000 // 10 ms margin = 10 frames
	p := NewPCM(rate, 1, 200)
	for f := 50; f < 100; f++ {
		p.Samples[f] = 0.5
	}
	p.Samples[30] = 0.001 // below −50 dBFS (0.00316): still silence
	got := TrimSilence(p, -50, 10*time.Millisecond)
	if got.Frames() != 70 || got.Samples[9] != 0 || got.Samples[10] != 0.5 || got.Samples[59] != 0.5 || got.Samples[60] != 0 {
		t.Errorf("TrimSilence() = %d frames, want 70: 10 of margin, 50 loud, 10 of margin", got.Frames())
	}
	if got := TrimSilence(NewPCM(rate, 2, 100), -50, 10*time.Millisecond); got.Frames() != 0 || got.Channels != 2 {
		t.Errorf("TrimSilence(silence) = %d frames, want 0", got.Frames())
	}
	p = NewPCM(rate, 1, 20)
	p.Samples[0], p.Samples[19] = 1, 1
	if got := TrimSilence(p, -50, 10*time.Millisecond); got.Frames() != 20 {
		t.Errorf("TrimSilence(loud at both ends) = %d frames, want all 20", got.Frames())
	}
}

func TestLimit(t *testing.T) {
	// A quiet tone with one loud burst: the burst comes down to the
	// ceiling without clipping, the tone away from it is untouched.
	p := sine(48000, 2, 48000, 440, 0.25)
	for i := 24000; i < 24480; i++ {
		p.Samples[2*i] *= 3.6
		p.Samples[2*i+1] *= 3.6
	}
	before := p.RMS(0, 12000)
	p.Limit(0.5, 5*time.Millisecond, 50*time.Millisecond)
	if peak := p.Peak(); peak > 0.5+1e-6 {
		t.Errorf("peak after Limit(0.5) = %v", peak)
	}
	if peak := p.Peak(); peak < 0.45 {
		t.Errorf("peak after Limit(0.5) = %v, want the burst kept near the ceiling", peak)
	}
	if after := p.RMS(0, 12000); math.Abs(after-before) > 1e-9 {
		t.Errorf("RMS far from the burst changed from %v to %v", before, after)
	}
	// The gain eases in: samples just before the burst are already turned
	// down, so there is no step.
	orig := sine(48000, 2, 48000, 440, 0.25)
	var was, now float64
	for i := 23900; i < 24000; i++ {
		was += math.Abs(float64(orig.Samples[2*i]))
		now += math.Abs(float64(p.Samples[2*i]))
	}
	if now > 0.9*was {
		t.Errorf("the 2 ms before the burst kept %.0f%% of their level, want them eased down", 100*now/was)
	}
}

// limitWhole is PCM.Limit as it was before Limiter, on the whole sound at
// once: the reference the streaming limiter must match bit for bit.
func limitWhole(p *PCM, ceiling float32, lookahead, release time.Duration) {
	n, ch := p.Frames(), p.Channels
	if n == 0 || ceiling <= 0 {
		return
	}
	l := max(1, int(int64(lookahead)*int64(p.Rate)/int64(time.Second)))
	need := make([]float32, n)
	for i := range n {
		peak := float32(0)
		for c := range ch {
			peak = max(peak, abs32(p.Samples[i*ch+c]))
		}
		need[i] = 1
		if peak > ceiling {
			need[i] = ceiling / peak
		}
	}
	least := make([]float32, n)
	var dq []int
	for i := n - 1; i >= 0; i-- {
		for len(dq) > 0 && need[dq[len(dq)-1]] >= need[i] {
			dq = dq[:len(dq)-1]
		}
		dq = append(dq, i)
		for dq[0] >= i+l {
			dq = dq[1:]
		}
		least[i] = need[dq[0]]
	}
	up := float32(1)
	if r := int64(release) * int64(p.Rate) / int64(time.Second); r > 0 {
		up = 1 / float32(r)
	}
	var sum float64
	g := float32(1)
	for i := range n {
		sum += float64(least[i])
		if i >= l {
			sum -= float64(least[i-l])
		}
		avg := float32(sum / float64(min(i+1, l)))
		g = min(avg, g+up*(1-g))
		g = min(g, need[i])
		for c := range ch {
			p.Samples[i*ch+c] *= g
		}
	}
}

// The streaming limiter, fed in chunks of any size, gives exactly what
// limiting the whole sound at once gives, so a film mixed as a stream
// sounds the same as one mixed in memory.
func TestLimiterMatchesWholeLimit(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := range 20 {
		channels := 1 + trial%2
		frames := []int{0, 1, 7, 239, 240, 241, 5000, 48000}[trial%8]
		p := NewPCM(48000, channels, frames)
		for i := range p.Samples {
			p.Samples[i] = float32(r.NormFloat64() * 0.3)
			if r.IntN(500) == 0 {
				p.Samples[i] *= 6 // bursts past the ceiling
			}
		}
		want := &PCM{Rate: p.Rate, Channels: channels, Samples: slices.Clone(p.Samples)}
		limitWhole(want, 0.794, 5*time.Millisecond, 80*time.Millisecond)

		lim := NewLimiter(48000, channels, 0.794, 5*time.Millisecond, 80*time.Millisecond)
		var got []float32
		for rest := p.Samples; len(rest) > 0; {
			k := min(len(rest), channels*(1+r.IntN(700)))
			got = append(got, lim.Process(rest[:k])...)
			rest = rest[k:]
		}
		got = append(got, lim.Flush()...)
		if !slices.Equal(got, want.Samples) {
			t.Fatalf("trial %d (%d frames, %d channels): the streamed limiter differs from the whole one", trial, frames, channels)
		}
		whole := &PCM{Rate: p.Rate, Channels: channels, Samples: slices.Clone(p.Samples)}
		whole.Limit(0.794, 5*time.Millisecond, 80*time.Millisecond)
		if !slices.Equal(whole.Samples, want.Samples) {
			t.Fatalf("trial %d: PCM.Limit differs from the limiter it was", trial)
		}
	}
}
