package diskfull

import (
	"errors"
	"os"
	"strings"
	"syscall"
	"testing"
)

func TestWrap(t *testing.T) {
	full := Wrap(&os.PathError{Op: "write", Path: "x", Err: syscall.ENOSPC})
	if !errors.Is(full, Err) || !errors.Is(full, syscall.ENOSPC) || !strings.Contains(full.Error(), "free some disk space") {
		t.Errorf("Wrap(ENOSPC) = %v, want Err, the cause and advice", full)
	}
	// Wrapped once only, however many layers pass it on.
	if again := Wrap(full); again != full {
		t.Errorf("Wrap(Wrap(ENOSPC)) = %v, want it unchanged", again)
	}
	if err := Wrap(os.ErrPermission); err != os.ErrPermission {
		t.Errorf("Wrap(EPERM) = %v, want it unchanged", err)
	}
	if err := Wrap(nil); err != nil {
		t.Errorf("Wrap(nil) = %v, want nil", err)
	}
}
