package render_test

import (
	"testing"

	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/render/animatic"
)

// A featured member's still and preferences are part of the key: a new
// still or new preferences re-render their shots, and nobody else's.
func TestKeyFollowsLikeness(t *testing.T) {
	b, err := animatic.New(needTools(t))
	if err != nil {
		t.Fatal(err)
	}
	p := demoProject(t)
	req := render.NewRequest(p, 1, "") // features Mara
	base := render.Key(b, req)
	with := func(l map[string]render.Likeness) string {
		r := *req
		r.Likeness = l
		return render.Key(b, &r)
	}
	if k := with(map[string]render.Likeness{"theo": {StillSHA256: "t", Preferences: "no hats"}}); k != base {
		t.Error("the likeness of a member the shot does not feature changed its key")
	}
	a := with(map[string]render.Likeness{"mara": {StillSHA256: "s1", Preferences: "red scarf"}})
	if a == base {
		t.Error("a featured member's likeness did not change the key")
	}
	if with(map[string]render.Likeness{"mara": {StillSHA256: "s2", Preferences: "red scarf"}}) == a {
		t.Error("a new still did not change the key")
	}
	if with(map[string]render.Likeness{"mara": {StillSHA256: "s1", Preferences: "blue scarf"}}) == a {
		t.Error("new preferences did not change the key")
	}
}
