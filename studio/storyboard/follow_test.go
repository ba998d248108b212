package storyboard

import (
	"testing"

	"fyne.io/fyne/v2/test"
)

// Clicking a card brings the preview to the shot's first frame: the
// playhead line on the timeline moves there.
func TestClickMovesPlayhead(t *testing.T) {
	b := newBoard(t, nil)
	p := b.s.Project()
	test.Tap(b.cards()[3])
	if got, want := b.s.Playhead(), p.Timing()[3].Start; got != want {
		t.Fatalf("after clicking shot 4 the playhead is at %d, want its first frame %d", got, want)
	}
	test.Tap(b.cards()[1])
	if got, want := b.s.Playhead(), p.Timing()[1].Start; got != want {
		t.Errorf("after clicking shot 2 the playhead is at %d, want its first frame %d", got, want)
	}
}
