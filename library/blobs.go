package library

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
	"strings"
	"sync"

	"github.com/slatestudio/slate/internal/atomicfile"
	"github.com/slatestudio/slate/internal/tempfile"
)

// Blobs is a content-addressed store: each file is named by the sha256 of
// its bytes, under blobs/sha256/ab/abcdef…, so the same clip or still is
// stored once and a name always means the same bytes. Files derived from a
// blob (its thumbnail) are kept beside it and go with it (see Derive).
//
// A disk can still change the bytes under a name, and a crash can cut a
// file short. A blob is checked against its name before it is used
// (Verify, or VerifyOnce where it is read again and again), and one that
// no longer matches is moved aside to blobs/damaged/ (MoveAside), kept
// for whoever wants to look at it, out of the store's way.
type Blobs struct {
	dir     string // blobs/sha256
	damaged string // blobs/damaged
	tmp     string // same filesystem, for atomic renames

	mu       sync.Mutex
	verified map[string]fileStamp // sum → the file as it was when it last hashed right
}

// fileStamp tells whether a file may have changed: a write moves its
// modification time, a cut changes its size, and a file put in its place
// has another inode.
type fileStamp struct {
	size, modTime int64
	inode         uint64
}

func stampOf(fi os.FileInfo) fileStamp {
	return fileStamp{size: fi.Size(), modTime: fi.ModTime().UnixNano(), inode: inode(fi)}
}

func newBlobs(dir, tmp string) *Blobs {
	return &Blobs{dir: dir, damaged: filepath.Join(filepath.Dir(dir), "damaged"), tmp: tmp, verified: map[string]fileStamp{}}
}

// ErrBadSum is returned for a string that is not a sha256 in hex.
var ErrBadSum = errors.New("not a sha256 hex digest")

// ErrDamaged is matched by the error for a blob whose bytes no longer hash
// to its name.
var ErrDamaged = errors.New("damaged")

// DamagedError reports a blob that was found damaged and moved aside.
type DamagedError struct {
	SHA256  string
	MovedTo string // where the damaged file is now
	Err     error  // what Verify said, matching ErrDamaged
}

func (e *DamagedError) Error() string {
	return fmt.Sprintf("%v; it was moved to %s", e.Err, e.MovedTo)
}

func (e *DamagedError) Unwrap() error { return e.Err }

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
	size, err = copyContext(ctx, io.MultiWriter(f, h), r)
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
	size, err = copyContext(ctx, h, f)
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
// that changed. An intact blob with the same sum is already the same
// bytes, so the new copy is dropped; a damaged one is moved aside and
// replaced.
func (b *Blobs) place(tmp, sum string) error {
	final := b.Path(sum)
	if _, err := os.Stat(final); err == nil {
		err := b.Verify(sum)
		if err == nil {
			return os.Remove(tmp)
		}
		if errors.Is(err, ErrDamaged) {
			if _, err := b.MoveAside(sum); err != nil {
				return fmt.Errorf("store blob: %w", err)
			}
		}
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

// Remove deletes a blob and the files derived from it; removing one that
// is not there is not an error, and still deletes what was derived from
// it.
func (b *Blobs) Remove(sum string) error {
	if err := validSum(sum); err != nil {
		return err
	}
	// The derived files go first, so that a crash never leaves a picture
	// of a blob that is gone, and again after the blob, for one that
	// Derive placed meanwhile (it looks for the blob after placing it).
	before, err := b.removeDerived(sum)
	if err != nil {
		return err
	}
	err = os.Remove(b.Path(sum))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove blob %s: %w", sum, err)
	}
	removed := err == nil
	after, err := b.removeDerived(sum)
	if err != nil {
		return err
	}
	if !removed && !before && !after {
		return nil
	}
	return atomicfile.SyncDir(filepath.Dir(b.Path(sum)))
}

// Verify re-hashes a blob and reports whether its bytes still match its
// name; a mismatch matches ErrDamaged. It reads the whole file, which is
// far cheaper than the render it saves (see render's
// BenchmarkVerifyBeforeAssembly), but not free: what is read again and
// again uses VerifyOnce.
func (b *Blobs) Verify(sum string) error {
	return b.verify(sum, nil)
}

// verify is Verify, telling read how many bytes it has hashed as it goes.
func (b *Blobs) verify(sum string, read func(n int)) error {
	if err := validSum(sum); err != nil {
		return err
	}
	f, err := os.Open(b.Path(sum))
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("blob %s: %w", sum, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("verify blob %s: %w", sum, err)
	}
	defer f.Close()
	before, err := f.Stat()
	if err != nil {
		return fmt.Errorf("verify blob %s: %w", sum, err)
	}
	h := sha256.New()
	var r io.Reader = f
	if read != nil {
		r = countingReader{f, read}
	}
	if _, err := io.Copy(h, r); err != nil {
		return fmt.Errorf("verify blob %s: %w", sum, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != sum {
		return fmt.Errorf("blob %s is damaged: its bytes hash to %s: %w", sum, got, ErrDamaged)
	}
	b.mu.Lock()
	b.verified[sum] = stampOf(before)
	b.mu.Unlock()
	return nil
}

// VerifyOnce is Verify for blobs read again and again, such as the clips
// the studio's player opens every time a shot comes into view: it hashes
// a blob once in this process, and again only when the file looks changed
// (another size, modification time or inode). Damage that leaves all three
// as they were — only deliberate tampering does — goes unseen until the
// next process looks.
func (b *Blobs) VerifyOnce(sum string) error {
	if err := validSum(sum); err != nil {
		return err
	}
	fi, err := os.Stat(b.Path(sum))
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("blob %s: %w", sum, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("verify blob %s: %w", sum, err)
	}
	b.mu.Lock()
	seen, ok := b.verified[sum]
	b.mu.Unlock()
	if ok && seen == stampOf(fi) {
		return nil
	}
	return b.Verify(sum)
}

// MoveAside moves a damaged blob out of the store into blobs/damaged/,
// so that nothing uses it any more and nothing is lost, and returns where
// it went. A blob damaged before keeps its earlier copy: the new one is
// numbered. The files derived from it are deleted: they are made again
// from whatever takes its place.
func (b *Blobs) MoveAside(sum string) (string, error) {
	if err := validSum(sum); err != nil {
		return "", err
	}
	if err := os.MkdirAll(b.damaged, 0o755); err != nil {
		return "", fmt.Errorf("move damaged blob %s aside: %w", sum, err)
	}
	to := filepath.Join(b.damaged, sum)
	for n := 2; ; n++ {
		if _, err := os.Lstat(to); errors.Is(err, os.ErrNotExist) {
			break
		}
		to = filepath.Join(b.damaged, fmt.Sprintf("%s.%d", sum, n))
	}
	if err := atomicfile.Rename(b.Path(sum), to); err != nil {
		return "", fmt.Errorf("move damaged blob %s aside: %w", sum, err)
	}
	b.mu.Lock()
	delete(b.verified, sum)
	b.mu.Unlock()
	if _, err := b.removeDerived(sum); err != nil {
		return to, err
	}
	return to, atomicfile.SyncDir(filepath.Dir(b.Path(sum)))
}

// StoreReport is what VerifyStore found.
type StoreReport struct {
	Checked int   // blobs hashed
	Bytes   int64 // their size together
	// Damaged are the blobs that no longer matched their names, each
	// moved aside.
	Damaged []*DamagedError
}

// VerifyStore checks every blob in the data folder dir against its name
// and moves the damaged ones aside, calling progress (when not nil) with
// the bytes hashed so far and in all. It opens neither the database nor
// the folder's lock, so it may run beside a studio: a blob moved aside
// there is rendered again when next needed.
func VerifyStore(ctx context.Context, dir string, progress func(done, total int64)) (StoreReport, error) {
	b := newBlobs(filepath.Join(dir, "blobs", "sha256"), "")
	type blob struct {
		sum  string
		size int64
	}
	var blobs []blob
	var total int64
	err := filepath.WalkDir(b.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, os.ErrNotExist) && path == b.dir {
				return filepath.SkipDir // no blobs yet
			}
			return err
		}
		name := d.Name()
		if d.IsDir() || validSum(name) != nil || b.Path(name) != path {
			return nil // not a blob: a derived file, or a stray
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		blobs = append(blobs, blob{name, fi.Size()})
		total += fi.Size()
		return nil
	})
	if err != nil {
		return StoreReport{}, fmt.Errorf("verify blobs in %s: %w", b.dir, err)
	}
	var rep StoreReport
	report := func() {
		if progress != nil {
			progress(rep.Bytes, total)
		}
	}
	report()
	for _, bl := range blobs {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		base := rep.Bytes
		err := b.verify(bl.sum, func(n int) {
			rep.Bytes += int64(n)
			report()
		})
		rep.Bytes = base + bl.size
		switch {
		case errors.Is(err, ErrDamaged):
			to, merr := b.MoveAside(bl.sum)
			if merr != nil {
				return rep, merr
			}
			rep.Damaged = append(rep.Damaged, &DamagedError{SHA256: bl.sum, MovedTo: to, Err: err})
		case errors.Is(err, ErrNotFound):
			continue // removed since the walk
		case err != nil:
			return rep, err
		}
		rep.Checked++
		report()
	}
	return rep, nil
}

// countingReader tells read how many bytes each Read returned.
type countingReader struct {
	r    io.Reader
	read func(n int)
}

func (c countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if n > 0 {
		c.read(n)
	}
	return n, err
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
		if _, err := fmt.Sscanf(e.Name(), tempPrefix+"%d-", &pid); err == nil && (tempfile.Process{PID: pid}).Alive() {
			continue
		}
		os.RemoveAll(filepath.Join(root, e.Name()))
	}
	return nil
}

// copyContext is io.Copy that stops when ctx is cancelled, checking
// before each read, so that a long copy does not hold up a cancelled
// import or check.
func copyContext(ctx context.Context, dst io.Writer, src io.Reader) (int64, error) {
	buf := make([]byte, 32<<10)
	var n int64
	for {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		nr, rerr := src.Read(buf)
		if nr > 0 {
			nw, werr := dst.Write(buf[:nr])
			n += int64(nw)
			if werr != nil {
				return n, werr
			}
			if nw != nr {
				return n, io.ErrShortWrite
			}
		}
		if rerr == io.EOF {
			return n, nil
		}
		if rerr != nil {
			return n, rerr
		}
	}
}
