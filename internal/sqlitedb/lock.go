package sqlitedb

import (
	"errors"
	"fmt"
)

// ErrLocked is matched by Lock's error when another process holds the
// directory.
var ErrLocked = errors.New("data directory in use")

// LockedError says which process holds a data directory.
type LockedError struct {
	Dir string
	PID int // the holder's process ID; 0 when it cannot be told
}

func (e *LockedError) Error() string {
	if e.PID > 0 {
		return fmt.Sprintf("data directory %s in use by process %d", e.Dir, e.PID)
	}
	return fmt.Sprintf("data directory %s in use by another process", e.Dir)
}

// Is makes a LockedError match ErrLocked.
func (e *LockedError) Is(target error) bool { return target == ErrLocked }
