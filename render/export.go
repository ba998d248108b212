package render

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/slatestudio/slate/consent"
	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/timeline"
)

// ExportOptions says which film to make of a project, and where.
type ExportOptions struct {
	// Output is the .mp4 to write; it appears only when the film is done.
	Output string
	// Thumbnail and Sprite are where the film's thumbnail and sprite sheet
	// go. Empty leaves the film without them: they are made among the
	// scratch files and dropped.
	Thumbnail, Sprite string
	// Shots are the indexes of the shots the film is made of, in the
	// project's order; nil means all of them.
	Shots []int
	// Backend renders the shots that name none of their own;
	// DefaultBackend when empty.
	Backend string
	// Likeness is what the library holds of the cast (LikenessOf); nil
	// looks it up (LoadLikeness).
	Likeness map[string]Likeness
	// Consent grants the film's use of other people's cast members; nil
	// refuses any. The queue asks its own for each shot.
	Consent Consent
	// Warn hears what went wrong once the film was written (its use of
	// other people's cast could not be recorded); nil logs it.
	Warn func(error)
}

// FilmProgress hears how an export goes; either may be nil.
type FilmProgress struct {
	// Job hears each change to the render job of a shot: those of the
	// film and those they start from (Plan.Needs).
	Job func(index int, j Job)
	// Assembly hears how far the film's assembly is, from 0, when every
	// shot is rendered, to 1.
	Assembly func(fraction float64)
}

// ShotsError says that some of a film's shots could not be rendered; Err
// names each and why, one a line.
type ShotsError struct{ Err error }

// Error is the shots' errors.
func (e *ShotsError) Error() string { return e.Err.Error() }

// Unwrap gives the shots' errors.
func (e *ShotsError) Unwrap() error { return e.Err }

// FilmExport is a film that can be made and may be: PrepareFilm checked
// it and asked for its grants; Make renders and assembles it. "slate
// render" and the studio's Export film both go this way.
type FilmExport struct {
	q      *Queue
	tools  media.Tools
	p      *timeline.Project // the project, whose shots the plan renders
	film   *timeline.Project // the film: the chosen shots alone
	shots  []int
	opts   ExportOptions
	grants []consent.SignedGrant
}

// PrepareFilm checks, before anything renders, that the film of p's
// chosen shots can be made (the programs are there, CheckFilm) and may be
// (PermitFilm asks for the grants of other people's cast), and looks up
// the cast's likeness when opts has none. Nothing is written.
func (q *Queue) PrepareFilm(ctx context.Context, tools media.Tools, p *timeline.Project, opts ExportOptions) (*FilmExport, error) {
	if err := tools.Check(media.ToolFFmpeg, media.ToolFFprobe); err != nil {
		return nil, err
	}
	shots := opts.Shots
	if shots == nil {
		shots = seq(len(p.Shots))
	}
	if err := checkShots(p, shots); err != nil {
		return nil, err
	}
	if err := CheckFilm(p, shots); err != nil {
		return nil, err
	}
	film := p.Clone()
	film.Shots = nil
	for _, i := range shots {
		film.Shots = append(film.Shots, p.Shots[i].Clone())
	}
	grants, err := PermitFilm(ctx, q.lib, opts.Consent, film)
	if err != nil {
		return nil, err
	}
	if opts.Likeness == nil {
		if opts.Likeness, err = LoadLikeness(ctx, q.lib, p.Cast); err != nil {
			return nil, err
		}
	}
	return &FilmExport{q: q, tools: tools, p: p, film: film, shots: shots, opts: opts, grants: grants}, nil
}

// Make renders the film's shots through the render plan (those rendered
// before come from the cache), assembles the film at Output, records
// its use of other people's cast and keeps a copy to sync (keepCopy). A failure leaves no new file at Output,
// Thumbnail or Sprite; shots that did render are kept. Shots that fail
// to render are reported as a *ShotsError.
func (e *FilmExport) Make(ctx context.Context, progress FilmProgress) (*Film, error) {
	q, opts := e.q, e.opts
	plan := q.Plan(e.p, opts.Backend, opts.Likeness)
	clips, err := q.RenderPlan(ctx, plan, e.shots, progress.Job)
	if err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		return nil, &ShotsError{err}
	}
	assembly := progress.Assembly
	if assembly == nil {
		assembly = func(float64) {}
	}
	assembly(0)
	paths := make([]string, len(clips))
	for i, c := range clips {
		paths[i] = q.lib.Blobs().Path(c.SHA256)
	}
	// Scratch goes to the library's own temporary folder, which a later
	// run clears if this one is killed; only the film's own temporary file
	// is written beside it, to be renamed into place.
	fo := FilmOptions{Output: opts.Output, Thumbnail: opts.Thumbnail, Sprite: opts.Sprite, TempDir: q.lib.TempDir(), Progress: assembly}
	extras := opts.Thumbnail != "" || opts.Sprite != ""
	if !extras {
		tmp, err := os.MkdirTemp(q.lib.TempDir(), "film-")
		if err != nil {
			return nil, fmt.Errorf("export the film: %w", err)
		}
		defer os.RemoveAll(tmp)
		fo.Thumbnail, fo.Sprite = filepath.Join(tmp, "thumbnail.jpg"), filepath.Join(tmp, "sprite.jpg")
	}
	fresh := newFilesOf(fo.Output, fo.Thumbnail, fo.Sprite)
	film, err := Assemble(ctx, e.tools, e.film, paths, fo)
	if err != nil {
		fresh.remove()
		return nil, err
	}
	warn := opts.Warn
	if warn == nil {
		warn = func(err error) { q.log.Error("export a film", "path", film.Path, "err", err) }
	}
	if err := MadeFilm(ctx, opts.Consent, e.grants, e.film, film.Path); err != nil {
		warn(fmt.Errorf("the film is written, but its use of other people's cast was not recorded: %w", err))
	}
	if err := e.keepCopy(ctx, film.Path); err != nil {
		warn(fmt.Errorf("the film is written, but its copy for your other devices was not kept: %w", err))
	}
	if !extras {
		film.Thumbnail, film.Sprite = "", ""
	}
	return film, nil
}

// keepCopy puts a copy of the film of a library project into the blob
// store and records it (library.AddFilm), so that it syncs to the
// account's other devices. A film of a .slate file ("slate render
// FILE.slate") belongs to no project they could open: it is not kept.
func (e *FilmExport) keepCopy(ctx context.Context, path string) error {
	lib := e.q.lib
	infos, err := lib.Projects(ctx)
	if err != nil || !slices.ContainsFunc(infos, func(pi library.ProjectInfo) bool { return pi.ID == e.p.ID }) {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sum, size, err := lib.Blobs().Put(ctx, f)
	if err != nil {
		return err
	}
	return lib.AddFilm(ctx, library.Film{ProjectID: e.p.ID, SHA256: sum, Name: filepath.Base(path), Size: size})
}

// newFiles notes which of paths do not exist yet, so that a failed or
// cancelled assembly can remove whatever of them it left, and an earlier
// film is never deleted.
type newFiles []string

func newFilesOf(paths ...string) newFiles {
	var out newFiles
	for _, p := range paths {
		if _, err := os.Lstat(p); errors.Is(err, os.ErrNotExist) {
			out = append(out, p)
		}
	}
	return out
}

func (f newFiles) remove() {
	for _, p := range f {
		os.Remove(p)
	}
}
