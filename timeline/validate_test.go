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
		{"render server's backend is fine", func(p *Project) { p.Shots[0].Backend = "remote:gpu-box/animatic" }, 0, "", ""},
		{"render server's model with slashes is fine", func(p *Project) { p.Shots[0].Backend = "remote:hosted/Wan-AI/Wan2.2-T2V-A14B" }, 0, "", ""},
		{"render server with no model", func(p *Project) { p.Shots[0].Backend = "remote:gpu-box" }, 1, "backend", "backend name"},
		{"render server's bad name", func(p *Project) { p.Shots[0].Backend = "remote:GPU box/animatic" }, 1, "backend", "backend name"},
		{"title not utf-8", func(p *Project) { p.Title = "Last \xffLight" }, 0, "title", "UTF-8"},
		{"cast name not utf-8", func(p *Project) { p.Cast[0].Name = "An\xe1" }, 0, "cast[0].name", "UTF-8"},
		{"shot title not utf-8", func(p *Project) { p.Shots[1].Title = "\xc3" }, 2, "title", "UTF-8"},
		{"prompt not utf-8", func(p *Project) { p.Shots[0].Prompt = "fog \xed\xa0\x80" }, 1, "prompt", "UTF-8"},
		{"line not utf-8", func(p *Project) { p.Shots[1].Lines[0].Text = "Hello \xff" }, 2, "dialogue[0].text", "UTF-8"},
		{"cue file not utf-8", func(p *Project) { p.Shots[2].Cues[0].File = "bell\xfe.wav" }, 3, "cues[0].file", "UTF-8"},
		{"cue description not utf-8", func(p *Project) { p.Shots[2].Cues[0].Description = "\x80" }, 3, "cues[0].description", "UTF-8"},
		{"cast name too long", func(p *Project) { p.Cast[0].Name = strings.Repeat("A", MaxNameRunes+1) }, 0, "cast[0].name", "keep it to 80"},
		{"cast name at limit is fine", func(p *Project) { p.Cast[0].Name = strings.Repeat("Å", MaxNameRunes) }, 0, "", ""},
		{"cast handle too long", func(p *Project) { p.Cast[1].Handle = "@" + strings.Repeat("b", MaxHandleRunes) }, 0, "cast[1].handle", "keep it to 64"},
		{"cast voice too long", func(p *Project) { p.Cast[0].Voice = strings.Repeat("v", MaxVoiceRunes+1) }, 0, "cast[0].voice", "keep it to 200"},
		{"shot id too long", func(p *Project) { p.Shots[1].ID = strings.Repeat("s", MaxIDRunes+1) }, 2, "id", "keep it to 128"},
		{"cue description too long", func(p *Project) { p.Shots[2].Cues[0].Description = strings.Repeat("rain ", 101) }, 3, "cues[0].description", "keep it to 500"},
		{"cue file name too long", func(p *Project) { p.Shots[2].Cues[0].File = "/" + strings.Repeat("d/", MaxPathRunes/2) + "x.wav" }, 3, "cues[0].file", "keep it to 4096"},
		{"line voice too long", func(p *Project) { p.Shots[1].Lines[0].Voice = "piper:" + strings.Repeat("x", MaxVoiceRunes) }, 2, "dialogue[0].voice", "keep it to 200"},
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

// A film longer than MaxFilmLength, or of more than MaxShots shots, can
// never be made; CheckLength says so with the project's length and the
// limit.
func TestCheckLength(t *testing.T) {
	long := func(p *Project) {
		for p.Length() <= MaxFilmLength {
			s := NewShot("more")
			s.Duration = MaxShotDuration
			p.Shots = append(p.Shots, s)
		}
	}
	// Short shots crossfaded into each other: many, yet under an hour.
	many := func(p *Project) {
		for len(p.Shots) <= MaxShots {
			s := NewShot("more")
			s.Duration = MinShotDuration
			s.Transition = Transition{Kind: Crossfade, Duration: 200 * time.Millisecond}
			p.Shots = append(p.Shots, s)
		}
	}
	// The sample is three shots of 4 s, two joined by a 1 s crossfade:
	// 11 s, to which long adds sixty minutes.
	tests := []struct {
		name string
		edit func(p *Project)
		want string
	}{
		{"sample", func(*Project) {}, ""},
		{"at the limit", func(p *Project) {
			long(p)
			p.Shots[len(p.Shots)-1].Duration -= p.Length() - MaxFilmLength
		}, ""},
		{"a frame over", func(p *Project) {
			long(p)
			p.Shots[len(p.Shots)-1].Duration -= p.Length() - MaxFilmLength - time.Second/24
		}, "Sample is 1 h 1 s long; a film can be at most 1 h, so shorten it or make it as two projects"},
		{"too long", long, "Sample is 1 h 11 s long; a film can be at most 1 h, so shorten it or make it as two projects"},
		{"too many shots", many, "Sample has 10001 shots; a film can have at most 10000, so join or remove some"},
		{"100,000 shots", func(p *Project) {
			p.Title = "Last Light"
			for len(p.Shots) < 100000 {
				s := NewShot("more")
				s.Duration = MinShotDuration
				p.Shots = append(p.Shots, s)
			}
		}, "Last Light is 13 h 53 min 30 s long; a film can be at most 1 h, so shorten it or make it as two projects"},
		{"untitled", func(p *Project) { p.Title = " "; long(p) }, "The film is 1 h 11 s long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := sample(t)
			tt.edit(p)
			err := p.CheckLength()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("CheckLength() = %v, want nil", err)
				}
				return
			}
			var ve *Error
			if !errors.As(err, &ve) || ve.Field != "shots" || !strings.Contains(ve.Msg, tt.want) {
				t.Fatalf("CheckLength() = %v, want an *Error on shots containing %q", err, tt.want)
			}
		})
	}
}

func TestFilmLength(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{12500 * time.Millisecond, "12.5 s"},
		{time.Minute, "1 min"},
		{45 * time.Minute, "45 min"},
		{time.Hour, "1 h"},
		{time.Hour + 1, "1 h 1 s"},
		{50000 * time.Second, "13 h 53 min 20 s"},
		{2*time.Hour + 30*time.Second, "2 h 30 s"},
	}
	for _, tt := range tests {
		if got := FilmLength(tt.d); got != tt.want {
			t.Errorf("FilmLength(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestRemoteServer(t *testing.T) {
	for _, c := range []struct {
		in            string
		server, model string
		ok            bool
	}{
		{"remote:gpu-box/animatic", "gpu-box", "animatic", true},
		{"remote:hosted/Wan-AI/Wan2.2-T2V-A14B", "hosted", "Wan-AI/Wan2.2-T2V-A14B", true},
		{"animatic", "", "", false},
		{"remote:gpu-box", "", "", false},
		{"remote:/animatic", "", "animatic", false},
	} {
		s, m, ok := RemoteServer(c.in)
		if ok != c.ok || ok && (s != c.server || m != c.model) {
			t.Errorf("RemoteServer(%q) = %q, %q, %v; want %q, %q, %v", c.in, s, m, ok, c.server, c.model, c.ok)
		}
	}
}
