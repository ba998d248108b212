package session

// The preview follows the person: a shot selected (by a click, the
// keyboard, adding or duplicating one) or edited is the shot they want to
// see, so the playhead goes to it, unless the preview is playing, when
// playback keeps the playhead.

// SetPlayer tells the session how to know whether the preview is playing
// (the player's Playing); until it is called, it never is.
func (s *Session) SetPlayer(playing func() bool) { s.playing = playing }

// isPlaying reports whether the preview is playing.
func (s *Session) isPlaying() bool { return s.playing != nil && s.playing() }

// followSelection moves the playhead to the first frame of the shot the
// inspector shows, unless the preview is playing.
func (s *Session) followSelection() {
	if len(s.selected) == 0 || s.isPlaying() {
		return
	}
	p := s.Project()
	if i := p.Index(s.selected[0]); i >= 0 {
		s.SetPlayhead(p.Timing()[i].Start)
	}
}

// ShowShot brings the preview to the shot with this ID when the playhead
// is outside it (and the preview is not playing): the inspector calls it
// after an edit, so that what was changed is what the preview shows.
func (s *Session) ShowShot(id string) {
	if s.isPlaying() {
		return
	}
	p := s.Project()
	i := p.Index(id)
	if i < 0 {
		return
	}
	if sp := p.Timing()[i]; s.playhead < sp.Start || s.playhead >= sp.End {
		s.SetPlayhead(sp.Start)
	}
}

// keepMoment is the playhead counted at fps, the project's frame rate now:
// a change of rate (Project settings, or undoing it) keeps it at the same
// moment of the film rather than the same frame number.
func (s *Session) keepMoment(fps int) int {
	at := s.playhead
	if s.fps > 0 && fps > 0 && fps != s.fps {
		at = (at*fps + s.fps/2) / s.fps
	}
	s.fps = fps
	return at
}
