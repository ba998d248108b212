package player

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/studio/session"
	"github.com/slatestudio/slate/studio/uikit"
	"github.com/slatestudio/slate/timeline"
)

// AudioOut is a sound output the player feeds: interleaved float32 stereo
// at 48 kHz (render.AudioRate). playback.Output is the real one; tests
// pass a fake they pull from by hand.
type AudioOut interface {
	// Start begins calling fill, from the output's own thread, for each
	// buffer it needs; out starts silent. fill never blocks. Start resets
	// Played to zero.
	Start(fill func(out []float32)) error
	// Stop stops the calls: none is made once it returns.
	Stop() error
	// Played is how many frames (stereo pairs) written by fill since Start
	// have reached the speaker. It is the player's clock while there is
	// sound, so that the picture follows what is heard.
	Played() int64
}

// The preview's frames fit in this box, keeping the project's aspect:
// big enough to judge a shot, small enough to decode, blend and upload
// every frame without a GPU.
const previewBox = 640

// noDevice is what the player says when the studio has no sound output.
const noDevice = "No sound: no audio output device was found"

// Shuttle speeds run 1×, 2×, 4×, as in most editors.
const maxSpeed = 4

// stallAfter is how long the player waits for the sound output to start
// or move on before it gives up on sound and plays by the clock.
const stallAfter = 2 * time.Second

// Player is the preview player at the top of the window: the film's
// picture and sound at the playhead, with transport controls.
//
// Threads. Its methods run on the UI goroutine, like the rest of the
// studio. Three kinds of goroutine serve it: a renderer that draws
// frames, workers that prepare each shot's picture and sound, and an
// audio worker that starts and stops the output; the output's own
// thread calls fill. They report through fyne.Do. mu guards what those
// reports and the UI share: with Fyne's test driver fyne.Do runs its
// function on the calling goroutine, beside the test's own calls. No
// widget is touched while mu is held, since widgets call back; uiMu is
// taken after mu, never before.
type Player struct {
	s Session
	d Deps
	// stop ends the context the player's goroutines run under (New's),
	// and done is that context's Done: once it is closed, what they
	// report is dropped.
	stop context.CancelFunc
	done <-chan struct{}
	anim previewer // nil when the animatic backend cannot open
	// sem bounds the background work (espeak-ng, ffmpeg, drawing cards)
	// so that it leaves the machine usable.
	sem chan struct{}

	img                        *canvas.Image
	playBtn, loopBtn           *uikit.TipButton
	slider                     *widget.Slider
	timecode, speedLbl, status *widget.Label
	root                       fyne.CanvasObject
	syncingSlider              atomic.Bool // the player, not the person, moves the slider
	// uiMu serialises changes to the widgets. The UI goroutine alone
	// makes them, except under Fyne's test driver, where fyne.Do runs a
	// background report on the reporting goroutine.
	uiMu sync.Mutex

	// board is the sound the audio thread mixes from; stream is the audio
	// run now playing (nil while stopped). Both are swapped whole.
	board  atomic.Pointer[soundboard]
	stream atomic.Pointer[stream]

	wakeRender  chan struct{}
	wakeAudio   chan struct{}
	wakePrepare chan struct{}
	audioDone   chan struct{}

	mu sync.Mutex
	// decodeWindow, when set, is how many decoded frames each shot keeps
	// instead of clipWindow's; tests make it small.
	decodeWindow int
	film         *film
	sources      map[string]*source
	frame        int // the frame shown, or being drawn; the studio's playhead
	playing      bool
	speed        int // ±1, ±2, ±4
	loop         bool
	run          int64 // counts playback runs: ticks and sound of an old run are ignored
	// The run's start: the frame and time it started at, the loop range
	// in force, and whether sound is its clock.
	anchorFrame int
	anchorTime  time.Time
	loopRange   timeline.Span // empty: no loop
	audioClock  bool
	lastPlayed  int64
	lastMove    time.Time
	audioBroken bool
	audioWant   audioWant
	stopTick    func() bool
	// deviceStatus says why there is no sound at all; shotStatus, what
	// went wrong last with a shot's picture or sound.
	deviceStatus string
	shotStatus   string
	want         renderWant
	shown        shownState
	shownCh      chan struct{} // closed and replaced at each shown frame
	// preparedAt is the frame, and preparedFor the film, around which the
	// shots were last prepared (see prepareNearLocked).
	preparedAt  int
	preparedFor *film
	// toPrepare are the batches of shots waiting for prepareLoop.
	toPrepare [][]*source
}

// shownState describes the picture on screen.
type shownState struct {
	frame int
	film  *film
	// final is true when every source drawn was at its best: captions
	// timed, clip frames decoded.
	final bool
	// clip is true when a rendered clip's frames were drawn.
	clip bool
	img  *image.RGBA
}

// New makes the player; it follows the session's project and playhead
// from now on. Its work (drawing, decoding, sound) runs under ctx, until
// ctx ends or the player is closed. Close it when the studio closes.
func New(ctx context.Context, d Deps) *Player {
	ctx, stop := context.WithCancel(ctx)
	p := &Player{
		s: d.Session, d: d, stop: stop, done: ctx.Done(),
		sem:         make(chan struct{}, min(4, max(2, runtime.NumCPU()/2))),
		sources:     map[string]*source{},
		speed:       1,
		wakeRender:  make(chan struct{}, 1),
		wakeAudio:   make(chan struct{}, 1),
		wakePrepare: make(chan struct{}, 1),
		audioDone:   make(chan struct{}),
		shownCh:     make(chan struct{}),
	}
	if d.Animatic != nil {
		p.anim, _ = d.Animatic.(previewer)
	}
	if p.anim == nil {
		p.shotStatus = "No preview: the animatic renderer is unavailable"
	}
	if d.Audio == nil {
		p.deviceStatus = noDevice
		close(p.audioDone)
	} else {
		go p.audioLoop(ctx, d.Audio)
	}
	p.build()
	go p.renderLoop(ctx)
	go p.prepareLoop(ctx)
	p.s.Listen(session.Listener{
		ProjectChanged: func(timeline.Change) { p.projectChanged() },
		PlayheadMoved:  p.seekTo,
		ClipsChanged:   p.projectChanged,
		CastChanged:    p.projectChanged,
		ClipDamaged:    func(n int) { p.report(false, session.DamagedText(n)) },
	})
	return p
}

func (p *Player) build() {
	black := image.NewRGBA(image.Rect(0, 0, 16, 9))
	for i := 3; i < len(black.Pix); i += 4 {
		black.Pix[i] = 0xff
	}
	p.img = canvas.NewImageFromImage(black)
	p.img.FillMode = canvas.ImageFillContain
	p.img.SetMinSize(fyne.NewSize(160, 90))

	p.slider = widget.NewSlider(0, 1)
	p.slider.Step = 1
	p.slider.OnChanged = func(v float64) {
		if !p.syncingSlider.Load() {
			p.s.SetPlayhead(int(v + 0.5))
		}
	}
	p.timecode = widget.NewLabelWithStyle("", fyne.TextAlignTrailing, fyne.TextStyle{Monospace: true})
	p.speedLbl = widget.NewLabelWithStyle("", fyne.TextAlignTrailing, fyne.TextStyle{Monospace: true})
	p.status = widget.NewLabel("")
	p.status.Truncation = fyne.TextTruncateEllipsis

	controls := container.NewVBox(
		container.NewBorder(nil, nil, nil, p.timecode, p.slider),
		container.NewBorder(nil, nil, nil, p.speedLbl, container.NewCenter(p.transport())),
	)
	picture := container.NewStack(canvas.NewRectangle(color.Black), p.img)
	p.root = container.NewBorder(nil, container.NewVBox(controls, p.status), nil, nil, picture)
}

// View is the player, for the window.
func (p *Player) View() fyne.CanvasObject { return p.root }

// TypedKey plays, pauses, shuttles and moves by the bare keys of video
// editors (see Commands). It reports whether key was one of them.
func (p *Player) TypedKey(key *fyne.KeyEvent) bool {
	for _, c := range p.Commands() {
		if key.Name == c.Key || (c.Also != "" && key.Name == c.Also) {
			c.Run()
			return true
		}
	}
	return false
}

// Close stops playback and all background work; the studio is closing.
func (p *Player) Close() {
	p.mu.Lock()
	p.haltLocked()
	p.mu.Unlock()
	p.stop()
	// The output must be stopped before the studio's owner closes it.
	select {
	case <-p.audioDone:
	case <-time.After(time.Second):
	}
}

// closed reports whether the player has been closed (or its context
// ended).
func (p *Player) closed() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// projectChanged follows an edit, undo, another project or a newly
// finished clip: it works out each shot's sources (keeping those whose
// render key is unchanged), the sound, and shows the playhead's frame.
func (p *Player) projectChanged() {
	proj := p.s.Project()
	f := &film{fps: proj.FPS, total: proj.TotalFrames(), spans: proj.Timing()}
	f.w, f.h = previewSize(proj.Width, proj.Height)
	type shotInfo struct {
		key, card, clip string // card: the key of the shot's source without its clip
		req             *render.Request
	}
	shots := make([]shotInfo, len(proj.Shots))
	for i := range proj.Shots {
		req := p.s.Request(i)
		key := p.s.KeyOf(i)
		if key == "" {
			if b, ok := p.anim.(render.Backend); ok {
				key = render.Key(b, req) // the shot's own backend is missing; the animatic stands in
			}
		}
		card := fmt.Sprintf("%s/%dx%d", key, f.w, f.h)
		info := shotInfo{key: card, card: card, req: req}
		if c, ok := p.s.ClipOf(i); ok {
			info.key += "/clip/" + c.SHA256
			info.clip = p.d.Blobs.Path(c.SHA256)
		}
		shots[i] = info
		f.kinds = append(f.kinds, proj.Shots[i].Transition.Kind)
	}

	window := clipWindow(f.w, f.h)
	p.mu.Lock()
	if p.decodeWindow > 0 {
		window = p.decodeWindow
	}
	old := p.film
	keep := map[string]bool{}
	for _, info := range shots {
		src := p.sources[info.key]
		if src == nil {
			src = newSource(info.key, info.req, info.clip, f.w, f.h, f.fps, window)
			if card := p.sources[info.card]; card != nil && card != src {
				// A clip just finished: show the card until its frames
				// are decoded, rather than black.
				src.adoptCard(card)
			}
			p.sources[info.key] = src
		}
		keep[info.key] = true
		f.srcs = append(f.srcs, src)
	}
	for k, src := range p.sources {
		if !keep[k] {
			src.cancel()
			delete(p.sources, k)
		}
	}
	p.film = f
	p.frame = max(0, min(p.s.Playhead(), f.total-1))
	// The shots nearest the playhead first: they are what the person sees.
	p.prepareNearLocked(p.frame)
	p.rebuildBoardLocked()
	// A run keeps going across edits that leave the film's timing alone
	// (a finished clip, a new prompt); otherwise it restarts from here.
	if p.playing && (old == nil || !sameTiming(old, f)) {
		p.restartInLoopLocked(p.frame)
	}
	p.requestLocked(p.frame)
	p.mu.Unlock()
	p.updateControls()
}

// seekTo shows frame; it follows the session's playhead wherever it
// moves. Playing, the run carries on from there.
func (p *Player) seekTo(frame int) {
	p.mu.Lock()
	if p.film == nil || frame == p.frame {
		p.mu.Unlock()
		return // the player moved the playhead itself, or nothing moved
	}
	p.frame = max(0, min(frame, p.film.total-1))
	if p.playing {
		p.restartInLoopLocked(p.frame)
	}
	p.requestLocked(p.frame)
	p.mu.Unlock()
	p.updateControls()
}

// Toggle plays at normal speed, or pauses: Space and the Playback menu.
func (p *Player) Toggle() {
	p.mu.Lock()
	playing := p.playing
	p.mu.Unlock()
	if playing {
		p.Pause()
	} else {
		p.play(1)
	}
}

// Shuttle is J (dir −1) and L (dir +1): play that way at 1×, or, already
// playing that way, twice as fast, up to 4×.
func (p *Player) Shuttle(dir int) {
	p.mu.Lock()
	speed := dir
	if p.playing && p.speed*dir > 0 {
		speed = p.speed * 2
		if speed*dir > maxSpeed {
			speed = maxSpeed * dir
		}
	}
	p.mu.Unlock()
	p.play(speed)
}

// play starts a run at speed (frames of film per frame of time).
func (p *Player) play(speed int) {
	p.mu.Lock()
	if p.film == nil || p.film.total == 0 {
		p.mu.Unlock()
		return
	}
	frame := p.frame
	if p.playing {
		frame = p.positionLocked()
	}
	p.playing, p.speed = true, speed
	p.loopRange = p.loopSpanLocked()
	switch lr := p.loopRange; {
	case lr.Len() > 0 && (frame < lr.Start || frame >= lr.End):
		frame = lr.Start
		if speed < 0 {
			frame = lr.End - 1
		}
	case lr.Len() == 0 && speed > 0 && frame >= p.film.total-1:
		frame = 0 // at the end: from the top
	case lr.Len() == 0 && speed < 0 && frame <= 0:
		frame = p.film.total - 1
	}
	p.restartLocked(frame)
	p.mu.Unlock()
	p.s.SetPlayhead(frame)
	p.updateControls()
}

// Pause stops where playback has got to: K.
func (p *Player) Pause() {
	p.mu.Lock()
	if !p.playing {
		p.mu.Unlock()
		return
	}
	frame := p.positionLocked()
	p.haltLocked()
	p.frame = frame
	p.requestLocked(frame)
	p.mu.Unlock()
	p.s.SetPlayhead(frame)
	p.updateControls()
}

// Step pauses and moves one frame back (−1) or forward (+1): Left, Right.
func (p *Player) Step(delta int) {
	p.Pause()
	p.mu.Lock()
	if p.film == nil {
		p.mu.Unlock()
		return
	}
	frame := max(0, min(p.frame+delta, p.film.total-1))
	p.mu.Unlock()
	p.s.SetPlayhead(frame)
}

// toggleLoop turns looping over the selected shots on or off.
func (p *Player) toggleLoop() {
	p.mu.Lock()
	p.loop = !p.loop
	if p.playing {
		p.restartInLoopLocked(p.positionLocked())
	}
	p.mu.Unlock()
	p.updateControls()
}

// loopSpanLocked is the range a loop plays: from the start of the first
// selected shot to the end of the last, or the whole film when none is
// selected; empty with looping off.
func (p *Player) loopSpanLocked() timeline.Span {
	if !p.loop || p.film == nil {
		return timeline.Span{}
	}
	proj := p.s.Project()
	r := timeline.Span{Start: p.film.total, End: 0}
	for _, id := range p.s.Selected() {
		if i := proj.Index(id); i >= 0 && i < len(p.film.spans) {
			r.Start = min(r.Start, p.film.spans[i].Start)
			r.End = max(r.End, p.film.spans[i].End)
		}
	}
	if r.Len() <= 0 {
		return timeline.Span{Start: 0, End: p.film.total}
	}
	return r
}

// restartLocked starts a new run at frame with the current speed: a new
// anchor for the clock, new sound from there, and a new chain of ticks.
func (p *Player) restartLocked(frame int) {
	p.run++
	p.frame = frame
	p.anchorFrame = frame
	p.anchorTime = p.d.Clock.Now()
	p.lastPlayed, p.lastMove = 0, p.anchorTime
	p.audioClock = p.speed == 1 && p.d.Audio != nil && !p.audioBroken
	if p.audioClock {
		lr := p.loopRange
		p.audioWant = audioWant{run: p.run, play: true, from: samplesAt(frame, p.film.fps)}
		if lr.Len() > 0 {
			p.audioWant.loopA, p.audioWant.loopB = samplesAt(lr.Start, p.film.fps), samplesAt(lr.End, p.film.fps)
		}
	} else {
		p.audioWant = audioWant{run: p.run}
	}
	p.kickAudio()
	p.requestLocked(frame)
	p.scheduleTickLocked()
}

// restartInLoopLocked restarts the run from frame under the loop range
// as it is now (the selection, looping on or off), moved into the range
// if it has left it.
func (p *Player) restartInLoopLocked(frame int) {
	p.loopRange = p.loopSpanLocked()
	if lr := p.loopRange; lr.Len() > 0 {
		frame = max(lr.Start, min(frame, lr.End-1))
	}
	p.restartLocked(max(0, min(frame, p.film.total-1)))
}

// haltLocked ends the run: no more ticks, no more sound.
func (p *Player) haltLocked() {
	p.playing = false
	p.run++
	if p.stopTick != nil {
		p.stopTick()
		p.stopTick = nil
	}
	p.audioWant = audioWant{run: p.run}
	p.kickAudio()
}

// scheduleTickLocked asks the clock for a tick when the next frame is
// due. Ticks only sample the position; the position itself comes from
// the run's anchor (or the sound), so late or missed ticks never drift
// the picture. By the clock, a tick lands on the nanosecond a frame
// starts (rounded up), so each shows the frame just begun.
func (p *Player) scheduleTickLocked() {
	if p.stopTick != nil {
		p.stopTick()
	}
	fps := int64(max(1, p.film.fps))
	// By the sound, when the next frame is due is not known ahead: look
	// twice a frame, so a new frame is at most half a frame late.
	d := time.Duration((int64(time.Second) + 2*fps - 1) / (2 * fps))
	if !p.audioClock {
		rate := fps * int64(abs(p.speed)) // frames a second
		elapsed := int64(p.d.Clock.Now().Sub(p.anchorTime))
		next := elapsed*rate/int64(time.Second) + 1
		d = time.Duration((next*int64(time.Second)+rate-1)/rate - elapsed)
	}
	run := p.run
	p.stopTick = p.d.Clock.AfterFunc(d, func() {
		if p.closed() {
			return
		}
		p.s.OnUI(func() { p.tick(run) })
	})
}

// tick moves the playhead to where the run has got to.
func (p *Player) tick(run int64) {
	p.mu.Lock()
	if run != p.run || !p.playing {
		p.mu.Unlock()
		return
	}
	if p.loopSpanLocked() != p.loopRange {
		p.restartInLoopLocked(p.positionLocked()) // the selection changed under a loop
		frame := p.frame
		p.mu.Unlock()
		p.s.SetPlayhead(frame)
		p.updateControls()
		return
	}
	frame, ended := p.advanceLocked()
	if ended {
		p.haltLocked()
	} else {
		p.scheduleTickLocked()
	}
	if frame == p.frame && !ended {
		p.mu.Unlock()
		return // the sound has not reached the next frame yet
	}
	p.frame = frame
	p.requestLocked(frame)
	p.mu.Unlock()
	p.s.SetPlayhead(frame)
	p.updateControls()
}

// positionLocked is the frame the run has reached.
func (p *Player) positionLocked() int {
	frame, _ := p.advanceLocked()
	return frame
}

// advanceLocked is where the run has got to, and whether it has reached
// an end of the film (never, looping). With sound, that is the frame
// being heard; without, the clock's.
func (p *Player) advanceLocked() (frame int, ended bool) {
	if !p.playing {
		return p.frame, false
	}
	now := p.d.Clock.Now()
	if p.audioClock {
		return p.heardLocked(now)
	}
	elapsed := now.Sub(p.anchorTime)
	df := int(int64(elapsed) * int64(p.film.fps) * int64(abs(p.speed)) / int64(time.Second))
	if p.speed < 0 {
		df = -df
	}
	return wrapFrame(p.anchorFrame+df, p.loopRange, p.film.total)
}

// heardLocked is the frame being heard. Until the sound starts it holds
// the run's first frame; if the output does not move for stallAfter, the
// clock takes over from where the sound had got to.
func (p *Player) heardLocked(now time.Time) (frame int, ended bool) {
	st := p.stream.Load()
	running := st != nil && st.run == p.run
	var played int64
	if running {
		played = p.d.Audio.Played()
	}
	heard := func() int {
		if !running {
			return p.anchorFrame
		}
		return max(0, min(frameOfSample(st.pos(played), p.film.fps), p.film.total-1))
	}
	if played != p.lastPlayed {
		p.lastPlayed, p.lastMove = played, now
	} else if now.Sub(p.lastMove) >= stallAfter {
		// The clock runs on from when the output stalled.
		at := heard()
		p.audioBroken = true
		p.deviceStatus = "No sound: the sound output stopped responding"
		p.audioClock = false
		p.anchorFrame, p.anchorTime = at, p.lastMove.Add(stallAfter)
		p.audioWant = audioWant{run: p.run}
		p.kickAudio()
		return at, false
	}
	if running && st.loopB == 0 && st.pos(played) >= samplesAt(p.film.total, p.film.fps) {
		return p.film.total - 1, true
	}
	return heard(), false
}

// wrapFrame brings a frame reached by playing back into the loop range,
// or clamps it to the film, saying whether playback reached an end.
func wrapFrame(f int, loop timeline.Span, total int) (frame int, ended bool) {
	if n := loop.Len(); n > 0 {
		switch {
		case f >= loop.End:
			f = loop.Start + (f-loop.Start)%n
		case f < loop.Start:
			f = loop.End - 1 - (loop.Start-1-f)%n
		}
		return f, false
	}
	switch {
	case f >= total-1:
		return max(0, total-1), true
	case f <= 0:
		return 0, f < 0
	}
	return f, false
}

// updateControls shows the playhead, the state of play and the status.
func (p *Player) updateControls() {
	p.mu.Lock()
	frame, total, fps := p.frame, 0, 24
	if p.film != nil {
		total, fps = p.film.total, max(1, p.film.fps)
	}
	playing, speed, loop := p.playing, p.speed, p.loop
	status := p.statusLocked()
	p.mu.Unlock()

	p.uiMu.Lock()
	defer p.uiMu.Unlock()
	p.syncingSlider.Store(true)
	p.slider.Max = float64(max(1, total-1))
	p.slider.SetValue(float64(frame))
	p.slider.Refresh()
	p.syncingSlider.Store(false)
	p.timecode.SetText(timeline.Timecode(frame, fps) + " / " + timeline.Timecode(total, fps))
	switch {
	case !playing || speed == 1:
		p.speedLbl.SetText("")
	case speed > 0:
		p.speedLbl.SetText(fmt.Sprintf("%d×", speed))
	default:
		p.speedLbl.SetText(fmt.Sprintf("−%d×", -speed))
	}
	if playing {
		p.playBtn.SetIcon(theme.MediaPauseIcon())
	} else {
		p.playBtn.SetIcon(theme.MediaPlayIcon())
	}
	if loop {
		p.loopBtn.Importance = widget.HighImportance
	} else {
		p.loopBtn.Importance = widget.MediumImportance
	}
	p.loopBtn.Refresh()
	p.status.SetText(status)
}

// statusLocked says why there is no sound, or why a shot shows its card
// instead of its clip.
func (p *Player) statusLocked() string {
	var parts []string
	for _, s := range []string{p.deviceStatus, p.shotStatus} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "  ·  ")
}

// showStatus updates the status line alone.
func (p *Player) showStatus() {
	p.mu.Lock()
	status := p.statusLocked()
	p.mu.Unlock()
	p.uiMu.Lock()
	defer p.uiMu.Unlock()
	p.status.SetText(status)
}

// report shows a background failure in the status line: the sound
// output's (device) or a shot's.
func (p *Player) report(device bool, msg string) {
	if p.closed() {
		return
	}
	p.mu.Lock()
	if device {
		p.deviceStatus = msg
	} else {
		p.shotStatus = msg
	}
	p.mu.Unlock()
	p.s.OnUI(p.showStatus)
}

// previewSize fits the project's frame into previewBox, in even numbers
// (what ffmpeg's scaler likes), never larger than the project itself.
func previewSize(w, h int) (int, int) {
	w, h = max(w, 2), max(h, 2)
	scale := min(1, float64(previewBox)/float64(max(w, h)))
	even := func(x float64) int { return max(2, int(x/2+0.5)*2) }
	return even(float64(w) * scale), even(float64(h) * scale)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
