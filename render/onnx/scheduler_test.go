package onnx

import (
	"math"
	"slices"
	"testing"
)

// The reference schedules, to 6 decimals, as the reference sampler prints
// them.
var sigmaTests = []struct {
	steps int
	shift float64
	head  []float64 // the first levels
	tail  []float64 // the last levels, 0 included
}{
	{50, 5, []float64{1, 0.995872, 0.991605, 0.987192, 0.982626}, []float64{0.114819, 0.024414, 0}},
	{4, 3, []float64{1, 0.857692, 0.602151, 0.008929, 0}, []float64{0.008929, 0}},
}

func TestSigmas(t *testing.T) {
	for _, tt := range sigmaTests {
		got := Sigmas(tt.steps, tt.shift)
		if len(got) != tt.steps+1 {
			t.Fatalf("Sigmas(%d, %g) has %d levels, want %d", tt.steps, tt.shift, len(got), tt.steps+1)
		}
		round := func(s []float64) []float64 {
			out := make([]float64, len(s))
			for i, v := range s {
				out[i] = math.Round(v*1e6) / 1e6
			}
			return out
		}
		head := round(got[:len(tt.head)])
		tail := round(got[len(got)-len(tt.tail):])
		if !slices.Equal(head, tt.head) || !slices.Equal(tail, tt.tail) {
			t.Errorf("Sigmas(%d, %g) = %v … %v, want %v … %v", tt.steps, tt.shift, head, tail, tt.head, tt.tail)
		}
		for i := 1; i < len(got); i++ {
			if got[i] >= got[i-1] {
				t.Errorf("Sigmas(%d, %g) does not fall at %d: %v", tt.steps, tt.shift, i, got)
			}
		}
		t.Logf("Sigmas(%d, %g) = %.6f", tt.steps, tt.shift, got)
	}
	if got := Sigmas(1, 5); !slices.Equal(got, []float64{1, 0}) {
		t.Errorf("Sigmas(1, 5) = %v, want [1 0]", got)
	}
}

func TestEulerAndGuidance(t *testing.T) {
	x := []float32{1, 2}
	eulerStep(x, []float32{2, -4}, 1, 0.75)
	if !slices.Equal(x, []float32{0.5, 3}) {
		t.Errorf("eulerStep = %v, want [0.5 3]", x)
	}
	cond := []float32{3, 1}
	guide(cond, []float32{1, 1}, 5)
	if !slices.Equal(cond, []float32{11, 1}) {
		t.Errorf("guide = %v, want [11 1]", cond)
	}
}
