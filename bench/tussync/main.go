// Command tussync measures sync's blob transfers against plain HTTP on
// the same loopback, in one run:
//
//	go run ./bench/tussync [-size 500] [-rounds 3] [-dir DIR]
//
// It writes a file of -size MB (random bytes), then, each server in a
// process of its own (this program run again with -serve), times
//
//   - a raw HTTP PUT of the file to a server that writes the body to disk
//     and syncs it, and a raw GET of it back into a file: the baselines;
//   - the studio's Upload (tus, 8 MiB chunks, the sha256 checked by the
//     server before it keeps the file) and Download (Range-capable GET,
//     sha256 checked by the client) through a real slate-server.
//
// It reports the ratios (baseline time ÷ tus time: 1 is as fast as plain
// HTTP), and the peak resident memory of the client (this process) and of
// the slate-server process during the transfers above their idle
// resident memory (Linux: VmHWM after resetting it through clear_refs).
package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/account/client"
	"github.com/slatestudio/slate/account/server"
)

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "tussync:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	size := flag.Int("size", 500, "the file's size in `MB`")
	dir := flag.String("dir", "", "a scratch `folder` (default: a new temporary one)")
	rounds := flag.Int("rounds", 3, "time each transfer `N` times and keep the best")
	serve := flag.String("serve", "", "internal: serve `raw|slate` on a data folder given by -dir")
	flag.Parse()
	if *serve != "" {
		return serveChild(ctx, *serve, *dir)
	}
	if *dir == "" {
		d, err := os.MkdirTemp("", "tussync-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		*dir = d
	}
	n := int64(*size) * 1_000_000
	src := filepath.Join(*dir, "film.mp4")
	sum, err := writeRandom(src, n)
	if err != nil {
		return err
	}

	raw, rawAddr, err := startChild("raw", filepath.Join(*dir, "raw"))
	if err != nil {
		return err
	}
	defer stop(raw)
	slate, addr, err := startChild("slate", filepath.Join(*dir, "slate"))
	if err != nil {
		return err
	}
	defer stop(slate)
	c, err := client.New("http://"+addr, client.Options{})
	if err != nil {
		return err
	}
	if _, err := c.SignUp(ctx, "bench", "a long enough password", "bench"); err != nil {
		return err
	}
	time.Sleep(500 * time.Millisecond)
	spid := strconv.Itoa(slate.Process.Pid)
	clientIdle, serverIdle := rss("self"), rss(spid)
	resetPeak("self")
	resetPeak(spid)

	// The four transfers take turns, each after the disk has written out
	// the one before (sync), so that none pays for another's writeback;
	// each is timed *rounds times and the best of each is compared.
	hc := &http.Client{}
	back := filepath.Join(*dir, "back")
	var putT, upT, getT, downT time.Duration
	best := func(b *time.Duration, fn func() error) error {
		syscall.Sync()
		d, err := timed(fn)
		if *b == 0 || d < *b {
			*b = d
		}
		return err
	}
	for range *rounds {
		if err := best(&putT, func() error { return rawPut(ctx, hc, "http://"+rawAddr+"/f", src, n) }); err != nil {
			return err
		}
		if err := c.ForgetBlob(ctx, sum); err != nil {
			return err
		}
		if err := best(&upT, func() error {
			return c.Upload(ctx, src, sum, account.BlobFilm, "", client.UploadState{}, nil, nil)
		}); err != nil {
			return err
		}
		os.Remove(back)
		if err := best(&getT, func() error { return rawGet(ctx, hc, "http://"+rawAddr+"/f", back) }); err != nil {
			return err
		}
		os.Remove(back)
		if err := best(&downT, func() error { return c.Download(ctx, sum, back, nil) }); err != nil {
			return err
		}
		os.Remove(back)
	}
	clientPeak, serverPeak := peak("self"), peak(spid)

	mbps := func(d time.Duration) float64 { return float64(n) / 1e6 / d.Seconds() }
	fmt.Printf("file: %d MB on loopback, best of %d rounds\n", *size, *rounds)
	fmt.Printf("raw PUT   %7.2fs %7.1f MB/s\n", putT.Seconds(), mbps(putT))
	fmt.Printf("tus up    %7.2fs %7.1f MB/s   ratio %.2f (target >= 0.8)\n", upT.Seconds(), mbps(upT), putT.Seconds()/upT.Seconds())
	fmt.Printf("raw GET   %7.2fs %7.1f MB/s\n", getT.Seconds(), mbps(getT))
	fmt.Printf("download  %7.2fs %7.1f MB/s   ratio %.2f (target >= 0.9)\n", downT.Seconds(), mbps(downT), getT.Seconds()/downT.Seconds())
	fmt.Printf("peak RSS above idle: client %.1f MB (idle %.1f), server %.1f MB (idle %.1f) (target <= 64 MB)\n",
		mb(clientPeak-clientIdle), mb(clientIdle), mb(serverPeak-serverIdle), mb(serverIdle))
	return nil
}

func mb(kb int64) float64 { return float64(kb) / 1024 }

func timed(fn func() error) (time.Duration, error) {
	start := time.Now()
	err := fn()
	return time.Since(start), err
}

// writeRandom writes n random bytes to path, a megabyte at a time, and
// returns their sha256.
func writeRandom(path string, n int64) (string, error) {
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	r := rand.New(rand.NewPCG(1, 2))
	h := sha256.New()
	w := io.MultiWriter(f, h)
	buf := make([]byte, 1<<20)
	for left := n; left > 0; {
		for i := 0; i < len(buf); i += 8 {
			v := r.Uint64()
			for j := range 8 {
				buf[i+j] = byte(v >> (8 * j))
			}
		}
		k := min(left, int64(len(buf)))
		if _, err := w.Write(buf[:k]); err != nil {
			return "", err
		}
		left -= k
	}
	return hex.EncodeToString(h.Sum(nil)), f.Close()
}

func rawPut(ctx context.Context, hc *http.Client, url, path string, n int64) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, url, f)
	if err != nil {
		return err
	}
	req.ContentLength = n
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		return fmt.Errorf("raw PUT: %s", resp.Status)
	}
	return nil
}

func rawGet(ctx context.Context, hc *http.Client, url, dst string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	f, err := os.Create(dst)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := io.Copy(f, resp.Body); err != nil {
		return err
	}
	return f.Sync()
}

// startChild runs this program with -serve kind and reads the address
// it listens on from its first line.
func startChild(kind, dir string) (*exec.Cmd, string, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, "", err
	}
	cmd := exec.Command(self, "-serve", kind, "-dir", dir)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, "", err
	}
	if err := cmd.Start(); err != nil {
		return nil, "", err
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		stop(cmd)
		return nil, "", fmt.Errorf("start the %s server: %w", kind, err)
	}
	return cmd, strings.TrimSpace(line), nil
}

func stop(cmd *exec.Cmd) {
	if cmd.ProcessState == nil {
		cmd.Process.Kill()
		cmd.Wait()
	}
}

// serveChild is the -serve mode: a server on 127.0.0.1, its address on
// stdout.
func serveChild(ctx context.Context, kind, dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	var h http.Handler
	switch kind {
	case "raw":
		h = rawHandler(dir)
	case "slate":
		srv, err := server.New(ctx, server.Config{Dir: dir, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			return err
		}
		defer srv.Close()
		h = srv
	default:
		return errors.New("-serve takes raw or slate")
	}
	fmt.Println(ln.Addr().String())
	return http.Serve(ln, h)
}

// rawHandler is the baseline: PUT writes the body to a file and syncs it,
// GET serves it.
func rawHandler(dir string) http.Handler {
	path := filepath.Join(dir, "blob")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodPut:
			f, err := os.Create(path)
			if err == nil {
				_, err = io.Copy(f, r.Body)
				if err == nil {
					err = f.Sync()
				}
				f.Close()
			}
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			w.WriteHeader(http.StatusNoContent)
		case http.MethodGet:
			http.ServeFile(w, r, path)
		}
	})
}

// rss is a process's resident memory in kB (pid or "self").
func rss(pid string) int64 { return status(pid, "VmRSS:") }

// peak is a process's peak resident memory in kB since its last reset.
func peak(pid string) int64 { return status(pid, "VmHWM:") }

// resetPeak sets a process's peak resident memory to its current one.
func resetPeak(pid string) {
	os.WriteFile("/proc/"+pid+"/clear_refs", []byte("5"), 0)
}

func status(pid, field string) int64 {
	data, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, field); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return 0
}
