package voices

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/media/audio"
	"github.com/slatestudio/slate/ml"
)

// The inputs a Piper model takes, by the names Piper's exporter gives them.
const (
	inputIDs     = "input"         // int64 [batch, phonemes]
	inputLengths = "input_lengths" // int64 [batch]
	inputScales  = "scales"        // float32 [3]: noise, length, noise_w
	inputSpeaker = "sid"           // int64 [batch]; multi-speaker models only
)

// sentenceSilence is the pause between sentences, Piper's default: each
// sentence is spoken on its own, as Piper does.
const sentenceSilence = 200 * time.Millisecond

// peakLevel is where a line's loudest sample ends up. Piper scales each
// utterance to full scale; a little below leaves the mix some room.
const peakLevel = 0.89 // −1 dBFS

// Voice is a Piper voice loaded into ONNX Runtime, ready to speak. Speak
// and Synthesize may be called from several goroutines at once; Close must
// not overlap them.
type Voice struct {
	name    string
	cfg     *Config
	session *ml.Session
	// order lists the model's inputs, by the names above, in the order Run
	// takes them.
	order []string
}

// Open loads the Piper voice whose model is at model, reading its config
// from model + ".json". rt must be loaded (see ml.Load).
func Open(rt *ml.Runtime, model string) (*Voice, error) {
	cfg, err := LoadConfig(model + ".json")
	if err != nil {
		return nil, err
	}
	s, err := ml.NewSession(rt, model, ml.SessionOptions{})
	if err != nil {
		return nil, fmt.Errorf("piper voice: %w", err)
	}
	v := &Voice{name: strings.TrimSuffix(filepath.Base(model), ".onnx"), cfg: cfg, session: s}
	if err := v.checkModel(); err != nil {
		s.Close()
		return nil, fmt.Errorf("piper voice %s: %w", model, err)
	}
	return v, nil
}

// checkModel matches the model's inputs and output to what Piper exports,
// so a model that is not a Piper voice is refused when it is opened rather
// than failing on its first line.
func (v *Voice) checkModel() error {
	want := map[string]struct {
		typ  ml.ElementType
		rank int
	}{
		inputIDs:     {ml.Int64, 2},
		inputLengths: {ml.Int64, 1},
		inputScales:  {ml.Float32, 1},
		inputSpeaker: {ml.Int64, 1},
	}
	for _, in := range v.session.Inputs() {
		w, ok := want[in.Name]
		if !ok {
			return fmt.Errorf("the model takes an input %q; a Piper voice takes %s, %s, %s and, with several speakers, %s", in.Name, inputIDs, inputLengths, inputScales, inputSpeaker)
		}
		if in.Type != w.typ || len(in.Shape) != w.rank {
			return fmt.Errorf("input %s is %v; a Piper voice's is %s of rank %d", in.Name, in, w.typ, w.rank)
		}
		if in.Name == inputScales && in.Shape[0] >= 0 && in.Shape[0] != 3 {
			return fmt.Errorf("input %s is %v; a Piper voice takes 3 scales", in.Name, in)
		}
		v.order = append(v.order, in.Name)
	}
	for _, name := range []string{inputIDs, inputLengths, inputScales} {
		if !slices.Contains(v.order, name) {
			return fmt.Errorf("the model has no input %q; is it a Piper voice?", name)
		}
	}
	if v.cfg.NumSpeakers > 1 && !slices.Contains(v.order, inputSpeaker) {
		return fmt.Errorf("the config gives %d speakers, but the model has no %q input to choose one", v.cfg.NumSpeakers, inputSpeaker)
	}
	outs := v.session.Outputs()
	if len(outs) == 0 || outs[0].Type != ml.Float32 {
		return fmt.Errorf("the model's first output is %v; a Piper voice gives float32 audio", outs)
	}
	return nil
}

// Name is the voice's name, its model's file name without ".onnx".
func (v *Voice) Name() string { return v.name }

// Config is the voice's config. Its maps are the voice's own: read them,
// do not change them.
func (v *Voice) Config() Config { return *v.cfg }

// Options choose how a Voice speaks.
type Options struct {
	// Speaker is a speaker of a multi-speaker voice, by name or number;
	// empty is the first.
	Speaker string
	// Scales replace the config's; nil keeps them. Noise 0 and NoiseW 0
	// make the voice say the same text the same way every time.
	Scales *Scales
}

// Speech is a line spoken by a Voice.
type Speech struct {
	// Audio is mono at the voice's sample rate, its peak at −1 dBFS.
	Audio *audio.PCM
	// Sentences are the phonemes that were spoken, one string per sentence.
	Sentences []string
	// Missing counts the phonemes the voice has no id for, which were left
	// out; nil when there were none.
	Missing map[rune]int
}

// MissingString lists the missing phonemes for a message: "ʔ ×2, ɬ".
func (s *Speech) MissingString() string {
	keys := make([]rune, 0, len(s.Missing))
	for r := range s.Missing {
		keys = append(keys, r)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	parts := make([]string, len(keys))
	for i, r := range keys {
		parts[i] = string(r)
		if n := s.Missing[r]; n > 1 {
			parts[i] += fmt.Sprintf(" ×%d", n)
		}
	}
	return strings.Join(parts, ", ")
}

// Speak says text: espeak-ng (from tools) writes its phonemes in the
// voice's espeak-ng voice, each sentence becomes ids and then audio, and
// the sentences are joined with a short pause, as Piper does.
func (v *Voice) Speak(ctx context.Context, tools media.Tools, text string, opts Options) (*Speech, error) {
	switch text = strings.TrimSpace(text); {
	case text == "":
		return nil, errors.New("piper: no text to speak")
	case len(text) > media.MaxSpeakText:
		return nil, fmt.Errorf("piper: text is %d bytes; the limit is %d (split it into shorter lines)", len(text), media.MaxSpeakText)
	case !utf8.ValidString(text):
		return nil, errors.New("piper: text is not valid UTF-8")
	}
	sid, err := v.cfg.SpeakerID(opts.Speaker)
	if err != nil {
		return nil, fmt.Errorf("piper voice %s: %w", v.name, err)
	}
	scales := v.cfg.Scales
	if opts.Scales != nil {
		scales = *opts.Scales
	}
	sentences, err := Phonemize(ctx, tools, text, v.cfg.EspeakVoice)
	if err != nil {
		return nil, fmt.Errorf("piper voice %s: %w", v.name, err)
	}
	sp := &Speech{Sentences: sentences}
	gap := int(int64(sentenceSilence) * int64(v.cfg.SampleRate) / int64(time.Second))
	var samples []float32
	for _, s := range sentences {
		ids, missing := v.cfg.IDs(s)
		for r, n := range missing {
			if sp.Missing == nil {
				sp.Missing = map[rune]int{}
			}
			sp.Missing[r] += n
		}
		if len(ids) <= 3 { // only the start, a pad and the end: nothing to say
			continue
		}
		pcm, err := v.Synthesize(ctx, ids, sid, scales)
		if err != nil {
			return nil, err
		}
		if len(samples) > 0 {
			samples = append(samples, make([]float32, gap)...)
		}
		samples = append(samples, pcm.Samples...)
		if len(samples) > int(media.MaxDuration.Seconds())*v.cfg.SampleRate {
			return nil, fmt.Errorf("piper voice %s: %w: the speech lasts more than %v", v.name, media.ErrTooLarge, media.MaxDuration)
		}
	}
	if len(samples) == 0 {
		why := "it has no words"
		if len(sp.Missing) > 0 {
			why = "the voice has no ids for its phonemes (" + sp.MissingString() + ")"
		}
		return nil, fmt.Errorf("piper voice %s: nothing to say in %q: %s", v.name, truncate(text, 40), why)
	}
	normalize(samples)
	sp.Audio = &audio.PCM{Rate: v.cfg.SampleRate, Channels: 1, Samples: samples}
	return sp, nil
}

// normalize scales audio so its peak is at peakLevel, as Piper does, but
// by no more than 100 times, so near-silence is not made into noise.
func normalize(audio []float32) {
	var peak float32
	for _, s := range audio {
		peak = max(peak, float32(math.Abs(float64(s))))
	}
	g := peakLevel / max(peak, 0.01)
	for i := range audio {
		audio[i] *= g
	}
}

// Synthesize runs the model on one sentence's ids with the given speaker
// and scales, and returns its audio as the model gives it: mono at the
// voice's sample rate, not normalised.
func (v *Voice) Synthesize(ctx context.Context, ids []int64, speaker int64, scales Scales) (*audio.PCM, error) {
	if len(ids) == 0 {
		return nil, fmt.Errorf("piper voice %s: no phoneme ids", v.name)
	}
	if speaker < 0 || speaker >= int64(v.cfg.NumSpeakers) {
		return nil, fmt.Errorf("piper voice %s: speaker %d: the voice has speakers 0 to %d", v.name, speaker, v.cfg.NumSpeakers-1)
	}
	n := int64(len(ids))
	var inputs []*ml.Tensor
	defer func() {
		for _, t := range inputs {
			t.Close()
		}
	}()
	for _, name := range v.order {
		var t *ml.Tensor
		var err error
		switch name {
		case inputIDs:
			t, err = ml.NewInt64Tensor([]int64{1, n}, ids)
		case inputLengths:
			t, err = ml.NewInt64Tensor([]int64{1}, []int64{n})
		case inputScales:
			t, err = ml.NewFloat32Tensor([]int64{3}, []float32{scales.Noise, scales.Length, scales.NoiseW})
		case inputSpeaker:
			t, err = ml.NewInt64Tensor([]int64{1}, []int64{speaker})
		}
		if err != nil {
			return nil, fmt.Errorf("piper voice %s: %w", v.name, err)
		}
		inputs = append(inputs, t)
	}
	outs, err := v.session.Run(ctx, inputs)
	if err != nil {
		return nil, fmt.Errorf("piper voice %s: %w", v.name, err)
	}
	defer func() {
		for _, t := range outs {
			t.Close()
		}
	}()
	shape := outs[0].Shape()
	for i, d := range shape {
		if i < len(shape)-1 && d != 1 {
			return nil, fmt.Errorf("piper voice %s: the model gave audio of shape %v; want one channel of one utterance, [1 … 1 time]", v.name, shape)
		}
	}
	data, err := outs[0].Float32s()
	if err != nil {
		return nil, fmt.Errorf("piper voice %s: %w", v.name, err)
	}
	for _, s := range data {
		if math.IsNaN(float64(s)) || math.IsInf(float64(s), 0) {
			return nil, fmt.Errorf("piper voice %s: the model gave audio that is not a number (NaN or infinity); the model or its scales are broken", v.name)
		}
	}
	// The output's memory belongs to ONNX Runtime and goes with Close.
	return &audio.PCM{Rate: v.cfg.SampleRate, Channels: 1, Samples: slices.Clone(data)}, nil
}

// Close releases the model. Closing twice is harmless.
func (v *Voice) Close() error {
	if v == nil {
		return nil
	}
	return v.session.Close()
}

// truncate shortens s for a message, on a character boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
