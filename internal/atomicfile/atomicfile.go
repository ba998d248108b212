// Package atomicfile writes files so that a crash or a full disk leaves
// either the old file or the complete new one, never a partial file: write
// to a temporary file in the same directory, fsync it, rename it over the
// target, then fsync the directory so the rename itself is durable. The
// temporary file is named after the process writing it (package
// tempfile), so one that a crash left behind is removed by a later write
// to the same folder.
package atomicfile

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/slatestudio/slate/internal/tempfile"
)

// WriteFile writes data to path atomically and durably.
func WriteFile(path string, data []byte, perm os.FileMode) error {
	return Write(path, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// Write calls fill with a temporary file in path's directory and, when fill
// succeeds, makes that file path atomically and durably. When fill or any
// step fails, the temporary file is removed and path is left as it was.
func Write(path string, perm os.FileMode, fill func(w io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	// Named after this process, so that what a killed one left is swept
	// away by the next write here.
	f, err := tempfile.Create(dir, tempfile.Prefix, "-"+filepath.Base(path))
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err := fill(f); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Chmod(perm); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("write %s: sync: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return Rename(tmp, path)
}

// Rename moves a finished file into place and syncs the directory, so the
// new name survives a crash. Both paths must be on the same filesystem.
func Rename(from, to string) error {
	if err := os.Rename(from, to); err != nil {
		return fmt.Errorf("rename %s: %w", to, err)
	}
	return SyncDir(filepath.Dir(to))
}

// SyncDir fsyncs a directory, making the creation, removal or renaming of
// entries in it durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	return nil
}
