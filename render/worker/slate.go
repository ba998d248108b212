package worker

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/timeline"
)

// slateVersion is the version of the "slate" object this package reads.
const slateVersion = 1

// slateRequest is the render request a Slate studio sent, made fit to
// render here: the studio's files replaced by the server's or left out,
// and checked to render the clip the studio expects.
func (w *Worker) slateRequest(job account.RenderJob) (render.Backend, *render.Request, error) {
	// Members and grants are the server's business (consent), not the
	// worker's.
	var s account.SlateRequest
	if err := json.Unmarshal(job.Slate, &s); err != nil {
		return nil, nil, fmt.Errorf("read the studio's shot: %w", err)
	}
	if s.Version != slateVersion {
		return nil, nil, fmt.Errorf("the studio sent its shot in version %d of Slate's format, and this server reads version %d: run the same release of Slate on both", s.Version, slateVersion)
	}
	if job.Model != "" && job.Model != s.Backend {
		return nil, nil, fmt.Errorf("the request names the model %q and its shot the backend %q: they must be the same", job.Model, s.Backend)
	}
	b, err := w.backend(s.Backend)
	if err != nil {
		return nil, nil, err
	}
	if len(s.Request) == 0 {
		return nil, nil, errors.New("the studio sent no shot to render")
	}
	req, err := render.DecodeRequest(s.Request, job.TempDir)
	if err != nil {
		return nil, nil, fmt.Errorf("read the studio's shot: %w", err)
	}
	if err := validate(req); err != nil {
		return nil, nil, fmt.Errorf("the studio's shot: %w", err)
	}
	name := fmt.Sprintf("shot %d", req.Index+1)
	if req.Shot.Title != "" {
		name += fmt.Sprintf(" (%s)", req.Shot.Title)
	}
	// The previous clip is a file on the studio's computer. A backend
	// that starts from its last frame cannot render the shot the studio
	// expects without it; the others never read it.
	req.PrevClip = ""
	if req.Shot.Continue && b.Capabilities().ImageConditioning {
		return nil, nil, fmt.Errorf("%s continues from the previous shot's last frame, which is on your computer, not on this server: render it on your computer, or untick \"Continue from the previous shot\"", name)
	}
	// A cue's sound file is on the studio's computer too: the server
	// renders the shot without it and the studio mixes it in.
	fileCues := false
	for i := range req.Shot.Cues {
		if req.Shot.Cues[i].File != "" {
			req.Shot.Cues[i].File = ""
			fileCues = true
		}
	}
	if err := serverStills(req, job.Still, name); err != nil {
		return nil, nil, err
	}
	// A request with a cue's sound file has a key naming that file, which
	// the server cannot compute; any other is checked, so that a server
	// whose backend, voices or model pack differ from the studio's says so
	// rather than send back a clip the studio would take for its own.
	if s.Key != "" && !fileCues {
		if k := render.Key(b, req); k != s.Key {
			return nil, nil, fmt.Errorf("this server renders with %s version %s, and the clip it would make of %s is not the one your studio expects (the studio's render key %.12s…, the server's %.12s…): run the same release of Slate, with the same voices and model packs, on both, or render the shot on your computer",
				b.Name(), b.Version(), name, s.Key, k)
		}
	}
	return b, req, nil
}

// serverStills replaces the stills of the cast featured in req by the
// server's copies, found by their sha256, and drops the likeness of the
// rest of the cast, which the shot does not show.
func serverStills(req *render.Request, still func(sha256 string) (string, error), shot string) error {
	featured := make(map[string]render.Likeness, len(req.Shot.Cast))
	for id, l := range req.Likeness {
		if !slices.Contains(req.Shot.Cast, id) {
			continue
		}
		featured[id] = l
	}
	ids := make([]string, 0, len(featured))
	for id := range featured {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		l := featured[id]
		who := id
		if i := slices.IndexFunc(req.Cast, func(c timeline.CastRef) bool { return c.ID == id }); i >= 0 {
			who = req.Cast[i].Name
		}
		switch {
		case l.StillSHA256 == "" && l.Still == "":
			continue
		case l.StillSHA256 == "":
			return fmt.Errorf("%s features %s, whose picture the studio sent without naming its contents: render the shot on your computer", shot, who)
		}
		var err error
		if still == nil {
			err = errors.New("the server keeps no pictures")
		} else {
			l.Still, err = still(l.StillSHA256)
		}
		if err != nil {
			return fmt.Errorf("%s features %s, whose picture (sha256 %.12s…) this server does not hold: their media must be on this server before it can render them (its owner's studio sends it when logged in here), or render the shot on your computer: %w", shot, who, l.StillSHA256, err)
		}
		featured[id] = l
	}
	req.Likeness = featured
	return nil
}

// validate checks a studio's request as the studio checks its project:
// the shot, as a project of that one shot with the request's format and
// cast, and its place in the film.
func validate(req *render.Request) error {
	if req.Shot == nil {
		return errors.New("it has no shot")
	}
	if req.Index < 0 || req.Index >= timeline.MaxShots {
		return fmt.Errorf("it is shot number %d; a film has shots 1 to %d", req.Index+1, timeline.MaxShots)
	}
	p := &timeline.Project{ID: req.ProjectID, Title: req.ProjectTitle, Width: req.Format.Width, Height: req.Format.Height, FPS: req.Format.FPS,
		Cast: req.Cast, Shots: []*timeline.Shot{req.Shot}}
	err := p.Validate()
	if te, ok := errors.AsType[*timeline.Error](err); ok && te.Shot > 0 {
		te.Shot = req.Index + 1
	}
	return err
}
