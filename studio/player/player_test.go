package player

import (
	"context"
	"errors"
	"image"
	"io"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/slatestudio/slate/internal/clock/clocktest"
	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/media/audio"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/render/animatic"
	"github.com/slatestudio/slate/studio/session"
	"github.com/slatestudio/slate/studio/studiotest"
	"github.com/slatestudio/slate/timeline"
)

// fakeAudio is an AudioOut the test pulls sound from by hand, with a
// device buffer of latency frames.
type fakeAudio struct {
	latency  int64
	startErr error
	started  chan struct{}

	mu     sync.Mutex
	fill   func([]float32)
	handed atomic.Int64
}

func newFakeAudio(latency int64) *fakeAudio {
	return &fakeAudio{latency: latency, started: make(chan struct{}, 16)}
}

func (f *fakeAudio) Start(fill func([]float32)) error {
	if f.startErr != nil {
		return f.startErr
	}
	f.mu.Lock()
	f.fill = fill
	f.handed.Store(0)
	f.mu.Unlock()
	f.started <- struct{}{}
	return nil
}

func (f *fakeAudio) Stop() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fill = nil
	return nil
}

func (f *fakeAudio) Played() int64 { return max(0, f.handed.Load()-f.latency) }

// pull asks for n frames, as the device's thread would.
func (f *fakeAudio) pull(n int) []float32 {
	f.mu.Lock()
	fill := f.fill
	f.mu.Unlock()
	buf := make([]float32, 2*n)
	if fill != nil {
		fill(buf)
	}
	f.handed.Add(int64(n))
	return buf
}

// testProject is a short film at a small size: a shot with a line of
// dialogue crossfading into a silent one, which dips to black into a
// third. At 24 fps its shots span [0, 48), [36, 72) and [60, 84).
func testProject() *timeline.Project {
	p := timeline.New("Player test")
	p.Width, p.Height = 320, 180
	s1 := timeline.NewShot("Harbour")
	s1.Prompt = "A harbour at dusk"
	s1.Duration = 2 * time.Second
	s1.Camera.Move = timeline.DollyIn
	s1.Lines = []timeline.Line{{Speaker: timeline.Narrator, Text: "The lamps came on.", Start: 200 * time.Millisecond}}
	s1.Transition = timeline.Transition{Kind: timeline.Crossfade, Duration: 500 * time.Millisecond}
	s2 := timeline.NewShot("Window")
	s2.Prompt = "A window in the rain"
	s2.Duration = 1500 * time.Millisecond
	s2.Transition = timeline.Transition{Kind: timeline.DipToBlack, Duration: 500 * time.Millisecond}
	s3 := timeline.NewShot("Letter")
	s3.Prompt = "A folded letter on a table"
	s3.Duration = time.Second
	s3.Camera.Move = timeline.PanRight
	p.Shots = []*timeline.Shot{s1, s2, s3}
	return p
}

// rig is the player over a session of studiotest's env, given what the
// studio gives it: the session, the animatic backend, the clock, the
// programs, the library's blobs, and the sound output.
type rig struct {
	*session.Session
	env    *studiotest.Env
	ui     *studiotest.UI
	player *Player
}

// newTestStudio builds the player over testProject, with one render worker
// and a test clock.
func newTestStudio(t *testing.T, audio AudioOut) (*rig, *clocktest.Clock) {
	t.Helper()
	return newRig(t, testProject(), 1, audio)
}

// newRig builds the player over p, with workers render workers.
func newRig(t testing.TB, p *timeline.Project, workers int, audio AudioOut) (*rig, *clocktest.Clock) {
	t.Helper()
	env := studiotest.New(t, studiotest.Options{Projects: []*timeline.Project{p}, Workers: workers})
	s := env.Session()
	var anim render.Backend
	if b, err := env.Backends.Open(animatic.Name); err == nil {
		anim = b
	}
	d := Deps{Session: s, Animatic: anim, Clock: env.Clock, Tools: env.Tools, Blobs: env.Library.Blobs()}
	if audio != nil {
		d.Audio = audio // a nil *fakeAudio must stay a nil interface
	}
	r := &rig{Session: s, env: env, ui: env.UI, player: New(t.Context(), d)}
	testUI.Store(r.player, env.UI)
	env.Start(s)
	t.Cleanup(r.shutdown)
	return r, env.Clock
}

// isClosed reports whether ch is closed.
func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// shutdown closes the player, as the studio does when it closes.
func (r *rig) shutdown() { r.player.Close() }

// typeKey presses a bare key, as the studio's window hands it to the
// player (the studio's TestBareKeys checks that it does).
func (r *rig) typeKey(name fyne.KeyName) {
	r.player.TypedKey(&fyne.KeyEvent{Name: name})
}

// testUI holds each test player's UI queue, for the waits to run.
var testUI sync.Map // *Player → *studiotest.UI

// pump runs the UI work p's background goroutines have queued, on the
// test's goroutine, as the app's event loop would.
func pump(p *Player) {
	if ui, ok := testUI.Load(p); ok {
		ui.(*studiotest.UI).Drain()
	}
}

// waitShown waits until the picture on screen satisfies ok.
func waitShown(t *testing.T, p *Player, what string, ok func(shownState) bool) shownState {
	t.Helper()
	deadline := time.After(60 * time.Second)
	for {
		pump(p)
		p.mu.Lock()
		st, ch := p.shown, p.shownCh
		p.mu.Unlock()
		if ok(st) {
			return st
		}
		select {
		case <-ch:
		case <-time.After(2 * time.Millisecond):
		case <-deadline:
			t.Fatalf("waiting for %s: the player shows frame %d (final %v, clip %v)", what, st.frame, st.final, st.clip)
		}
	}
}

// finalFrame waits for frame to be on screen at its best.
func finalFrame(t *testing.T, p *Player, frame int) *image.RGBA {
	t.Helper()
	return waitShown(t, p, "the final picture", func(st shownState) bool {
		return st.frame == frame && st.final && st.film == p.currentFilm()
	}).img
}

func (p *Player) currentFilm() *film {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.film
}

// animaticFrame draws frame k of shot i with the animatic backend
// directly, captions and all.
func animaticFrame(t *testing.T, s *rig, i, k, w, h int) *image.RGBA {
	t.Helper()
	b, err := s.env.Backends.Open(animatic.Name)
	if err != nil {
		t.Fatal(err)
	}
	req := s.Request(i)
	_, captions, err := render.Soundtrack(context.Background(), s.env.Tools, req)
	if err != nil {
		t.Fatal(err)
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	b.(previewer).Preview(req, captions, w, h).Frame(k, img)
	return img
}

// pixelDiff is the mean and largest difference between two images' bytes.
func pixelDiff(t *testing.T, got, want *image.RGBA) (mean float64, most int) {
	t.Helper()
	if got.Rect != want.Rect {
		t.Fatalf("image is %v, want %v", got.Rect, want.Rect)
	}
	sum := 0
	for i := range got.Pix {
		d := int(got.Pix[i]) - int(want.Pix[i])
		d = max(d, -d)
		sum += d
		most = max(most, d)
	}
	return float64(sum) / float64(len(got.Pix)), most
}

// text reads a label of the player's, which background reports may be
// changing.
func (p *Player) text(l *widget.Label) string {
	p.uiMu.Lock()
	defer p.uiMu.Unlock()
	return l.Text
}

func TestPlayPauseByTheClock(t *testing.T) {
	s, clock := newTestStudio(t, nil)
	p := s.player
	if got := p.text(p.status); got != noDevice {
		t.Errorf("with no sound output the status says %q, want %q", got, noDevice)
	}
	s.SetPlayhead(10)
	s.typeKey(fyne.KeySpace)
	clock.Advance(500 * time.Millisecond)
	if s.Playhead() != 22 {
		t.Errorf("half a second into play the playhead is at %d, want 22", s.Playhead())
	}
	clock.Advance(500 * time.Millisecond)
	p.Toggle()
	if s.Playhead() != 10+24 {
		t.Errorf("after playing 1 s from frame 10 at 24 fps the playhead is at %d, want 34", s.Playhead())
	}
	if p.playing {
		t.Error("still playing after the second toggle")
	}
	clock.Advance(time.Second)
	if s.Playhead() != 34 {
		t.Errorf("paused, the playhead moved to %d", s.Playhead())
	}
	if got, want := p.text(p.timecode), "00:00:01:10 / 00:00:03:12"; got != want {
		t.Errorf("timecode = %q, want %q", got, want)
	}
	p.uiMu.Lock()
	slider := int(p.slider.Value)
	p.uiMu.Unlock()
	if got := slider; got != 34 {
		t.Errorf("the slider is at %d, want 34", got)
	}

	// Played to the end, it stops on the last frame; played again, it
	// starts from the top.
	s.SetPlayhead(80)
	p.Toggle()
	clock.Advance(time.Second)
	if p.playing || s.Playhead() != 83 {
		t.Errorf("played past the end: playing %v at %d, want stopped at 83", p.playing, s.Playhead())
	}
	p.Toggle()
	if s.Playhead() != 0 {
		t.Errorf("play at the end started at %d, want 0", s.Playhead())
	}
	p.Toggle()
}

func TestStepFrames(t *testing.T) {
	s, _ := newTestStudio(t, nil)
	s.SetPlayhead(5)
	s.typeKey(fyne.KeyRight)
	if s.Playhead() != 6 {
		t.Errorf("Right from 5: playhead %d, want 6", s.Playhead())
	}
	s.typeKey(fyne.KeyLeft)
	s.typeKey(fyne.KeyLeft)
	if s.Playhead() != 4 {
		t.Errorf("Left twice from 6: playhead %d, want 4", s.Playhead())
	}
	s.SetPlayhead(0)
	s.player.Step(-1)
	if s.Playhead() != 0 {
		t.Errorf("a step back from 0 went to %d", s.Playhead())
	}
	s.SetPlayhead(83)
	s.player.Step(1)
	if s.Playhead() != 83 {
		t.Errorf("a step on from the last frame went to %d", s.Playhead())
	}
}

func TestShuttle(t *testing.T) {
	s, clock := newTestStudio(t, nil)
	p := s.player
	steps := []struct {
		key     fyne.KeyName
		advance time.Duration
		want    int    // the playhead after the key and the time
		speed   string // the speed shown
	}{
		{fyne.KeyL, time.Second, 24, ""},
		{fyne.KeyL, time.Second / 2, 48, "2×"},
		{fyne.KeyL, time.Second / 8, 60, "4×"},
		{fyne.KeyL, time.Second / 8, 72, "4×"}, // 4× is the fastest
		{fyne.KeyK, time.Second, 72, ""},
		{fyne.KeyJ, time.Second / 2, 60, "−1×"},
		{fyne.KeyJ, time.Second / 4, 48, "−2×"},
		{fyne.KeyL, time.Second / 4, 54, ""}, // L while going back plays forward at 1×
		{fyne.KeyK, 0, 54, ""},
	}
	for _, st := range steps {
		s.typeKey(st.key)
		if p.text(p.speedLbl) != st.speed {
			t.Errorf("after %s: speed shows %q, want %q", st.key, p.text(p.speedLbl), st.speed)
		}
		clock.Advance(st.advance)
		if s.Playhead() != st.want {
			t.Errorf("after %s and %v: playhead %d, want %d", st.key, st.advance, s.Playhead(), st.want)
		}
	}
	// Backwards into the start, it stops there.
	s.typeKey(fyne.KeyJ)
	s.typeKey(fyne.KeyJ)
	clock.Advance(2 * time.Second)
	if p.playing || s.Playhead() != 0 {
		t.Errorf("shuttled back past the start: playing %v at %d, want stopped at 0", p.playing, s.Playhead())
	}
}

func TestLoopSelection(t *testing.T) {
	s, clock := newTestStudio(t, nil)
	p := s.player
	s.Select(s.Project().Shots[1].ID) // frames [36, 72)
	test.Tap(p.loopBtn)
	s.SetPlayhead(70)
	p.Toggle()
	clock.Advance(3 * time.Second / 24)
	if s.Playhead() != 37 {
		t.Errorf("looping shot 2 from 70, three frames on: playhead %d, want 37", s.Playhead())
	}
	clock.Advance(5 * time.Second / 2) // 60 frames: once round and 24 more
	p.Toggle()
	if s.Playhead() != 37+24 {
		t.Errorf("looping on: playhead %d, want 61", s.Playhead())
	}
	// Outside the range, play starts at its beginning.
	s.SetPlayhead(5)
	p.Toggle()
	if s.Playhead() != 36 {
		t.Errorf("play with a loop from outside it started at %d, want 36", s.Playhead())
	}
	p.Toggle()
	// Looping backwards wraps to the end.
	s.SetPlayhead(37)
	s.typeKey(fyne.KeyJ)
	clock.Advance(3 * time.Second / 24)
	if s.Playhead() != 70 {
		t.Errorf("looping backwards from 37, three frames on: playhead %d, want 70", s.Playhead())
	}
	s.typeKey(fyne.KeyK)
	// Two shots selected: from the first's start to the last's end.
	test.Tap(p.loopBtn)
	test.Tap(p.loopBtn)
	s.Select(s.Project().Shots[2].ID, s.Project().Shots[0].ID)
	s.SetPlayhead(83)
	p.Toggle()
	clock.Advance(100 * time.Millisecond) // 2.4 frames
	p.Toggle()
	if s.Playhead() != 1 {
		t.Errorf("looping all three shots from 83, two frames on: playhead %d, want 1", s.Playhead())
	}
}

func TestSeekShowsTheFrame(t *testing.T) {
	s, _ := newTestStudio(t, nil)
	p := s.player
	w, h := p.currentFilm().w, p.currentFilm().h
	if w != 320 || h != 180 {
		t.Fatalf("preview size %d×%d, want the project's 320×180", w, h)
	}
	// Frame 40 is 5 frames into the 12 of the crossfade; 65 is 6 into the
	// 12 of the dip, just before its black middle.
	crossfade, dip := image.NewRGBA(image.Rect(0, 0, w, h)), image.NewRGBA(image.Rect(0, 0, w, h))
	blendRGBA(crossfade, animaticFrame(t, s, 0, 40, w, h), animaticFrame(t, s, 1, 4, w, h), 5.0/13, timeline.Crossfade)
	blendRGBA(dip, animaticFrame(t, s, 1, 29, w, h), animaticFrame(t, s, 2, 5, w, h), 6.0/13, timeline.DipToBlack)
	for _, c := range []struct {
		name  string
		frame int
		want  *image.RGBA
	}{
		{"shot 1 with its caption", 20, animaticFrame(t, s, 0, 20, w, h)},
		{"shot 2 alone", 50, animaticFrame(t, s, 1, 14, w, h)},
		{"the crossfade", 40, crossfade},
		{"the dip to black", 65, dip},
		{"the first frame", 0, animaticFrame(t, s, 0, 0, w, h)},
	} {
		// The slider is how a person drags to a frame.
		p.slider.SetValue(float64(c.frame))
		if s.Playhead() != c.frame {
			t.Errorf("%s: dragging the slider to %d put the playhead at %d", c.name, c.frame, s.Playhead())
		}
		got := finalFrame(t, p, c.frame)
		if mean, most := pixelDiff(t, got, c.want); most > 0 {
			t.Errorf("%s: frame %d differs from the animatic's own (mean %.2f, most %d)", c.name, c.frame, mean, most)
		}
	}
}

func TestRenderedClipIsShown(t *testing.T) {
	s, _ := newTestStudio(t, nil)
	p := s.player
	p.mu.Lock()
	p.decodeWindow = 8 // so that seeking leaves the window, both ways
	p.mu.Unlock()
	s.SetPlayhead(20)
	finalFrame(t, p, 20)
	ctx := context.Background()
	j, err := s.env.Queue.Submit(ctx, s.Request(0), animatic.Name)
	if err != nil {
		t.Fatal(err)
	}
	if j, err = s.env.Queue.Wait(ctx, j.ID); err != nil || j.Status != render.Completed {
		t.Fatalf("render shot 1: %v, %+v", err, j.Error)
	}
	clip := s.env.Library.Blobs().Path(j.Clip.SHA256)
	want := decodeAll(t, s.env.Tools, clip, 320, 180, 24)
	if len(want) != 48 {
		t.Fatalf("the clip has %d frames, want 48", len(want))
	}
	for n, frame := range []int{20, 30, 3, 0, 35} {
		if n > 0 {
			s.SetPlayhead(frame)
		}
		st := waitShown(t, p, "the clip's frame", func(st shownState) bool { return st.frame == frame && st.clip && st.final })
		if mean, most := pixelDiff(t, st.img, want[frame]); mean > 1 {
			t.Errorf("the player's frame %d differs from the clip's (mean %.2f, most %d)", frame, mean, most)
		}
	}
	p.mu.Lock()
	src := p.film.srcs[0]
	p.mu.Unlock()
	src.mu.Lock()
	held := len(src.decoded)
	src.mu.Unlock()
	if held > 8 {
		t.Errorf("shot 1 holds %d decoded frames; its window is 8", held)
	}
	// The clip's own sound replaces the animatic's speech; for the
	// animatic they are the same words.
	waitSound(t, p)
	if pcm, _ := src.sound(); len(pcm) < 2*render.AudioRate*2 {
		t.Errorf("shot 1's sound from its clip is %d samples, want 2 s of stereo", len(pcm))
	}
}

// decodeAll decodes every frame of a clip, as the player should show it.
func decodeAll(t *testing.T, tools media.Tools, path string, w, h, fps int) []*image.RGBA {
	t.Helper()
	dec, err := tools.NewDecoder(context.Background(), path, media.DecodeOptions{Width: w, Height: h, PixFmt: "rgba", FPS: fps})
	if err != nil {
		t.Fatal(err)
	}
	defer dec.Close()
	var frames []*image.RGBA
	for {
		img := image.NewRGBA(image.Rect(0, 0, w, h))
		if err := dec.ReadFrame(img.Pix); errors.Is(err, io.EOF) {
			return frames
		} else if err != nil {
			t.Fatal(err)
		}
		frames = append(frames, img)
	}
}

// A new prompt is a new render key: the shot's cached card and sound go,
// and the others stay.
func TestEditDropsChangedSources(t *testing.T) {
	s, _ := newTestStudio(t, nil)
	p := s.player
	before := slices.Clone(p.currentFilm().srcs)
	if err := s.Edit(t.Context(), timeline.SetPrompt(s.Project().Shots[1].ID, "A door in the wind")); err != nil {
		t.Fatal(err)
	}
	after := p.currentFilm().srcs
	if after[0] != before[0] || after[2] != before[2] {
		t.Error("unchanged shots got new sources")
	}
	if after[1] == before[1] {
		t.Error("the edited shot kept its old source")
	}
	if !isClosed(before[1].done) {
		t.Error("the old source's work was not cancelled")
	}
	p.mu.Lock()
	n := len(p.sources)
	p.mu.Unlock()
	if n != 3 {
		t.Errorf("the player caches %d sources for 3 shots", n)
	}
}

// The sound follows the film, and the picture follows the sound: with a
// fake output pulled by hand, every sample heard is the film's mix at the
// frame on screen, give or take the frame a tick takes.
func TestPictureFollowsSound(t *testing.T) {
	out := newFakeAudio(1440) // the device buffer playback.Output gets from ALSA
	s, clock := newTestStudio(t, out)
	p := s.player
	if p.text(p.status) != "" {
		t.Errorf("status %q with a sound output", p.text(p.status))
	}
	waitSound(t, p)
	mix := filmMix(t, s)

	const start = 10
	s.SetPlayhead(start)
	p.Toggle()
	startBy := time.Now().Add(10 * time.Second)
	for started := false; !started; {
		pump(s.player)
		select {
		case <-out.started:
			started = true
		case <-time.After(2 * time.Millisecond):
			if time.Now().After(startBy) {
				t.Fatal("the sound output was not started")
			}
		}
	}
	for p.stream.Load() == nil {
		pump(s.player)
		time.Sleep(time.Millisecond) // the audio worker has yet to publish the run
	}
	from := samplesAt(start, 24)
	const chunk = 480 // 10 ms, miniaudio's period
	// late is how long after the frame being heard began the picture was
	// still showing an earlier one.
	var late time.Duration
	for n := int64(0); from+n+chunk <= int64(len(mix)/2); n += chunk {
		got := out.pull(chunk)
		want := mix[(from+n)*2 : (from+n+chunk)*2]
		for i := range got {
			if math.Abs(float64(got[i]-want[i])) > 1e-6 {
				t.Fatalf("sample %d of the film: got %v, want %v", from+n+int64(i/2), got[i], want[i])
			}
		}
		clock.Advance(10 * time.Millisecond)
		if !p.playing {
			break
		}
		heard := from + out.Played() // the sample at the speaker
		frame := frameOfSample(heard, 24)
		switch {
		case s.Playhead() > frame:
			t.Fatalf("the picture shows frame %d before its sound (frame %d is heard)", s.Playhead(), frame)
		case s.Playhead() < frame:
			late = max(late, time.Duration(heard-samplesAt(s.Playhead()+1, 24))*time.Second/render.AudioRate)
		}
	}
	t.Logf("A/V: the picture never ran ahead of the sound, and lagged a new frame by at most %v", late)
	if late > time.Second/24 {
		t.Errorf("the picture lagged the sound by %v, more than a frame", late)
	}
	// The fake's buffer still holds the last 1440 frames: the film has not
	// been heard to the end yet, so it still plays.
	for range 10 {
		out.pull(chunk)
		clock.Advance(10 * time.Millisecond)
	}
	if p.playing || s.Playhead() != 83 {
		t.Errorf("at the end of the sound: playing %v at %d, want stopped at 83", p.playing, s.Playhead())
	}
}

// waitSound waits until every shot's sound is ready.
func waitSound(t *testing.T, p *Player) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for b := p.board.Load(); b == nil || !b.ready(); b = p.board.Load() {
		pump(p)
		if time.Now().After(deadline) {
			t.Fatal("the shots' sound was not ready in 60 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// filmMix mixes the film's sound as render.Assemble does, straight from
// each shot's soundtrack.
func filmMix(t *testing.T, s *rig) []float32 {
	t.Helper()
	proj := s.Project()
	spans := proj.Timing()
	mix := audio.NewPCM(render.AudioRate, 2, int(samplesAt(proj.TotalFrames(), proj.FPS)))
	for i := range proj.Shots {
		sound, _, err := render.Soundtrack(context.Background(), s.env.Tools, s.Request(i))
		if err != nil {
			t.Fatal(err)
		}
		n := samplesAt(spans[i].End, proj.FPS) - samplesAt(spans[i].Start, proj.FPS)
		part := &audio.PCM{Rate: sound.Rate, Channels: 2, Samples: sound.Samples[:min(int64(len(sound.Samples)), 2*n)]}
		if err := mix.Mix(part, int(samplesAt(spans[i].Start, proj.FPS)), 1); err != nil {
			t.Fatal(err)
		}
	}
	return mix.Samples
}

// An output that will not start leaves the player playing by the clock,
// and saying why there is no sound.
func TestSoundOutputFails(t *testing.T) {
	out := newFakeAudio(0)
	out.startErr = errors.New("device unplugged")
	s, clock := newTestStudio(t, out)
	p := s.player
	p.Toggle()
	waitStatus(t, p, "No sound: device unplugged")
	clock.Advance(time.Second)
	p.Toggle()
	if s.Playhead() != 24 {
		t.Errorf("after a second without sound the playhead is at %d, want 24", s.Playhead())
	}
}

// An output that starts but never plays is given up after stallAfter.
func TestSoundOutputStalls(t *testing.T) {
	out := newFakeAudio(0)
	s, clock := newTestStudio(t, out)
	p := s.player
	p.Toggle()
	<-out.started
	clock.Advance(stallAfter)
	if s.Playhead() != 0 {
		t.Errorf("waiting for the sound, the picture moved to %d", s.Playhead())
	}
	clock.Advance(time.Second)
	p.Toggle()
	if s.Playhead() != 24 {
		t.Errorf("a second after the output stalled the playhead is at %d, want 24", s.Playhead())
	}
	waitStatus(t, p, "No sound: the sound output stopped responding")
}

func waitStatus(t *testing.T, p *Player, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		pump(p)
		p.mu.Lock()
		got := p.deviceStatus
		p.mu.Unlock()
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the sound status is %q, want %q", got, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Closing the window stops the sound before the output's owner closes it.
func TestCloseStopsSound(t *testing.T) {
	out := newFakeAudio(0)
	s, _ := newTestStudio(t, out)
	s.player.Toggle()
	<-out.started
	s.shutdown()
	out.mu.Lock()
	fill := out.fill
	out.mu.Unlock()
	if fill != nil {
		t.Error("the sound output still plays after the window closed")
	}
	if !s.player.closed() {
		t.Error("the player's background work was not cancelled")
	}
}

func TestWrapFrame(t *testing.T) {
	loop := timeline.Span{Start: 36, End: 72}
	for _, c := range []struct {
		f         int
		loop      timeline.Span
		want      int
		wantEnded bool
	}{
		{40, timeline.Span{}, 40, false},
		{83, timeline.Span{}, 83, true},
		{90, timeline.Span{}, 83, true},
		{0, timeline.Span{}, 0, false},
		{-3, timeline.Span{}, 0, true},
		{71, loop, 71, false},
		{72, loop, 36, false},
		{73 + 36, loop, 37, false},
		{35, loop, 71, false},
		{-2, loop, 70, false},
	} {
		if got, ended := wrapFrame(c.f, c.loop, 84); got != c.want || ended != c.wantEnded {
			t.Errorf("wrapFrame(%d, %v, 84) = %d, %v, want %d, %v", c.f, c.loop, got, ended, c.want, c.wantEnded)
		}
	}
}

func TestBlendRGBA(t *testing.T) {
	a, b, dst := image.NewRGBA(image.Rect(0, 0, 1, 1)), image.NewRGBA(image.Rect(0, 0, 1, 1)), image.NewRGBA(image.Rect(0, 0, 1, 1))
	copy(a.Pix, []byte{200, 100, 0, 255})
	copy(b.Pix, []byte{0, 100, 200, 255})
	for _, c := range []struct {
		kind timeline.TransitionKind
		t    float64
		want []byte
	}{
		{timeline.Crossfade, 0.5, []byte{100, 100, 100, 255}},
		{timeline.Crossfade, 0.25, []byte{150, 100, 50, 255}},
		{timeline.DipToBlack, 0.25, []byte{100, 50, 0, 255}},
		{timeline.DipToBlack, 0.5, []byte{0, 0, 0, 255}},
		{timeline.DipToBlack, 0.75, []byte{0, 50, 100, 255}},
	} {
		blendRGBA(dst, a, b, c.t, c.kind)
		if !slices.Equal(dst.Pix, c.want) {
			t.Errorf("blendRGBA(%s, %v) = %v, want %v", c.kind, c.t, dst.Pix, c.want)
		}
	}
}

func TestPreviewSize(t *testing.T) {
	for _, c := range []struct{ w, h, wantW, wantH int }{
		{1280, 720, 640, 360},
		{720, 1280, 360, 640},
		{1080, 1080, 640, 640},
		{320, 180, 320, 180},
		{4096, 16, 640, 2},
	} {
		if w, h := previewSize(c.w, c.h); w != c.wantW || h != c.wantH {
			t.Errorf("previewSize(%d, %d) = %d, %d, want %d, %d", c.w, c.h, w, h, c.wantW, c.wantH)
		}
	}
}

// BenchmarkFill is the audio thread's work for one 10 ms buffer in the
// middle of a crossfade; it must not allocate.
func BenchmarkFill(b *testing.B) {
	pcm := func(n int) []float32 {
		s := make([]float32, 2*n)
		for i := range s {
			s[i] = float32(math.Sin(float64(i) / 50))
		}
		return s
	}
	p := &Player{}
	p.board.Store(&soundboard{total: 10 * render.AudioRate, parts: []soundPart{
		{start: 0, end: 6 * render.AudioRate, pcm: pcm(6 * render.AudioRate)},
		{start: 5 * render.AudioRate, end: 10 * render.AudioRate, pcm: pcm(5 * render.AudioRate)},
	}})
	st := &stream{from: 5 * render.AudioRate, loopA: 5 * render.AudioRate, loopB: 6 * render.AudioRate}
	buf := make([]float32, 2*480)
	b.ReportAllocs()
	for b.Loop() {
		p.fill(st, buf)
	}
}

// holding counts the shots whose card or sound the player holds, and says
// whether shot i's are ready.
func (p *Player) holding(i int) (n int, ready bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, src := range p.sources {
		src.mu.Lock()
		if src.preview != nil || src.pcm != nil {
			n++
		}
		src.mu.Unlock()
	}
	src := p.film.srcs[i]
	src.mu.Lock()
	defer src.mu.Unlock()
	return n, src.preview != nil && src.soundDone
}

// TestPlayerPreparesNearThePlayhead opens a film of 1,000 shots (over an
// hour): the player prepares the cards and sound of the shots near the
// playhead, not all of them, and lets go of those far behind when the
// playhead moves on. It prepared every shot, and a 10,000-shot project
// took the memory at 50 MB a second.
func TestPlayerPreparesNearThePlayhead(t *testing.T) {
	h, _ := newRig(t, studiotest.ManyShots(1000), 2, nil)
	p := h.player
	h.ui.Until(t, "the first shot's card and sound", 60*time.Second, func() bool {
		_, ready := p.holding(0)
		return ready
	})
	if n, _ := p.holding(0); n > maxKept {
		t.Fatalf("at the start the player holds the cards or sound of %d shots, want at most %d", n, maxKept)
	}
	last := len(h.Project().Shots) - 1
	h.SetPlayhead(h.Project().TotalFrames() - 1)
	h.ui.Until(t, "the last shot's card and sound", 60*time.Second, func() bool {
		_, ready := p.holding(last)
		return ready
	})
	n, first := p.holding(0)
	if first || n > maxKept {
		t.Errorf("at the end the player holds %d shots' cards or sound (the first shot's: %v), want at most %d and not the first's", n, first, maxKept)
	}
}
