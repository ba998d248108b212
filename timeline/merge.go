package timeline

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"
)

// Conflict is a field that both sides of a merge changed to different
// values: the later side's value was kept in the merged project and the
// other side's is lost from it (sync keeps it in a conflict copy).
type Conflict struct {
	// Shot is the ID of the shot the field belongs to; empty for the
	// project's settings, its cast and the shot order.
	Shot string
	// Field names the field as the .slate file does: "prompt",
	// "duration_ms", "dialogue", "title", "size", "fps", "cast[ID].name",
	// "order" for the order of the shots. Empty when the merged project
	// could not be made valid, so the later side was kept whole.
	Field string
	// Kept and Lost are the two values, as JSON in the .slate layout.
	Kept, Lost string
}

// String says what was kept and what lost, for logs.
func (c Conflict) String() string {
	where := "project"
	if c.Shot != "" {
		where = "shot " + c.Shot
	}
	return fmt.Sprintf("%s %s: kept %s, lost %s", where, c.Field, c.Kept, c.Lost)
}

// fields is an encoded value split into its top-level JSON fields, so that
// a merge compares each one without knowing them all: a field added to the
// file format later is merged too.
type fields map[string]json.RawMessage

func toFields(v any) fields {
	b, err := json.Marshal(v)
	if err != nil {
		panic("timeline: encode for merge: " + err.Error()) // plain structs of strings and numbers always encode
	}
	var f fields
	if err := json.Unmarshal(b, &f); err != nil {
		panic("timeline: split for merge: " + err.Error())
	}
	return f
}

func (f fields) decode(v any) error {
	b, err := json.Marshal(f)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// merge3 merges one value three ways: a side that left it as in base takes
// the other's; when both changed it differently the later side wins and ok
// is false. A nil value is an absent one.
func merge3(base, mine, theirs json.RawMessage, mineLater bool) (v json.RawMessage, ok bool) {
	switch {
	case bytes.Equal(mine, theirs), bytes.Equal(theirs, base):
		return mine, true
	case bytes.Equal(mine, base):
		return theirs, true
	case mineLater:
		return mine, false
	}
	return theirs, false
}

// mergeFields merges field by field; conflicts are named with prefix.
func mergeFields(base, mine, theirs fields, mineLater bool, shot, prefix string) (fields, []Conflict) {
	keys := slices.Sorted(maps.Keys(mine))
	for k := range theirs {
		if _, ok := mine[k]; !ok {
			keys = append(keys, k)
		}
	}
	for k := range base {
		if _, ok := mine[k]; !ok {
			if _, ok := theirs[k]; !ok {
				keys = append(keys, k)
			}
		}
	}
	out := fields{}
	var cs []Conflict
	for _, k := range keys {
		v, ok := merge3(base[k], mine[k], theirs[k], mineLater)
		if !ok {
			lost := theirs[k]
			if !mineLater {
				lost = mine[k]
			}
			cs = append(cs, Conflict{Shot: shot, Field: prefix + k, Kept: string(orNull(v)), Lost: string(orNull(lost))})
		}
		if v != nil {
			out[k] = v
		}
	}
	return out, cs
}

func orNull(v json.RawMessage) json.RawMessage {
	if v == nil {
		return json.RawMessage("null")
	}
	return v
}

// Merge merges two versions of a project made apart from a common base:
// mine changed at mineAt, theirs at theirsAt. Shots, the cast and the
// settings are merged one field at a time: a field changed on one side
// takes that side's value; one changed on both to different values takes
// the later side's, and is reported as a Conflict. Shots added on either
// side are kept in the place they were added; a shot removed on one side
// is removed unless the other side changed it, in which case it is kept
// (nothing edited is lost). The order follows the side that reordered the
// shots, or the later side when both did (a conflict "order").
//
// The merged project is valid: transitions that no longer fit the merged
// durations are shortened as a delete does, and cast members removed on
// one side but still used by a merged shot are kept. When it still would
// not be valid, merged is the later side unchanged and the only conflict
// has an empty Field, so that the other side is kept whole as a copy.
// The merged project has mine's ID; neither input is changed.
func Merge(base, mine, theirs *Project, mineAt, theirsAt time.Time) (merged *Project, conflicts []Conflict) {
	if base == nil {
		base = &Project{}
	}
	mineLater := !mineAt.Before(theirsAt) // a tie keeps mine
	later, earlier := mine, theirs
	if !mineLater {
		later, earlier = theirs, mine
	}
	merged = &Project{ID: mine.ID}

	// The settings.
	settings := func(p *Project) fields {
		return toFields(struct {
			Title string `json:"title"`
			Size  [2]int `json:"size"`
			FPS   int    `json:"fps"`
		}{p.Title, [2]int{p.Width, p.Height}, p.FPS})
	}
	set, cs := mergeFields(settings(base), settings(mine), settings(theirs), mineLater, "", "")
	conflicts = append(conflicts, cs...)
	var s struct {
		Title string `json:"title"`
		Size  [2]int `json:"size"`
		FPS   int    `json:"fps"`
	}
	if err := set.decode(&s); err != nil {
		panic("timeline: merge settings: " + err.Error()) // merged from values that decoded
	}
	merged.Title, merged.Width, merged.Height, merged.FPS = s.Title, s.Size[0], s.Size[1], s.FPS

	// The cast, member by member and field by field.
	castIDs := func(p *Project) []string {
		ids := make([]string, len(p.Cast))
		for i, c := range p.Cast {
			ids[i] = c.ID
		}
		return ids
	}
	castFields := func(p *Project, id string) fields {
		if c, ok := p.CastMember(id); ok {
			return toFields(fileCast(c))
		}
		return nil
	}
	keepCast := map[string]CastRef{}
	for _, id := range mergeOrder(castIDs(base), castIDs(mine), castIDs(theirs), castIDs(later)) {
		b, m, t := castFields(base, id), castFields(mine, id), castFields(theirs, id)
		c, cs, ok := mergeEntry(b, m, t, mineLater, "", "cast["+id+"].")
		conflicts = append(conflicts, cs...)
		var fc fileCast
		if err := c.decode(&fc); err != nil {
			panic("timeline: merge cast: " + err.Error())
		}
		if ok {
			merged.Cast = append(merged.Cast, CastRef(fc))
		} else if c != nil {
			keepCast[id] = CastRef(fc) // removed, but put back if a shot uses it
		}
	}

	// The shots.
	shotIDs := func(p *Project) []string {
		ids := make([]string, len(p.Shots))
		for i, s := range p.Shots {
			ids[i] = s.ID
		}
		return ids
	}
	shotFields := func(p *Project, id string) fields {
		if s := p.Shot(id); s != nil {
			return toFields(encodeShot(s))
		}
		return nil
	}
	order := mergeOrder(shotIDs(base), shotIDs(mine), shotIDs(theirs), shotIDs(later))
	if o := reordered(shotIDs(base), shotIDs(mine), shotIDs(theirs)); o != nil {
		conflicts = append(conflicts, *o)
	}
	for _, id := range order {
		f, cs, ok := mergeEntry(shotFields(base, id), shotFields(mine, id), shotFields(theirs, id), mineLater, id, "")
		if !ok {
			continue
		}
		conflicts = append(conflicts, cs...)
		var fs fileShot
		err := f.decode(&fs)
		var sh *Shot
		if err == nil {
			var ferr *fieldErr
			if sh, ferr = fs.shot(); ferr != nil {
				err = fmt.Errorf("%s: %s", ferr.field, ferr.msg)
			}
		}
		if err != nil {
			return wholeSide(later, earlier, mine.ID, fmt.Errorf("shot %s: %w", id, err))
		}
		merged.Shots = append(merged.Shots, sh)
	}

	// Put back cast members still used, and fit transitions.
	for _, s := range merged.Shots {
		used := slices.Clone(s.Cast)
		for _, l := range s.Lines {
			used = append(used, l.Speaker)
		}
		for _, id := range used {
			if c, ok := keepCast[id]; ok {
				if _, in := merged.CastMember(id); !in {
					merged.Cast = append(merged.Cast, c)
				}
			}
		}
	}
	t := &tx{p: merged, touched: map[string]bool{}}
	for _, id := range shotIDs(merged) {
		t.fitAfter(id)
	}
	if err := merged.Validate(); err != nil {
		return wholeSide(later, earlier, mine.ID, err)
	}
	if err := merged.CheckLength(); err != nil && later.CheckLength() == nil && earlier.CheckLength() == nil {
		return wholeSide(later, earlier, mine.ID, err)
	}
	return merged, conflicts
}

// wholeSide is the merge that keeps the later side as it is, for when the
// field-by-field merge would not be a valid project.
func wholeSide(later, earlier *Project, id string, why error) (*Project, []Conflict) {
	p := later.Clone()
	p.ID = id
	return p, []Conflict{{Kept: fmt.Sprintf("%q", later.Title), Lost: fmt.Sprintf("%q (%v)", earlier.Title, why)}}
}

// mergeEntry merges a shot or cast member that is in at least one of the
// three versions (a nil fields is absent). ok is false when it is gone
// from the merge: removed on one side and unchanged on the other, or on
// both.
func mergeEntry(b, m, t fields, mineLater bool, shot, prefix string) (fields, []Conflict, bool) {
	switch {
	case m != nil && t != nil:
		f, cs := mergeFields(b, m, t, mineLater, shot, prefix)
		return f, cs, true
	case m == nil && t == nil:
		return nil, nil, false
	case b == nil:
		// Added on one side only.
		if m != nil {
			return m, nil, true
		}
		return t, nil, true
	}
	// Removed on one side: kept when the other changed it.
	kept := m
	if kept == nil {
		kept = t
	}
	if equalFields(kept, b) {
		return kept, nil, false
	}
	return kept, nil, true
}

func equalFields(a, b fields) bool {
	return maps.EqualFunc(a, b, func(x, y json.RawMessage) bool { return bytes.Equal(x, y) })
}

// mergeOrder lists every ID of the three versions in merged order: the
// order of the side that reordered what all three share (later when both
// did), with the other IDs put after the ID they follow in their own
// version.
func mergeOrder(base, mine, theirs, later []string) []string {
	primary := later
	common := func(ids []string) []string {
		return slices.DeleteFunc(slices.Clone(ids), func(id string) bool {
			return !slices.Contains(base, id) || !slices.Contains(mine, id) || !slices.Contains(theirs, id)
		})
	}
	switch b := common(base); {
	case slices.Equal(common(mine), b):
		primary = theirs
	case slices.Equal(common(theirs), b):
		primary = mine
	}
	out := slices.Clone(primary)
	in := map[string]bool{}
	for _, id := range out {
		in[id] = true
	}
	for _, side := range [][]string{mine, theirs, base} {
		after := -1 // the index in out of the last ID of side seen
		for _, id := range side {
			if in[id] {
				after = slices.Index(out, id)
				continue
			}
			out = slices.Insert(out, after+1, id)
			in[id] = true
			after++
		}
	}
	return out
}

// reordered reports a conflict when both sides reordered the shots they
// and the base share, differently.
func reordered(base, mine, theirs []string) *Conflict {
	common := func(ids []string) []string {
		return slices.DeleteFunc(slices.Clone(ids), func(id string) bool {
			return !slices.Contains(base, id) || !slices.Contains(mine, id) || !slices.Contains(theirs, id)
		})
	}
	b, m, t := common(base), common(mine), common(theirs)
	if slices.Equal(m, b) || slices.Equal(t, b) || slices.Equal(m, t) {
		return nil
	}
	mj, _ := json.Marshal(m)
	tj, _ := json.Marshal(t)
	return &Conflict{Field: "order", Kept: string(mj), Lost: string(tj)}
}

// ConflictCopy returns a copy of p to keep beside it under a new title: a
// new project ID, so the library and the server hold it as a project of
// its own. Shot and cast IDs only need to be unique within a project, so
// they stay, and the copy's shots still find their rendered clips.
func ConflictCopy(p *Project, title string) *Project {
	c := p.Clone()
	c.ID = NewID()
	c.Title = title
	return c
}

// Become is one undoable edit, named name, that turns the project into to
// (its ID aside): shots removed, added, changed and moved, and the
// settings and cast set, so one undo returns exactly to before.
func Become(name string, to *Project) Command {
	return cmd(name, func(t *tx) error {
		if to == nil {
			return fmt.Errorf("%s: no project: %w", name, ErrInvalid)
		}
		want := map[string]bool{}
		for _, s := range to.Shots {
			if s == nil || want[s.ID] {
				return fmt.Errorf("%s: the new version has an empty or repeated shot: %w", name, ErrInvalid)
			}
			want[s.ID] = true
		}
		if m := to.meta(); !sameMeta(t.p.meta(), m) {
			t.setMeta(m)
		}
		for _, s := range slices.Clone(t.p.Shots) {
			if !want[s.ID] {
				t.remove(s.ID)
			}
		}
		for i, s := range to.Shots {
			j := t.p.Index(s.ID)
			if j < 0 {
				t.insert(i, s.Clone())
				continue
			}
			if !equalFields(toFields(encodeShot(t.p.Shots[j])), toFields(encodeShot(s))) {
				t.replace(s.Clone())
			}
			if j != i {
				t.move(s.ID, i)
			}
		}
		return nil
	})
}

func sameMeta(a, b meta) bool {
	return a.title == b.title && a.width == b.width && a.height == b.height && a.fps == b.fps && slices.Equal(a.cast, b.cast)
}
