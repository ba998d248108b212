package voices

import (
	"context"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// The tiny voices in testdata are written by testdata/make_tiny.py; run
// "/usr/bin/python3 voices/testdata/make_tiny.py" to write them again.

// smallConfig is a readable config for golden tests: few phonemes, one
// with two ids, and a substitution.
const smallConfig = `{
  "audio": {"sample_rate": 16000},
  "espeak": {"voice": "en-us"},
  "phoneme_id_map": {"_": [0], "^": [1], "$": [2], " ": [3], ",": [4], ".": [5],
    "h": [10], "ə": [11], "l": [12], "ˈ": [13], "o": [14], "ʊ": [15], "w": [16], "ɜ": [17], "ː": [18], "d": [19],
    "ɹ": [20, 21]},
  "phoneme_map": {"r": ["ɹ"]}
}`

func mustParse(t *testing.T, js string) *Config {
	t.Helper()
	c, err := ParseConfig("test.onnx.json", []byte(js))
	if err != nil {
		t.Fatalf("ParseConfig: %v", err)
	}
	return c
}

func TestIDs(t *testing.T) {
	c := mustParse(t, smallConfig)
	for _, tc := range []struct {
		phonemes string
		want     []int64
		missing  map[rune]int
	}{
		// ^ _ then every phoneme followed by _, then $.
		{"həlˈoʊ, wˈɜːld.", []int64{1, 0, 10, 0, 11, 0, 12, 0, 13, 0, 14, 0, 15, 0, 4, 0, 3, 0, 16, 0, 13, 0, 17, 0, 18, 0, 12, 0, 19, 0, 5, 0, 2}, nil},
		{"", []int64{1, 0, 2}, nil},
		// A phoneme with two ids keeps both, then one pad.
		{"ɹ", []int64{1, 0, 20, 21, 0, 2}, nil},
		// phoneme_map substitutes before the lookup.
		{"r", []int64{1, 0, 20, 21, 0, 2}, nil},
		// Unknown phonemes are skipped and counted.
		{"hxəx!", []int64{1, 0, 10, 0, 11, 0, 2}, map[rune]int{'x': 2, '!': 1}},
		// Precomposed letters are decomposed first, as Piper does: "ö" is
		// "o" and a combining diaeresis, which this voice lacks.
		{"ö", []int64{1, 0, 14, 0, 2}, map[rune]int{'\u0308': 1}},
	} {
		ids, missing := c.IDs(tc.phonemes)
		if !reflect.DeepEqual(ids, tc.want) || !reflect.DeepEqual(missing, tc.missing) {
			t.Errorf("IDs(%q) = %v, %v, want %v, %v", tc.phonemes, ids, missing, tc.want, tc.missing)
		}
	}
}

// The tiny voice covers every phoneme espeak-ng writes for these lines.
func TestTinyCoversEnglish(t *testing.T) {
	tools := needEspeak(t)
	c, err := LoadConfig("testdata/tiny.onnx.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range testLines {
		sentences, err := Phonemize(testCtx(t), tools, line, c.EspeakVoice)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range sentences {
			if _, missing := c.IDs(s); missing != nil {
				t.Errorf("IDs(%q) misses %v", s, missing)
			}
		}
	}
}

var testLines = []string{
	"The kite is flying high.",
	"Hello. My name is Slate, and I read the lines.",
	"Mara, wait! Where are you going?",
	"The quick brown fox jumps over the lazy dog; thirty-three thousand.",
	"Isn't it beautiful, the light over the harbour at dawn?",
	"Judge the measure of pleasure, vision, and church bells.",
}

func TestParseConfig(t *testing.T) {
	c, err := LoadConfig("testdata/tiny-duo.onnx.json")
	if err != nil {
		t.Fatal(err)
	}
	if c.SampleRate != 22050 || c.EspeakVoice != "en-us" || c.Language != "en_US" || c.NumSpeakers != 2 ||
		c.Scales != (Scales{Noise: 0.667, Length: 1, NoiseW: 0.8}) || !reflect.DeepEqual(c.Speakers, map[string]int64{"alice": 0, "bob": 1}) {
		t.Errorf("LoadConfig(tiny-duo) = %+v", *c)
	}
	if got := c.PhonemeIDs['^']; !reflect.DeepEqual(got, []int64{1}) {
		t.Errorf("PhonemeIDs['^'] = %v, want [1]", got)
	}
	// Defaults for what a config may leave out.
	small := mustParse(t, smallConfig)
	if small.Scales != defaultScales || small.NumSpeakers != 1 || small.Language != "" {
		t.Errorf("ParseConfig(small) = scales %+v, %d speakers, language %q; want Piper's defaults, 1, \"\"", small.Scales, small.NumSpeakers, small.Language)
	}
}

// configErrors is the table of bad configs; it seeds FuzzParseConfig too.
var configErrors = []struct {
	name, json string
	field      string // the ConfigError's Field
	line       int    // its Line, when the error knows one
	says       string // part of the message
}{
	{"not json", "{\n  \"audio\": {\n    \"sample_rate\": 22050,,\n", "", 3, "not valid JSON"},
	{"empty", "", "", 0, "not valid JSON"},
	{"wrong type", "{\n\"audio\": {\"sample_rate\": \"fast\"}}", "audio.sample_rate", 2, "a JSON string where a number is expected"},
	{"list for object", `[1]`, "(top level)", 1, "a JSON array where an object is expected"},
	{"no rate", `{"espeak": {"voice": "en-us"}, "phoneme_id_map": {"_": [0]}}`, "audio.sample_rate", 0, "missing"},
	{"bad rate", `{"audio": {"sample_rate": 12}}`, "audio.sample_rate", 0, "12 Hz"},
	{"no espeak", `{"audio": {"sample_rate": 22050}}`, "espeak.voice", 0, "missing"},
	{"bad espeak", `{"audio": {"sample_rate": 22050}, "espeak": {"voice": "-x"}}`, "espeak.voice", 0, "not an espeak-ng voice"},
	{"text phonemes", `{"audio": {"sample_rate": 22050}, "phoneme_type": "text"}`, "phoneme_type", 0, "espeak"},
	{"negative scale", `{"audio": {"sample_rate": 22050}, "espeak": {"voice": "en"}, "inference": {"noise_w": -1}}`, "inference.noise_w", 0, "0 to 100"},
	{"zero length", `{"audio": {"sample_rate": 22050}, "espeak": {"voice": "en"}, "inference": {"length_scale": 0}}`, "inference.length_scale", 0, "no time"},
	{"no map", `{"audio": {"sample_rate": 22050}, "espeak": {"voice": "en"}}`, "phoneme_id_map", 0, "missing"},
	{"no pad", `{"audio": {"sample_rate": 22050}, "espeak": {"voice": "en"}, "phoneme_id_map": {"^": [1], "$": [2]}}`, "phoneme_id_map", 0, `no id for "_"`},
	{"long phoneme", `{"audio": {"sample_rate": 22050}, "espeak": {"voice": "en"}, "phoneme_id_map": {"aɪ": [1]}}`, `phoneme_id_map["aɪ"]`, 0, "one character"},
	{"no ids", `{"audio": {"sample_rate": 22050}, "espeak": {"voice": "en"}, "phoneme_id_map": {"a": []}}`, `phoneme_id_map["a"]`, 0, "no ids"},
	{"id past symbols", `{"audio": {"sample_rate": 22050}, "espeak": {"voice": "en"}, "num_symbols": 3, "phoneme_id_map": {"_": [0], "^": [1], "$": [7]}}`, `phoneme_id_map["$"]`, 0, "outside the model's 3 symbols"},
	{"bad substitution", `{"audio": {"sample_rate": 22050}, "espeak": {"voice": "en"}, "phoneme_id_map": {"_": [0], "^": [1], "$": [2]}, "phoneme_map": {"a": ["bc"]}}`, `phoneme_map["a"]`, 0, "one character"},
	{"no speakers", `{"audio": {"sample_rate": 22050}, "espeak": {"voice": "en"}, "phoneme_id_map": {"_": [0], "^": [1], "$": [2]}, "num_speakers": 0}`, "num_speakers", 0, "1 or more"},
	{"speaker past count", `{"audio": {"sample_rate": 22050}, "espeak": {"voice": "en"}, "phoneme_id_map": {"_": [0], "^": [1], "$": [2]}, "num_speakers": 2, "speaker_id_map": {"carol": 2}}`, `speaker_id_map["carol"]`, 0, "outside the model's 2 speakers"},
}

func TestParseConfigErrors(t *testing.T) {
	for _, tc := range configErrors {
		_, err := ParseConfig("v.onnx.json", []byte(tc.json))
		var ce *ConfigError
		if !errors.As(err, &ce) {
			t.Errorf("%s: ParseConfig() = %v, want a *ConfigError", tc.name, err)
			continue
		}
		msg := err.Error()
		if ce.Field != tc.field || !strings.Contains(msg, tc.says) || !strings.HasPrefix(msg, "voice config v.onnx.json: ") || tc.line > 0 && ce.Line != tc.line {
			t.Errorf("%s: ParseConfig() = %q (field %q, line %d), want field %q, line %d, saying %q", tc.name, msg, ce.Field, ce.Line, tc.field, tc.line, tc.says)
		}
	}
}

func FuzzParseConfig(f *testing.F) {
	f.Add(smallConfig)
	for _, tc := range configErrors {
		f.Add(tc.json)
	}
	f.Fuzz(func(t *testing.T, js string) {
		c, err := ParseConfig("f.onnx.json", []byte(js))
		if err != nil {
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("ParseConfig() = %v, not a *ConfigError", err)
			}
			return
		}
		// A config that parses can always be used.
		if c.SampleRate < 1000 || c.Scales.Length <= 0 || c.NumSpeakers < 1 {
			t.Fatalf("ParseConfig() accepted %+v", *c)
		}
		ids, _ := c.IDs("həlˈoʊ")
		if len(ids) < 3 {
			t.Fatalf("IDs() = %v, want at least ^ _ $", ids)
		}
	})
}

func TestLoadConfigMissing(t *testing.T) {
	_, err := LoadConfig("testdata/nowhere.onnx.json")
	var ce *ConfigError
	if !errors.As(err, &ce) || !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "NAME.onnx.json beside it") {
		t.Errorf("LoadConfig(missing) = %v, want a ConfigError saying where the config goes", err)
	}
}

func TestSpeakerID(t *testing.T) {
	duo, err := LoadConfig("testdata/tiny-duo.onnx.json")
	if err != nil {
		t.Fatal(err)
	}
	solo := mustParse(t, smallConfig)
	for _, tc := range []struct {
		c       *Config
		speaker string
		want    int64
		wantErr string
	}{
		{duo, "", 0, ""},
		{duo, "bob", 1, ""},
		{duo, "1", 1, ""},
		{duo, "2", 0, "0 to 1"},
		{duo, "carol", 0, "alice, bob"},
		{duo, "01", 0, "no such speaker"},
		{solo, "", 0, ""},
		{solo, "alice", 0, "one speaker"},
	} {
		got, err := tc.c.SpeakerID(tc.speaker)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("SpeakerID(%q) = %d, %v, want an error saying %q", tc.speaker, got, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("SpeakerID(%q) = %d, %v, want %d", tc.speaker, got, err, tc.want)
		}
	}
}

// clauseCases seed FuzzSplitClauses too.
var clauseCases = []struct {
	text string
	want []clause
}{
	{"Hello, world.", []clause{{"Hello,", ','}, {"world.", '.'}}},
	{"How are you?  I'm fine!", []clause{{"How are you?", '?'}, {"I'm fine!", '!'}}},
	{"No punctuation", []clause{{"No punctuation", 0}}},
	{"It costs 3.5 dollars, e.g.five", []clause{{"It costs 3.5 dollars,", ','}, {"e.g.five", 0}}},
	{`"Wait!" she said; then: go…`, []clause{{`"Wait!"`, '!'}, {"she said;", ';'}, {"then:", ':'}, {"go…", '.'}}},
	{"What?! Really...", []clause{{"What?!", '?'}, {"Really...", '.'}}},
	{"  ", nil},
	{"...", []clause{{"...", '.'}}},
}

func TestSplitClauses(t *testing.T) {
	for _, tc := range clauseCases {
		if got := splitClauses(tc.text); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("splitClauses(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}

func FuzzSplitClauses(f *testing.F) {
	for _, tc := range clauseCases {
		f.Add(tc.text)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if !utf8.ValidString(text) {
			t.Skip("Speak refuses text that is not UTF-8 before it is split")
		}
		// The clauses are the text, cut only at white space.
		var joined string
		for _, c := range splitClauses(text) {
			if c.text == "" || c.text != strings.TrimSpace(c.text) {
				t.Fatalf("splitClauses(%q) has clause %q", text, c.text)
			}
			joined += c.text
		}
		if want := strings.Join(strings.Fields(text), ""); strings.Join(strings.Fields(joined), "") != want {
			t.Fatalf("splitClauses(%q) joins to %q", text, joined)
		}
	})
}

func TestPhonemizeJoins(t *testing.T) {
	// A stand-in for espeak-ng that writes each clause's words upside down
	// and splits after "Mr", as espeak-ng does.
	fake := func(_ context.Context, clause string) (string, error) {
		clause = strings.Trim(strings.ToLower(clause), `.,;:?!"…`)
		return strings.ReplaceAll(clause, "mr ", "mr\n"), nil
	}
	for _, tc := range []struct {
		text string
		want []string
	}{
		{"Hello, world. How are you?", []string{"hello, world.", "how are you?"}},
		{"Wait; then: go", []string{"wait; then: go"}},
		{"Trailing comma,", []string{"trailing comma,"}},
		{"Mr Smith!", []string{"mr smith!"}},
		{"... — Hello", []string{"— hello"}},
		{"?", nil},
	} {
		got, err := phonemize(context.Background(), tc.text, fake)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("phonemize(%q) = %q, %v, want %q", tc.text, got, err, tc.want)
		}
	}
}

func TestPhonemize(t *testing.T) {
	tools := needEspeak(t)
	got, err := Phonemize(testCtx(t), tools, "Hello, world. How are you? I'm fine!", "en-us")
	want := []string{"həlˈoʊ, wˈɜːld.", "hˈaʊ ɑːɹ juː?", "aɪm fˈaɪn!"}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("Phonemize() = %q, %v, want %q", got, err, want)
	}
}
