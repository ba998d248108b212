//go:build unix

package sqlitedb

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// DirLock holds a data directory for one process: an advisory flock on
// its file "lock". The kernel drops it when the process dies, so a crash
// never leaves it stale.
type DirLock struct{ f *os.File }

// Lock takes dir for this process alone. Where another process holds it,
// the error is a *LockedError, which matches ErrLocked.
func Lock(dir string) (*DirLock, error) {
	path := filepath.Join(dir, "lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock data directory: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("lock data directory %s: %w", dir, err)
		}
		held := &LockedError{Dir: dir}
		if b, rerr := os.ReadFile(path); rerr == nil {
			held.PID, _ = strconv.Atoi(strings.TrimSpace(string(b)))
		}
		return nil, held
	}
	// The pid is only to name the holder in the next one's error.
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &DirLock{f}, nil
}

// Release lets the directory go.
func (l *DirLock) Release() {
	syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	l.f.Close()
}
