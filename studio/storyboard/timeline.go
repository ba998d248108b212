package storyboard

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/studio/session"
	"github.com/slatestudio/slate/studio/uikit"
	"github.com/slatestudio/slate/timeline"
)

// Timeline geometry, in Fyne units.
const (
	rulerH   = 22
	cardH    = 126
	trackPad = 8
	// Zoom is in units per second of film.
	minZoom, maxZoom, defaultZoom = 4, 400, 40
	// thumbH is the height of the thumbnails the studio makes for cards
	// (Deps.Thumbnail); a card shows them at half that.
	thumbH = 90
	// bandH is the band between the two rows of cards, A and B, that a
	// film with crossfades or dips has: the transitions are drawn and
	// labelled in it, where no card's text is.
	bandH = 16
	// minRowH is the least height of a row of cards the track asks for.
	minRowH = 44
	// tailW is the room after the last card, to drop a card after it.
	tailW = 48
)

// Strip is the storyboard along the bottom of the window: one card per
// shot, as wide as the shot is long, placed on the film's timeline so
// that the cards of shots joined by a crossfade or dip overlap by it. Only
// the cards in view have widgets, so a project of thousands of shots
// scrolls as smoothly as one of five.
type Strip struct {
	s         Session
	d         Deps
	zoom      float32 // units per second
	scroll    *container.Scroll
	track     *track
	zoomLabel *widget.Label

	spans  []timeline.Span // each shot's frames, from the project's Timing
	status map[string]render.Job
	// rows is the row (0, A, or 1, B) each shot's card is on: a shot that
	// overlaps the one before it (a crossfade or dip) takes the other
	// row, so no card is drawn over another. twoRows is whether the film
	// has any overlap, so the rows do not come and go as it scrolls.
	rows    []int
	twoRows bool
	// hint names the shot under the pointer in full, whatever its card
	// has room for.
	hint *widget.Label
	// lane is the dialogue lane's voicing: see dialogue.go.
	lane laneState

	// drag is the card being dragged to a new place, if any.
	drag *dragState
	// The edits the strip's gestures make (the Add shot button, a card's
	// menu, a drag), under the context the strip was made with.
	add                         *widget.Button
	duplicate, split, deleteSel func()
	move                        func(id string, to int)
}

type dragState struct {
	id   string
	from int
	x    float32 // the card's left edge now, in track units
	to   int     // the index it would land at
}

// NewStrip makes the timeline strip; it follows the session from now on,
// and the edits made on it are saved under ctx, the studio's.
func NewStrip(ctx context.Context, d Deps) *Strip {
	s := d.Session
	t := &Strip{s: s, d: d, zoom: defaultZoom, status: map[string]render.Job{}}
	t.add = widget.NewButtonWithIcon("Add shot", theme.ContentAddIcon(), func() { s.AddShot(ctx) })
	t.duplicate = func() { s.DuplicateShot(ctx) }
	t.split = func() { s.SplitAtPlayhead(ctx) }
	t.deleteSel = func() { s.DeleteSelected(ctx) }
	t.move = func(id string, to int) { s.EditOrReport(ctx, timeline.MoveShot(id, to)) }
	t.lane = newLaneState(ctx, t)
	t.hint = widget.NewLabel("")
	t.hint.Truncation = fyne.TextTruncateEllipsis
	t.track = newTrack(t)
	t.scroll = container.NewHScroll(t.track)
	t.scroll.OnScrolled = func(fyne.Position) { t.track.Refresh() }
	t.zoomLabel = widget.NewLabel("")
	t.s.Listen(session.Listener{
		ProjectChanged:   t.projectChanged,
		SelectionChanged: t.track.Refresh,
		PlayheadMoved:    func(int) { t.playheadMoved() },
		ClipsChanged:     t.track.Refresh,
		CastChanged:      t.track.Refresh,
		JobChanged:       t.jobChanged,
	})
	return t
}

// View is the strip with its tool bar, for the window.
func (t *Strip) View() fyne.CanvasObject {
	zoomIn := uikit.NewTipButton("", theme.ZoomInIcon(), "Zoom in", func() { t.setZoom(t.zoom * 1.5) })
	zoomOut := uikit.NewTipButton("", theme.ZoomOutIcon(), "Zoom out", func() { t.setZoom(t.zoom / 1.5) })
	fit := widget.NewButton("Fit", t.fit)
	t.updateZoomLabel()
	bar := container.NewHBox(t.add, widget.NewSeparator(), zoomOut, zoomIn, fit, t.zoomLabel)
	return container.NewBorder(container.NewBorder(nil, nil, bar, nil, t.hint), nil, nil, nil, t.scroll)
}

func (t *Strip) setZoom(z float32) {
	// Keep the playhead where it is on screen.
	before := t.frameX(t.s.Playhead()) - t.scroll.Offset.X
	t.zoom = max(minZoom, min(maxZoom, z))
	t.updateZoomLabel()
	t.track.Refresh()
	t.scroll.Refresh()
	t.scroll.Offset.X = max(0, t.frameX(t.s.Playhead())-before)
	t.scroll.Refresh()
}

// fit zooms so the whole film fits the visible width, the room after
// the last card included, leaving nothing to scroll to.
func (t *Strip) fit() {
	secs := t.s.Project().Length().Seconds()
	w := t.scroll.Size().Width - 2*trackPad - tailW - 1
	if secs <= 0 || w <= 0 {
		return
	}
	t.scroll.Offset.X = 0
	t.setZoom(float32(float64(w) / secs))
}

func (t *Strip) updateZoomLabel() {
	t.zoomLabel.SetText(fmt.Sprintf("%.0f px/s", t.zoom))
}

// frameX is where frame f of the film is on the track.
func (t *Strip) frameX(f int) float32 {
	return trackPad + float32(f)*t.zoom/float32(t.s.Project().FPS)
}

// xFrame is the film frame at track position x.
func (t *Strip) xFrame(x float32) int {
	return int((x - trackPad) * float32(t.s.Project().FPS) / t.zoom)
}

func (t *Strip) projectChanged(timeline.Change) {
	p := t.s.Project()
	t.spans = p.Timing()
	t.rows, t.twoRows = cardRows(t.spans), false
	for _, r := range t.rows {
		t.twoRows = t.twoRows || r == 1
	}
	t.lane.prune(p)
	t.track.Refresh()
	t.scroll.Refresh()
}

// ThumbnailReady draws the cards again: a thumbnail Deps.Thumbnail was
// making is ready, or what Deps.ClipSync says has changed.
func (t *Strip) ThumbnailReady() { t.track.Refresh() }

func (t *Strip) playheadMoved() {
	t.track.movePlayhead()
	// Keep the playhead in view while playing.
	x := t.frameX(t.s.Playhead())
	w := t.scroll.Size().Width
	if w > 0 && (x < t.scroll.Offset.X || x > t.scroll.Offset.X+w) {
		t.scroll.Offset.X = max(0, x-w/3)
		t.scroll.Refresh()
	}
}

// cardRows puts each shot's card on row 0 (A) where it is free, else on
// row 1 (B): free means the card last put on the row ends before this
// one starts.
func cardRows(spans []timeline.Span) []int {
	rows := make([]int, len(spans))
	end := [2]int{-1, -1}
	for i, sp := range spans {
		r := 0
		if end[0] > sp.Start {
			r = 1
			if end[1] > sp.Start && end[1] < end[0] {
				r = 0 // neither is free: the one that ends sooner
			}
		}
		rows[i], end[r] = r, sp.End
	}
	return rows
}

// geometry is where the track's rows are at a height of h.
type geometry struct {
	row  [2]float32 // each row's top
	rowH float32
	band float32 // the top of the band between the rows
	lane float32 // the top of the dialogue lane
}

func (t *Strip) geometry(h float32) geometry {
	top := float32(rulerH + trackPad)
	avail := h - top - trackPad - laneGap - laneH
	var g geometry
	if t.twoRows {
		g.rowH = max(min(cardH, (avail-bandH)/2), 24)
		g.row = [2]float32{top, top + g.rowH + bandH}
		g.band = top + g.rowH
		g.lane = g.row[1] + g.rowH + laneGap
	} else {
		g.rowH = max(min(cardH, avail), 24)
		g.row = [2]float32{top, top}
		g.band = top
		g.lane = top + g.rowH + laneGap
	}
	return g
}

// hover shows shot i's whole title and length in the strip's bar while
// the pointer is over its card; -1 clears it.
func (t *Strip) hover(i int) {
	p := t.s.Project()
	if i < 0 || i >= len(p.Shots) {
		t.hint.SetText("")
		return
	}
	sh := p.Shots[i]
	title := sh.Title
	if title == "" {
		title = "Untitled"
	}
	t.hint.SetText(fmt.Sprintf("Shot %d: %s (%s)", i+1, title, timeline.Seconds(sh.Duration)))
}

func (t *Strip) jobChanged(j render.Job) {
	if j.ShotID == "" {
		return
	}
	t.status[j.ShotID] = j
	t.track.Refresh()
}

// statusOf says how shot i stands with rendering, for its card.
func (t *Strip) statusOf(i int) (text string, progress float32, state render.Status) {
	sh := t.s.Project().Shots[i]
	if _, ok := t.s.ClipOf(i); ok {
		return "rendered", 1, render.Completed
	}
	j, ok := t.status[sh.ID]
	if !ok || j.Key != t.s.KeyOf(i) {
		return "animatic", 0, ""
	}
	switch j.Status {
	case render.Queued:
		return "queued", 0, j.Status
	case render.InProgress:
		return fmt.Sprintf("rendering %d%%", j.Progress), float32(j.Progress) / 100, j.Status
	case render.Failed:
		return "failed", 0, j.Status
	case render.Cancelled:
		return "cancelled", 0, j.Status
	}
	return "animatic", 0, ""
}

// visible returns the range of shots [from, to) whose cards overlap the
// track's visible x range. Spans are in start order, so two binary
// searches find them.
func (t *Strip) visible(x0, x1 float32) (from, to int) {
	spans := t.spans
	f0, f1 := t.xFrame(x0), t.xFrame(x1)+1
	// A shot is visible when it ends after f0 and starts before f1. Ends
	// are in order too: a shot never ends before the one before it starts
	// its overlap.
	from = sort.Search(len(spans), func(i int) bool { return spans[i].End > f0 })
	to = sort.Search(len(spans), func(i int) bool { return spans[i].Start >= f1 })
	return from, max(from, to)
}

// ShotAt is the shot whose card is at pos on the window's canvas (where a
// cast member was dropped, say).
func (t *Strip) ShotAt(pos fyne.Position) (string, bool) {
	d := fyne.CurrentApp().Driver()
	for _, o := range t.track.visibleCards() {
		at := d.AbsolutePositionForObject(o)
		sz := o.Size()
		if pos.X >= at.X && pos.X < at.X+sz.Width && pos.Y >= at.Y && pos.Y < at.Y+sz.Height {
			return o.id, true
		}
	}
	return "", false
}

// tapShot selects a shot as a tap with these modifiers asks: alone,
// added or removed (Ctrl), or the range from the selected one (Shift).
func (t *Strip) tapShot(id string, mods fyne.KeyModifier) {
	s := t.s
	selected := s.Selected()
	switch {
	case mods&fyne.KeyModifierShift != 0 && len(selected) > 0:
		p := s.Project()
		a, b := p.Index(selected[0]), p.Index(id)
		if a > b {
			a, b = b, a
		}
		ids := []string{selected[0]}
		for i := a; i <= b; i++ {
			if p.Shots[i].ID != selected[0] {
				ids = append(ids, p.Shots[i].ID)
			}
		}
		s.Select(ids...)
	case mods&(fyne.KeyModifierShortcutDefault|fyne.KeyModifierControl|fyne.KeyModifierSuper) != 0:
		if s.IsSelected(id) {
			var rest []string
			for _, x := range selected {
				if x != id {
					rest = append(rest, x)
				}
			}
			s.Select(rest...)
		} else {
			s.Select(append([]string{id}, selected...)...)
		}
	default:
		s.Select(id)
	}
}

// contextMenu is the menu a secondary tap on a card opens.
func (t *Strip) contextMenu(id string, at fyne.Position, over fyne.CanvasObject) {
	s := t.s
	if !s.IsSelected(id) {
		s.Select(id)
	}
	n := len(s.Selected())
	del, ren := "Delete shot", "Render shot"
	if n > 1 {
		del, ren = fmt.Sprintf("Delete %d shots", n), fmt.Sprintf("Render %d shots", n)
	}
	menu := fyne.NewMenu("",
		fyne.NewMenuItem("Duplicate", t.duplicate),
		fyne.NewMenuItem("Split at playhead", t.split),
		fyne.NewMenuItem(ren, t.d.RenderSelected),
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem(del, t.deleteSel),
	)
	widget.ShowPopUpMenuAtRelativePosition(menu, t.d.Window.Canvas(), at, over)
}

// startDrag, dragTo and endDrag move a shot by dragging its card: the
// card follows the pointer, a marker shows where it will land, and
// letting go moves the shot there.
func (t *Strip) dragTo(id string, dx float32) {
	p := t.s.Project()
	if t.drag == nil || t.drag.id != id {
		i := p.Index(id)
		if i < 0 {
			return
		}
		t.drag = &dragState{id: id, from: i, x: t.frameX(t.spans[i].Start), to: i}
	}
	d := t.drag
	d.x += dx
	// It lands before the first other shot whose middle is right of the
	// dragged card's left edge.
	f := t.xFrame(d.x)
	to := 0
	for i, sp := range t.spans {
		if i == d.from {
			continue
		}
		if (sp.Start+sp.End)/2 < f {
			to++
		}
	}
	d.to = to
	t.track.Refresh()
}

func (t *Strip) endDrag() {
	d := t.drag
	t.drag = nil
	if d == nil {
		return
	}
	t.track.Refresh()
	if d.to != d.from {
		t.move(d.id, d.to)
		t.s.Select(d.id)
	}
}

// track is the scrolling content: ruler, cards, transitions, playhead.
type track struct {
	widget.BaseWidget
	t *Strip
	r *trackRenderer
}

func newTrack(t *Strip) *track {
	tr := &track{t: t}
	tr.ExtendBaseWidget(tr)
	return tr
}

// MinSize is the whole film's length at the current zoom.
func (tr *track) MinSize() fyne.Size {
	t := tr.t
	end := 0
	if n := len(t.spans); n > 0 {
		end = t.spans[n-1].End
	}
	rows := float32(minRowH)
	if t.twoRows {
		rows = 2*minRowH + bandH
	}
	return fyne.NewSize(t.frameX(end)+trackPad+tailW, rulerH+2*trackPad+rows+laneGap+laneH)
}

// Tapped on the ruler moves the playhead there.
func (tr *track) Tapped(e *fyne.PointEvent) {
	tr.t.s.SetPlayhead(tr.t.xFrame(e.Position.X))
}

func (tr *track) CreateRenderer() fyne.WidgetRenderer {
	r := &trackRenderer{tr: tr,
		ruler:    canvas.NewRectangle(color.Transparent),
		playhead: canvas.NewRectangle(theme.Color(theme.ColorNameError)),
		drop:     canvas.NewRectangle(theme.Color(theme.ColorNamePrimary)),
		ghost:    canvas.NewImageFromImage(nil),
		ghostBox: canvas.NewRectangle(color.Transparent),
		laneBg:   canvas.NewRectangle(color.Transparent),
	}
	r.ghost.FillMode = canvas.ImageFillContain
	r.ghost.Translucency = 0.5
	r.ghostBox.StrokeWidth = 2
	r.ghostBox.CornerRadius = 6
	tr.r = r
	return r
}

// visibleCards are the cards laid out now, later ones (drawn on top) first.
func (tr *track) visibleCards() []*card {
	if tr.r == nil {
		return nil
	}
	var out []*card
	for i := len(tr.r.objects) - 1; i >= 0; i-- {
		if c, ok := tr.r.objects[i].(*card); ok {
			out = append(out, c)
		}
	}
	return out
}

// movePlayhead moves only the playhead line: during playback that is all
// that changes, many times a second.
func (tr *track) movePlayhead() {
	if tr.r == nil {
		return
	}
	t := tr.t
	tr.r.playhead.Move(fyne.NewPos(t.frameX(t.s.Playhead())-1, 0))
	tr.r.playhead.Refresh()
}

type trackRenderer struct {
	tr       *track
	ruler    *canvas.Rectangle
	ticks    []*canvas.Text
	cards    []*card
	marks    []*transitionMark
	playhead *canvas.Rectangle
	drop     *canvas.Rectangle
	// ghost is the dragged card's thumbnail, see-through, and ghostBox
	// its outline, where the pointer has taken it.
	ghost    *canvas.Image
	ghostBox *canvas.Rectangle
	laneBg   *canvas.Rectangle
	blocks   []*lineBlock
	objects  []fyne.CanvasObject
}

func (r *trackRenderer) Destroy()                     {}
func (r *trackRenderer) MinSize() fyne.Size           { return r.tr.MinSize() }
func (r *trackRenderer) Objects() []fyne.CanvasObject { return r.objects }
func (r *trackRenderer) Refresh()                     { r.Layout(r.tr.Size()) }

// Layout places the cards of the shots in view, reusing a pool of card
// widgets, and everything drawn over them.
func (r *trackRenderer) Layout(size fyne.Size) {
	t := r.tr.t
	p := t.s.Project()
	x0 := t.scroll.Offset.X
	x1 := x0 + t.scroll.Size().Width
	if x1 <= x0 {
		x1 = x0 + size.Width
	}
	r.objects = r.objects[:0]
	r.ruler.FillColor = theme.Color(theme.ColorNameInputBackground)
	r.ruler.Move(fyne.NewPos(0, 0))
	r.ruler.Resize(fyne.NewSize(size.Width, rulerH))
	r.objects = append(r.objects, r.ruler)
	r.layoutTicks(x0, x1, size.Width)

	g := t.geometry(size.Height)
	from, to := t.visible(x0, x1)
	// Transition marks, under the cards: a shade over the overlap, and
	// in the band between the rows what the transition is.
	m := 0
	for i := max(0, from-1); i < to && i+1 < len(t.spans); i++ {
		if p.OverlapFrames(i) == 0 {
			continue
		}
		if m == len(r.marks) {
			r.marks = append(r.marks, newTransitionMark())
		}
		mk := r.marks[m]
		m++
		a, b := t.frameX(t.spans[i+1].Start), t.frameX(t.spans[i].End)
		mk.set(p.Shots[i].Transition)
		mk.band = g.band - g.row[0]
		mk.Move(fyne.NewPos(a, g.row[0]))
		mk.Resize(fyne.NewSize(max(b-a, 6), g.row[1]+g.rowH-g.row[0]))
		r.objects = append(r.objects, mk)
	}
	// Cards, each on its row.
	for n := 0; n < to-from; n++ {
		if n == len(r.cards) {
			r.cards = append(r.cards, newCard(t))
		}
		c := r.cards[n]
		i := from + n
		sp := t.spans[i]
		x, w := t.frameX(sp.Start), t.frameX(sp.End)-t.frameX(sp.Start)
		c.bind(i)
		c.Move(fyne.NewPos(x, g.row[t.rows[i]]))
		c.Resize(fyne.NewSize(max(w-1, 2), g.rowH))
		r.objects = append(r.objects, c)
	}
	r.layoutLane(g, size.Width, from, to)
	if d := t.drag; d != nil {
		// The dragged card, as its thumbnail, see-through, where the
		// pointer has taken it; the card stays where the shot is until
		// it is dropped.
		i := p.Index(d.id)
		if i < 0 {
			i = d.from
		}
		sp := t.spans[i]
		w := max(t.frameX(sp.End)-t.frameX(sp.Start)-1, 2)
		y := g.row[t.rows[i]]
		r.ghostBox.FillColor = withAlpha(theme.Color(theme.ColorNameInputBackground), 0x60)
		r.ghostBox.StrokeColor = withAlpha(theme.Color(theme.ColorNamePrimary), 0xa0)
		r.ghostBox.Move(fyne.NewPos(d.x, y))
		r.ghostBox.Resize(fyne.NewSize(w, g.rowH))
		r.objects = append(r.objects, r.ghostBox)
		th := min(float32(thumbH)/2, g.rowH*0.38)
		r.ghost.Image = t.d.Thumbnail(i)
		r.ghost.Move(fyne.NewPos(d.x+5, y+5))
		r.ghost.Resize(fyne.NewSize(max(min(w-10, th*pictureShape(r.ghost.Image)), 0), th))
		if r.ghost.Image != nil {
			r.objects = append(r.objects, r.ghost)
		}
		at := t.frameX(0)
		others := 0
		for i, sp := range t.spans {
			if i == d.from {
				continue
			}
			if others == d.to {
				at = t.frameX(sp.Start)
				break
			}
			others++
			at = t.frameX(sp.End)
		}
		r.drop.FillColor = theme.Color(theme.ColorNamePrimary)
		r.drop.Move(fyne.NewPos(at-2, rulerH))
		r.drop.Resize(fyne.NewSize(4, g.row[1]+g.rowH+trackPad-rulerH))
		r.objects = append(r.objects, r.drop)
	}
	r.playhead.FillColor = theme.Color(theme.ColorNameError)
	r.playhead.Move(fyne.NewPos(t.frameX(t.s.Playhead())-1, 0))
	r.playhead.Resize(fyne.NewSize(2, size.Height))
	r.objects = append(r.objects, r.playhead)
	for _, o := range r.objects {
		o.Refresh()
	}
}

// layoutTicks labels the ruler with timecodes at a spacing that suits the
// zoom, only where it is in view.
func (r *trackRenderer) layoutTicks(x0, x1, width float32) {
	t := r.tr.t
	fps := t.s.Project().FPS
	step := 1
	for _, s := range []int{1, 2, 5, 10, 15, 30, 60, 120, 300, 600} {
		step = s
		if float32(s)*t.zoom >= 90 {
			break
		}
	}
	first := max(0, t.xFrame(x0)/fps/step*step)
	n := 0
	for sec := first; t.frameX(sec*fps) < x1; sec += step {
		if n == len(r.ticks) {
			tx := canvas.NewText("", theme.Color(theme.ColorNamePlaceHolder))
			tx.TextSize = 11
			r.ticks = append(r.ticks, tx)
		}
		tx := r.ticks[n]
		n++
		tx.Text = timeline.Timecode(sec*fps, fps)[3:8] // MM:SS
		tx.Color = theme.Color(theme.ColorNamePlaceHolder)
		tx.Move(fyne.NewPos(t.frameX(sec*fps)+3, 3))
		tx.Resize(tx.MinSize())
		if tx.Position().X+tx.Size().Width > width {
			break // a label the ruler has no room for is left out, not cut
		}
		r.objects = append(r.objects, tx)
	}
}

// card is one shot on the timeline.
type card struct {
	widget.BaseWidget
	t     *Strip
	index int
	id    string
	mods  fyne.KeyModifier

	bg, border, bar *canvas.Rectangle
	barFraction     float32
	thumb           *canvas.Image
	number, title   *canvas.Text
	info, cast      *canvas.Text
	status          *canvas.Text
}

func newCard(t *Strip) *card {
	c := &card{t: t,
		bg:     canvas.NewRectangle(color.Transparent),
		border: canvas.NewRectangle(color.Transparent),
		bar:    canvas.NewRectangle(color.Transparent),
		thumb:  canvas.NewImageFromImage(nil),
		number: canvas.NewText("", nil), title: canvas.NewText("", nil),
		info: canvas.NewText("", nil), cast: canvas.NewText("", nil), status: canvas.NewText("", nil),
	}
	c.thumb.FillMode = canvas.ImageFillContain
	c.thumb.ScaleMode = canvas.ImageScaleFastest
	c.number.TextStyle.Bold = true
	c.title.TextStyle.Bold = true
	for _, tx := range []*canvas.Text{c.info, c.cast, c.status} {
		tx.TextSize = 11
	}
	c.border.StrokeWidth = 2
	c.border.CornerRadius = 6
	c.bg.CornerRadius = 6
	c.ExtendBaseWidget(c)
	return c
}

// bind shows shot i on the card.
func (c *card) bind(i int) {
	t := c.t
	p := t.s.Project()
	sh := p.Shots[i]
	c.index, c.id = i, sh.ID
	selected := t.s.IsSelected(sh.ID)
	c.bg.FillColor = theme.Color(theme.ColorNameInputBackground)
	c.border.FillColor = color.Transparent
	c.border.StrokeColor = theme.Color(theme.ColorNameSeparator)
	if selected {
		c.border.StrokeColor = theme.Color(theme.ColorNamePrimary)
		c.bg.FillColor = theme.Color(theme.ColorNameSelection)
	}
	fg := theme.Color(theme.ColorNameForeground)
	dim := theme.Color(theme.ColorNamePlaceHolder)
	c.number.Text, c.number.Color = fmt.Sprint(i+1), theme.Color(theme.ColorNamePrimary)
	c.title.Text, c.title.Color = sh.Title, fg
	if c.title.Text == "" {
		c.title.Text = "Untitled"
	}
	c.info.Text = fmt.Sprintf("%s · %s, %s", timeline.Seconds(sh.Duration), sh.Camera.Framing.Label(), sh.Camera.Move.Label())
	if n := len(sh.Lines); n > 0 {
		c.info.Text += fmt.Sprintf(" · %d line%s", n, plural(n))
	}
	c.info.Color = dim
	var names []string
	for _, id := range sh.Cast {
		names = append(names, p.SpeakerName(id))
	}
	c.cast.Text, c.cast.Color = strings.Join(names, ", "), fg
	text, progress, state := t.statusOf(i)
	if t.d.ClipSync != nil && t.d.ClipSync(sh.ID) != "" {
		text += " · " + t.d.ClipSync(sh.ID)
	}
	c.status.Text = text
	switch state {
	case render.Completed:
		c.status.Color = theme.Color(theme.ColorNameSuccess)
	case render.Failed:
		c.status.Color = theme.Color(theme.ColorNameError)
	case render.InProgress, render.Queued:
		c.status.Color = theme.Color(theme.ColorNamePrimary)
	default:
		c.status.Color = dim
	}
	c.bar.FillColor = theme.Color(theme.ColorNamePrimary)
	c.bar.Hidden = state != render.InProgress
	c.barFraction = progress
	c.thumb.Image = t.d.Thumbnail(i)
}

// pictureShape is a card picture's width over its height: the
// project's frame's shape, since the pictures are drawn at it; 16:9
// while there is none yet.
func pictureShape(img image.Image) float32 {
	if img == nil {
		return 16.0 / 9
	}
	b := img.Bounds()
	if b.Dx() <= 0 || b.Dy() <= 0 {
		return 16.0 / 9
	}
	return float32(b.Dx()) / float32(b.Dy())
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// Tapped selects the shot (with Ctrl or Shift held: adds, or a range).
func (c *card) Tapped(*fyne.PointEvent) { c.t.tapShot(c.id, c.mods) }

// TappedSecondary opens the shot's context menu.
func (c *card) TappedSecondary(e *fyne.PointEvent) { c.t.contextMenu(c.id, e.Position, c) }

// MouseDown notes the modifier keys, which taps do not carry.
func (c *card) MouseDown(e *desktop.MouseEvent) { c.mods = e.Modifier }

// MouseUp is part of desktop.Mouseable.
func (c *card) MouseUp(*desktop.MouseEvent) {}

// MouseIn shows the shot's whole title in the strip's bar, however
// little of it the card has room for.
func (c *card) MouseIn(*desktop.MouseEvent) { c.t.hover(c.index) }

// MouseMoved is part of desktop.Hoverable.
func (c *card) MouseMoved(*desktop.MouseEvent) {}

// MouseOut clears what MouseIn showed.
func (c *card) MouseOut() { c.t.hover(-1) }

// Dragged moves the card along the timeline.
func (c *card) Dragged(e *fyne.DragEvent) { c.t.dragTo(c.id, e.Dragged.DX) }

// DragEnd drops the shot where the card is.
func (c *card) DragEnd() { c.t.endDrag() }

func (c *card) CreateRenderer() fyne.WidgetRenderer {
	return &cardRenderer{c: c, objects: []fyne.CanvasObject{c.bg, c.thumb, c.number, c.title, c.info, c.cast, c.status, c.bar, c.border}}
}

type cardRenderer struct {
	c       *card
	objects []fyne.CanvasObject
}

func (r *cardRenderer) Destroy()                     {}
func (r *cardRenderer) MinSize() fyne.Size           { return fyne.NewSize(2, cardH) }
func (r *cardRenderer) Objects() []fyne.CanvasObject { return r.objects }
func (r *cardRenderer) Refresh() {
	r.Layout(r.c.Size())
	for _, o := range r.objects {
		o.Refresh()
	}
}

// Layout: the thumbnail on top, the text under it; what does not fit a
// short card is hidden rather than spilled over its neighbour.
func (r *cardRenderer) Layout(size fyne.Size) {
	c := r.c
	c.bg.Resize(size)
	c.border.Resize(size)
	pad := float32(5)
	th := min(float32(thumbH)/2, size.Height*0.38)
	// A card too narrow for a 16:9 picture 24 wide shows none; the
	// picture's box has the picture's shape (upright in a vertical
	// project), so it starts at the card's edge whatever the shape.
	tw := min(size.Width-2*pad, th*pictureShape(c.thumb.Image))
	c.thumb.Move(fyne.NewPos(pad, pad))
	c.thumb.Resize(fyne.NewSize(max(tw, 0), th))
	c.thumb.Hidden = min(size.Width-2*pad, th*16/9) < 24
	y := pad + th + 2
	inner := size.Width - 2*pad
	place := func(tx *canvas.Text, x float32, width float32) {
		ms := tx.MinSize()
		tx.Move(fyne.NewPos(x, y))
		tx.Resize(fyne.NewSize(width, ms.Height))
		// What a short card has no room for, across or down, is hidden
		// rather than spilled over its neighbour.
		tx.Hidden = (ms.Width > width+1 && width < 30) || y+ms.Height > size.Height-2
	}
	nw := c.number.MinSize().Width
	place(c.number, pad, nw)
	place(c.title, pad+nw+4, inner-nw-4)
	c.title.Text = fitText(c.title, inner-nw-4)
	y += c.number.MinSize().Height
	place(c.info, pad, inner)
	c.info.Text = fitText(c.info, inner)
	y += c.info.MinSize().Height
	place(c.cast, pad, inner)
	c.cast.Text = fitText(c.cast, inner)
	y += c.cast.MinSize().Height
	place(c.status, pad, inner)
	c.status.Text = fitText(c.status, inner)
	c.bar.Move(fyne.NewPos(0, size.Height-4))
	c.bar.Resize(fyne.NewSize(size.Width*c.barFraction, 4))
}

// fitText shortens a text with an ellipsis to fit width.
func fitText(tx *canvas.Text, width float32) string {
	s := tx.Text
	if s == "" || fyne.MeasureText(s, tx.TextSize, tx.TextStyle).Width <= width {
		return s
	}
	r := []rune(s)
	lo, hi := 0, len(r)
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if fyne.MeasureText(string(r[:mid])+"…", tx.TextSize, tx.TextStyle).Width <= width {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	if lo == 0 {
		return ""
	}
	return string(r[:lo]) + "…"
}

// transitionMark shows a crossfade or dip where two cards overlap: a
// shade over both rows, and in the band between them a gradient
// labelled with what it is.
type transitionMark struct {
	widget.BaseWidget
	shade *canvas.Rectangle
	bg    *canvas.LinearGradient
	label *canvas.Text
	band  float32 // the band's top, from the mark's
}

func newTransitionMark() *transitionMark {
	m := &transitionMark{shade: canvas.NewRectangle(color.Transparent), bg: canvas.NewHorizontalGradient(color.Transparent, color.Transparent), label: canvas.NewText("", nil)}
	m.label.TextSize = 10
	m.label.Alignment = fyne.TextAlignCenter
	m.ExtendBaseWidget(m)
	return m
}

func (m *transitionMark) set(tr timeline.Transition) {
	p := theme.Color(theme.ColorNamePrimary)
	r, g, b, _ := p.RGBA()
	half := color.NRGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), 0x70}
	if tr.Kind == timeline.DipToBlack {
		// Black at half opacity: any darker, and the label, in the middle
		// of the gradient, reads at under 4.5:1 in the light theme.
		m.bg.StartColor, m.bg.EndColor = half, color.NRGBA{0, 0, 0, 0x80}
		m.label.Text = "dip " + timeline.Seconds(tr.Duration)
	} else {
		m.bg.StartColor, m.bg.EndColor = half, color.NRGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), 0x20}
		m.label.Text = "✕ " + timeline.Seconds(tr.Duration)
	}
	m.label.Color = theme.Color(theme.ColorNameForeground)
	m.shade.FillColor = color.NRGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), 0x28}
}

func (m *transitionMark) CreateRenderer() fyne.WidgetRenderer {
	return &markRenderer{m: m}
}

type markRenderer struct{ m *transitionMark }

func (r *markRenderer) Destroy()           {}
func (r *markRenderer) MinSize() fyne.Size { return fyne.NewSize(6, 6) }
func (r *markRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.m.shade, r.m.bg, r.m.label}
}
func (r *markRenderer) Refresh() {
	r.Layout(r.m.Size())
	r.m.shade.Refresh()
	r.m.bg.Refresh()
	r.m.label.Refresh()
}

// Layout puts the label in the band, centred on the overlap; it may
// spread a little past a short overlap, where only the band is.
func (r *markRenderer) Layout(size fyne.Size) {
	m := r.m
	m.shade.Resize(size)
	m.bg.Move(fyne.NewPos(0, m.band+2))
	m.bg.Resize(fyne.NewSize(size.Width, bandH-4))
	w := max(size.Width, 48)
	m.label.Text = fitText(m.label, w)
	h := m.label.MinSize().Height
	m.label.Move(fyne.NewPos((size.Width-w)/2, m.band+(bandH-h)/2))
	m.label.Resize(fyne.NewSize(w, h))
}

// withAlpha is c with alpha a.
func withAlpha(c color.Color, a uint8) color.Color {
	r, g, b, _ := c.RGBA()
	return color.NRGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), a}
}
