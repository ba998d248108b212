package timeline

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"
)

var (
	early = time.Date(2026, 12, 7, 14, 0, 0, 0, time.UTC)
	late  = early.Add(time.Minute)
)

// edited returns a copy of p changed by fn.
func edited(p *Project, fn func(p *Project)) *Project {
	c := p.Clone()
	fn(c)
	return c
}

func TestMerge(t *testing.T) {
	base := sample(t)
	cases := []struct {
		name           string
		mine, theirs   func(p *Project)
		mineAt         time.Time
		want           func(p *Project) // applied to base: the expected merge
		wantConflicts  []Conflict
		wantWholeSide  bool
		wantConflictOn []string // "shot/field" of the conflicts, when Kept and Lost are not spelled out
	}{
		{
			name:   "different shots",
			mine:   func(p *Project) { p.Shots[0].Prompt = "mine" },
			theirs: func(p *Project) { p.Shots[2].Prompt = "theirs" },
			want:   func(p *Project) { p.Shots[0].Prompt = "mine"; p.Shots[2].Prompt = "theirs" },
		},
		{
			name:   "different fields of one shot",
			mine:   func(p *Project) { p.Shots[1].Title = "Mine" },
			theirs: func(p *Project) { p.Shots[1].Camera = Camera{Framing: CloseUp, Move: DollyIn} },
			want: func(p *Project) {
				p.Shots[1].Title = "Mine"
				p.Shots[1].Camera = Camera{Framing: CloseUp, Move: DollyIn}
			},
		},
		{
			name:          "same field, mine later",
			mine:          func(p *Project) { p.Shots[1].Prompt = "mine" },
			theirs:        func(p *Project) { p.Shots[1].Prompt = "theirs" },
			mineAt:        late,
			want:          func(p *Project) { p.Shots[1].Prompt = "mine" },
			wantConflicts: []Conflict{{Shot: "s2", Field: "prompt", Kept: `"mine"`, Lost: `"theirs"`}},
		},
		{
			name:          "same field, theirs later",
			mine:          func(p *Project) { p.Shots[1].Duration = 5 * time.Second },
			theirs:        func(p *Project) { p.Shots[1].Duration = 6 * time.Second },
			mineAt:        early,
			want:          func(p *Project) { p.Shots[1].Duration = 6 * time.Second },
			wantConflicts: []Conflict{{Shot: "s2", Field: "duration_ms", Kept: "6000", Lost: "5000"}},
		},
		{
			name:   "same change on both sides",
			mine:   func(p *Project) { p.Shots[1].Seed = 7 },
			theirs: func(p *Project) { p.Shots[1].Seed = 7 },
			want:   func(p *Project) { p.Shots[1].Seed = 7 },
		},
		{
			name:   "fields not named by the merge: backend, continue, sound cues",
			mine:   func(p *Project) { p.Shots[1].Backend = "animatic"; p.Shots[2].Cues[0].GainDB = -3 },
			theirs: func(p *Project) { p.Shots[1].Continue = true },
			want: func(p *Project) {
				p.Shots[1].Backend, p.Shots[1].Continue = "animatic", true
				p.Shots[2].Cues[0].GainDB = -3
			},
		},
		{
			name:   "removed on one side, edited on the other: kept",
			mine:   func(p *Project) { p.Shots = slices.Delete(p.Shots, 1, 2) },
			theirs: func(p *Project) { p.Shots[1].Prompt = "rewritten" },
			want:   func(p *Project) { p.Shots[1].Prompt = "rewritten" },
		},
		{
			name:   "removed on one side, untouched on the other: removed",
			mine:   func(p *Project) { p.Shots[2].Prompt = "x" },
			theirs: func(p *Project) { p.Shots = slices.Delete(p.Shots, 1, 2) },
			want:   func(p *Project) { p.Shots[2].Prompt = "x"; p.Shots = slices.Delete(p.Shots, 1, 2) },
		},
		{
			name: "added on both sides, each where it was put",
			mine: func(p *Project) {
				s := NewShot("m")
				s.ID = "m1"
				p.Shots = slices.Insert(p.Shots, 1, s)
			},
			theirs: func(p *Project) {
				s := NewShot("t")
				s.ID = "t1"
				p.Shots = append(p.Shots, s)
			},
			want: func(p *Project) {
				m, th := NewShot("m"), NewShot("t")
				m.ID, th.ID = "m1", "t1"
				p.Shots = append(slices.Insert(p.Shots, 1, m), th)
			},
		},
		{
			name:   "moved on one side, edited on the other",
			mine:   func(p *Project) { p.Shots[0], p.Shots[2] = p.Shots[2], p.Shots[0] },
			theirs: func(p *Project) { p.Shots[0].Title = "Opening" },
			want: func(p *Project) {
				p.Shots[0].Title = "Opening"
				p.Shots[0], p.Shots[2] = p.Shots[2], p.Shots[0]
			},
		},
		{
			name:           "reordered differently on both sides: the later order",
			mine:           func(p *Project) { p.Shots[0], p.Shots[1] = p.Shots[1], p.Shots[0] },
			theirs:         func(p *Project) { p.Shots[1], p.Shots[2] = p.Shots[2], p.Shots[1] },
			mineAt:         early,
			want:           func(p *Project) { p.Shots[1], p.Shots[2] = p.Shots[2], p.Shots[1] },
			wantConflictOn: []string{"/order"},
		},
		{
			name:           "settings",
			mine:           func(p *Project) { p.Title = "Mine"; p.FPS = 25 },
			theirs:         func(p *Project) { p.Title = "Theirs"; p.Width, p.Height = 1920, 1080 },
			mineAt:         late,
			want:           func(p *Project) { p.Title = "Mine"; p.FPS = 25; p.Width, p.Height = 1920, 1080 },
			wantConflictOn: []string{"/title"},
		},
		{
			name: "cast by member and field",
			mine: func(p *Project) {
				p.Cast[0].Voice = "en-us"
				p.Cast = append(p.Cast, CastRef{ID: "cy", Name: "Cy"})
			},
			theirs: func(p *Project) {
				p.Cast[0].Name = "Anna"
				p.Cast[1].Name = "Benjamin"
			},
			mineAt: late,
			want: func(p *Project) {
				p.Cast[0].Voice, p.Cast[0].Name, p.Cast[1].Name = "en-us", "Anna", "Benjamin"
				p.Cast = append(p.Cast, CastRef{ID: "cy", Name: "Cy"})
			},
		},
		{
			name: "a cast member removed on one side but given lines on the other stays",
			mine: func(p *Project) { p.Cast = p.Cast[:1] },
			theirs: func(p *Project) {
				p.Shots[0].Lines = []Line{{Speaker: "ben", Text: "Hi.", Start: 0}}
			},
			want: func(p *Project) { p.Shots[0].Lines = []Line{{Speaker: "ben", Text: "Hi.", Start: 0}} },
		},
		{
			name:   "a transition that no longer fits is shortened",
			mine:   func(p *Project) { p.Shots[0].Transition.Duration = 3 * time.Second },
			theirs: func(p *Project) { p.Shots[1].Duration = 2 * time.Second; p.Shots[1].Lines = nil; p.Shots[1].Cast = nil },
			want: func(p *Project) {
				p.Shots[1].Duration = 2 * time.Second
				p.Shots[1].Lines, p.Shots[1].Cast = nil, nil
				p.Shots[0].Transition.Duration = 2 * time.Second
			},
		},
		{
			name: "a merge that cannot be valid keeps the later side whole",
			mine: func(p *Project) {
				p.Shots[1].Duration = time.Second
				p.Shots[1].Lines = nil
				p.Shots[0].Transition = Transition{Kind: Cut}
			},
			theirs: func(p *Project) {
				p.Shots[1].Lines = append(p.Shots[1].Lines, Line{Speaker: Narrator, Text: "Later.", Start: 3 * time.Second})
			},
			mineAt: early,
			want: func(p *Project) {
				p.Shots[1].Lines = append(p.Shots[1].Lines, Line{Speaker: Narrator, Text: "Later.", Start: 3 * time.Second})
			},
			wantWholeSide: true,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mine, theirs := edited(base, c.mine), edited(base, c.theirs)
			if err := mine.Validate(); err != nil {
				t.Fatalf("mine is invalid: %v", err)
			}
			if err := theirs.Validate(); err != nil {
				t.Fatalf("theirs is invalid: %v", err)
			}
			mineAt := c.mineAt
			if mineAt.IsZero() {
				mineAt = late
			}
			before := [][]byte{encode(t, base), encode(t, mine), encode(t, theirs)}
			got, conflicts := Merge(base, mine, theirs, mineAt, early.Add(30*time.Second))
			if !bytes.Equal(encode(t, base), before[0]) || !bytes.Equal(encode(t, mine), before[1]) || !bytes.Equal(encode(t, theirs), before[2]) {
				t.Fatal("Merge changed its inputs")
			}
			if err := got.Validate(); err != nil {
				t.Fatalf("merged project is invalid: %v", err)
			}
			if got.ID != mine.ID {
				t.Errorf("merged ID = %q, want mine's %q", got.ID, mine.ID)
			}
			if want := encode(t, edited(base, c.want)); !bytes.Equal(encode(t, got), want) {
				t.Errorf("merged:\n%s\nwant:\n%s", encode(t, got), want)
			}
			switch {
			case c.wantWholeSide:
				if len(conflicts) != 1 || conflicts[0].Field != "" {
					t.Errorf("conflicts = %v, want one for the whole project", conflicts)
				}
			case c.wantConflictOn != nil:
				var on []string
				for _, x := range conflicts {
					on = append(on, x.Shot+"/"+x.Field)
				}
				if !slices.Equal(on, c.wantConflictOn) {
					t.Errorf("conflicts on %q, want %q", on, c.wantConflictOn)
				}
			case !slices.Equal(conflicts, c.wantConflicts):
				t.Errorf("conflicts = %v, want %v", conflicts, c.wantConflicts)
			}
		})
	}
}

func TestConflictCopy(t *testing.T) {
	p := sample(t)
	c := ConflictCopy(p, "Sample (from laptop, 7 Dec 14:02)")
	if c.ID == p.ID || c.ID == "" {
		t.Errorf("copy ID = %q, want a new one (original %q)", c.ID, p.ID)
	}
	if c.Title != "Sample (from laptop, 7 Dec 14:02)" || p.Title != "Sample" {
		t.Errorf("titles: copy %q, original %q", c.Title, p.Title)
	}
	c.Shots[0].Prompt = "changed"
	if p.Shots[0].Prompt == "changed" {
		t.Error("the copy shares shots with the original")
	}
	if err := c.Validate(); err != nil {
		t.Error(err)
	}
}

func TestBecome(t *testing.T) {
	from := sample(t)
	to := edited(from, func(p *Project) {
		p.Title = "Changed"
		p.Shots[0], p.Shots[2] = p.Shots[2], p.Shots[0]
		p.Shots[1].Prompt = "new prompt"
		p.Shots = slices.Delete(p.Shots, 0, 1)
		s := NewShot("added")
		p.Shots = append(p.Shots, s)
	})
	e := NewEditor(from)
	doUndoRedo(t, e, Become("Changes from laptop", to))
	if !bytes.Equal(encode(t, e.Project()), encode(t, to)) {
		t.Errorf("after Become:\n%s\nwant:\n%s", encode(t, e.Project()), encode(t, to))
	}
	if name, _ := e.UndoName(); name != "Changes from laptop" {
		t.Errorf("UndoName = %q", name)
	}
}

// genEdited draws a project made from p by random edits.
func genEdited(t *rapid.T, p *Project, label string) *Project {
	e := NewEditor(p.Clone())
	for range rapid.IntRange(0, 12).Draw(t, label+" edits") {
		if rapid.IntRange(0, 8).Draw(t, label+" title?") == 0 {
			e.Do(SetTitle(rapid.SampledFrom([]string{"A", "B", "C"}).Draw(t, label+" title")))
			continue
		}
		e.Do(genCommand(t, e.Project())) // refused edits change nothing
	}
	return e.Project()
}

// genBase draws a valid starting project.
func genBase(t *rapid.T) *Project { return genEdited(t, sample(t), "base") }

func TestMergeOneSideUnchanged(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		base := genBase(t)
		other := genEdited(t, base, "other")
		for _, mineLater := range []bool{true, false} {
			at, oat := early, late
			if mineLater {
				at, oat = late, early
			}
			got, cs := Merge(base, base.Clone(), other, at, oat)
			if !bytes.Equal(encode(t, got), encode(t, other)) || len(cs) > 0 {
				t.Fatalf("Merge(base, base, theirs) = %v\n%s\nwant theirs\n%s", cs, encode(t, got), encode(t, other))
			}
			got, cs = Merge(base, other, base.Clone(), at, oat)
			if !bytes.Equal(encode(t, got), encode(t, other)) || len(cs) > 0 {
				t.Fatalf("Merge(base, mine, base) = %v\n%s\nwant mine\n%s", cs, encode(t, got), encode(t, other))
			}
		}
	})
}

func TestMergeSameBothSides(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		base := genBase(t)
		x := genEdited(t, base, "x")
		got, cs := Merge(base, x, x.Clone(), late, early)
		if !bytes.Equal(encode(t, got), encode(t, x)) || len(cs) > 0 {
			t.Fatalf("Merge(base, x, x) = %v\n%s\nwant x\n%s", cs, encode(t, got), encode(t, x))
		}
	})
}

// TestMergeKeepsEditedShots: every shot that either side added or changed
// is in the merged project, and the merge is valid; when it had to keep
// the later side whole, the earlier side's shots are all that side's (and
// go to a conflict copy).
func TestMergeKeepsEditedShots(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		base := genBase(t)
		mine, theirs := genEdited(t, base, "mine"), genEdited(t, base, "theirs")
		mineAt, theirsAt := early, late
		if rapid.Bool().Draw(t, "mine later") {
			mineAt, theirsAt = late, early
		}
		got, cs := Merge(base, mine, theirs, mineAt, theirsAt)
		if err := got.Validate(); err != nil {
			t.Fatalf("merged project is invalid: %v", err)
		}
		whole := len(cs) == 1 && cs[0].Field == ""
		for _, side := range []*Project{mine, theirs} {
			later := (side == mine) == mineAt.After(theirsAt)
			if whole && !later {
				continue
			}
			for _, s := range side.Shots {
				b := base.Shot(s.ID)
				if b != nil && bytes.Equal(must(EncodeShot(b)), must(EncodeShot(s))) {
					continue
				}
				if got.Shot(s.ID) == nil {
					t.Fatalf("shot %s, edited on one side, is not in the merge (conflicts %v)", s.ID, cs)
				}
			}
		}
	})
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

func TestBecomeUndoProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		base := genBase(t)
		from, to := genEdited(t, base, "from"), genEdited(t, base, "to")
		e := NewEditor(from)
		before := encode(t, from)
		if _, err := e.Do(Become("Changes from laptop", to)); err != nil {
			t.Fatalf("Become: %v", err)
		}
		if got := encode(t, e.Project()); !bytes.Equal(got, encode(t, to)) {
			t.Fatalf("after Become:\n%s\nwant:\n%s", got, encode(t, to))
		}
		if _, err := e.Undo(); err != nil {
			t.Fatalf("Undo: %v", err)
		}
		if got := encode(t, e.Project()); !bytes.Equal(got, before) {
			t.Fatalf("after Undo:\n%s\nwant:\n%s", got, before)
		}
	})
}

// Without a common base (two devices that never agreed), equal fields
// merge quietly and every difference is a conflict the later side wins.
func TestMergeWithoutBase(t *testing.T) {
	mine := sample(t)
	theirs := edited(mine, func(p *Project) { p.Shots[0].Prompt = "theirs" })
	got, cs := Merge(nil, mine, theirs, early, late)
	if !bytes.Equal(encode(t, got), encode(t, theirs)) {
		t.Errorf("merged:\n%s\nwant theirs", encode(t, got))
	}
	if want := []Conflict{{Shot: "s1", Field: "prompt", Kept: `"theirs"`, Lost: `"a prompt"`}}; !slices.Equal(cs, want) {
		t.Errorf("conflicts = %v, want %v", cs, want)
	}
}
