// Command slate-server is Slate's account server: accounts, the cast
// registry, consent grants, the usage log and the change feed. Run
// slate-server --help for its flags; package account holds the server.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/slatestudio/slate/account/server"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := server.Main(ctx, os.Args[1:], os.Stderr)
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
	case errors.Is(err, server.ErrUsage):
		os.Exit(2) // Main printed what was wrong, with the usage
	default:
		fmt.Fprintln(os.Stderr, "slate-server:", err)
		os.Exit(1)
	}
}
