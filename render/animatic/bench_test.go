package animatic

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/media/audio"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/timeline"
)

// BenchmarkAnimaticVsEncoder renders a 10 s 1280×720 30 fps shot (a pan, a
// zoom or a still camera; a line of dialogue) and compares it with ffmpeg alone encoding the very
// same frames and sound with the same encoder settings, read from a file.
// The ratio is the animatic's whole cost — drawing, speech, captions,
// camera — over the encode it cannot avoid.
func BenchmarkAnimaticVsEncoder(b *testing.B) {
	for _, m := range []timeline.Move{timeline.PanRight, timeline.ZoomIn, timeline.Static} {
		b.Run(string(m), func(b *testing.B) { benchAnimatic(b, m) })
	}
}

func benchAnimatic(b *testing.B, move timeline.Move) {
	tools := media.FindTools()
	if err := tools.Check(); err != nil {
		b.Skip(err)
	}
	ctx := context.Background()
	be, err := New(tools)
	if err != nil {
		b.Fatal(err)
	}
	p := timeline.New("Bench")
	p.Width, p.Height, p.FPS = 1280, 720, 30
	p.Cast = []timeline.CastRef{{ID: "ana", Name: "Ana"}}
	s := timeline.NewShot("Harbour at dusk")
	s.Prompt = "A small fishing harbour at dusk, a lighthouse beam sweeping over calm water"
	s.Duration = 10 * time.Second
	s.Camera = timeline.Camera{Framing: timeline.Wide, Move: move}
	s.Lines = []timeline.Line{{Speaker: "ana", Text: "Every evening, the lighthouse kept its promise.", Start: time.Second}}
	p.Shots = []*timeline.Shot{s}
	dir := b.TempDir()
	req := render.NewRequest(p, 0, dir)

	// The baseline's input: the frames and sound the animatic makes.
	sound, captions, err := render.Soundtrack(ctx, tools, req)
	if err != nil {
		b.Fatal(err)
	}
	wav := filepath.Join(dir, "sound.wav")
	if err := audio.WriteWAVFile(wav, sound); err != nil {
		b.Fatal(err)
	}
	raw := filepath.Join(dir, "frames.yuv")
	f, err := os.Create(raw)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 4<<20)
	if err := be.prepare(req, captions).each(ctx, func(buf []byte) error { _, err := w.Write(buf); return err }, func(int) {}); err != nil {
		b.Fatal(err)
	}
	w.Flush()
	f.Close()
	opts := media.EncodeOptions{Width: 1280, Height: 720, FPS: 30, Output: filepath.Join(dir, "baseline.mp4"), Audio: wav, BT709: true}
	args := media.EncoderArgs(opts)
	args[slices.Index(args, "pipe:0")] = raw

	var ours, base time.Duration
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		res, err := be.Render(ctx, req, func(float64) {})
		if err != nil {
			b.Fatal(err)
		}
		ours += time.Since(t0)
		os.Remove(res.Path)

		t0 = time.Now()
		if err := tools.RunFFmpeg(ctx, args...); err != nil {
			b.Fatal(err)
		}
		base += time.Since(t0)
		os.Remove(opts.Output)
	}
	b.StopTimer()
	b.ReportMetric(ours.Seconds()/float64(b.N), "animatic-s")
	b.ReportMetric(base.Seconds()/float64(b.N), "ffmpeg-s")
	b.ReportMetric(float64(ours)/float64(base), "ratio")
}
