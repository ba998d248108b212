// Package player is the studio's preview player: the film's picture and
// sound at the playhead, drawn from each shot's rendered clip or, until it
// has one, its animatic card and spoken dialogue, with transport controls
// and the bare keys of video editors.
package player

import (
	"github.com/slatestudio/slate/internal/clock"
	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/render/animatic"
	"github.com/slatestudio/slate/studio/session"
	"github.com/slatestudio/slate/timeline"
)

// Session is what the player reads of the open studio, and the playhead
// it moves; *session.Session is the one the studio passes.
type Session interface {
	session.Runner
	Listen(session.Listener)
	Project() *timeline.Project
	Selected() []string
	Select(ids ...string)
	Playhead() int
	SetPlayhead(frame int)
	Request(i int) *render.Request
	KeyOf(i int) string
	ClipOf(i int) (library.Clip, bool)
	CheckClip(sum string, shot int) error
}

// Deps are what the player works with, handed in by the studio.
type Deps struct {
	Session Session
	// Animatic draws the shots' cards and speaks their lines; nil shows
	// no preview (and the player says so).
	Animatic render.Backend
	// Audio is where the sound goes; nil plays silently (and the player
	// says so).
	Audio AudioOut
	Clock clock.Clock
	Tools media.Tools
	// Blobs holds the rendered clips.
	Blobs *library.Blobs
}

// previewer is what the player needs of the animatic backend: frames
// drawn straight to images.
type previewer interface {
	Preview(req *render.Request, captions []render.Caption, w, h int) *animatic.Preview
}
