// Package studio is Slate's GUI: the desktop studio's main window, built
// with Fyne. It is the shell: the window, its menus and shortcuts, and the
// wiring of the rooms that fill it, each a package of its own given only
// what it uses: storyboard (the timeline strip and the inspector), player
// (the preview), castui (the cast panel and the recording wizard),
// libraryui (the library, the render queue, the film export and the
// cards' pictures), accountui (log-in, the consent dashboard and the
// account's devices), modelsui (the models window) and syncui (what sync
// between devices shows, and the storage window). What they share of
// the open project (the document, selection, playhead, clips and cast) is
// the session (studio/session), which holds no widgets. No business rules
// live here: every change to a project is a timeline command applied
// through the library's Document, which validates it and saves it before
// it shows.
//
// It never imports fyne.io/fyne/v2/app: cmd/slate makes the app and hands it
// in, so every view can be tested headlessly with fyne.io/fyne/v2/test
// (studio/studiotest builds the rest of a studio for tests).
//
// One thread for the UI: background work (rendering, probing, thumbnails,
// decoding, disk I/O) runs on goroutines and reports back through fyne.Do.
package studio

import (
	"context"
	"image"
	"log/slog"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/slatestudio/slate/icons"
	"github.com/slatestudio/slate/internal/clock"
	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/render/animatic"
	"github.com/slatestudio/slate/sharing"
	"github.com/slatestudio/slate/studio/accountui"
	"github.com/slatestudio/slate/studio/castui"
	"github.com/slatestudio/slate/studio/libraryui"
	"github.com/slatestudio/slate/studio/look"
	"github.com/slatestudio/slate/studio/modelsui"
	"github.com/slatestudio/slate/studio/player"
	"github.com/slatestudio/slate/studio/session"
	"github.com/slatestudio/slate/studio/storyboard"
	"github.com/slatestudio/slate/studio/uikit"
	"github.com/slatestudio/slate/timeline"
)

// AudioOut is a sound output the player feeds; playback.Output is the
// real one.
type AudioOut = player.AudioOut

// Models are the model packs and voices the models window shows.
type Models = modelsui.Models

// Deps are what the studio works with, built by cmd/slate (or a test).
type Deps struct {
	Library  *library.Library
	Doc      *library.Document
	Queue    *render.Queue
	Backends *render.Registry
	// Backend renders shots that name none; the animatic by default.
	Backend string
	Tools   media.Tools
	// Audio is where the player's sound goes; nil plays silently (and the
	// player says so).
	Audio AudioOut
	// Clock tells the time; nil means the computer's. Tests pass one they
	// move by hand, so nothing in them sleeps.
	Clock clock.Clock
	Log   *slog.Logger
	// CaptureClock paces and stamps the capture devices of the cast
	// recording; nil means the real clock.
	CaptureClock clock.Clock
	// Models are the model packs and voices the studio shows; nil shows
	// none.
	Models *Models
	// Servers are the render servers shots may render on (Render ▸
	// Render servers…); their backends are registered in Backends. Nil
	// keeps none.
	Servers Servers
	// Sharing is the studio's one link to the account server (package
	// sharing's Service in cmd/slate): it grants the export of a film that
	// features other people's cast members, and serves the Account menu.
	// Nil leaves the studio offline, refusing such exports, and its
	// Account menu says so. The Queue asks its own consent for each shot.
	Sharing Sharing
	// Do runs a function on the UI goroutine; fyne.Do by default. Tests
	// queue the functions and run them on the test's goroutine, so that
	// background work never touches widgets from another goroutine there
	// either.
	Do func(func())
}

// Sharing is what the studio asks of the account server, through package
// sharing: the consent that a film export asks before featuring other
// people's cast members, and the log-in, consent dashboard and devices of
// the Account menu (accountui).
type Sharing interface {
	render.Consent
	accountui.Sharing
}

// Studio is the main window over one open project: the shell that holds
// the rooms (storyboard, player, cast, …), their menus and shortcuts, and
// wires them to the session they share.
type Studio struct {
	app  fyne.App
	win  fyne.Window
	deps Deps
	// stop ends the context the studio's work runs under (New's); done
	// is set first, once shutdown has run.
	stop context.CancelFunc
	done atomic.Bool
	// stopped is closed when the studio has stopped its work (shutdown).
	stopped chan struct{}

	// session is the open project, its selection, playhead, clips and
	// cast: what every view reads and changes.
	session *session.Session

	menu      menuItems
	side      *container.AppTabs
	timeline  *storyboard.Strip
	inspector *storyboard.Inspector
	player    *player.Player
	library   *libraryui.Panel
	queue     *libraryui.QueuePanel
	thumbs    *libraryui.Thumbnails
	castView  *castui.Panel
	account   *accountui.Account
	// sync shows sync between devices (sync.go, SetSync).
	sync syncView
	// splits are the dividers between the window's parts, remembered
	// with the window's size in the data folder (layout.go).
	splits splits
	// libraryDeps are what the library room works with, for File ▸
	// Export film.
	libraryDeps libraryui.Deps
	// quitting: the driver has stopped and the windows are gone; an
	// edit still being saved must not reach for them.
	quitting bool
}

// New builds the studio's main window for d.Doc. It does not show it;
// call ShowAndRun, or Window().Show(). The studio's work (saving edits,
// rendering, reading the library) runs under a context with ctx's values
// that ends when the studio does, not before: an edit being typed when
// ctx is cancelled (Ctrl-C) is still saved by Quit.
func New(ctx context.Context, a fyne.App, d Deps) *Studio {
	d.Clock = clock.Or(d.Clock)
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Backend == "" {
		d.Backend = render.DefaultBackend
	}
	if d.Do == nil {
		d.Do = fyne.Do
	}
	ctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	s := &Studio{app: a, deps: d, stop: stop, stopped: make(chan struct{})}
	s.session = session.New(session.Options{
		Library: d.Library, Doc: d.Doc, Queue: d.Queue, Backends: d.Backends, Backend: d.Backend,
		Log: d.Log, Do: d.Do, Report: s.report,
	})
	// The studio's colours: Fyne's, with those that read too faint made
	// to meet WCAG AA contrast (studio/look).
	a.Settings().SetTheme(look.New())
	icon := fyne.NewStaticResource("slate.png", icons.AppPNG)
	a.SetIcon(icon)
	s.win = a.NewWindow(windowTitle(d.Doc.Project()))
	s.win.SetIcon(icon)
	// Closing the main window quits the studio (see Quit); a Close()
	// from code (tests) still shuts it down.
	s.win.SetCloseIntercept(s.Quit)
	s.win.SetOnClosed(s.shutdown)

	// The rooms, each given what it uses; each follows the session.
	s.libraryDeps = libraryui.Deps{
		Session: s.session, App: a, Window: s.win, Library: d.Library, Queue: d.Queue,
		Backends: d.Backends, Backend: d.Backend, Tools: d.Tools, Consent: d.Sharing,
		Clock: d.Clock, Log: d.Log, Report: s.report, Problem: s.problem,
		RenderAll:      s.renderAll,
		ThumbnailReady: func() { s.timeline.ThumbnailReady() },
		FilmSync:       s.filmSync,
	}
	s.thumbs = libraryui.NewThumbnails(s.libraryDeps)
	s.newSync(ctx)
	var anim render.Backend
	if b, err := d.Backends.Open(animatic.Name); err == nil {
		anim = b
	}
	board := storyboard.Deps{
		Session: s.session, Window: s.win, Clock: d.Clock,
		Backends: d.Backends.Names(), DefaultBackend: d.Backend,
		Thumbnail:      func(i int) image.Image { return s.thumbs.Get(ctx, i) },
		RenderSelected: func() { s.renderSelected(ctx) },
		NewCharacter:   func(save func(timeline.CastRef) error) { s.castView.NewCharacter(ctx, save) },
		ClipSync:       s.clipSync,
	}
	if vb, ok := anim.(render.VoicedBackend); ok {
		// The dialogue lane voices lines as the animatic's soundtrack does.
		board.Voices = vb.Voices()
	}
	s.timeline = storyboard.NewStrip(ctx, board)
	s.inspector = storyboard.NewInspector(ctx, board)
	s.queue = libraryui.NewQueuePanel(ctx, s.libraryDeps)
	s.player = player.New(ctx, player.Deps{
		Session: s.session, Animatic: anim, Audio: d.Audio, Clock: d.Clock,
		Tools: d.Tools, Blobs: d.Library.Blobs(),
	})
	s.session.SetPlayer(s.player.Playing) // selecting a shot moves the playhead unless playing
	s.library = libraryui.NewPanel(ctx, s.libraryDeps)
	s.castView = castui.NewPanel(ctx, castui.Deps{
		Session: s.session, App: a, Window: s.win, Library: d.Library, Tools: d.Tools,
		CaptureClock: d.CaptureClock, Log: d.Log, Report: s.report,
		ShotAt:      s.timeline.ShotAt,
		ShowCast:    func() { s.side.SelectIndex(2) },
		CloseWindow: s.closeWindow,
		VoiceDirs:   d.voiceDirs(), Audio: d.Audio, Clock: d.Clock,
	})
	s.account = accountui.New(accountui.Deps{
		Session: s.session, Sharing: d.Sharing, Library: d.Library, App: a, Window: s.win,
		Clock: d.Clock, Log: d.Log, Problem: s.problem, CloseWindow: s.closeWindow,
		Changed: s.accountChanged,
	})
	// The shell's own part: the title and the menus.
	s.session.Listen(session.Listener{
		ProjectChanged: func(timeline.Change) {
			s.win.SetTitle(windowTitle(s.Project()) + s.account.Title())
			s.refreshMenus()
			s.syncShots()
		},
		ClipsChanged:     s.syncShots,
		SelectionChanged: s.refreshMenus,
	})

	s.side = container.NewAppTabs(
		container.NewTabItem("Library", s.library.View()),
		container.NewTabItem("Render queue", s.queue.View()),
		container.NewTabItem("Cast", s.castView.View()),
	)
	layout := loadLayout(d.Library.Dir())
	var all fyne.CanvasObject
	s.splits, all = newSplits(s.side, s.player.View(), s.timeline.View(), s.inspector.View(), layout)
	var content fyne.CanvasObject = all
	if line := s.account.StatusLine(); line != nil {
		// Who is logged in, and at its end how sync between devices goes.
		status := container.NewBorder(nil, nil, nil, s.sync.bar.View(), line)
		s.sync.bar.SetRelayout(status.Refresh)
		content = container.NewBorder(nil, status, nil, nil, all)
	}
	// The buttons' tooltips show over the whole window.
	s.win.SetContent(uikit.WithTips(content))
	s.win.SetMainMenu(s.mainMenu(ctx))
	s.addShortcuts(ctx)
	s.win.Resize(fyne.NewSize(layout.Width, layout.Height))

	s.session.Open(ctx, d.Doc)
	s.refreshAccountMenu()
	s.session.Watch(ctx)
	s.session.ReloadCast(ctx)
	return s
}

// Stopped is closed once the studio has stopped its work and saved what
// was being typed: after Quit, whatever Fyne's driver does next.
func (s *Studio) Stopped() <-chan struct{} { return s.stopped }

// Window is the main window.
func (s *Studio) Window() fyne.Window { return s.win }

// ShowAndRun shows the main window and runs the app until the studio
// quits. Call it from the main goroutine.
func (s *Studio) ShowAndRun() {
	s.win.ShowAndRun()
	if !s.done.Load() {
		// The driver stopped without Quit (Fyne's own SIGTERM handler can
		// get there first): what was being typed is saved all the same,
		// without the views, which went with the driver.
		s.quitting = true
		s.session.Detach()
		storyboard.SaveTyping(s.win.Canvas())
	}
	s.shutdown()
}

// Quit ends the studio: menu File ▸ Quit, Ctrl+Q, the main window's close
// button and (from cmd/slate) Ctrl-C and SIGTERM all come here. Call it
// on the UI goroutine.
//
// It stops the studio's work and then Fyne's driver, and closes no
// window. Fyne's GLFW driver (v2.7.1) marks a closed window's viewport
// gone at once but destroys the window only at the next tick of its event
// loop; a pointer moving over the window in between makes the driver set
// the mouse cursor on the missing viewport (window.processMouseMoved →
// glfw.(*Window).SetInputMode on nil), a panic that struck 8 of 20 starts
// quit with the pointer over the window. fyne.App.Quit closes every
// window first, and so did the window's close button. The driver's Quit
// ends the loop instead, and glfw.Terminate takes the windows with it.
func (s *Studio) Quit() {
	// What the person is typing in the field they are in (a prompt
	// waiting for its pause in typing, a title not yet entered) is saved,
	// as leaving the field would: quitting must not lose it.
	storyboard.SaveTyping(s.win.Canvas())
	s.shutdown()
	s.app.Driver().Quit()
}

// closeDelay is how long one of the studio's other windows stays hidden
// before it is closed: long enough for the pointer events sent before it
// was hidden to have arrived (see closeWindow).
const closeDelay = 250 * time.Millisecond

// closeWindow closes one of the studio's other windows (the recording
// wizard, the consent dashboard) after closed has tidied up after it. The
// window is hidden at once and closed a moment later: closing it at once
// would leave it open to the panic Quit explains, should the pointer be
// moving over it, while a hidden window gets no pointer events. If the
// studio quits meanwhile, the driver takes the window with it.
func (s *Studio) closeWindow(w fyne.Window, closed func()) {
	closed()
	w.Hide()
	s.deps.Clock.AfterFunc(closeDelay, func() { s.session.OnUI(w.Close) })
}

func windowTitle(p *timeline.Project) string {
	return p.Title + " — Slate"
}

// shutdown stops the studio's work: the recording wizard's devices, the
// player, and every background job (their reports to the UI are dropped
// from now on). It closes no window (see Quit), and runs once.
func (s *Studio) shutdown() {
	if s.done.Swap(true) {
		return
	}
	defer close(s.stopped)
	if err := saveLayout(s.deps.Library.Dir(), s.win.Canvas().Size(), s.splits); err != nil {
		s.deps.Log.Warn("studio: remember the window's layout", "err", err)
	}
	s.castView.Close()
	s.account.Close()
	s.player.Close()
	s.session.Close()
	s.stop()
}

// Project is the open project. Read it on the UI goroutine only; give
// background work a Clone.
func (s *Studio) Project() *timeline.Project { return s.session.Project() }

// showQueue brings the render queue panel to the front.
func (s *Studio) showQueue() { s.side.SelectIndex(1) }

// problem tells the person that something did not work: title says what,
// message why and what to do about it.
func (s *Studio) problem(title, message string) dialog.Dialog {
	s.deps.Log.Warn("studio", "problem", title, "detail", message)
	text := &widget.Label{Text: message, Wrapping: fyne.TextWrapWord}
	d := dialog.NewCustom(title, "Close", text, s.win)
	d.SetIcon(theme.ErrorIcon())
	w := min(560, s.win.Canvas().Size().Width*0.8)
	d.Resize(fyne.NewSize(w, d.MinSize().Height))
	d.Show()
	uikit.DialogKeys(s.win, d.Hide, d.Hide)
	return d
}

// report shows an error to the person: what went wrong and what to do.
func (s *Studio) report(err error) {
	s.deps.Log.Warn("studio", "err", err)
	if s.quitting {
		return // no window to show it in
	}
	uikit.ShowError(err, s.win)
}

// AccountChanged brings what shows the account up to date after a log-in,
// a log-out or a restored session; what it reads again runs under ctx. It
// may be called from any goroutine.
func (s *Studio) AccountChanged(ctx context.Context) { s.account.AccountChanged(ctx) }

// Synced shows what a background sync did (see accountui), reading the
// library under ctx. It may be called from any goroutine; cmd/slate calls
// it after each sync of sharing.Service.Run.
func (s *Studio) Synced(ctx context.Context, r sharing.Report, err error) {
	s.account.Synced(ctx, r, err)
}

// accountChanged follows who is logged in: the window's title and the
// Account menu.
func (s *Studio) accountChanged() {
	s.win.SetTitle(windowTitle(s.Project()) + s.account.Title())
	s.refreshAccountMenu()
}
