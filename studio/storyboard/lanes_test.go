package storyboard

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/slatestudio/slate/studio/studiotest"
	"github.com/slatestudio/slate/timeline"
)

// kite is "The Kite" of issue 11: three shots, a crossfade between the
// first two, and one line of dialogue in the second.
func kite() *timeline.Project {
	p := timeline.New("The Kite")
	for _, title := range []string{"The string", "Into the sky", "Landing"} {
		sh := timeline.NewShot(title)
		sh.Duration = 4 * time.Second
		p.Shots = append(p.Shots, sh)
	}
	p.Shots[0].Transition = timeline.Transition{Kind: timeline.Crossfade, Duration: time.Second}
	p.Shots[1].Lines = []timeline.Line{{Speaker: timeline.Narrator, Text: "Come on, catch the wind!", Start: 500 * time.Millisecond}}
	return p
}

// drawnText is a text on screen and where it is drawn, in the track's
// coordinates.
type drawnText struct {
	text string
	r    rect
}

type rect struct{ x0, y0, x1, y1 float32 }

func (a rect) overlaps(b rect) bool {
	return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1
}

func (a rect) String() string { return fmt.Sprintf("(%.0f,%.0f)-(%.0f,%.0f)", a.x0, a.y0, a.x1, a.y1) }

// drawnTexts walks the rendered tree under o, skipping what is hidden,
// and returns every non-empty text with the box its letters are drawn
// in: a text's letters start at its position (or centred in its width,
// or ending at its right edge, as its alignment says), however narrow
// its size.
func drawnTexts(o fyne.CanvasObject) []drawnText {
	var out []drawnText
	var walk func(o fyne.CanvasObject, at fyne.Position)
	walk = func(o fyne.CanvasObject, at fyne.Position) {
		if !o.Visible() {
			return
		}
		at = at.Add(o.Position())
		switch x := o.(type) {
		case *canvas.Text:
			if x.Text == "" {
				return
			}
			m := fyne.MeasureText(x.Text, x.TextSize, x.TextStyle)
			left := at.X
			switch x.Alignment {
			case fyne.TextAlignCenter:
				left += (x.Size().Width - m.Width) / 2
			case fyne.TextAlignTrailing:
				left += x.Size().Width - m.Width
			}
			out = append(out, drawnText{x.Text, rect{left, at.Y, left + m.Width, at.Y + m.Height}})
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(x).Objects() {
				walk(c, at)
			}
		case *fyne.Container:
			for _, c := range x.Objects {
				walk(c, at)
			}
		}
	}
	walk(o, fyne.NewPos(-o.Position().X, -o.Position().Y))
	return out
}

// noTextOverlaps fails t for every two texts drawn over each other.
func noTextOverlaps(t *testing.T, o fyne.CanvasObject) []drawnText {
	t.Helper()
	texts := drawnTexts(o)
	for i, a := range texts {
		for _, b := range texts[i+1:] {
			if a.r.overlaps(b.r) {
				t.Errorf("%q %v is drawn over %q %v", a.text, a.r, b.text, b.r)
			}
		}
	}
	return texts
}

// TestCrossfadeTextNeverOverlaps: at a crossfade the two shots' cards
// take turns on two rows, so no text on the timeline is drawn over
// another, at any zoom; the transition says what it is between them.
func TestCrossfadeTextNeverOverlaps(t *testing.T) {
	b := newBoard(t, kite())
	for _, zoom := range []float32{defaultZoom, 90, 25} {
		b.strip.setZoom(zoom)
		b.strip.track.Refresh()
		texts := noTextOverlaps(t, b.strip.track)
		found := false
		for _, tx := range texts {
			found = found || tx.text == "✕ 1 s"
		}
		if !found {
			t.Errorf("at %v px/s the crossfade is not labelled on the timeline: %v", zoom, texts)
		}
	}
	// Titles that do not fit are shortened with an ellipsis; hovering
	// over the card shows the whole title.
	b.strip.setZoom(minZoom * 4)
	c := b.cards()[0]
	if got := c.title.Text; got == "The string" || (got != "" && []rune(got)[len([]rune(got))-1] != '…') {
		t.Errorf("a 16-unit-wide card shows the title %q, want it shortened with …", got)
	}
	c.MouseIn(nil)
	if got := b.strip.hint.Text; got != "Shot 1: The string (4 s)" {
		t.Errorf("hovering over shot 1 shows %q", got)
	}
	c.MouseOut()
	if got := b.strip.hint.Text; got != "" {
		t.Errorf("after the pointer left, the hint still says %q", got)
	}
}

// TestDraggedCardShowsThumbnail: a card being dragged is shown as its
// thumbnail, see-through, where the pointer takes it.
func TestDraggedCardShowsThumbnail(t *testing.T) {
	b := newBoard(t, kite())
	c := b.cards()[2]
	b.strip.dragTo(c.id, -60)
	defer b.strip.endDrag()
	var ghost *canvas.Image
	var at fyne.Position
	var walk func(o fyne.CanvasObject, pos fyne.Position)
	walk = func(o fyne.CanvasObject, pos fyne.Position) {
		if !o.Visible() {
			return
		}
		pos = pos.Add(o.Position())
		switch x := o.(type) {
		case *canvas.Image:
			if x.Image == b.card && x.Translucency > 0 {
				ghost, at = x, pos
			}
		case fyne.Widget:
			for _, ch := range test.WidgetRenderer(x).Objects() {
				walk(ch, pos)
			}
		}
	}
	walk(b.strip.track, fyne.Position{})
	if ghost == nil {
		t.Fatal("no see-through thumbnail follows the drag")
	}
	if ghost.Translucency < 0.3 || ghost.Translucency > 0.7 {
		t.Errorf("the dragged thumbnail's translucency is %v, want about half", ghost.Translucency)
	}
	if want := c.Position().X - 60; at.X < want-1 || at.X > want+12 {
		t.Errorf("the dragged thumbnail is at x %v, want near %v (the card moved by the drag)", at.X, want)
	}
}

// TestDialogueLane: under the cards, each line of dialogue is a block at
// its time, labelled with its speaker; once the line is voiced (by
// espeak-ng, as the soundtrack voices it) the block shows its speech's
// waveform.
func TestDialogueLane(t *testing.T) {
	p := kite()
	b := newBoard(t, p)
	blocks := b.strip.track.lineBlocks()
	if len(blocks) != 1 {
		t.Fatalf("the dialogue lane has %d blocks, want 1 for the one line", len(blocks))
	}
	bl := blocks[0]
	sp := b.strip.spans[1]
	wantX := b.strip.frameX(sp.Start + timeline.Frames(500*time.Millisecond, p.FPS))
	if x := bl.Position().X; x < wantX-1 || x > wantX+1 {
		t.Errorf("the line's block is at x %v, want %v (shot 2 starts at %v, the line 0.5 s in)", x, wantX, b.strip.frameX(sp.Start))
	}
	if bl.speaker.Text != "Narrator" {
		t.Errorf("the block is labelled %q, want Narrator", bl.speaker.Text)
	}
	// Blocks sit under the cards.
	for _, c := range b.cards() {
		if bl.Position().Y < c.Position().Y+c.Size().Height {
			t.Errorf("the line's block (y %v) is not under card %d (bottom %v)", bl.Position().Y, c.index+1, c.Position().Y+c.Size().Height)
		}
	}
	b.ui.Until(t, "the line to be voiced", 30*time.Second, func() bool {
		bl = b.strip.track.lineBlocks()[0]
		return len(bl.peaks) > 0
	})
	loud := float32(0)
	for _, v := range bl.peaks {
		loud = max(loud, v)
	}
	if loud < 0.05 || !bl.wave.Visible() {
		t.Errorf("the voiced line's waveform peaks at %v (shown: %v), want speech", loud, bl.wave.Visible())
	}
	// The block is as long as the speech.
	if w, want := bl.Size().Width, b.strip.zoom*float32(bl.speech.Seconds()); w < want-2 || w > want+2 {
		t.Errorf("the block is %v wide, want %v for %v of speech", w, want, bl.speech)
	}
	noTextOverlaps(t, b.strip.track)
}

// TestFitLeavesNoScrollbar: after Fit the whole film is in view, the
// track no wider than the strip's view; every ruler label lies inside
// the ruler.
func TestFitLeavesNoScrollbar(t *testing.T) {
	b := newBoard(t, nil)
	b.win.Resize(fyne.NewSize(1280, 720))
	b.strip.fit()
	if w, view := b.strip.track.MinSize().Width, b.strip.scroll.Size().Width; w > view {
		t.Errorf("after Fit the track is %v wide in a view %v wide: a scroll bar is left", w, view)
	}
	b.strip.track.Refresh()
	ruler := b.strip.track.Size().Width
	n := 0
	for _, tx := range drawnTexts(b.strip.track) {
		if tx.r.y0 < rulerH && tx.r.x0 >= 0 && tx.r.x0 < ruler+100 {
			n++
			if tx.r.x1 > ruler {
				t.Errorf("ruler label %q ends at %v, past the ruler's end %v", tx.text, tx.r.x1, ruler)
			}
		}
	}
	if n < 3 {
		t.Errorf("%d ruler labels, want the film's seconds marked", n)
	}
}

// TestInspectorLeavesRoomForScrollbar: the inspector's fields end before
// its scroll bar begins, however wide the scroll bar grows under the
// pointer.
func TestInspectorLeavesRoomForScrollbar(t *testing.T) {
	b := newBoard(t, nil)
	b.s.Select("window")
	b.ui.Drain()
	// The scroll the inspector's fields are in, in the window.
	var view fyne.CanvasObject
	studiotest.WalkAll(b.win.Content(), func(o fyne.CanvasObject) {
		if sc, ok := o.(*container.Scroll); ok {
			studiotest.WalkAll(sc.Content, func(o fyne.CanvasObject) {
				if o == b.in.title {
					view = sc
				}
			})
		}
	})
	if view == nil {
		t.Fatal("the inspector's fields are in no scroll")
	}
	d := fyne.CurrentApp().Driver()
	right := d.AbsolutePositionForObject(view).X + view.Size().Width - theme.ScrollBarSize()
	for name, o := range map[string]fyne.CanvasObject{"title": b.in.title, "prompt": b.in.prompt, "duration": b.in.duration, "framing": b.in.framing} {
		if end := d.AbsolutePositionForObject(o).X + o.Size().Width; end > right {
			t.Errorf("the %s field ends at %v, under the scroll bar (from %v)", name, end, right)
		}
	}
}

// TestPromptPlaceholderFits: a new shot's empty prompt shows its hint
// whole, without a scroll bar under it, at the inspector's least width.
// The prompt wraps its text itself (softwrap.go), so Fyne's entry does not
// wrap the hint: one long line ran past the field and scrolled.
func TestPromptPlaceholderFits(t *testing.T) {
	b := newBoard(t, nil)
	b.s.AddShot(t.Context())
	b.ui.Drain()
	if got := b.in.prompt.Text; got != "" {
		t.Fatalf("a new shot's prompt is %q, want empty", got)
	}
	d := fyne.CurrentApp().Driver()
	end := d.AbsolutePositionForObject(b.in.prompt).X + b.in.prompt.Size().Width
	var hint []*canvas.Text
	studiotest.WalkAll(b.in.prompt, func(o fyne.CanvasObject) {
		if tx, ok := o.(*canvas.Text); ok && tx.Text != "" && strings.Contains(b.in.prompt.PlaceHolder, strings.TrimSpace(tx.Text)) {
			hint = append(hint, tx)
		}
	})
	if len(hint) == 0 {
		t.Fatal("the empty prompt shows no hint")
	}
	for _, tx := range hint {
		if right := d.AbsolutePositionForObject(tx).X + tx.MinSize().Width; right > end {
			t.Errorf("the hint's line %q ends at %v, past the prompt field's edge at %v", tx.Text, right, end)
		}
	}
}
