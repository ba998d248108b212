package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slatestudio/slate/account/client"
)

// password is a password the server accepts.
const password = "correct horse battery"

// selfSigned writes a certificate for 127.0.0.1 and its key, and returns
// the files and a pool that trusts the certificate.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "slate test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// slate-server serves HTTPS with a certificate and key; the client
// verifies the certificate as usual (a client that does not trust it gets
// nowhere); cancelling run's context shuts it down cleanly.
func TestMainServesTLSAndShutsDown(t *testing.T) {
	certFile, keyFile, pool := selfSigned(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logs, logw := io.Pipe()
	exited := make(chan error, 1)
	go func() {
		exited <- run(ctx, []string{"--data", t.TempDir(), "--addr", "127.0.0.1:0", "--tls-cert", certFile, "--tls-key", keyFile}, logw)
		logw.Close()
	}()
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(logs)
		for sc.Scan() {
			var l struct{ Msg, Addr string }
			json.Unmarshal(sc.Bytes(), &l)
			if l.Msg == "listening" {
				addr <- l.Addr
			}
		}
	}()
	var url string
	select {
	case a := <-addr:
		url = "https://" + a
	case err := <-exited:
		t.Fatalf("run exited: %v", err)
	}
	trusting := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	c, err := client.New(url, client.Options{HTTPClient: trusting})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.SignUp(ctx, "olive", password, "laptop"); err != nil {
		t.Fatalf("SignUp over TLS = %v", err)
	}
	stranger, _ := client.New(url, client.Options{})
	var unknown x509.UnknownAuthorityError
	if _, err := stranger.Key(ctx); !errors.As(err, &unknown) {
		t.Errorf("a client that does not trust the certificate: %v, want an unknown-authority error", err)
	}
	cancel()
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("run after cancel = %v, want nil", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("run did not shut down")
	}
}

func TestMainRefusesPlainHTTPOffLoopback(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--data", t.TempDir(), "--addr", "0.0.0.0:8787"}, "refusing to serve plain HTTP"},
		{[]string{"--data", t.TempDir(), "--addr", ":8787"}, "refusing to serve plain HTTP"},
		{[]string{"--data", t.TempDir(), "--addr", "192.0.2.1:8787"}, "refusing to serve plain HTTP"},
		{[]string{"--data", t.TempDir(), "--tls-cert", "c.pem"}, "go together"},
		{[]string{"--addr", "127.0.0.1:0"}, "--data is required"},
		{[]string{"--data", t.TempDir(), "extra"}, "unexpected argument"},
	} {
		var stderr bytes.Buffer
		err := run(ctx, tt.args, &stderr)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("run(%q) = %v, want an error containing %q", tt.args, err, tt.want)
		}
	}
	var stderr bytes.Buffer
	if err := run(ctx, []string{"--bogus"}, &stderr); !errors.Is(err, errUsage) || !strings.Contains(stderr.String(), "usage: slate-server") {
		t.Errorf("run(--bogus) = %v, %q; want ErrUsage and the usage", err, stderr.String())
	}
}

// The render flags are checked before anything starts: a backend that
// does not exist, a negative number of workers or a lifetime of nothing
// is a usage error saying what to give instead; a backend that cannot
// open here stops the start, saying what to install.
func TestMainRenderFlags(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--backends", "animatic,wan"}, `there is no render backend "wan"; choose from animatic, onnx`},
		{[]string{"--backends", "animatic,"}, "a name is missing"},
		{[]string{"--backends", ""}, "a name is missing"},
		{[]string{"--render-workers", "-1"}, "--render-workers -1: give how many videos render at once, or 0"},
		{[]string{"--render-workers", "two"}, `invalid value "two" for flag -render-workers`},
		{[]string{"--video-ttl", "0s"}, "--video-ttl 0s"},
		{[]string{"--video-ttl", "a day"}, `invalid value "a day" for flag -video-ttl`},
		{[]string{"--quota", "ten gigs"}, `--quota: "ten gigs" is not a size: write it like 10GB or 500MB (0 for no limit)`},
		{[]string{"--max-upload", "-4GB"}, `--max-upload: "-4GB" is not a size`},
	} {
		var stderr bytes.Buffer
		args := append([]string{"--data", t.TempDir(), "--addr", "127.0.0.1:0"}, tt.args...)
		err := run(ctx, args, &stderr)
		if !errors.Is(err, errUsage) || !strings.Contains(stderr.String(), tt.want) || !strings.Contains(stderr.String(), "usage: slate-server") {
			t.Errorf("run(%q) = %v, %q; want a usage error saying %q, and the usage", tt.args, err, stderr.String(), tt.want)
		}
	}

	data := t.TempDir()
	var stderr bytes.Buffer
	err := run(ctx, []string{"--data", data, "--addr", "127.0.0.1:0", "--backends", "animatic,onnx"}, &stderr)
	if want := "SLATE_HOME=" + data + " slate models install PATH|URL"; err == nil || errors.Is(err, errUsage) || !strings.Contains(err.Error(), want) {
		t.Errorf("run(--backends animatic,onnx) with no model pack = %v; want a start-up error saying %q", err, want)
	}
}

// --help describes the render flags.
func TestMainHelpNamesRenderFlags(t *testing.T) {
	var stderr bytes.Buffer
	if err := run(context.Background(), []string{"--help"}, &stderr); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("run(--help) = %v, want flag.ErrHelp", err)
	}
	for _, want := range []string{"/v1/videos", "-render-workers N", "-backends list", "-models folder", "-video-ttl duration", "(default 24h0m0s)"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("slate-server --help does not say %q:\n%s", want, stderr.String())
		}
	}
}
