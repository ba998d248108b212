//go:build unix

package sqlitedb

import (
	"errors"
	"os"
	"testing"
)

// A second process on a held folder is told which one holds it; once
// that one lets go, the folder can be taken.
func TestLock(t *testing.T) {
	dir := t.TempDir()
	held, err := Lock(dir)
	if err != nil {
		t.Fatal(err)
	}
	// flock locks belong to an open file, so a second open in this
	// process is refused as another process would be.
	_, err = Lock(dir)
	var locked *LockedError
	if !errors.Is(err, ErrLocked) || !errors.As(err, &locked) || locked.PID != os.Getpid() || locked.Dir != dir {
		t.Fatalf("Lock(held) = %v, want a LockedError naming process %d", err, os.Getpid())
	}
	held.Release()
	again, err := Lock(dir)
	if err != nil {
		t.Fatalf("Lock after Release = %v", err)
	}
	again.Release()
}
