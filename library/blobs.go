package library

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/slatestudio/slate/internal/atomicfile"
	"github.com/slatestudio/slate/internal/filehash"
	"github.com/slatestudio/slate/internal/tempfile"
)

// Blobs is a content-addressed store: each file is named by the sha256 of
// its bytes, under blobs/sha256/ab/abcdef…, so the same clip or still is
// stored once and a name always means the same bytes.
type Blobs struct {
	dir string // blobs/sha256
	tmp string // same filesystem, for atomic renames
}

// ErrBadSum is returned for a string that is not a sha256 in hex.
var ErrBadSum = errors.New("not a sha256 hex digest")

func validSum(sum string) error {
	if len(sum) != 64 || strings.Trim(sum, "0123456789abcdef") != "" {
		return fmt.Errorf("blob name %q: %w", sum, ErrBadSum)
	}
	return nil
}

// Path is where the blob with this sum lives (whether or not it exists).
func (b *Blobs) Path(sum string) string {
	if validSum(sum) != nil {
		return filepath.Join(b.dir, "invalid")
	}
	return filepath.Join(b.dir, sum[:2], sum)
}

// Has reports whether the blob exists.
func (b *Blobs) Has(sum string) bool {
	if validSum(sum) != nil {
		return false
	}
	_, err := os.Stat(b.Path(sum))
	return err == nil
}

// Open opens a blob for reading.
func (b *Blobs) Open(sum string) (*os.File, error) {
	if err := validSum(sum); err != nil {
		return nil, err
	}
	f, err := os.Open(b.Path(sum))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("blob %s: %w", sum, ErrNotFound)
	}
	return f, err
}

// TempFile creates a file in the store's temporary directory; a finished
// file is moved into the store with Adopt.
func (b *Blobs) TempFile(pattern string) (*os.File, error) {
	return os.CreateTemp(b.tmp, pattern)
}

// Put stores what r yields and returns its sum and size. It is durable
// before it returns, and a failure (a full disk, a cancelled context)
// stores nothing.
func (b *Blobs) Put(ctx context.Context, r io.Reader) (sum string, size int64, err error) {
	f, err := b.TempFile("put-*")
	if err != nil {
		return "", 0, fmt.Errorf("store blob: %w", err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	h := sha256.New()
	size, err = io.Copy(io.MultiWriter(f, h), ctxReader{ctx, r})
	if err != nil {
		return "", 0, fmt.Errorf("store blob: %w", err)
	}
	if err := f.Sync(); err != nil {
		return "", 0, fmt.Errorf("store blob: %w", err)
	}
	if err := f.Close(); err != nil {
		return "", 0, fmt.Errorf("store blob: %w", err)
	}
	sum = hex.EncodeToString(h.Sum(nil))
	if err := b.place(tmp, sum); err != nil {
		return "", 0, err
	}
	return sum, size, nil
}

// Adopt moves a finished file (usually made with TempFile, or anywhere on
// the same filesystem) into the store without copying it, and returns its
// sum and size. The file is hashed and synced first; on failure it is left
// where it was.
func (b *Blobs) Adopt(ctx context.Context, path string) (sum string, size int64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, fmt.Errorf("store %s: %w", path, err)
	}
	h := sha256.New()
	size, err = io.Copy(h, ctxReader{ctx, f})
	if err == nil {
		err = f.Sync()
	}
	f.Close()
	if err != nil {
		return "", 0, fmt.Errorf("store %s: %w", path, err)
	}
	sum = hex.EncodeToString(h.Sum(nil))
	if err := b.place(path, sum); err != nil {
		return "", 0, err
	}
	return sum, size, nil
}

// place renames a synced file to its sum's path and syncs the directories
// that changed. An existing blob with the same sum is already the same
// bytes, so the new copy is dropped.
func (b *Blobs) place(tmp, sum string) error {
	final := b.Path(sum)
	if _, err := os.Stat(final); err == nil {
		return os.Remove(tmp)
	}
	dir := filepath.Dir(final)
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
			return fmt.Errorf("store blob: %w", err)
		}
		if err := atomicfile.SyncDir(b.dir); err != nil {
			return err
		}
	}
	if err := os.Chmod(tmp, 0o444); err != nil {
		return fmt.Errorf("store blob: %w", err)
	}
	if err := atomicfile.Rename(tmp, final); err != nil {
		return fmt.Errorf("store blob: %w", err)
	}
	return nil
}

// Remove deletes a blob; removing one that is not there is not an error.
func (b *Blobs) Remove(sum string) error {
	if err := validSum(sum); err != nil {
		return err
	}
	err := os.Remove(b.Path(sum))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove blob %s: %w", sum, err)
	}
	return atomicfile.SyncDir(filepath.Dir(b.Path(sum)))
}

// Verify re-hashes a blob and reports whether its bytes still match its name.
func (b *Blobs) Verify(sum string) error {
	if err := validSum(sum); err != nil {
		return err
	}
	got, err := filehash.SHA256(b.Path(sum))
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("blob %s: %w", sum, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("verify blob %s: %w", sum, err)
	}
	if got != sum {
		return fmt.Errorf("blob %s is damaged: its bytes hash to %s", sum, got)
	}
	return nil
}

// tempPrefix begins the name of each open library's temporary folder in
// tmp/, which is followed by its owner (see tempfile).
const tempPrefix = "p"

// cleanTemp removes what processes that have died left in tmp/: nothing
// in it was ever acknowledged. Each open library writes its temporary
// files in its own folder, named after its process and when that process
// started, so a tool running beside the studio never deletes the studio's
// work in progress, and a new process that was given a dead one's id does
// not keep the dead one's folder.
func cleanTemp(root string) error {
	entries, err := os.ReadDir(root)
	if err != nil {
		return fmt.Errorf("clean temporary files: %w", err)
	}
	for _, e := range entries {
		if owner, ok := tempfile.Owner(e.Name(), tempPrefix); ok && owner.Alive() {
			continue
		}
		// Folders named by an older Slate carry the process id alone.
		var pid int
		if _, err := fmt.Sscanf(e.Name(), tempPrefix+"%d-", &pid); err == nil && processAlive(pid) {
			continue
		}
		os.RemoveAll(filepath.Join(root, e.Name()))
	}
	return nil
}

// ctxReader stops a long copy when its context is cancelled.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
