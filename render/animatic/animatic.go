// Package animatic is Slate's built-in render backend. It needs no model:
// each shot becomes a storyboard card — number, title, the prompt, framing,
// featured cast and sound — filmed with the shot's camera move, with the
// dialogue shown as timed captions and spoken by espeak-ng, or by an
// installed Piper voice for a speaker whose voice names one.
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
	"github.com/slatestudio/slate/media/audio"
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
	tools  media.Tools
	voices render.Voices
	fonts  *fonts
}

var _ render.VoicedBackend = (*Backend)(nil)

// New returns the animatic backend, which runs ffmpeg and espeak-ng from
// tools and speaks with render.DefaultVoices: Piper voices installed in the
// data folder and $SLATE_VOICES, espeak-ng for the rest.
func New(tools media.Tools) (*Backend, error) {
	return NewWithVoices(tools, render.DefaultVoices(tools))
}

// NewWithVoices returns the animatic backend speaking dialogue with vs. The
// backend keeps vs for every shot it renders, so a Piper voice is loaded
// once, not once a shot.
func NewWithVoices(tools media.Tools, vs render.Voices) (*Backend, error) {
	f, err := loadFonts()
	if err != nil {
		return nil, err
	}
	return &Backend{tools: tools, voices: vs, fonts: f}, nil
}

// Voices are the voices the backend speaks dialogue with; render.Key asks
// them which voice files a shot's sound depends on.
func (b *Backend) Voices() render.Voices { return b.voices }

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
		return nil, render.Unsupported("shot %d has no frames: lengthen it", req.Index+1)
	}
	progress(0)

	// The card is drawn while the lines are spoken: neither needs the other.
	canvas := make(chan *planes, 1)
	go func() { canvas <- b.drawCanvas(req) }()
	sound, captions, err := render.SoundtrackWith(ctx, b.tools, b.voices, req)
	if err != nil {
		<-canvas
		return nil, err
	}
	wav := filepath.Join(req.TempDir, "animatic-"+random()+".wav")
	if err := audio.WriteWAVFile(wav, sound); err != nil {
		return nil, fmt.Errorf("write the shot's sound: %w", err)
	}
	defer os.Remove(wav)
	progress(0.1)

	sr := b.prepareWith(<-canvas, req, captions)
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
	return b.prepareWith(b.drawCanvas(req), req, captions)
}

// drawCanvas draws the shot's card and readies it for filming.
func (b *Backend) drawCanvas(req *render.Request) *planes {
	f := req.Format
	g := newGeometry(f.Width, f.Height)
	canvas := toPlanes(drawCard(b.fonts, g, req))
	canvas.markBusy()
	return canvas
}

func (b *Backend) prepareWith(canvas *planes, req *render.Request, captions []render.Caption) *shot {
	f := req.Format
	g := newGeometry(f.Width, f.Height)
	s := &shot{g: g, canvas: canvas, move: req.Shot.Camera.Move, frames: req.Frames(), workers: runtime.GOMAXPROCS(0)}
	for _, c := range captions {
		s.overlays = append(s.overlays, makeOverlay(b.fonts, g, c, f.FPS))
	}
	return s
}

// each produces the shot's frames in order, as yuv420p, and hands each to
// write; done is told after every frame. Frames are drawn ahead of the
// writer by one goroutine per CPU, each drawing whole frames, so the
// encoder is never left waiting and the drawing fills whatever CPU the
// encoder leaves idle.
func (s *shot) each(ctx context.Context, write func([]byte) error, done func(i int)) error {
	type frameOut struct {
		i   int
		buf []byte // nil: the same picture as frame i-1
	}
	workers := max(1, s.workers)
	depth := 2 * workers // frames drawn ahead, and buffers in flight
	size := media.FrameSize("yuv420p", s.g.w, s.g.h)
	free := make(chan []byte, depth)
	for range depth {
		free <- make([]byte, size)
	}
	next := make(chan int)
	ready := make(chan frameOut, depth)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		defer close(next)
		for i := range s.frames {
			select {
			case next <- i:
			case <-stop:
				return
			}
		}
	}()
	for range workers {
		go func() {
			sm := sampler{workers: 1}
			frame := newPlanes(s.g.w, s.g.h)
			for {
				// A buffer before an index: the frames holding buffers are
				// then always the earliest ones not yet written, so the
				// writer's next frame can always be drawn.
				var buf []byte
				select {
				case buf = <-free:
				case <-stop:
					return
				}
				i, ok := <-next
				if !ok {
					return
				}
				vp, active := s.at(i)
				out := frameOut{i: i}
				if i > 0 {
					pvp, pactive := s.at(i - 1)
					if pvp == vp && slices.Equal(pactive, active) {
						free <- buf
						buf = nil
					}
				}
				if buf != nil {
					sm.resample(s.canvas, frame, vp)
					for _, o := range active {
						o.blend(frame)
					}
					frame.into(buf)
					out.buf = buf
				}
				select {
				case ready <- out:
				case <-stop:
					return
				}
			}
		}()
	}
	// Write in order, holding back frames that arrive early.
	early := map[int]frameOut{}
	var cur []byte
	for i := range s.frames {
		f, ok := early[i]
		for !ok {
			select {
			case g := <-ready:
				if g.i == i {
					f, ok = g, true
				} else {
					early[g.i] = g
				}
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		delete(early, i)
		if f.buf != nil {
			if cur != nil {
				free <- cur
			}
			cur = f.buf
		}
		if err := write(cur); err != nil {
			return err
		}
		done(i)
	}
	return ctx.Err()
}

// at is where the camera is and which captions show at frame i.
func (s *shot) at(i int) (viewport, []*overlay) {
	t := 0.0
	if s.frames > 1 {
		t = float64(i) / float64(s.frames-1)
	}
	var active []*overlay
	for _, o := range s.overlays {
		if i >= o.start && i < o.until {
			active = append(active, o)
		}
	}
	return cameraAt(s.g, s.move, t), active
}

func random() string {
	var b [6]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
