package onnx

import (
	"errors"
	"fmt"

	"github.com/slatestudio/slate/ml"
	"github.com/slatestudio/slate/ml/pack"
)

// The planner's defaults, for packs whose manifest does not tune them.
const (
	// defaultActivationFactor multiplies the latent's bytes to estimate
	// the transformer's working memory. A diffusion transformer's widest
	// activation is its feed-forward layer, ffn_dim / (channels × patch
	// area) latent-sized tensors wide: 8960 / (16 × 4) = 140 for Wan 2.1
	// 1.3B. 150 leaves room for the attention's own buffers at the sizes
	// such models are used at (quadratic in tokens, it outgrows any fixed
	// factor for very long clips, which the planner then under-counts).
	defaultActivationFactor = 150
	// defaultVAEActivationFactor multiplies one decoded chunk's bytes to
	// estimate the decoder's working memory: a video VAE's last block
	// works at full size with 96–128 channels against the output's 3, and
	// keeps a causal cache beside it.
	defaultVAEActivationFactor = 64
	// samplerCopies is how many latent-sized buffers the sampler holds:
	// the latent, the two predictions, the model's input and a spare for
	// conversion.
	samplerCopies = 5
	// runtimeOverhead is ONNX Runtime's own memory and the arenas it keeps
	// beside the models.
	runtimeOverhead = 300 << 20
	// floatBytes: the pipeline works in float32.
	floatBytes = 4
)

// ErrTooBig is wrapped by the error of a render the planner refuses.
var ErrTooBig = errors.New("not enough memory for this render")

// Geometry is the size a render is generated at.
type Geometry struct {
	// Width and Height are the generated size: the project's, rounded up
	// to the pack's size multiple (the frames are cropped back).
	Width, Height int
	// Frames is the number of frames the model makes, at its own rate.
	Frames int
	// LatentFrames, LatentHeight and LatentWidth are the latent's size.
	LatentFrames, LatentHeight, LatentWidth int
}

// geometry is the generation size for a project size and a number of
// model frames.
func geometry(m *pack.Manifest, width, height, frames int) Geometry {
	mult := m.SizeMultiple()
	up := func(v int) int { return (v + mult - 1) / mult * mult }
	l := m.Latent
	g := Geometry{Width: up(width), Height: up(height)}
	g.LatentFrames = (max(frames, 1)-1+l.TemporalCompression-1)/l.TemporalCompression + 1
	g.Frames = 1 + l.TemporalCompression*(g.LatentFrames-1)
	g.LatentHeight, g.LatentWidth = g.Height/l.SpatialCompression, g.Width/l.SpatialCompression
	return g
}

// Plan is the memory a render needs, against what is free.
type Plan struct {
	Geometry
	// Weights is the pack's models' bytes: they stay loaded.
	Weights int64
	// Sampler is the latent buffers the sampler holds.
	Sampler int64
	// Transformer is the transformer's working memory.
	Transformer int64
	// Decoder is the decoder's working memory for one chunk.
	Decoder int64
	// Peak is the most the render holds at once: weights, sampler,
	// runtime overhead and the larger of the two working memories (the
	// decoder runs after the transformer is done).
	Peak int64
	// Loaded is true when the models are loaded already: the free memory
	// no longer includes them, so they are not asked for again.
	Loaded bool
	// Free is the memory the provider's models can use.
	Free     ml.Memory
	Provider string
	// Suggestion says what would fit, when the render does not.
	Suggestion string
}

// Estimate works out a render's memory: a pack at a project size and a
// number of frames at the model's rate. It is a pure function of the
// manifest, so a test can ask it about a pack that is not installed.
func Estimate(m *pack.Manifest, width, height, frames int) Plan {
	g := geometry(m, width, height, frames)
	p := Plan{Geometry: g, Weights: m.Size()}
	l := m.Latent
	latent := int64(l.Channels) * int64(g.LatentFrames) * int64(g.LatentHeight) * int64(g.LatentWidth) * floatBytes
	act := m.Memory.ActivationFactor
	if act == 0 {
		act = defaultActivationFactor
	}
	vae := m.Memory.VAEActivationFactor
	if vae == 0 {
		vae = defaultVAEActivationFactor
	}
	p.Sampler = samplerCopies * latent
	p.Transformer = int64(float64(latent) * act)
	// A chunk decodes ChunkFrames latent frames plus one of overlap.
	chunk := min(m.ChunkFrames()+1, g.LatentFrames)
	out := int64(l.TemporalCompression*chunk) * 3 * int64(g.Height) * int64(g.Width) * floatBytes
	p.Decoder = int64(float64(out) * vae)
	p.Peak = p.Weights + p.Sampler + runtimeOverhead + max(p.Transformer, p.Decoder)
	return p
}

// Need is what the render still has to find in free memory: the peak,
// less the models when they are loaded.
func (p Plan) Need() int64 {
	if p.Loaded {
		return p.Peak - p.Weights
	}
	return p.Peak
}

// Fits reports whether the render fits in the free memory; when free
// memory is unknown it is taken to fit.
func (p Plan) Fits() bool { return !p.Free.Known || uint64(p.Need()) <= p.Free.Free }

// Check refuses a render that does not fit, with both figures and what
// would fit instead. The error wraps ErrTooBig.
func (p Plan) Check() error {
	if p.Fits() {
		return nil
	}
	msg := fmt.Sprintf("this shot needs about %s at %d×%d × %d frames (models %s, working memory %s), and %s",
		ml.GiB(uint64(p.Peak)), p.Width, p.Height, p.Frames,
		ml.GiB(uint64(p.Weights)), ml.GiB(uint64(p.Peak-p.Weights)), p.Free)
	if p.Loaded {
		msg = fmt.Sprintf("this shot needs about %s of working memory at %d×%d × %d frames beside the loaded models, and %s",
			ml.GiB(uint64(p.Need())), p.Width, p.Height, p.Frames, p.Free)
	}
	if p.Suggestion != "" {
		msg += "; " + p.Suggestion
	}
	return fmt.Errorf("%w: %s", ErrTooBig, msg)
}

// String sums the plan up for a log: "about 21.3 GiB of 23.1 GiB of RAM free".
func (p Plan) String() string {
	if !p.Free.Known {
		return fmt.Sprintf("about %s; %s", ml.GiB(uint64(p.Peak)), p.Free)
	}
	return fmt.Sprintf("about %s, with %s", ml.GiB(uint64(p.Peak)), p.Free)
}

// plan is Estimate against the free memory, with a suggestion when it
// does not fit: fewer frames at this size, or a smaller size (the same
// shape, in the pack's size multiple) with these frames.
func plan(m *pack.Manifest, width, height, frames int, free ml.Memory, provider string, loaded bool) Plan {
	p := Estimate(m, width, height, frames)
	p.Free, p.Provider, p.Loaded = free, provider, loaded
	if p.Fits() {
		return p
	}
	budget := int64(free.Free)
	if loaded {
		budget += p.Weights // the estimates below count the models
	}
	if !loaded && p.Weights+runtimeOverhead >= budget {
		p.Suggestion = fmt.Sprintf("the models alone need %s, so no size fits: close other programs, or use a machine with more memory", ml.GiB(uint64(p.Weights+runtimeOverhead)))
		return p
	}
	// A smaller size with these frames.
	size := "a smaller size"
	for _, scale := range []float64{0.75, 2.0 / 3, 0.5, 1.0 / 3, 0.25, 0.125} {
		w, h := int(float64(width)*scale), int(float64(height)*scale)
		mult := m.SizeMultiple()
		w, h = max(mult, w/mult*mult), max(mult, h/mult*mult)
		if Estimate(m, w, h, frames).Peak <= budget {
			size = fmt.Sprintf("a smaller size, such as %d×%d (which fits with these frames)", w, h)
			break
		}
	}
	// Fewer frames: the most that fit at this size, when that is at least
	// a second of the model's video.
	fewer := "fewer frames (a shorter shot)"
	lo, hi := 0, p.LatentFrames
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if Estimate(m, width, height, 1+m.Latent.TemporalCompression*(mid-1)).Peak <= budget {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	if f := 1 + m.Latent.TemporalCompression*(lo-1); lo >= 1 && f >= m.Defaults.FPS {
		fewer = fmt.Sprintf("fewer frames: at most %d at this size (%.1f s at the model's %d fps)", f, float64(f)/float64(m.Defaults.FPS), m.Defaults.FPS)
	}
	p.Suggestion = "try " + size + ", or " + fewer
	return p
}
