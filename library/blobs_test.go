package library

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestBlobPut(t *testing.T) {
	ctx := context.Background()
	l := open(t, t.TempDir())
	b := l.Blobs()
	data := strings.Repeat("frame", 1000)
	sum, size, err := b.Put(ctx, strings.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256([]byte(data))
	if want := hex.EncodeToString(h[:]); sum != want || size != int64(len(data)) {
		t.Fatalf("Put = %s, %d; want %s, %d", sum, size, want, len(data))
	}
	if want := filepath.Join(l.Dir(), "blobs", "sha256", sum[:2], sum); b.Path(sum) != want {
		t.Errorf("Path = %s, want %s", b.Path(sum), want)
	}
	f, err := b.Open(sum)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(f)
	f.Close()
	if string(got) != data {
		t.Errorf("Open read back different bytes")
	}
	if err := b.Verify(sum); err != nil {
		t.Errorf("Verify = %v", err)
	}
	// Storing the same bytes again is a no-op with the same name.
	if sum2, _, err := b.Put(ctx, strings.NewReader(data)); err != nil || sum2 != sum {
		t.Errorf("second Put = %s, %v", sum2, err)
	}
	if _, err := b.Open("zz"); !errors.Is(err, ErrBadSum) {
		t.Errorf("Open(zz) = %v, want ErrBadSum", err)
	}
}

type failingReader struct{ n int }

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n > 3 {
		return 0, errors.New("disk on fire")
	}
	f.n++
	return copy(p, "some bytes"), nil
}

func TestBlobFailedPutStoresNothing(t *testing.T) {
	ctx := context.Background()
	l := open(t, t.TempDir())
	if _, _, err := l.Blobs().Put(ctx, &failingReader{}); err == nil {
		t.Fatal("Put from a failing reader succeeded")
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, _, err := l.Blobs().Put(cancelled, strings.NewReader("x")); !errors.Is(err, context.Canceled) {
		t.Errorf("Put with a cancelled context = %v", err)
	}
	assertNoFiles(t, filepath.Join(l.Dir(), "blobs", "sha256"))
	assertNoFiles(t, l.TempDir())
}

func assertNoFiles(t *testing.T, dir string) {
	t.Helper()
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			t.Errorf("file left behind: %s", path)
		}
		return nil
	})
}

func TestBlobAdopt(t *testing.T) {
	ctx := context.Background()
	l := open(t, t.TempDir())
	f, err := l.Blobs().TempFile("render-*.mp4")
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("a rendered clip")
	f.Close()
	sum, size, err := l.Blobs().Adopt(ctx, f.Name())
	if err != nil {
		t.Fatal(err)
	}
	if size != 15 || !l.Blobs().Has(sum) {
		t.Errorf("Adopt = %s, %d; blob present %v", sum, size, l.Blobs().Has(sum))
	}
	if _, err := os.Stat(f.Name()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Adopt left the source file in place")
	}
	if err := l.Blobs().Verify(sum); err != nil {
		t.Error(err)
	}
	// A damaged blob is caught.
	os.Chmod(l.Blobs().Path(sum), 0o644)
	os.WriteFile(l.Blobs().Path(sum), []byte("tampered"), 0o644)
	if err := l.Blobs().Verify(sum); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("Verify of a tampered blob = %v", err)
	}
}

// Temporary folders of dead processes are removed on open; a live one's
// (a studio beside a command-line render) are kept.
func TestStaleTempCleaned(t *testing.T) {
	dir := t.TempDir()
	l := open(t, dir)
	mine := l.TempDir()
	os.WriteFile(filepath.Join(mine, "work"), []byte("x"), 0o644)
	stale := filepath.Join(dir, "tmp", "p999999999-123")
	os.MkdirAll(stale, 0o755)
	os.WriteFile(filepath.Join(stale, "half.mp4"), []byte("x"), 0o644)
	l2, err := Open(t.Context(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l2.Close()
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stale temporary folder kept")
	}
	if _, err := os.Stat(filepath.Join(mine, "work")); err != nil {
		t.Errorf("a live library's temporary file was removed: %v", err)
	}
}

// A library killed while open leaves its temporary folder; the next open
// removes it even when a live process has since been given the dead one's
// id. Here that live process is the test itself: the folder is renamed
// to carry the test's id, as the dead process's would if its id had been
// reused.
func TestStaleTempCleanedAfterPIDReuse(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "SLATE_OPEN_CHILD_DIR="+dir, "SLATE_OPEN_CHILD_HOLD=1")
	cmd.Stdin = strings.NewReader("go\n")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	cmd.Process.Kill()
	cmd.Wait()
	held, ok := strings.CutPrefix(strings.TrimSpace(line), "open ")
	if !ok {
		t.Fatalf("the child did not open the library: %q", line)
	}
	name := filepath.Base(held)
	childID := fmt.Sprintf("p%d", cmd.Process.Pid)
	if !strings.HasPrefix(name, childID) {
		t.Fatalf("the child's temporary folder %q does not start with %q", name, childID)
	}
	reused := filepath.Join(dir, "tmp", fmt.Sprintf("p%d", os.Getpid())+strings.TrimPrefix(name, childID))
	if err := os.Rename(held, reused); err != nil {
		t.Fatal(err)
	}
	l := open(t, dir)
	if _, err := os.Stat(reused); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s, left by a killed process whose id is now a live one's, was kept", reused)
	}
	if _, err := os.Stat(l.TempDir()); err != nil {
		t.Errorf("the library's own temporary folder: %v", err)
	}
}
