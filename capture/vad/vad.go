// Package vad finds speech in sound (voice activity detection) with the
// Silero VAD model, run through ml on ONNX Runtime.
//
// The model hears 16 kHz mono sound in windows of 512 samples (32 ms) and
// carries a recurrent state from one window to the next, so a Model reads
// a recording from its start: Probabilities gives one speech probability
// per window, and Segments turns those into intervals of speech.
//
// scripts/setup.sh installs the model (MIT, ~2 MB); FindModel finds it.
package vad

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"time"

	"github.com/slatestudio/slate/media/audio"
	"github.com/slatestudio/slate/ml"
)

// The model's own contract: Silero VAD v5 at 16 kHz reads 512 new samples
// a window, preceded by the last 64 samples of the window before (its
// context), as the reference implementation feeds it.
const (
	SampleRate     = 16000
	WindowSamples  = 512
	contextSamples = 64
	// Window is how much sound each probability covers: 32 ms.
	Window = time.Duration(WindowSamples) * time.Second / SampleRate
)

// Model is a loaded Silero VAD model. Its methods are not safe for
// concurrent use: each call runs the recurrent model through the whole
// recording.
type Model struct {
	path    string
	session *ml.Session
	// Where each of the model's tensors sits among the session's inputs
	// and outputs: the model names them, and Open finds them by their
	// types and shapes.
	audio, state, rate int
	prob, nextState    int
	stateShape         []int64
	rateShape          []int64
}

// Open loads the Silero VAD v5 model at path (see FindModel) into rt.
func Open(rt *ml.Runtime, path string) (*Model, error) {
	// One thread: the model is tiny and runs once every 512 samples, so
	// waking a pool of threads would cost more than the work.
	s, err := ml.NewSession(rt, path, ml.SessionOptions{Threads: 1})
	if err != nil {
		return nil, fmt.Errorf("open voice activity model: %w", err)
	}
	m := &Model{path: path, session: s}
	if err := m.bind(s.Inputs(), s.Outputs()); err != nil {
		s.Close()
		return nil, fmt.Errorf("open voice activity model %s: %w", path, err)
	}
	return m, nil
}

// bind finds the model's tensors by what they are: the sound is the float
// input of rank 2, the state the float input of rank 3, the sample rate
// the int64 input; the probability is the float output of rank 2 and the
// next state the float output of rank 3. Silero's older v4 models (h and c
// states, no context) are refused, because Slate feeds the v5 contract.
func (m *Model) bind(ins, outs []ml.TensorInfo) error {
	m.audio, m.state, m.rate, m.prob, m.nextState = -1, -1, -1, -1, -1
	for i, in := range ins {
		switch {
		case in.Type == ml.Float32 && len(in.Shape) == 2 && m.audio < 0:
			m.audio = i
		case in.Type == ml.Float32 && len(in.Shape) == 3 && m.state < 0:
			m.state = i
		case in.Type == ml.Int64 && len(in.Shape) <= 1 && m.rate < 0:
			m.rate = i
		default:
			return m.unexpected(ins, outs)
		}
	}
	for i, out := range outs {
		switch {
		case out.Type == ml.Float32 && len(out.Shape) == 2 && m.prob < 0:
			m.prob = i
		case out.Type == ml.Float32 && len(out.Shape) == 3 && m.nextState < 0:
			m.nextState = i
		default:
			return m.unexpected(ins, outs)
		}
	}
	if m.audio < 0 || m.state < 0 || m.rate < 0 || m.prob < 0 || m.nextState < 0 {
		return m.unexpected(ins, outs)
	}
	// The state's free dimension is the batch: one recording at a time.
	m.stateShape = slices.Clone(ins[m.state].Shape)
	for i, d := range m.stateShape {
		if d < 0 {
			m.stateShape[i] = 1
		}
	}
	m.rateShape = nil // a scalar
	if len(ins[m.rate].Shape) == 1 {
		m.rateShape = []int64{1}
	}
	return nil
}

func (m *Model) unexpected(ins, outs []ml.TensorInfo) error {
	return fmt.Errorf("not the Silero VAD v5 model Slate expects (inputs %v, outputs %v): %s", ins, outs, fixHint)
}

// Close releases the model.
func (m *Model) Close() error { return m.session.Close() }

// Probabilities returns the probability that each Window of pcm holds
// speech: window i covers [i·Window, (i+1)·Window) of the recording, and
// the last is padded with silence. Sound at any rate and channel count is
// mixed to mono and resampled to 16 kHz first.
func (m *Model) Probabilities(ctx context.Context, pcm *audio.PCM) ([]float32, error) {
	mono, err := toMono16k(ctx, pcm)
	if err != nil {
		return nil, fmt.Errorf("find speech: %w", err)
	}
	windows := (len(mono) + WindowSamples - 1) / WindowSamples
	if windows == 0 {
		return nil, nil
	}

	n := 1
	for _, d := range m.stateShape {
		n *= int(d)
	}
	audio, err := ml.NewFloat32Tensor([]int64{1, contextSamples + WindowSamples}, make([]float32, contextSamples+WindowSamples))
	if err != nil {
		return nil, fmt.Errorf("find speech: %w", err)
	}
	defer audio.Close()
	state, err := ml.NewFloat32Tensor(m.stateShape, make([]float32, n))
	if err != nil {
		return nil, fmt.Errorf("find speech: %w", err)
	}
	defer state.Close()
	rate, err := ml.NewInt64Tensor(m.rateShape, []int64{SampleRate})
	if err != nil {
		return nil, fmt.Errorf("find speech: %w", err)
	}
	defer rate.Close()
	in := make([]*ml.Tensor, 3)
	in[m.audio], in[m.state], in[m.rate] = audio, state, rate
	// The tensors' memory is read in place, so each window only rewrites it.
	buf, _ := audio.Float32s()
	stateBuf, _ := state.Float32s()

	probs := make([]float32, windows)
	for w := range windows {
		// The context: the last 64 samples of the previous window, or
		// silence before the first.
		copy(buf, buf[WindowSamples:])
		if w == 0 {
			clear(buf[:contextSamples])
		}
		window := buf[contextSamples:]
		k := copy(window, mono[w*WindowSamples:])
		clear(window[k:])

		out, err := m.session.Run(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("find speech in window %d of %s: %w", w, filepath.Base(m.path), err)
		}
		p, perr := out[m.prob].Float32s()
		next, serr := out[m.nextState].Float32s()
		if perr == nil && serr == nil && (len(p) == 0 || len(next) != len(stateBuf)) {
			perr = fmt.Errorf("the model returned %d probabilities and a state of %d values, want 1 and %d", len(p), len(next), len(stateBuf))
		}
		if perr == nil && serr == nil {
			probs[w] = p[0]
			copy(stateBuf, next)
		}
		for _, t := range out {
			t.Close()
		}
		if err := firstErr(perr, serr); err != nil {
			return nil, fmt.Errorf("find speech: %w", err)
		}
	}
	return probs, nil
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// toMono16k mixes pcm to mono and resamples it to SampleRate.
func toMono16k(ctx context.Context, pcm *audio.PCM) ([]float32, error) {
	if pcm == nil || pcm.Frames() == 0 {
		return nil, nil
	}
	if pcm.Rate <= 0 {
		return nil, fmt.Errorf("sound at %d Hz", pcm.Rate)
	}
	mono := pcm
	if pcm.Channels != 1 {
		mono = audio.NewPCM(pcm.Rate, 1, pcm.Frames())
		for f := range mono.Samples {
			var s float32
			for _, v := range pcm.Samples[f*pcm.Channels : (f+1)*pcm.Channels] {
				s += v
			}
			mono.Samples[f] = s / float32(pcm.Channels)
		}
	}
	out, err := audio.Resample(ctx, mono, SampleRate)
	if err != nil {
		return nil, err
	}
	return out.Samples, nil
}
