package capture

import (
	"context"
	"time"
)

// RealClock is the computer's clock, for real takes: Now is time.Now and
// Sleep really waits.
type RealClock struct{}

var _ Clock = RealClock{}

// Now returns the current time, with its monotonic reading, so that
// differences are immune to the wall clock being set.
func (RealClock) Now() time.Time { return time.Now() }

// Sleep waits for d, or until ctx ends, which it then returns.
func (RealClock) Sleep(ctx context.Context, d time.Duration) error {
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

// stallTimeout is how long a real device may send nothing before it counts
// as broken. It is real time: hardware runs on it whatever the take's clock.
const stallTimeout = 2 * time.Second
