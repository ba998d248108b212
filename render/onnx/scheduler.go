package onnx

// trainTimesteps is the number of timesteps flow-matching video models
// are trained with; the timestep a model sees is sigma times it.
const trainTimesteps = 1000

// Sigmas is the noise schedule of the flow-matching Euler sampler with a
// time shift, as Wan and diffusers' FlowMatchEulerDiscreteScheduler run
// it: steps+1 noise levels from 1 down to 0.
//
// The training sigmas are t/1000 for t = 1…1000, shifted by
//
//	shift(s) = shift·s / (1 + (shift−1)·s)
//
// so the smallest is shift(1/1000). Sampling takes steps levels evenly
// spaced from 1 to that smallest one, shifts each again, and ends at 0.
// Shifting twice is what the reference does (its range comes from the
// shifted training sigmas, and the levels are shifted once more); it is
// why the last level before 0 is 0.024414 at shift 5 and not 0.0049.
func Sigmas(steps int, shift float64) []float64 {
	if steps < 1 {
		return []float64{1, 0}
	}
	shifted := func(s float64) float64 { return shift * s / (1 + (shift-1)*s) }
	lo := shifted(1.0 / trainTimesteps)
	out := make([]float64, steps+1)
	for i := range steps {
		s := 1.0
		if steps > 1 {
			s = 1 + (lo-1)*float64(i)/float64(steps-1)
		}
		out[i] = shifted(s)
	}
	return out // out[steps] = 0
}

// eulerStep moves the latent x from noise level sigma to next along the
// predicted velocity v: x + (next − sigma)·v.
func eulerStep(x, v []float32, sigma, next float64) {
	dt := float32(next - sigma)
	for i := range x {
		x[i] += dt * v[i]
	}
}

// guide combines the conditional and unconditional predictions with
// classifier-free guidance, into cond: uncond + scale·(cond − uncond).
func guide(cond, uncond []float32, scale float64) {
	g := float32(scale)
	for i := range cond {
		cond[i] = uncond[i] + g*(cond[i]-uncond[i])
	}
}
