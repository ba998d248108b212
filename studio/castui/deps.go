// Package castui is the studio's cast: the panel that lists the cast
// members recorded here (and other people's the person may feature), with
// who may use each likeness, and the wizard that records a new one with
// the camera and microphone and checks the take is live.
package castui

import (
	"context"
	"log/slog"

	"fyne.io/fyne/v2"

	"github.com/slatestudio/slate/consent"
	"github.com/slatestudio/slate/internal/clock"
	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/studio/session"
	"github.com/slatestudio/slate/timeline"
)

// Session is what the cast panel and the wizard use of the open studio;
// *session.Session is the one the studio passes.
type Session interface {
	session.Runner
	Listen(session.Listener)
	Cast() []library.CastMember
	ReloadCast(context.Context)
	Project() *timeline.Project
	Edit(context.Context, timeline.Command) error
	Selected() []string
	FeatureMember(ctx context.Context, m library.CastMember, shotIDs ...string)
}

// Deps are what the cast panel and the wizard work with, handed in by the
// studio.
type Deps struct {
	Session Session
	// App opens the wizard's window; Window shows the panel's dialogs.
	App    fyne.App
	Window fyne.Window
	// Library stores the members and their media.
	Library *library.Library
	Tools   media.Tools
	// CaptureClock paces and stamps the capture devices of a take; nil
	// means the real clock.
	CaptureClock clock.Clock
	// Log is slog.Default() when nil.
	Log *slog.Logger
	// Report shows a failure to the person.
	Report func(error)
	// ShotAt is the shot whose timeline card is at a point of the main
	// window's canvas, where a member was dropped.
	ShotAt func(pos fyne.Position) (shotID string, ok bool)
	// ShowCast brings the cast panel forward, once a member is saved.
	ShowCast func()
	// CloseWindow closes the wizard's window, safely, after closed has
	// tidied up after it.
	CloseWindow func(w fyne.Window, closed func())
	// VoiceDirs are where the character editor finds Piper voices, as
	// the Models window does; espeak-ng's come from Tools.
	VoiceDirs []string
	// Audio is where Hear it speaks; nil says there is no sound output.
	Audio AudioOut
	// Clock times how long Hear it's sound plays; nil means the real one.
	Clock clock.Clock
}

// levelLabels are the consent levels as the person reads them.
func levelLabels() []string {
	out := make([]string, len(consent.Levels))
	for i, l := range consent.Levels {
		out[i] = l.Label()
	}
	return out
}
