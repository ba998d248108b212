// Package onnxtest makes model packs for testing the on-device backend:
// random-weight models with the tensor names and ranks of a real video
// diffusion export (a UMT5-like text encoder, a transformer taking
// hidden_states, a scalar timestep and encoder_hidden_states, a causal
// video VAE decoder), a tiny T5-style tokenizer and a manifest. The models
// are built in Go (ml/mltest) from a seed, so the same options always
// write the same bytes: render/onnx/testdata/tinypack is one, committed,
// and tests and benchmarks write variants into temporary folders.
//
// The models compute nothing meaningful, but they compute it the way a
// real pipeline needs: every input changes the output, attention-masked
// tokens leave a trace the pipeline must zero, and the decoder turns n
// latent frames into 1 + 4(n−1) frames 8 times larger each way, in −1..1.
package onnxtest

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/slatestudio/slate/ml/mltest"
	"github.com/slatestudio/slate/ml/pack"
)

//go:embed tokenizers
var tokenizers embed.FS

// Tokenizer returns one of the test tokenizers: "t5-unigram.json" (the
// tiny pack's, T5/UMT5 style) or "clip-bpe.json" (CLIP style).
func Tokenizer(name string) []byte {
	b, err := tokenizers.ReadFile("tokenizers/" + name)
	if err != nil {
		panic(err) // a test asked for a tokenizer that is not embedded
	}
	return b
}

// The tiny pack's shape. Channels and compression are Wan 2.1's; widths
// and vocabulary are as small as keeps every tensor meaningful.
const (
	Channels  = 16
	TextWidth = 32
	MaxLength = 16
	vocab     = 61 // t5-unigram.json's vocabulary
	tcomp     = 4
	scomp     = 8
)

// Options vary the pack.
type Options struct {
	// Name is the pack's name; empty means "tinypack".
	Name string
	// Seed picks the weights.
	Seed uint64
	// Hidden, when more than 0, adds a pointwise network of that width to
	// the transformer, so a step costs what a benchmark needs.
	Hidden int
	// Conditioning adds image conditioning: "input" (a separate
	// transformer input) or "concat" (appended to hidden_states), with a
	// VAE encoder.
	Conditioning string
	// Int64Timestep makes the timestep an int64 [batch] instead of a
	// float32 scalar.
	Int64Timestep bool
	// Rename prefixes every tensor name, to show the pipeline reads names
	// from the manifest.
	Rename string
	// Steps overrides the default 4 denoising steps.
	Steps int
	// Float16 makes every float input and output float16 (the timestep
	// stays a float32 scalar), as GPU exports often are.
	Float16 bool
	// Provider is the execution provider the manifest names; empty names
	// none.
	Provider string
}

// edge declares a graph's float inputs and outputs as float32, or as
// float16 cast at the edge.
type edge struct {
	g    *mltest.Graph
	half bool
}

func (e edge) in(name string, dims ...mltest.Dim) string {
	if !e.half {
		return e.g.Input(name, mltest.Float, dims...)
	}
	x := e.g.Input(name, mltest.Float16, dims...)
	return e.g.Op("Cast", []string{x}, mltest.AttrInt("to", int64(mltest.Float)))
}

func (e edge) out(value, name string, dims ...mltest.Dim) {
	if !e.half {
		e.g.Output(value, name, mltest.Float, dims...)
		return
	}
	h := e.g.Op("Cast", []string{value}, mltest.AttrInt("to", int64(mltest.Float16)))
	e.g.Output(h, name, mltest.Float16, dims...)
}

// Write writes a pack into dir (which must exist) and returns its manifest.
func Write(dir string, o Options) (*pack.Manifest, error) {
	if o.Name == "" {
		o.Name = "tinypack"
	}
	if o.Steps == 0 {
		o.Steps = 4
	}
	r := rand.New(rand.NewPCG(o.Seed, 0x7e57))
	n := func(s string) string { return o.Rename + s }
	m := &pack.Manifest{
		Format: pack.Format, Name: o.Name, Family: "slate-tiny-t2v",
		Title:   "Slate's tiny test pack (random weights)",
		Licence: "CC0-1.0", Source: "https://github.com/slatestudio/slate", Provider: o.Provider,
		Tokenizer: pack.Tokenizer{File: "tokenizer/tokenizer.json", MaxLength: MaxLength},
		TextEncoder: pack.TextEncoder{Model: "text_encoder/model.onnx",
			InputIDs: n("input_ids"), AttentionMask: n("attention_mask"), Output: n("last_hidden_state")},
		Transformer: pack.Transformer{Model: "transformer/model.onnx",
			HiddenStates: n("hidden_states"), Timestep: n("timestep"), EncoderHiddenStates: n("encoder_hidden_states"), Output: n("out_hidden_states")},
		VAEDecoder: pack.VAEDecoder{Model: "vae_decoder/model.onnx", Latent: n("latent_sample"), Output: n("sample"), ChunkFrames: 4},
		Defaults: pack.Defaults{Steps: o.Steps, Guidance: 3, Shift: 3, FPS: 16, Frames: 17, Width: 320, Height: 192,
			NegativePrompt: "blurry, still"},
		Latent: pack.Latent{Channels: Channels, TemporalCompression: tcomp, SpatialCompression: scomp, SizeMultiple: 16},
	}
	for c := range Channels {
		m.Latent.Mean = append(m.Latent.Mean, math.Round((0.1*float64(c)-0.5)*100)/100)
		m.Latent.Std = append(m.Latent.Std, math.Round((0.5+0.05*float64(c))*100)/100)
	}
	mask := 0
	if o.Conditioning != "" {
		mask = 4
		m.ImageConditioning = &pack.ImageConditioning{Encoder: "vae_encoder/model.onnx",
			EncoderInput: n("sample"), EncoderOutput: n("latent"), MaskChannels: mask}
		switch o.Conditioning {
		case "input":
			m.ImageConditioning.TransformerInput = n("image_latents")
		case "concat":
		default:
			return nil, fmt.Errorf("conditioning %q: want input or concat", o.Conditioning)
		}
	}

	files := map[string][]byte{
		"tokenizer/tokenizer.json": Tokenizer("t5-unigram.json"),
		"text_encoder/model.onnx":  textEncoder(r, n, o.Float16),
		"transformer/model.onnx":   transformer(r, n, o, mask),
		"vae_decoder/model.onnx":   vaeDecoder(r, n, o.Float16),
	}
	order := []string{"text_encoder/model.onnx", "transformer/model.onnx", "vae_decoder/model.onnx", "tokenizer/tokenizer.json"}
	if o.Conditioning != "" {
		files["vae_encoder/model.onnx"] = vaeEncoder(r, n, o.Float16)
		order = append(order, "vae_encoder/model.onnx")
	}
	for _, p := range order {
		data := files[p]
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(full, data, 0o644); err != nil {
			return nil, err
		}
		h := sha256.Sum256(data)
		m.Files = append(m.Files, pack.File{Path: p, SHA256: hex.EncodeToString(h[:]), Size: int64(len(data))})
	}
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("onnxtest made a bad manifest: %w", err)
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, pack.ManifestFile), append(b, '\n'), 0o644); err != nil {
		return nil, err
	}
	return m, nil
}

const opset = 17

var (
	batch  = mltest.Sym("batch")
	seq    = mltest.Sym("sequence")
	frames = mltest.Sym("frames")
	height = mltest.Sym("height")
	width  = mltest.Sym("width")
)

// textEncoder: embeddings, a linear layer, plus a trace of the attention
// mask, through tanh: [batch, sequence] ids → [batch, sequence, 32].
func textEncoder(r *rand.Rand, n func(string) string, half bool) []byte {
	g := mltest.NewGraph("text_encoder")
	e := edge{g, half}
	ids := g.Input(n("input_ids"), mltest.Int64, batch, seq)
	mask := g.Input(n("attention_mask"), mltest.Int64, batch, seq)
	emb := g.Op("Gather", []string{g.Weights([]int64{vocab, TextWidth}, mltest.Normal(r, vocab*TextWidth, 0.7)), ids}, mltest.AttrInt("axis", 0))
	h := g.Op("MatMul", []string{emb, g.Weights([]int64{TextWidth, TextWidth}, mltest.Normal(r, TextWidth*TextWidth, 1/math.Sqrt(TextWidth)))})
	h = g.Op("Add", []string{h, g.Weights([]int64{TextWidth}, mltest.Normal(r, TextWidth, 0.1))})
	mf := g.Op("Cast", []string{mask}, mltest.AttrInt("to", int64(mltest.Float)))
	mf = g.Op("Unsqueeze", []string{mf, g.Ints([]int64{1}, -1)})
	h = g.Op("Add", []string{h, g.Op("Mul", []string{mf, g.Scalar(0.5)})})
	e.out(g.Op("Tanh", []string{h}), n("last_hidden_state"), batch, seq, mltest.D(TextWidth))
	return g.Model(opset)
}

// transformer: a 1×3×3 convolution of the latent, plus terms from the
// pooled text and the timestep (and the condition), through tanh.
func transformer(r *rand.Rand, n func(string) string, o Options, mask int) []byte {
	g := mltest.NewGraph("transformer")
	ed := edge{g, o.Float16}
	in := int64(Channels)
	if o.Conditioning == "concat" {
		in = int64(2*Channels + mask)
	}
	x := ed.in(n("hidden_states"), batch, mltest.D(in), frames, height, width)
	var t string
	if o.Int64Timestep {
		t = g.Input(n("timestep"), mltest.Int64, batch)
		t = g.Op("Cast", []string{t}, mltest.AttrInt("to", int64(mltest.Float)))
		t = g.Op("Reshape", []string{t, g.Ints([]int64{0})}) // [1] → scalar
	} else {
		t = g.Input(n("timestep"), mltest.Float)
	}
	e := ed.in(n("encoder_hidden_states"), batch, seq, mltest.D(TextWidth))
	var cond string
	if o.Conditioning == "input" {
		cond = ed.in(n("image_latents"), batch, mltest.D(int64(Channels+mask)), frames, height, width)
	}
	const c = Channels
	conv := g.Op("Conv", []string{x, g.Weights([]int64{c, in, 1, 3, 3}, mltest.Normal(r, c*int(in)*9, 0.08)), g.Weights([]int64{c}, mltest.Normal(r, c, 0.05))},
		mltest.AttrInts("pads", 0, 1, 1, 0, 1, 1))
	pooled := g.Op("ReduceMean", []string{e}, mltest.AttrInts("axes", 1), mltest.AttrInt("keepdims", 0))
	tv := g.Op("MatMul", []string{pooled, g.Weights([]int64{TextWidth, c}, mltest.Normal(r, TextWidth*c, 0.5))})
	tv = g.Op("Reshape", []string{tv, g.Ints([]int64{5}, -1, c, 1, 1, 1)})
	tt := g.Op("Mul", []string{g.Op("Div", []string{t, g.Scalar(1000)}), g.Weights([]int64{c}, mltest.Normal(r, c, 0.5))})
	tt = g.Op("Reshape", []string{tt, g.Ints([]int64{5}, 1, c, 1, 1, 1)})
	sum := g.Op("Add", []string{g.Op("Add", []string{conv, tv}), tt})
	if cond != "" {
		cc := g.Op("Conv", []string{cond, g.Weights([]int64{c, int64(c + mask), 1, 1, 1}, mltest.Normal(r, c*(c+mask), 0.2))})
		sum = g.Op("Add", []string{sum, cc})
	}
	if o.Hidden > 0 {
		h := int64(o.Hidden)
		y := g.Op("Conv", []string{x, g.Weights([]int64{h, in, 1, 1, 1}, mltest.Normal(r, int(h*in), 1/math.Sqrt(float64(in))))})
		y = g.Op("Tanh", []string{y})
		y = g.Op("Conv", []string{y, g.Weights([]int64{h, h, 1, 1, 1}, mltest.Normal(r, int(h*h), 1/math.Sqrt(float64(h))))})
		y = g.Op("Tanh", []string{y})
		y = g.Op("Conv", []string{y, g.Weights([]int64{c, h, 1, 1, 1}, mltest.Normal(r, int(c*h), 0.1/math.Sqrt(float64(h))))})
		sum = g.Op("Add", []string{sum, y})
	}
	ed.out(g.Op("Tanh", []string{sum}), n("out_hidden_states"), batch, mltest.D(c), frames, height, width)
	return g.Model(opset)
}

// vaeDecoder: a pointwise projection to RGB, nearest upsampling by 4 in
// time and 8 in space, dropping the first 3 frames (so n latent frames
// give 1 + 4(n−1), as a causal video VAE), a 3×3 blur and tanh.
func vaeDecoder(r *rand.Rand, n func(string) string, half bool) []byte {
	g := mltest.NewGraph("vae_decoder")
	e := edge{g, half}
	z := e.in(n("latent_sample"), batch, mltest.D(Channels), frames, height, width)
	rgb := g.Op("Conv", []string{z, g.Weights([]int64{3, Channels, 1, 1, 1}, mltest.Normal(r, 3*Channels, 0.3)), g.Weights([]int64{3}, []float32{0.1, -0.1, 0})})
	up := g.Op("Resize", []string{rgb, "", g.Weights([]int64{5}, []float32{1, 1, tcomp, scomp, scomp})},
		mltest.AttrString("mode", "nearest"), mltest.AttrString("coordinate_transformation_mode", "asymmetric"), mltest.AttrString("nearest_mode", "floor"))
	cut := g.Op("Slice", []string{up, g.Ints([]int64{1}, tcomp-1), g.Ints([]int64{1}, math.MaxInt64), g.Ints([]int64{1}, 2)})
	blur := make([]float32, 3*3*9)
	for i := range 3 {
		for k := range 9 {
			blur[(i*3+i)*9+k] = 1.0 / 9
		}
	}
	y := g.Op("Conv", []string{cut, g.Weights([]int64{3, 3, 1, 3, 3}, blur)}, mltest.AttrInts("pads", 0, 1, 1, 0, 1, 1))
	e.out(g.Op("Tanh", []string{y}), n("sample"), batch, mltest.D(3), frames, height, width)
	return g.Model(opset)
}

// vaeEncoder: average pooling 8×8 and a pointwise projection to the latent.
func vaeEncoder(r *rand.Rand, n func(string) string, half bool) []byte {
	g := mltest.NewGraph("vae_encoder")
	e := edge{g, half}
	x := e.in(n("sample"), batch, mltest.D(3), frames, height, width)
	p := g.Op("AveragePool", []string{x}, mltest.AttrInts("kernel_shape", 1, scomp, scomp), mltest.AttrInts("strides", 1, scomp, scomp))
	l := g.Op("Conv", []string{p, g.Weights([]int64{Channels, 3, 1, 1, 1}, mltest.Normal(r, 3*Channels, 1))})
	e.out(l, n("latent"), batch, mltest.D(Channels), frames, height, width)
	return g.Model(opset)
}
