package media

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Phonemes returns how espeak-ng would pronounce text in voice, written in
// the International Phonetic Alphabet: one line per clause as espeak-ng
// splits the text, words separated by single spaces, stress (ˈ ˌ) and
// length (ː) marks as characters of their own, and no tie between the
// letters of one phoneme ("aɪ", not "a͡ɪ"). That is the form neural voices
// trained on espeak-ng phonemes (Piper's) expect. espeak-ng drops
// punctuation here, so a caller that needs it splits the text itself.
//
// As with Speak, the text goes to espeak-ng's standard input as UTF-8, and
// an unknown base voice is an error matching [ErrUnknownVoice].
func (t Tools) Phonemes(ctx context.Context, text, voice string) (string, error) {
	if err := t.Check(ToolEspeak); err != nil {
		return "", err
	}
	voice = voiceOrDefault(voice)
	if !validVoice(voice) {
		return "", fmt.Errorf("phonemes: voice %q: want a name such as \"en-us\" (letters, digits, '-', '_', '+')", voice)
	}
	switch text = strings.TrimSpace(text); {
	case text == "":
		return "", errors.New("phonemes: no text")
	case len(text) > MaxSpeakText:
		return "", fmt.Errorf("phonemes: text is %d bytes; the limit is %d (split it into shorter lines)", len(text), MaxSpeakText)
	case !utf8.ValidString(text):
		return "", errors.New("phonemes: text is not valid UTF-8")
	}

	// -q: no sound; --ipa without a number: IPA with no ties or
	// separators; -b 1: the input is UTF-8.
	proc, err := t.command(ctx, ToolEspeak, []string{"-q", "--ipa", "-b", "1", "-v", voice, "--stdin"})
	if err != nil {
		return "", err
	}
	proc.cmd.Stdin = strings.NewReader(text)
	// IPA is a few bytes per letter of text; 1 MB is far beyond any line.
	out := &limitBuffer{max: 1 << 20}
	proc.cmd.Stdout = out
	if err := proc.start(); err != nil {
		return "", fmt.Errorf("phonemes: %w", err)
	}
	if err := proc.wait(); err != nil {
		if strings.Contains(proc.stderr.String(), "voice does not exist") {
			return "", fmt.Errorf("phonemes: %w %q: espeak-ng has no such voice (list them with \"espeak-ng --voices\")", ErrUnknownVoice, voice)
		}
		return "", fmt.Errorf("phonemes: %w", err)
	}
	if out.overflow {
		return "", fmt.Errorf("phonemes: espeak-ng printed more than %d bytes", out.max)
	}
	if !utf8.Valid(out.Bytes()) {
		return "", errors.New("phonemes: espeak-ng printed text that is not UTF-8")
	}
	var lines []string
	for _, l := range strings.Split(string(out.Bytes()), "\n") {
		if l = strings.Join(strings.Fields(l), " "); l != "" {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n"), nil
}
