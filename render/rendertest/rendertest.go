// Package rendertest is the conformance suite every render.Backend must
// pass: real renders of small shots, checked with ffprobe and by decoding
// what came out.
package rendertest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/media/audio"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/timeline"
)

// Options adjusts the suite to a backend.
type Options struct {
	// Format is the frame size and rate to render at; zero picks 320×180 at
	// the backend's first rate (or its first fixed size).
	Format render.Format
	// Duration of the test shots; zero means 1.5 s.
	Duration time.Duration
}

// Run runs the suite against b.
func Run(t *testing.T, b render.Backend, tools media.Tools, opts Options) {
	caps := b.Capabilities()
	f := opts.Format
	if f.Width == 0 {
		f = render.Format{Width: 320, Height: 180, FPS: 24}
		if len(caps.Sizes) > 0 {
			f.Width, f.Height = caps.Sizes[0].Width, caps.Sizes[0].Height
		}
		if len(caps.FPS) > 0 {
			f.FPS = caps.FPS[0]
		}
	}
	d := opts.Duration
	if d == 0 {
		d = 1500 * time.Millisecond
	}
	s := suite{b: b, tools: tools, format: f, dur: d, caps: caps}
	t.Run("Identity", s.identity)
	t.Run("Clip", s.clip)
	t.Run("Deterministic", s.deterministic)
	t.Run("Cancel", s.cancel)
	t.Run("CancelEarly", s.cancelEarly)
	t.Run("Key", s.key)
	t.Run("Capabilities", s.capabilities)
	if caps.Audio {
		t.Run("Dialogue", s.dialogue)
	}
}

type suite struct {
	b      render.Backend
	tools  media.Tools
	format render.Format
	dur    time.Duration
	caps   render.Capabilities
}

// request builds a one-shot project and the request for its shot.
func (s suite) request(t *testing.T, edit func(*timeline.Shot)) *render.Request {
	t.Helper()
	p := timeline.New("Conformance")
	p.Width, p.Height, p.FPS = s.format.Width, s.format.Height, s.format.FPS
	p.Cast = []timeline.CastRef{{ID: "ana", Name: "Ana"}}
	sh := timeline.NewShot("Test shot")
	sh.ID = "conformance"
	sh.Prompt = "A red kite over a green hill"
	sh.Duration = s.dur
	sh.Camera = timeline.Camera{Framing: timeline.Medium, Move: timeline.PanRight}
	sh.Seed = 7
	if edit != nil {
		edit(sh)
	}
	p.Shots = []*timeline.Shot{sh}
	if err := p.Validate(); err != nil {
		t.Fatalf("test project: %v", err)
	}
	return render.NewRequest(p, 0, t.TempDir())
}

func (s suite) render(t *testing.T, req *render.Request) (*render.Result, []float64) {
	t.Helper()
	var progress []float64
	res, err := s.b.Render(context.Background(), req, func(f float64) { progress = append(progress, f) })
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	return res, progress
}

func (s suite) identity(t *testing.T) {
	if s.b.Name() == "" || s.b.Version() == "" {
		t.Errorf("Name() = %q, Version() = %q; both must be set", s.b.Name(), s.b.Version())
	}
}

func (s suite) clip(t *testing.T) {
	req := s.request(t, nil)
	res, progress := s.render(t, req)
	if res.Frames != req.Frames() {
		t.Errorf("Result.Frames = %d, want %d", res.Frames, req.Frames())
	}
	p, err := s.tools.Probe(context.Background(), res.Path)
	if err != nil {
		t.Fatal(err)
	}
	v := p.Video
	if v == nil || v.Codec != "h264" || v.PixFmt != "yuv420p" || v.Width != s.format.Width || v.Height != s.format.Height {
		t.Errorf("video = %+v, want h264 yuv420p %dx%d", v, s.format.Width, s.format.Height)
	} else {
		if v.Frames != req.Frames() {
			t.Errorf("clip has %d frames, want exactly %d", v.Frames, req.Frames())
		}
		if v.FrameRate != (media.Rational{Num: s.format.FPS, Den: 1}) {
			t.Errorf("frame rate = %v, want %d", v.FrameRate, s.format.FPS)
		}
	}
	if s.caps.Audio {
		if a := p.Audio; a == nil || a.Codec != "aac" || a.SampleRate != 48000 || a.Channels != 2 {
			t.Errorf("audio = %+v, want aac 48 kHz stereo", p.Audio)
		}
	}
	if len(progress) == 0 {
		t.Fatal("no progress reported")
	}
	for i, f := range progress {
		if f < 0 || f > 1 || (i > 0 && f < progress[i-1]) {
			t.Fatalf("progress %v is not a rising sequence in [0, 1]", progress)
		}
	}
	if last := progress[len(progress)-1]; last < 0.99 {
		t.Errorf("progress ended at %v, want 1", last)
	}
}

func sum(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	io.Copy(h, f)
	return hex.EncodeToString(h.Sum(nil))
}

func (s suite) deterministic(t *testing.T) {
	a, _ := s.render(t, s.request(t, nil))
	b, _ := s.render(t, s.request(t, nil))
	if sa, sb := sum(t, a.Path), sum(t, b.Path); sa != sb {
		t.Errorf("the same request rendered twice gave different clips (%s, %s)", sa[:12], sb[:12])
	}
}

func (s suite) cancel(t *testing.T) {
	req := s.request(t, func(sh *timeline.Shot) { sh.Duration = 20 * time.Second })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var cancelledAt time.Time
	done := make(chan error, 1)
	go func() {
		_, err := s.b.Render(ctx, req, func(f float64) {
			if f > 0.2 && cancelledAt.IsZero() {
				cancelledAt = time.Now()
				cancel()
			}
		})
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Render after cancel = %v, want context.Canceled", err)
		}
		if cancelledAt.IsZero() {
			t.Fatal("the render finished before progress passed 20%")
		}
		if took := time.Since(cancelledAt); took > time.Second {
			t.Errorf("Render took %v to stop after cancel, want under a second", took)
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("Render did not return")
	}
	entries, _ := os.ReadDir(req.TempDir)
	for _, e := range entries {
		t.Errorf("a cancelled render left %s behind", e.Name())
	}
}

// cancelEarly cancels a tenth of a second after the first progress
// report, while a backend is still preparing (speaking dialogue, loading a
// model): that too must stop within a second and leave nothing.
func (s suite) cancelEarly(t *testing.T) {
	req := s.request(t, func(sh *timeline.Shot) {
		sh.Duration = 60 * time.Second
		for k := range 4 {
			sh.Lines = append(sh.Lines, timeline.Line{Speaker: "ana", Text: "A long line of dialogue that takes its time to say, and then some more words.", Start: time.Duration(k) * 12 * time.Second})
		}
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cancelled := make(chan time.Time, 1)
	var once sync.Once
	done := make(chan error, 1)
	go func() {
		_, err := s.b.Render(ctx, req, func(float64) {
			once.Do(func() {
				time.AfterFunc(100*time.Millisecond, func() {
					cancelled <- time.Now()
					cancel()
				})
			})
		})
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Render after an early cancel = %v, want context.Canceled", err)
		}
		if took := time.Since(<-cancelled); took > time.Second {
			t.Errorf("Render took %v to stop after an early cancel, want under a second", took)
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("Render did not return")
	}
	entries, _ := os.ReadDir(req.TempDir)
	for _, e := range entries {
		t.Errorf("a cancelled render left %s behind", e.Name())
	}
}

func (s suite) key(t *testing.T) {
	base := render.Key(s.b, s.request(t, nil))
	same := []func(*timeline.Shot){
		func(sh *timeline.Shot) {
			sh.Transition = timeline.Transition{Kind: timeline.Crossfade, Duration: time.Second}
		},
	}
	for i, edit := range same {
		if k := render.Key(s.b, s.request(t, edit)); k != base {
			t.Errorf("edit %d (a transition) changed the render key", i)
		}
	}
	differ := map[string]func(*timeline.Shot){
		"prompt":   func(sh *timeline.Shot) { sh.Prompt += " at dawn" },
		"seed":     func(sh *timeline.Shot) { sh.Seed++ },
		"duration": func(sh *timeline.Shot) { sh.Duration += 500 * time.Millisecond },
		"camera":   func(sh *timeline.Shot) { sh.Camera.Move = timeline.ZoomIn },
		"line": func(sh *timeline.Shot) {
			sh.Lines = []timeline.Line{{Speaker: "ana", Text: "Hi.", Start: 0}}
		},
		"featured": func(sh *timeline.Shot) { sh.Cast = []string{"ana"} },
	}
	for name, edit := range differ {
		if k := render.Key(s.b, s.request(t, edit)); k == base {
			t.Errorf("changing the %s did not change the render key", name)
		}
	}
}

func (s suite) capabilities(t *testing.T) {
	req := s.request(t, nil)
	if err := s.caps.Check(s.b.Name(), req); err != nil {
		t.Errorf("the suite's own request is refused: %v", err)
	}
	big := *req
	big.Format.Width, big.Format.Height = 8192, 8192
	if err := s.caps.Check(s.b.Name(), &big); !errors.Is(err, render.ErrUnsupported) {
		t.Errorf("Check(8192×8192) = %v, want ErrUnsupported", err)
	}
}

func (s suite) dialogue(t *testing.T) {
	start := 600 * time.Millisecond
	req := s.request(t, func(sh *timeline.Shot) {
		sh.Duration = 3 * time.Second
		sh.Lines = []timeline.Line{{Speaker: "ana", Text: "The kite is flying high.", Start: start}}
	})
	res, _ := s.render(t, req)
	sound, err := s.tools.DecodeAudio(context.Background(), res.Path, 48000, 1)
	if err != nil {
		t.Fatal(err)
	}
	at := func(d time.Duration) int { return int(d.Seconds() * 48000) }
	before := audio.DBFS(sound.RMS(0, at(start-100*time.Millisecond)))
	during := audio.DBFS(sound.RMS(at(start), at(start+time.Second)))
	if during < -30 || before > -50 || during-before < 30 {
		t.Errorf("RMS before the line %.1f dBFS, during it %.1f dBFS; want silence then speech", before, during)
	}
}
