package studio

import (
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/timeline"
)

// TestWindowShowsProject: the window is titled by the project, whose
// first shot is selected (the storyboard's tests check what its views
// show).
func TestWindowShowsProject(t *testing.T) {
	h := newHarness(t, nil)
	if got, want := h.win.Title(), "Last Light — Slate"; got != want {
		t.Errorf("window title = %q, want %q", got, want)
	}
	if got := h.s.session.Primary(); got == nil || got.Title != "Harbour at dusk" {
		t.Errorf("the first shot is not selected: %v", got)
	}
}

// TestEditShortcutsAndMenus: Ctrl+T adds a shot after the selected one
// and selects it; the Edit menu says what Undo and Redo would do, and
// Ctrl+Z and Ctrl+Shift+Z do it (the storyboard's tests edit through the
// session these call).
func TestEditShortcutsAndMenus(t *testing.T) {
	h := newHarness(t, nil)
	h.s.session.Select("window")
	h.shortcut(keyAdd) // Ctrl+T
	p := h.s.Project()
	if len(p.Shots) != 6 || p.Shots[2].Title != "Shot 6" || !h.s.session.IsSelected(p.Shots[2].ID) {
		t.Fatalf("after Ctrl+T: %q, selected %v; want a new third shot, selected", titles(p), h.s.session.Selected())
	}
	id := p.Shots[2].ID
	if err := h.s.session.Edit(t.Context(), timeline.SetDuration(id, 6500*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	if got := h.menuItem(t, "Undo").Label; got != "Undo Change duration" {
		t.Errorf("undo menu says %q", got)
	}
	h.shortcut(keyUndo)
	if got := p.Shot(id).Duration; got != 4*time.Second {
		t.Errorf("after undo the duration is %v, want 4s", got)
	}
	if got := h.menuItem(t, "Redo").Label; got != "Redo Change duration" {
		t.Errorf("redo menu says %q", got)
	}
	h.shortcut(keyRedo)
	if got := p.Shot(id).Duration; got != 6500*time.Millisecond {
		t.Errorf("after redo the duration is %v, want 6.5s", got)
	}
	if sh := h.stored(t).Shot(id); sh == nil || sh.Duration != 6500*time.Millisecond {
		t.Errorf("stored shot = %+v", sh)
	}
	// With two shots selected the menus say so.
	h.s.session.Select("window", "pier")
	if got := h.menuItem(t, "Delete").Label; got != "Delete 2 shots" {
		t.Errorf("the delete menu says %q with two shots selected", got)
	}
	if got := h.menuItem(t, "Render").Label; got != "Render 2 shots" {
		t.Errorf("the render menu says %q with two shots selected", got)
	}
}

// TestBareKeys: with no text field focused, Delete (and Backspace) delete
// the selected shots, and Space, J, K, L and the arrows drive the player
// (its tests check what each does).
func TestBareKeys(t *testing.T) {
	h := newHarness(t, smallDemo(t))
	h.ui.drain()
	h.s.session.SetPlayhead(10)
	h.typeKey(fyne.KeyRight)
	if got := h.s.session.Playhead(); got != 11 {
		t.Errorf("Right from 10: playhead %d, want 11", got)
	}
	h.typeKey(fyne.KeyLeft)
	h.typeKey(fyne.KeyLeft)
	if got := h.s.session.Playhead(); got != 9 {
		t.Errorf("Left twice from 11: playhead %d, want 9", got)
	}
	h.typeKey(fyne.KeySpace)
	h.clock.Advance(time.Second)
	h.typeKey(fyne.KeyK)
	if got := h.s.session.Playhead(); got != 9+24 {
		t.Errorf("Space, a second, then K: playhead %d, want %d", got, 9+24)
	}
	h.typeKey(fyne.KeyL)
	h.typeKey(fyne.KeyL)
	h.clock.Advance(time.Second / 2)
	h.typeKey(fyne.KeySpace)
	if got := h.s.session.Playhead(); got != 33+24 {
		t.Errorf("L L, half a second, then Space: playhead %d, want %d (twice as fast)", got, 33+24)
	}
	h.typeKey(fyne.KeyJ)
	h.clock.Advance(time.Second / 2)
	h.typeKey(fyne.KeyK)
	if got := h.s.session.Playhead(); got != 57-12 {
		t.Errorf("J, half a second, then K: playhead %d, want %d (backwards)", got, 57-12)
	}

	h.s.session.Select("letter", "window")
	h.typeKey(fyne.KeyDelete)
	if got := titles(h.s.Project()); !slices.Equal(got, []string{"Harbour at dusk", "Theo on the pier", "Lighthouse, night"}) {
		t.Fatalf("after Delete: %q", got)
	}
	h.s.session.Select("pier")
	h.typeKey(fyne.KeyBackspace)
	if got := titles(h.s.Project()); !slices.Equal(got, []string{"Harbour at dusk", "Lighthouse, night"}) {
		t.Errorf("after Backspace: %q", got)
	}
}

func TestRenderShotProgressAndThumbnail(t *testing.T) {
	h := newHarness(t, smallDemo(t))
	h.s.session.Select("pier")
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
	// The card's thumbnail is the clip's first frame (the storyboard's
	// tests check that the card says rendered and shows it).
	h.ui.until(t, "the clip's thumbnail", 30*time.Second, func() bool {
		_, rendered := h.s.session.ClipOf(2)
		return rendered && h.s.thumbs.get(t.Context(), 2) != nil && h.s.thumbs.has("clip:")
	})
}

func TestCancelJob(t *testing.T) {
	p := smallDemo(t)
	p.Shots[4].Duration = 60 * time.Second
	h := newHarness(t, p)
	h.s.session.Select("night")
	h.s.renderSelected(t.Context())
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
	if _, ok := h.s.session.ClipOf(4); ok {
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
	prompt := textFields(h.s.inspector.View())[1] // after the title
	h.win.Canvas().Focus(prompt)
	test.Type(prompt, "Gulls. ")
	h.shortcut(keyQuit)
	if !h.s.done.Load() {
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
	h.s.session.OnUI(func() { ran = true })
	h.ui.drain()
	if ran {
		t.Error("a report reached the UI after the studio quit")
	}
}

// textFields are the text fields in o, in the order they are laid out.
func textFields(o fyne.CanvasObject) []fyne.Focusable {
	var out []fyne.Focusable
	walkAll(o, func(o fyne.CanvasObject) {
		if e, ok := o.(interface {
			fyne.Focusable
			SetPlaceHolder(string)
		}); ok {
			out = append(out, e)
		}
	})
	return out
}

// TestCloseWindowLater: the studio's other windows (the recording wizard,
// the consent dashboard) are hidden at once and closed closeDelay later,
// after what tidies up after them has run (see Studio.closeWindow).
func TestCloseWindowLater(t *testing.T) {
	h := newHarness(t, smallDemo(t))
	w := h.env.App.NewWindow("another")
	w.Show()
	tidied, closed := false, false
	w.SetOnClosed(func() { closed = true })
	h.s.closeWindow(w, func() { tidied = true })
	if !tidied || closed {
		t.Fatalf("at once: tidied %v, closed %v; want tidied, not closed", tidied, closed)
	}
	h.clock.Advance(closeDelay - time.Millisecond)
	h.ui.drain()
	if closed {
		t.Fatalf("the window was closed before %v", closeDelay)
	}
	h.clock.Advance(time.Millisecond)
	h.ui.drain()
	if !closed {
		t.Errorf("the window was not closed %v after", closeDelay)
	}
}

// The queue panel says when a shot renders again because its cached
// clip was damaged.
func TestJobTextSaysDamaged(t *testing.T) {
	j := render.Job{Status: render.Queued, Note: "the cached clip of shot 4 was damaged; rendering it again"}
	if got := jobText(j, time.Now()); got != "the cached clip of shot 4 was damaged; rendering it again" {
		t.Errorf("jobText(queued with a note) = %q", got)
	}
	j.Status, j.Progress = render.InProgress, 42
	if got := jobText(j, time.Now()); !strings.HasPrefix(got, "rendering 42 %") || !strings.HasSuffix(got, "the cached clip of shot 4 was damaged; rendering it again") {
		t.Errorf("jobText(rendering with a note) = %q", got)
	}
	j.Status = render.Completed
	if got := jobText(j, time.Now()); got != "done" {
		t.Errorf("jobText(done) = %q", got)
	}
}
