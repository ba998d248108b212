package onnx

import (
	"math"
	"math/rand/v2"
)

// noiseStream is the second PCG word: fixed, so a shot's seed alone picks
// its noise.
const noiseStream = 0x5eed_51a7e

// gaussian fills x with standard normal noise from seed: a PCG generator
// (math/rand/v2, whose output Go promises not to change) seeded with
// (seed, noiseStream), turned into normal values by the Box–Muller
// transform, two at a time:
//
//	u1 = (53 random bits + 1) / 2^53   in (0, 1], so the logarithm is finite
//	u2 = 53 random bits / 2^53         in [0, 1)
//	r  = sqrt(−2 ln u1)
//	x[2k] = r·cos(2π u2), x[2k+1] = r·sin(2π u2)
//
// computed in float64 and rounded to float32. Unlike rand's NormFloat64,
// whose algorithm is not promised, this is written down here, so the same
// seed gives the same noise in any Slate, and so the same frames.
func gaussian(seed int64, x []float32) {
	r := rand.New(rand.NewPCG(uint64(seed), noiseStream))
	for i := 0; i < len(x); i += 2 {
		u1 := float64(r.Uint64()>>11+1) / (1 << 53)
		u2 := float64(r.Uint64()>>11) / (1 << 53)
		rad := math.Sqrt(-2 * math.Log(u1))
		sin, cos := math.Sincos(2 * math.Pi * u2)
		x[i] = float32(rad * cos)
		if i+1 < len(x) {
			x[i+1] = float32(rad * sin)
		}
	}
}
