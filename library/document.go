package library

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/slatestudio/slate/timeline"
)

// Document is a project open for editing. Every edit is validated, applied
// and saved before Do returns: if it cannot be saved it is undone in memory
// too, so what the person sees never runs ahead of what is on disk. Only
// the rows an edit changed are written.
//
// A Document is not safe for concurrent use; the studio edits on one
// goroutine and hands renderers a Clone of the project.
type Document struct {
	lib *Library
	ed  *timeline.Editor
	pos map[string]int64 // stored position of each shot
}

// Project is the project being edited. Treat it as read-only: change it
// through Do.
func (d *Document) Project() *timeline.Project { return d.ed.Project() }

// UndoName and RedoName say what Undo and Redo would do, for menus.
func (d *Document) UndoName() (string, bool) { return d.ed.UndoName() }

// RedoName says what Redo would do.
func (d *Document) RedoName() (string, bool) { return d.ed.RedoName() }

// Do applies an edit and saves it durably.
func (d *Document) Do(ctx context.Context, c timeline.Command) (timeline.Change, error) {
	ch, err := d.ed.Do(c)
	if err != nil {
		return ch, err
	}
	return d.commit(ctx, c.Name(), ch, nil)
}

// Undo reverses the last edit and saves the result.
func (d *Document) Undo(ctx context.Context) (timeline.Change, error) {
	name, _ := d.ed.UndoName()
	ch, err := d.ed.Undo()
	if err != nil {
		return ch, err
	}
	return d.commit(ctx, "undo "+name, ch, nil)
}

// Redo applies the last undone edit again and saves the result.
func (d *Document) Redo(ctx context.Context) (timeline.Change, error) {
	name, _ := d.ed.RedoName()
	ch, err := d.ed.Redo()
	if err != nil {
		return ch, err
	}
	return d.commit(ctx, "redo "+name, ch, nil)
}

// commit saves an edit the editor has made, with extra (when not nil) run
// in the same transaction, or takes the edit back in memory.
func (d *Document) commit(ctx context.Context, what string, ch timeline.Change, extra func(*sql.Tx) error) (timeline.Change, error) {
	if err := d.save(ctx, ch, extra); err != nil {
		if _, rerr := d.ed.Rollback(); rerr != nil {
			return timeline.Change{}, fmt.Errorf("save %s: %w (and undoing it in memory failed: %v)", what, err, rerr)
		}
		return timeline.Change{}, fmt.Errorf("save %s: %w; the edit was not made", what, err)
	}
	return ch, nil
}

// save writes what ch says changed, in one transaction with the count of
// the project's edits for sync, and extra when not nil.
func (d *Document) save(ctx context.Context, ch timeline.Change, extra func(*sql.Tx) error) error {
	p := d.Project()
	newPos, renumber := d.positions(ch.Placed)
	err := d.lib.tx(ctx, func(tx *sql.Tx) error {
		now := unixMilli(d.lib.now())
		if ch.Project {
			cast, err := timeline.EncodeCast(p.Cast)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE projects SET title = ?, width = ?, height = ?, fps = ?, cast_json = ?, updated_at = ? WHERE id = ?`,
				p.Title, p.Width, p.Height, p.FPS, string(cast), now, p.ID); err != nil {
				return err
			}
		} else if _, err := tx.ExecContext(ctx, `UPDATE projects SET updated_at = ? WHERE id = ?`, now, p.ID); err != nil {
			return err
		}
		for _, id := range ch.Removed {
			if _, err := tx.ExecContext(ctx, `DELETE FROM shots WHERE project_id = ? AND id = ?`, p.ID, id); err != nil {
				return err
			}
		}
		saved := make(map[string]bool, len(ch.Saved))
		for _, id := range ch.Saved {
			saved[id] = true
			data, err := timeline.EncodeShot(p.Shot(id))
			if err != nil {
				return err
			}
			at, ok := newPos[id]
			if !ok {
				at = d.pos[id]
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO shots (project_id, id, pos, data) VALUES (?, ?, ?, ?)
				ON CONFLICT (project_id, id) DO UPDATE SET pos = excluded.pos, data = excluded.data`, p.ID, id, at, data); err != nil {
				return err
			}
		}
		for id, at := range newPos {
			if saved[id] {
				continue
			}
			if _, err := tx.ExecContext(ctx, `UPDATE shots SET pos = ? WHERE project_id = ? AND id = ?`, at, p.ID, id); err != nil {
				return err
			}
		}
		if err := countEdit(ctx, tx, p.ID, p.Title); err != nil {
			return err
		}
		if extra != nil {
			return extra(tx)
		}
		return nil
	})
	if err != nil {
		return err
	}
	// The in-memory positions follow only once the transaction committed.
	if renumber {
		d.pos = newPos
	} else {
		for id, at := range newPos {
			d.pos[id] = at
		}
	}
	for _, id := range ch.Removed {
		delete(d.pos, id)
	}
	return nil
}

// positions works out stored positions for the placed shots from their
// neighbours. When a gap is used up it spreads out every position instead
// (renumber), which rewrites every shot's position once.
func (d *Document) positions(placed []string) (map[string]int64, bool) {
	p := d.Project()
	out := make(map[string]int64, len(placed))
	if len(placed) == 0 {
		return out, false
	}
	isPlaced := make(map[string]bool, len(placed))
	for _, id := range placed {
		isPlaced[id] = true
	}
	idx := make([]int, 0, len(placed))
	for _, id := range placed {
		if i := p.Index(id); i >= 0 {
			idx = append(idx, i)
		}
	}
	slices.Sort(idx)
	known := func(i int) (int64, bool) {
		s := p.Shots[i]
		if at, ok := out[s.ID]; ok {
			return at, true
		}
		if isPlaced[s.ID] {
			return 0, false
		}
		at, ok := d.pos[s.ID]
		return at, ok
	}
	for _, i := range idx {
		if _, done := out[p.Shots[i].ID]; done {
			continue
		}
		lo := int64(0)
		if i > 0 {
			lo, _ = known(i - 1)
		}
		// The run of placed shots starting here shares the gap up to the
		// next shot that keeps its place.
		j := i
		for j < len(p.Shots) && isPlaced[p.Shots[j].ID] {
			j++
		}
		hi := lo + int64(j-i+1)*posGap
		if j < len(p.Shots) {
			hi, _ = known(j)
		}
		step := (hi - lo) / int64(j-i+1)
		if step < 1 {
			return d.spread(), true
		}
		for k := i; k < j; k++ {
			out[p.Shots[k].ID] = lo + int64(k-i+1)*step
		}
	}
	return out, false
}

// spread gives every shot a fresh, evenly spaced position.
func (d *Document) spread() map[string]int64 {
	p := d.Project()
	out := make(map[string]int64, len(p.Shots))
	for i, s := range p.Shots {
		out[s.ID] = int64(i+1) * posGap
	}
	return out
}
