package media

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/slatestudio/slate/media/audio"
)

// needTools returns the installed tools, skipping the test when one of names
// is missing, or failing it when SLATE_REQUIRE_DEPS=1 (as CI sets), so that a
// missing ffmpeg can never pass for a green run.
func needTools(t testing.TB, names ...string) Tools {
	t.Helper()
	tools := FindTools()
	if err := tools.Check(names...); err != nil {
		if os.Getenv("SLATE_REQUIRE_DEPS") == "1" {
			t.Fatalf("SLATE_REQUIRE_DEPS=1: %v", err)
		}
		t.Skipf("skipping: %v", err)
	}
	return tools
}

// testCtx is a context that ends before the test's own deadline, so a hung
// program fails one test rather than the whole run.
func testCtx(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// genClip writes an H.264 clip from ffmpeg's test pattern, with a 440 Hz tone
// when withAudio, using the package's own RunFFmpeg.
func genClip(t testing.TB, tools Tools, dir string, w, h, fps int, dur time.Duration, withAudio bool) string {
	t.Helper()
	out := filepath.Join(dir, fmt.Sprintf("clip-%dx%d.mp4", w, h))
	args := []string{"-f", "lavfi", "-i", fmt.Sprintf("testsrc=size=%dx%d:rate=%d", w, h, fps)}
	if withAudio {
		args = append(args, "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000")
	}
	args = append(args, "-t", seconds(dur), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p")
	if withAudio {
		args = append(args, "-c:a", "aac")
	}
	args = append(args, out)
	if err := tools.RunFFmpeg(testCtx(t), args...); err != nil {
		t.Fatalf("generate clip: %v", err)
	}
	return out
}

// sine returns frames of a sine wave at freq Hz and amplitude amp.
func sine(rate, channels, frames int, freq, amp float64) *audio.PCM {
	p := audio.NewPCM(rate, channels, frames)
	for f := 0; f < frames; f++ {
		v := float32(amp * math.Sin(2*math.Pi*freq*float64(f)/float64(rate)))
		for c := 0; c < channels; c++ {
			p.Samples[f*channels+c] = v
		}
	}
	return p
}

// leftovers lists files in dir other than keep, to catch temp files that
// should have been removed.
func leftovers(t testing.TB, dir string, keep ...string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
next:
	for _, e := range entries {
		for _, k := range keep {
			if e.Name() == k {
				continue next
			}
		}
		out = append(out, e.Name())
	}
	return out
}

func fmtV(v any) string { return fmt.Sprintf("%+v", v) }
