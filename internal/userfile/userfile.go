// Package userfile opens the files a person names — a project, a sound
// cue, a voice — and only when they are regular files. Anything else is
// refused, naming the path and what it is: a device such as /dev/zero
// would be read until memory runs out, and opening a named pipe blocks
// until someone writes to it, which may be never.
//
// A file is checked before it is opened, opened without blocking, and
// checked again once open, so that a path swapped for a pipe in between is
// still refused; what is read is bounded.
package userfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// ErrNotRegular is matched by every *NotRegularError.
var ErrNotRegular = errors.New("not a regular file")

// ErrTooLarge is matched by every *TooLargeError.
var ErrTooLarge = errors.New("file too large")

// TooLargeError says that a file is larger than what it is read for may be.
type TooLargeError struct {
	Path string
	// Size is the file's size, or -1 when only its limit is known to be
	// passed (a file that grew, or one in /proc that claims to be empty).
	Size, Limit int64
	What        string
}

// Error reads "big.slate is 65 MB; a project file is at most 64 MB".
func (e *TooLargeError) Error() string {
	if e.Size < 0 {
		return fmt.Sprintf("%s is larger than %s, the most %s may be", e.Path, Size(e.Limit), e.What)
	}
	return fmt.Sprintf("%s is %s; %s is at most %s", e.Path, Size(e.Size), e.What, Size(e.Limit))
}

// Is makes errors.Is(err, ErrTooLarge) true.
func (e *TooLargeError) Is(target error) bool { return target == ErrTooLarge }

// NotRegularError says that a path names something other than a regular
// file, and what.
type NotRegularError struct {
	Path string
	// Kind is what the path is, as a person says it: "a device", "a named
	// pipe", "a folder", "a socket".
	Kind string
	// What is what it should have been: "a project file".
	What string
}

// Error reads "/dev/zero is a device, not a project file".
func (e *NotRegularError) Error() string {
	return fmt.Sprintf("%s is %s, not %s", e.Path, e.Kind, e.What)
}

// Is makes errors.Is(err, ErrNotRegular) true.
func (e *NotRegularError) Is(target error) bool { return target == ErrNotRegular }

// kind names a file mode for a person.
func kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a folder"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "not a plain file"
}

// Check stats path, following links, and refuses anything but a regular
// file with a *NotRegularError; what says what it should be ("a sound
// file"). It opens nothing, so it is the check for a path handed to
// another program (ffmpeg), which would block on a pipe itself. Errors from
// stat are returned as they are.
func Check(path, what string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return &NotRegularError{Path: path, Kind: kind(fi.Mode()), What: what}
	}
	return nil
}

// Open opens path for reading if it is a regular file (see Check). It
// opens without blocking and checks the open file again, so a path that
// became a pipe after the check is refused rather than waited on.
func Open(path, what string) (*os.File, error) {
	if err := Check(path, what); err != nil {
		return nil, err
	}
	return openRegular(path, what)
}

// openRegular opens path without blocking and refuses it unless the open
// file is regular.
func openRegular(path, what string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|nonBlock, 0)
	if err != nil {
		// A socket cannot be opened at all; say what it is.
		if fi, serr := os.Stat(path); serr == nil && !fi.Mode().IsRegular() {
			return nil, &NotRegularError{Path: path, Kind: kind(fi.Mode()), What: what}
		}
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, &NotRegularError{Path: path, Kind: kind(fi.Mode()), What: what}
	}
	return f, nil
}

// ReadFile reads the whole of path, a regular file of at most limit bytes
// (see Open). A larger file is refused with an error matching ErrTooLarge
// that gives its size and the limit; the size is checked again as it is
// read, since a file can grow, and some (in /proc) claim to be empty.
func ReadFile(path, what string, limit int64) ([]byte, error) {
	f, err := Open(path, what)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Size() > limit {
		return nil, &TooLargeError{Path: path, Size: fi.Size(), Limit: limit, What: what}
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, &TooLargeError{Path: path, Size: -1, Limit: limit, What: what}
	}
	return data, nil
}

// Size writes a file size for a person: "64 MB", "12 KB", "300 bytes".
func Size(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
