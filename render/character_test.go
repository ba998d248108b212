package render_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/render/animatic"
	"github.com/slatestudio/slate/timeline"
)

// kite is a one-shot project in which the narrator and Ada, a character
// with a voice of her own, each say a line, and Ada is featured.
func kite(t *testing.T) *timeline.Project {
	t.Helper()
	p := timeline.New("The Kite")
	p.Width, p.Height, p.FPS = 320, 180, 24
	ada := timeline.CastRef{ID: "ada", Name: "Ada", Voice: "en-us+f4", Character: true, Description: "a girl of nine in a yellow raincoat"}
	p.Cast = []timeline.CastRef{{ID: "theo", Name: "Theo"}, ada}
	sh := timeline.NewShot("The hill")
	sh.Prompt = "a red kite over a green hill"
	sh.Duration = 4 * time.Second
	sh.Cast = []string{"ada"}
	sh.Lines = []timeline.Line{
		{Speaker: timeline.Narrator, Text: "Up on the hill.", Start: 0},
		{Speaker: "ada", Text: "Come on, catch the wind!", Start: 1500 * time.Millisecond},
	}
	p.Shots = []*timeline.Shot{sh}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	return p
}

// A character's line is spoken in the character's voice, not the
// narrator's or a default, and captioned with the character's name.
func TestCharacterSpeaksInTheirVoice(t *testing.T) {
	tools := needTools(t)
	p := kite(t)
	req := render.NewRequest(p, 0, "")
	if v := render.VoiceFor(p.Cast, p.Shots[0].Lines[1]); v != "en-us+f4" {
		t.Errorf("VoiceFor(Ada's line) = %q, want her voice en-us+f4", v)
	}
	vs := &spy{Voices: render.DefaultVoices(tools)}
	_, captions, err := render.SoundtrackWith(t.Context(), tools, vs, req)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs.calls) != 2 || vs.calls[1].text != "Come on, catch the wind!" || vs.calls[1].voice != "en-us+f4" || vs.calls[0].voice == "en-us+f4" {
		t.Errorf("spoken: %+v; want Ada's line in en-us+f4 and the narrator's in another voice", vs.calls)
	}
	if len(captions) != 2 || captions[1].Speaker != "Ada" || captions[1].Text != "Come on, catch the wind!" {
		t.Errorf("captions = %+v, want Ada's", captions)
	}
}

// A featured character's description is folded into the shot's prompt as
// a member's preferences are; linked to a recorded member, the member's
// preferences and likeness come too. Both are in the render key.
func TestCharacterFoldedIntoPrompt(t *testing.T) {
	p := kite(t)
	reg := render.NewRegistry()
	reg.Register(animatic.Name, func() (render.Backend, error) { return animatic.New(needTools(t)) })
	plan := func(p *timeline.Project, likeness map[string]render.Likeness) (*render.Request, string) {
		t.Helper()
		pl := render.NewPlan(p, reg, render.PlanOptions{Likeness: likeness, Pictures: func(sum string) string { return "/blobs/" + sum }})
		k, err := pl.Key(0)
		if err != nil {
			t.Fatal(err)
		}
		return pl.Request(0), k
	}
	req, key := plan(p, nil)
	if got, want := req.Prompt(), "a red kite over a green hill; Ada: a girl of nine in a yellow raincoat"; got != want {
		t.Errorf("Prompt() = %q, want %q", got, want)
	}

	p.Cast[1].Description = "a girl of ten"
	if _, k := plan(p, nil); k == key {
		t.Error("changing Ada's description left the render key as it was")
	}

	// A picture of her own is her still.
	pic := strings.Repeat("c", 64)
	p.Cast[1].Image = pic
	req, withPic := plan(p, nil)
	if l := req.Likeness["ada"]; l.StillSHA256 != pic || l.Still != "/blobs/"+pic {
		t.Errorf("Ada's likeness with a picture = %+v", l)
	}
	if withPic == key {
		t.Error("giving Ada a picture left the render key as it was")
	}

	// Played by Theo: his still and preferences are hers.
	p.Cast[1].Member = "theo"
	theo := map[string]render.Likeness{"theo": {Still: "/theo.jpg", StillSHA256: strings.Repeat("d", 64), Preferences: "always wears a red scarf"}}
	req, linked := plan(p, theo)
	if got, want := req.Prompt(), "a red kite over a green hill; Ada: a girl of ten; always wears a red scarf"; got != want {
		t.Errorf("Prompt() played by Theo = %q, want %q", got, want)
	}
	if l := req.Likeness["ada"]; l.Still != "/theo.jpg" {
		t.Errorf("Ada played by Theo has the likeness %+v", l)
	}
	if linked == withPic {
		t.Error("Theo playing Ada left the render key as it was")
	}
}

// A character needs no consent; played by someone else's member, it
// needs that person's consent exactly as the member would.
func TestLinkedCharacterNeedsConsent(t *testing.T) {
	ctx := context.Background()
	g := newGate(t, t.TempDir(), nil, false)
	p := kite(t)
	if m, err := render.Featured(ctx, g.lib, p.Cast, p.Shots...); err != nil || len(m) != 0 {
		t.Errorf("Featured with Ada played by nobody = %v, %v; want none", m, err)
	}
	if _, err := render.PermitFilm(ctx, g.lib, nil, p); err != nil {
		t.Errorf("PermitFilm with Ada played by nobody: %v", err)
	}
	// My own member playing her needs nobody's grant either.
	p.Cast[1].Member = "theo"
	if m, err := render.Featured(ctx, g.lib, p.Cast, p.Shots...); err != nil || len(m) != 0 {
		t.Errorf("Featured with Ada played by Theo (mine) = %v, %v; want none", m, err)
	}

	// @mara's member playing her: featured, speaking, or both.
	p.Cast[1].Member = "mara"
	for _, tt := range []struct {
		name  string
		shape func(sh *timeline.Shot)
	}{
		{"featured and speaking", func(*timeline.Shot) {}},
		{"speaking only", func(sh *timeline.Shot) { sh.Cast = nil }},
		{"featured only", func(sh *timeline.Shot) { sh.Lines = sh.Lines[:1] }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			q := p.Clone()
			tt.shape(q.Shots[0])
			m, err := render.Featured(ctx, g.lib, q.Cast, q.Shots...)
			var handles []string
			for _, x := range m {
				handles = append(handles, x.Handle)
			}
			if err != nil || !slices.Equal(handles, []string{"@mara"}) {
				t.Errorf("Featured = %v, %v; want @mara", handles, err)
			}
			_, err = render.PermitFilm(ctx, g.lib, nil, q)
			var ce *render.ConsentError
			if !errors.As(err, &ce) || !slices.Equal(ce.Handles, []string{"@mara"}) {
				t.Errorf("PermitFilm = %v; want a consent error naming @mara", err)
			}
		})
	}
	j := g.render(t, p, 0)
	g.refused(t, j, "needs consent from @mara: log in to the account server")
	g.noClips(t, p, 0)
}
