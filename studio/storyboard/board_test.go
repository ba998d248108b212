package storyboard

import (
	"image"
	"image/color"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/slatestudio/slate/internal/clock/clocktest"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/studio/session"
	"github.com/slatestudio/slate/studio/studiotest"
	"github.com/slatestudio/slate/timeline"
)

// board is the storyboard's two views over a session of studiotest's env,
// laid out in a window as the studio lays them out: the strip under the
// player's place, the inspector to their right, the side panels' place to
// the left.
type board struct {
	env   *studiotest.Env
	s     *session.Session
	strip *Strip
	in    *Inspector
	win   fyne.Window
	ui    *studiotest.UI
	clock *clocktest.Clock
	// card is every shot's thumbnail, clip is a rendered shot's.
	card, clip image.Image
}

// newBoard builds the storyboard over p (the demo when nil).
func newBoard(t testing.TB, p *timeline.Project) *board {
	t.Helper()
	return newBoardOn(t, nil, p)
}

// newBoardOn is newBoard on the app a (a new test app when nil).
func newBoardOn(t testing.TB, a fyne.App, p *timeline.Project) *board {
	t.Helper()
	o := studiotest.Options{App: a}
	if p != nil {
		o.Projects = []*timeline.Project{p}
	}
	env := studiotest.New(t, o)
	b := &board{env: env, s: env.Session(), ui: env.UI, clock: env.Clock,
		card: image.NewRGBA(image.Rect(0, 0, 160, 90)), clip: image.NewRGBA(image.Rect(0, 0, 160, 90))}
	b.win = env.App.NewWindow("storyboard")
	anim, err := env.Backends.Open("animatic")
	if err != nil {
		t.Fatal(err)
	}
	d := Deps{
		Voices:  anim.(render.VoicedBackend).Voices(),
		Session: b.s, Window: b.win, Clock: env.Clock,
		Backends: env.Backends.Names(), DefaultBackend: "animatic",
		Thumbnail: func(i int) image.Image {
			if _, ok := b.s.ClipOf(i); ok {
				return b.clip
			}
			return b.card
		},
		RenderSelected: func() { b.s.Render(t.Context(), b.s.SelectedShots()) },
	}
	b.strip = NewStrip(t.Context(), d)
	b.in = NewInspector(t.Context(), d)
	// The player's place and the side panels' take what the studio's
	// do, so the strip and the inspector get the sizes they get there.
	place := func(w, h float32) fyne.CanvasObject {
		r := canvas.NewRectangle(color.Transparent)
		r.SetMinSize(fyne.NewSize(w, h))
		return r
	}
	centre := container.NewVSplit(place(499, 170), b.strip.View())
	centre.SetOffset(0.62)
	right := container.NewHSplit(centre, b.in.View())
	right.SetOffset(0.72)
	all := container.NewHSplit(place(365, 394), right)
	all.SetOffset(0.2)
	b.win.SetContent(all)
	b.win.Resize(fyne.NewSize(1440, 900))
	b.win.Show()
	t.Cleanup(b.win.Close)
	env.Start(b.s)
	return b
}

// cards returns the timeline's card widgets in view, by shot index.
func (b *board) cards() map[int]*card {
	out := map[int]*card{}
	studiotest.WalkAll(b.strip.track, func(o fyne.CanvasObject) {
		if c, ok := o.(*card); ok && c.Visible() {
			out[c.index] = c
		}
	})
	return out
}

// stored reads the project back from the library, as a restart would.
func (b *board) stored() *timeline.Project { return b.env.Stored(b.s.Project().ID) }

func TestStripShowsProject(t *testing.T) {
	b := newBoard(t, nil)
	cards := b.cards()
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
	if got := b.in.title.Text; got != "Harbour at dusk" {
		t.Errorf("inspector shows %q, want the first shot", got)
	}
}

// The studio's Ctrl+T, Ctrl+Z and Ctrl+Shift+Z are the session's AddShot,
// Undo and Redo (studio's TestEditShortcutsAndMenus).
func TestAddTypeChangeUndoRedo(t *testing.T) {
	b := newBoard(t, nil)
	b.s.Select("window")
	b.s.AddShot(t.Context()) // Ctrl+T
	p := b.s.Project()
	if len(p.Shots) != 6 || p.Shots[2].Title != "Shot 6" || !b.s.IsSelected(p.Shots[2].ID) {
		t.Fatalf("after Ctrl+T: %q, selected %v; want a new third shot, selected", studiotest.Titles(p), b.s.Selected())
	}
	id := p.Shots[2].ID

	// Typing a prompt saves it once the typing pauses.
	in := b.in
	test.Type(in.prompt, "Gulls over the harbour wall")
	if got := p.Shot(id).Prompt; got != "" {
		t.Fatalf("prompt saved while still typing: %q", got)
	}
	b.clock.Advance(promptPause)
	b.ui.Drain()
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
	if got, _ := b.s.Document().UndoName(); got != "Change duration" {
		t.Errorf("undo would %q", got)
	}
	b.s.Undo(t.Context()) // Ctrl+Z
	if got := p.Shot(id).Duration; got != 4*time.Second {
		t.Errorf("after undo the duration is %v, want 4s", got)
	}
	if in.duration.Text != "4" {
		t.Errorf("after undo the field shows %q, want 4", in.duration.Text)
	}
	b.s.Redo(t.Context()) // Ctrl+Shift+Z
	if got := p.Shot(id).Duration; got != 6500*time.Millisecond {
		t.Errorf("after redo the duration is %v, want 6.5s", got)
	}
	// All of it is on disk.
	st := b.stored()
	if sh := st.Shot(id); sh == nil || sh.Duration != 6500*time.Millisecond || sh.Prompt != "Gulls over the harbour wall" {
		t.Errorf("stored shot = %+v", sh)
	}
}

func TestReorderByDragging(t *testing.T) {
	b := newBoard(t, nil)
	c := b.cards()[0]
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(c)
	// Drag the first card to just past the third shot's middle.
	t2 := b.strip
	target := t2.frameX((t2.spans[2].Start+t2.spans[2].End)/2) + 10
	test.Drag(b.win.Canvas(), pos.Add(fyne.NewPos(20, 20)), target-c.Position().X, 0)
	want := []string{"Mara at the window", "Theo on the pier", "Harbour at dusk", "The letter", "Lighthouse, night"}
	if got := studiotest.Titles(b.s.Project()); !slices.Equal(got, want) {
		t.Fatalf("after the drag: %q, want %q", got, want)
	}
	if got := studiotest.Titles(b.stored()); !slices.Equal(got, want) {
		t.Errorf("stored order %q, want %q", got, want)
	}
	if name, _ := b.s.Document().UndoName(); name != "Move shot" {
		t.Errorf("undo would %q, want Move shot", name)
	}
}

// The studio's Delete key is the session's DeleteSelected (studio's
// TestBareKeys).
func TestSelectAndDelete(t *testing.T) {
	b := newBoard(t, nil)
	cards := b.cards()
	test.Tap(cards[1])
	cards[3].MouseDown(&desktop.MouseEvent{Modifier: fyne.KeyModifierShortcutDefault})
	test.Tap(cards[3])
	if !slices.Equal(b.s.Selected(), []string{"letter", "window"}) {
		t.Fatalf("after tap and Ctrl+tap: %v", b.s.Selected())
	}
	cards[4].MouseDown(&desktop.MouseEvent{Modifier: fyne.KeyModifierShift})
	test.Tap(cards[4])
	if len(b.s.Selected()) != 2 || b.s.Selected()[0] != "letter" {
		t.Fatalf("after Shift+tap: %v, want letter then night", b.s.Selected())
	}
	// Delete deletes the selection; one undo brings both back.
	b.s.DeleteSelected(t.Context())
	if got := studiotest.Titles(b.s.Project()); !slices.Equal(got, []string{"Harbour at dusk", "Mara at the window", "Theo on the pier"}) {
		t.Fatalf("after Delete: %q", got)
	}
	if len(b.s.Selected()) != 1 {
		t.Errorf("after deleting the selection, selected %v; want one shot", b.s.Selected())
	}
	b.s.Undo(t.Context())
	if n := len(b.s.Project().Shots); n != 5 {
		t.Errorf("after undo %d shots, want 5", n)
	}
}

func TestContextMenuDuplicate(t *testing.T) {
	b := newBoard(t, nil)
	test.TapSecondary(b.cards()[2])
	over := b.win.Canvas().Overlays().Top()
	if over == nil {
		t.Fatal("a secondary tap opened no menu")
	}
	var texts []string
	studiotest.WalkAll(over, func(o fyne.CanvasObject) {
		if tx, ok := o.(*canvas.Text); ok && tx.Text != "" {
			texts = append(texts, tx.Text)
		}
	})
	for _, want := range []string{"Duplicate", "Split at playhead", "Render shot", "Delete shot"} {
		if !slices.Contains(texts, want) {
			t.Errorf("context menu %q lacks %q", texts, want)
		}
	}
	if b.s.Selected()[0] != "pier" {
		t.Errorf("the secondary tap did not select the shot: %v", b.s.Selected())
	}
	b.win.Canvas().Overlays().Remove(over)
	b.s.DuplicateShot(t.Context()) // the menu's Duplicate
	p := b.s.Project()
	if len(p.Shots) != 6 || p.Shots[3].Title != "Theo on the pier" || b.s.Selected()[0] != p.Shots[3].ID {
		t.Errorf("after Duplicate: %q, selected %v", studiotest.Titles(p), b.s.Selected())
	}
	// Split at the playhead, inside a new 4 s shot without dialogue.
	b.s.AddShot(t.Context())
	p = b.s.Project()
	i := p.Index(b.s.Selected()[0])
	b.s.SetPlayhead(p.Timing()[i].Start + 48)
	b.s.SplitAtPlayhead(t.Context())
	if p := b.s.Project(); len(p.Shots) != 8 || p.Shots[i].Duration != 2*time.Second || p.Shots[i+1].Duration != 2*time.Second {
		t.Errorf("after splitting a 4 s shot 2 s in: %d shots, %v + %v", len(p.Shots), p.Shots[i].Duration, p.Shots[i+1].Duration)
	}
}

// A shot rendered (the studio's Ctrl+R, which also shows the queue's
// progress: studio's TestRenderShotProgressAndThumbnail) says so on its
// card, with the rendering's progress on the way, and shows the clip's
// thumbnail.
func TestCardShowsRender(t *testing.T) {
	b := newBoard(t, studiotest.SmallDemo(t))
	b.s.Select("pier")
	b.strip.d.RenderSelected()
	var seen []string
	b.ui.Until(t, "shot 3's card to say rendered", 60*time.Second, func() bool {
		c := b.cards()[2]
		if len(seen) == 0 || seen[len(seen)-1] != c.status.Text {
			seen = append(seen, c.status.Text)
		}
		return c.status.Text == "rendered"
	})
	if c := b.cards()[2]; c.thumb.Image != b.clip {
		t.Error("the rendered shot's card does not show its clip's thumbnail")
	}
	if c := b.cards()[1]; c.status.Text != "animatic" || c.thumb.Image != b.card {
		t.Errorf("a shot not rendered says %q", c.status.Text)
	}
	t.Logf("shot 3's card said %q", seen)
}

// TestInspectorFeaturesFromTheCast: a recorded member not yet in the
// project can be featured from the inspector.
func TestInspectorFeaturesFromTheCast(t *testing.T) {
	b := newBoard(t, nil)
	m := studiotest.AddMember(t, b.env.Library, "Bo Pike")
	b.s.ReloadCast(t.Context())
	b.ui.Until(t, "the cast to list Bo", 10*time.Second, func() bool { return len(b.s.Cast()) == 1 })
	b.s.Select("letter")
	found := false
	studiotest.WalkAll(b.in.root, func(o fyne.CanvasObject) {
		if w, ok := o.(*widget.Select); ok && w.PlaceHolder == "Feature someone from the cast…" && !found {
			found = true
			w.SetSelected("Bo Pike (@bo_pike)")
		}
	})
	if !found {
		t.Fatal("the inspector offers no way to feature a recorded member")
	}
	if p := b.s.Project(); !slices.Contains(p.Shot("letter").Cast, m.ID) {
		t.Errorf("shot 4 features %v after picking Bo Pike", p.Shot("letter").Cast)
	}
}

// The card of a shot being rendered says how far it has got.
func TestStatusOfJob(t *testing.T) {
	b := newBoard(t, studiotest.SmallDemo(t))
	key := b.s.KeyOf(1)
	for _, c := range []struct {
		job  render.Job
		want string
	}{
		{render.Job{ShotID: "window", Key: key, Status: render.Queued}, "queued"},
		{render.Job{ShotID: "window", Key: key, Status: render.InProgress, Progress: 42}, "rendering 42%"},
		{render.Job{ShotID: "window", Key: key, Status: render.Failed}, "failed"},
		{render.Job{ShotID: "window", Key: "an older key", Status: render.Failed}, "animatic"},
	} {
		b.strip.jobChanged(c.job)
		if got, _, _ := b.strip.statusOf(1); got != c.want {
			t.Errorf("statusOf with a job %s (%d%%) = %q, want %q", c.job.Status, c.job.Progress, got, c.want)
		}
	}
}
