package onnx

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/ml"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/timeline"
)

// Progress shares: preparing (sound, text) to 0.1, denoising to 0.85,
// decoding and encoding the rest.
const (
	progressPrepared = 0.1
	progressDenoised = 0.85
)

// pipeline is one render's state.
type pipeline struct {
	b        *Backend
	ms       *models
	req      *render.Request
	g        Geometry
	progress func(float64)
}

// Prompt is what the model reads for a shot: the request's prompt (the
// featured cast's preferences folded in) and the camera in words,
// "…, wide shot, the camera dollies in".
func Prompt(req *render.Request) string {
	p := strings.TrimSpace(req.Prompt())
	camera := cameraWords(req.Shot.Camera)
	if p == "" {
		return camera
	}
	return p + ", " + camera
}

func cameraWords(c timeline.Camera) string {
	framing := c.Framing.Label() + " shot"
	move := map[timeline.Move]string{
		timeline.Static:   "the camera is still",
		timeline.PanLeft:  "the camera pans left",
		timeline.PanRight: "the camera pans right",
		timeline.TiltUp:   "the camera tilts up",
		timeline.TiltDown: "the camera tilts down",
		timeline.DollyIn:  "the camera dollies in",
		timeline.DollyOut: "the camera dollies out",
		timeline.ZoomIn:   "the camera zooms in",
		timeline.ZoomOut:  "the camera zooms out",
	}[c.Move]
	if move == "" {
		return framing
	}
	return framing + ", " + move
}

func (p *pipeline) run(ctx context.Context, enc *media.Encoder) error {
	m := p.b.pack.Manifest
	cond, err := p.encodeText(ctx, Prompt(p.req))
	if err != nil {
		return err
	}
	guidance := m.Defaults.Guidance
	var uncond []float32
	if guidance > 1 {
		if uncond, err = p.encodeText(ctx, m.Defaults.NegativePrompt); err != nil {
			return err
		}
	}
	var image []float32
	if ic := m.ImageConditioning; ic != nil {
		// Every render of a conditioned model feeds the condition: zeros
		// (no frame fixed) unless the shot continues the previous clip.
		if image, err = p.condition(ctx); err != nil {
			return err
		}
	}
	p.progress(progressPrepared)
	latent, err := p.denoise(ctx, cond, uncond, image, guidance)
	if err != nil {
		return err
	}
	// De-normalise per channel for the decoder: x·std + mean.
	plane := p.g.LatentFrames * p.g.LatentHeight * p.g.LatentWidth
	for c := range m.Latent.Channels {
		s, mu := float32(m.Latent.Std[c]), float32(m.Latent.Mean[c])
		ch := latent[c*plane : (c+1)*plane]
		for i := range ch {
			ch[i] = ch[i]*s + mu
		}
	}
	return p.decode(ctx, latent, enc)
}

// encodeText returns the text embedding of prompt, [1, max_length, width]
// flattened, with the embeddings of padded tokens (past the attention
// mask) zeroed: an encoder's output there is noise the model was never
// trained to read.
func (p *pipeline) encodeText(ctx context.Context, prompt string) ([]float32, error) {
	m := p.b.pack.Manifest
	ids, mask, err := p.b.tok.encode(prompt)
	if err != nil {
		return nil, err
	}
	shape := []int64{1, int64(len(ids))}
	idsT, err := ml.NewInt64Tensor(shape, ids)
	if err != nil {
		return nil, err
	}
	defer idsT.Close()
	named := map[string]*ml.Tensor{m.TextEncoder.InputIDs: idsT}
	if m.TextEncoder.AttentionMask != "" {
		maskT, err := ml.NewInt64Tensor(shape, mask)
		if err != nil {
			return nil, err
		}
		defer maskT.Close()
		named[m.TextEncoder.AttentionMask] = maskT
	}
	out, _, _ := p.ms.text.Output(m.TextEncoder.Output)
	width := out.Shape[2]
	emb, got, err := runOne(ctx, p.ms.text, feed(p.ms.text, named), m.TextEncoder.Output, []int64{1, int64(len(ids)), width})
	if err != nil {
		return nil, err
	}
	if len(got) != 3 || got[0] != 1 || got[1] != int64(len(ids)) {
		return nil, fmt.Errorf("%s: output %s is %v, want [1 %d width]", p.ms.text.Path(), m.TextEncoder.Output, got, len(ids))
	}
	w := int(got[2])
	for i, on := range mask {
		if on == 0 {
			clear(emb[i*w : (i+1)*w])
		}
	}
	return emb, nil
}

// transformerInputs are the transformer's input tensors, made once and
// refilled each step.
type transformerInputs struct {
	hidden, text, uncond, image, timestep *ml.Tensor
	hiddenData                            []float32 // latent, then condition channels in concat mode
	shape                                 []int64
}

func (t *transformerInputs) close() {
	for _, x := range []*ml.Tensor{t.hidden, t.text, t.uncond, t.image, t.timestep} {
		x.Close()
	}
}

// denoise runs the sampler from seeded noise and returns the latent,
// [channels, frames, height, width] flattened.
func (p *pipeline) denoise(ctx context.Context, cond, uncond, image []float32, guidance float64) ([]float32, error) {
	m := p.b.pack.Manifest
	s := p.ms.transformer
	tr := m.Transformer
	g := p.g
	c := m.Latent.Channels
	n := c * g.LatentFrames * g.LatentHeight * g.LatentWidth
	x := make([]float32, n)
	gaussian(p.req.Shot.Seed, x)

	in := &transformerInputs{}
	defer in.close()
	hsInfo, _, _ := s.Input(tr.HiddenStates)
	ehsInfo, _, _ := s.Input(tr.EncoderHiddenStates)
	channels := c
	ic := m.ImageConditioning
	concat := ic != nil && ic.TransformerInput == ""
	if concat {
		channels = c + len(image)/(g.LatentFrames*g.LatentHeight*g.LatentWidth)
	}
	in.shape = []int64{1, int64(channels), int64(g.LatentFrames), int64(g.LatentHeight), int64(g.LatentWidth)}
	in.hiddenData = make([]float32, channels*g.LatentFrames*g.LatentHeight*g.LatentWidth)
	if concat {
		copy(in.hiddenData[n:], image)
	}
	var err error
	if in.hidden, err = ml.NewTensor(hsInfo.Type, in.shape); err != nil {
		return nil, err
	}
	textShape := []int64{1, int64(p.b.tok.maxLen), int64(len(cond) / p.b.tok.maxLen)}
	if in.text, err = ml.NewFloatTensor(ehsInfo.Type, textShape, cond); err != nil {
		return nil, err
	}
	if uncond != nil {
		if in.uncond, err = ml.NewFloatTensor(ehsInfo.Type, textShape, uncond); err != nil {
			return nil, err
		}
	}
	if ic != nil && !concat {
		info, _, _ := s.Input(ic.TransformerInput)
		shape := []int64{1, int64(c + ic.MaskChannels), int64(g.LatentFrames), int64(g.LatentHeight), int64(g.LatentWidth)}
		if in.image, err = ml.NewFloatTensor(info.Type, shape, image); err != nil {
			return nil, err
		}
	}
	outInfo, _, _ := s.Output(tr.Output)
	single := len(s.Outputs()) == 1
	var vCond, vUncond *ml.Tensor
	if single {
		outShape := []int64{1, int64(c), int64(g.LatentFrames), int64(g.LatentHeight), int64(g.LatentWidth)}
		if vCond, err = ml.NewTensor(outInfo.Type, outShape); err != nil {
			return nil, err
		}
		defer vCond.Close()
		if vUncond, err = ml.NewTensor(outInfo.Type, outShape); err != nil {
			return nil, err
		}
		defer vUncond.Close()
	}
	predict := func(text *ml.Tensor, out *ml.Tensor, into []float32) ([]float32, error) {
		named := map[string]*ml.Tensor{tr.HiddenStates: in.hidden, tr.Timestep: in.timestep, tr.EncoderHiddenStates: text}
		if in.image != nil {
			named[ic.TransformerInput] = in.image
		}
		inputs := feed(s, named)
		if single {
			if err := s.RunInto(ctx, inputs, []*ml.Tensor{out}); err != nil {
				return nil, err
			}
			return out.Floats(into)
		}
		v, _, err := runOne(ctx, s, inputs, tr.Output, nil)
		return v, err
	}

	sigmas := Sigmas(m.Defaults.Steps, m.Defaults.Shift)
	steps := len(sigmas) - 1
	var vc, vu []float32
	for i := range steps {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		copy(in.hiddenData, x)
		if err := in.hidden.SetFloats(in.hiddenData); err != nil {
			return nil, err
		}
		in.timestep.Close()
		if in.timestep, err = p.timestep(sigmas[i] * trainTimesteps); err != nil {
			return nil, err
		}
		if vc, err = predict(in.text, vCond, vc); err != nil {
			return nil, err
		}
		if len(vc) != n {
			return nil, fmt.Errorf("%s: output %s holds %d values, want %d", s.Path(), tr.Output, len(vc), n)
		}
		if in.uncond != nil {
			if vu, err = predict(in.uncond, vUncond, vu); err != nil {
				return nil, err
			}
			guide(vc, vu, guidance)
		}
		eulerStep(x, vc, sigmas[i], sigmas[i+1])
		p.progress(progressPrepared + (progressDenoised-progressPrepared)*float64(i+1)/float64(steps))
	}
	return x, nil
}

// timestep makes the timestep input as the model declares it: a scalar
// or [1], float or int64 (rounded).
func (p *pipeline) timestep(t float64) (*ml.Tensor, error) {
	info, _, _ := p.ms.transformer.Input(p.b.pack.Manifest.Transformer.Timestep)
	var shape []int64
	if len(info.Shape) == 1 {
		shape = []int64{1}
	}
	if info.Type == ml.Int64 {
		return ml.NewInt64Tensor(shape, []int64{int64(t + 0.5)})
	}
	return ml.NewFloatTensor(info.Type, shape, []float32{float32(t)})
}

// condition builds the image condition: mask channels, then the
// normalised latent of the previous clip's last frame on the first latent
// frame, zeros elsewhere. Without a previous clip (or when the shot does
// not continue) it is all zeros: no frame is fixed.
func (p *pipeline) condition(ctx context.Context) ([]float32, error) {
	m := p.b.pack.Manifest
	ic := m.ImageConditioning
	g := p.g
	plane := g.LatentFrames * g.LatentHeight * g.LatentWidth
	c := m.Latent.Channels
	cond := make([]float32, (ic.MaskChannels+c)*plane)
	if !p.req.Shot.Continue || p.req.PrevClip == "" {
		return cond, nil
	}
	rgb, err := lastFrame(ctx, p.b.tools, p.req.PrevClip, g.Width, g.Height)
	if err != nil {
		return nil, fmt.Errorf("shot %d starts from the previous clip's last frame: %w", p.req.Index+1, err)
	}
	// [1, 3, 1, H, W] in −1..1.
	hw := g.Width * g.Height
	pix := make([]float32, 3*hw)
	for i := range hw {
		for k := range 3 {
			pix[k*hw+i] = float32(rgb[3*i+k])/127.5 - 1
		}
	}
	encIn, _, _ := p.ms.encoder.Input(ic.EncoderInput)
	x, err := ml.NewFloatTensor(encIn.Type, []int64{1, 3, 1, int64(g.Height), int64(g.Width)}, pix)
	if err != nil {
		return nil, err
	}
	defer x.Close()
	lat, shape, err := runOne(ctx, p.ms.encoder, []*ml.Tensor{x}, ic.EncoderOutput, []int64{1, int64(c), 1, int64(g.LatentHeight), int64(g.LatentWidth)})
	if err != nil {
		return nil, err
	}
	if len(lat) != c*g.LatentHeight*g.LatentWidth {
		return nil, fmt.Errorf("%s: output %s is %v, want [1 %d 1 %d %d]", p.ms.encoder.Path(), ic.EncoderOutput, shape, c, g.LatentHeight, g.LatentWidth)
	}
	area := g.LatentHeight * g.LatentWidth
	for k := range ic.MaskChannels {
		for i := range area {
			cond[k*plane+i] = 1 // the first latent frame is fixed
		}
	}
	for ch := range c {
		mean, std := float32(m.Latent.Mean[ch]), float32(m.Latent.Std[ch])
		dst := cond[(ic.MaskChannels+ch)*plane:]
		for i := range area {
			dst[i] = (lat[ch*area+i] - mean) / std
		}
	}
	return cond, nil
}

// lastFrame decodes a clip's last frame as rgb24 at width×height.
func lastFrame(ctx context.Context, tools media.Tools, clip string, width, height int) ([]byte, error) {
	dec, err := tools.NewDecoder(ctx, clip, media.DecodeOptions{Width: width, Height: height, PixFmt: "rgb24"})
	if err != nil {
		return nil, err
	}
	defer dec.Close()
	buf, last := make([]byte, dec.FrameSize()), make([]byte, dec.FrameSize())
	got := false
	for {
		err := dec.ReadFrame(buf)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		buf, last, got = last, buf, true
	}
	if !got {
		return nil, fmt.Errorf("%s has no frames", clip)
	}
	return last, nil
}

// decode decodes the latent in chunks of latent frames and writes the
// frames, retimed to the project's rate and cropped to its size, to enc.
// Each chunk after the first decodes one latent frame before it too, and
// drops what that frame decodes to: a causal video VAE decoding a chunk
// alone treats its first frame as the video's first, so the overlap gives
// it the context it had, and the frame count comes out as one whole
// decode's, 1 + t·(n−1).
func (p *pipeline) decode(ctx context.Context, latent []float32, enc *media.Encoder) error {
	m := p.b.pack.Manifest
	s := p.ms.decoder
	g := p.g
	c := m.Latent.Channels
	tc := m.Latent.TemporalCompression
	chunk := m.ChunkFrames()
	info, _, _ := s.Input(m.VAEDecoder.Latent)
	area := g.LatentHeight * g.LatentWidth
	plane := g.LatentFrames * area

	w := newFrameWriter(p.req, m.Defaults.FPS, g, enc)
	for start := 0; start < g.LatentFrames && !w.done(); start += chunk {
		if err := ctx.Err(); err != nil {
			return err
		}
		end := min(start+chunk, g.LatentFrames)
		from := max(start-1, 0)
		k := end - from
		data := make([]float32, c*k*area)
		for ch := range c {
			copy(data[ch*k*area:(ch+1)*k*area], latent[ch*plane+from*area:ch*plane+end*area])
		}
		x, err := ml.NewFloatTensor(info.Type, []int64{1, int64(c), int64(k), int64(g.LatentHeight), int64(g.LatentWidth)}, data)
		if err != nil {
			return err
		}
		want := []int64{1, 3, int64(1 + tc*(k-1)), int64(g.Height), int64(g.Width)}
		video, shape, err := runOne(ctx, s, []*ml.Tensor{x}, m.VAEDecoder.Output, want)
		x.Close()
		if err != nil {
			return err
		}
		if len(shape) != 5 || shape[0] != 1 || shape[1] != 3 || shape[3] != int64(g.Height) || shape[4] != int64(g.Width) {
			return fmt.Errorf("%s: output %s is %v, want [1 3 frames %d %d]", s.Path(), m.VAEDecoder.Output, shape, g.Height, g.Width)
		}
		frames := int(shape[2])
		skip := 0
		if start > 0 {
			skip = frames - tc*(end-start)
		}
		if skip < 0 || skip >= frames {
			return fmt.Errorf("%s: %d latent frames decoded to %d frames; the pipeline expects %d per latent frame", s.Path(), k, frames, tc)
		}
		for t := skip; t < frames && !w.done(); t++ {
			if err := w.add(video, frames, t); err != nil {
				return err
			}
		}
		p.progress(progressDenoised + (1-progressDenoised)*0.99*float64(end)/float64(g.LatentFrames))
	}
	if !w.done() {
		return fmt.Errorf("the model made %d frames; shot %d needs %d", w.native, p.req.Index+1, w.need)
	}
	return nil
}
