package server_test

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/account/client"
	"github.com/slatestudio/slate/account/server"
	"github.com/slatestudio/slate/consent"
	"github.com/slatestudio/slate/internal/sqlitedb"
)

// TestMain lets the crash test run this test binary as the real server:
// with SLATE_SERVER_CHILD set to its data folder and address (as JSON), it
// runs Run as cmd/slate-server does, logging JSON lines to stderr.
func TestMain(m *testing.M) {
	if arg := os.Getenv("SLATE_SERVER_CHILD"); arg != "" {
		var c childConfig
		if err := json.Unmarshal([]byte(arg), &c); err != nil {
			fmt.Fprintln(os.Stderr, "SLATE_SERVER_CHILD:", err)
			os.Exit(2)
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
		cfg := server.Config{Dir: c.Dir, Logger: log}
		if c.Render {
			cfg.Renderer, cfg.RenderWorkers = crashRenderer(), 2
		}
		err := server.Run(ctx, cfg, server.Listen{Addr: c.Addr})
		stop()
		if err != nil {
			fmt.Fprintln(os.Stderr, "slate-server:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// childConfig is what a server process is started with.
type childConfig struct {
	Dir, Addr string
	Render    bool // with a renderer (crashRenderer)
}

// child is a server process.
type child struct {
	cmd  *exec.Cmd
	logs *tail
	done chan struct{}
}

// tail keeps the last lines a child wrote, for failure messages.
type tail struct {
	mu    sync.Mutex
	lines []string
}

func (t *tail) add(s string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.lines = append(t.lines, s)
	if len(t.lines) > 20 {
		t.lines = t.lines[1:]
	}
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.Join(t.lines, "\n")
}

// startChild runs the server on dir and addr and returns once it listens.
func startChild(t *testing.T, dir, addr string) *child {
	t.Helper()
	return startChildWith(t, childConfig{Dir: dir, Addr: addr})
}

// startChildWith runs the server as c says and returns once it listens.
func startChildWith(t *testing.T, c childConfig) *child {
	t.Helper()
	args, _ := json.Marshal(c)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "SLATE_SERVER_CHILD="+string(args))
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ch := &child{cmd: cmd, logs: &tail{}, done: make(chan struct{})}
	t.Cleanup(func() { cmd.Process.Kill(); <-ch.done })
	listening := make(chan struct{})
	go func() {
		// Read every line, so the child never blocks on a full pipe.
		sc := bufio.NewScanner(stderr)
		once := sync.Once{}
		for sc.Scan() {
			ch.logs.add(sc.Text())
			if strings.Contains(sc.Text(), `"msg":"listening"`) {
				once.Do(func() { close(listening) })
			}
		}
		cmd.Wait()
		close(ch.done)
	}()
	select {
	case <-listening:
	case <-ch.done:
		t.Fatalf("the server exited before listening:\n%s", ch.logs)
	case <-time.After(time.Minute):
		t.Fatalf("the server did not start within a minute:\n%s", ch.logs)
	}
	return ch
}

// kill ends the child with SIGKILL, as a crash or power cut would.
func (c *child) kill() {
	c.cmd.Process.Signal(syscall.SIGKILL)
	<-c.done
}

// freeAddr finds a loopback port nobody listens on, for every run of the
// server to reuse, so that the clients' address stays the same.
func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// policyState is a member's consent as the owner set it.
type policyState struct {
	level    consent.Level
	approved []string
}

// crashLog is what the clients were told succeeded: all of it must
// survive a crash.
type crashLog struct {
	mu       sync.Mutex
	policy   policyState  // the last acknowledged policy
	pending  *policyState // a policy change in flight when the server died
	grants   []string     // acknowledged grants
	uses     []string     // acknowledged uses
	removals []string     // acknowledged removals
	acks     int
}

// TestCrashDuringConsentChanges kills the real server process with SIGKILL
// at random moments while an owner changes consent and another account
// asks for grants, registers renders and sees them removed — at least 50
// times. After each kill the database passes integrity_check, and after
// each restart everything the clients were told succeeded is there: the
// policy (or the change that was in flight), every grant, use and removal.
func TestCrashDuringConsentChanges(t *testing.T) {
	ctx := context.Background()
	dir, addr := t.TempDir(), freeAddr(t)
	url := "http://" + addr
	newClient := func(store *memStore) *client.Client {
		// A fresh transport each run: the last one's connections died
		// with the server.
		c, err := client.New(url, client.Options{Store: store, HTTPClient: &http.Client{Transport: &http.Transport{}}})
		if err != nil {
			t.Fatal(err)
		}
		if store.m != nil {
			if _, err := c.Restore(); err != nil {
				t.Fatal(err)
			}
		}
		return c
	}
	ownerStore, creatorStore := &memStore{}, &memStore{}

	srv := startChild(t, dir, addr)
	owner, creator := newClient(ownerStore), newClient(creatorStore)
	must(owner.SignUp(ctx, "olive", password, "laptop"))
	must(creator.SignUp(ctx, "oscar", password, "laptop"))
	m := must(owner.CreateMember(ctx, account.NewMember{Name: "Olive", Handle: "@olive", Level: consent.Everyone}))
	log := &crashLog{policy: policyState{level: consent.Everyone, approved: []string{}}}
	srv.kill()

	rounds := 60
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 6))
	for round := range rounds {
		if err := integrity(filepath.Join(dir, "server.db")); err != nil {
			t.Fatalf("round %d: after the kill: %v", round, err)
		}
		srv = startChild(t, dir, addr)
		owner, creator = newClient(ownerStore), newClient(creatorStore)
		checkSurvived(t, ctx, round, owner, m.ID, log, srv)

		stop := make(chan struct{})
		worked := make(chan struct{})
		done := make(chan struct{}, 10_000)
		wr := rand.New(rand.NewPCG(r.Uint64(), 0))
		go func() {
			defer close(worked)
			work(ctx, wr, owner, creator, m.ID, log, done, stop)
		}()
		// Let a random number of changes through, then land the kill at a
		// random moment inside the next one.
		for range r.IntN(20) {
			select {
			case <-done:
			case <-worked:
			}
		}
		time.Sleep(time.Duration(r.IntN(3000)) * time.Microsecond)
		srv.kill()
		close(stop)
		<-worked
	}
	if err := integrity(filepath.Join(dir, "server.db")); err != nil {
		t.Fatalf("at the end: %v", err)
	}
	srv = startChild(t, dir, addr)
	checkSurvived(t, ctx, rounds, newClient(ownerStore), m.ID, log, srv)
	t.Logf("%d crashes; %d acknowledged changes, %d grants, %d uses, %d removals survived",
		rounds, log.acks, len(log.grants), len(log.uses), len(log.removals))
	if log.acks < rounds {
		t.Errorf("only %d changes were acknowledged in %d rounds: the test did little between crashes", log.acks, rounds)
	}
}

// work makes consent changes until the server dies (or stop closes),
// recording each one the server acknowledges, and signalling done after
// each.
func work(ctx context.Context, r *rand.Rand, owner, creator *client.Client, member string, log *crashLog, done, stop chan struct{}) {
	var grants []client.Grant
	var uses []string
	for n := 0; ; n++ {
		select {
		case <-stop:
			return
		default:
		}
		var err error
		switch k := r.IntN(10); {
		case k < 3:
			p := policyState{level: consent.Levels[r.IntN(len(consent.Levels))], approved: []string{}}
			if r.IntN(2) == 0 {
				p.approved = []string{"oscar"}
			}
			log.mu.Lock()
			log.pending = &p
			log.mu.Unlock()
			_, err = owner.UpdateMember(ctx, member, account.MemberPatch{Level: &p.level, Approved: &p.approved})
			if err == nil {
				log.mu.Lock()
				log.policy, log.pending = p, nil
				log.acks++
				log.mu.Unlock()
			}
		case k < 6:
			var g client.Grant
			g, err = creator.RequestGrant(ctx, client.GrantRequest{Member: member, Project: fmt.Sprint("p", n), Scope: consent.Draft})
			if client.StatusOf(err) == http.StatusForbidden {
				err = nil // refused: the policy says no, which is fine
			} else if err == nil {
				grants = append(grants, g)
				log.mu.Lock()
				log.grants = append(log.grants, g.ID)
				log.acks++
				log.mu.Unlock()
			}
		case k < 9 && len(grants) > 0:
			g := grants[r.IntN(len(grants))]
			var u account.Use
			u, err = creator.RegisterUse(ctx, account.NewUse{GrantID: g.ID, ClipSHA256: clipSum(fmt.Sprint(g.ID, n)), ProjectTitle: "Voyage", Scope: consent.Draft, At: time.Now()})
			if client.StatusOf(err) == http.StatusForbidden {
				err = nil // the grant was revoked since
			} else if err == nil {
				uses = append(uses, u.ID)
				log.mu.Lock()
				log.uses = append(log.uses, u.ID)
				log.acks++
				log.mu.Unlock()
			}
		case len(uses) > 0:
			id := uses[r.IntN(len(uses))]
			if err = owner.RemoveUse(ctx, id); err == nil {
				log.mu.Lock()
				log.removals = append(log.removals, id)
				log.acks++
				log.mu.Unlock()
			}
		}
		if err != nil {
			return // the server is gone
		}
		select {
		case done <- struct{}{}:
		default:
		}
	}
}

// checkSurvived checks that everything acknowledged is on the restarted
// server.
func checkSurvived(t *testing.T, ctx context.Context, round int, owner *client.Client, member string, log *crashLog, srv *child) {
	t.Helper()
	log.mu.Lock()
	defer log.mu.Unlock()
	fail := func(format string, args ...any) {
		t.Fatalf("round %d: %s\nserver log:\n%s", round, fmt.Sprintf(format, args...), srv.logs)
	}
	m, err := owner.Member(ctx, member)
	if err != nil {
		fail("read member: %v", err)
	}
	got := policyState{level: m.Level, approved: m.Approved}
	same := func(a, b policyState) bool { return a.level == b.level && slices.Equal(a.approved, b.approved) }
	switch {
	case same(got, log.policy):
	case log.pending != nil && same(got, *log.pending):
		log.policy = *log.pending // it landed just before the crash
	default:
		fail("policy %+v; acknowledged %+v, in flight %+v", got, log.policy, log.pending)
	}
	log.pending = nil

	audited := map[string]bool{}
	for after := ""; ; {
		page, err := owner.Audit(ctx, after, 1000)
		if err != nil {
			fail("read audit: %v", err)
		}
		for _, a := range page {
			if a.Kind == "grant" {
				audited[a.GrantID] = true
			}
			after = fmt.Sprint(a.Seq)
		}
		if len(page) < 1000 {
			break
		}
	}
	for _, g := range log.grants {
		if !audited[g] {
			fail("acknowledged grant %s is not in the audit trail", g)
		}
	}
	uses, err := owner.Uses(ctx, member)
	if err != nil {
		fail("list uses: %v", err)
	}
	removed := map[string]bool{}
	listed := map[string]bool{}
	for _, u := range uses {
		listed[u.ID] = true
		removed[u.ID] = u.Removed != nil
	}
	for _, id := range log.uses {
		if !listed[id] {
			fail("acknowledged use %s is gone", id)
		}
	}
	for _, id := range log.removals {
		if !removed[id] {
			fail("acknowledged removal of use %s is undone", id)
		}
	}
}

// integrity opens a dead server's database and runs SQLite's
// integrity_check on it.
func integrity(file string) error {
	db, err := sql.Open("sqlite3", "file:"+file+"?_busy_timeout=5000")
	if err != nil {
		return err
	}
	defer db.Close()
	return sqlitedb.Integrity(context.Background(), db)
}
