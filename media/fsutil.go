package media

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/slatestudio/slate/internal/diskfull"
	"github.com/slatestudio/slate/internal/tempfile"
)

// reserveTemp creates an empty temp file beside final, on the same file
// system so that the rename in commitTemp is atomic. The name ends with
// final's base name so that ffmpeg still picks the format from the
// extension, and names this process, so that one left by a process that
// was killed is swept away by the next (see tempfile).
func reserveTemp(final string) (string, error) {
	dir, base := filepath.Split(final)
	if dir == "" {
		dir = "."
	}
	f, err := tempfile.Create(dir, tempfile.Prefix, "-"+base)
	if err != nil {
		return "", diskfull.Wrap(fmt.Errorf("create temp file for %q: %w", final, err))
	}
	name := f.Name()
	// CreateTemp makes the file private; media files are ordinary documents.
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		os.Remove(name)
		return "", fmt.Errorf("create temp file for %q: %w", final, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(name)
		return "", diskfull.Wrap(fmt.Errorf("create temp file for %q: %w", final, err))
	}
	return name, nil
}

// commitTemp makes the finished temp file durable and moves it to final:
// fsync the file, rename, fsync the directory, so that after a crash final is
// either the old file or the whole new one. An empty temp file means the
// program wrote nothing, which is an error rather than a result.
func commitTemp(tmp, final string) error {
	f, err := os.OpenFile(tmp, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("commit %q: %w", final, err)
	}
	fi, err := f.Stat()
	if err == nil && fi.Size() == 0 {
		err = errors.New("nothing was written (is the time or stream past the end of the input?)")
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, final)
	}
	if err != nil {
		os.Remove(tmp)
		return diskfull.Wrap(fmt.Errorf("commit %q: %w", final, err))
	}
	syncDir(filepath.Dir(final))
	return nil
}

// syncDir makes a rename durable. Errors are ignored: some file systems
// cannot sync a directory, and the data itself is already synced.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
