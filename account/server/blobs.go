package server

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/account/server/mediacheck"
	"github.com/slatestudio/slate/internal/atomicfile"
)

// blobs is the server's content-addressed store of media:
// blobs/sha256/ab/abcdef… under the data directory. A blob is written to a
// temporary file on the same filesystem, synced, and renamed into place, so
// a file under its sum is always complete.
type blobs struct {
	dir string // blobs/sha256
	tmp string // tmp/
}

func newBlobs(dataDir string) (*blobs, error) {
	b := &blobs{dir: filepath.Join(dataDir, "blobs", "sha256"), tmp: filepath.Join(dataDir, "tmp")}
	for _, d := range []string{b.dir, b.tmp} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("open blob store: %w", err)
		}
	}
	// Temporary files left by a crash are incomplete uploads nobody was
	// told about.
	entries, err := os.ReadDir(b.tmp)
	if err != nil {
		return nil, fmt.Errorf("open blob store: %w", err)
	}
	for _, e := range entries {
		if err := os.RemoveAll(filepath.Join(b.tmp, e.Name())); err != nil {
			return nil, fmt.Errorf("clean %s: %w", b.tmp, err)
		}
	}
	return b, nil
}

func (b *blobs) path(sum string) string {
	return filepath.Join(b.dir, sum[:2], sum)
}

// upload is a received blob not yet in the store.
type upload struct {
	tmp  string
	sum  string
	size int64
}

// receive copies r into a temporary file, hashing it, and syncs it. The
// caller either commits it or discards it.
func (b *blobs) receive(r io.Reader) (*upload, error) {
	f, err := os.CreateTemp(b.tmp, "upload-*")
	if err != nil {
		return nil, fmt.Errorf("receive upload: %w", err)
	}
	u := &upload{tmp: f.Name()}
	h := sha256.New()
	u.size, err = io.Copy(io.MultiWriter(f, h), r)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(u.tmp)
		return nil, err
	}
	u.sum = hex.EncodeToString(h.Sum(nil))
	return u, nil
}

// badMedia is an upload that is not what its kind must be.
type badMedia struct{ err error }

// Error says what is wrong with the file.
func (b *badMedia) Error() string { return b.err.Error() }

// check reads a received upload through and says its content type, or
// returns a *badMedia saying why it is not a medium of the kind.
func (b *blobs) check(u *upload, kind account.MediaKind) (string, error) {
	f, err := os.Open(u.tmp)
	if err != nil {
		return "", err
	}
	defer f.Close()
	ct, err := mediacheck.Check(kind, f, u.size)
	if err != nil {
		return "", &badMedia{err: err}
	}
	return ct, nil
}

// discard removes an upload that will not be committed.
func (b *blobs) discard(u *upload) { os.Remove(u.tmp) }

// commit moves an upload into the store under its sum. When the store
// already has that blob the upload is simply dropped.
func (b *blobs) commit(u *upload) error {
	dst := b.path(u.sum)
	if _, err := os.Stat(dst); err == nil {
		b.discard(u)
		return nil
	}
	dir := filepath.Dir(dst)
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("store blob %s: %w", u.sum, err)
		}
		if err := atomicfile.SyncDir(b.dir); err != nil {
			return fmt.Errorf("store blob %s: %w", u.sum, err)
		}
	}
	if err := atomicfile.Rename(u.tmp, dst); err != nil {
		return fmt.Errorf("store blob %s: %w", u.sum, err)
	}
	return nil
}

// remove deletes a blob; one already gone is no error.
func (b *blobs) remove(sum string) error {
	p := b.path(sum)
	if err := os.Remove(p); errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return fmt.Errorf("remove blob %s: %w", sum, err)
	}
	return atomicfile.SyncDir(filepath.Dir(p))
}

// open opens a blob for reading.
func (b *blobs) open(sum string) (*os.File, error) {
	return os.Open(b.path(sum))
}
