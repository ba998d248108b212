package voices

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The tiny voices make inputLengths × tinySamplesPerID × length_scale
// samples (see testdata/make_tiny.py).
const tinySamplesPerID = 256 * 3.5

// quiet are scales without noise, so the tiny voices say the same thing
// the same way every time.
var quiet = Scales{Noise: 0, Length: 1, NoiseW: 0}

func TestSynthesize(t *testing.T) {
	v := openTiny(t, "tiny")
	ctx := testCtx(t)
	ids, _ := v.cfg.IDs("həlˈoʊ, wˈɜːld.")
	a, err := v.Synthesize(ctx, ids, 0, quiet)
	if err != nil {
		t.Fatalf("Synthesize() = %v", err)
	}
	if want := int(float64(len(ids)) * tinySamplesPerID); a.Rate != 22050 || a.Channels != 1 || a.Frames() != want {
		t.Errorf("Synthesize(%d ids) = %d Hz, %d channels, %d frames; want 22050 Hz mono, %d frames", len(ids), a.Rate, a.Channels, a.Frames(), want)
	}
	if rms := a.RMS(0, a.Frames()); rms < 0.05 {
		t.Errorf("Synthesize() RMS = %.3f, want sound", rms)
	}
	b, err := v.Synthesize(ctx, ids, 0, quiet)
	if err != nil || !slices.Equal(a.Samples, b.Samples) {
		t.Errorf("Synthesize() twice without noise gave different audio (err %v)", err)
	}
	slow, err := v.Synthesize(ctx, ids, 0, Scales{Length: 2})
	if err != nil || slow.Frames() != 2*a.Frames() {
		t.Errorf("Synthesize(length_scale 2) = %d frames, %v; want %d", slow.Frames(), err, 2*a.Frames())
	}
	noisy, err := v.Synthesize(ctx, ids, 0, Scales{Noise: 0.667, Length: 1, NoiseW: 0.8})
	if err != nil || slices.Equal(noisy.Samples, a.Samples) {
		t.Errorf("Synthesize(with noise) = %v; want audio unlike the noiseless", err)
	}
	if _, err := v.Synthesize(ctx, ids, 1, quiet); err == nil {
		t.Error("Synthesize(speaker 1) of a one-speaker voice = nil error, want one")
	}
	if _, err := v.Synthesize(ctx, nil, 0, quiet); err == nil {
		t.Error("Synthesize(no ids) = nil error, want one")
	}
}

func TestSynthesizeSpeakers(t *testing.T) {
	v := openTiny(t, "tiny-duo")
	ctx := testCtx(t)
	ids, _ := v.cfg.IDs("hˈaɪ")
	alice, err := v.Synthesize(ctx, ids, 0, quiet)
	if err != nil {
		t.Fatal(err)
	}
	bob, err := v.Synthesize(ctx, ids, 1, quiet)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Equal(alice.Samples, bob.Samples) {
		t.Error("two speakers of tiny-duo sound the same")
	}
	if _, err := v.Synthesize(ctx, ids, 2, quiet); err == nil || !strings.Contains(err.Error(), "0 to 1") {
		t.Errorf("Synthesize(speaker 2) = %v, want an error naming speakers 0 to 1", err)
	}
}

func TestVoiceSpeak(t *testing.T) {
	tools := needEspeak(t)
	v := openTiny(t, "tiny")
	ctx := testCtx(t)
	const text = "Hello, world. How are you?"
	sp, err := v.Speak(ctx, tools, text, Options{Scales: &quiet})
	if err != nil {
		t.Fatalf("Speak(%q) = %v", text, err)
	}
	want := []string{"həlˈoʊ, wˈɜːld.", "hˈaʊ ɑːɹ juː?"}
	if !slices.Equal(sp.Sentences, want) || sp.Missing != nil {
		t.Errorf("Speak(%q) spoke %q, missing %v; want %q, none missing", text, sp.Sentences, sp.Missing, want)
	}
	// Each sentence on its own, with Piper's pause between them.
	frames := int(0.2 * 22050)
	for _, s := range want {
		ids, _ := v.cfg.IDs(s)
		frames += int(float64(len(ids)) * tinySamplesPerID)
	}
	a := sp.Audio
	if a.Rate != 22050 || a.Channels != 1 || a.Frames() != frames {
		t.Errorf("Speak(%q) = %d Hz, %d channels, %d frames; want 22050 Hz mono, %d frames", text, a.Rate, a.Channels, a.Frames(), frames)
	}
	if p := a.Peak(); math.Abs(float64(p)-peakLevel) > 1e-4 {
		t.Errorf("Speak() peak = %.4f, want %.2f", p, peakLevel)
	}
	again, err := v.Speak(ctx, tools, text, Options{Scales: &quiet})
	if err != nil || !slices.Equal(again.Audio.Samples, a.Samples) {
		t.Errorf("Speak() twice without noise gave different audio (err %v)", err)
	}
	for _, bad := range []string{"", " \n ", "\xff", strings.Repeat("a ", 10001)} {
		if _, err := v.Speak(ctx, tools, bad, Options{}); err == nil {
			t.Errorf("Speak(%.20q) = nil error, want one", bad)
		}
	}
	if _, err := v.Speak(ctx, tools, "!?", Options{}); err == nil || !strings.Contains(err.Error(), "nothing to say") {
		t.Errorf("Speak(\"!?\") = %v, want nothing to say", err)
	}
	if _, err := v.Speak(ctx, tools, "hi", Options{Speaker: "bob"}); err == nil {
		t.Error("Speak(speaker bob) of a one-speaker voice = nil error, want one")
	}
}

// Phonemes a voice has no id for are left out and counted, the way Piper
// does.
func TestVoiceSpeakMissingPhonemes(t *testing.T) {
	tools := needEspeak(t)
	dir := t.TempDir()
	model := copyVoice(t, "tiny", dir, "lacking")
	var cfg map[string]any
	b, _ := os.ReadFile(model + ".json")
	if err := json.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	delete(cfg["phoneme_id_map"].(map[string]any), "ə")
	b, _ = json.Marshal(cfg)
	if err := os.WriteFile(model+".json", b, 0o644); err != nil {
		t.Fatal(err)
	}
	v, err := Open(needRuntime(t), model)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	sp, err := v.Speak(testCtx(t), tools, "The sofa.", Options{Scales: &quiet}) // ðə sˈoʊfə
	if err != nil {
		t.Fatal(err)
	}
	if sp.Missing['ə'] != 2 || len(sp.Missing) != 1 || sp.MissingString() != "ə ×2" {
		t.Errorf("Speak(\"The sofa.\") missing %v (%q), want ə twice", sp.Missing, sp.MissingString())
	}
	ids, _ := v.cfg.IDs(sp.Sentences[0])
	if want := int(float64(len(ids)) * tinySamplesPerID); sp.Audio.Frames() != want {
		t.Errorf("Speak() = %d frames, want %d: the ids without ə", sp.Audio.Frames(), want)
	}
}

func TestOpenErrors(t *testing.T) {
	rt := needRuntime(t)
	dir := t.TempDir()

	noConfig := filepath.Join(dir, "alone.onnx")
	b, _ := os.ReadFile("testdata/tiny.onnx")
	os.WriteFile(noConfig, b, 0o644)
	var ce *ConfigError
	if _, err := Open(rt, noConfig); !errors.As(err, &ce) {
		t.Errorf("Open(model without config) = %v, want a ConfigError", err)
	}

	// A config with two speakers for a model that cannot choose one.
	mismatch := copyVoice(t, "tiny", dir, "mismatch")
	cfg, _ := os.ReadFile("testdata/tiny-duo.onnx.json")
	os.WriteFile(mismatch+".json", cfg, 0o644)
	if _, err := Open(rt, mismatch); err == nil || !strings.Contains(err.Error(), `no "sid" input`) {
		t.Errorf("Open(two-speaker config, one-speaker model) = %v, want an error about sid", err)
	}

	notModel := copyVoice(t, "tiny", dir, "text")
	os.WriteFile(notModel, []byte("not a model"), 0o644)
	if _, err := Open(rt, notModel); err == nil {
		t.Error("Open(a text file) = nil error, want one")
	}
}
