// Package libraryui is the studio's library and render queue: the Library
// tab (the projects stored here, made, opened, duplicated, deleted,
// imported and exported as .slate files, and the open project's rendered
// clips and exported films), the Render queue tab (every job, its progress, and cancelling,
// retrying or opening it), the export of the film (File ▸ Export film),
// and the pictures on the timeline's cards.
package libraryui

import (
	"context"
	"log/slog"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"

	"github.com/slatestudio/slate/internal/clock"
	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/studio/session"
	"github.com/slatestudio/slate/timeline"
)

// Session is what the library views use of the open studio;
// *session.Session is the one the studio passes.
type Session interface {
	session.Runner
	Listen(session.Listener)
	Project() *timeline.Project
	// Open makes another project the open one.
	Open(ctx context.Context, doc *library.Document)
	// Edit applies a change to the open project (its settings).
	Edit(ctx context.Context, c timeline.Command) error
	// Select and SetPlayhead show a finished job's shot.
	Select(ids ...string)
	SetPlayhead(frame int)
	// KeyOf, ClipOf and Request say which clip each shot has, and draw
	// the card of one without.
	KeyOf(i int) string
	ClipOf(i int) (library.Clip, bool)
	Request(i int) *render.Request
	// Likeness is what the film's renders use of the cast.
	Likeness() map[string]render.Likeness
	// CheckClip makes sure a clip is whole before another program plays it.
	CheckClip(sum string, shot int) error
}

// Deps are what the library views work with, handed in by the studio.
type Deps struct {
	Session Session
	// App opens a clip in the system's player and holds the clipboard;
	// Window is the studio's, which the dialogs open over.
	App    fyne.App
	Window fyne.Window
	// Library holds the projects, clips and their thumbnails; Queue
	// renders the shots.
	Library *library.Library
	Queue   *render.Queue
	// Backends open the animatic, which draws the cards of shots not yet
	// rendered; Backend renders the shots that name none in an export.
	Backends *render.Registry
	Backend  string
	Tools    media.Tools
	// Consent grants the export of a film that features other people's
	// cast members; nil refuses such films.
	Consent render.Consent
	// Clock tells how long ago a project changed; nil means the
	// computer's.
	Clock clock.Clock
	// Log is slog.Default() when nil.
	Log *slog.Logger
	// Report and Problem show what went wrong: an error, or a title and
	// what to do about it.
	Report  func(error)
	Problem func(title, message string) dialog.Dialog
	// RenderAll is the studio's Render ▸ Render all shots, which the
	// queue's Render all button does too.
	RenderAll func(ctx context.Context)
	// ThumbnailReady tells the timeline that a card's picture is made.
	ThumbnailReady func()
	// FilmSync says in a few quiet words how a film (by sha256) stands
	// with sync between devices: "synced", "uploading 42 %"; "" says
	// nothing. It runs off the UI goroutine; nil says nothing.
	FilmSync func(ctx context.Context, sum string) string
}

// withDefaults fills in what a Deps may leave out.
func (d Deps) withDefaults() Deps {
	d.Clock = clock.Or(d.Clock)
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Backend == "" {
		d.Backend = render.DefaultBackend
	}
	if d.ThumbnailReady == nil {
		d.ThumbnailReady = func() {}
	}
	return d
}
