package server

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Listen says where Run serves, and whether over HTTPS.
type Listen struct {
	// Addr is the address to listen on, such as 127.0.0.1:8787. Plain
	// HTTP is served only on a loopback address.
	Addr string
	// TLSCert and TLSKey are a PEM certificate file (with its chain) and
	// its private key's file: both to serve HTTPS, or neither.
	TLSCert, TLSKey string
}

// Run opens the server of cfg and serves it at l until ctx ends, then
// shuts down gracefully: it stops accepting connections, lets requests in
// flight finish (up to 15 s), and closes the database. The first log says
// where the server listens.
func Run(ctx context.Context, cfg Config, l Listen) error {
	if (l.TLSCert == "") != (l.TLSKey == "") {
		return errors.New("serve: a TLS certificate and its key go together: give both to serve HTTPS, or neither")
	}
	useTLS := l.TLSCert != ""
	if !useTLS {
		if err := checkPlainAddr(l.Addr); err != nil {
			return err
		}
	}
	srv, err := New(ctx, cfg)
	if err != nil {
		return err
	}
	defer srv.Close()
	log := srv.log
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	if useTLS {
		cert, err := tls.LoadX509KeyPair(l.TLSCert, l.TLSKey)
		if err != nil {
			return fmt.Errorf("load the TLS certificate %s and key %s: %w", l.TLSCert, l.TLSKey, err)
		}
		hs.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}
	}
	ln, err := net.Listen("tcp", l.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", l.Addr, err)
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
