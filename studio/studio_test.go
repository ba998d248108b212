package studio

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"

	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/timeline"
)

// walkAll visits every object under o, widgets' rendered children included.
func walkAll(o fyne.CanvasObject, visit func(fyne.CanvasObject)) {
	visit(o)
	switch x := o.(type) {
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			walkAll(c, visit)
		}
	case *fyne.Container:
		for _, c := range x.Objects {
			walkAll(c, visit)
		}
	}
}

// cards returns the timeline's card widgets in view, by shot index.
func (h *harness) cards() map[int]*card {
	out := map[int]*card{}
	walkAll(h.s.timeline.track, func(o fyne.CanvasObject) {
		if c, ok := o.(*card); ok && c.Visible() {
			out[c.index] = c
		}
	})
	return out
}

// menuItem finds a main-menu item by its label's start.
func (h *harness) menuItem(t *testing.T, label string) *fyne.MenuItem {
	t.Helper()
	for _, m := range h.win.MainMenu().Items {
		for _, it := range m.Items {
			if strings.HasPrefix(it.Label, label) {
				return it
			}
		}
	}
	t.Fatalf("no menu item %q", label)
	return nil
}

// shortcut sends a keyboard shortcut to the window.
func (h *harness) shortcut(s fyne.Shortcut) {
	h.win.Canvas().(fyne.Shortcutable).TypedShortcut(s)
}

// stored reads the project back from the library, as a restart would.
func (h *harness) stored(t *testing.T) *timeline.Project {
	t.Helper()
	d, err := h.lib.OpenProject(context.Background(), h.s.Project().ID)
	if err != nil {
		t.Fatal(err)
	}
	return d.Project()
}

func TestWindowShowsProject(t *testing.T) {
	h := newHarness(t, nil)
	if got, want := h.win.Title(), "Last Light — Slate"; got != want {
		t.Errorf("window title = %q, want %q", got, want)
	}
	cards := h.cards()
	if len(cards) != 5 {
		t.Fatalf("%d cards in view, want the demo's 5", len(cards))
	}
	for i, want := range []string{"Harbour at dusk", "Mara at the window", "Theo on the pier", "The letter", "Lighthouse, night"} {
		if got := cards[i].title.Text; !strings.HasPrefix(want, strings.TrimSuffix(got, "…")) {
			t.Errorf("card %d shows %q, want %q", i+1, got, want)
		}
	}
	// Cards are as wide as their shots are long, and overlap by the 1 s
	// crossfade between the first two.
	c0, c1 := cards[0], cards[1]
	if w0, w2 := c0.Size().Width, cards[2].Size().Width; w0 <= w2 {
		t.Errorf("the 5 s card (%v) is not wider than the 4 s card (%v)", w0, w2)
	}
	if overlap := c0.Position().X + c0.Size().Width - c1.Position().X; overlap < 0.9*defaultZoom || overlap > 1.1*defaultZoom {
		t.Errorf("cards 1 and 2 overlap by %v units, want the crossfade's %v", overlap, float32(defaultZoom))
	}
	if got := h.s.inspector.title.Text; got != "Harbour at dusk" {
		t.Errorf("inspector shows %q, want the first shot", got)
	}
}

func TestAddTypeChangeUndoRedo(t *testing.T) {
	h := newHarness(t, nil)
	h.s.selectShots("window")
	h.shortcut(keyAdd) // Ctrl+T
	p := h.s.Project()
	if len(p.Shots) != 6 || p.Shots[2].Title != "Shot 6" || !h.s.isSelected(p.Shots[2].ID) {
		t.Fatalf("after Ctrl+T: %q, selected %v; want a new third shot, selected", titles(p), h.s.selected)
	}
	id := p.Shots[2].ID

	// Typing a prompt saves it once the typing pauses.
	in := h.s.inspector
	test.Type(in.prompt, "Gulls over the harbour wall")
	if got := p.Shot(id).Prompt; got != "" {
		t.Fatalf("prompt saved while still typing: %q", got)
	}
	h.clock.Advance(promptPause)
	h.ui.drain()
	if got := p.Shot(id).Prompt; got != "Gulls over the harbour wall" {
		t.Fatalf("prompt after the pause = %q", got)
	}
	if got := in.promptCount.Text; got != "27 / 32000" {
		t.Errorf("prompt count = %q, want 27 / 32000", got)
	}

	// A duration typed and entered.
	in.duration.SetText("6.5")
	in.duration.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if got := p.Shot(id).Duration; got != 6500*time.Millisecond {
		t.Fatalf("duration = %v, want 6.5s", got)
	}
	// An invalid one is refused beside the field, and changes nothing.
	in.duration.SetText("0.2")
	in.duration.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if got := p.Shot(id).Duration; got != 6500*time.Millisecond {
		t.Errorf("an invalid duration changed it to %v", got)
	}
	if l := in.errs["duration_ms"]; l == nil || !l.Visible() || !strings.Contains(l.Text, "0.5 s to 60 s") {
		t.Errorf("no message beside the duration field (label %v)", l)
	}
	if in.duration.Text != "0.2" {
		t.Errorf("the refused value was not left in the field for fixing: %q", in.duration.Text)
	}

	// Undo and redo, with the menu saying what they do.
	if got := h.menuItem(t, "Undo").Label; got != "Undo Change duration" {
		t.Errorf("undo menu says %q", got)
	}
	h.shortcut(keyUndo)
	if got := p.Shot(id).Duration; got != 4*time.Second {
		t.Errorf("after undo the duration is %v, want 4s", got)
	}
	if in.duration.Text != "4" {
		t.Errorf("after undo the field shows %q, want 4", in.duration.Text)
	}
	h.shortcut(keyRedo)
	if got := p.Shot(id).Duration; got != 6500*time.Millisecond {
		t.Errorf("after redo the duration is %v, want 6.5s", got)
	}
	// All of it is on disk.
	st := h.stored(t)
	if sh := st.Shot(id); sh == nil || sh.Duration != 6500*time.Millisecond || sh.Prompt != "Gulls over the harbour wall" {
		t.Errorf("stored shot = %+v", sh)
	}
}

func TestReorderByDragging(t *testing.T) {
	h := newHarness(t, nil)
	c := h.cards()[0]
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(c)
	// Drag the first card to just past the third shot's middle.
	t2 := h.s.timeline
	target := t2.frameX((t2.spans[2].Start+t2.spans[2].End)/2) + 10
	test.Drag(h.win.Canvas(), pos.Add(fyne.NewPos(20, 20)), target-c.Position().X, 0)
	want := []string{"Mara at the window", "Theo on the pier", "Harbour at dusk", "The letter", "Lighthouse, night"}
	if got := titles(h.s.Project()); !slices.Equal(got, want) {
		t.Fatalf("after the drag: %q, want %q", got, want)
	}
	if got := titles(h.stored(t)); !slices.Equal(got, want) {
		t.Errorf("stored order %q, want %q", got, want)
	}
	if name, _ := h.s.doc.UndoName(); name != "Move shot" {
		t.Errorf("undo would %q, want Move shot", name)
	}
}

func TestSelectAndDelete(t *testing.T) {
	h := newHarness(t, nil)
	cards := h.cards()
	test.Tap(cards[1])
	cards[3].MouseDown(&desktop.MouseEvent{Modifier: fyne.KeyModifierShortcutDefault})
	test.Tap(cards[3])
	if !slices.Equal(h.s.selected, []string{"letter", "window"}) {
		t.Fatalf("after tap and Ctrl+tap: %v", h.s.selected)
	}
	cards[4].MouseDown(&desktop.MouseEvent{Modifier: fyne.KeyModifierShift})
	test.Tap(cards[4])
	if len(h.s.selected) != 2 || h.s.selected[0] != "letter" {
		t.Fatalf("after Shift+tap: %v, want letter then night", h.s.selected)
	}
	// Delete deletes the selection; one undo brings both back.
	h.win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyDelete})
	if got := titles(h.s.Project()); !slices.Equal(got, []string{"Harbour at dusk", "Mara at the window", "Theo on the pier"}) {
		t.Fatalf("after Delete: %q", got)
	}
	if len(h.s.selected) != 1 {
		t.Errorf("after deleting the selection, selected %v; want one shot", h.s.selected)
	}
	h.s.undo()
	if n := len(h.s.Project().Shots); n != 5 {
		t.Errorf("after undo %d shots, want 5", n)
	}
}

func TestContextMenuDuplicate(t *testing.T) {
	h := newHarness(t, nil)
	test.TapSecondary(h.cards()[2])
	over := h.win.Canvas().Overlays().Top()
	if over == nil {
		t.Fatal("a secondary tap opened no menu")
	}
	var texts []string
	walkAll(over, func(o fyne.CanvasObject) {
		if tx, ok := o.(*canvas.Text); ok && tx.Text != "" {
			texts = append(texts, tx.Text)
		}
	})
	for _, want := range []string{"Duplicate", "Split at playhead", "Render shot", "Delete shot"} {
		if !slices.Contains(texts, want) {
			t.Errorf("context menu %q lacks %q", texts, want)
		}
	}
	if h.s.selected[0] != "pier" {
		t.Errorf("the secondary tap did not select the shot: %v", h.s.selected)
	}
	h.win.Canvas().Overlays().Remove(over)
	h.s.duplicateShot() // the menu's Duplicate
	p := h.s.Project()
	if len(p.Shots) != 6 || p.Shots[3].Title != "Theo on the pier" || h.s.selected[0] != p.Shots[3].ID {
		t.Errorf("after Duplicate: %q, selected %v", titles(p), h.s.selected)
	}
	// Split at the playhead, inside a new 4 s shot without dialogue.
	h.s.addShot()
	p = h.s.Project()
	i := p.Index(h.s.selected[0])
	h.s.setPlayhead(p.Timing()[i].Start + 48)
	h.s.splitAtPlayhead()
	if p := h.s.Project(); len(p.Shots) != 8 || p.Shots[i].Duration != 2*time.Second || p.Shots[i+1].Duration != 2*time.Second {
		t.Errorf("after splitting a 4 s shot 2 s in: %d shots, %v + %v", len(p.Shots), p.Shots[i].Duration, p.Shots[i+1].Duration)
	}
}

func TestRenderShotProgressAndThumbnail(t *testing.T) {
	h := newHarness(t, smallDemo(t))
	h.s.selectShots("pier")
	h.shortcut(keyRender) // Ctrl+R
	var seen []int
	h.ui.until(t, "shot 3's job to complete", 60*time.Second, func() bool {
		for _, j := range h.s.queue.jobs {
			if j.ShotID == "pier" {
				if len(seen) == 0 || seen[len(seen)-1] != j.Progress {
					seen = append(seen, j.Progress)
				}
				return j.Status == render.Completed
			}
		}
		return false
	})
	if seen[len(seen)-1] != 100 || len(seen) < 3 || !slices.IsSorted(seen) {
		t.Errorf("the job's progress went %v; want it to rise to 100", seen)
	}
	row := h.jobRow(t, "pier")
	if row.bar.Value != 1 || !row.open.Visible() || row.cancel.Visible() {
		t.Errorf("finished row: bar %v, open shown %v, cancel shown %v", row.bar.Value, row.open.Visible(), row.cancel.Visible())
	}
	if h.s.queue.overall.Value != 0 || !strings.HasPrefix(h.s.queue.summary.Text, "Nothing rendering") {
		t.Errorf("overall %v %q once the queue is idle", h.s.queue.overall.Value, h.s.queue.summary.Text)
	}
	// The card says rendered, and its thumbnail is the clip's first frame.
	h.ui.until(t, "the clip's thumbnail", 30*time.Second, func() bool {
		c := h.cards()[2]
		return c.status.Text == "rendered" && c.thumb.Image != nil && h.s.thumbs.has("clip:")
	})
}

func TestCancelJob(t *testing.T) {
	p := smallDemo(t)
	p.Shots[4].Duration = 60 * time.Second
	h := newHarness(t, p)
	h.s.selectShots("night")
	h.s.renderSelected()
	h.ui.until(t, "the long shot to start rendering", 30*time.Second, func() bool {
		for _, j := range h.s.queue.jobs {
			if j.ShotID == "night" && j.Status == render.InProgress && j.Progress > 0 {
				return true
			}
		}
		return false
	})
	row := h.jobRow(t, "night")
	test.Tap(row.cancel)
	start := time.Now()
	h.ui.until(t, "the job to be cancelled", 10*time.Second, func() bool {
		r := h.jobRow(t, "night")
		return r.job.Status == render.Cancelled
	})
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("cancel took %v", took)
	}
	r := h.jobRow(t, "night")
	if !r.retry.Visible() || r.cancel.Visible() || !strings.Contains(r.state.Text, "cancelled") {
		t.Errorf("cancelled row: retry %v, cancel %v, %q", r.retry.Visible(), r.cancel.Visible(), r.state.Text)
	}
	if _, ok := h.s.clipOf(4); ok {
		t.Error("a cancelled render left a clip")
	}
}

// jobRow finds the queue panel's row for a shot's latest job.
func (h *harness) jobRow(t *testing.T, shotID string) *jobRow {
	t.Helper()
	h.s.queue.list.Refresh()
	var found *jobRow
	walkAll(h.s.queue.list, func(o fyne.CanvasObject) {
		if r, ok := o.(*jobRow); ok && r.job.ShotID == shotID && found == nil {
			found = r
		}
	})
	if found == nil {
		t.Fatalf("no queue row for shot %s", shotID)
	}
	return found
}

// has reports whether a thumbnail whose key starts with prefix is made.
func (th *thumbnails) has(prefix string) bool {
	th.mu.Lock()
	defer th.mu.Unlock()
	for k := range th.done {
		if strings.HasPrefix(k, prefix) {
			return true
		}
	}
	return false
}

// TestQuit: File ▸ Quit and Ctrl+Q quit the studio: its work stops and
// no window is closed. Fyne's driver panicked when the pointer moved over
// a window closed while its event loop still ran (see Quit), as quitting
// with fyne.App.Quit did; and there was no Ctrl+Q.
func TestQuit(t *testing.T) {
	h := newHarness(t, smallDemo(t))
	quit := h.menuItem(t, "Quit")
	if !quit.IsQuit || quit.Shortcut == nil || quit.Shortcut.ShortcutName() != keyQuit.ShortcutName() {
		t.Errorf("File ▸ Quit: IsQuit %v, shortcut %v; want the studio's own, on Ctrl+Q", quit.IsQuit, quit.Shortcut)
	}
	closed := false
	h.win.SetOnClosed(func() { closed = true })
	// Typing in the prompt, no pause yet: quitting saves it all the same.
	in := h.s.inspector
	h.win.Canvas().Focus(in.prompt)
	test.Type(in.prompt, "Gulls. ")
	h.shortcut(keyQuit)
	if h.s.ctx.Err() == nil {
		t.Fatal("Ctrl+Q did not quit the studio")
	}
	if closed {
		t.Error("quitting closed the main window; it must leave that to the driver")
	}
	if got := h.stored(t).Shots[0].Prompt; !strings.HasPrefix(got, "Gulls. ") {
		t.Errorf("the prompt typed just before quitting was not saved: %q", got)
	}
	// Late reports from background work are dropped.
	ran := false
	h.s.onUI(func() { ran = true })
	h.ui.drain()
	if ran {
		t.Error("a report reached the UI after the studio quit")
	}
}
