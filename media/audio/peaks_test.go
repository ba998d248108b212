package audio

import "testing"

func TestPeaks(t *testing.T) {
	// A stereo second at 10 frames a second: quiet, then a loud left
	// channel, then a negative right one.
	p := NewPCM(10, 2, 10)
	for f := range 10 {
		switch {
		case f < 4:
			p.Samples[f*2] = 0.1
		case f < 7:
			p.Samples[f*2] = 0.8
		default:
			p.Samples[f*2+1] = -1.5
		}
	}
	got := p.Peaks(5)
	want := []float32{0.1, 0.1, 0.8, 1, 1}
	if len(got) != len(want) {
		t.Fatalf("Peaks = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("Peaks = %v, want %v", got, want)
			break
		}
	}
	// More bars than frames: each bar shows the frame it falls in.
	if got := p.Peaks(20); len(got) != 20 || got[0] != 0.1 || got[19] != 1 {
		t.Errorf("p.Peaks(20) = %v", got)
	}
	if got := NewPCM(10, 1, 0).Peaks(4); got != nil {
		t.Errorf("Peaks of silence-less nothing = %v, want none", got)
	}
}
