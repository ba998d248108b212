package render

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"sync"

	"github.com/slatestudio/slate/internal/userfile"
	"github.com/slatestudio/slate/timeline"
)

// CheckFilm checks, before anything is rendered, that the film of p's
// shots (those at the indexes given, in order; nil means all) can be made:
// no longer than timeline.MaxFilmLength and of at most timeline.MaxShots
// shots (see timeline.Project.CheckLength), and every sound cue's file
// there and a regular file — never a named pipe, which ffmpeg would wait on
// forever, or a device. The film export (PrepareFilm) and the studio's
// Render all call it, so none of them renders shots for a film that could
// never be assembled. Shots are numbered as in p.
func CheckFilm(p *timeline.Project, shots []int) error {
	if shots == nil {
		shots = seq(len(p.Shots))
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

// DefaultBackend renders the shots that name no backend, when the plan
// names none either.
const DefaultBackend = "animatic"

// PlanOptions says how a project's shots are rendered.
type PlanOptions struct {
	// Backend renders the shots that name none of their own;
	// DefaultBackend when empty.
	Backend string
	// Likeness is what the library holds of the cast (LoadLikeness,
	// LikenessOf), given to every shot's request.
	Likeness map[string]Likeness
	// TempDir is given to every request: where backends write.
	TempDir string
	// Pictures is where a character's reference picture is, by its
	// sha256: the library's Blobs().Path. Nil leaves the pictures out of
	// the requests (they are in the keys all the same).
	Pictures func(sum string) string
}

// Plan is how the shots of a project are rendered: each shot's request,
// the backend it renders on (its own, else the plan's) and the key its clip
// is cached under. "slate render", the studio's Render shot and its export
// all work from one, so a clip rendered by one is found by the others.
//
// A shot that continues from the previous one (Shot.Continue), on a
// backend that can start from an image (Capabilities.ImageConditioning),
// starts from the previous shot's last frame: its key holds the previous
// shot's (Request.PrevKey), and rendering it needs that shot's clip first
// (After, Needs), whichever shots were chosen.
//
// A plan works shots out as they are asked for and keeps them: make a new
// one when the project, the cast or the backends change. It is safe for
// concurrent use.
type Plan struct {
	p    *timeline.Project
	reg  *Registry
	opts PlanOptions

	mu    sync.Mutex
	shots []*plannedShot // by index; nil until asked for
}

// plannedShot is one shot of a plan, worked out.
type plannedShot struct {
	req     *Request
	backend string
	key     string
	err     error // why the shot cannot render: its backend does not open
	after   bool  // it starts from the previous shot's clip
}

// NewPlan plans the rendering of p's shots on backends from reg. The plan
// reads p as it works shots out: give it a project nobody changes (a
// Clone), or make a new plan after each change.
func NewPlan(p *timeline.Project, reg *Registry, opts PlanOptions) *Plan {
	opts.Backend = cmp.Or(opts.Backend, DefaultBackend)
	opts.Likeness = CastLikeness(p.Cast, opts.Likeness, opts.Pictures)
	return &Plan{p: p, reg: reg, opts: opts, shots: make([]*plannedShot, len(p.Shots))}
}

// Project is the project planned.
func (pl *Plan) Project() *timeline.Project { return pl.p }

// Backend is the name of the backend shot i renders on.
func (pl *Plan) Backend(i int) string { return pl.shot(i).backend }

// Request is shot i's render request, with the cast's likeness and, for a
// shot that starts from the previous one, the previous shot's key. It is
// the caller's copy: the queue sets its PrevClip.
func (pl *Plan) Request(i int) *Request {
	r := *pl.shot(i).req
	return &r
}

// Key is the key shot i's clip is cached under; it fails when the shot's
// backend, or that of the shot it starts from, cannot be opened.
func (pl *Plan) Key(i int) (string, error) {
	s := pl.shot(i)
	return s.key, s.err
}

// After reports whether shot i starts from the clip of shot i-1, which is
// then rendered first.
func (pl *Plan) After(i int) bool { return pl.shot(i).after }

// Needs lists the shots to render for the chosen ones (nil: every shot),
// in order: those chosen, and the shots before them that they start from.
// Indexes the project does not have are left out.
func (pl *Plan) Needs(shots []int) []int {
	if shots == nil {
		return seq(len(pl.p.Shots))
	}
	need := map[int]bool{}
	for _, i := range shots {
		if pl.check([]int{i}) != nil {
			continue
		}
		for need[i] = true; i > 0 && pl.After(i); i-- {
			need[i-1] = true
		}
	}
	out := make([]int, 0, len(need))
	for i := range need {
		out = append(out, i)
	}
	slices.Sort(out)
	return out
}

// check reports a shot index the plan's project does not have.
func (pl *Plan) check(shots []int) error { return checkShots(pl.p, shots) }

// checkShots reports a shot index p does not have.
func checkShots(p *timeline.Project, shots []int) error {
	for _, i := range shots {
		if i < 0 || i >= len(p.Shots) {
			return fmt.Errorf("render: the project has no shot %d", i+1)
		}
	}
	return nil
}

// shot works shot i out, with the shots before it that its key depends
// on, and returns it.
func (pl *Plan) shot(i int) *plannedShot {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	if s := pl.shots[i]; s != nil {
		return s
	}
	// The first shot of the run of continuing shots that ends at i and is
	// not worked out yet: each of them may need the key before it.
	first := i
	for first > 0 && pl.shots[first-1] == nil && pl.p.Shots[first].Continue {
		first--
	}
	for k := first; k <= i; k++ {
		pl.shots[k] = pl.work(k)
	}
	return pl.shots[i]
}

// work works shot k out; the shot before it is worked out already when k
// continues from it. Called with pl.mu held.
func (pl *Plan) work(k int) *plannedShot {
	sh := pl.p.Shots[k]
	req := NewRequest(pl.p, k, pl.opts.TempDir)
	req.Likeness = pl.opts.Likeness
	s := &plannedShot{req: req, backend: cmp.Or(sh.Backend, pl.opts.Backend)}
	b, err := pl.reg.Open(s.backend)
	if err != nil {
		s.err = err
		return s
	}
	if sh.Continue && k > 0 && b.Capabilities().ImageConditioning {
		s.after = true
		prev := pl.shots[k-1]
		if prev.err != nil {
			s.err = fmt.Errorf("it starts from shot %d, which cannot render: %w", k, prev.err)
			return s
		}
		req.PrevKey = prev.key
	}
	s.key = Key(b, req)
	return s
}

// seq is 0, 1, …, n-1.
func seq(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}
