package storyboard

import (
	"context"
	"slices"

	"github.com/slatestudio/slate/timeline"
)

// newCharacterItem is the speaker list's last entry, which makes a
// character and gives it the line.
const newCharacterItem = "New character…"

// speakerChoices are a line's speaker list: the narrator, the project's
// cast (recorded members and characters) and, when the studio can make
// one, New character…; ids holds each entry's speaker ID ("" for New
// character…).
func speakerChoices(p *timeline.Project, canAdd bool) (ids, names []string) {
	ids, names = []string{timeline.Narrator}, []string{"Narrator"}
	for _, c := range p.Cast {
		ids = append(ids, c.ID)
		names = append(names, c.Name)
	}
	if canAdd {
		ids = append(ids, "")
		names = append(names, newCharacterItem)
	}
	return ids, names
}

// newSpeaker opens the character editor for line j of a shot; the
// character saved becomes the line's speaker in the same edit, so one
// undo takes both back. Until then the list shows the line's speaker.
func (i *Inspector) newSpeaker(ctx context.Context, r *lineRow, shotID string, j int) {
	if sh := i.s.Project().Shot(shotID); sh != nil && j < len(sh.Lines) {
		if k := slices.Index(r.ids, sh.Lines[j].Speaker); k >= 0 {
			i.filling = true
			r.speaker.SetSelectedIndex(k)
			i.filling = false
		}
	}
	s := i.s
	i.d.NewCharacter(func(c timeline.CastRef) error {
		return s.Edit(ctx, timeline.AddSpeaker(c, shotID, j))
	})
}
