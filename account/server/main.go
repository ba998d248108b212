package server

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// ErrUsage is returned by Main for bad command-line arguments, after it has
// printed what was wrong and the usage.
var ErrUsage = errors.New("bad command line")

const usage = `usage: slate-server --data DIR [--addr 127.0.0.1:8787] [--tls-cert FILE --tls-key FILE] [--log-level info]

slate-server keeps accounts, the cast registry, consent and the usage log for
Slate studios. Without a certificate and key it serves plain HTTP, and then
only on a loopback address.

`

// Main runs slate-server with the given command-line arguments (without
// the program name) until ctx ends, then shuts down gracefully: it stops
// accepting connections, lets requests in flight finish (up to 15 s), and
// closes the database. Logs go to stderr as JSON lines; the first says
// where the server listens.
func Main(ctx context.Context, args []string, stderr io.Writer) error {
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
		return fmt.Errorf("%w: %w", ErrUsage, err)
	}
	bad := func(format string, args ...any) error {
		fmt.Fprintf(stderr, "slate-server: "+format+"\n", args...)
		fs.Usage()
		return fmt.Errorf("%w: "+format, append([]any{ErrUsage}, args...)...)
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
	useTLS := *certFile != ""
	if !useTLS {
		if err := checkPlainAddr(*addr); err != nil {
			return err
		}
	}
	handler := slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level})
	log := slog.New(handler)

	srv, err := New(ctx, Config{Dir: *data, Logger: log})
	if err != nil {
		return err
	}
	defer srv.Close()
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(handler, slog.LevelWarn),
	}
	if useTLS {
		cert, err := tls.LoadX509KeyPair(*certFile, *keyFile)
		if err != nil {
			return fmt.Errorf("load the TLS certificate %s and key %s: %w", *certFile, *keyFile, err)
		}
		hs.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	log.Info("listening", "addr", ln.Addr().String(), "tls", useTLS, "data", srv.dir,
		"key", base64.StdEncoding.EncodeToString(srv.PublicKey()))
	served := make(chan error, 1)
	go func() {
		if useTLS {
			served <- hs.ServeTLS(ln, "", "")
		} else {
			served <- hs.Serve(ln)
		}
	}()
	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		log.Warn("requests still running at shutdown were cut off", "error", err)
		hs.Close()
	}
	<-served
	if err := srv.Close(); err != nil {
		return fmt.Errorf("close: %w", err)
	}
	log.Info("stopped")
	return nil
}

// checkPlainAddr refuses to serve plain HTTP anywhere but loopback:
// passwords and session tokens would cross the network in the clear.
func checkPlainAddr(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--addr %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host == "localhost" || ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("refusing to serve plain HTTP on %q: passwords and session tokens would cross the network unencrypted. "+
		"Without --tls-cert and --tls-key the server listens only on a loopback address (such as 127.0.0.1:8787 or [::1]:8787); "+
		"give a certificate and its key to serve on other addresses", addr)
}
