//go:build unix

package library

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// checkWritable makes sure Slate may write everywhere in the data folder it
// has to, before anything is opened: a folder made read-only (by hand, by
// a backup restored as another user, by a read-only disk) otherwise fails
// half-way with a message about some temporary folder. Root passes
// every check but a read-only disk.
func checkWritable(dir string) error {
	for _, p := range []string{
		dir, filepath.Join(dir, "tmp"), filepath.Join(dir, "blobs"), filepath.Join(dir, "blobs", "sha256"),
		filepath.Join(dir, "slate.db"), filepath.Join(dir, "slate.db-wal"), filepath.Join(dir, "slate.db-shm"),
	} {
		err := syscall.Access(p, 2) // W_OK
		if err == nil || errors.Is(err, syscall.ENOENT) {
			continue
		}
		return notWritable(dir, &fs.PathError{Op: "write", Path: p, Err: err})
	}
	return nil
}

// notWritable turns a refused write in the data folder dir into what a
// person can act on: which folder, and the two ways out. Other errors are
// returned as they were.
func notWritable(dir string, err error) error {
	var pe *fs.PathError
	readOnlyDisk := errors.Is(err, syscall.EROFS)
	if !errors.As(err, &pe) || !errors.Is(err, fs.ErrPermission) && !readOnlyDisk {
		return fmt.Errorf("open library: %w", err)
	}
	fix := pe.Path
	if pe.Op == "mkdir" {
		// The folder cannot be made: the nearest one that exists is what
		// needs to change.
		for fix = filepath.Dir(fix); ; fix = filepath.Dir(fix) {
			if _, err := os.Stat(fix); err == nil || filepath.Dir(fix) == fix {
				break
			}
		}
	}
	why := "permission denied"
	if readOnlyDisk {
		why = "the disk is read-only"
	}
	if pe.Path != dir {
		why = pe.Path + ": " + why
	}
	return notWritableError(fmt.Sprintf("cannot write to the data folder %s (%s): make %s writable, or start Slate with SLATE_HOME set to another folder", dir, why, fix))
}

// notWritableError is a message complete in itself that matches
// ErrNotWritable.
type notWritableError string

func (e notWritableError) Error() string { return string(e) }

func (e notWritableError) Is(target error) bool { return target == ErrNotWritable }

// inode is the file's number on its disk: a file renamed over another has
// another one.
func inode(fi os.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Ino)
	}
	return 0
}
