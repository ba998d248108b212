package voices

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/slatestudio/slate/internal/jsonpos"
	"github.com/slatestudio/slate/internal/userfile"
)

// The symbols Piper's phoneme_id_map must give: the pad put after every
// phoneme, and the start and end of a sentence.
const (
	Pad = "_"
	BOS = "^"
	EOS = "$"
)

// maxConfigSize bounds a config file: real ones are a few kilobytes, so
// anything this big is not a voice config.
const maxConfigSize = 4 << 20

// Config is a Piper voice's NAME.onnx.json: how to turn text into the ids
// its model reads, and how to run the model.
type Config struct {
	// SampleRate is the rate of the model's audio, such as 22050 Hz.
	SampleRate int
	// Quality is Piper's name for the model's size ("x_low" to "high"); it
	// may be empty.
	Quality string
	// EspeakVoice is the espeak-ng voice that writes the phonemes the model
	// was trained on, such as "en-us".
	EspeakVoice string
	// Scales are the model's default inference scales.
	Scales Scales
	// PhonemeIDs maps each phoneme, one code point, to its ids.
	PhonemeIDs map[rune][]int64
	// PhonemeMap replaces phonemes before they are looked up; usually empty.
	PhonemeMap map[rune][]rune
	// NumSpeakers is how many speakers the model has; 1 for most voices.
	NumSpeakers int
	// Speakers names the speakers of a multi-speaker model by id; it may be
	// empty even when NumSpeakers > 1.
	Speakers map[string]int64
	// Language is the voice's language code, such as "en_US"; empty when
	// the config does not say.
	Language string
	// Dataset is what the voice was trained on, such as "lessac".
	Dataset string
}

// Scales are the three numbers a Piper model takes with the ids: how much
// noise shapes the sound and the timing, and how slowly it speaks.
type Scales struct {
	// Noise (noise_scale) varies the sound; 0 makes it the same every time.
	Noise float32
	// Length (length_scale) stretches time: 2 speaks half as fast.
	Length float32
	// NoiseW (noise_w) varies the phonemes' durations.
	NoiseW float32
}

// Piper's own defaults, for a config that leaves inference out.
var defaultScales = Scales{Noise: 0.667, Length: 1, NoiseW: 0.8}

// ConfigError is a problem with a voice config: which file, which field
// (in JSON dotted form, such as "audio.sample_rate"; empty when the file as
// a whole is wrong), where in the file when that is known, and what is
// wrong.
type ConfigError struct {
	File    string
	Field   string
	Line    int   // 1-based; 0 when unknown
	Offset  int64 // byte offset; -1 when unknown
	Problem string
	Err     error // the underlying error, if any
}

// Error reads "voice config FILE: FIELD: PROBLEM (line L, byte B)".
func (e *ConfigError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "voice config %s: ", e.File)
	if e.Field != "" {
		b.WriteString(e.Field + ": ")
	}
	b.WriteString(e.Problem)
	if e.Line > 0 {
		fmt.Fprintf(&b, " (line %d, byte %d)", e.Line, e.Offset)
	}
	return b.String()
}

// Unwrap returns the underlying error.
func (e *ConfigError) Unwrap() error { return e.Err }

// rawConfig is the JSON as Piper writes it; pointers tell a missing field
// from a zero one.
type rawConfig struct {
	Audio *struct {
		SampleRate *int   `json:"sample_rate"`
		Quality    string `json:"quality"`
	} `json:"audio"`
	Espeak *struct {
		Voice *string `json:"voice"`
	} `json:"espeak"`
	Inference *struct {
		NoiseScale  *float32 `json:"noise_scale"`
		LengthScale *float32 `json:"length_scale"`
		NoiseW      *float32 `json:"noise_w"`
	} `json:"inference"`
	PhonemeType  string              `json:"phoneme_type"`
	PhonemeMap   map[string][]string `json:"phoneme_map"`
	PhonemeIDMap map[string][]int64  `json:"phoneme_id_map"`
	NumSymbols   int                 `json:"num_symbols"`
	NumSpeakers  *int                `json:"num_speakers"`
	SpeakerIDMap map[string]int64    `json:"speaker_id_map"`
	Language     *struct {
		Code string `json:"code"`
	} `json:"language"`
	Dataset string `json:"dataset"`
}

// LoadConfig reads and checks the config at path, a regular file: a named
// pipe or a device is refused (see userfile).
func LoadConfig(path string) (*Config, error) {
	f, err := userfile.Open(path, "a voice config")
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, &ConfigError{File: path, Offset: -1, Problem: "no such file; a Piper voice is NAME.onnx with NAME.onnx.json beside it", Err: err}
		}
		if errors.Is(err, userfile.ErrNotRegular) {
			return nil, err
		}
		return nil, fmt.Errorf("voice config: %w", err)
	}
	defer f.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(io.LimitReader(f, maxConfigSize+1)); err != nil {
		return nil, fmt.Errorf("voice config %s: %w", path, err)
	}
	if buf.Len() > maxConfigSize {
		return nil, &ConfigError{File: path, Offset: -1, Problem: fmt.Sprintf("larger than %d MB; this is not a Piper voice config", maxConfigSize>>20)}
	}
	return ParseConfig(path, buf.Bytes())
}

// ParseConfig parses and checks a config's JSON; file names it in errors.
// Every problem is a *ConfigError naming the field.
func ParseConfig(file string, data []byte) (*Config, error) {
	var raw rawConfig
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, jsonError(file, data, err)
	}
	bad := func(field, format string, args ...any) error {
		return &ConfigError{File: file, Field: field, Offset: -1, Problem: fmt.Sprintf(format, args...)}
	}
	c := &Config{Scales: defaultScales, NumSpeakers: 1, Dataset: raw.Dataset}

	switch {
	case raw.Audio == nil || raw.Audio.SampleRate == nil:
		return nil, bad("audio.sample_rate", "missing; Piper configs give the model's sample rate, such as 22050")
	case *raw.Audio.SampleRate < 1000 || *raw.Audio.SampleRate > 384000:
		return nil, bad("audio.sample_rate", "%d Hz is not a sample rate (want 1000 to 384000)", *raw.Audio.SampleRate)
	}
	c.SampleRate, c.Quality = *raw.Audio.SampleRate, raw.Audio.Quality

	if raw.PhonemeType != "" && raw.PhonemeType != "espeak" {
		return nil, bad("phoneme_type", "%q: Slate speaks only voices trained on espeak-ng phonemes (\"espeak\")", raw.PhonemeType)
	}
	if raw.Espeak == nil || raw.Espeak.Voice == nil || *raw.Espeak.Voice == "" {
		return nil, bad("espeak.voice", "missing; it names the espeak-ng voice that writes the phonemes, such as \"en-us\"")
	}
	if !validEspeakVoice(*raw.Espeak.Voice) {
		return nil, bad("espeak.voice", "%q is not an espeak-ng voice name (letters, digits, '-', '_', '+')", *raw.Espeak.Voice)
	}
	c.EspeakVoice = *raw.Espeak.Voice

	if in := raw.Inference; in != nil {
		for _, s := range []struct {
			field string
			v     *float32
			dst   *float32
			min   float32
		}{
			{"inference.noise_scale", in.NoiseScale, &c.Scales.Noise, 0},
			{"inference.length_scale", in.LengthScale, &c.Scales.Length, 0},
			{"inference.noise_w", in.NoiseW, &c.Scales.NoiseW, 0},
		} {
			if s.v == nil {
				continue
			}
			v := float64(*s.v)
			if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || v > 100 {
				return nil, bad(s.field, "%v: want a number from 0 to 100", *s.v)
			}
			*s.dst = *s.v
		}
		if c.Scales.Length == 0 {
			return nil, bad("inference.length_scale", "0 would speak in no time at all; Piper voices use about 1")
		}
	}

	if len(raw.PhonemeIDMap) == 0 {
		return nil, bad("phoneme_id_map", "missing or empty; it maps each phoneme to the ids the model reads")
	}
	c.PhonemeIDs = make(map[rune][]int64, len(raw.PhonemeIDMap))
	for _, k := range sortedKeys(raw.PhonemeIDMap) {
		ids := raw.PhonemeIDMap[k]
		field := fmt.Sprintf("phoneme_id_map[%q]", k)
		r, ok := onePoint(k)
		if !ok {
			return nil, bad(field, "a phoneme must be one character (one Unicode code point)")
		}
		if len(ids) == 0 {
			return nil, bad(field, "no ids")
		}
		for _, id := range ids {
			if id < 0 || raw.NumSymbols > 0 && id >= int64(raw.NumSymbols) {
				return nil, bad(field, "id %d is outside the model's %d symbols", id, raw.NumSymbols)
			}
		}
		c.PhonemeIDs[r] = ids
	}
	for _, s := range []string{Pad, BOS, EOS} {
		if _, ok := c.PhonemeIDs[rune(s[0])]; !ok {
			return nil, bad("phoneme_id_map", "no id for %q; Piper voices give ids for %q (pad), %q (start) and %q (end)", s, Pad, BOS, EOS)
		}
	}
	if len(raw.PhonemeMap) > 0 {
		c.PhonemeMap = make(map[rune][]rune, len(raw.PhonemeMap))
		for _, k := range sortedKeys(raw.PhonemeMap) {
			field := fmt.Sprintf("phoneme_map[%q]", k)
			r, ok := onePoint(k)
			if !ok {
				return nil, bad(field, "a phoneme must be one character (one Unicode code point)")
			}
			var to []rune
			for _, p := range raw.PhonemeMap[k] {
				pr, ok := onePoint(p)
				if !ok {
					return nil, bad(field, "%q: a phoneme must be one character (one Unicode code point)", p)
				}
				to = append(to, pr)
			}
			c.PhonemeMap[r] = to
		}
	}

	if raw.NumSpeakers != nil {
		if *raw.NumSpeakers < 1 {
			return nil, bad("num_speakers", "%d: want 1 or more", *raw.NumSpeakers)
		}
		c.NumSpeakers = *raw.NumSpeakers
	}
	if len(raw.SpeakerIDMap) > 0 {
		c.Speakers = make(map[string]int64, len(raw.SpeakerIDMap))
		for _, name := range sortedKeys(raw.SpeakerIDMap) {
			id := raw.SpeakerIDMap[name]
			if id < 0 || id >= int64(c.NumSpeakers) {
				return nil, bad(fmt.Sprintf("speaker_id_map[%q]", name), "id %d is outside the model's %d speakers (num_speakers)", id, c.NumSpeakers)
			}
			c.Speakers[name] = id
		}
	}
	if raw.Language != nil {
		c.Language = raw.Language.Code
	}
	return c, nil
}

// jsonError turns a decoding error into a ConfigError that says where.
func jsonError(file string, data []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	pos, _ := jsonpos.Of(data, err)
	switch {
	case errors.As(err, &syn):
		return &ConfigError{File: file, Line: pos.Line, Offset: pos.Offset, Problem: "not valid JSON: " + syn.Error(), Err: err}
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "(top level)"
		}
		return &ConfigError{File: file, Field: field, Line: pos.Line, Offset: pos.Offset,
			Problem: fmt.Sprintf("a JSON %s where %s is expected", typ.Value, jsonKind(typ.Type.Kind().String())), Err: err}
	}
	return &ConfigError{File: file, Offset: -1, Problem: "not valid JSON: " + err.Error(), Err: err}
}

// jsonKind names a Go kind the way a config's author thinks of it.
func jsonKind(kind string) string {
	switch {
	case strings.HasPrefix(kind, "int"), strings.HasPrefix(kind, "uint"), strings.HasPrefix(kind, "float"):
		return "a number"
	case kind == "string":
		return "a string"
	case kind == "slice":
		return "a list"
	case kind == "map", kind == "struct", kind == "ptr":
		return "an object"
	}
	return "a " + kind
}

func onePoint(s string) (rune, bool) {
	r, n := utf8.DecodeRuneInString(s)
	return r, n == len(s) && n > 0 && r != utf8.RuneError
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// validEspeakVoice allows the characters of espeak-ng voice names, as
// media does; a config is checked when it is loaded rather than when its
// first line is spoken.
func validEspeakVoice(v string) bool {
	if len(v) > 64 {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || i > 0 && (c == '-' || c == '_' || c == '+')) {
			return false
		}
	}
	return v != ""
}

// SpeakerID is the id of a speaker given by name or number; "" is the
// first speaker.
func (c *Config) SpeakerID(speaker string) (int64, error) {
	if speaker == "" {
		return 0, nil
	}
	if id, ok := c.Speakers[speaker]; ok {
		return id, nil
	}
	var id int64
	if _, err := fmt.Sscanf(speaker, "%d", &id); err == nil && fmt.Sprint(id) == speaker && id >= 0 && id < int64(c.NumSpeakers) {
		return id, nil
	}
	if c.NumSpeakers == 1 {
		return 0, fmt.Errorf("speaker %q: this voice has one speaker; leave the speaker out", speaker)
	}
	names := sortedKeys(c.Speakers)
	if len(names) > 5 {
		names = append(names[:5], "…")
	}
	return 0, fmt.Errorf("speaker %q: this voice has no such speaker; give a number from 0 to %d, or a name (%s)", speaker, c.NumSpeakers-1, strings.Join(names, ", "))
}
