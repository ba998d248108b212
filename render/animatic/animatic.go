// Package animatic is Slate's built-in render backend. It needs no model:
// each shot becomes a storyboard card — number, title, the prompt, framing,
// featured cast and sound — filmed with the shot's camera move, with the
// dialogue shown as timed captions and spoken by espeak-ng.
//
// The same request always gives the same clip.
package animatic

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"

	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/timeline"
)

// Name is the backend's registry name.
const Name = "animatic"

// version changes whenever the same request would render differently, so
// cached clips from an older animatic are not reused.
const version = "1"

// Backend renders animatic clips.
type Backend struct {
	tools media.Tools
	fonts *fonts
}

var _ render.Backend = (*Backend)(nil)

// New returns the animatic backend, which runs ffmpeg and espeak-ng from
// tools.
func New(tools media.Tools) (*Backend, error) {
	f, err := loadFonts()
	if err != nil {
		return nil, err
	}
	return &Backend{tools: tools, fonts: f}, nil
}

// Name returns "animatic".
func (b *Backend) Name() string { return Name }

// Version is part of the render cache key.
func (b *Backend) Version() string { return version }

// Capabilities: any even size up to 4096×4096 at any project rate, with
// sound; no likeness of a real person is ever drawn.
func (b *Backend) Capabilities() render.Capabilities {
	return render.Capabilities{
		MaxWidth: media.MaxWidth, MaxHeight: media.MaxHeight,
		FPS:         timeline.Rates,
		MinDuration: timeline.MinShotDuration, MaxDuration: timeline.MaxShotDuration,
		Audio: true,
	}
}

// Render draws and encodes one shot. The clip is written to a new file in
// req.TempDir; on failure or cancellation nothing is left there.
func (b *Backend) Render(ctx context.Context, req *render.Request, progress func(float64)) (*render.Result, error) {
	need := []string{media.ToolFFmpeg}
	if len(req.Shot.Lines) > 0 {
		need = append(need, media.ToolEspeak)
	}
	if err := b.tools.Check(need...); err != nil {
		return nil, err
	}
	f := req.Format
	frames := req.Frames()
	if frames < 1 {
		return nil, fmt.Errorf("shot %d has no frames: %w", req.Index+1, render.ErrUnsupported)
	}
	progress(0)

	sound, captions, err := render.Soundtrack(ctx, b.tools, req)
	if err != nil {
		return nil, err
	}
	wav := filepath.Join(req.TempDir, "animatic-"+random()+".wav")
	if err := media.WriteWAVFile(wav, sound); err != nil {
		return nil, fmt.Errorf("write the shot's sound: %w", err)
	}
	defer os.Remove(wav)
	progress(0.1)

	sr := b.prepare(req, captions)
	out := filepath.Join(req.TempDir, fmt.Sprintf("animatic-%s-%s.mp4", req.Shot.ID, random()))
	enc, err := b.tools.NewEncoder(ctx, media.EncodeOptions{
		Width: f.Width, Height: f.Height, FPS: f.FPS, Output: out, Audio: wav, BT709: true,
	})
	if err != nil {
		return nil, err
	}
	err = sr.each(ctx, enc.WriteFrame, func(i int) {
		progress(0.1 + 0.89*float64(i+1)/float64(frames))
	})
	if err != nil {
		enc.Abort()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	if err := enc.Close(); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	progress(1)
	return &render.Result{Path: out, Frames: frames}, nil
}

// shot is a shot ready to film: its card on the canvas, its captions, and
// the camera move.
type shot struct {
	g        geometry
	canvas   *planes
	overlays []*overlay
	move     timeline.Move
	frames   int
	workers  int
}

func (b *Backend) prepare(req *render.Request, captions []render.Caption) *shot {
	f := req.Format
	g := newGeometry(f.Width, f.Height)
	s := &shot{g: g, canvas: toPlanes(drawCard(b.fonts, g, req)), move: req.Shot.Camera.Move, frames: req.Frames(), workers: runtime.GOMAXPROCS(0)}
	for _, c := range captions {
		s.overlays = append(s.overlays, makeOverlay(b.fonts, g, c, f.FPS))
	}
	return s
}

// each produces the shot's frames in order, as yuv420p, and hands each to
// write; done is told after every frame. Drawing runs one frame ahead of
// writing, on its own goroutine, so the encoder is never left waiting
// while the next frame is drawn.
func (s *shot) each(ctx context.Context, write func([]byte) error, done func(i int)) error {
	type frameOut struct {
		buf    []byte
		repeat bool // the same picture as the frame before
	}
	size := media.FrameSize("yuv420p", s.g.w, s.g.h)
	free := make(chan []byte, 3)
	for range 3 {
		free <- make([]byte, size)
	}
	ready := make(chan frameOut, 2)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		defer close(ready)
		sm := sampler{workers: s.workers}
		frame := newPlanes(s.g.w, s.g.h)
		var last viewport
		var lastActive, active []*overlay
		for i := range s.frames {
			t := 0.0
			if s.frames > 1 {
				t = float64(i) / float64(s.frames-1)
			}
			vp := cameraAt(s.g, s.move, t)
			active = active[:0]
			for _, o := range s.overlays {
				if i >= o.start && i < o.until {
					active = append(active, o)
				}
			}
			out := frameOut{repeat: i > 0 && vp == last && slices.Equal(active, lastActive)}
			if !out.repeat {
				select {
				case out.buf = <-free:
				case <-stop:
					return
				}
				sm.resample(s.canvas, frame, vp)
				for _, o := range active {
					o.blend(frame)
				}
				frame.into(out.buf)
				last, lastActive = vp, append(lastActive[:0], active...)
			}
			select {
			case ready <- out:
			case <-stop:
				return
			}
		}
	}()
	var cur []byte
	i := 0
	for f := range ready {
		if err := ctx.Err(); err != nil {
			return err
		}
		if !f.repeat {
			if cur != nil {
				free <- cur
			}
			cur = f.buf
		}
		if err := write(cur); err != nil {
			return err
		}
		done(i)
		i++
	}
	return ctx.Err()
}

func random() string {
	var b [6]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
