package playback

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gen2brain/malgo"
)

func TestBufferedFrames(t *testing.T) {
	for _, c := range []struct {
		name string
		log  []string
		want int64
	}{
		{"nothing logged: the buffer asked for", nil, 1440},
		{"ALSA at 48 kHz", []string{"    Sample Rate: 48000 -> 48000\n", "    Buffer Size: 480*3 (1440)\n"}, 1440},
		{"a device at 44.1 kHz", []string{"    Sample Rate: 48000 -> 44100\n", "    Buffer Size: 441*4 (1764)\n"}, 1920},
		{"a bigger buffer", []string{"    Buffer Size: 1024*2 (2048)\n"}, 2048},
	} {
		if got := bufferedFrames(c.log); got != c.want {
			t.Errorf("%s: bufferedFrames(%q) = %d, want %d", c.name, c.log, got, c.want)
		}
	}
}

// child runs one test of this package in a new process with env added,
// and returns its stderr: ALSA reads its configuration once per process,
// and what it prints goes to the process's own stderr.
func child(t *testing.T, test string, env ...string) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$", "-test.v")
	cmd.Env = append(os.Environ(), append(env, "SLATE_PLAYBACK_CHILD="+test)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	t.Logf("%s:\n%s", test, stdout.String())
	switch {
	case strings.Contains(stdout.String(), "--- SKIP"):
		if os.Getenv("SLATE_REQUIRE_DEPS") == "1" {
			t.Fatalf("%s skipped, and SLATE_REQUIRE_DEPS=1", test)
		}
		t.Skipf("%s skipped", test)
	case err != nil:
		t.Fatalf("%s: %v\nstderr: %s", test, err, stderr.String())
	}
	return stderr.String()
}

func inChild(t *testing.T) {
	if os.Getenv("SLATE_PLAYBACK_CHILD") != t.Name() {
		t.Skip("runs in a child process")
	}
}

// Without a sound device, Open says so, and ALSA's own complaints stay off
// stderr. On a machine with a device Open succeeds, and the check on
// stderr still holds.
func TestOpenQuietly(t *testing.T) {
	if stderr := child(t, "TestOpenChild"); strings.Contains(stderr, "ALSA lib") {
		t.Errorf("opening the sound output printed ALSA's messages:\n%s", stderr)
	}
}

func TestOpenChild(t *testing.T) {
	inChild(t)
	o, err := Open(context.Background())
	if err != nil {
		if !errors.Is(err, ErrNoDevice) || !strings.Contains(err.Error(), "no audio output device was found") {
			t.Fatalf("Open() = %v, want an error wrapping ErrNoDevice", err)
		}
		t.Logf("Open() = %v", err)
		return
	}
	t.Logf("opened a device with %v of buffer", o.Latency())
	if err := o.Close(); err != nil {
		t.Fatal(err)
	}
}

// ALSA's null device lets Open, Start and Stop run for real without
// sound hardware: it takes samples as fast as they come.
func TestNullALSA(t *testing.T) {
	conf := filepath.Join(t.TempDir(), "asound.conf")
	if err := os.WriteFile(conf, []byte("pcm.!default { type null }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	child(t, "TestNullALSAChild", "ALSA_CONFIG_PATH="+conf)
}

func TestNullALSAChild(t *testing.T) {
	inChild(t)
	o, err := open(context.Background(), []malgo.Backend{malgo.BackendAlsa})
	if err != nil {
		t.Skipf("no ALSA null device: %v", err)
	}
	exercise(t, o)
}

// exercise starts, stops and restarts o and checks fill is called only in
// between, with whole stereo frames.
func exercise(t *testing.T, o *Output) {
	t.Helper()
	defer func() {
		if err := o.Close(); err != nil {
			t.Error(err)
		}
	}()
	for round := range 2 {
		var calls, odd atomic.Int64
		called := make(chan struct{}, 1)
		fill := func(out []float32) {
			if len(out)%Channels != 0 {
				odd.Add(1)
			}
			for i := range out {
				out[i] = 0.25
			}
			calls.Add(1)
			select {
			case called <- struct{}{}:
			default:
			}
		}
		if err := o.Start(fill); err != nil {
			t.Fatalf("round %d: Start: %v", round, err)
		}
		if err := o.Start(fill); err == nil {
			t.Errorf("round %d: a second Start succeeded", round)
		}
		for range 3 {
			select {
			case <-called:
			case <-time.After(5 * time.Second):
				t.Fatalf("round %d: fill was called %d times in 5 s", round, calls.Load())
			}
		}
		if err := o.Stop(); err != nil {
			t.Fatalf("round %d: Stop: %v", round, err)
		}
		n := calls.Load()
		time.Sleep(20 * time.Millisecond) // two periods: a late call would show
		if calls.Load() != n {
			t.Errorf("round %d: fill was called after Stop returned", round)
		}
		if odd.Load() != 0 {
			t.Errorf("round %d: fill got %d buffers of half frames", round, odd.Load())
		}
		if o.Played() <= 0 {
			t.Errorf("round %d: Played() = %d after %d calls, want > 0", round, o.Played(), n)
		}
	}
	if err := o.Close(); err != nil {
		t.Fatal(err)
	}
	if err := o.Start(func([]float32) {}); err == nil {
		t.Error("Start after Close succeeded")
	}
}

func TestOpenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Open(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Open(cancelled) = %v, want context.Canceled", err)
	}
}

// miniaudio's null backend consumes sound at the real rate, on a timer,
// like a sound card that nobody hears. Against it, Played must track the
// wall clock: this is the audio clock the player follows, so its error is
// the A/V offset the player can have at best. (A real card's error also
// includes what its driver does not report.)
func TestPlayedTracksTime(t *testing.T) {
	if testing.Short() {
		t.Skip("plays for a second of real time")
	}
	// malgo's enumeration lacks miniaudio's ma_backend_custom, so its
	// BackendNull is miniaudio's custom backend and the null one is next.
	o, err := open(context.Background(), []malgo.Backend{malgo.BackendNull + 1})
	if err != nil {
		t.Skipf("no miniaudio null backend: %v", err)
	}
	defer o.Close()
	if err := o.Start(func([]float32) {}); err != nil {
		t.Fatal(err)
	}
	// Measure from the moment the buffer has filled and sound starts.
	deadline := time.Now().Add(5 * time.Second)
	for o.Played() == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	start, base := time.Now(), o.Played()
	var worst, lo, hi time.Duration
	for time.Since(start) < time.Second {
		time.Sleep(7 * time.Millisecond)
		wall := time.Since(start)
		audio := time.Duration(o.Played()-base) * time.Second / Rate
		worst = max(worst, (audio - wall).Abs())
		lo, hi = min(lo, audio-wall), max(hi, audio-wall)
	}
	t.Logf("buffer %v; over 1 s, Played differed from the wall clock by at most %v (from %v to %v)", o.Latency(), worst, lo, hi)
	// One frame at 30 fps is 33 ms.
	if worst > 33*time.Millisecond {
		t.Errorf("Played strayed %v from the wall clock, more than a frame", worst)
	}
}
