package projectsync_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/account/client"
	accountserver "github.com/slatestudio/slate/account/server"
	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/sharing"
	"github.com/slatestudio/slate/sharing/projectsync"
	"github.com/slatestudio/slate/timeline"
)

const password = "correct horse battery"

// server is the real account server on loopback.
type server struct {
	srv *accountserver.Server
	url string
	// patched counts the bytes of tus PATCH bodies the server received.
	patched atomic.Int64
}

func startServer(t testing.TB) *server {
	t.Helper()
	srv, err := accountserver.New(context.Background(), accountserver.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	s := &server{srv: srv}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPatch {
			r.Body = &countingBody{r.Body, &s.patched}
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

type countingBody struct {
	rc interface {
		Read([]byte) (int, error)
		Close() error
	}
	n *atomic.Int64
}

func (c *countingBody) Read(p []byte) (int, error) {
	n, err := c.rc.Read(p)
	c.n.Add(int64(n))
	return n, err
}

func (c *countingBody) Close() error { return c.rc.Close() }

// netSwitch is a device's network: off, every request fails as a cut
// cable does, before reaching the server.
type netSwitch struct {
	off atomic.Bool
	// refuse, when set, is a path whose POSTs the server answers 503.
	refuse atomic.Value
	rt     http.RoundTripper
}

func (n *netSwitch) RoundTrip(r *http.Request) (*http.Response, error) {
	if n.off.Load() {
		if r.Body != nil {
			r.Body.Close()
		}
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("network is unreachable")}
	}
	if p, _ := n.refuse.Load().(string); p != "" && r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, p) {
		if r.Body != nil {
			r.Body.Close()
		}
		body := `{"error":{"code":"unavailable","message":"try again later"}}`
		return &http.Response{StatusCode: http.StatusServiceUnavailable, Status: "503 Service Unavailable", Request: r,
			Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body))}, nil
	}
	return n.rt.RoundTrip(r)
}

// device is one studio's data folder, logged in to the shared account,
// with its sync engine.
type device struct {
	name string
	lib  *library.Library
	svc  *sharing.Service
	eng  *projectsync.Engine
	net  *netSwitch
	dir  string
}

func newDevice(t testing.TB, name string) *device {
	t.Helper()
	dir := t.TempDir()
	lib, err := library.Open(context.Background(), dir, library.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lib.Close() })
	tr := http.DefaultTransport.(*http.Transport).Clone()
	ns := &netSwitch{rt: tr}
	d := &device{name: name, lib: lib, net: ns, dir: dir}
	d.svc = sharing.New(lib, sharing.Options{Store: client.NewFileStore(dir), Device: name,
		HTTPClient: &http.Client{Transport: ns, Timeout: 30 * time.Second},
		OnChange:   func(ctx context.Context, ch account.Change) error { return d.eng.OnChange(ctx, ch) }})
	d.eng = projectsync.New(projectsync.Options{Library: lib, Sharing: d.svc})
	return d
}

// logIn signs up the first device and logs the others in.
func logIn(t testing.TB, s *server, user string, ds ...*device) {
	t.Helper()
	for i, d := range ds {
		var err error
		if i == 0 {
			_, err = d.svc.SignUp(context.Background(), s.url, user, password)
		} else {
			_, err = d.svc.Login(context.Background(), s.url, user, password)
		}
		if err != nil {
			t.Fatalf("%s: log in: %v", d.name, err)
		}
	}
}

func (d *device) sync(t testing.TB) {
	t.Helper()
	if err := d.eng.SyncNow(context.Background()); err != nil {
		t.Fatalf("%s: SyncNow: %v", d.name, err)
	}
}

// settle syncs every device a few rounds, until they have nothing left
// to send.
func settle(t testing.TB, ds ...*device) {
	t.Helper()
	for range 3 {
		for _, d := range ds {
			d.sync(t)
		}
	}
}

// project makes a project of n shots on the device.
func (d *device) project(t testing.TB, title string, n int) *library.Document {
	t.Helper()
	p := timeline.New(title)
	for i := range n {
		s := timeline.NewShot(fmt.Sprintf("Shot %d", i+1))
		s.Prompt = fmt.Sprintf("%s, view %d", title, i+1)
		p.Shots = append(p.Shots, s)
	}
	doc, err := d.lib.CreateProject(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func (d *device) open(t testing.TB, id string) *library.Document {
	t.Helper()
	doc, err := d.lib.OpenProject(context.Background(), id)
	if err != nil {
		t.Fatalf("%s: open project %s: %v", d.name, id, err)
	}
	return doc
}

func (d *device) edit(t testing.TB, id string, c timeline.Command) {
	t.Helper()
	if _, err := d.open(t, id).Do(context.Background(), c); err != nil {
		t.Fatalf("%s: %s: %v", d.name, c.Name(), err)
	}
}

// clip renders (stands in for rendering) a clip of a shot: size bytes
// made from seed, filed as the render queue files one.
func (d *device) clip(t testing.TB, project, shot string, seed, size int) library.Clip {
	t.Helper()
	ctx := context.Background()
	data := make([]byte, size)
	for i := range data {
		data[i] = byte(seed*131 + i*7 + i/251)
	}
	sum, n, err := d.lib.Blobs().Put(ctx, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	c := library.Clip{ProjectID: project, ShotID: shot, Key: fmt.Sprintf("key-%d", seed), SHA256: sum, Size: n,
		Backend: "animatic", Width: 64, Height: 36, FPS: 24, Frames: 24}
	if err := d.lib.AddClip(ctx, c); err != nil {
		t.Fatal(err)
	}
	return c
}

// state is what a device holds, to compare devices by: each project's
// .slate document and its clips (shot, key, sha256), checked against
// the blobs' bytes.
func (d *device) state(t testing.TB) map[string]string {
	t.Helper()
	ctx := context.Background()
	infos, err := d.lib.Projects(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, pi := range infos {
		doc := d.open(t, pi.ID)
		b, err := timeline.Encode(doc.Project())
		if err != nil {
			t.Fatal(err)
		}
		clips, err := d.lib.ProjectClips(ctx, pi.ID)
		if err != nil {
			t.Fatal(err)
		}
		var cs []string
		for _, c := range clips {
			if err := blobSum(d.lib, c.SHA256); err != nil {
				t.Errorf("%s: clip of shot %s: %v", d.name, c.ShotID, err)
			}
			cs = append(cs, c.ShotID+"/"+c.Key+"/"+c.SHA256)
		}
		sort.Strings(cs)
		out[pi.ID] = string(b) + "\nclips: " + strings.Join(cs, ", ")
	}
	return out
}

// blobSum checks a blob's bytes hash to its name.
func blobSum(lib *library.Library, sum string) error {
	b, err := os.ReadFile(lib.Blobs().Path(sum))
	if err != nil {
		return err
	}
	got := sha256.Sum256(b)
	if hex.EncodeToString(got[:]) != sum {
		return fmt.Errorf("blob %s holds bytes hashing to %x", sum, got)
	}
	return nil
}

// same fails unless every device holds the same projects and clips.
func same(t testing.TB, ds ...*device) {
	t.Helper()
	want := ds[0].state(t)
	for _, d := range ds[1:] {
		got := d.state(t)
		for id, w := range want {
			if g, ok := got[id]; !ok {
				t.Errorf("%s lacks project %s that %s has:\n%s", d.name, id, ds[0].name, w)
			} else if g != w {
				t.Errorf("project %s differs:\n%s: %s\n%s: %s", id, ds[0].name, w, d.name, g)
			}
		}
		for id, g := range got {
			if _, ok := want[id]; !ok {
				t.Errorf("%s has project %s that %s lacks:\n%s", d.name, id, ds[0].name, g)
			}
		}
	}
}

func titles(t testing.TB, d *device) []string {
	t.Helper()
	infos, err := d.lib.Projects(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, pi := range infos {
		out = append(out, pi.Title)
	}
	slices.Sort(out)
	return out
}
