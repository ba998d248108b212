// Command slate is the Slate studio. With no arguments, or a .slate file,
// it opens the studio window; its subcommands (internal/cli) render a
// project from the command line, manage the cast, the account, consent,
// the Piper voices and the model packs, check the external components
// Slate needs, and print help or the version. Run "slate help" for the
// details.
package main

import (
	"dev.slate/quietlocale"

	"context"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/slatestudio/slate/internal/cli"
)

// appID identifies the app to Fyne (its preferences folder); it is the ID
// in FyneApp.toml.
const appID = "io.github.slatestudio.slate"

// processStart is when the process began, as near as Go code can see it.
var processStart = time.Now()

func main() {
	quietlocale.Restore()
	// Ctrl-C or SIGTERM cancels ctx: renders stop and clean up, the studio
	// closes its library. A second Ctrl-C kills at once.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	context.AfterFunc(ctx, stop)
	code := cli.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, func(ctx context.Context, path string) int {
		return gui(ctx, path, os.Stderr)
	})
	stop()
	os.Exit(code)
}
