package storyboard

import (
	"context"
	"image"
	"image/color"
	"slices"
	"sort"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/studio/session"
	"github.com/slatestudio/slate/timeline"
)

// The dialogue lane, under the cards: each line of dialogue as a block at
// its time on the film, labelled with its speaker, and once the line has
// been voiced, the waveform of its speech.
const (
	laneH   = 34
	laneGap = 6
	// peaksPerSecond is how finely a line's waveform is kept: enough for
	// a bar a unit wide at the closest zoom but one.
	peaksPerSecond = 100
)

// voiced is a line's speech as the lane draws it.
type voiced struct {
	peaks  []float32
	speech time.Duration
	done   bool // false while it is being voiced
}

// laneJob is a line to voice: a copy of what it needs of the project, so
// the work off the UI goroutine reads nothing the UI may change.
type laneJob struct {
	key  string
	cast []timeline.CastRef
	shot *timeline.Shot // holding only the line, at index 0
}

// laneState is the strip's voicing of the lines in view: one line at a
// time, off the UI goroutine, the waveforms kept by what makes the
// speech (voice, words, room in the shot) so an edit to anything else
// voices nothing again.
type laneState struct {
	t     *Strip
	lines map[string]*voiced
	queue []laneJob
	busy  bool
	voice func(laneJob) // starts voicing a line, under the strip's context
}

func newLaneState(ctx context.Context, t *Strip) laneState {
	l := laneState{t: t, lines: map[string]*voiced{}}
	l.voice = func(j laneJob) {
		vs := t.d.Voices
		session.Background(ctx, t.s, func(ctx context.Context) (*voiced, error) {
			pcm, err := render.LineSpeech(ctx, vs, j.cast, j.shot, 0)
			if err != nil {
				return nil, err
			}
			d := pcm.Duration()
			n := max(1, int(d.Seconds()*peaksPerSecond))
			return &voiced{peaks: pcm.Peaks(n), speech: d, done: true}, nil
		}, func(v *voiced, err error) { t.voicedLine(j.key, v, err) })
	}
	return l
}

// lineKey names what a line's speech depends on.
func lineKey(p *timeline.Project, sh *timeline.Shot, l timeline.Line) string {
	return render.VoiceFor(p.Cast, l) + "\x00" + l.Text + "\x00" + (sh.Duration - l.Start).String()
}

// voiceLater queues line j of shot sh to be voiced, unless it is or has
// been.
func (t *Strip) voiceLater(p *timeline.Project, sh *timeline.Shot, j int, key string) {
	if t.d.Voices == nil {
		return
	}
	if _, ok := t.lane.lines[key]; ok {
		return
	}
	t.lane.lines[key] = &voiced{}
	t.lane.queue = append(t.lane.queue, laneJob{key: key, cast: slices.Clone(p.Cast),
		shot: &timeline.Shot{Duration: sh.Duration, Lines: []timeline.Line{sh.Lines[j]}}})
	t.voiceNext()
}

func (t *Strip) voiceNext() {
	l := &t.lane
	if l.busy || len(l.queue) == 0 {
		return
	}
	j := l.queue[0]
	l.queue = l.queue[1:]
	l.busy = true
	l.voice(j)
}

// voicedLine keeps a line's waveform and draws the lane again. A line
// that could not be voiced keeps its block without a waveform; the
// player says why when it is played.
func (t *Strip) voicedLine(key string, v *voiced, err error) {
	t.lane.busy = false
	if err != nil {
		v = &voiced{done: true}
	}
	t.lane.lines[key] = v
	t.track.Refresh()
	t.voiceNext()
}

// prune forgets the waveforms of lines the project no longer has, once
// there are many more of them than lines.
func (l *laneState) prune(p *timeline.Project) {
	n := 0
	for _, sh := range p.Shots {
		n += len(sh.Lines)
	}
	if len(l.lines) <= 2*n+64 {
		return
	}
	keep := map[string]bool{}
	for _, sh := range p.Shots {
		for _, ln := range sh.Lines {
			keep[lineKey(p, sh, ln)] = true
		}
	}
	for k, v := range l.lines {
		if !keep[k] && v.done {
			delete(l.lines, k)
		}
	}
}

// layoutLane places the blocks of the lines of shots [from, to) in the
// lane at g.lane, reusing the renderer's pool of blocks.
func (r *trackRenderer) layoutLane(g geometry, width float32, from, to int) {
	t := r.tr.t
	p := t.s.Project()
	r.laneBg.FillColor = withAlpha(theme.Color(theme.ColorNameInputBackground), 0x80)
	r.laneBg.Move(fyne.NewPos(0, g.lane))
	r.laneBg.Resize(fyne.NewSize(width, laneH))
	r.objects = append(r.objects, r.laneBg)

	type place struct {
		shot, line int
		x, w, end  float32
		v          *voiced
	}
	var places []place
	for i := from; i < to; i++ {
		sh := p.Shots[i]
		shotEnd := t.frameX(t.spans[i].End)
		for j, l := range sh.Lines {
			key := lineKey(p, sh, l)
			t.voiceLater(p, sh, j, key)
			v := t.lane.lines[key]
			d := timeline.SpeechTime(l.Text)
			if v != nil && v.done && v.speech > 0 {
				d = v.speech
			}
			x := t.frameX(t.spans[i].Start + timeline.Frames(l.Start, p.FPS))
			places = append(places, place{i, j, x, t.zoom * float32(d.Seconds()), shotEnd, v})
		}
	}
	sort.SliceStable(places, func(a, b int) bool { return places[a].x < places[b].x })
	for n, pl := range places {
		// A block ends where its shot does, and before the next begins:
		// blocks never cover each other.
		w := min(pl.w, pl.end-pl.x)
		if n+1 < len(places) {
			w = min(w, places[n+1].x-pl.x-2)
		}
		if n == len(r.blocks) {
			r.blocks = append(r.blocks, newLineBlock(t))
		}
		b := r.blocks[n]
		b.bind(pl.shot, pl.line, pl.v)
		b.Move(fyne.NewPos(pl.x, g.lane+2))
		b.Resize(fyne.NewSize(max(w, 4), laneH-4))
		r.objects = append(r.objects, b)
	}
}

// lineBlocks are the dialogue lane's blocks laid out now, in time order.
func (tr *track) lineBlocks() []*lineBlock {
	if tr.r == nil {
		return nil
	}
	var out []*lineBlock
	for _, o := range tr.r.objects {
		if b, ok := o.(*lineBlock); ok {
			out = append(out, b)
		}
	}
	return out
}

// lineBlock is one line of dialogue on the lane.
type lineBlock struct {
	widget.BaseWidget
	t           *Strip
	shot, line  int
	bg          *canvas.Rectangle
	speaker     *canvas.Text
	wave        *canvas.Raster
	peaks       []float32
	speech      time.Duration
	waveColour  color.Color
	speakerName string
}

func newLineBlock(t *Strip) *lineBlock {
	b := &lineBlock{t: t, bg: canvas.NewRectangle(color.Transparent), speaker: canvas.NewText("", nil)}
	b.bg.CornerRadius = 4
	b.speaker.TextSize = 11
	b.wave = canvas.NewRaster(b.draw)
	b.ExtendBaseWidget(b)
	return b
}

// bind shows line j of shot i, voiced as v (nil or not done: not yet).
func (b *lineBlock) bind(i, j int, v *voiced) {
	p := b.t.s.Project()
	sh := p.Shots[i]
	b.shot, b.line = i, j
	b.speakerName = p.SpeakerName(sh.Lines[j].Speaker)
	b.peaks, b.speech = nil, 0
	if v != nil && v.done {
		b.peaks, b.speech = v.peaks, v.speech
	}
	b.bg.FillColor = withAlpha(theme.Color(theme.ColorNamePrimary), 0x38)
	if b.t.s.IsSelected(sh.ID) {
		b.bg.FillColor = withAlpha(theme.Color(theme.ColorNamePrimary), 0x70)
	}
	b.speaker.Color = theme.Color(theme.ColorNameForeground)
	b.waveColour = withAlpha(theme.Color(theme.ColorNameForeground), 0xb0)
}

// draw is the waveform: one bar per column, the loudest peak it covers,
// mirrored about the middle.
func (b *lineBlock) draw(w, h int) image.Image {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	if len(b.peaks) == 0 || w <= 0 || h <= 0 {
		return img
	}
	c := color.NRGBAModel.Convert(b.waveColour).(color.NRGBA)
	mid := float32(h) / 2
	for x := range w {
		from := x * len(b.peaks) / w
		to := max(from+1, (x+1)*len(b.peaks)/w)
		var peak float32
		for _, v := range b.peaks[from:min(to, len(b.peaks))] {
			peak = max(peak, v)
		}
		half := max(peak*mid, 0.5)
		for y := int(mid - half); y < int(mid+half+0.5) && y < h; y++ {
			img.SetNRGBA(x, max(y, 0), c)
		}
	}
	return img
}

// Tapped selects the line's shot and moves the playhead to the line.
func (b *lineBlock) Tapped(*fyne.PointEvent) {
	t := b.t
	p := t.s.Project()
	if b.shot >= len(p.Shots) || b.line >= len(p.Shots[b.shot].Lines) {
		return
	}
	sh := p.Shots[b.shot]
	t.s.Select(sh.ID)
	t.s.SetPlayhead(t.spans[b.shot].Start + timeline.Frames(sh.Lines[b.line].Start, p.FPS))
}

func (b *lineBlock) CreateRenderer() fyne.WidgetRenderer {
	return &blockRenderer{b: b, objects: []fyne.CanvasObject{b.bg, b.wave, b.speaker}}
}

type blockRenderer struct {
	b       *lineBlock
	objects []fyne.CanvasObject
}

func (r *blockRenderer) Destroy()                     {}
func (r *blockRenderer) MinSize() fyne.Size           { return fyne.NewSize(4, laneH-4) }
func (r *blockRenderer) Objects() []fyne.CanvasObject { return r.objects }
func (r *blockRenderer) Refresh() {
	r.Layout(r.b.Size())
	for _, o := range r.objects {
		o.Refresh()
	}
}

// Layout: the speaker's name along the top, shortened to fit; the
// waveform under it.
func (r *blockRenderer) Layout(size fyne.Size) {
	b := r.b
	b.bg.Resize(size)
	pad := float32(3)
	b.speaker.Text = b.speakerName
	b.speaker.Text = fitText(b.speaker, size.Width-2*pad)
	h := b.speaker.MinSize().Height
	b.speaker.Move(fyne.NewPos(pad, 1))
	b.speaker.Resize(fyne.NewSize(max(size.Width-2*pad, 0), h))
	b.wave.Move(fyne.NewPos(1, h))
	b.wave.Resize(fyne.NewSize(max(size.Width-2, 0), max(size.Height-h-1, 0)))
	b.wave.Hidden = len(b.peaks) == 0
}
