package synccmd

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/slatestudio/slate/account/client"
	accountserver "github.com/slatestudio/slate/account/server"
	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/sharing"
	"github.com/slatestudio/slate/timeline"
)

// The kill test runs this test binary as "slate sync": with
// SLATE_TEST_AS_SLATE=1 its arguments are those of slate's sync command,
// and its data folder is SLATE_HOME.
func TestMain(m *testing.M) {
	if os.Getenv("SLATE_TEST_AS_SLATE") == "1" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		env := testEnv(os.Getenv("SLATE_HOME"))
		code := Sync(ctx, os.Args[1:], os.Stdout, os.Stderr, env)
		stop()
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// testEnv is a data folder whose sessions are kept in a file in it.
func testEnv(dir string) Env {
	return Env{DataDir: func() (string, error) { return dir, nil },
		Open: func(lib *library.Library, o sharing.Options) *sharing.Service {
			o.Store, o.Device = client.NewFileStore(lib.Dir()), "laptop "+lib.Dir()[len(lib.Dir())-4:]
			return sharing.New(lib, o)
		}}
}

// server is the real account server on loopback, counting the bytes of
// the tus chunks it receives.
type server struct {
	url     string
	patched atomic.Int64
}

func startServer(t *testing.T) *server {
	t.Helper()
	srv, err := accountserver.New(context.Background(), accountserver.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	s := &server{}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPatch {
			r.Body = &counting{r.Body, &s.patched}
		}
		srv.ServeHTTP(w, r)
	}))
	s.url = hs.URL
	t.Cleanup(func() {
		hs.CloseClientConnections()
		hs.Close()
		srv.Close()
	})
	return s
}

type counting struct {
	rc interface {
		Read([]byte) (int, error)
		Close() error
	}
	n *atomic.Int64
}

func (c *counting) Read(p []byte) (int, error) {
	n, err := c.rc.Read(p)
	c.n.Add(int64(n))
	return n, err
}

func (c *counting) Close() error { return c.rc.Close() }

// folder is a data folder logged in to the account user on s (signed up
// when first), with a project "The Kite" of two shots when made is true.
func folder(t *testing.T, s *server, user string, signUp bool) string {
	t.Helper()
	dir := t.TempDir()
	ctx := context.Background()
	lib, err := library.Open(ctx, dir, library.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	svc := testEnv(dir).Open(lib, sharing.Options{})
	if signUp {
		_, err = svc.SignUp(ctx, s.url, user, "correct horse battery")
	} else {
		_, err = svc.Login(ctx, s.url, user, "correct horse battery")
	}
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func run(t *testing.T, dir string, main func(context.Context, []string, *bytes.Buffer, *bytes.Buffer, Env) int, args ...string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := main(context.Background(), args, &out, &errOut, testEnv(dir))
	return out.String(), errOut.String(), code
}

func syncCmd(ctx context.Context, args []string, out, errOut *bytes.Buffer, env Env) int {
	return Sync(ctx, args, out, errOut, env)
}

func projectsCmd(ctx context.Context, args []string, out, errOut *bytes.Buffer, env Env) int {
	return Projects(ctx, args, out, errOut, env)
}

// addProject makes a project in a data folder.
func addProject(t *testing.T, dir, title string, edit func(*library.Document)) string {
	t.Helper()
	lib, err := library.Open(context.Background(), dir, library.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	p := timeline.New(title)
	p.Shots = []*timeline.Shot{timeline.NewShot("Opening")}
	doc, err := lib.CreateProject(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(doc)
	}
	return p.ID
}

func TestSyncAndProjectsCommands(t *testing.T) {
	s := startServer(t)
	a := folder(t, s, "olive", true)
	b := folder(t, s, "olive", false)
	id := addProject(t, a, "The Kite", nil)

	out, errOut, code := run(t, a, syncCmd, "status")
	if code != 0 || !strings.Contains(out, "The Kite: uploading (1 to go)") {
		t.Errorf("sync status before = %d %q %q; want The Kite with a change to go", code, out, errOut)
	}
	if _, errOut, code := run(t, a, syncCmd, "pause"); code != 0 {
		t.Fatalf("sync pause = %d %q", code, errOut)
	}
	out, _, _ = run(t, a, syncCmd, "now")
	if !strings.Contains(out, "Sync: paused") {
		t.Errorf("sync now while paused said %q; want paused", out)
	}
	if _, errOut, code := run(t, a, syncCmd, "resume"); code != 0 {
		t.Fatalf("sync resume = %d %q", code, errOut)
	}
	out, errOut, code = run(t, a, syncCmd, "now")
	if code != 0 || !strings.Contains(out, "Sync: synced") || !strings.Contains(out, "The Kite: synced") {
		t.Fatalf("sync now = %d %q %q; want synced", code, out, errOut)
	}

	// Pulled on the other device by name.
	out, errOut, code = run(t, b, projectsCmd, "pull", "the kite")
	if code != 0 || !strings.Contains(out, `"The Kite" is here, at revision 1`) {
		t.Fatalf("projects pull = %d %q %q", code, out, errOut)
	}
	if _, errOut, code := run(t, b, projectsCmd, "pull", "Nothing"); code != 1 || !strings.Contains(errOut, `no project called "Nothing" on the server; there are "The Kite"`) {
		t.Errorf("projects pull of an unknown name = %d %q", code, errOut)
	}

	// A second revision, then back to the first.
	lib, err := library.Open(context.Background(), a, library.Options{})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := lib.OpenProject(context.Background(), id)
	if err == nil {
		_, err = doc.Do(context.Background(), timeline.SetTitle("The Red Kite"))
	}
	lib.Close()
	if err != nil {
		t.Fatal(err)
	}
	run(t, a, syncCmd, "now")
	out, errOut, code = run(t, b, projectsCmd, "history", "The Red Kite")
	if code != 0 || !strings.Contains(out, "   2  ") || !strings.Contains(out, "   1  ") || strings.Index(out, "   2  ") > strings.Index(out, "   1  ") {
		t.Fatalf("projects history = %d %q %q; want revisions 2 then 1", code, out, errOut)
	}
	out, errOut, code = run(t, b, projectsCmd, "restore", "The Red Kite", "1")
	if code != 0 || !strings.Contains(out, `"The Kite" is back as it was at revision 1, now revision 3`) {
		t.Fatalf("projects restore = %d %q %q", code, out, errOut)
	}
	run(t, a, syncCmd, "now")
	out, _, _ = run(t, a, syncCmd, "status")
	if !strings.Contains(out, "The Kite: synced") {
		t.Errorf("after the restore, the laptop's status = %q; want The Kite back and synced", out)
	}
	if _, errOut, code := run(t, b, projectsCmd, "restore", "The Kite", "x"); code != 2 || !strings.Contains(errOut, `"x" is not a revision`) {
		t.Errorf("restore with a bad revision = %d %q", code, errOut)
	}
}
