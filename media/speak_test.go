package media

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/slatestudio/slate/media/audio"
)

func TestSpeakArgs(t *testing.T) {
	for _, tc := range []struct {
		opts    SpeakOptions
		want    []string
		wantErr string
	}{
		{SpeakOptions{}, []string{"--stdout", "-b", "1", "-v", "en-us", "-s", "160", "-p", "50", "--stdin"}, ""},
		{SpeakOptions{Voice: "en-gb+m3", WPM: 200, Pitch: 20}, []string{"--stdout", "-b", "1", "-v", "en-gb+m3", "-s", "200", "-p", "20", "--stdin"}, ""},
		{SpeakOptions{Voice: "-w"}, nil, `voice "-w"`},
		{SpeakOptions{Voice: "../../etc/passwd"}, nil, "voice"},
		{SpeakOptions{Voice: "en us"}, nil, "voice"},
		{SpeakOptions{WPM: 10}, nil, "speed 10"},
		{SpeakOptions{Pitch: 100}, nil, "pitch 100"},
		{SpeakOptions{Pitch: -1}, nil, "pitch -1"},
	} {
		got, err := speakArgs(tc.opts)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("speakArgs(%+v) = %q, %v, want error containing %q", tc.opts, got, err, tc.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("speakArgs(%+v) = %q, %v, want %q", tc.opts, got, err, tc.want)
		}
	}
}

func TestSpeakMissingTool(t *testing.T) {
	_, err := Tools{}.Speak(context.Background(), "hello", SpeakOptions{})
	var mt *MissingToolError
	if !errors.As(err, &mt) || mt.Tool != ToolEspeak {
		t.Errorf("Tools{}.Speak() = %v, want a MissingToolError for espeak-ng", err)
	}
}

func TestSpeak(t *testing.T) {
	tools := needTools(t, ToolEspeak)
	t.Parallel()
	ctx := testCtx(t)
	const text = "Hello. My name is Slate, and I read the lines."
	p, err := tools.Speak(ctx, text, SpeakOptions{})
	if err != nil {
		t.Fatalf("Speak(%q) = %v", text, err)
	}
	if p.Rate != 48000 || p.Channels != 1 {
		t.Errorf("Speak() = %d Hz %d channels, want 48000 Hz mono", p.Rate, p.Channels)
	}
	// Ten words at 160 words a minute, with two pauses: about 4 s.
	if d := p.Duration(); d < 2*time.Second || d > 6*time.Second {
		t.Errorf("Speak(%d words).Duration() = %v, want 2s..6s", len(strings.Fields(text)), d)
	}
	if db := audio.DBFS(p.RMS(0, p.Frames())); db < -35 {
		t.Errorf("Speak() RMS = %.1f dBFS, want well above silence (> -35)", db)
	}
	// Trimmed: the first and last loud samples are within ~10 ms of the ends.
	trimmed := audio.TrimSilence(p, -50, 0)
	if lost := p.Duration() - trimmed.Duration(); lost > 30*time.Millisecond {
		t.Errorf("Speak() keeps %v of silence around the speech, want about 20ms", lost)
	}

	fast, err := tools.Speak(ctx, text, SpeakOptions{WPM: 320})
	if err != nil {
		t.Fatal(err)
	}
	if ratio := float64(fast.Duration()) / float64(p.Duration()); ratio < 0.35 || ratio > 0.75 {
		t.Errorf("Speak(WPM 320) lasts %.2f of Speak(WPM 160), want about 0.5", ratio)
	}

	// The text is never read as options: this is spoken, not obeyed.
	opt, err := tools.Speak(ctx, "--help -v xx", SpeakOptions{Voice: "en-gb+m3"})
	if err != nil || opt.Duration() < 500*time.Millisecond {
		t.Errorf("Speak(\"--help -v xx\") = %v, %v, want it spoken", opt, err)
	}

	_, err = tools.Speak(ctx, "hello", SpeakOptions{Voice: "zz-nowhere"})
	if !errors.Is(err, ErrUnknownVoice) || !strings.Contains(err.Error(), `"zz-nowhere"`) {
		t.Errorf("Speak(voice zz-nowhere) = %v, want ErrUnknownVoice naming the voice", err)
	}
	for _, text := range []string{"", "   ", "\xff\xfe"} {
		if _, err := tools.Speak(ctx, text, SpeakOptions{}); err == nil {
			t.Errorf("Speak(%q) = nil error, want one", text)
		}
	}
	if _, err := tools.Speak(ctx, strings.Repeat("a", MaxSpeakText+1), SpeakOptions{}); err == nil {
		t.Errorf("Speak(too long) = nil error, want one")
	}
}

func TestPhonemes(t *testing.T) {
	tools := needTools(t, ToolEspeak)
	t.Parallel()
	ctx := testCtx(t)
	for _, tc := range []struct {
		text, voice, want string
	}{
		// One line per clause; no ties, no separators, no punctuation.
		{"Hello, world.", "en-us", "həlˈoʊ\nwˈɜːld"},
		{"  How are you?  ", "", "hˈaʊ ɑːɹ juː"},
		// The text is read, never taken for options.
		{"--help", "en-us", "hˈɛlp"},
	} {
		got, err := tools.Phonemes(ctx, tc.text, tc.voice)
		if err != nil || got != tc.want {
			t.Errorf("Phonemes(%q, %q) = %q, %v, want %q", tc.text, tc.voice, got, err, tc.want)
		}
	}
	_, err := tools.Phonemes(ctx, "hello", "zz-nowhere")
	if !errors.Is(err, ErrUnknownVoice) || !strings.Contains(err.Error(), `"zz-nowhere"`) {
		t.Errorf("Phonemes(voice zz-nowhere) = %v, want ErrUnknownVoice naming the voice", err)
	}
	for _, tc := range []struct{ text, voice string }{
		{"", "en-us"}, {"  ", "en-us"}, {"\xff", "en-us"}, {strings.Repeat("a", MaxSpeakText+1), "en-us"},
		{"hello", "-w"}, {"hello", "../x"},
	} {
		if got, err := tools.Phonemes(ctx, tc.text, tc.voice); err == nil {
			t.Errorf("Phonemes(%.20q, %q) = %q, nil error, want one", tc.text, tc.voice, got)
		}
	}
}

func TestPhonemesMissingTool(t *testing.T) {
	_, err := Tools{}.Phonemes(context.Background(), "hello", "")
	if !errors.Is(err, ErrMissingTool) {
		t.Errorf("Tools{}.Phonemes() = %v, want ErrMissingTool", err)
	}
}
