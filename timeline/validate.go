package timeline

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits that every edit and every loaded file is checked against.
const (
	MinShotDuration = 500 * time.Millisecond
	MaxShotDuration = 60 * time.Second
	MaxPromptRunes  = 32000
	MaxTitleRunes   = 200
	MaxLineRunes    = 1000
	MaxFrameSide    = 4096
	// The shorter texts of a project: a cast member's name (as long as
	// the account server allows), a sound cue's description, the names of
	// voices, IDs and handles, and a file name (a path the system can
	// open). Each shows on one line in the studio, where a text of
	// thousands of characters would be drawn as one vast texture.
	MaxNameRunes        = 80
	MaxDescriptionRunes = 500
	MaxVoiceRunes       = 200
	MaxIDRunes          = 128
	MaxHandleRunes      = 64
	MaxPathRunes        = 4096
	MinFrameSide        = 16
	// MinTransition is the shortest crossfade or dip; anything shorter reads
	// as a glitch, and a cut is the way to have none.
	MinTransition = 100 * time.Millisecond
	// SpeakingRate is a normal speaking rate in words per minute, used to
	// judge whether a line fits in its shot.
	SpeakingRate = 150
	MinGainDB    = -60
	MaxGainDB    = 12
	// MaxFilmLength is the longest film Slate makes: longer than any short
	// film (the Academy's limit is 40 minutes). Assembly streams the sound,
	// so memory does not grow with the film, but the studio's preview holds
	// every shot's sound (about 1.4 GB an hour), and a longer project is
	// best made as several.
	MaxFilmLength = time.Hour
	// MaxShots bounds the shots of a project: 10,000 is far more than a
	// film of MaxFilmLength needs (a feature has 1,000 to 3,000), and keeps
	// a file within MaxFileSize.
	MaxShots = 10000
)

// ErrInvalid is wrapped by every validation error, so callers can tell a
// refused edit from a failure to persist it.
var ErrInvalid = errors.New("invalid")

// Error says what is wrong with a project or shot and where.
type Error struct {
	// Shot is the 1-based number of the shot at fault; 0 for the project.
	Shot int
	// Field is the path of the offending field as the .slate file names it,
	// such as "duration_ms" or "dialogue[1].start_ms", so the GUI can show
	// the message beside the field and a file error can point at it.
	Field string
	// Msg says what is wrong and what to do, for a person.
	Msg string
}

func (e *Error) Error() string {
	if e.Shot > 0 {
		return fmt.Sprintf("shot %d: %s", e.Shot, e.Msg)
	}
	return e.Msg
}

// Unwrap makes every *Error match ErrInvalid.
func (e *Error) Unwrap() error { return ErrInvalid }

func shotErr(i int, field, format string, args ...any) *Error {
	return &Error{Shot: i + 1, Field: field, Msg: fmt.Sprintf(format, args...)}
}

func projectErr(field, format string, args ...any) *Error {
	return &Error{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// SpeechTime estimates how long text takes to say at a normal speaking rate
// (SpeakingRate words a minute). Long words count for more than short ones,
// so a line of long words is not judged by its word count alone.
func SpeechTime(text string) time.Duration {
	words := len(strings.Fields(text))
	// Six characters, a space included, make an average English word.
	if byChars := int(math.Ceil(float64(utf8.RuneCountInString(text)) / 6)); byChars > words {
		words = byChars
	}
	return time.Duration(words) * time.Minute / SpeakingRate
}

// ValidateFormat checks a frame size and rate.
func ValidateFormat(width, height, fps int) error {
	for _, side := range []struct {
		name string
		v    int
	}{{"width", width}, {"height", height}} {
		switch {
		case side.v < MinFrameSide || side.v > MaxFrameSide:
			return projectErr(side.name, "the frame %s is %d pixels; it must be between %d and %d", side.name, side.v, MinFrameSide, MaxFrameSide)
		case side.v%2 != 0:
			return projectErr(side.name, "the frame %s is %d pixels; video needs an even number, such as %d", side.name, side.v, side.v+1)
		}
	}
	if !slices.Contains(Rates, fps) {
		return projectErr("fps", "the frame rate is %d fps; choose 24, 25 or 30", fps)
	}
	return nil
}

var backendName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

// remoteBackendName is a render server's: "remote:SERVER/MODEL", the model
// as the server names it ("Wan-AI/Wan2.2-T2V-A14B").
var remoteBackendName = regexp.MustCompile(`^remote:[a-z0-9][a-z0-9._-]{0,31}/[A-Za-z0-9][A-Za-z0-9._/-]{0,127}$`)

// Validate checks the whole project: its format, cast, every shot and every
// transition. It returns the first problem found.
func (p *Project) Validate() error {
	if err := p.validateMeta(); err != nil {
		return err
	}
	seen := make(map[string]int, len(p.Shots))
	for i, s := range p.Shots {
		if s == nil {
			return shotErr(i, "", "the shot is empty")
		}
		if j, dup := seen[s.ID]; dup {
			return shotErr(i, "id", "its id %q is also the id of shot %d; every shot needs its own", s.ID, j+1)
		}
		seen[s.ID] = i
		if err := p.validateShot(i); err != nil {
			return err
		}
	}
	return nil
}

func (p *Project) validateMeta() error {
	if msg := validText(p.Title); msg != "" {
		return projectErr("title", "the title %s", msg)
	}
	if n := utf8.RuneCountInString(p.Title); n > MaxTitleRunes {
		return projectErr("title", "the title is %d characters long; keep it to %d", n, MaxTitleRunes)
	}
	if err := ValidateFormat(p.Width, p.Height, p.FPS); err != nil {
		return err
	}
	ids := make(map[string]bool, len(p.Cast))
	for i, c := range p.Cast {
		field := fmt.Sprintf("cast[%d]", i)
		for _, f := range []textField{{"id", "id", c.ID, MaxIDRunes}, {"name", "name", c.Name, MaxNameRunes}, {"handle", "handle", c.Handle, MaxHandleRunes}, {"voice", "voice", c.Voice, MaxVoiceRunes}} {
			if msg := f.check(); msg != "" {
				return projectErr(field+"."+f.field, "cast member %d's %s %s", i+1, f.what, msg)
			}
		}
		switch {
		case c.ID == "":
			return projectErr(field+".id", "cast member %d has no id", i+1)
		case c.ID == Narrator:
			return projectErr(field+".id", "cast member %d uses the id %q, which is kept for the narrator; choose another", i+1, Narrator)
		case ids[c.ID]:
			return projectErr(field+".id", "two cast members share the id %q", c.ID)
		case strings.TrimSpace(c.Name) == "":
			return projectErr(field+".name", "cast member %q has no name", c.ID)
		}
		if err := p.validateCharacter(i, c); err != nil {
			return err
		}
		ids[c.ID] = true
	}
	return nil
}

// validateShot checks shot i on its own and against its neighbours: the
// transitions into and out of it must both fit inside it.
func (p *Project) validateShot(i int) error {
	s := p.Shots[i]
	if s.ID == "" {
		return shotErr(i, "id", "the shot has no id")
	}
	if err := validShotText(i, s); err != nil {
		return err
	}
	if n := utf8.RuneCountInString(s.Title); n > MaxTitleRunes {
		return shotErr(i, "title", "the title is %d characters long; keep it to %d", n, MaxTitleRunes)
	}
	if n := utf8.RuneCountInString(s.Prompt); n > MaxPromptRunes {
		return shotErr(i, "prompt", "the prompt is %d characters long; the limit is %d, so shorten it", n, MaxPromptRunes)
	}
	if s.Duration < MinShotDuration || s.Duration > MaxShotDuration {
		return shotErr(i, "duration_ms", "the duration is %s; a shot lasts from %s to %s", Seconds(s.Duration), Seconds(MinShotDuration), Seconds(MaxShotDuration))
	}
	if !slices.Contains(Framings, s.Camera.Framing) {
		return shotErr(i, "camera.framing", "unknown framing %q; use wide, medium, close_up or extreme_close_up", s.Camera.Framing)
	}
	if !slices.Contains(Moves, s.Camera.Move) {
		return shotErr(i, "camera.move", "unknown camera move %q; use static, pan_left, pan_right, tilt_up, tilt_down, dolly_in, dolly_out, zoom_in or zoom_out", s.Camera.Move)
	}
	if s.Backend != "" && !backendName.MatchString(s.Backend) && !remoteBackendName.MatchString(s.Backend) {
		return shotErr(i, "backend", "%q is not a backend name (lower-case letters, digits, dots and dashes; a render server's is remote:SERVER/MODEL)", s.Backend)
	}
	for j, id := range s.Cast {
		if _, ok := p.CastMember(id); !ok {
			return shotErr(i, fmt.Sprintf("cast[%d]", j), "features %q, who is not in the project's cast; add them to the cast first", id)
		}
		if slices.Index(s.Cast, id) != j {
			return shotErr(i, fmt.Sprintf("cast[%d]", j), "features %s twice", p.SpeakerName(id))
		}
	}
	for j, l := range s.Lines {
		if err := p.validateLine(i, j, l); err != nil {
			return err
		}
	}
	for j, c := range s.Cues {
		if err := validateCue(i, j, s, c); err != nil {
			return err
		}
	}
	return p.validateTransitions(i)
}

// validShotText checks that every text of shot i is valid UTF-8.
func validShotText(i int, s *Shot) error {
	// The title, prompt and line texts have limits of their own, with
	// their own advice (validateShot, validateLine).
	fields := []textField{{"id", "id", s.ID, MaxIDRunes}, {"title", "title", s.Title, 0}, {"prompt", "prompt", s.Prompt, 0}}
	for j, id := range s.Cast {
		fields = append(fields, textField{fmt.Sprintf("cast[%d]", j), fmt.Sprintf("featured cast member %d", j+1), id, MaxIDRunes})
	}
	for j, l := range s.Lines {
		f, what := fmt.Sprintf("dialogue[%d].", j), fmt.Sprintf("line %d's ", j+1)
		fields = append(fields, textField{f + "speaker", what + "speaker", l.Speaker, MaxIDRunes}, textField{f + "text", what + "text", l.Text, 0}, textField{f + "voice", what + "voice", l.Voice, MaxVoiceRunes})
	}
	for j, c := range s.Cues {
		f, what := fmt.Sprintf("cues[%d].", j), fmt.Sprintf("sound cue %d's ", j+1)
		fields = append(fields, textField{f + "description", what + "description", c.Description, MaxDescriptionRunes}, textField{f + "file", what + "file name", c.File, MaxPathRunes})
	}
	for _, f := range fields {
		if msg := f.check(); msg != "" {
			return shotErr(i, f.field, "the %s %s", f.what, msg)
		}
	}
	return nil
}

func (p *Project) validateLine(i, j int, l Line) error {
	s := p.Shots[i]
	field := fmt.Sprintf("dialogue[%d]", j)
	if l.Speaker != Narrator {
		if _, ok := p.CastMember(l.Speaker); !ok {
			return shotErr(i, field+".speaker", "line %d is spoken by %q, who is not in the project's cast; pick a cast member or the narrator", j+1, l.Speaker)
		}
	}
	text := strings.TrimSpace(l.Text)
	if text == "" {
		return shotErr(i, field+".text", "line %d has no text", j+1)
	}
	if n := utf8.RuneCountInString(l.Text); n > MaxLineRunes {
		return shotErr(i, field+".text", "line %d is %d characters long; split it into lines of at most %d", j+1, n, MaxLineRunes)
	}
	if l.Start < 0 || l.Start >= s.Duration {
		return shotErr(i, field+".start_ms", "line %d starts at %s, outside the shot (0 to %s)", j+1, Seconds(l.Start), Seconds(s.Duration))
	}
	if need := SpeechTime(text); l.Start+need > s.Duration {
		return shotErr(i, field+".text", "line %d needs about %s to say but only %s is left in the shot after it starts; lengthen the shot to %s, start the line earlier or shorten it",
			j+1, Seconds(need), Seconds(s.Duration-l.Start), Seconds(roundUp(l.Start+need)))
	}
	return nil
}

func roundUp(d time.Duration) time.Duration {
	const step = 100 * time.Millisecond
	return (d + step - 1) / step * step
}

func validateCue(i, j int, s *Shot, c Cue) error {
	field := fmt.Sprintf("cues[%d]", j)
	switch {
	case !slices.Contains(CueKinds, c.Kind):
		return shotErr(i, field+".kind", "sound cue %d has the unknown kind %q; use ambience, sfx or music", j+1, c.Kind)
	case c.Start < 0 || c.Start >= s.Duration:
		return shotErr(i, field+".start_ms", "sound cue %d starts at %s, outside the shot (0 to %s)", j+1, Seconds(c.Start), Seconds(s.Duration))
	case c.Duration <= 0:
		return shotErr(i, field+".duration_ms", "sound cue %d has no duration", j+1)
	case c.Start+c.Duration > s.Duration:
		return shotErr(i, field+".duration_ms", "sound cue %d runs to %s, past the end of the shot at %s; shorten it to %s", j+1, Seconds(c.Start+c.Duration), Seconds(s.Duration), Seconds(s.Duration-c.Start))
	case math.IsNaN(c.GainDB) || c.GainDB < MinGainDB || c.GainDB > MaxGainDB:
		return shotErr(i, field+".gain_db", "sound cue %d has a gain of %v dB; use %d to +%d dB", j+1, c.GainDB, MinGainDB, MaxGainDB)
	case c.File != "" && strings.Contains(c.File, "://"):
		return shotErr(i, field+".file", "sound cue %d names %q; use a file on this computer, not a URL", j+1, c.File)
	}
	return nil
}

// validateTransitions checks shot i's own transition and that the
// transitions into and out of it fit inside it together.
func (p *Project) validateTransitions(i int) error {
	s := p.Shots[i]
	t := s.Transition
	switch {
	case !slices.Contains(TransitionKinds, t.Kind):
		return shotErr(i, "transition.kind", "unknown transition %q; use cut, crossfade or dip_to_black", t.Kind)
	case t.Kind == Cut && t.Duration != 0:
		return shotErr(i, "transition.duration_ms", "a cut takes no time, but this one lasts %s; set it to 0 or choose a crossfade", Seconds(t.Duration))
	case t.Kind != Cut && t.Duration < MinTransition:
		return shotErr(i, "transition.duration_ms", "the %s lasts %s; make it at least %s, or use a cut", kindLabel(t.Kind), Seconds(t.Duration), Seconds(MinTransition))
	}
	in := time.Duration(0)
	if i > 0 {
		in = p.Shots[i-1].Transition.Overlap()
	}
	out := time.Duration(0)
	if i+1 < len(p.Shots) {
		out = t.Overlap()
	}
	if in+out > s.Duration {
		switch {
		case in == 0:
			return shotErr(i, "transition.duration_ms", "the %s to the next shot lasts %s, longer than this %s shot; shorten it", kindLabel(t.Kind), Seconds(out), Seconds(s.Duration))
		case out == 0:
			return shotErr(i, "duration_ms", "the %s from the previous shot lasts %s, longer than this %s shot; lengthen this shot or shorten that transition", kindLabel(p.Shots[i-1].Transition.Kind), Seconds(in), Seconds(s.Duration))
		default:
			return shotErr(i, "transition.duration_ms", "the transitions into (%s) and out of (%s) this shot together last longer than the shot (%s); shorten one of them", Seconds(in), Seconds(out), Seconds(s.Duration))
		}
	}
	if i+1 < len(p.Shots) && out > 0 {
		// The next shot's own check covers it too, but an edit of this shot
		// alone must not leave the next one invalid.
		next := p.Shots[i+1]
		nextOut := time.Duration(0)
		if i+2 < len(p.Shots) {
			nextOut = next.Transition.Overlap()
		}
		if out+nextOut > next.Duration {
			return shotErr(i, "transition.duration_ms", "the %s lasts %s, which does not fit in shot %d (%s long, %s of it already in its own transition); shorten it",
				kindLabel(t.Kind), Seconds(out), i+2, Seconds(next.Duration), Seconds(nextOut))
		}
	}
	return nil
}

func kindLabel(k TransitionKind) string {
	switch k {
	case DipToBlack:
		return "dip to black"
	case "":
		return "transition"
	}
	return string(k)
}

// CheckLength checks that p can be made into a film: at most MaxFilmLength
// long, transitions included, and at most MaxShots shots. It is apart from
// Validate so that a project stored before these limits still opens, to be
// cut down; a file cannot hold one (Decode checks), an edit cannot make one
// (Editor), and nothing renders one (render.CheckFilm).
func (p *Project) CheckLength() error {
	name := p.Title
	if strings.TrimSpace(name) == "" {
		name = "The film"
	}
	if l := p.Length(); l > MaxFilmLength {
		return projectErr("shots", "%s is %s long; a film can be at most %s, so shorten it or make it as two projects", name, FilmLength(l), FilmLength(MaxFilmLength))
	}
	if n := len(p.Shots); n > MaxShots {
		return projectErr("shots", "%s has %d shots; a film can have at most %d, so join or remove some", name, n, MaxShots)
	}
	return nil
}

// FilmLength writes a film's length as a person reads it: "13 h 53 min
// 20 s", "45 min", or "12.5 s" under a minute. Past a minute it counts
// whole seconds, rounding up, so that a film a little over a limit never
// reads as exactly the limit.
func FilmLength(d time.Duration) string {
	if d < time.Minute {
		return Seconds(d)
	}
	secs := int64((d + time.Second - 1) / time.Second)
	var parts []string
	for _, u := range []struct {
		n    int64
		name string
	}{{secs / 3600, "h"}, {secs / 60 % 60, "min"}, {secs % 60, "s"}} {
		if u.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", u.n, u.name))
		}
	}
	return strings.Join(parts, " ")
}

// RemoteServer is the render server and model a backend's name
// ("remote:gpu-box/animatic") names, if it names one.
func RemoteServer(backend string) (server, model string, ok bool) {
	rest, ok := strings.CutPrefix(backend, "remote:")
	server, model, cut := strings.Cut(rest, "/")
	return server, model, ok && cut && server != "" && model != ""
}
