package media

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/slatestudio/slate/media/audio"
)

// Speech settings. Slate mixes at 48 kHz; espeak-ng speaks at 22050 Hz.
const (
	SpeechRate     = 48000
	DefaultVoice   = "en-us"
	DefaultWPM     = 160
	MaxSpeakText   = 20000 // bytes; a line of dialogue, not a book
	speakSilenceDB = -50.0
	speakMargin    = 10 * time.Millisecond
)

// ErrUnknownVoice is matched when espeak-ng does not have the requested voice.
var ErrUnknownVoice = errors.New("unknown voice")

// SpeakOptions chooses how espeak-ng speaks.
type SpeakOptions struct {
	Voice string // espeak-ng voice, optionally with a variant: "en-us", "en-gb+m3", "en-us+f2"; default "en-us"
	WPM   int    // words per minute, 80..450; 0 means 160
	Pitch int    // 0..99; 0 means espeak-ng's default, 50
}

// Speak turns text into speech with espeak-ng: mono PCM at 48 kHz, with
// leading and trailing silence below −50 dBFS trimmed to 10 ms, so that a
// line starts when its cue says. The text goes to espeak-ng's standard input
// as UTF-8, never on its command line, so no text can be taken for an option.
//
// espeak-ng falls back silently to the base voice for an unknown variant
// ("+m9"); an unknown base voice is an error matching [ErrUnknownVoice].
func (t Tools) Speak(ctx context.Context, text string, opts SpeakOptions) (*audio.PCM, error) {
	if err := t.Check(ToolEspeak); err != nil {
		return nil, err
	}
	args, err := speakArgs(opts)
	if err != nil {
		return nil, fmt.Errorf("speak: %w", err)
	}
	switch text = strings.TrimSpace(text); {
	case text == "":
		return nil, errors.New("speak: no text to speak")
	case len(text) > MaxSpeakText:
		return nil, fmt.Errorf("speak: text is %d bytes; the limit is %d (split it into shorter lines)", len(text), MaxSpeakText)
	case !utf8.ValidString(text):
		return nil, errors.New("speak: text is not valid UTF-8")
	}

	proc, err := t.command(ctx, ToolEspeak, args)
	if err != nil {
		return nil, err
	}
	proc.cmd.Stdin = strings.NewReader(text)
	// Ten minutes of 16-bit mono at 22050 Hz is about 26 MB.
	out := &limitBuffer{max: 64 << 20}
	proc.cmd.Stdout = out
	if err := proc.start(); err != nil {
		return nil, fmt.Errorf("speak: %w", err)
	}
	if err := proc.wait(); err != nil {
		if strings.Contains(proc.stderr.String(), "voice does not exist") {
			return nil, fmt.Errorf("speak: %w %q: espeak-ng has no such voice (list them with \"espeak-ng --voices\")", ErrUnknownVoice, voiceOrDefault(opts.Voice))
		}
		return nil, fmt.Errorf("speak: %w", err)
	}
	if out.overflow {
		return nil, fmt.Errorf("speak: %w: espeak-ng produced more than %v of speech", ErrTooLarge, MaxDuration)
	}
	pcm, err := audio.ReadWAV(bytes.NewReader(out.Bytes()))
	if err != nil {
		return nil, fmt.Errorf("speak: espeak-ng output: %w", err)
	}
	if pcm.Duration() > MaxDuration {
		return nil, fmt.Errorf("speak: %w: speech lasts %v; the limit is %v", ErrTooLarge, pcm.Duration(), MaxDuration)
	}
	pcm = audio.TrimSilence(toMono(pcm), speakSilenceDB, speakMargin)
	if pcm.Frames() == 0 {
		return nil, fmt.Errorf("speak: espeak-ng produced only silence for %q", truncate(text, 40))
	}
	return audio.Resample(ctx, pcm, SpeechRate)
}

func voiceOrDefault(v string) string {
	if v == "" {
		return DefaultVoice
	}
	return v
}

// speakArgs validates opts and builds espeak-ng's arguments: WAV to standard
// output, UTF-8 text from standard input.
func speakArgs(opts SpeakOptions) ([]string, error) {
	voice := voiceOrDefault(opts.Voice)
	if !validVoice(voice) {
		return nil, fmt.Errorf("voice %q: want a name such as \"en-us\" or \"en-gb+m3\" (letters, digits, '-', '_', '+')", voice)
	}
	wpm := opts.WPM
	if wpm == 0 {
		wpm = DefaultWPM
	}
	if wpm < 80 || wpm > 450 {
		return nil, fmt.Errorf("speed %d words per minute: want 80 to 450", wpm)
	}
	pitch := opts.Pitch
	if pitch == 0 {
		pitch = 50
	}
	if pitch < 0 || pitch > 99 {
		return nil, fmt.Errorf("pitch %d: want 0 to 99", pitch)
	}
	return []string{"--stdout", "-b", "1", "-v", voice, "-s", strconv.Itoa(wpm), "-p", strconv.Itoa(pitch), "--stdin"}, nil
}

// validVoice allows only the characters of espeak-ng voice and variant names,
// so a voice can never read as an option or a path.
func validVoice(v string) bool {
	if v == "" || len(v) > 64 || !isAlnum(v[0]) {
		return false
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; !isAlnum(c) && c != '-' && c != '_' && c != '+' {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// toMono averages the channels; espeak-ng speaks in mono already, so this
// only guards against a future version that does not.
func toMono(p *audio.PCM) *audio.PCM {
	if p.Channels == 1 {
		return p
	}
	n := p.Frames()
	out := audio.NewPCM(p.Rate, 1, n)
	for f := 0; f < n; f++ {
		var s float32
		for c := 0; c < p.Channels; c++ {
			s += p.Samples[f*p.Channels+c]
		}
		out.Samples[f] = s / float32(p.Channels)
	}
	return out
}
