package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/tus/tusd/v2/pkg/handler"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/account/client"
	"github.com/slatestudio/slate/account/server"
	"github.com/slatestudio/slate/consent"
	"github.com/slatestudio/slate/internal/faultproxy"
)

// long says whether to run the full sizes (SLATE_LONG=1).
func long() bool { return os.Getenv("SLATE_LONG") == "1" }

// testChunk is the tus chunk of the short tests: small, so that a few MB
// make several chunks.
const testChunk = 1 << 20

// randomFile writes n random bytes (from seed) to a file and returns its
// path and sha256.
func randomFile(t testing.TB, n int, seed uint64) (string, string) {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 13))
	data := make([]byte, n)
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	return writeBlob(t, data)
}

func writeBlob(t testing.TB, data []byte) (string, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "clip.mp4")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256(data)
	return path, hex.EncodeToString(h[:])
}

// blobStored says whether the server's store holds the blob.
func blobStored(dir, sum string) bool {
	_, err := os.Stat(filepath.Join(dir, "blobs", "sha256", sum[:2], sum))
	return err == nil
}

// uploadsLeft lists what is left in the server's uploads in progress.
func uploadsLeft(t testing.TB, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(filepath.Join(dir, "uploads"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

// proxied is a client of e's server through a fault proxy, logged in to
// a new account.
func proxied(t testing.TB, e *env, name string) (*client.Client, *faultproxy.Proxy) {
	t.Helper()
	p, err := faultproxy.New(strings.TrimPrefix(e.hs.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	c, err := client.New("http://"+p.Addr(), client.Options{Chunk: testChunk})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.SignUp(context.Background(), name, password, "laptop"); err != nil {
		t.Fatal(err)
	}
	return c, p
}

func sameFile(t testing.TB, a, b string) {
	t.Helper()
	x, err := os.ReadFile(a)
	if err != nil {
		t.Fatal(err)
	}
	y, err := os.ReadFile(b)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(x, y) {
		t.Fatalf("%s and %s differ (%d and %d bytes)", a, b, len(x), len(y))
	}
}

func TestBlobUploadDownloadAndDedupe(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, server.Config{})
	c, p := proxied(t, e, "oscar")
	path, sum := randomFile(t, 3*testChunk+12345, 1)
	var states []client.UploadState
	save := func(st client.UploadState) error { states = append(states, st); return nil }
	if err := c.Upload(ctx, path, sum, account.BlobClip, "p1", client.UploadState{}, save, nil); err != nil {
		t.Fatal(err)
	}
	if len(states) != 5 || states[0].Offset != 0 || states[4].Offset != 3*testChunk+12345 {
		t.Errorf("saved states %v, want creation and 4 chunks", states)
	}
	if has, err := c.HasBlob(ctx, sum); err != nil || !has {
		t.Fatalf("HasBlob after the upload = %v, %v", has, err)
	}
	st, err := c.Storage(ctx)
	if err != nil || st.Used != 3*testChunk+12345 || len(st.Items) != 1 || st.Items[0].SHA256 != sum || st.Items[0].Project != "p1" {
		t.Errorf("Storage = %+v, %v", st, err)
	}

	// The same file again is not sent.
	before := p.Up()
	states = nil
	if err := c.Upload(ctx, path, sum, account.BlobClip, "p1", client.UploadState{}, save, nil); err != nil {
		t.Fatal(err)
	}
	if sent := p.Up() - before; sent > 4096 || len(states) != 0 {
		t.Errorf("uploading a held blob again sent %d bytes and saved %v", sent, states)
	}

	// Download, then again resuming from a partial file.
	dst := filepath.Join(t.TempDir(), "partial")
	if err := c.Download(ctx, sum, dst, nil); err != nil {
		t.Fatal(err)
	}
	sameFile(t, path, dst)
	data, _ := os.ReadFile(path)
	os.WriteFile(dst, data[:testChunk], 0o644)
	var last int64
	if err := c.Download(ctx, sum, dst, func(done, total int64) { last = done }); err != nil {
		t.Fatal(err)
	}
	sameFile(t, path, dst)
	if last != int64(len(data)) {
		t.Errorf("download progress ended at %d, want %d", last, len(data))
	}
	// A partial file that is not the start of the blob is thrown away.
	os.WriteFile(dst, bytes.Repeat([]byte{'x'}, testChunk), 0o644)
	if err := c.Download(ctx, sum, dst, nil); !errors.Is(err, client.ErrDamaged) {
		t.Errorf("Download onto a wrong partial file = %v, want ErrDamaged", err)
	}
	if _, err := os.Stat(dst); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a damaged download was kept: %v", err)
	}

	// Another account can neither see nor fetch nor claim it.
	olive := e.signUp("olive")
	if has, err := olive.HasBlob(ctx, sum); err != nil || has {
		t.Errorf("another account's HasBlob = %v, %v; want false", has, err)
	}
	if code, _ := e.raw("GET", "/blobs/"+sum, olive.token, nil); code != http.StatusNotFound {
		t.Errorf("another account's GET = %d, want 404", code)
	}
	if code, _ := e.raw("POST", "/blobs/"+sum, olive.token, strings.NewReader(`{"kind":"clip","project":"x"}`)); code != http.StatusNotFound {
		t.Errorf("another account's claim = %d, want 404", code)
	}

	// Forgetting it removes the bytes, which nothing else names.
	if err := c.ForgetBlob(ctx, sum); err != nil {
		t.Fatal(err)
	}
	if has, _ := c.HasBlob(ctx, sum); has || blobStored(e.dir, sum) {
		t.Errorf("after ForgetBlob: held %v, stored %v", has, blobStored(e.dir, sum))
	}
	if left := uploadsLeft(t, e.dir); len(left) != 0 {
		t.Errorf("finished uploads left files behind: %v", left)
	}
}

func TestUploadQuota(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, server.Config{Quota: 5_000_000})
	c, _ := proxied(t, e, "oscar")
	a, asum := randomFile(t, 3_000_000, 1)
	b, bsum := randomFile(t, 3_000_000, 2)
	if err := c.Upload(ctx, a, asum, account.BlobFilm, "", client.UploadState{}, nil, nil); err != nil {
		t.Fatal(err)
	}
	err := c.Upload(ctx, b, bsum, account.BlobFilm, "", client.UploadState{}, nil, nil)
	var ce *client.Error
	if !errors.As(err, &ce) || ce.Status != http.StatusInsufficientStorage || ce.Code != account.CodeQuota ||
		ce.Message != "your 5 MB on the server are full: delete old films or ask for more" {
		t.Fatalf("an upload over the quota = %v", err)
	}
	st, err := c.Storage(ctx)
	if err != nil || st.Quota != 5_000_000 || st.Used != 3_000_000 {
		t.Errorf("Storage = %+v, %v", st, err)
	}
}

func TestUploadMaxSize(t *testing.T) {
	e := newEnv(t, server.Config{MaxUpload: 1 << 20})
	c, _ := proxied(t, e, "oscar")
	path, sum := randomFile(t, 1<<20+1, 1)
	if err := c.Upload(context.Background(), path, sum, account.BlobClip, "", client.UploadState{}, nil, nil); client.StatusOf(err) != http.StatusRequestEntityTooLarge {
		t.Errorf("an upload over --max-upload = %v, want 413", err)
	}
}

func TestUploadWrongSumStoresNothing(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, server.Config{})
	c, _ := proxied(t, e, "oscar")
	path, _ := randomFile(t, 2*testChunk, 1)
	wrong := clipSum("not this file")
	err := c.Upload(ctx, path, wrong, account.BlobClip, "", client.UploadState{}, nil, nil)
	if !errors.Is(err, client.ErrDamaged) || client.StatusOf(err) != 460 {
		t.Fatalf("an upload with the wrong sha256 = %v, want ErrDamaged (460)", err)
	}
	if has, _ := c.HasBlob(ctx, wrong); has || blobStored(e.dir, wrong) {
		t.Error("a damaged upload was stored")
	}
	if left := uploadsLeft(t, e.dir); len(left) != 0 {
		t.Errorf("a damaged upload left files behind: %v", left)
	}
}

func TestUploadOfARemovedUseIsRefused(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, accountConfig())
	olive, oscar := e.signUp("olive"), e.signUp("oscar")
	m := must(olive.CreateMember(ctx, account.NewMember{Name: "Olive", Handle: "@olive", Level: consent.Everyone}))
	g := must(oscar.RequestGrant(ctx, client.GrantRequest{Member: m.ID, Project: "p1", Scope: consent.Draft}))
	path, sum := writeBlob(t, []byte("a clip featuring olive"))
	u := must(oscar.RegisterUse(ctx, account.NewUse{GrantID: g.ID, ClipSHA256: sum, ProjectTitle: "Voyage", Scope: consent.Draft, At: e.clock.Now()}))
	if err := oscar.Upload(ctx, path, sum, account.BlobClip, "p1", client.UploadState{}, nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := olive.RemoveUse(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	// The server's copy goes with the use.
	if has, _ := oscar.HasBlob(ctx, sum); has || blobStored(e.dir, sum) {
		t.Errorf("after the use's removal: held %v, stored %v", has, blobStored(e.dir, sum))
	}
	err := oscar.Upload(ctx, path, sum, account.BlobClip, "p1", client.UploadState{}, nil, nil)
	var ce *client.Error
	if !errors.As(err, &ce) || ce.Status != http.StatusForbidden || ce.Message != "this clip's use was removed by the person it features" {
		t.Fatalf("uploading a removed use's clip = %v, want 403", err)
	}
}

func TestTusNeedsTheSession(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, server.Config{})
	oscar, olive := e.signUp("oscar"), e.signUp("olive")
	path, sum := randomFile(t, 2*testChunk, 1)
	tus := func(method, url, token string, header ...string) *http.Response {
		req, _ := http.NewRequest(method, url, nil)
		req.Header.Set("Tus-Resumable", "1.0.0")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := e.hs.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	meta := "sha256 " + tusMeta(sum) + ",kind " + tusMeta("clip")
	if r := tus("POST", e.hs.URL+account.TusPath, "", "Upload-Length", "10", "Upload-Metadata", meta); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("create without a session = %d, want 401", r.StatusCode)
	}
	if r := tus("POST", e.hs.URL+account.TusPath, oscar.token, "Upload-Length", "10", "Upload-Metadata", "kind "+tusMeta("clip")); r.StatusCode != http.StatusBadRequest {
		t.Errorf("create without a sha256 = %d, want 400", r.StatusCode)
	}
	r := tus("POST", e.hs.URL+account.TusPath, oscar.token, "Upload-Length", "10", "Upload-Metadata", meta)
	if r.StatusCode != http.StatusCreated {
		t.Fatalf("create = %d", r.StatusCode)
	}
	loc := e.hs.URL + r.Header.Get("Location")
	if strings.HasPrefix(r.Header.Get("Location"), "http") {
		loc = r.Header.Get("Location")
	}
	if r := tus("HEAD", loc, olive.token); r.StatusCode != http.StatusNotFound {
		t.Errorf("another account's HEAD of the upload = %d, want 404", r.StatusCode)
	}
	if r := tus("DELETE", loc, olive.token); r.StatusCode != http.StatusNotFound {
		t.Errorf("another account's DELETE of the upload = %d, want 404", r.StatusCode)
	}
	if r := tus("HEAD", loc, oscar.token); r.StatusCode != http.StatusOK {
		t.Errorf("the owner's HEAD of the upload = %d, want 200", r.StatusCode)
	}
	// Olive cannot hijack oscar's upload URL with the client either.
	err := olive.Upload(ctx, path, sum, account.BlobClip, "", client.UploadState{URL: loc}, nil, nil)
	if err != nil {
		t.Fatal(err) // it starts a new upload of her own
	}
	if has, _ := oscar.HasBlob(ctx, sum); has {
		t.Error("olive's upload gave oscar a hold")
	}
	// "I have this blob too" is answered only to an account that holds it.
	claim := `{"kind":"clip","project":"p2"}`
	if code, _ := e.raw("POST", "/blobs/"+sum, olive.token, strings.NewReader(claim)); code != http.StatusOK {
		t.Errorf("the holder's claim = %d, want 200", code)
	}
	if code, _ := e.raw("POST", "/blobs/"+sum, oscar.token, strings.NewReader(claim)); code != http.StatusNotFound {
		t.Errorf("a claim by guessing the sum = %d, want 404", code)
	}
}

// TestUploadSurvivesCuts cuts the connection at random offsets during an
// upload: it completes every time, sending at most one chunk twice per cut.
func TestUploadSurvivesCuts(t *testing.T) {
	size, cuts, chunk := 4*testChunk+999, 10, testChunk
	if long() {
		size, cuts, chunk = 200<<20, 100, client.DefaultChunk
	}
	seed := rand.Uint64()
	t.Logf("seed %d (size %d, %d cuts)", seed, size, cuts)
	r := rand.New(rand.NewPCG(seed, 1))
	e := newEnv(t, server.Config{})
	p, err := faultproxy.New(strings.TrimPrefix(e.hs.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	c, err := client.New("http://"+p.Addr(), client.Options{Chunk: chunk})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.SignUp(ctx, "oscar", password, "laptop"); err != nil {
		t.Fatal(err)
	}
	path, sum := randomFile(t, size, seed)
	start := p.Up()
	var offsets []int64
	for range cuts {
		offsets = append(offsets, start+r.Int64N(int64(size)))
	}
	slices.Sort(offsets)
	p.CutAt(offsets...)
	if err := c.Upload(ctx, path, sum, account.BlobClip, "", client.UploadState{}, nil, nil); err != nil {
		t.Fatalf("seed %d: %v", seed, err)
	}
	sent := p.Up() - start
	made := p.Cuts()
	// Each request's headers are well under 1 KiB.
	if limit := int64(size) + int64(made)*int64(chunk) + int64(cuts+size/chunk+8)*1024; sent > limit {
		t.Errorf("seed %d: %d cuts; sent %d bytes for a %d-byte file, more than a chunk again per cut (%d)", seed, made, sent, size, limit)
	}
	if made == 0 {
		t.Errorf("seed %d: no cut was made", seed)
	}
	dst := filepath.Join(t.TempDir(), "back")
	if err := c.Download(ctx, sum, dst, nil); err != nil {
		t.Fatalf("seed %d: %v", seed, err)
	}
	t.Logf("%d cuts, %d bytes sent for %d", made, sent, size)
}

// TestUploadFlippedByteIsResent flips one byte in transit: the server
// refuses the file by its sha256 and a retry sends it whole.
func TestUploadFlippedByteIsResent(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, server.Config{})
	c, p := proxied(t, e, "oscar")
	path, sum := randomFile(t, 3*testChunk, 1)
	// Half-way into the first PATCH's body, past any request's headers.
	p.FlipAt(p.Up() + testChunk/2 + 8192)
	err := c.Upload(ctx, path, sum, account.BlobClip, "", client.UploadState{}, nil, nil)
	if !errors.Is(err, client.ErrDamaged) {
		t.Fatalf("an upload with a flipped byte = %v, want ErrDamaged", err)
	}
	if blobStored(e.dir, sum) {
		t.Fatal("a damaged upload was stored")
	}
	before := p.Up()
	if err := c.Upload(ctx, path, sum, account.BlobClip, "", client.UploadState{}, nil, nil); err != nil {
		t.Fatal(err)
	}
	if sent := p.Up() - before; sent < 3*testChunk {
		t.Errorf("the retry sent %d bytes, want the whole file (%d)", sent, 3*testChunk)
	}
	dst := filepath.Join(t.TempDir(), "back")
	if err := c.Download(ctx, sum, dst, nil); err != nil {
		t.Fatal(err)
	}
	sameFile(t, path, dst)
}

// TestUploadResumesAfterServerRestart stops slate-server mid-upload and
// starts it again on the same data folder: the upload resumes from its
// offset.
func TestUploadResumesAfterServerRestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	start := func() (*server.Server, *httptest.Server) {
		srv, err := server.New(ctx, server.Config{Dir: dir})
		if err != nil {
			t.Fatal(err)
		}
		return srv, httptest.NewServer(srv)
	}
	srv, hs := start()
	p, err := faultproxy.New(strings.TrimPrefix(hs.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	c, err := client.New("http://"+p.Addr(), client.Options{Chunk: testChunk})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.SignUp(ctx, "oscar", password, "laptop"); err != nil {
		t.Fatal(err)
	}
	size := 5 * testChunk
	path, sum := randomFile(t, size, 1)
	var saved client.UploadState
	var once sync.Once
	err = c.Upload(ctx, path, sum, account.BlobClip, "", client.UploadState{},
		func(st client.UploadState) error { saved = st; return nil },
		func(done, total int64) {
			if done >= 2*testChunk {
				once.Do(func() { hs.Close(); srv.Close() })
			}
		})
	if err == nil {
		t.Fatal("the upload finished with its server stopped")
	}
	if saved.Offset != 2*testChunk || saved.URL == "" {
		t.Fatalf("saved state %+v, want offset %d", saved, 2*testChunk)
	}
	srv, hs = start()
	defer func() { hs.Close(); srv.Close() }()
	p.SetTarget(strings.TrimPrefix(hs.URL, "http://"))
	before := p.Up()
	if err := c.Upload(ctx, path, sum, account.BlobClip, "", saved, nil, nil); err != nil {
		t.Fatal(err)
	}
	if sent := p.Up() - before; sent > int64(size)-saved.Offset+16*1024 {
		t.Errorf("after the restart it sent %d bytes, want the %d it lacked", sent, int64(size)-saved.Offset)
	}
	if !blobStored(dir, sum) {
		t.Error("the resumed upload was not stored")
	}
	// The start-up sweep keeps what an account holds.
	hs.Close()
	srv.Close()
	srv, hs = start()
	p.SetTarget(strings.TrimPrefix(hs.URL, "http://"))
	if !blobStored(dir, sum) {
		t.Fatal("the start-up sweep removed a held blob")
	}
	dst := filepath.Join(t.TempDir(), "back")
	if err := c.Download(ctx, sum, dst, nil); err != nil {
		t.Fatal(err)
	}
	sameFile(t, path, dst)
}

// fullDisk is tusd's store on a disk that fills after limit bytes.
type fullDisk struct {
	handler.DataStore
	mu    sync.Mutex
	limit int64
}

type fullDiskUpload struct {
	handler.Upload
	d *fullDisk
}

func (d *fullDisk) NewUpload(ctx context.Context, info handler.FileInfo) (handler.Upload, error) {
	up, err := d.DataStore.NewUpload(ctx, info)
	return fullDiskUpload{up, d}, err
}

func (d *fullDisk) GetUpload(ctx context.Context, id string) (handler.Upload, error) {
	up, err := d.DataStore.GetUpload(ctx, id)
	return fullDiskUpload{up, d}, err
}

func (d *fullDisk) AsTerminatableUpload(up handler.Upload) handler.TerminatableUpload {
	return d.DataStore.(handler.TerminaterDataStore).AsTerminatableUpload(up.(fullDiskUpload).Upload)
}

func (u fullDiskUpload) WriteChunk(ctx context.Context, offset int64, src io.Reader) (int64, error) {
	u.d.mu.Lock()
	room := u.d.limit
	u.d.mu.Unlock()
	n, err := u.Upload.WriteChunk(ctx, offset, io.LimitReader(src, room))
	u.d.mu.Lock()
	u.d.limit -= n
	full := u.d.limit <= 0
	u.d.mu.Unlock()
	if err == nil && full {
		io.Copy(io.Discard, src)
		err = syscall.ENOSPC
	}
	return n, err
}

// TestUploadOnAFullDisk fills the server's disk mid-upload (tusd's store
// fails its writes with ENOSPC): a clear error, and nothing registered.
func TestUploadOnAFullDisk(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, server.Config{UploadStore: func(s handler.DataStore) handler.DataStore {
		return &fullDisk{DataStore: s, limit: testChunk + testChunk/2}
	}})
	c, _ := proxied(t, e, "oscar")
	path, sum := randomFile(t, 3*testChunk, 1)
	err := c.Upload(ctx, path, sum, account.BlobClip, "", client.UploadState{}, nil, nil)
	if client.StatusOf(err) != http.StatusInsufficientStorage || !strings.Contains(err.Error(), "the server's disk is full") {
		t.Fatalf("an upload onto a full disk = %v, want 507 saying the disk is full", err)
	}
	if has, _ := c.HasBlob(ctx, sum); has || blobStored(e.dir, sum) {
		t.Error("a partial upload was registered")
	}
	if st, err := c.Storage(ctx); err != nil || st.Used != 0 || len(st.Items) != 0 {
		t.Errorf("Storage after a failed upload = %+v, %v", st, err)
	}
}
func tusMeta(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
