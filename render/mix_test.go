package render

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/media/audio"
	"github.com/slatestudio/slate/timeline"
)

// The streaming mixer gives exactly the mix of adding every part, whole,
// at its start: parts that overlap (crossfades), parts that leave a gap
// and one that runs past the end, fed in chunks of any size.
func TestMixerMatchesWholeMix(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	type part struct {
		start   int64 // frames
		samples []float32
	}
	parts := []part{{0, nil}, {900, nil}, {1000, nil}, {2500, nil}, {2500, nil}, {4000, nil}}
	for i := range parts {
		parts[i].samples = make([]float32, 2*(300+r.IntN(1200)))
		for k := range parts[i].samples {
			parts[i].samples[k] = float32(r.NormFloat64())
		}
	}
	const total = 4500
	want := audio.NewPCM(AudioRate, 2, total)
	for _, p := range parts {
		if err := want.Mix(&audio.PCM{Rate: AudioRate, Channels: 2, Samples: p.samples}, int(p.start), 1); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	m := &mixer{w: bufio.NewWriter(&out), part: -1}
	for _, p := range parts {
		m.starts = append(m.starts, 2*p.start)
	}
	for i, p := range parts {
		for rest := p.samples; len(rest) > 0; {
			k := min(len(rest), 2*(1+r.IntN(200)))
			if err := m.add(i, rest[:k]); err != nil {
				t.Fatal(err)
			}
			rest = rest[k:]
		}
	}
	if err := m.finish(2 * total); err != nil {
		t.Fatal(err)
	}
	got := make([]float32, out.Len()/4)
	for i := range got {
		got[i] = math.Float32frombits(binary.LittleEndian.Uint32(out.Bytes()[4*i:]))
	}
	if !slices.Equal(got, want.Samples) {
		t.Fatalf("the streamed mix (%d samples) differs from the whole one (%d)", len(got), len(want.Samples))
	}
	if m.peak != want.Peak() {
		t.Errorf("peak %v, want %v", m.peak, want.Peak())
	}
}

// BenchmarkMixFilm mixes and normalises the sound of a film of
// SLATE_MIX_MINUTES (default 10) one-minute shots and reports the
// process's peak resident memory beside the size of the film's sound as
// float samples, which mixing it in memory would hold (more than) once:
// peak/film-pcm far below 1 means the sound was streamed. Run one at a
// time, for the peak is the process's:
//
//	SLATE_MIX_MINUTES=30 go test -run '^$' -bench MixFilm -benchtime 1x ./render
func BenchmarkMixFilm(b *testing.B) {
	tools := media.FindTools()
	if err := tools.Check(media.ToolFFmpeg, media.ToolFFprobe); err != nil {
		b.Skip(err)
	}
	n := 10
	if v, err := strconv.Atoi(os.Getenv("SLATE_MIX_MINUTES")); err == nil && v > 0 {
		n = v
	}
	ctx := context.Background()
	dir := b.TempDir()
	clip := filepath.Join(dir, "minute.mp4")
	if err := tools.RunFFmpeg(ctx, "-f", "lavfi", "-i", "testsrc=size=64x64:rate=24", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
		"-t", "60", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", clip); err != nil {
		b.Fatal(err)
	}
	pr, err := tools.Probe(ctx, clip)
	if err != nil {
		b.Fatal(err)
	}
	p := timeline.New("Mix")
	p.Width, p.Height = 64, 64
	clips := make([]string, n)
	probes := make([]*media.Probe, n)
	for i := range n {
		s := timeline.NewShot(fmt.Sprintf("minute %d", i+1))
		s.Duration = time.Minute
		p.Shots = append(p.Shots, s)
		clips[i], probes[i] = clip, pr
	}
	// The peak is the process's: start counting from here.
	os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		tmp, err := os.MkdirTemp(dir, "mix-")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := mixFilm(ctx, tools.WithMaxLength(timeline.MaxFilmLength+time.Minute), p, clips, probes, p.Timing(), p.TotalFrames(), tmp); err != nil {
			b.Fatal(err)
		}
		os.RemoveAll(tmp)
	}
	b.StopTimer()
	film := float64(n) * 60 * AudioRate * 2 * 4
	if peak := peakRSS(); peak > 0 {
		b.ReportMetric(peak/(1<<20), "peak-RSS-MB")
		b.ReportMetric(peak/film, "peak/film-pcm")
	}
	b.ReportMetric(film/(1<<20), "film-pcm-MB")
}

// peakRSS is the process's peak resident memory in bytes (Linux's VmHWM),
// or 0 where it cannot be read.
func peakRSS() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb * 1024
		}
	}
	return 0
}
