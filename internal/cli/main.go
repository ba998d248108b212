// Package cli is the slate command: its subcommands render a project
// from the command line, manage the cast, the account and consent, the
// Piper voices and the model packs, check the external components Slate
// needs, and print help or the version. cmd/slate dispatches to Main and
// passes in the studio window, which only a command may start.
package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/slatestudio/slate/internal/cli/synccmd"
	"github.com/slatestudio/slate/internal/termbar"
)

// Version is Slate's version; FyneApp.toml carries the same (a test checks).
const Version = "0.1.0"

// Studio opens the studio window on the project file at path (empty: the
// most recent project), runs it until it quits or ctx is cancelled, and
// returns the exit status. cmd/slate passes its own: only a command
// starts a Fyne app.
type Studio func(ctx context.Context, path string) int

// Main runs slate with args (without the program's name) and returns the
// exit status. Subcommands read stdin (passwords, confirmations) and write
// to stdout and stderr; with no arguments, or one .slate file, it opens
// studio. A nil studio says this build has none.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, studio Studio) int {
	openStudio := func(path string) int {
		if studio == nil {
			fmt.Fprintln(stderr, "slate: this build has no studio window; run \"slate help\" for the commands")
			return 2
		}
		return studio(ctx, path)
	}
	if len(args) == 0 {
		return openStudio("")
	}
	switch args[0] {
	case "render":
		env := defaultRenderEnv()
		env.isTTY = isTerminal(stderr)
		return renderMain(ctx, args[1:], stdout, stderr, env)
	case "cast":
		return castMain(ctx, args[1:], stdout, stderr, defaultCastEnv(stdin))
	case "account":
		return accountMain(ctx, args[1:], stdout, stderr, defaultSharingEnv(stdin))
	case "consent":
		return consentMain(ctx, args[1:], stdout, stderr, defaultSharingEnv(stdin))
	case "sync", "projects":
		env := synccmd.DefaultEnv()
		env.IsTTY = isTerminal(stdout)
		if args[0] == "sync" {
			return synccmd.Sync(ctx, args[1:], stdout, stderr, env)
		}
		return synccmd.Projects(ctx, args[1:], stdout, stderr, env)
	case "servers":
		return serversMain(ctx, args[1:], stdout, stderr, defaultServersEnv(stdin))
	case "voices":
		return voicesMain(args[1:], stdout, stderr, defaultVoicesEnv())
	case "models":
		env := defaultModelsEnv()
		env.isTTY = isTerminal(stderr)
		return modelsMain(ctx, args[1:], stdout, stderr, env)
	case "doctor":
		env := defaultDoctorEnv()
		env.isTTY = isTerminal(stderr)
		return doctorMain(ctx, args[1:], stdout, stderr, env)
	case "help", "-h", "-help", "--help":
		io.WriteString(stdout, usage)
		return 0
	case "version", "--version":
		fmt.Fprintf(stdout, "slate %s\n", Version)
		return 0
	}
	if strings.EqualFold(filepath.Ext(args[0]), ".slate") {
		if len(args) > 1 {
			fmt.Fprintf(stderr, "slate: the studio opens one project; unexpected argument %q\n", args[1])
			return 2
		}
		return openStudio(args[0])
	}
	fmt.Fprintf(stderr, "slate: unknown command %q\n\n%s", args[0], usage)
	return 2
}

// isTerminal says whether w is a terminal, where progress bars are drawn.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && termbar.IsTerminal(f)
}

const usage = `Slate is a studio for making multi-shot films on your own machine.

Usage:
  slate                     open the studio on the most recent project
                            (the first time: the "Last Light" demo)
  slate FILE.slate          import FILE.slate as a new project and open it
  slate render FILE.slate -o FILM.mp4 [flags]
                            render a project's shots and assemble the film
      --backend NAME        render backend: animatic (default), onnx, which
                            renders with an installed model pack, or a render
                            server's remote:SERVER/MODEL (slate servers list)
      --shots LIST          shots to include, numbered from 1: 3, 2-4 or 1,3,5-6
                            (default all)
      --workers N           shots rendered at once (default: one per two CPUs)
      --quiet               plain progress lines instead of bars
  slate cast record --name NAME [--camera DEV | --fake-camera FILE] [--mic DEV | --fake-mic FILE]
                            record a cast member: a guided take with the camera and
                            microphone, checked for liveness
  slate cast list           list the cast members on this computer
  slate cast delete @HANDLE [--yes]
                            delete a cast member and their media
  slate account signup|login [--server URL] USERNAME
                            create an account on a slate-server, or log in to one
                            (default http://127.0.0.1:8787); the password is asked for
  slate account status|sync|logout
                            who is logged in; sync consent, uses and removals now; log out
  slate account devices | revoke SESSION | delete
                            the devices logged in, log one out; delete the account
  slate account keys create NAME | list | revoke KEY
                            API keys, for programs that use the account server
                            without logging in (a render box, a script)
  slate account device-name [NAME]
                            this data folder's name in the list of devices: show it,
                            or rename it ('' goes back to the default)
  slate consent set @HANDLE [--level only_me|approved|everyone] [--approve USER]
                    [--unapprove USER] [--preferences TEXT] [--outside yes|no]
                            decide who may feature one of your cast members
  slate consent uses        every use of your cast members' likeness, drafts included
  slate consent remove USE  remove a use; its maker's studio deletes the clip
  slate consent requests    requests to be approved; accept or decline REQUEST
  slate consent find @HANDLE
                            add someone else's cast member to your cast (renders
                            featuring them ask for a grant each time)
  slate consent ask @HANDLE [MESSAGE]
                            ask their owner to approve you
  slate consent made        what you made featuring someone else's cast, and its state
  slate sync status|pause|resume|now
                            projects and clips between this account's devices: where
                            each project stands; pause or resume; sync once, now
  slate projects pull|history NAME | restore NAME REV
                            fetch a project and its clips now; list the revisions the
                            server keeps; bring back an old one as the newest
  slate servers add NAME URL [--api-key-stdin] | list | test NAME | remove NAME
                            render servers: another computer running slate-server, or
                            any /v1/videos video service (slate servers for more)
  slate voices list         list the Piper voices installed; a cast member or a line
                            speaks in one when its voice is piper:NAME
  slate voices install FILE.onnx
                            check a Piper voice (FILE.onnx and FILE.onnx.json) and
                            copy it into the data folder's voices/
  slate models install PATH|URL
                            install a model pack from its folder or the http(s)
                            address of its manifest.json, checking every file
  slate models list         list the installed model packs with their licences
  slate models verify [NAME]
                            check every file of one pack, or of all, against its sha256
  slate models remove NAME  uninstall a model pack
  slate doctor [--verify-blobs]
                            check ffmpeg, espeak-ng, ONNX Runtime and the data folder;
                            --verify-blobs also checks every stored clip and recording
                            against its checksum and moves damaged ones aside
  slate version             print the version
  slate help                print this help

Environment:
  SLATE_HOME                data folder (default $XDG_DATA_HOME/slate or ~/.local/share/slate)
  SLATE_ORT_LIB             ONNX Runtime library to use instead of the one set-up installs
  SLATE_VOICES              more folders of Piper voices, searched before the data folder's
  SLATE_ORT_PROVIDER        execution provider for the onnx backend, over the one its
                            pack names: auto (the best: CUDA, CoreML, DirectML, then
                            CPU), CPU, CUDA, CoreML or DirectML
  SLATE_MODEL_PACK          the model pack the onnx backend uses, when several are installed
  SLATE_FAKE_CAMERA, SLATE_FAKE_MIC
                            a video (Y4M or MJPEG) and a WAV to record from instead of devices
`
