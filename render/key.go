package render

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"slices"

	"github.com/slatestudio/slate/timeline"
)

// keyInput is everything that decides a clip's pixels and sound. The
// transition is not in it: transitions are applied when the film is
// assembled, so changing one re-renders nothing.
type keyInput struct {
	Backend string `json:"backend"`
	Version string `json:"version"`
	Width   int    `json:"width"`
	Height  int    `json:"height"`
	FPS     int    `json:"fps"`
	Frames  int    `json:"frames"`
	// Number and Title appear on animatic cards.
	Number   int             `json:"number"`
	Title    string          `json:"title"`
	Prompt   string          `json:"prompt"`
	Camera   timeline.Camera `json:"camera"`
	Lines    []keyLine       `json:"lines"`
	Cues     []keyCue        `json:"cues"`
	Seed     int64           `json:"seed"`
	Featured []keyCast       `json:"featured"`
	Continue bool            `json:"continue"`
	PrevKey  string          `json:"prev_key,omitempty"`
}

type keyLine struct {
	Speaker keyCast `json:"speaker"`
	Text    string  `json:"text"`
	StartMS int64   `json:"start_ms"`
	Voice   string  `json:"voice"`
	// VoiceVersion identifies the files of the voice the line is spoken
	// in (a Piper voice's model and config), so replacing them re-renders
	// the shot. Empty for espeak-ng voices, which keeps their keys as
	// they were before Piper voices.
	VoiceVersion string `json:"voice_version,omitempty"`
}

type keyCue struct {
	Kind        timeline.CueKind `json:"kind"`
	Description string           `json:"description"`
	// File is identified by its path, size and modification time: editing
	// the audio file re-renders the shot without hashing it every time.
	File       string  `json:"file"`
	FileSize   int64   `json:"file_size"`
	FileMod    int64   `json:"file_mod"`
	OffsetMS   int64   `json:"offset_ms"`
	StartMS    int64   `json:"start_ms"`
	DurationMS int64   `json:"duration_ms"`
	GainDB     float64 `json:"gain_db"`
}

// keyCast is a cast member as it affects a render: their place in the cast
// decides their default voice.
type keyCast struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Voice string `json:"voice"`
	Index int    `json:"index"`
	// Still and Preferences are the featured member's likeness.
	Still       string `json:"still,omitempty"`
	Preferences string `json:"preferences,omitempty"`
	// Description is a character's, folded into the prompt.
	Description string `json:"description,omitempty"`
}

func castKey(cast []timeline.CastRef, id string) keyCast {
	if id == timeline.Narrator {
		return keyCast{ID: id, Index: -1}
	}
	i := slices.IndexFunc(cast, func(c timeline.CastRef) bool { return c.ID == id })
	if i < 0 {
		return keyCast{ID: id, Index: -1}
	}
	k := keyCast{ID: id, Name: cast[i].Name, Voice: cast[i].Voice, Index: i}
	if cast[i].Character {
		k.Description = cast[i].Description
	}
	return k
}

// Key is the render cache key of req on backend b: a sha256 over every
// input that changes the clip's pixels or sound, the files of the Piper
// voices its lines are spoken in included (see VoicedBackend). Equal keys
// mean the clip can be reused.
func Key(b Backend, req *Request) string {
	s := req.Shot
	in := keyInput{
		Backend: b.Name(), Version: b.Version(),
		Width: req.Format.Width, Height: req.Format.Height, FPS: req.Format.FPS,
		Frames: req.Frames(), Number: req.Index + 1, Title: s.Title, Prompt: s.Prompt,
		Camera: s.Camera, Seed: s.Seed, Continue: s.Continue,
	}
	if s.Continue && b.Capabilities().ImageConditioning {
		in.PrevKey = req.PrevKey
	}
	var vs Voices
	for _, l := range s.Lines {
		if vs == nil {
			vs = voicesOf(b)
		}
		in.Lines = append(in.Lines, keyLine{castKey(req.Cast, l.Speaker), l.Text, l.Start.Milliseconds(), l.Voice, vs.Version(VoiceFor(req.Cast, l))})
	}
	for _, c := range s.Cues {
		k := keyCue{Kind: c.Kind, Description: c.Description, File: c.File,
			OffsetMS: c.Offset.Milliseconds(), StartMS: c.Start.Milliseconds(), DurationMS: c.Duration.Milliseconds(), GainDB: c.GainDB}
		if c.File != "" {
			if fi, err := os.Stat(c.File); err == nil {
				k.FileSize, k.FileMod = fi.Size(), fi.ModTime().UnixNano()
			}
		}
		in.Cues = append(in.Cues, k)
	}
	for _, id := range s.Cast {
		c := castKey(req.Cast, id)
		if l, ok := req.Likeness[id]; ok {
			c.Still, c.Preferences = l.StillSHA256, l.Preferences
		}
		in.Featured = append(in.Featured, c)
	}
	b2, _ := json.Marshal(in) // plain data: cannot fail
	sum := sha256.Sum256(b2)
	return hex.EncodeToString(sum[:])
}
