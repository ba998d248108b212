package onnx

import (
	"context"
	"fmt"
	"slices"

	"github.com/slatestudio/slate/ml"
	"github.com/slatestudio/slate/ml/pack"
)

// models are a pack's sessions, loaded once and kept: loading a real
// model takes longer than a step, and a studio renders many shots.
type models struct {
	text, transformer, decoder, encoder *ml.Session
}

func (m *models) close() {
	for _, s := range []*ml.Session{m.text, m.transformer, m.decoder, m.encoder} {
		s.Close()
	}
}

// loadModels opens the pack's models and checks every tensor the manifest
// names against what the model itself declares (its names, types and
// ranks read from the model, never assumed).
func loadModels(rt *ml.Runtime, p *pack.Pack, opts ml.SessionOptions) (*models, error) {
	m := p.Manifest
	ms := &models{}
	ok := false
	defer func() {
		if !ok {
			ms.close()
		}
	}()
	open := func(file string) (*ml.Session, error) {
		s, err := ml.NewSession(rt, p.Path(file), opts)
		if err != nil && opts.Provider != ml.CPU {
			return nil, fmt.Errorf("model pack %s: %w; set SLATE_ORT_PROVIDER=CPU to render on the processor instead", m.Name, err)
		}
		if err != nil {
			return nil, fmt.Errorf("model pack %s: %w", m.Name, err)
		}
		return s, nil
	}
	var err error
	if ms.text, err = open(m.TextEncoder.Model); err != nil {
		return nil, err
	}
	te := m.TextEncoder
	if err := expect(ms.text, "text_encoder", []tensorRule{
		{"input_ids", te.InputIDs, true, []ml.ElementType{ml.Int64}, []int{2}},
		{"attention_mask", te.AttentionMask, true, []ml.ElementType{ml.Int64}, []int{2}},
		{"output", te.Output, false, floats(), []int{3}},
	}); err != nil {
		return nil, err
	}
	if ids, _, _ := ms.text.Input(te.InputIDs); ids.Shape[1] > 0 && ids.Shape[1] != int64(m.Tokenizer.MaxLength) {
		return nil, fmt.Errorf("model pack %s: the text encoder takes %d tokens, and tokenizer.max_length is %d", m.Name, ids.Shape[1], m.Tokenizer.MaxLength)
	}

	if ms.transformer, err = open(m.Transformer.Model); err != nil {
		return nil, err
	}
	tr := m.Transformer
	rules := []tensorRule{
		{"hidden_states", tr.HiddenStates, true, floats(), []int{5}},
		{"timestep", tr.Timestep, true, []ml.ElementType{ml.Float32, ml.Float16, ml.Int64}, []int{0, 1}},
		{"encoder_hidden_states", tr.EncoderHiddenStates, true, floats(), []int{3}},
		{"output", tr.Output, false, floats(), []int{5}},
	}
	ic := m.ImageConditioning
	if ic != nil && ic.TransformerInput != "" {
		rules = append(rules, tensorRule{"image_conditioning.transformer_input", ic.TransformerInput, true, floats(), []int{5}})
	}
	if err := expect(ms.transformer, "transformer", rules); err != nil {
		return nil, err
	}
	if ts, _, _ := ms.transformer.Input(tr.Timestep); ts.Type == ml.Float16 && len(ts.Shape) == 0 {
		return nil, fmt.Errorf("model pack %s: the transformer's timestep is a float16 scalar, which onnxruntime_go cannot make; export it as float32 or with shape [batch]", m.Name)
	}
	hs, _, _ := ms.transformer.Input(tr.HiddenStates)
	want := int64(m.Latent.Channels)
	if ic != nil && ic.TransformerInput == "" {
		want = int64(2*m.Latent.Channels + ic.MaskChannels)
	}
	if hs.Shape[1] > 0 && hs.Shape[1] != want {
		return nil, fmt.Errorf("model pack %s: transformer input %s has %d channels; the manifest's latent makes %d", m.Name, hs.Name, hs.Shape[1], want)
	}

	if ms.decoder, err = open(m.VAEDecoder.Model); err != nil {
		return nil, err
	}
	if err := expect(ms.decoder, "vae_decoder", []tensorRule{
		{"latent", m.VAEDecoder.Latent, true, floats(), []int{5}},
		{"output", m.VAEDecoder.Output, false, floats(), []int{5}},
	}); err != nil {
		return nil, err
	}
	if ic != nil {
		if ms.encoder, err = open(ic.Encoder); err != nil {
			return nil, err
		}
		if err := expect(ms.encoder, "image_conditioning", []tensorRule{
			{"encoder_input", ic.EncoderInput, true, floats(), []int{5}},
			{"encoder_output", ic.EncoderOutput, false, floats(), []int{5}},
		}); err != nil {
			return nil, err
		}
	}
	ok = true
	return ms, nil
}

// floats are the float types a pipeline tensor may have.
func floats() []ml.ElementType { return []ml.ElementType{ml.Float32, ml.Float16} }

// tensorRule is what the pipeline needs of one tensor a manifest names.
type tensorRule struct {
	field string
	name  string // as the manifest gives it; "" for an optional one left out
	input bool
	types []ml.ElementType
	ranks []int
}

// expect checks a session against the manifest's names: each named tensor
// exists with a usable type and rank, and the model takes no input the
// manifest does not name (the pipeline could not feed it).
func expect(s *ml.Session, section string, rules []tensorRule) error {
	named := map[string]bool{}
	for _, r := range rules {
		if r.name == "" {
			continue
		}
		find, list := s.Output, s.Outputs()
		kind := "output"
		if r.input {
			find, list, kind = s.Input, s.Inputs(), "input"
		}
		info, _, ok := find(r.name)
		field := section + "." + r.field
		if r.field == "image_conditioning.transformer_input" {
			field = r.field
		}
		switch {
		case !ok:
			return fmt.Errorf("%s: the manifest's %s is %q, but the model has no %s by that name; it has %v", s.Path(), field, r.name, kind, list)
		case !slices.Contains(r.types, info.Type):
			return fmt.Errorf("%s: %s %s is %s; the pipeline needs %v", s.Path(), kind, info, info.Type, r.types)
		case !slices.Contains(r.ranks, len(info.Shape)):
			return fmt.Errorf("%s: %s %s has %d dimensions; the pipeline needs %v", s.Path(), kind, info, len(info.Shape), r.ranks)
		}
		if r.input {
			named[r.name] = true
		}
	}
	for _, in := range s.Inputs() {
		if !named[in.Name] {
			return fmt.Errorf("%s takes input %s, which the manifest's %s section does not name, so the pipeline cannot feed it", s.Path(), in, section)
		}
	}
	return nil
}

// runOne runs s and returns its output called name as float32s with its
// shape. A float16 output is read into a tensor of shape want (ONNX
// Runtime cannot hand one over otherwise; see ml.Session.RunInto), which
// then must be the model's only output.
func runOne(ctx context.Context, s *ml.Session, inputs []*ml.Tensor, name string, want []int64) ([]float32, []int64, error) {
	info, idx, _ := s.Output(name)
	if info.Type == ml.Float16 {
		if len(s.Outputs()) != 1 {
			return nil, nil, fmt.Errorf("%s: a float16 output must be the model's only one", s.Path())
		}
		out, err := ml.NewTensor(ml.Float16, want)
		if err != nil {
			return nil, nil, err
		}
		defer out.Close()
		if err := s.RunInto(ctx, inputs, []*ml.Tensor{out}); err != nil {
			return nil, nil, err
		}
		f, err := out.Floats(nil)
		return f, want, err
	}
	outs, err := s.Run(ctx, inputs)
	if err != nil {
		return nil, nil, err
	}
	defer func() {
		for _, o := range outs {
			o.Close()
		}
	}()
	f, err := outs[idx].Float32s()
	return f, outs[idx].Shape(), err
}

// feed orders named tensors as s takes its inputs.
func feed(s *ml.Session, named map[string]*ml.Tensor) []*ml.Tensor {
	ins := s.Inputs()
	out := make([]*ml.Tensor, len(ins))
	for i, in := range ins {
		out[i] = named[in.Name]
	}
	return out
}
