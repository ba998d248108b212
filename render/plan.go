package render

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/slatestudio/slate/internal/userfile"
	"github.com/slatestudio/slate/timeline"
)

// CheckFilm checks, before anything is rendered, that the film of p's
// shots (those at the indexes given, in order; nil means all) can be made:
// no longer than timeline.MaxFilmLength and of at most timeline.MaxShots
// shots (see timeline.Project.CheckLength), and every sound cue's file
// there and a regular file — never a named pipe, which ffmpeg would wait on
// forever, or a device. "slate render", the studio's export and its Render
// all call it, so none of them renders shots for a film that could never
// be assembled. Shots are numbered as in p.
func CheckFilm(p *timeline.Project, shots []int) error {
	if shots == nil {
		shots = make([]int, len(p.Shots))
		for i := range shots {
			shots[i] = i
		}
	}
	film := *p
	film.Shots = make([]*timeline.Shot, len(shots))
	for n, i := range shots {
		film.Shots[n] = p.Shots[i]
	}
	if err := film.CheckLength(); err != nil {
		return err
	}
	for _, i := range shots {
		s := p.Shots[i]
		for j, c := range s.Cues {
			if c.File == "" {
				continue
			}
			err := userfile.Check(c.File, "a sound file")
			switch {
			case errors.Is(err, fs.ErrNotExist):
				return fmt.Errorf("shot %d (%s), sound cue %d: %s is not there; put the file back or choose another", i+1, s.Title, j+1, c.File)
			case err != nil:
				return fmt.Errorf("shot %d (%s), sound cue %d: %w", i+1, s.Title, j+1, err)
			}
		}
	}
	return nil
}
