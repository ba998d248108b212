package capture

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gen2brain/malgo"

	"github.com/slatestudio/slate/internal/clock"
)

// child runs one test of this package in a new process with env added and
// returns its stderr: ALSA reads its configuration once per process, and
// what it prints goes to the process's own stderr. A skip in the child is
// a failure with SLATE_REQUIRE_DEPS=1.
func child(t *testing.T, test string, env ...string) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$", "-test.v")
	cmd.Env = append(os.Environ(), append(env, "SLATE_CAPTURE_CHILD="+test)...)
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
	if os.Getenv("SLATE_CAPTURE_CHILD") != t.Name() {
		t.Skip("runs in a child process")
	}
}

// Without a microphone, OpenMicrophone says so and ALSA's complaints stay
// off stderr; with one, it opens, and the check on stderr still holds.
func TestOpenMicrophoneQuietly(t *testing.T) {
	if stderr := child(t, "TestOpenMicrophoneChild"); strings.Contains(stderr, "ALSA lib") {
		t.Errorf("opening the microphone printed ALSA's messages:\n%s", stderr)
	}
}

func TestOpenMicrophoneChild(t *testing.T) {
	inChild(t)
	mics, err := ListMicrophones()
	if err != nil {
		t.Fatalf("ListMicrophones() = %v", err)
	}
	t.Logf("ListMicrophones() = %+v", mics)
	m, err := OpenMicrophone(context.Background(), "", clock.Real{})
	if err != nil {
		if !errors.Is(err, ErrNoMicrophone) {
			t.Fatalf("OpenMicrophone() = %v, want an error wrapping ErrNoMicrophone", err)
		}
		t.Logf("OpenMicrophone() = %v", err)
		return
	}
	m.Close()
}

func TestOpenMicrophoneByMissingName(t *testing.T) {
	conf := nullALSAConf(t)
	child(t, "TestOpenMicrophoneByMissingNameChild", "ALSA_CONFIG_PATH="+conf)
}

func TestOpenMicrophoneByMissingNameChild(t *testing.T) {
	inChild(t)
	_, err := openMicrophone(context.Background(), []malgo.Backend{malgo.BackendAlsa}, "no such microphone", clock.Real{})
	if !errors.Is(err, ErrNoMicrophone) || !strings.Contains(err.Error(), `"no such microphone"`) {
		t.Errorf("openMicrophone(missing name) = %v, want ErrNoMicrophone naming it", err)
	}
}

func nullALSAConf(t *testing.T) string {
	conf := filepath.Join(t.TempDir(), "asound.conf")
	if err := os.WriteFile(conf, []byte("pcm.!default { type null }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return conf
}

// ALSA's null device lets the microphone open, record and close for real
// without sound hardware: it gives silence as fast as it is asked.
func TestNullALSAMicrophone(t *testing.T) {
	child(t, "TestNullALSAMicrophoneChild", "ALSA_CONFIG_PATH="+nullALSAConf(t))
}

func TestNullALSAMicrophoneChild(t *testing.T) {
	inChild(t)
	m, err := openMicrophone(context.Background(), []malgo.Backend{malgo.BackendAlsa}, "", clock.Real{})
	if err != nil {
		t.Skipf("no ALSA null device: %v", err)
	}
	defer m.Close()
	if f := m.Format(); f != (AudioFormat{Rate: 48000, Channels: 1}) {
		t.Errorf("Format() = %+v, want 48 kHz mono", f)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var last time.Duration = -time.Hour
	for i := range 20 {
		b, err := m.ReadBuffer(ctx)
		if err != nil {
			t.Fatalf("buffer %d: %v", i, err)
		}
		if len(b.Samples) == 0 || b.Time < last {
			t.Errorf("buffer %d: %d samples at %v after %v", i, len(b.Samples), b.Time, last)
		}
		last = b.Time
		if rms, _ := Level(b.Samples); rms > -90 {
			t.Errorf("buffer %d: %.1f dBFS from a null device", i, rms)
		}
	}
	if err := m.Close(); err != nil {
		t.Error(err)
	}
	if err := m.Close(); err != nil {
		t.Errorf("second Close() = %v", err)
	}
}

// miniaudio's null backend records silence at the real rate, on a timer,
// like a sound card with nothing plugged in: against it the buffers'
// times must follow the samples, so that the sound lines up with the
// picture.
func TestMicrophonePaced(t *testing.T) {
	if testing.Short() {
		t.Skip("records for a second of real time")
	}
	// malgo's enumeration lacks miniaudio's ma_backend_custom, so its
	// BackendNull is miniaudio's custom backend and the null one is next.
	m, err := openMicrophone(context.Background(), []malgo.Backend{malgo.BackendNull + 1}, "", clock.Real{})
	if err != nil {
		if os.Getenv("SLATE_REQUIRE_DEPS") == "1" {
			t.Fatalf("SLATE_REQUIRE_DEPS=1: no miniaudio null backend: %v", err)
		}
		t.Skipf("no miniaudio null backend: %v", err)
	}
	defer m.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	first, err := m.ReadBuffer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	samples, worst := 0, time.Duration(0)
	for {
		b, err := m.ReadBuffer(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// Where the samples say this buffer starts, against its stamp.
		want := first.Time + time.Duration(len(first.Samples)+samples)*time.Second/MicRate
		worst = max(worst, (b.Time - want).Abs())
		samples += len(b.Samples)
		if b.Time-first.Time >= time.Second {
			break
		}
	}
	t.Logf("over 1 s: %d samples; stamps differed from the sample count by at most %v; %d overruns", samples, worst, m.Overruns())
	if worst > 20*time.Millisecond {
		t.Errorf("buffer stamps strayed %v from the samples", worst)
	}
	if m.Overruns() != 0 {
		t.Errorf("%d overruns while reading as fast as it came", m.Overruns())
	}
}

func TestOpenMicrophoneCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := OpenMicrophone(ctx, "", clock.Real{}); !errors.Is(err, context.Canceled) {
		t.Errorf("OpenMicrophone(cancelled) = %v, want context.Canceled", err)
	}
}
