package timeline

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"
)

func encode(t tb, p *Project) []byte {
	t.Helper()
	b, err := Encode(p)
	if err != nil {
		t.Fatalf("Encode: %v", err)
	}
	return b
}

func ids(p *Project) []string {
	var out []string
	for _, s := range p.Shots {
		out = append(out, s.ID)
	}
	return out
}

// doUndoRedo applies c, checks that Undo restores the project exactly and
// that Redo gives the edited project again.
func doUndoRedo(t *testing.T, e *Editor, c Command) Change {
	t.Helper()
	before := encode(t, e.Project())
	ch, err := e.Do(c)
	if err != nil {
		t.Fatalf("Do(%s) = %v", c.Name(), err)
	}
	after := encode(t, e.Project())
	if name, _ := e.UndoName(); name != c.Name() {
		t.Errorf("UndoName() = %q, want %q", name, c.Name())
	}
	if _, err := e.Undo(); err != nil {
		t.Fatalf("Undo(%s) = %v", c.Name(), err)
	}
	if got := encode(t, e.Project()); !bytes.Equal(got, before) {
		t.Fatalf("Undo(%s) left\n%s\nwant\n%s", c.Name(), got, before)
	}
	if _, err := e.Redo(); err != nil {
		t.Fatalf("Redo(%s) = %v", c.Name(), err)
	}
	if got := encode(t, e.Project()); !bytes.Equal(got, after) {
		t.Fatalf("Redo(%s) left\n%s\nwant\n%s", c.Name(), got, after)
	}
	return ch
}

func TestCommands(t *testing.T) {
	t.Run("add", func(t *testing.T) {
		e := NewEditor(sample(t))
		s := NewShot("New")
		ch := doUndoRedo(t, e, AddShot(1, s))
		if got := e.Project().Shots[1].ID; got != s.ID {
			t.Errorf("shot 2 = %q, want the added %q", got, s.ID)
		}
		if !slices.Equal(ch.Saved, []string{s.ID}) || !slices.Equal(ch.Placed, []string{s.ID}) {
			t.Errorf("Change = %+v, want Saved and Placed = [%s]", ch, s.ID)
		}
	})
	t.Run("add into a crossfade shortens it", func(t *testing.T) {
		e := NewEditor(sample(t))
		s := NewShot("Short")
		s.Duration = 600 * time.Millisecond
		doUndoRedo(t, e, AddShot(1, s))
		if got := e.Project().Shots[0].Transition; got.Kind != Crossfade || got.Duration != 600*time.Millisecond {
			t.Errorf("transition before the short shot = %+v, want a 0.6 s crossfade", got)
		}
	})
	t.Run("delete", func(t *testing.T) {
		e := NewEditor(sample(t))
		ch := doUndoRedo(t, e, DeleteShots("s2"))
		if got := ids(e.Project()); !slices.Equal(got, []string{"s1", "s3"}) {
			t.Errorf("shots = %v, want [s1 s3]", got)
		}
		if !slices.Equal(ch.Removed, []string{"s2"}) || len(ch.Saved) != 0 {
			t.Errorf("Change = %+v, want only Removed [s2]", ch)
		}
	})
	t.Run("delete clamps the joined transition", func(t *testing.T) {
		p := sample(t)
		p.Shots[0].Transition.Duration = 3 * time.Second
		p.Shots[2].Duration = 2 * time.Second
		p.Shots[2].Cues = nil
		e := NewEditor(p)
		ch := doUndoRedo(t, e, DeleteShots("s2"))
		if got := e.Project().Shots[0].Transition.Duration; got != 2*time.Second {
			t.Errorf("crossfade after delete = %v, want 2s (the next shot's length)", got)
		}
		if !slices.Contains(ch.Saved, "s1") {
			t.Errorf("Change.Saved = %v, want s1 (its transition was shortened)", ch.Saved)
		}
	})
	t.Run("delete several", func(t *testing.T) {
		e := NewEditor(sample(t))
		doUndoRedo(t, e, DeleteShots("s1", "s3"))
		if got := ids(e.Project()); !slices.Equal(got, []string{"s2"}) {
			t.Errorf("shots = %v, want [s2]", got)
		}
	})
	t.Run("move", func(t *testing.T) {
		e := NewEditor(sample(t))
		ch := doUndoRedo(t, e, MoveShot("s1", 2))
		if got := ids(e.Project()); !slices.Equal(got, []string{"s2", "s3", "s1"}) {
			t.Errorf("shots = %v, want [s2 s3 s1]", got)
		}
		if !slices.Equal(ch.Placed, []string{"s1"}) {
			t.Errorf("Change.Placed = %v, want [s1]", ch.Placed)
		}
	})
	t.Run("duplicate", func(t *testing.T) {
		e := NewEditor(sample(t))
		doUndoRedo(t, e, DuplicateShot("s2"))
		p := e.Project()
		if len(p.Shots) != 4 || p.Shots[2].ID == "s2" || p.Shots[2].Prompt != p.Shots[1].Prompt || p.Shots[2].Lines[0] != p.Shots[1].Lines[0] {
			t.Errorf("duplicate = %+v, want a copy of s2 with a new id after it", p.Shots[2])
		}
	})
	t.Run("split", func(t *testing.T) {
		p := sample(t)
		p.Shots[2].Lines = []Line{{Speaker: Narrator, Text: "One.", Start: 200 * time.Millisecond}, {Speaker: "ben", Text: "Two.", Start: 2500 * time.Millisecond}}
		p.Shots[2].Cues[0].File = "piano.wav"
		e := NewEditor(p)
		doUndoRedo(t, e, SplitShot("s3", 1500*time.Millisecond))
		a, b := e.Project().Shots[2], e.Project().Shots[3]
		if a.Duration != 1500*time.Millisecond || b.Duration != 2500*time.Millisecond {
			t.Errorf("split durations = %v + %v, want 1.5s + 2.5s", a.Duration, b.Duration)
		}
		if len(a.Lines) != 1 || a.Lines[0].Text != "One." || len(b.Lines) != 1 || b.Lines[0].Start != time.Second {
			t.Errorf("split lines = %+v | %+v, want One. in the first, Two. at 1s in the second", a.Lines, b.Lines)
		}
		wantA := Cue{Kind: Music, Description: "piano", File: "piano.wav", Start: time.Second, Duration: 500 * time.Millisecond, GainDB: -6}
		wantB := Cue{Kind: Music, Description: "piano", File: "piano.wav", Offset: 500 * time.Millisecond, Start: 0, Duration: 1500 * time.Millisecond, GainDB: -6}
		if len(a.Cues) != 1 || a.Cues[0] != wantA || len(b.Cues) != 1 || b.Cues[0] != wantB {
			t.Errorf("split cues = %+v | %+v, want %+v | %+v", a.Cues, b.Cues, wantA, wantB)
		}
		if !b.Continue || a.Transition.Kind != Cut {
			t.Errorf("second part continue=%v, first transition=%v; want true and a cut", b.Continue, a.Transition.Kind)
		}
	})
	t.Run("trim", func(t *testing.T) {
		e := NewEditor(sample(t))
		doUndoRedo(t, e, TrimShot("s3", 500*time.Millisecond, time.Second))
		s := e.Project().Shots[2]
		if s.Duration != 2500*time.Millisecond || s.Cues[0].Start != 500*time.Millisecond || s.Cues[0].Duration != 2*time.Second {
			t.Errorf("trimmed shot = %v with cue %+v, want 2.5s with the cue at 0.5s for 2s", s.Duration, s.Cues[0])
		}
	})
	t.Run("fields", func(t *testing.T) {
		e := NewEditor(sample(t))
		for _, c := range []Command{
			SetPrompt("s1", "a lighthouse at night"),
			SetShotTitle("s1", "Night"),
			SetDuration("s1", 6*time.Second),
			SetCamera("s1", Camera{CloseUp, DollyIn}),
			SetTransition("s2", Transition{Kind: DipToBlack, Duration: 500 * time.Millisecond}),
			SetSeed("s1", 99),
			SetFeatured("s1", []string{"ben"}),
			SetContinue("s3", true),
			SetBackend("s3", "animatic"),
			AddLine("s3", 0, Line{Speaker: "ben", Text: "Hi.", Start: time.Second}),
			SetLine("s3", 0, Line{Speaker: "ana", Text: "Hi!", Start: time.Second}),
			AddLine("s3", 1, Line{Speaker: Narrator, Text: "Later.", Start: 2 * time.Second}),
			MoveLine("s3", 1, 0),
			RemoveLine("s3", 0),
			AddCue("s1", -1, Cue{Kind: SFX, Description: "door", Start: 0, Duration: time.Second}),
			SetCue("s1", 0, Cue{Kind: SFX, Description: "slam", Start: 0, Duration: time.Second}),
			AddCue("s1", 0, Cue{Kind: Ambience, Description: "wind", Start: 0, Duration: 2 * time.Second}),
			MoveCue("s1", 0, 1),
			RemoveCue("s1", 0),
			SetTitle("Renamed"),
			SetFormat(1920, 1080, 30),
			AddCast(CastRef{ID: "cy", Name: "Cy"}),
			SetCast(CastRef{ID: "cy", Name: "Cyrus", Voice: "en-us+m2"}),
			RemoveCast("cy"),
		} {
			ch := doUndoRedo(t, e, c)
			if ch.Empty() {
				t.Errorf("%s reported no change", c.Name())
			}
		}
		p := e.Project()
		s := p.Shots[0]
		if s.Prompt != "a lighthouse at night" || s.Title != "Night" || s.Duration != 6*time.Second || s.Camera != (Camera{CloseUp, DollyIn}) || s.Seed != 99 {
			t.Errorf("shot 1 after edits = %+v", s)
		}
		if len(s.Cues) != 1 || s.Cues[0].Description != "wind" {
			t.Errorf("shot 1 cues = %+v, want only wind", s.Cues)
		}
		if l := p.Shots[2].Lines; len(l) != 1 || l[0].Text != "Hi!" {
			t.Errorf("shot 3 lines = %+v, want only Hi!", l)
		}
		if p.Title != "Renamed" || p.Width != 1920 || p.FPS != 30 || len(p.Cast) != 2 {
			t.Errorf("project = %q %dx%d@%d cast %v", p.Title, p.Width, p.Height, p.FPS, p.Cast)
		}
	})
}

func TestInvalidEditChangesNothing(t *testing.T) {
	tests := []struct {
		c      Command
		substr string
	}{
		{SetDuration("s2", 200*time.Millisecond), "from 0.5 s to 60 s"},
		{SetDuration("s2", time.Second), "line 1 needs about"},
		{SetPrompt("s1", strings.Repeat("x", MaxPromptRunes+1)), "32000"},
		{SetTransition("s1", Transition{Kind: Crossfade, Duration: 5 * time.Second}), "longer than this"},
		{SplitShot("s1", 300*time.Millisecond), "shorter than 0.5 s"},
		{TrimShot("s2", time.Second, 0), "inside the part being trimmed"},
		{SetFormat(1279, 720, 24), "even"},
		{RemoveCast("ana"), "shot 2"},
		{AddLine("s1", 0, Line{Speaker: "nobody", Text: "Hi", Start: 0}), "nobody"},
		{RemoveLine("s1", 3), "the shot has 0 lines"},
		{DeleteShots("missing"), "missing"},
		{SetFeatured("s1", []string{"ana", "ana"}), "twice"},
	}
	for _, tt := range tests {
		p := sample(t)
		e := NewEditor(p)
		if _, err := e.Do(SetSeed("s1", 7)); err != nil {
			t.Fatal(err)
		}
		before := encode(t, p)
		_, err := e.Do(tt.c)
		if err == nil || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.substr) {
			t.Errorf("Do(%s) = %v, want an ErrInvalid containing %q", tt.c.Name(), err, tt.substr)
		}
		if got := encode(t, p); !bytes.Equal(got, before) {
			t.Errorf("Do(%s) failed but changed the project", tt.c.Name())
		}
		if name, _ := e.UndoName(); name != "Change seed" {
			t.Errorf("after a refused %s, UndoName() = %q, want the earlier edit", tt.c.Name(), name)
		}
	}
}

func TestRollback(t *testing.T) {
	p := sample(t)
	e := NewEditor(p)
	before := encode(t, p)
	if _, err := e.Do(DeleteShots("s1")); err != nil {
		t.Fatal(err)
	}
	ch, err := e.Rollback()
	if err != nil {
		t.Fatal(err)
	}
	if got := encode(t, p); !bytes.Equal(got, before) {
		t.Errorf("Rollback did not restore the project")
	}
	if !slices.Equal(ch.Saved, []string{"s1"}) || !slices.Equal(ch.Placed, []string{"s1"}) {
		t.Errorf("Rollback Change = %+v, want s1 saved and placed", ch)
	}
	if _, ok := e.UndoName(); ok {
		t.Errorf("history still has the rolled-back edit")
	}
	// Rolling back an undo puts the edit back on the undo stack.
	if _, err := e.Do(SetSeed("s1", 1)); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Undo(); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Rollback(); err != nil {
		t.Fatal(err)
	}
	if p.Shots[0].Seed != 1 {
		t.Errorf("seed after rolling back the undo = %d, want 1", p.Shots[0].Seed)
	}
	if name, _ := e.UndoName(); name != "Change seed" {
		t.Errorf("UndoName() = %q, want Change seed", name)
	}
	if _, ok := e.RedoName(); ok {
		t.Errorf("redo stack not restored")
	}
}

func TestHistoryLimit(t *testing.T) {
	e := NewEditor(sample(t))
	for i := range HistoryLimit + 10 {
		if _, err := e.Do(SetSeed("s1", int64(i))); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	for {
		if _, err := e.Undo(); errors.Is(err, ErrNothingToUndo) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != HistoryLimit {
		t.Errorf("undid %d edits, want %d", n, HistoryLimit)
	}
}

// genCommand draws a random command against the project's current state;
// many are invalid on purpose.
func genCommand(t *rapid.T, p *Project) Command {
	shotID := func() string {
		if len(p.Shots) == 0 || rapid.IntRange(0, 20).Draw(t, "ghost") == 0 {
			return "ghost"
		}
		return p.Shots[rapid.IntRange(0, len(p.Shots)-1).Draw(t, "shot")].ID
	}
	dur := func(label string) time.Duration {
		return time.Duration(rapid.IntRange(0, 70).Draw(t, label)) * 250 * time.Millisecond
	}
	speaker := rapid.SampledFrom([]string{Narrator, "ana", "ben", "zed"})
	switch rapid.IntRange(0, 13).Draw(t, "kind") {
	case 0:
		s := NewShot("new")
		s.Duration = dur("duration")
		s.Transition = Transition{Kind: Crossfade, Duration: dur("xfade")}
		return AddShot(rapid.IntRange(-1, len(p.Shots)+1).Draw(t, "at"), s)
	case 1:
		return DeleteShots(shotID())
	case 2:
		return MoveShot(shotID(), rapid.IntRange(-1, len(p.Shots)+1).Draw(t, "to"))
	case 3:
		return DuplicateShot(shotID())
	case 4:
		return SplitShot(shotID(), dur("at"))
	case 5:
		return TrimShot(shotID(), dur("head")/4, dur("tail")/4)
	case 6:
		return SetDuration(shotID(), dur("duration"))
	case 7:
		kind := rapid.SampledFrom(TransitionKinds).Draw(t, "tkind")
		return SetTransition(shotID(), Transition{Kind: kind, Duration: dur("tdur") / 2})
	case 8:
		return AddLine(shotID(), -1, Line{Speaker: speaker.Draw(t, "speaker"), Text: rapid.SampledFrom([]string{"Hi.", "A much longer line of dialogue that takes a while."}).Draw(t, "text"), Start: dur("start") / 4})
	case 9:
		return RemoveLine(shotID(), rapid.IntRange(-1, 2).Draw(t, "line"))
	case 10:
		return AddCue(shotID(), -1, Cue{Kind: Music, Start: dur("cstart") / 4, Duration: dur("cdur") / 4})
	case 11:
		return SetPrompt(shotID(), rapid.String().Draw(t, "prompt"))
	case 12:
		return SetFeatured(shotID(), []string{speaker.Draw(t, "featured")})
	default:
		return SetFormat(rapid.SampledFrom([]int{1280, 1281, 720}).Draw(t, "w"), 720, rapid.SampledFrom([]int{24, 25, 30, 60}).Draw(t, "fps"))
	}
}

// TestEditProperties applies random edits, undoes and redoes, and checks
// that the project always validates, refused edits change nothing, undo and
// redo are exact, and Change names everything a store must rewrite.
func TestEditProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := sample(t)
		e := NewEditor(p)
		// store mirrors what a library holds, updated only from Changes.
		store := map[string]string{}
		for _, s := range p.Shots {
			b, _ := EncodeShot(s)
			store[s.ID] = string(b)
		}
		var snapshots [][]byte // project after each successful edit
		snapshots = append(snapshots, encode(t, p))
		steps := rapid.IntRange(1, 40).Draw(t, "steps")
		for range steps {
			before := encode(t, p)
			order := ids(p)
			var ch Change
			var err error
			switch rapid.IntRange(0, 5).Draw(t, "action") {
			case 0:
				ch, err = e.Undo()
			case 1:
				ch, err = e.Redo()
			default:
				ch, err = e.Do(genCommand(t, p))
			}
			if err != nil {
				if got := encode(t, p); !bytes.Equal(got, before) {
					t.Fatalf("a failed edit (%v) changed the project", err)
				}
				continue
			}
			if verr := p.Validate(); verr != nil {
				t.Fatalf("after an accepted edit the project is invalid: %v", verr)
			}
			for _, id := range ch.Removed {
				delete(store, id)
			}
			for _, id := range ch.Saved {
				b, _ := EncodeShot(p.Shot(id))
				store[id] = string(b)
			}
			for _, s := range p.Shots {
				b, _ := EncodeShot(s)
				if store[s.ID] != string(b) {
					t.Fatalf("shot %s changed but the Change %+v does not save it", s.ID, ch)
				}
			}
			if len(store) != len(p.Shots) {
				t.Fatalf("store has %d shots, project %d: Change %+v missed a removal", len(store), len(p.Shots), ch)
			}
			// Shots not Placed keep their relative order.
			placed := map[string]bool{}
			for _, id := range ch.Placed {
				placed[id] = true
			}
			keep := func(ids []string) []string {
				var out []string
				for _, id := range ids {
					if !placed[id] && p.Index(id) >= 0 {
						out = append(out, id)
					}
				}
				return out
			}
			if a, b := keep(order), keep(ids(p)); !slices.Equal(a, b) {
				t.Fatalf("unplaced shots moved: %v → %v (Change %+v)", a, b, ch)
			}
		}
		// Undo everything: back to the start.
		for {
			if _, err := e.Undo(); errors.Is(err, ErrNothingToUndo) {
				break
			} else if err != nil {
				t.Fatalf("Undo: %v", err)
			}
		}
		if got := encode(t, p); !bytes.Equal(got, snapshots[0]) {
			t.Fatalf("undoing everything did not restore the original project")
		}
	})
}

func TestFeatureCast(t *testing.T) {
	e := NewEditor(sample(t))
	cy := CastRef{ID: "cy", Name: "Cy", Handle: "@cy"}
	ch := doUndoRedo(t, e, FeatureCast(cy, "s1", "s3"))
	p := e.Project()
	if _, ok := p.CastMember("cy"); !ok || !slices.Contains(p.Shots[0].Cast, "cy") || !slices.Contains(p.Shots[2].Cast, "cy") {
		t.Errorf("after FeatureCast: cast %v, shot 1 %v, shot 3 %v", p.Cast, p.Shots[0].Cast, p.Shots[2].Cast)
	}
	if !ch.Project || !slices.Equal(ch.Saved, []string{"s1", "s3"}) {
		t.Errorf("Change = %+v", ch)
	}
	// A member already in the cast and the shot changes nothing more.
	ch = doUndoRedo(t, e, FeatureCast(CastRef{ID: "ana", Name: "Ana"}, "s2"))
	if ch.Project || len(ch.Saved) != 0 {
		t.Errorf("featuring Ana again: Change = %+v, want none", ch)
	}
}

// An edit cannot make a film longer than one can be made, but a project
// stored before the limit, already too long, can still be edited and cut
// down.
func TestEditKeepsFilmLength(t *testing.T) {
	p := sample(t)
	for p.Length()+MaxShotDuration <= MaxFilmLength {
		s := NewShot("filler")
		s.Duration = MaxShotDuration
		p.Shots = append(p.Shots, s)
	}
	e := NewEditor(p)
	long := NewShot("one too many")
	long.Duration = MaxShotDuration
	before := encode(t, p)
	_, err := e.Do(AddShot(-1, long))
	var ve *Error
	if !errors.As(err, &ve) || ve.Field != "shots" || !strings.Contains(ve.Msg, "a film can be at most 1 h") {
		t.Fatalf("Do(AddShot) past the limit = %v, want the film-length error", err)
	}
	if !bytes.Equal(encode(t, p), before) {
		t.Fatal("a refused edit changed the project")
	}
	last := p.Shots[len(p.Shots)-1].ID
	if _, err := e.Do(SetDuration(last, MaxShotDuration-time.Second)); err != nil {
		t.Fatalf("shortening a shot = %v", err)
	}

	// Over the limit already: shortening, deleting and retitling are
	// allowed; lengthening is not.
	p.Shots = append(p.Shots, long.Clone(), long.Clone())
	p.Shots[len(p.Shots)-1].ID = "extra"
	e = NewEditor(p)
	if _, err := e.Do(SetTitle("Too long")); err != nil {
		t.Errorf("retitling a project over the limit = %v", err)
	}
	if _, err := e.Do(SetDuration("extra", time.Second)); err != nil {
		t.Errorf("shortening a shot of a project over the limit = %v", err)
	}
	if _, err := e.Do(SetDuration("extra", 2*time.Second)); err == nil {
		t.Errorf("lengthening a shot of a project over the limit was allowed")
	}
	if _, err := e.Do(DeleteShots("extra")); err != nil {
		t.Errorf("deleting a shot of a project over the limit = %v", err)
	}
	if _, err := e.Undo(); err != nil {
		t.Errorf("undoing that delete = %v; undo returns to what was", err)
	}
}
