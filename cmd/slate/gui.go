package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/examples"
	"github.com/slatestudio/slate/internal/cli"
	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/ml/pack"
	"github.com/slatestudio/slate/playback"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/render/remote"
	"github.com/slatestudio/slate/servers"
	"github.com/slatestudio/slate/sharing"
	"github.com/slatestudio/slate/sharing/projectsync"
	"github.com/slatestudio/slate/studio"
	"github.com/slatestudio/slate/studio/modelsui"
	"github.com/slatestudio/slate/timeline"
	"github.com/slatestudio/slate/voices"
)

// quitGrace is how long the studio has to close after Ctrl-C or SIGTERM.
const quitGrace = 15 * time.Second

// gui opens the studio on the project at path, or with path empty on the
// most recent project, and runs it until it quits or ctx is cancelled. It
// must run on the main goroutine.
func gui(ctx context.Context, path string, stderr io.Writer) int {
	// Ctrl-C or SIGTERM ends the studio however busy it is: quitting runs
	// on the UI goroutine (below), and should that be stuck (the import of
	// a 32,000-character prompt once kept it for minutes), the process
	// ends anyway. Nothing is lost: every edit is saved as it is made, and
	// the render queue's jobs resume at the next start.
	defer context.AfterFunc(ctx, func() {
		time.AfterFunc(quitGrace, func() {
			fmt.Fprintf(stderr, "slate: the studio did not close within %v of being asked to; stopping it\n", quitGrace)
			os.Exit(1)
		})
	})()
	dir, err := library.DefaultDir()
	if err != nil {
		fmt.Fprintf(stderr, "slate: %v\n", err)
		return 1
	}
	// Exclusive: a second studio on the same folder is refused, with a
	// message that says which process holds it.
	lib, err := library.Open(ctx, dir, library.Options{Exclusive: true})
	if err != nil {
		fmt.Fprintf(stderr, "slate: %v\n", err)
		return 1
	}
	defer lib.Close()
	// Without a display the window toolkit panics with a stack trace;
	// say instead what is wrong and what works without one (after the
	// library, whose refusal of a second studio says more, and before a
	// file is imported for a window that cannot open).
	if err := haveDisplay(); err != nil {
		fmt.Fprintf(stderr, "slate: %v\n", err)
		return 1
	}
	doc, err := openProject(ctx, lib, path)
	if err != nil {
		fmt.Fprintf(stderr, "slate: %v\n", err)
		return 1
	}

	tools := media.FindTools()
	reg := render.NewRegistry()
	cli.RegisterBackends(reg, tools)
	// The account server: the session of an earlier run is picked up
	// before the queue starts (no network: the library and the keyring),
	// so resumed jobs featuring other people's cast find their grants. It
	// is the queue's and the export's consent: renders and films that
	// feature someone else's member need their grant.
	// Project sync (projectsync) hears the feed's project and clip entries
	// through the service it is made after.
	var eng *projectsync.Engine
	share := sharing.New(lib, sharing.Options{OnChange: func(ctx context.Context, ch account.Change) error { return eng.OnChange(ctx, ch) }})
	if _, _, err := share.Restore(ctx); err != nil {
		fmt.Fprintf(stderr, "slate: the account server's session: %v\n", err)
	}
	// The studio's queue keeps its jobs: queued ones resume at the next
	// start, ones cut off by a crash are marked failed with the reason.
	// The render servers' backends (remote:SERVER/MODEL), before the
	// queue resumes jobs that render on them; the network is not asked.
	book := servers.New(lib, servers.Options{Remote: remote.Options{Tools: tools}})
	if _, err := book.Register(ctx, reg); err != nil {
		fmt.Fprintf(stderr, "slate: the render servers: %v\n", err)
	}
	q := render.NewQueue(lib, reg, render.QueueOptions{Consent: share})
	if _, _, err := q.Start(ctx); err != nil {
		fmt.Fprintf(stderr, "slate: start the render queue: %v\n", err)
		return 1
	}
	defer q.Close()

	// The player's sound. Without an output the studio plays silently and
	// says so in the player.
	var audio studio.AudioOut
	if out, err := playback.Open(ctx); err != nil {
		fmt.Fprintf(stderr, "slate: playing without sound: %v\n", err)
	} else {
		defer out.Close()
		audio = out
	}

	a := app.NewWithID(appID)
	s := studio.New(ctx, a, studio.Deps{Library: lib, Doc: doc, Queue: q, Backends: reg, Tools: tools, Audio: audio, Models: studioModels(dir), Servers: book, Sharing: share})
	// Synced every 2 s, and at once after an edit: consent and the change
	// feed, then projects and their clips between this account's devices
	// (projectsync); the studio shows each sync's outcome. Changes from
	// other devices go into the open project through the studio, so that
	// its window and undo history follow. The sync stops, and is waited
	// for, before the library closes.
	syncCtx, stopSync := context.WithCancel(ctx)
	eng = projectsync.New(projectsync.Options{Library: lib, Sharing: share,
		Apply: func(ctx context.Context, id string, fn func(*library.Document) error) error {
			if open, err := s.ApplyToProject(ctx, id, fn); open || err != nil {
				return err
			}
			doc, err := lib.OpenProject(ctx, id)
			if err != nil {
				return err
			}
			return fn(doc)
		},
		OnSync: func(r sharing.Report, err error) { s.Synced(syncCtx, r, err) }})
	s.OnEdit(eng.Kick)
	// Where sync stands shows in the Library, on the cards and on the
	// status line, with Pause sync and Account ▸ Storage….
	s.SetSync(eng)
	synced := make(chan struct{})
	defer func() { stopSync(); <-synced }()
	go func() {
		defer close(synced)
		s.AccountChanged(syncCtx)
		eng.Run(syncCtx)
	}()
	stop := context.AfterFunc(ctx, func() { fyne.Do(s.Quit) })
	defer stop()
	if os.Getenv("SLATE_EXIT_WHEN_READY") != "" {
		// For bench/startup.sh: say when the window is up, then quit.
		a.Lifecycle().SetOnStarted(func() {
			go fyne.Do(func() {
				fmt.Printf("ready %d\n", time.Since(processStart).Milliseconds())
				s.Quit()
			})
		})
	}
	ran := make(chan struct{})
	go func() {
		// Fyne 2.7.1 can hang once its loop has stopped: a lifecycle event
		// queued as the loop drains its queue for the last time waits
		// for the loop forever, and so does Run (seen under CI's load:
		// the window gone, the main goroutine in Lifecycle.WaitForEvents).
		// The studio has stopped its work and saved what was typed by
		// then, and every edit is in slate.db already, so it leaves.
		<-s.Stopped()
		select {
		case <-ran:
		case <-time.After(10 * time.Second):
			fmt.Fprintln(stderr, "slate: the window system did not let the studio go; leaving anyway (your work is saved)")
			os.Exit(0)
		}
	}()
	s.ShowAndRun()
	close(ran)
	return 0
}

// openProject picks the project the studio opens. A .slate path is
// imported as a new project: opening the same file twice makes two
// projects, which is plain to see and loses nothing. With no path it is
// the most recently changed project, or on first launch the embedded
// demo.
func openProject(ctx context.Context, lib *library.Library, path string) (*library.Document, error) {
	if path != "" {
		return lib.ImportFile(ctx, path)
	}
	projects, err := lib.Projects(ctx)
	if err != nil {
		return nil, err
	}
	if len(projects) > 0 {
		return lib.OpenProject(ctx, projects[0].ID)
	}
	p, err := timeline.Decode("demo.slate", examples.Demo)
	if err != nil {
		return nil, fmt.Errorf("the built-in demo project: %w", err)
	}
	return lib.CreateProject(ctx, p)
}

// studioModels is what the studio's models window shows: the packs and
// voices in the data folder dir, and where the onnx backend would render.
func studioModels(dir string) *studio.Models {
	return &studio.Models{
		Packs:     pack.NewStore(filepath.Join(dir, "models"), nil),
		VoiceDirs: voices.Dirs(dir),
		VoicesDir: filepath.Join(dir, "voices"),
		Runtime: func() (modelsui.Runtime, error) {
			w, err := cli.OnDeviceWhere(dir, os.Getenv)
			return modelsui.Runtime{Provider: w.Provider, ChosenBy: w.ChosenBy, Detail: w.Detail}, err
		},
		InstallVoice: cli.InstallVoice,
	}
}

// haveDisplay says why the studio's window cannot open on a Unix desktop
// with no display, or nil.
func haveDisplay() error {
	switch runtime.GOOS {
	case "windows", "darwin", "android", "ios":
		return nil
	}
	if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		return errors.New("there is no display to open the studio's window on (DISPLAY is not set): start it from your desktop session, or use the command line without one (slate help lists the commands; slate render renders a storyboard to a film)")
	}
	return nil
}
