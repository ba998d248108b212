// Package clock is Slate's one way of telling and waiting for the time.
// Code that timestamps or waits takes a Clock, so that its tests move
// time by hand (clocktest.Clock) and never sleep.
package clock

import (
	"context"
	"time"
)

// Clock tells the time and waits for it.
type Clock interface {
	// Now is the current time.
	Now() time.Time
	// Sleep waits for d, or until ctx ends, whose error it then returns.
	Sleep(ctx context.Context, d time.Duration) error
	// AfterFunc calls f once d has passed, on a goroutine of its own,
	// unless stop is called first; stop reports whether it stopped f
	// from being called.
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

// Real is the computer's clock.
type Real struct{}

var _ Clock = Real{}

// Now returns time.Now, with its monotonic reading, so that differences
// are immune to the wall clock being set.
func (Real) Now() time.Time { return time.Now() }

// Sleep waits for d, or until ctx ends, which it then returns.
func (Real) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// AfterFunc is time.AfterFunc.
func (Real) AfterFunc(d time.Duration, f func()) func() bool {
	return time.AfterFunc(d, f).Stop
}

// Or returns c, or the real clock where c is nil: what an option left
// unset means.
func Or(c Clock) Clock {
	if c == nil {
		return Real{}
	}
	return c
}
