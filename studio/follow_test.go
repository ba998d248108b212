package studio

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/slatestudio/slate/timeline"
)

// previewAt says whether the preview's timecode reads frame.
func (h *harness) previewAt(frame int) bool {
	fps := h.s.Project().FPS
	return strings.Contains(texts(h.s.player.View()), timeline.Timecode(frame, fps)+" / ")
}

// shotStart is the first frame of the shot with this ID.
func (h *harness) shotStart(id string) int {
	p := h.s.Project()
	return p.Timing()[p.Index(id)].Start
}

// TestPreviewFollowsSelection: adding a shot (Ctrl+T) or selecting one
// brings the preview to its first frame; typing into the inspector shows
// the shot being edited even after the ruler moved the playhead elsewhere;
// while the preview plays, selecting leaves the playhead to playback.
func TestPreviewFollowsSelection(t *testing.T) {
	h := newHarness(t, smallDemo(t))
	h.ui.drain()
	h.shortcut(keyAdd) // Ctrl+T, after the first shot
	added := h.s.Project().Shots[1].ID
	if got, want := h.s.session.Playhead(), h.shotStart(added); got != want || !h.previewAt(want) {
		t.Fatalf("after Ctrl+T the playhead is at %d, the preview reads %q; want the new shot's first frame %d",
			got, texts(h.s.player.View()), want)
	}
	h.s.session.Select("pier")
	if want := h.shotStart("pier"); h.s.session.Playhead() != want || !h.previewAt(want) {
		t.Fatalf("selecting the pier: the playhead is at %d, want %d", h.s.session.Playhead(), want)
	}
	// The ruler takes the playhead back to the start; the pier is still
	// in the inspector, and its title is changed there.
	h.s.session.SetPlayhead(0)
	title := textFields(h.s.inspector.View())[0]
	h.win.Canvas().Focus(title)
	test.Type(title, " at night")
	title.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if got := h.s.Project().Shot("pier").Title; !strings.Contains(got, " at night") {
		t.Fatalf("the title typed in the inspector was not applied: %q", got)
	}
	if want := h.shotStart("pier"); h.s.session.Playhead() != want || !h.previewAt(want) {
		t.Errorf("after editing the pier with the playhead in shot 1: the playhead is at %d, the preview reads %q; want %d",
			h.s.session.Playhead(), texts(h.s.player.View()), want)
	}
	// Playing (Space): selecting another shot leaves the playhead alone.
	h.win.Canvas().Unfocus()
	h.typeKey(fyne.KeySpace)
	if !h.s.player.Playing() {
		t.Fatal("Space did not start the preview")
	}
	at := h.s.session.Playhead()
	h.s.session.Select("harbour")
	if h.s.session.Playhead() != at {
		t.Errorf("selecting while playing moved the playhead from %d to %d", at, h.s.session.Playhead())
	}
	h.typeKey(fyne.KeySpace)
}
