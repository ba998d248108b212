// Package storyboard is the studio's storyboard: the timeline strip along
// the bottom of the window, one card per shot, and the inspector that
// edits the selected shot. Every change is a timeline command applied
// through the session, which validates and saves it before it shows.
package storyboard

import (
	"context"
	"image"

	"fyne.io/fyne/v2"

	"github.com/slatestudio/slate/internal/clock"
	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/studio/session"
	"github.com/slatestudio/slate/timeline"
)

// Session is what the storyboard reads and changes of the open studio;
// *session.Session is the one the studio passes.
type Session interface {
	session.Runner
	Listen(session.Listener)
	Project() *timeline.Project
	Edit(context.Context, timeline.Command) error
	EditOrReport(context.Context, timeline.Command)

	Selected() []string
	IsSelected(id string) bool
	Primary() *timeline.Shot
	Select(ids ...string)
	Playhead() int
	SetPlayhead(frame int)
	// ShowShot brings the preview to an edited shot.
	ShowShot(id string)

	KeyOf(i int) string
	ClipOf(i int) (library.Clip, bool)
	Cast() []library.CastMember
	FeatureMember(ctx context.Context, m library.CastMember, shotIDs ...string)

	AddShot(context.Context)
	DuplicateShot(context.Context)
	SplitAtPlayhead(context.Context)
	DeleteSelected(context.Context)
}

// Deps are what the storyboard's views work with, handed in by the
// studio.
type Deps struct {
	Session Session
	// Window shows the dialogs and pop-up menus.
	Window fyne.Window
	// Clock times the pause in typing after which a prompt is saved.
	Clock clock.Clock
	// Backends are the backends a shot may name, and DefaultBackend the
	// one it renders on when it names none.
	Backends       []string
	DefaultBackend string
	// Thumbnail is shot i's picture for its card, or nil while it is
	// being made; the studio calls Strip.ThumbnailReady when one is.
	Thumbnail func(i int) image.Image
	// Voices speak the lines of dialogue the timeline's dialogue lane
	// draws the waveforms of, as the soundtrack speaks them (the
	// animatic's); nil leaves the lane's lines without waveforms.
	Voices render.Voices
	// RenderSelected is the studio's Render shot, which the strip's menu
	// offers too: it also brings the render queue forward.
	RenderSelected func()
	// NewCharacter opens the character editor, which calls save with the
	// character made; the speaker list offers "New character…" when it
	// is set.
	NewCharacter func(save func(timeline.CastRef) error)
	// ClipSync says, in a few quiet words, how a shot's clip stands with
	// sync between devices ("uploading 42 %", "synced"); nil or "" says
	// nothing. The studio calls Strip.ThumbnailReady when they change.
	ClipSync func(shotID string) string
}
