package clock_test

import (
	"context"
	"testing"
	"time"

	"github.com/slatestudio/slate/internal/clock"
	"github.com/slatestudio/slate/internal/clock/clocktest"
)

func TestRealSleepEndsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	if err := (clock.Real{}).Sleep(ctx, time.Hour); err != context.Canceled {
		t.Errorf("Sleep(cancelled, 1h) = %v, want context.Canceled", err)
	}
	if time.Since(start) > time.Minute {
		t.Error("Sleep(cancelled) waited")
	}
	if err := (clock.Real{}).Sleep(context.Background(), time.Millisecond); err != nil {
		t.Errorf("Sleep(1ms) = %v", err)
	}
}

func TestRealAfterFunc(t *testing.T) {
	fired := make(chan struct{})
	(clock.Real{}).AfterFunc(time.Millisecond, func() { close(fired) })
	<-fired
	stop := (clock.Real{}).AfterFunc(time.Hour, func() { t.Error("a stopped timer fired") })
	if !stop() {
		t.Error("stop() of a pending timer = false")
	}
}

func TestOr(t *testing.T) {
	if _, ok := clock.Or(nil).(clock.Real); !ok {
		t.Errorf("Or(nil) = %T, want clock.Real", clock.Or(nil))
	}
	c := clocktest.New(time.Unix(0, 0))
	if clock.Or(c) != c {
		t.Error("Or(c) is not c")
	}
}
