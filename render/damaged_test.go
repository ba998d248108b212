package render_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/render/animatic"
	"github.com/slatestudio/slate/timeline"
)

// A cached clip whose blob was damaged is not used: the submission renders
// the shot again, saying why, and the clip it makes is whole.
func TestSubmitRendersDamagedClipAgain(t *testing.T) {
	ctx := context.Background()
	s := newStudio(t, t.TempDir())
	p := demoProject(t)
	p.Width, p.Height = 320, 180
	submit := func() render.Job {
		t.Helper()
		j, err := s.queue.Submit(ctx, render.NewRequest(p, 3, s.lib.TempDir()), animatic.Name)
		if err != nil {
			t.Fatal(err)
		}
		return j
	}
	first, err := s.queue.Wait(ctx, submit().ID)
	if err != nil || first.Status != render.Completed {
		t.Fatalf("first render: %+v, %v", first, err)
	}
	sum := first.Clip.SHA256
	path := s.lib.Blobs().Path(sum)
	data, _ := os.ReadFile(path)
	os.Chmod(path, 0o644)
	os.WriteFile(path, data[:len(data)/2], 0o644)

	j := submit()
	if j.Cached || j.Status.Done() || j.Note != "the cached clip of shot 4 was damaged; rendering it again" {
		t.Fatalf("submitting over a damaged clip = %+v; want a new render, with the note", j)
	}
	done, err := s.queue.Wait(ctx, j.ID)
	if err != nil || done.Status != render.Completed {
		t.Fatalf("render again: %+v, %v", done, err)
	}
	if err := s.lib.Blobs().Verify(done.Clip.SHA256); err != nil {
		t.Errorf("the clip rendered again: %v", err)
	}
	if moved, err := os.ReadFile(filepath.Join(s.lib.Dir(), "blobs", "damaged", sum)); err != nil || len(moved) != len(data)/2 {
		t.Errorf("the damaged blob was not kept in blobs/damaged: %v", err)
	}
	// And now it is a cache hit again.
	if again := submit(); !again.Cached || again.Note != "" {
		t.Errorf("third submission = %+v, want a plain cache hit", again)
	}
	_, _, err = s.lib.ClipByKey(ctx, j.Key)
	if errors.Is(err, library.ErrDamaged) {
		t.Errorf("ClipByKey still finds damage: %v", err)
	}
}

// BenchmarkVerifyBeforeAssembly measures what checking a cached clip
// costs against what it protects: hashing one shot's clip (as ClipByKey
// does before the clip is assembled) and assembling a film of that shot,
// in the same run on the same clip. The ratio must stay well under 0.05.
// The animatic's clips are small, flat pictures; "noise" is the worst
// case for hashing, a clip of random pixels at a high bitrate, as large
// as 4.5 s of 1280×720 gets.
func BenchmarkVerifyBeforeAssembly(b *testing.B) {
	ctx := context.Background()
	s := newStudio(b, b.TempDir())
	p := demoProject(b)
	p.Shots = p.Shots[3:4] // "The letter", 4.5 s at 1280×720
	clips, err := s.queue.RenderProject(ctx, p, render.ProjectOptions{Backend: animatic.Name})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("animatic", func(b *testing.B) { benchVerifyAssemble(b, s, p, clips[0]) })

	noise := filepath.Join(b.TempDir(), "noise.mp4")
	if err := s.tools.RunFFmpeg(ctx, "-f", "lavfi", "-i", "nullsrc=s=1280x720:r=24:d=4.5,geq=lum=random(1)*255:cb=random(2)*255:cr=random(3)*255",
		"-f", "lavfi", "-i", "sine=frequency=440:duration=4.5:sample_rate=48000",
		"-c:v", "libx264", "-preset", "ultrafast", "-crf", "10", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", noise); err != nil {
		b.Fatal(err)
	}
	sum, size, err := s.lib.Blobs().Adopt(ctx, noise)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("noise", func(b *testing.B) { benchVerifyAssemble(b, s, p, library.Clip{SHA256: sum, Size: size}) })
}

func benchVerifyAssemble(b *testing.B, s *studio, p *timeline.Project, clip library.Clip) {
	ctx := context.Background()
	var verify, assemble time.Duration
	for range b.N {
		t0 := time.Now()
		if err := s.lib.Blobs().Verify(clip.SHA256); err != nil {
			b.Fatal(err)
		}
		verify += time.Since(t0)

		out := filepath.Join(b.TempDir(), "film.mp4")
		t0 = time.Now()
		if _, err := render.Assemble(ctx, s.tools, p, s.clipPaths([]library.Clip{clip}), render.FilmOptions{Output: out, TempDir: s.lib.TempDir()}); err != nil {
			b.Fatal(err)
		}
		assemble += time.Since(t0)
	}
	b.ReportMetric(float64(clip.Size)/1e6, "clip-MB")
	b.ReportMetric(verify.Seconds()/float64(b.N)*1000, "verify-ms")
	b.ReportMetric(assemble.Seconds()/float64(b.N)*1000, "assemble-ms")
	b.ReportMetric(float64(verify)/float64(assemble), "ratio")
}
