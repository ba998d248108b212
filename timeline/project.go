// Package timeline is Slate's storyboard domain: a Project of ordered Shots,
// their dialogue Lines, sound Cues and Transitions, edits with undo and redo,
// validation, frame-exact timecode and the .slate file format.
//
// It is pure: no GUI, no files, no processes. Everything that persists,
// renders or displays a project builds on these types.
package timeline

import (
	"crypto/rand"
	"encoding/hex"
	"slices"
	"time"
)

// Project is a storyboard: a film planned as an ordered list of shots.
//
// Shots are treated as values once they are in a project: code outside this
// package reads them and changes them only through commands (see Editor), so
// the undo history can keep the old *Shot without copying it.
type Project struct {
	// ID identifies the project in the library; it is not part of a .slate
	// file, since an imported file becomes a new project.
	ID     string
	Title  string
	Width  int
	Height int
	FPS    int
	Cast   []CastRef
	Shots  []*Shot
}

// CastRef names someone a project can feature and give lines to: a cast
// member recorded in the library, or a character written for this film
// (Character set), who needs no recording and no consent.
type CastRef struct {
	ID     string
	Name   string
	Handle string
	// Voice is the voice this member speaks with unless a line sets its own;
	// empty lets the renderer choose a distinct one.
	Voice string
	// Character marks a character of this project's own rather than a
	// recorded member: its ID is the project's, not the library's.
	Character bool
	// Description says what the character looks like and how they act; it
	// is added to the prompt of every shot featuring them. Characters only.
	Description string
	// Image is the sha256 of the character's reference picture in the
	// library's blob store; empty for none. Characters only.
	Image string
	// Member is the ID of the recorded cast member who plays the
	// character; empty for none. Once set, that member's likeness and the
	// consent it needs go with the character. Characters only.
	Member string
}

// Narrator is the speaker of lines that no cast member says.
const Narrator = "narrator"

// Shot is one continuous piece of the film.
type Shot struct {
	// ID is stable across edits and moves; the library and render cache
	// refer to shots by it.
	ID       string
	Title    string
	Prompt   string
	Duration time.Duration
	Camera   Camera
	Lines    []Line
	Cues     []Cue
	// Transition joins this shot to the next one; the last shot's is unused.
	Transition Transition
	Seed       int64
	// Cast lists the IDs of the cast members featured in the shot.
	Cast []string
	// Continue asks the renderer to start from the previous shot's last frame.
	Continue bool
	// Backend overrides the project's render backend for this shot; empty
	// uses the default.
	Backend string
}

// Camera is how a shot is framed and how the camera moves over it.
type Camera struct {
	Framing Framing
	Move    Move
}

// Framing is how much of the subject a shot shows.
type Framing string

// The framings a shot can have.
const (
	Wide           Framing = "wide"
	Medium         Framing = "medium"
	CloseUp        Framing = "close_up"
	ExtremeCloseUp Framing = "extreme_close_up"
)

// Framings lists every framing in the order a picker shows them.
var Framings = []Framing{Wide, Medium, CloseUp, ExtremeCloseUp}

// Label is the framing as a person writes it.
func (f Framing) Label() string {
	switch f {
	case Wide:
		return "wide"
	case Medium:
		return "medium"
	case CloseUp:
		return "close-up"
	case ExtremeCloseUp:
		return "extreme close-up"
	}
	return string(f)
}

// Move is the camera's motion over a shot.
type Move string

// The camera moves a shot can have.
const (
	Static   Move = "static"
	PanLeft  Move = "pan_left"
	PanRight Move = "pan_right"
	TiltUp   Move = "tilt_up"
	TiltDown Move = "tilt_down"
	DollyIn  Move = "dolly_in"
	DollyOut Move = "dolly_out"
	ZoomIn   Move = "zoom_in"
	ZoomOut  Move = "zoom_out"
)

// Moves lists every camera move in the order a picker shows them.
var Moves = []Move{Static, PanLeft, PanRight, TiltUp, TiltDown, DollyIn, DollyOut, ZoomIn, ZoomOut}

// Label is the move as a person writes it.
func (m Move) Label() string {
	switch m {
	case Static:
		return "static"
	case PanLeft:
		return "pan left"
	case PanRight:
		return "pan right"
	case TiltUp:
		return "tilt up"
	case TiltDown:
		return "tilt down"
	case DollyIn:
		return "dolly in"
	case DollyOut:
		return "dolly out"
	case ZoomIn:
		return "zoom in"
	case ZoomOut:
		return "zoom out"
	}
	return string(m)
}

// Line is one line of dialogue, spoken from Start within its shot.
type Line struct {
	// Speaker is a cast member's ID or Narrator.
	Speaker string
	Text    string
	Start   time.Duration
	// Voice overrides the speaker's voice for this line; empty keeps it.
	Voice string
}

// CueKind says what a sound cue is for.
type CueKind string

// The kinds of sound cue.
const (
	Ambience CueKind = "ambience"
	SFX      CueKind = "sfx"
	Music    CueKind = "music"
)

// CueKinds lists every cue kind.
var CueKinds = []CueKind{Ambience, SFX, Music}

// Cue is a sound placed in a shot: ambience, an effect or music.
type Cue struct {
	Kind        CueKind
	Description string
	// File is an audio file to play; empty means the cue is only described.
	File string
	// Offset is where in File playback begins, so a cue cut by a split or
	// trim carries on where it was rather than starting the file again.
	Offset   time.Duration
	Start    time.Duration
	Duration time.Duration
	GainDB   float64
}

// TransitionKind is how one shot gives way to the next.
type TransitionKind string

// The transitions between shots.
const (
	Cut        TransitionKind = "cut"
	Crossfade  TransitionKind = "crossfade"
	DipToBlack TransitionKind = "dip_to_black"
)

// TransitionKinds lists every transition kind.
var TransitionKinds = []TransitionKind{Cut, Crossfade, DipToBlack}

// Transition joins a shot to the next. Crossfades and dips overlap the two
// shots by Duration; a cut has none.
type Transition struct {
	Kind     TransitionKind
	Duration time.Duration
}

// Overlap is how long the transition overlaps the shots it joins.
func (t Transition) Overlap() time.Duration {
	if t.Kind == Cut || t.Kind == "" {
		return 0
	}
	return t.Duration
}

// Size is a frame size in pixels.
type Size struct{ Width, Height int }

// Presets are the frame sizes offered for a new project.
var Presets = []Size{{1280, 720}, {1920, 1080}, {720, 1280}, {1080, 1920}, {1080, 1080}}

// Rates are the frame rates a project can have.
var Rates = []int{24, 25, 30}

// New returns an empty project with the given title, 1280×720 at 24 fps.
func New(title string) *Project {
	return &Project{Title: title, Width: 1280, Height: 720, FPS: 24}
}

// NewShot returns a shot with a fresh ID and sensible defaults: four seconds,
// a static medium shot, a cut to the next.
func NewShot(title string) *Shot {
	return &Shot{
		ID:         NewID(),
		Title:      title,
		Duration:   4 * time.Second,
		Camera:     Camera{Framing: Medium, Move: Static},
		Transition: Transition{Kind: Cut},
	}
}

// NewID returns a random identifier for a shot or project.
func NewID() string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("timeline: no randomness: " + err.Error()) // crypto/rand never fails on supported systems
	}
	return hex.EncodeToString(b[:])
}

// Clone returns a deep copy of the shot, sharing nothing with it.
func (s *Shot) Clone() *Shot {
	c := *s
	c.Lines = slices.Clone(s.Lines)
	c.Cues = slices.Clone(s.Cues)
	c.Cast = slices.Clone(s.Cast)
	return &c
}

// Clone returns a deep copy of the project. Shots are copied too, so the
// copy can be handed to another goroutine (a renderer) while edits go on.
func (p *Project) Clone() *Project {
	c := *p
	c.Cast = slices.Clone(p.Cast)
	c.Shots = make([]*Shot, len(p.Shots))
	for i, s := range p.Shots {
		c.Shots[i] = s.Clone()
	}
	return &c
}

// Index returns the position of the shot with the given ID, or -1.
func (p *Project) Index(id string) int {
	for i, s := range p.Shots {
		if s.ID == id {
			return i
		}
	}
	return -1
}

// Shot returns the shot with the given ID, or nil.
func (p *Project) Shot(id string) *Shot {
	if i := p.Index(id); i >= 0 {
		return p.Shots[i]
	}
	return nil
}

// CastMember returns the cast reference with the given ID.
func (p *Project) CastMember(id string) (CastRef, bool) {
	for _, c := range p.Cast {
		if c.ID == id {
			return c, true
		}
	}
	return CastRef{}, false
}

// SpeakerName is how a line's speaker is shown: the cast member's name, or
// "Narrator".
func (p *Project) SpeakerName(speaker string) string {
	if speaker == Narrator || speaker == "" {
		return "Narrator"
	}
	if c, ok := p.CastMember(speaker); ok && c.Name != "" {
		return c.Name
	}
	return speaker
}
