package clocktest_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/slatestudio/slate/internal/clock/clocktest"
)

var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func TestTimersFireInOrderAtTheirTime(t *testing.T) {
	c := clocktest.New(epoch)
	var got []time.Duration
	at := func() { got = append(got, c.Now().Sub(epoch)) }
	c.AfterFunc(30*time.Millisecond, at)
	c.AfterFunc(10*time.Millisecond, func() {
		at()
		// A timer set by a timer fires in the same Advance when it falls
		// due within it.
		c.AfterFunc(5*time.Millisecond, at)
	})
	stop := c.AfterFunc(20*time.Millisecond, at)
	if !stop() {
		t.Error("stop() of a pending timer = false")
	}
	if stop() {
		t.Error("second stop() = true")
	}
	c.Advance(25 * time.Millisecond)
	want := []time.Duration{10 * time.Millisecond, 15 * time.Millisecond}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("after Advance(25ms) timers ran at %v, want %v", got, want)
	}
	if n := c.Pending(); n != 1 {
		t.Errorf("Pending() = %d, want 1", n)
	}
	if now := c.Now().Sub(epoch); now != 25*time.Millisecond {
		t.Errorf("Now() = epoch+%v, want epoch+25ms", now)
	}
	c.Advance(5 * time.Millisecond)
	if len(got) != 3 || got[2] != 30*time.Millisecond {
		t.Errorf("the 30 ms timer ran at %v", got)
	}
}

func TestSleepTakesNoTime(t *testing.T) {
	c := clocktest.New(epoch)
	start := time.Now()
	if err := c.Sleep(context.Background(), time.Hour); err != nil {
		t.Fatal(err)
	}
	if time.Since(start) > time.Minute || c.Now() != epoch.Add(time.Hour) {
		t.Errorf("Sleep(1h) took %v and moved the clock to %v", time.Since(start), c.Now())
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := c.Sleep(ctx, time.Second); err != context.Canceled || c.Now() != epoch.Add(time.Hour) {
		t.Errorf("Sleep(cancelled) = %v and moved the clock to %v", err, c.Now())
	}
	c.Advance(-time.Minute)
	c.Sleep(context.Background(), -time.Second)
	if c.Now() != epoch.Add(time.Hour) {
		t.Error("Advance and Sleep of a negative time moved the clock")
	}
}

// Goroutines sleeping at once each move the clock on by their own wait.
func TestConcurrentSleepsAddUp(t *testing.T) {
	c := clocktest.New(epoch)
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() { c.Sleep(context.Background(), time.Millisecond) })
	}
	wg.Wait()
	if got := c.Now().Sub(epoch); got != 50*time.Millisecond {
		t.Errorf("50 sleeps of 1 ms moved the clock by %v", got)
	}
}

func TestPumpRunsAfterEachTimer(t *testing.T) {
	c := clocktest.New(epoch)
	var queue []func()
	c.SetPump(func() {
		for len(queue) > 0 {
			f := queue[0]
			queue = queue[1:]
			f()
		}
	})
	ticks := 0
	var tick func()
	tick = func() {
		// The timer hands its work to a loop, which sets the next tick.
		queue = append(queue, func() {
			ticks++
			c.AfterFunc(10*time.Millisecond, tick)
		})
	}
	c.AfterFunc(10*time.Millisecond, tick)
	c.Advance(100 * time.Millisecond)
	if ticks != 10 {
		t.Errorf("ticks = %d over 100 ms of 10 ms ticks, want 10", ticks)
	}
}
