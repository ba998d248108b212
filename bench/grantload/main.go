// Command grantload measures slate-server's grant decisions under load:
// open loop, at a fixed rate, over loopback, through the real client.
//
//	go run ./bench/grantload [-rate 1000] [-duration 10s] [-server URL] [-max-p99 5ms]
//
// Open loop means request i is due at start + i/rate whatever happened to
// the ones before, and its latency counts from when it was due, not from
// when it was sent: a server that falls behind is charged for the queue
// it causes, which a closed loop (send, wait, send) would hide.
//
// Without -server it starts a server in this process, on a fresh data
// folder, listening on 127.0.0.1 with its logs written to a file, as
// slate-server runs. It reports the latency seen by the client (p50, p90,
// p99, max), the rate reached, the server's own time per decision (its
// Server-Timing header), and, as a baseline measured in the same run at
// the same rate, the latency of GET /api/v1/key, which touches neither the
// database nor the signing key: the ratio says how much the decisions cost
// beyond the HTTP round trip on this machine at this moment.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/account/client"
	"github.com/slatestudio/slate/account/server"
	"github.com/slatestudio/slate/consent"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "grantload:", err)
		}
		os.Exit(1)
	}
}

// timingKey carries, in a request's context, where to put the server's
// own time for it.
type timingKey struct{}

// timingTransport reads the Server-Timing header of each answer into the
// slot its request's context names.
type timingTransport struct{ http.RoundTripper }

// RoundTrip sends the request and notes the server's time.
func (t timingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.RoundTripper.RoundTrip(req)
	if slot, ok := req.Context().Value(timingKey{}).(*time.Duration); ok && err == nil {
		*slot = serverTiming(resp.Header.Get("Server-Timing"))
	}
	return resp, err
}

// serverTiming reads "app;dur=1.234" (milliseconds).
func serverTiming(h string) time.Duration {
	_, v, ok := strings.Cut(h, "dur=")
	if !ok {
		return 0
	}
	ms, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil {
		return 0
	}
	return time.Duration(ms * float64(time.Millisecond))
}

// result is one request's outcome.
type result struct {
	latency, server time.Duration
	granted, err    bool
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("grantload", flag.ContinueOnError)
	rate := fs.Int("rate", 1000, "requests per second")
	duration := fs.Duration("duration", 10*time.Second, "how long to send at that rate")
	warmup := fs.Duration("warmup", time.Second, "how long to send before measuring")
	server := fs.String("server", "", "a running server (http://127.0.0.1:8787); empty starts one in this process")
	grantees := fs.Int("grantees", 8, "how many accounts ask for grants")
	maxP99 := fs.Duration("max-p99", 0, "fail when the grants' p99 latency is above this (0: report only)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the measured grants to this `file`")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *rate < 1 || *duration <= 0 {
		return errors.New("-rate and -duration must be positive")
	}
	if *server == "" {
		url, stop, err := startServer(ctx)
		if err != nil {
			return err
		}
		defer stop()
		*server = url
	}

	transport := &http.Transport{MaxIdleConns: 1024, MaxIdleConnsPerHost: 1024, IdleConnTimeout: time.Minute}
	hc := &http.Client{Transport: timingTransport{transport}}
	newClient := func() (*client.Client, error) { return client.New(*server, client.Options{HTTPClient: hc}) }

	// The cast: one member everyone may feature, one only some may, one
	// private: so the load mixes grants and refusals (refusals are written
	// to the audit trail too, so they cost the same).
	suffix := strconv.FormatInt(time.Now().UnixNano()%1_000_000, 36)
	owner, err := newClient()
	if err != nil {
		return err
	}
	if _, err := owner.SignUp(ctx, "owner_"+suffix, "grantload password", "grantload"); err != nil {
		return fmt.Errorf("set up: %w", err)
	}
	var askers []*client.Client
	var names []string
	for i := range *grantees {
		c, err := newClient()
		if err != nil {
			return err
		}
		name := fmt.Sprintf("g%d_%s", i, suffix)
		if _, err := c.SignUp(ctx, name, "grantload password", "grantload"); err != nil {
			return fmt.Errorf("set up: %w", err)
		}
		askers, names = append(askers, c), append(names, name)
	}
	members := []string{"@all_" + suffix, "@some_" + suffix, "@mine_" + suffix}
	levels := []consent.Level{consent.Everyone, consent.Approved, consent.OnlyMe}
	for i, h := range members {
		_, err := owner.CreateMember(ctx, account.NewMember{Name: "Load " + h, Handle: h, Level: levels[i], Approved: names[:len(names)/2]})
		if err != nil {
			return fmt.Errorf("set up: %w", err)
		}
	}

	grant := func(ctx context.Context, i int) (bool, error) {
		_, err := askers[i%len(askers)].RequestGrant(ctx, client.GrantRequest{
			Member: members[i%len(members)], Project: "bench", Shot: strconv.Itoa(i), Scope: consent.Draft})
		var refusal *consent.Refusal
		if errors.As(err, &refusal) {
			return false, nil
		}
		return err == nil, err
	}
	key := func(ctx context.Context, i int) (bool, error) {
		_, err := askers[i%len(askers)].Key(ctx)
		return err == nil, err
	}

	fmt.Fprintf(out, "grantload: %d requests/s for %s (after %s of warm-up), open loop, over loopback to %s\n", *rate, *duration, *warmup, *server)
	if _, err := load(ctx, grant, *rate, *warmup); err != nil {
		return err
	}
	base, err := load(ctx, key, *rate, *duration)
	if err != nil {
		return err
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
	}
	grants, err := load(ctx, grant, *rate, *duration)
	pprof.StopCPUProfile()
	if err != nil {
		return err
	}
	report(out, "baseline GET /key", base, *duration)
	g := report(out, "POST /grants", grants, *duration)
	b := percentiles(latencies(base, false))
	if b[2] > 0 {
		fmt.Fprintf(out, "grant p99 / baseline p99 = %.2f\n", float64(g[2])/float64(b[2]))
	}
	if *maxP99 > 0 && g[2] > *maxP99 {
		return fmt.Errorf("the grants' p99 latency %s is above %s", g[2], *maxP99)
	}
	return nil
}

// load sends do(i) at rate per second for d, open loop, and returns every
// outcome.
func load(ctx context.Context, do func(context.Context, int) (bool, error), rate int, d time.Duration) ([]result, error) {
	n := int(d.Seconds() * float64(rate))
	results := make([]result, n)
	interval := time.Second / time.Duration(rate)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range n {
		due := start.Add(time.Duration(i) * interval)
		if wait := time.Until(due); wait > 0 {
			select {
			case <-time.After(wait):
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		wg.Go(func() {
			r := &results[i]
			rctx := context.WithValue(ctx, timingKey{}, &r.server)
			ok, err := do(rctx, i)
			r.latency, r.granted, r.err = time.Since(due), ok, err != nil
		})
	}
	wg.Wait()
	return results, nil
}

func latencies(rs []result, server bool) []time.Duration {
	out := make([]time.Duration, 0, len(rs))
	for _, r := range rs {
		if server {
			out = append(out, r.server)
		} else {
			out = append(out, r.latency)
		}
	}
	return out
}

// percentiles returns p50, p90, p99 and the maximum.
func percentiles(ds []time.Duration) [4]time.Duration {
	if len(ds) == 0 {
		return [4]time.Duration{}
	}
	slices.Sort(ds)
	at := func(p float64) time.Duration { return ds[min(len(ds)-1, int(p*float64(len(ds))))] }
	return [4]time.Duration{at(0.50), at(0.90), at(0.99), ds[len(ds)-1]}
}

func report(out io.Writer, name string, rs []result, d time.Duration) [4]time.Duration {
	var granted, errs int
	var last time.Duration
	for _, r := range rs {
		if r.granted {
			granted++
		}
		if r.err {
			errs++
		}
		last = max(last, r.latency)
	}
	l := percentiles(latencies(rs, false))
	s := percentiles(latencies(rs, true))
	// The rate reached: requests answered over the time from the first
	// being due to the last being answered.
	reached := float64(len(rs)) / (d + last).Seconds()
	fmt.Fprintf(out, "%s: %d requests, %d ok (granted), %d refused or other, %d errors; rate reached %.0f/s\n",
		name, len(rs), granted, len(rs)-granted-errs, errs, reached)
	fmt.Fprintf(out, "  latency from due time: p50 %s  p90 %s  p99 %s  max %s\n", ms(l[0]), ms(l[1]), ms(l[2]), ms(l[3]))
	fmt.Fprintf(out, "  server's own time:     p50 %s  p90 %s  p99 %s  max %s\n", ms(s[0]), ms(s[1]), ms(s[2]), ms(s[3]))
	return l
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d.Microseconds())/1000) }

// startServer runs a server in this process on a fresh data folder, on
// loopback, with logs at info level to a file, as slate-server would.
func startServer(ctx context.Context) (string, func(), error) {
	dir, err := os.MkdirTemp("", "grantload-")
	if err != nil {
		return "", nil, err
	}
	logFile, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		return "", nil, err
	}
	srv, err := server.New(ctx, server.Config{Dir: filepath.Join(dir, "data"), Logger: slog.New(slog.NewJSONHandler(logFile, nil))})
	if err != nil {
		return "", nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		srv.Close()
		return "", nil, err
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	stop := func() {
		hs.Shutdown(context.WithoutCancel(ctx))
		srv.Close()
		logFile.Close()
		os.RemoveAll(dir)
	}
	return "http://" + ln.Addr().String(), stop, nil
}
