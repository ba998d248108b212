package miniaudio

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gen2brain/malgo"
)

type fakeDevice struct{ closed *atomic.Int32 }

func (d fakeDevice) Close() error { d.closed.Add(1); return nil }

// A device that opens after its caller gave up is closed, not leaked.
func TestAwaitClosesALateDevice(t *testing.T) {
	var closed atomic.Int32
	release := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		time.Sleep(10 * time.Millisecond)
		cancel()
	}()
	_, err := Await(ctx, func() (fakeDevice, error) {
		<-release
		return fakeDevice{&closed}, nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Await(cancelled while opening) = %v, want context.Canceled", err)
	}
	close(release)
	for deadline := time.Now().Add(10 * time.Second); closed.Load() == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the device that opened late was never closed")
		}
	}
}

func TestAwait(t *testing.T) {
	var closed atomic.Int32
	d, err := Await(context.Background(), func() (fakeDevice, error) { return fakeDevice{&closed}, nil })
	if err != nil || d.closed != &closed {
		t.Errorf("Await = %v, %v", d, err)
	}
	bad := errors.New("no device")
	if _, err := Await(context.Background(), func() (fakeDevice, error) { return fakeDevice{}, bad }); err != bad {
		t.Errorf("Await(failing) = %v, want its error", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	called := false
	if _, err := Await(ctx, func() (fakeDevice, error) { called = true; return fakeDevice{&closed}, nil }); !errors.Is(err, context.Canceled) || called {
		t.Errorf("Await(cancelled) = %v, opened %v; want context.Canceled without opening", err, called)
	}
	if closed.Load() != 0 {
		t.Error("Await closed a device it returned")
	}
}

// The null backend plays into nothing and records silence: a missing
// device must show as missing.
func TestBackendsLeaveOutNull(t *testing.T) {
	if slices.Contains(Backends(), malgo.BackendNull) {
		t.Error("Backends() holds the null backend")
	}
}
