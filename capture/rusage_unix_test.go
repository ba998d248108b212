//go:build unix

package capture_test

import (
	"syscall"
	"testing"
	"time"
)

// rusage returns the CPU time (user and system) of this process and of
// its finished children.
func rusage(t testing.TB) usage {
	t.Helper()
	var self, children syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &self); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Getrusage(syscall.RUSAGE_CHILDREN, &children); err != nil {
		t.Fatal(err)
	}
	cpu := func(r syscall.Rusage) time.Duration {
		return time.Duration(r.Utime.Nano() + r.Stime.Nano())
	}
	return usage{cpu(self), cpu(children)}
}
