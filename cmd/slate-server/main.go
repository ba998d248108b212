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
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/slatestudio/slate/account/server"
	"github.com/slatestudio/slate/account/server/uploads"
	"github.com/slatestudio/slate/render/worker"
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
                    [--render-workers 1] [--backends animatic,onnx] [--models DIR] [--video-ttl 24h]

slate-server keeps accounts, the cast registry, consent and the usage log for
Slate studios, and renders their shots: /v1/videos takes render jobs, which
its render workers make on the same backends and model packs as the studio
(--render-workers 0 turns that off). Without a certificate and key it serves
plain HTTP, and then only on a loopback address.

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
	renderWorkers := fs.Int("render-workers", 1, "render `N` videos at once; 0: no render service (/v1/videos answers 404)")
	backends := fs.String("backends", "animatic", "the render backends to offer as models, a comma-separated `list` of "+strings.Join(worker.Known(), ", "))
	models := fs.String("models", "", "the `folder` of model packs the onnx backend renders with (default DIR/models)")
	videoTTL := fs.Duration("video-ttl", 24*time.Hour, "how long a finished video's files are kept")
	projectHistory := fs.Int("project-history", 20, "keep the last `N` revisions of each synced project")
	quota := fs.String("quota", "0", "each account's `space` for synced clips and films, such as 10GB; 0: no limit")
	maxUpload := fs.String("max-upload", "0", "the largest one synced file, such as 4GB; 0: no limit")
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
	names, err := backendNames(*backends)
	switch {
	case err != nil:
		return bad("%v", err)
	case *renderWorkers < 0:
		return bad("--render-workers %d: give how many videos render at once, or 0 for no render service", *renderWorkers)
	case *videoTTL <= 0:
		return bad("--video-ttl %s: give how long finished videos are kept, such as 24h", *videoTTL)
	case *projectHistory < 1:
		return bad("--project-history %d: keep at least 1 revision of each project, such as 20", *projectHistory)
	}
	cfg := server.Config{Dir: *data, Logger: slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level})), RenderWorkers: *renderWorkers, VideoTTL: *videoTTL, ProjectHistory: *projectHistory}
	if cfg.Quota, err = uploads.ParseBytes(*quota); err != nil {
		return bad("--quota: %v", err)
	}
	if cfg.MaxUpload, err = uploads.ParseBytes(*maxUpload); err != nil {
		return bad("--max-upload: %v", err)
	}
	if *renderWorkers > 0 {
		if *models == "" {
			*models = filepath.Join(*data, "models")
		}
		w, err := worker.Open(worker.Options{Backends: names, Models: *models})
		if err != nil {
			return fmt.Errorf("start the render workers: %w; or start with --render-workers 0 to serve no videos", err)
		}
		defer w.Close()
		cfg.Renderer = w
		cfg.Logger.Info("render workers", "workers", *renderWorkers, "backends", names, "models", *models)
	}
	return server.Run(ctx, cfg, server.Listen{Addr: *addr, TLSCert: *certFile, TLSKey: *keyFile})
}

// backendNames reads --backends: names from worker.Known, separated by
// commas.
func backendNames(list string) ([]string, error) {
	var names []string
	for n := range strings.SplitSeq(list, ",") {
		n = strings.TrimSpace(n)
		if !slices.Contains(worker.Known(), n) {
			if n == "" {
				return nil, fmt.Errorf("--backends %q: a name is missing; give render backends separated by commas, from %s", list, strings.Join(worker.Known(), ", "))
			}
			return nil, fmt.Errorf("--backends: there is no render backend %q; choose from %s", n, strings.Join(worker.Known(), ", "))
		}
		names = append(names, n)
	}
	return names, nil
}
