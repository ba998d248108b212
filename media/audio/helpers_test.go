package audio

import (
	"math"
	"os"
	"testing"
)

// sine returns frames of a sine wave at freq Hz and amplitude amp.
func sine(rate, channels, frames int, freq, amp float64) *PCM {
	p := NewPCM(rate, channels, frames)
	for f := 0; f < frames; f++ {
		v := float32(amp * math.Sin(2*math.Pi*freq*float64(f)/float64(rate)))
		for c := 0; c < channels; c++ {
			p.Samples[f*channels+c] = v
		}
	}
	return p
}

// leftovers lists files in dir other than keep, to catch temp files that
// should have been removed.
func leftovers(t testing.TB, dir string, keep ...string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
next:
	for _, e := range entries {
		for _, k := range keep {
			if e.Name() == k {
				continue next
			}
		}
		out = append(out, e.Name())
	}
	return out
}
