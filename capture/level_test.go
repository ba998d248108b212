package capture

import (
	"math"
	"testing"
)

func TestLevel(t *testing.T) {
	sine := make([]float32, 4800)
	for i := range sine {
		sine[i] = float32(0.5 * math.Sin(2*math.Pi*1000*float64(i)/48000))
	}
	for _, c := range []struct {
		name      string
		samples   []float32
		rms, peak float64
	}{
		{"full-scale square", []float32{1, -1, 1, -1}, 0, 0},
		{"half-scale sine", sine, -9.03, -6.02},
		{"one click in silence", []float32{0, 0, 0, 1}, -6.02, 0},
		{"clipped above full scale", []float32{2, -2}, 6.02, 6.02},
		{"silence", make([]float32, 480), math.Inf(-1), math.Inf(-1)},
		{"nothing", nil, math.Inf(-1), math.Inf(-1)},
	} {
		rms, peak := Level(c.samples)
		if !near(rms, c.rms) || !near(peak, c.peak) {
			t.Errorf("%s: Level() = %.2f, %.2f dBFS, want %.2f, %.2f", c.name, rms, peak, c.rms, c.peak)
		}
	}
}

func near(a, b float64) bool {
	if math.IsInf(b, 0) {
		return a == b
	}
	return math.Abs(a-b) < 0.01
}
