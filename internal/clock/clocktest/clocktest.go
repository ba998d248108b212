// Package clocktest is a clock.Clock that moves only when a test says, so
// that tests of code that waits or times out never sleep.
package clocktest

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/slatestudio/slate/internal/clock"
)

// Clock is a clock the test moves by hand. Advance moves it on, running
// the AfterFunc timers that fall due, in order, on the caller's
// goroutine. Sleep takes no time: it moves the clock on by d and returns
// at once, so a take of a minute runs as fast as the machine goes. Time
// never goes back.
//
// Several goroutines may sleep on one Clock; each moves it on, so it can
// run ahead of one of them. Code paced by it should time each step from
// its start, not from its last sleep.
type Clock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*timer
	pump   func()
}

type timer struct {
	at      time.Time
	f       func()
	stopped bool
}

var _ clock.Clock = (*Clock)(nil)

// New returns a clock that starts at start.
func New(start time.Time) *Clock { return &Clock{now: start} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Sleep moves the clock on by d, unless ctx has ended, whose error it
// then returns without moving it.
func (c *Clock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.Advance(d)
	return nil
}

// AfterFunc calls f when Advance (or Sleep) moves the clock to d from now
// or past it, unless stop is called first.
func (c *Clock) AfterFunc(d time.Duration, f func()) (stop func() bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &timer{at: c.now.Add(d), f: f}
	c.timers = append(c.timers, t)
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		pending := !t.stopped && slices.Contains(c.timers, t)
		t.stopped = true
		return pending
	}
}

// Pending is how many timers are waiting to fire.
func (c *Clock) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, t := range c.timers {
		if !t.stopped {
			n++
		}
	}
	return n
}

// SetPump gives a function that Advance runs after each timer it fires,
// before it looks for the next one: a test whose timers hand their work
// to another loop (a GUI's, say) drains that loop there, so that a timer
// that sets the next one has done so by the time Advance looks.
func (c *Clock) SetPump(pump func()) {
	c.mu.Lock()
	c.pump = pump
	c.mu.Unlock()
}

// Advance moves the clock on by d, running each timer that falls due at
// its own time, earliest first; a negative d does nothing. With no timer
// due it is one step, so goroutines sleeping at once each move the clock
// on by their own d, one after another.
func (c *Clock) Advance(d time.Duration) {
	if d < 0 {
		return
	}
	c.mu.Lock()
	end := c.now.Add(d)
	for {
		c.timers = slices.DeleteFunc(c.timers, func(t *timer) bool { return t.stopped })
		next := -1
		for i, t := range c.timers {
			if !t.at.After(end) && (next < 0 || t.at.Before(c.timers[next].at)) {
				next = i
			}
		}
		if next < 0 {
			// Another goroutine may have moved the clock past end.
			if end.After(c.now) {
				c.now = end
			}
			c.mu.Unlock()
			return
		}
		t := c.timers[next]
		c.timers = slices.Delete(c.timers, next, next+1)
		if t.at.After(c.now) {
			c.now = t.at
		}
		pump := c.pump
		c.mu.Unlock()
		t.f()
		if pump != nil {
			pump()
		}
		c.mu.Lock()
	}
}
