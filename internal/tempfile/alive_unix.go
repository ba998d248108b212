//go:build unix

package tempfile

import (
	"errors"
	"syscall"
)

// pidExists reports whether a process with this id exists (signal 0
// checks without sending anything; EPERM means it exists but is someone
// else's).
func pidExists(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
