package session_test

import (
	"slices"
	"testing"

	"github.com/slatestudio/slate/timeline"
)

// Selecting a shot, by a click, the keyboard or adding one, brings the
// preview to its first frame; while the preview plays, the playhead stays
// where playback has it.
func TestSelectingMovesThePlayhead(t *testing.T) {
	_, s, h := open(t)
	start := func(id string) int { p := s.Project(); return p.Timing()[p.Index(id)].Start }
	s.Select("letter")
	if got, want := s.Playhead(), start("letter"); got != want || !slices.Equal(h.playhead, []int{want}) {
		t.Fatalf("selecting the letter left the playhead at %d (told %v); want its first frame %d", got, h.playhead, want)
	}
	// Selecting the shot the playhead is in moves it to the shot's start.
	s.SetPlayhead(start("letter") + 5)
	s.Select("letter")
	if got, want := s.Playhead(), start("letter"); got != want {
		t.Errorf("selecting the letter again with the playhead in it: at %d, want %d", got, want)
	}
	// Adding a shot selects it, and the preview shows it.
	s.AddShot(t.Context())
	added := s.Selected()[0]
	if got, want := s.Playhead(), start(added); got != want {
		t.Errorf("after adding a shot the playhead is at %d, want the new shot's first frame %d", got, want)
	}
	s.DuplicateShot(t.Context())
	if got, want := s.Playhead(), start(s.Selected()[0]); got != want || s.Selected()[0] == added {
		t.Errorf("after duplicating, the playhead is at %d, want the copy's first frame %d", got, want)
	}
	// Playing: the selection changes, the playhead does not.
	playing := true
	s.SetPlayer(func() bool { return playing })
	s.SetPlayhead(3)
	told := len(h.playhead)
	s.Select("pier")
	if s.Playhead() != 3 || len(h.playhead) != told {
		t.Errorf("selecting while playing moved the playhead to %d (told %v), want it left at 3", s.Playhead(), h.playhead[told:])
	}
	playing = false
	s.Select("pier")
	if got, want := s.Playhead(), start("pier"); got != want {
		t.Errorf("selecting once stopped: at %d, want %d", got, want)
	}
	// Nothing selected leaves the playhead alone.
	s.SetPlayhead(7)
	s.Select()
	if s.Playhead() != 7 {
		t.Errorf("clearing the selection moved the playhead to %d", s.Playhead())
	}
}

// An edit made in the inspector shows the edited shot: ShowShot moves the
// playhead to it when it is elsewhere, and leaves it when it is inside.
func TestShowShotAfterAnEdit(t *testing.T) {
	_, s, _ := open(t)
	p := s.Project()
	sp := p.Timing()[p.Index("pier")]
	s.Select("pier")
	s.SetPlayhead(0) // the ruler clicked back to shot 1
	if err := s.Edit(t.Context(), timeline.SetShotTitle("pier", "Theo at the end of the pier")); err != nil {
		t.Fatal(err)
	}
	s.ShowShot("pier")
	if got := s.Playhead(); got != sp.Start {
		t.Errorf("after editing the pier with the playhead in shot 1: at %d, want the pier's first frame %d", got, sp.Start)
	}
	s.SetPlayhead(sp.Start + 4)
	s.ShowShot("pier")
	if got := s.Playhead(); got != sp.Start+4 {
		t.Errorf("editing the shot the playhead is in moved it to %d, want it left at %d", got, sp.Start+4)
	}
	s.SetPlayer(func() bool { return true })
	s.SetPlayhead(0)
	s.ShowShot("pier")
	if s.Playhead() != 0 {
		t.Errorf("while playing, ShowShot moved the playhead to %d", s.Playhead())
	}
	s.ShowShot("no such shot") // nothing happens
}

// A new frame rate keeps the playhead at the same moment of the film, so
// the preview stays on the shot it showed: frames are counted anew.
func TestPlayheadKeepsItsTimeAcrossFrameRates(t *testing.T) {
	_, s, _ := open(t)
	s.Select("pier")
	p := s.Project()
	at := p.Timing()[p.Index("pier")].Start + 12 // half a second into the pier, at 24 fps
	s.SetPlayhead(at)
	if err := s.Edit(t.Context(), timeline.SetProjectSettings(p.Title, p.Width, p.Height, 30)); err != nil {
		t.Fatal(err)
	}
	if got, want := s.Playhead(), at*30/24; got != want {
		t.Errorf("at 30 fps the playhead is at frame %d, want %d (the same moment)", got, want)
	}
	s.Undo(t.Context())
	if got := s.Playhead(); got != at {
		t.Errorf("after undo, at 24 fps again, the playhead is at %d, want %d", got, at)
	}
}
