package studio

import (
	"context"

	"github.com/slatestudio/slate/timeline"
)

// voiceDirs are where the character editor finds Piper voices: the
// Models window's folders, so it offers what that window lists.
func (d Deps) voiceDirs() []string {
	if d.Models == nil {
		return nil
	}
	return d.Models.VoiceDirs
}

// newCharacter is Cast ▸ New character…: the Cast tab, where the
// character will be listed, and the character editor over it.
func (s *Studio) newCharacter(ctx context.Context) {
	s.side.SelectIndex(2)
	doc := s.session
	s.castView.NewCharacter(ctx, func(c timeline.CastRef) error { return doc.Edit(ctx, timeline.AddCharacter(c)) })
}
