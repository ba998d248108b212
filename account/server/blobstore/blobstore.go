// Package blobstore is slate-server's content-addressed store of files:
// members' media and rendered clips, each under blobs/sha256/ab/abcdef… in
// the data directory. A blob is written to a temporary file on the same
// filesystem, synced, and renamed into place, so a file under its sum is
// always complete.
package blobstore

import (
	"context"
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

// Store is the blob store of one data directory.
type Store struct {
	dir string // blobs/sha256
	tmp string // tmp/
}

// Open opens the store under dataDir, creating it if missing, and removes
// the temporary files a crash left behind.
func Open(dataDir string) (*Store, error) {
	b := &Store{dir: filepath.Join(dataDir, "blobs", "sha256"), tmp: filepath.Join(dataDir, "tmp")}
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

// Dir is the folder holding the blobs, one subfolder per first two
// characters of their sums.
func (b *Store) Dir() string { return b.dir }

// Path is where the blob with the given sum lies.
func (b *Store) Path(sum string) string {
	return filepath.Join(b.dir, sum[:2], sum)
}

// Upload is a received blob not yet in the store.
type Upload struct {
	tmp  string
	sum  string
	size int64
}

// SHA256 is the upload's sum, in hex.
func (u *Upload) SHA256() string { return u.sum }

// Size is how many bytes it holds.
func (u *Upload) Size() int64 { return u.size }

// Receive copies r into a temporary file, hashing it, and syncs it. The
// caller either commits it or discards it.
func (b *Store) Receive(r io.Reader) (*Upload, error) {
	f, err := os.CreateTemp(b.tmp, "upload-*")
	if err != nil {
		return nil, fmt.Errorf("receive upload: %w", err)
	}
	u := &Upload{tmp: f.Name()}
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

// BadMedia is an upload that is not what its kind must be.
type BadMedia struct{ err error }

// Error says what is wrong with the file.
func (b *BadMedia) Error() string { return b.err.Error() }

// Check reads a received upload through and says its content type, or
// returns a *BadMedia saying why it is not a medium of the kind.
func (b *Store) Check(u *Upload, kind account.MediaKind) (string, error) {
	f, err := os.Open(u.tmp)
	if err != nil {
		return "", err
	}
	defer f.Close()
	ct, err := mediacheck.Check(kind, f, u.size)
	if err != nil {
		return "", &BadMedia{err: err}
	}
	return ct, nil
}

// Discard removes an upload that will not be committed.
func (b *Store) Discard(u *Upload) { os.Remove(u.tmp) }

// Commit moves an upload into the store under its sum. When the store
// already has that blob the upload is simply dropped.
func (b *Store) Commit(u *Upload) error {
	dst := b.Path(u.sum)
	if _, err := os.Stat(dst); err == nil {
		b.Discard(u)
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

// Adopt moves a file already on the store's filesystem (a render's clip
// in tmp/) into the store under sum, synced; when the store holds that
// blob already the file stays where it is, for its owner to remove.
func (b *Store) Adopt(path, sum string) error {
	if _, err := os.Stat(b.Path(sum)); err == nil {
		return nil
	}
	f, err := os.Open(path)
	if err == nil {
		err = f.Sync()
		f.Close()
	}
	if err != nil {
		return fmt.Errorf("store blob %s: %w", sum, err)
	}
	return b.Commit(&Upload{tmp: path, sum: sum})
}

// Remove deletes a blob; one already gone is no error.
func (b *Store) Remove(sum string) error {
	p := b.Path(sum)
	if err := os.Remove(p); errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return fmt.Errorf("remove blob %s: %w", sum, err)
	}
	return atomicfile.SyncDir(filepath.Dir(p))
}

// OpenBlob opens a blob for reading.
func (b *Store) OpenBlob(sum string) (*os.File, error) {
	return os.Open(b.Path(sum))
}

// Sweep removes every blob that uses counts no reference to, and returns
// how many it removed.
func (b *Store) Sweep(ctx context.Context, uses func(ctx context.Context, sum string) (int, error)) (int, error) {
	dirs, err := os.ReadDir(b.dir)
	if err != nil {
		return 0, fmt.Errorf("sweep blobs: %w", err)
	}
	removed := 0
	for _, d := range dirs {
		files, err := os.ReadDir(filepath.Join(b.dir, d.Name()))
		if err != nil {
			return removed, fmt.Errorf("sweep blobs: %w", err)
		}
		for _, f := range files {
			n, err := uses(ctx, f.Name())
			if err != nil {
				return removed, fmt.Errorf("sweep blobs: %w", err)
			}
			if n == 0 {
				if err := b.Remove(f.Name()); err != nil {
					return removed, fmt.Errorf("sweep blobs: %w", err)
				}
				removed++
			}
		}
	}
	return removed, nil
}
