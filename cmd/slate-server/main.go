// Command slate-server is Slate's account server: accounts, the cast
// registry, consent grants, the usage log and the change feed. Run
// slate-server --help for its flags; package account/server holds the
// server, and this command turns its flags into the server's Config.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/slatestudio/slate/account/server"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stderr)
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
	case errors.Is(err, errUsage):
		os.Exit(2) // run printed what was wrong, with the usage
	default:
		fmt.Fprintln(os.Stderr, "slate-server:", err)
		os.Exit(1)
	}
}

// errUsage is returned by run for bad command-line arguments, after it has
// printed what was wrong and the usage.
var errUsage = errors.New("bad command line")

const usage = `usage: slate-server --data DIR [--addr 127.0.0.1:8787] [--tls-cert FILE --tls-key FILE] [--log-level info]

slate-server keeps accounts, the cast registry, consent and the usage log for
Slate studios. Without a certificate and key it serves plain HTTP, and then
only on a loopback address.

`

// run runs slate-server with the given command-line arguments (without
// the program name) until ctx ends; see server.Run. Logs go to stderr as
// JSON lines; the first says where the server listens.
func run(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("slate-server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	data := fs.String("data", "", "the data `folder`: database, signing key and media (created if missing)")
	addr := fs.String("addr", "127.0.0.1:8787", "the `address` to listen on")
	certFile := fs.String("tls-cert", "", "a PEM certificate `file` (with its chain) to serve HTTPS")
	keyFile := fs.String("tls-key", "", "the certificate's PEM private key `file`")
	logLevel := fs.String("log-level", "info", "the least important logs to write: debug, info, warn or error")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	bad := func(format string, args ...any) error {
		fmt.Fprintf(stderr, "slate-server: "+format+"\n", args...)
		fs.Usage()
		return fmt.Errorf("%w: "+format, append([]any{errUsage}, args...)...)
	}
	switch {
	case fs.NArg() > 0:
		return bad("unexpected argument %q", fs.Arg(0))
	case *data == "":
		return bad("--data is required: the folder for the database, the signing key and the media")
	case (*certFile == "") != (*keyFile == ""):
		return bad("--tls-cert and --tls-key go together: give both to serve HTTPS, or neither")
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return bad("--log-level %q: use debug, info, warn or error", *logLevel)
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level}))
	return server.Run(ctx, server.Config{Dir: *data, Logger: log}, server.Listen{Addr: *addr, TLSCert: *certFile, TLSKey: *keyFile})
}
