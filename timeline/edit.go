package timeline

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// Change says what an edit changed, so the library writes only that.
type Change struct {
	// Project is true when the title, format or cast changed.
	Project bool
	// Saved lists shots whose content is new or changed.
	Saved []string
	// Placed lists shots that are new or moved, and so need a new place in
	// the stored order.
	Placed []string
	// Removed lists shots that are gone.
	Removed []string
}

// Empty reports whether nothing changed.
func (c Change) Empty() bool {
	return !c.Project && len(c.Saved) == 0 && len(c.Placed) == 0 && len(c.Removed) == 0
}

// Command is one undoable edit. Commands are made by the functions of this
// package (AddShot, SetPrompt, …) and applied by an Editor.
type Command interface {
	// Name is what the edit is called in an Undo menu: "Add shot".
	Name() string
	run(t *tx) error
}

type command struct {
	name string
	fn   func(t *tx) error
}

func (c command) Name() string                      { return c.name }
func (c command) run(t *tx) error                   { return c.fn(t) }
func cmd(name string, fn func(t *tx) error) Command { return command{name, fn} }

// ErrNothingToUndo and ErrNothingToRedo are returned when the history is
// empty in that direction.
var (
	ErrNothingToUndo = errors.New("nothing to undo")
	ErrNothingToRedo = errors.New("nothing to redo")
)

// HistoryLimit is how many edits an Editor can undo.
const HistoryLimit = 1000

// Editor applies commands to a project and keeps their undo history. It is
// not safe for concurrent use: the studio applies edits on one goroutine.
type Editor struct {
	p          *Project
	undo, redo []step
	// last undoes the most recent Do, Undo or Redo for Rollback.
	last *lastStep
}

type step struct {
	name string
	ops  []op // applied in order, they reverse the edit
}

type lastStep struct {
	ops        []op
	undo, redo []step
}

// NewEditor returns an editor for p with an empty history.
func NewEditor(p *Project) *Editor { return &Editor{p: p} }

// Project returns the project being edited.
func (e *Editor) Project() *Project { return e.p }

// Do validates and applies c. An invalid edit changes nothing and returns an
// error wrapping ErrInvalid that says why.
func (e *Editor) Do(c Command) (Change, error) {
	inv, ch, err := apply(e.p, grows(e.p, c.run))
	if err != nil {
		return Change{}, err
	}
	e.last = &lastStep{ops: inv, undo: e.undo, redo: e.redo}
	e.undo = append(slices.Clip(e.undo), step{c.Name(), inv})
	if len(e.undo) > HistoryLimit {
		e.undo = slices.Delete(e.undo, 0, len(e.undo)-HistoryLimit)
	}
	e.redo = nil
	return ch, nil
}

// Undo reverses the most recent edit.
func (e *Editor) Undo() (Change, error) {
	if len(e.undo) == 0 {
		return Change{}, ErrNothingToUndo
	}
	s := e.undo[len(e.undo)-1]
	inv, ch, err := apply(e.p, replay(s.ops))
	if err != nil {
		return Change{}, fmt.Errorf("undo %s: %w", s.name, err)
	}
	e.last = &lastStep{ops: inv, undo: e.undo, redo: e.redo}
	e.undo = e.undo[:len(e.undo)-1]
	e.redo = append(slices.Clip(e.redo), step{s.name, inv})
	return ch, nil
}

// Redo applies again the most recently undone edit.
func (e *Editor) Redo() (Change, error) {
	if len(e.redo) == 0 {
		return Change{}, ErrNothingToRedo
	}
	s := e.redo[len(e.redo)-1]
	inv, ch, err := apply(e.p, replay(s.ops))
	if err != nil {
		return Change{}, fmt.Errorf("redo %s: %w", s.name, err)
	}
	e.last = &lastStep{ops: inv, undo: e.undo, redo: e.redo}
	e.redo = e.redo[:len(e.redo)-1]
	e.undo = append(slices.Clip(e.undo), step{s.name, inv})
	return ch, nil
}

// Rollback reverses the most recent Do, Undo or Redo and restores the
// history to what it was before it. The library calls it when an edit could
// not be saved, so what the person sees never runs ahead of what is stored.
func (e *Editor) Rollback() (Change, error) {
	if e.last == nil {
		return Change{}, errors.New("nothing to roll back")
	}
	l := e.last
	_, ch, err := apply(e.p, replay(l.ops))
	if err != nil {
		return Change{}, fmt.Errorf("roll back: %w", err)
	}
	e.undo, e.redo, e.last = l.undo, l.redo, nil
	return ch, nil
}

// UndoName returns the name of the edit Undo would reverse.
func (e *Editor) UndoName() (string, bool) {
	if len(e.undo) == 0 {
		return "", false
	}
	return e.undo[len(e.undo)-1].name, true
}

// RedoName returns the name of the edit Redo would apply.
func (e *Editor) RedoName() (string, bool) {
	if len(e.redo) == 0 {
		return "", false
	}
	return e.redo[len(e.redo)-1].name, true
}

func replay(ops []op) func(t *tx) error {
	return func(t *tx) error {
		for _, o := range ops {
			t.do(o)
		}
		return nil
	}
}

// grows wraps an edit so that it is refused when it would make p a film
// that cannot be made (see Project.CheckLength) or more so. Undo, redo and
// rollback only return to what p was, and a project stored before the
// limits may be over them, so an edit that takes it towards them is
// allowed.
func grows(p *Project, fn func(t *tx) error) func(t *tx) error {
	return func(t *tx) error {
		length, shots := p.Length(), len(p.Shots)
		if err := fn(t); err != nil {
			return err
		}
		if err := p.CheckLength(); err != nil && (p.Length() > length || len(p.Shots) > shots) {
			return err
		}
		return nil
	}
}

// apply runs fn against p inside a transaction: if fn fails, or the result
// does not validate, every change is reversed and p is as it was.
func apply(p *Project, fn func(t *tx) error) ([]op, Change, error) {
	t := &tx{p: p, touched: map[string]bool{}}
	err := fn(t)
	if err == nil {
		err = t.validate()
	}
	if err != nil {
		t.rollback()
		return nil, Change{}, err
	}
	inv := slices.Clone(t.undo)
	slices.Reverse(inv)
	return inv, t.change(), nil
}

type opKind int

const (
	opInsert opKind = iota
	opRemove
	opReplace
	opMove
	opMeta
)

// op is one primitive change; every op has an exact inverse op.
type op struct {
	kind opKind
	at   int
	id   string
	shot *Shot
	meta meta
}

// meta is everything about a project that is not its shots.
type meta struct {
	title         string
	width, height int
	fps           int
	cast          []CastRef
}

func (p *Project) meta() meta {
	return meta{p.Title, p.Width, p.Height, p.FPS, slices.Clone(p.Cast)}
}

// tx records the ops an edit applies so it can be reversed, and which shots
// it touched so only they and their neighbours are validated.
type tx struct {
	p        *Project
	undo     []op
	touched  map[string]bool // shot IDs to validate, with neighbours
	order    []string        // touched IDs in first-touch order, for a stable Change
	placed   map[string]bool
	saved    map[string]bool
	metaDone bool
}

func (t *tx) touch(id string, saved, placed bool) {
	if !t.touched[id] {
		t.touched[id] = true
		t.order = append(t.order, id)
	}
	if t.saved == nil {
		t.saved, t.placed = map[string]bool{}, map[string]bool{}
	}
	if saved {
		t.saved[id] = true
	}
	if placed {
		t.placed[id] = true
	}
}

// do applies one op and records its inverse.
func (t *tx) do(o op) {
	p := t.p
	switch o.kind {
	case opInsert:
		p.Shots = slices.Insert(p.Shots, o.at, o.shot)
		t.undo = append(t.undo, op{kind: opRemove, id: o.shot.ID})
		t.touch(o.shot.ID, true, true)
	case opRemove:
		i := p.Index(o.id)
		old := p.Shots[i]
		p.Shots = slices.Delete(p.Shots, i, i+1)
		t.undo = append(t.undo, op{kind: opInsert, at: i, shot: old})
		t.touch(o.id, false, false)
		// The shots on either side are now joined and must be checked.
		if i > 0 {
			t.touch(p.Shots[i-1].ID, false, false)
		}
		if i < len(p.Shots) {
			t.touch(p.Shots[i].ID, false, false)
		}
	case opReplace:
		i := p.Index(o.id)
		old := p.Shots[i]
		p.Shots[i] = o.shot
		t.undo = append(t.undo, op{kind: opReplace, id: o.id, shot: old})
		t.touch(o.id, true, false)
	case opMove:
		from := p.Index(o.id)
		s := p.Shots[from]
		if from > 0 {
			t.touch(p.Shots[from-1].ID, false, false)
		}
		if from+1 < len(p.Shots) {
			t.touch(p.Shots[from+1].ID, false, false)
		}
		p.Shots = slices.Delete(p.Shots, from, from+1)
		p.Shots = slices.Insert(p.Shots, o.at, s)
		t.undo = append(t.undo, op{kind: opMove, id: o.id, at: from})
		t.touch(o.id, false, true)
	case opMeta:
		old := p.meta()
		p.Title, p.Width, p.Height, p.FPS, p.Cast = o.meta.title, o.meta.width, o.meta.height, o.meta.fps, slices.Clone(o.meta.cast)
		t.undo = append(t.undo, op{kind: opMeta, meta: old})
		t.metaDone = true
	}
}

func (t *tx) rollback() {
	for i := len(t.undo) - 1; i >= 0; i-- {
		u := t.undo[i]
		t.undo = t.undo[:i]
		n := len(t.undo)
		t.do(u)
		t.undo = t.undo[:n]
	}
}

func (t *tx) insert(at int, s *Shot) { t.do(op{kind: opInsert, at: at, shot: s}) }
func (t *tx) remove(id string)       { t.do(op{kind: opRemove, id: id}) }
func (t *tx) replace(s *Shot)        { t.do(op{kind: opReplace, id: s.ID, shot: s}) }
func (t *tx) move(id string, to int) { t.do(op{kind: opMove, id: id, at: to}) }
func (t *tx) setMeta(m meta)         { t.do(op{kind: opMeta, meta: m}) }

// fitAfter shortens the transition out of the shot with the given ID when a
// structural edit (add, delete, move) has made it too long for the shots it
// now joins; below MinTransition it becomes a cut. Field edits are refused
// instead, but a person deleting a shot expects the neighbours to close up.
func (t *tx) fitAfter(id string) {
	p := t.p
	j := p.Index(id)
	if j < 0 || j+1 >= len(p.Shots) {
		return
	}
	a, b := p.Shots[j], p.Shots[j+1]
	over := a.Transition.Overlap()
	if over == 0 {
		return
	}
	in := time.Duration(0)
	if j > 0 {
		in = p.Shots[j-1].Transition.Overlap()
	}
	nextOut := time.Duration(0)
	if j+2 < len(p.Shots) {
		nextOut = b.Transition.Overlap()
	}
	allowed := min(a.Duration-in, b.Duration-nextOut)
	if over <= allowed {
		return
	}
	c := a.Clone()
	if allowed < MinTransition {
		c.Transition = Transition{Kind: Cut}
	} else {
		c.Transition.Duration = allowed
	}
	t.replace(c)
}

func (t *tx) validate() error {
	p := t.p
	if t.metaDone {
		return p.Validate()
	}
	// The edited shots first, so the message speaks of what was edited;
	// then their neighbours, whose transitions the edit may have broken.
	var first, second []int
	seen := map[int]bool{}
	for _, id := range t.order {
		if i := p.Index(id); i >= 0 && !seen[i] {
			seen[i] = true
			first = append(first, i)
		}
	}
	for _, i := range first {
		for _, j := range []int{i - 1, i + 1} {
			if j >= 0 && j < len(p.Shots) && !seen[j] {
				seen[j] = true
				second = append(second, j)
			}
		}
	}
	for _, i := range append(first, second...) {
		if err := p.validateShot(i); err != nil {
			return err
		}
	}
	return nil
}

// change reports what the transaction changed in the project's final state:
// a shot that was removed and put back is saved, not removed.
func (t *tx) change() Change {
	ch := Change{Project: t.metaDone}
	for _, id := range t.order {
		if t.p.Index(id) < 0 {
			ch.Removed = append(ch.Removed, id)
			continue
		}
		if t.saved[id] {
			ch.Saved = append(ch.Saved, id)
		}
		if t.placed[id] {
			ch.Placed = append(ch.Placed, id)
		}
	}
	return ch
}

func (t *tx) find(id string) (int, *Shot, error) {
	i := t.p.Index(id)
	if i < 0 {
		return -1, nil, fmt.Errorf("no shot with id %q: %w", id, ErrInvalid)
	}
	return i, t.p.Shots[i], nil
}

// AddShot inserts s at position at (0 is first; an out-of-range position
// appends). A shot without an ID is given one.
func AddShot(at int, s *Shot) Command {
	return cmd("Add shot", func(t *tx) error {
		if s == nil {
			return fmt.Errorf("add shot: no shot: %w", ErrInvalid)
		}
		s := s.Clone()
		if s.ID == "" {
			s.ID = NewID()
		}
		if t.p.Index(s.ID) >= 0 {
			return fmt.Errorf("add shot: the id %q is already used: %w", s.ID, ErrInvalid)
		}
		if at < 0 || at > len(t.p.Shots) {
			at = len(t.p.Shots)
		}
		t.insert(at, s)
		if at > 0 {
			t.fitAfter(t.p.Shots[at-1].ID)
		}
		t.fitAfter(s.ID)
		return nil
	})
}

// DeleteShots removes the shots with the given IDs; the neighbours of each
// close up, with transitions shortened where they no longer fit.
func DeleteShots(ids ...string) Command {
	name := "Delete shot"
	if len(ids) > 1 {
		name = fmt.Sprintf("Delete %d shots", len(ids))
	}
	return cmd(name, func(t *tx) error {
		if len(ids) == 0 {
			return fmt.Errorf("delete: no shots chosen: %w", ErrInvalid)
		}
		var before []string
		gone := map[string]bool{}
		for _, id := range ids {
			i, _, err := t.find(id)
			if err != nil {
				return err
			}
			if i > 0 {
				before = append(before, t.p.Shots[i-1].ID)
			}
			gone[id] = true
			t.remove(id)
		}
		for _, id := range before {
			if !gone[id] {
				t.fitAfter(id)
			}
		}
		return nil
	})
}

// MoveShot moves a shot so that it ends up at position to.
func MoveShot(id string, to int) Command {
	return cmd("Move shot", func(t *tx) error {
		from, _, err := t.find(id)
		if err != nil {
			return err
		}
		to = max(0, min(to, len(t.p.Shots)-1))
		if to == from {
			return nil
		}
		var prevOld string
		if from > 0 {
			prevOld = t.p.Shots[from-1].ID
		}
		t.move(id, to)
		if prevOld != "" {
			t.fitAfter(prevOld)
		}
		if to > 0 {
			t.fitAfter(t.p.Shots[to-1].ID)
		}
		t.fitAfter(id)
		return nil
	})
}

// DuplicateShot inserts a copy of a shot, with a new ID, right after it.
func DuplicateShot(id string) Command {
	return cmd("Duplicate shot", func(t *tx) error {
		i, s, err := t.find(id)
		if err != nil {
			return err
		}
		c := s.Clone()
		c.ID = NewID()
		t.insert(i+1, c)
		t.fitAfter(s.ID)
		t.fitAfter(c.ID)
		return nil
	})
}

// SplitShot cuts a shot in two at offset at within it. Dialogue goes with
// the part it starts in; sound cues are cut in two; the second part
// continues from the first and keeps the original transition.
func SplitShot(id string, at time.Duration) Command {
	return cmd("Split shot", func(t *tx) error {
		i, s, err := t.find(id)
		if err != nil {
			return err
		}
		if at < MinShotDuration || s.Duration-at < MinShotDuration {
			return shotErr(i, "duration_ms", "splitting at %s would leave a part shorter than %s; split between %s and %s",
				Seconds(at), Seconds(MinShotDuration), Seconds(MinShotDuration), Seconds(s.Duration-MinShotDuration))
		}
		a, b := s.Clone(), s.Clone()
		b.ID = NewID()
		b.Continue = true
		a.Transition = Transition{Kind: Cut}
		a.Lines, a.Cues = window(s, 0, at)
		b.Lines, b.Cues = window(s, at, s.Duration)
		a.Duration, b.Duration = at, s.Duration-at
		t.replace(a)
		t.insert(i+1, b)
		return nil
	})
}

// TrimShot removes head from the start of a shot and tail from its end.
// Dialogue must not start in a trimmed part; sound cues are cut to fit.
func TrimShot(id string, head, tail time.Duration) Command {
	return cmd("Trim shot", func(t *tx) error {
		i, s, err := t.find(id)
		if err != nil {
			return err
		}
		if head < 0 || tail < 0 {
			return shotErr(i, "duration_ms", "a trim cannot be negative")
		}
		end := s.Duration - tail
		if end-head < MinShotDuration {
			return shotErr(i, "duration_ms", "trimming %s would leave %s; a shot lasts at least %s", Seconds(head+tail), Seconds(end-head), Seconds(MinShotDuration))
		}
		for j, l := range s.Lines {
			if l.Start < head || l.Start >= end {
				return shotErr(i, fmt.Sprintf("dialogue[%d].start_ms", j), "line %d starts at %s, inside the part being trimmed; move or delete it first", j+1, Seconds(l.Start))
			}
		}
		c := s.Clone()
		c.Lines, c.Cues = window(s, head, end)
		c.Duration = end - head
		t.replace(c)
		return nil
	})
}

// window returns the lines starting in [from, to) and the cues overlapping
// it, shifted so that from becomes 0 and cut to fit.
func window(s *Shot, from, to time.Duration) ([]Line, []Cue) {
	var lines []Line
	for _, l := range s.Lines {
		if l.Start >= from && l.Start < to {
			l.Start -= from
			lines = append(lines, l)
		}
	}
	var cues []Cue
	for _, c := range s.Cues {
		start, end := max(c.Start, from), min(c.Start+c.Duration, to)
		if end <= start {
			continue
		}
		c.Offset += start - c.Start
		c.Start, c.Duration = start-from, end-start
		cues = append(cues, c)
	}
	return lines, cues
}

// EditShot changes a shot with fn, which gets a copy to modify. The result
// is validated in place, with its neighbours; name is what Undo shows.
func EditShot(id, name string, fn func(s *Shot) error) Command {
	return cmd(name, func(t *tx) error {
		i, s, err := t.find(id)
		if err != nil {
			return err
		}
		c := s.Clone()
		if err := fn(c); err != nil {
			var ve *Error
			if errors.As(err, &ve) && ve.Shot == 0 {
				ve.Shot = i + 1
			}
			return err
		}
		c.ID = s.ID
		t.replace(c)
		return nil
	})
}

// SetShotTitle sets a shot's title.
func SetShotTitle(id, title string) Command {
	return EditShot(id, "Rename shot", func(s *Shot) error { s.Title = title; return nil })
}

// SetPrompt sets a shot's prompt.
func SetPrompt(id, prompt string) Command {
	return EditShot(id, "Edit prompt", func(s *Shot) error { s.Prompt = prompt; return nil })
}

// SetDuration sets a shot's duration.
func SetDuration(id string, d time.Duration) Command {
	return EditShot(id, "Change duration", func(s *Shot) error { s.Duration = d; return nil })
}

// SetCamera sets a shot's framing and camera move.
func SetCamera(id string, c Camera) Command {
	return EditShot(id, "Change camera", func(s *Shot) error { s.Camera = c; return nil })
}

// SetTransition sets the transition from a shot to the next.
func SetTransition(id string, tr Transition) Command {
	return EditShot(id, "Change transition", func(s *Shot) error {
		if tr.Kind == Cut {
			tr.Duration = 0
		}
		s.Transition = tr
		return nil
	})
}

// SetSeed sets a shot's seed.
func SetSeed(id string, seed int64) Command {
	return EditShot(id, "Change seed", func(s *Shot) error { s.Seed = seed; return nil })
}

// SetFeatured sets which cast members a shot features.
func SetFeatured(id string, cast []string) Command {
	return EditShot(id, "Change featured cast", func(s *Shot) error { s.Cast = slices.Clone(cast); return nil })
}

// SetContinue sets whether a shot continues from the previous one.
func SetContinue(id string, on bool) Command {
	return EditShot(id, "Change continuity", func(s *Shot) error { s.Continue = on; return nil })
}

// SetBackend sets a shot's render backend override; empty uses the default.
func SetBackend(id, backend string) Command {
	return EditShot(id, "Change backend", func(s *Shot) error { s.Backend = backend; return nil })
}

func lineErr(j, n int, verb string) error {
	return &Error{Field: fmt.Sprintf("dialogue[%d]", j), Msg: fmt.Sprintf("cannot %s line %d: the shot has %d lines", verb, j+1, n)}
}

// AddLine inserts a dialogue line at position at in a shot (out of range
// appends).
func AddLine(id string, at int, l Line) Command {
	return EditShot(id, "Add line", func(s *Shot) error {
		if at < 0 || at > len(s.Lines) {
			at = len(s.Lines)
		}
		s.Lines = slices.Insert(s.Lines, at, l)
		return nil
	})
}

// SetLine replaces dialogue line j of a shot.
func SetLine(id string, j int, l Line) Command {
	return EditShot(id, "Edit line", func(s *Shot) error {
		if j < 0 || j >= len(s.Lines) {
			return lineErr(j, len(s.Lines), "edit")
		}
		s.Lines[j] = l
		return nil
	})
}

// RemoveLine deletes dialogue line j of a shot.
func RemoveLine(id string, j int) Command {
	return EditShot(id, "Delete line", func(s *Shot) error {
		if j < 0 || j >= len(s.Lines) {
			return lineErr(j, len(s.Lines), "delete")
		}
		s.Lines = slices.Delete(s.Lines, j, j+1)
		return nil
	})
}

// MoveLine moves dialogue line from to position to within a shot.
func MoveLine(id string, from, to int) Command {
	return EditShot(id, "Move line", func(s *Shot) error {
		if from < 0 || from >= len(s.Lines) || to < 0 || to >= len(s.Lines) {
			return lineErr(from, len(s.Lines), "move")
		}
		l := s.Lines[from]
		s.Lines = slices.Insert(slices.Delete(s.Lines, from, from+1), to, l)
		return nil
	})
}

func cueErr(j, n int, verb string) error {
	return &Error{Field: fmt.Sprintf("cues[%d]", j), Msg: fmt.Sprintf("cannot %s sound cue %d: the shot has %d cues", verb, j+1, n)}
}

// AddCue inserts a sound cue at position at in a shot (out of range appends).
func AddCue(id string, at int, c Cue) Command {
	return EditShot(id, "Add sound cue", func(s *Shot) error {
		if at < 0 || at > len(s.Cues) {
			at = len(s.Cues)
		}
		s.Cues = slices.Insert(s.Cues, at, c)
		return nil
	})
}

// SetCue replaces sound cue j of a shot.
func SetCue(id string, j int, c Cue) Command {
	return EditShot(id, "Edit sound cue", func(s *Shot) error {
		if j < 0 || j >= len(s.Cues) {
			return cueErr(j, len(s.Cues), "edit")
		}
		s.Cues[j] = c
		return nil
	})
}

// RemoveCue deletes sound cue j of a shot.
func RemoveCue(id string, j int) Command {
	return EditShot(id, "Delete sound cue", func(s *Shot) error {
		if j < 0 || j >= len(s.Cues) {
			return cueErr(j, len(s.Cues), "delete")
		}
		s.Cues = slices.Delete(s.Cues, j, j+1)
		return nil
	})
}

// MoveCue moves sound cue from to position to within a shot.
func MoveCue(id string, from, to int) Command {
	return EditShot(id, "Move sound cue", func(s *Shot) error {
		if from < 0 || from >= len(s.Cues) || to < 0 || to >= len(s.Cues) {
			return cueErr(from, len(s.Cues), "move")
		}
		c := s.Cues[from]
		s.Cues = slices.Insert(slices.Delete(s.Cues, from, from+1), to, c)
		return nil
	})
}

func editMeta(name string, fn func(m *meta) error) Command {
	return cmd(name, func(t *tx) error {
		m := t.p.meta()
		if err := fn(&m); err != nil {
			return err
		}
		t.setMeta(m)
		return nil
	})
}

// SetTitle sets the project's title.
func SetTitle(title string) Command {
	return editMeta("Rename project", func(m *meta) error { m.title = title; return nil })
}

// SetFormat sets the project's frame size and rate.
func SetFormat(width, height, fps int) Command {
	return editMeta("Change format", func(m *meta) error {
		m.width, m.height, m.fps = width, height, fps
		return nil
	})
}

// AddCast adds a cast member to the project.
func AddCast(c CastRef) Command {
	return editMeta("Add cast member", func(m *meta) error {
		m.cast = append(m.cast, c)
		return nil
	})
}

// SetCast replaces the cast member with c's ID.
func SetCast(c CastRef) Command {
	return editMeta("Edit cast member", func(m *meta) error {
		i := slices.IndexFunc(m.cast, func(x CastRef) bool { return x.ID == c.ID })
		if i < 0 {
			return projectErr("cast", "no cast member with id %q", c.ID)
		}
		m.cast[i] = c
		return nil
	})
}

// castUses lists the 1-based numbers of the shots that feature a cast
// member or give them lines.
func (p *Project) castUses(id string) []int {
	var uses []int
	for i, s := range p.Shots {
		used := slices.Contains(s.Cast, id)
		for _, l := range s.Lines {
			used = used || l.Speaker == id
		}
		if used {
			uses = append(uses, i+1)
		}
	}
	return uses
}

// RemoveCast removes a cast member that no shot features or gives lines to.
func RemoveCast(id string) Command {
	return cmd("Remove cast member", func(t *tx) error {
		m := t.p.meta()
		i := slices.IndexFunc(m.cast, func(x CastRef) bool { return x.ID == id })
		if i < 0 {
			return projectErr("cast", "no cast member with id %q", id)
		}
		if uses := t.p.castUses(id); len(uses) > 0 {
			return projectErr("cast", "%s appears in shot %s; take them out of those shots first", t.p.SpeakerName(id), joinInts(uses))
		}
		m.cast = slices.Delete(m.cast, i, i+1)
		t.setMeta(m)
		return nil
	})
}

func joinInts(xs []int) string {
	s := ""
	for i, x := range xs {
		if i > 0 {
			s += ", "
		}
		if i == 5 {
			return s + fmt.Sprintf("and %d more", len(xs)-5)
		}
		s += fmt.Sprint(x)
	}
	return s
}

// FeatureCast features a cast member in the given shots, adding them to
// the project's cast first when they are not in it yet: one edit, so one
// undo takes it all back.
func FeatureCast(c CastRef, shotIDs ...string) Command {
	return cmd("Feature "+c.Name, func(t *tx) error {
		if _, ok := t.p.CastMember(c.ID); !ok {
			m := t.p.meta()
			m.cast = append(m.cast, c)
			t.setMeta(m)
		}
		for _, id := range shotIDs {
			_, s, err := t.find(id)
			if err != nil {
				return err
			}
			if slices.Contains(s.Cast, c.ID) {
				continue
			}
			n := s.Clone()
			n.Cast = append(n.Cast, c.ID)
			t.replace(n)
		}
		return nil
	})
}
