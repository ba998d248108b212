package timeline

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestValidateRefuses(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(p *Project)
		shot   int
		field  string
		substr string
	}{
		{"short duration", func(p *Project) { p.Shots[0].Duration = 400 * time.Millisecond }, 1, "duration_ms", "from 0.5 s to 60 s"},
		{"long duration", func(p *Project) { p.Shots[2].Duration = 61 * time.Second }, 3, "duration_ms", "60 s"},
		{"long prompt", func(p *Project) { p.Shots[0].Prompt = strings.Repeat("é", MaxPromptRunes+1) }, 1, "prompt", "32000"},
		{"prompt at limit is fine", func(p *Project) { p.Shots[0].Prompt = strings.Repeat("é", MaxPromptRunes) }, 0, "", ""},
		{"odd width", func(p *Project) { p.Width = 1281 }, 0, "width", "even"},
		{"huge height", func(p *Project) { p.Height = 4098 }, 0, "height", "4096"},
		{"bad fps", func(p *Project) { p.FPS = 60 }, 0, "fps", "24, 25 or 30"},
		{"unknown framing", func(p *Project) { p.Shots[1].Camera.Framing = "birdseye" }, 2, "camera.framing", "birdseye"},
		{"unknown move", func(p *Project) { p.Shots[1].Camera.Move = "spin" }, 2, "camera.move", "spin"},
		{"line too long for shot", func(p *Project) {
			p.Shots[1].Lines[0].Text = strings.Repeat("word ", 12) // 12 words ≈ 4.8 s
		}, 2, "dialogue[0].text", "needs about"},
		{"line starts after end", func(p *Project) { p.Shots[1].Lines[0].Start = 5 * time.Second }, 2, "dialogue[0].start_ms", "outside the shot"},
		{"unknown speaker", func(p *Project) { p.Shots[1].Lines[0].Speaker = "zed" }, 2, "dialogue[0].speaker", "zed"},
		{"empty line", func(p *Project) { p.Shots[1].Lines[0].Text = "  " }, 2, "dialogue[0].text", "no text"},
		{"featured stranger", func(p *Project) { p.Shots[0].Cast = []string{"zed"} }, 1, "cast[0]", "not in the project's cast"},
		{"cue past end", func(p *Project) { p.Shots[2].Cues[0].Duration = 4 * time.Second }, 3, "cues[0].duration_ms", "past the end"},
		{"cue gain", func(p *Project) { p.Shots[2].Cues[0].GainDB = 20 }, 3, "cues[0].gain_db", "dB"},
		{"cue kind", func(p *Project) { p.Shots[2].Cues[0].Kind = "noise" }, 3, "cues[0].kind", "noise"},
		{"cue url", func(p *Project) { p.Shots[2].Cues[0].File = "http://x/y.wav" }, 3, "cues[0].file", "URL"},
		{"transition longer than next shot", func(p *Project) {
			p.Shots[0].Transition.Duration = 3 * time.Second
			p.Shots[1].Duration = 2 * time.Second
			p.Shots[1].Lines = nil
		}, 1, "transition.duration_ms", "does not fit in shot 2"},
		{"transition longer than own shot", func(p *Project) { p.Shots[0].Transition.Duration = 5 * time.Second }, 1, "transition.duration_ms", "longer than this"},
		{"in and out too long", func(p *Project) {
			p.Shots[0].Transition.Duration = 2500 * time.Millisecond
			p.Shots[1].Transition = Transition{Kind: DipToBlack, Duration: 2 * time.Second}
		}, 1, "transition.duration_ms", "does not fit in shot 2"},
		{"cut with duration", func(p *Project) { p.Shots[1].Transition.Duration = time.Second }, 2, "transition.duration_ms", "cut takes no time"},
		{"tiny crossfade", func(p *Project) { p.Shots[0].Transition.Duration = 50 * time.Millisecond }, 1, "transition.duration_ms", "at least 0.1 s"},
		{"duplicate shot id", func(p *Project) { p.Shots[2].ID = p.Shots[0].ID }, 3, "id", "also the id of shot 1"},
		{"cast id narrator", func(p *Project) { p.Cast[1].ID = Narrator }, 0, "cast[1].id", "narrator"},
		{"bad backend", func(p *Project) { p.Shots[0].Backend = "Not OK!" }, 1, "backend", "backend name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := sample(t)
			tt.edit(p)
			err := p.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			var ve *Error
			if !errors.As(err, &ve) {
				t.Fatalf("Validate() = %v, want an *Error", err)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("Validate() error does not match ErrInvalid")
			}
			if ve.Shot != tt.shot || ve.Field != tt.field || !strings.Contains(ve.Msg, tt.substr) {
				t.Errorf("Validate() = shot %d field %q msg %q, want shot %d field %q containing %q", ve.Shot, ve.Field, ve.Msg, tt.shot, tt.field, tt.substr)
			}
		})
	}
}

func TestSpeechTime(t *testing.T) {
	tests := []struct {
		text string
		want time.Duration
	}{
		{"Hello there.", 800 * time.Millisecond},          // 2 words (12 chars → 2)
		{"I kept my word", 1600 * time.Millisecond},       // 4 words
		{"Antidisestablishmentarianism", 2 * time.Second}, // 28 chars → 5 words
		{"", 0},
	}
	for _, tt := range tests {
		if got := SpeechTime(tt.text); got != tt.want {
			t.Errorf("SpeechTime(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}

// A shot checked on its own (as after an edit of it alone) explains that its
// two transitions together are too long.
func TestValidateShotBothTransitions(t *testing.T) {
	p := sample(t)
	p.Shots[0].Transition.Duration = 2500 * time.Millisecond
	p.Shots[1].Transition = Transition{Kind: DipToBlack, Duration: 2 * time.Second}
	var ve *Error
	if err := p.validateShot(1); !errors.As(err, &ve) || !strings.Contains(ve.Msg, "together") || ve.Field != "transition.duration_ms" {
		t.Errorf("validateShot(1) = %v, want the transitions-together error", err)
	}
}
