package audio

// Peaks divides p into n equal slices of time and returns the loudest
// sample of each (all channels), between 0 and 1: the outline of a
// waveform, drawn n bars wide. A slice shorter than one frame repeats the
// frame it falls in; n ≤ 0 or an empty p gives none.
func (p *PCM) Peaks(n int) []float32 {
	frames := p.Frames()
	if n <= 0 || frames == 0 {
		return nil
	}
	out := make([]float32, n)
	ch := p.Channels
	for i := range out {
		from := int(int64(i) * int64(frames) / int64(n))
		to := max(from+1, int(int64(i+1)*int64(frames)/int64(n)))
		var peak float32
		for _, v := range p.Samples[from*ch : min(to, frames)*ch] {
			peak = max(peak, abs32(v))
		}
		out[i] = min(peak, 1)
	}
	return out
}
