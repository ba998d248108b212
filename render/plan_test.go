package render_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/slatestudio/slate/internal/userfile/userfiletest"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/render/animatic"
	"github.com/slatestudio/slate/render/rendertest"
	"github.com/slatestudio/slate/timeline"
)

func TestCheckFilm(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "rain.wav")
	userfiletest.Mkfifo(t, fifo)
	wav := filepath.Join(dir, "bell.wav")
	if err := os.WriteFile(wav, []byte("RIFF"), 0o644); err != nil {
		t.Fatal(err)
	}
	withCue := func(shot int, file string) func(p *timeline.Project) {
		return func(p *timeline.Project) {
			p.Shots[shot].Cues = append(p.Shots[shot].Cues, timeline.Cue{Kind: timeline.Ambience, File: file, Duration: time.Second})
		}
	}
	tests := []struct {
		name  string
		edit  func(p *timeline.Project)
		shots []int
		want  string
	}{
		{"fine", nil, nil, ""},
		{"a sound file", withCue(1, wav), nil, ""},
		{"pipe", withCue(2, fifo), nil, "shot 3 (Shot 3), sound cue 1: " + fifo + " is a named pipe, not a sound file"},
		{"pipe in a shot chosen", withCue(2, fifo), []int{0, 2}, "shot 3 (Shot 3), sound cue 1: " + fifo + " is a named pipe, not a sound file"},
		{"pipe in a shot left out", withCue(2, fifo), []int{0, 1}, ""},
		{"device", withCue(0, "/dev/urandom"), nil, "shot 1 (Shot 1), sound cue 1: /dev/urandom is a device, not a sound file"},
		{"folder", withCue(0, dir), nil, "shot 1 (Shot 1), sound cue 1: " + dir + " is a folder, not a sound file"},
		{"missing", withCue(0, wav+".gone"), nil, "shot 1 (Shot 1), sound cue 1: " + wav + ".gone is not there; put the file back or choose another"},
		{"too long", func(p *timeline.Project) {
			for range 60 {
				s := timeline.NewShot("minute")
				s.Duration = time.Minute
				p.Shots = append(p.Shots, s)
			}
		}, nil, "Three is 1 h 12 s long; a film can be at most 1 h, so shorten it or make it as two projects"},
		{"long, but the shots chosen are not", func(p *timeline.Project) {
			for range 60 {
				s := timeline.NewShot("minute")
				s.Duration = time.Minute
				p.Shots = append(p.Shots, s)
			}
		}, []int{0, 5}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := timeline.New("Three")
			for i := range 3 {
				p.Shots = append(p.Shots, timeline.NewShot("Shot "+string(rune('1'+i))))
			}
			if tt.edit != nil {
				tt.edit(p)
			}
			err := render.CheckFilm(p, tt.shots)
			if got := errString(err); got != tt.want {
				t.Errorf("CheckFilm = %q, want %q", got, tt.want)
			}
		})
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// continuing is a queue whose backend starts a shot from the previous
// clip's last frame, and the first three shots of the example storyboard,
// a second each, the third continuing from the second.
func continuing(t *testing.T) (*studio, *rendertest.Counter, *timeline.Project) {
	t.Helper()
	s := newStudio(t, t.TempDir())
	a, err := animatic.New(s.tools)
	if err != nil {
		t.Fatal(err)
	}
	c := &rendertest.Counter{Backend: a, As: "conditioned", ImageConditioning: true}
	s.reg.Register(c.As, func() (render.Backend, error) { return c, nil })
	p := demoProject(t)
	p.Shots = p.Shots[:3]
	for _, sh := range p.Shots {
		sh.Duration, sh.Lines, sh.Cues = time.Second, nil, nil
	}
	p.Shots[2].Continue = true
	return s, c, p
}

// A shot that continues from the previous one is rendered once, whichever
// shots are asked for: rendering it alone ("slate render --shots 3")
// renders the shot it starts from first and starts from that clip, under
// the key the whole film looks up afterwards.
func TestContinuedShotRenderedOnce(t *testing.T) {
	ctx := context.Background()
	s, c, p := continuing(t)
	second, third := p.Shots[1].ID, p.Shots[2].ID

	clips, err := s.queue.RenderProject(ctx, p, render.ProjectOptions{Backend: c.As, Shots: []int{2}})
	if err != nil {
		t.Fatal(err)
	}
	if len(clips) != 1 {
		t.Fatalf("got %d clips for one shot", len(clips))
	}
	prev, err := s.lib.ShotClips(ctx, p.ID, second)
	if err != nil || len(prev) != 1 {
		t.Fatalf("shot 2's clips: %v, %v; want the one shot 3 starts from", prev, err)
	}
	if got, want := c.PrevClip(third), s.lib.Blobs().Path(prev[0].SHA256); got != want {
		t.Errorf("shot 3 started from %q, want shot 2's clip %q", got, want)
	}

	plan := s.queue.Plan(p, c.As, nil)
	if got := plan.Needs([]int{2}); !slices.Equal(got, []int{1, 2}) {
		t.Errorf("Needs(shot 3) = %v, want shots 2 and 3 (indexes 1, 2)", got)
	}
	if key, err := plan.Key(2); err != nil || key != clips[0].Key {
		t.Errorf("the plan's key of shot 3 is %q (%v), the clip's %q", key, err, clips[0].Key)
	}

	if _, err := s.queue.RenderProject(ctx, p, render.ProjectOptions{Backend: c.As}); err != nil {
		t.Fatal(err)
	}
	for i, sh := range p.Shots {
		if n := c.Renders(sh.ID); n != 1 {
			t.Errorf("shot %d was rendered %d times, want once", i+1, n)
		}
	}
}

// A continuing shot's key follows the shot it starts from: changing shot
// 2 changes shot 3's key, on a backend that starts from an image, and
// leaves it alone on one that does not.
func TestPlanKeyFollowsPreviousShot(t *testing.T) {
	s, c, p := continuing(t)
	changed := p.Clone()
	changed.Shots[1].Prompt += ", at dusk"
	for _, tt := range []struct {
		backend string
		follows bool
	}{{c.As, true}, {animatic.Name, false}} {
		before, err := s.queue.Plan(p, tt.backend, nil).Key(2)
		if err != nil {
			t.Fatal(err)
		}
		after, err := s.queue.Plan(changed, tt.backend, nil).Key(2)
		if err != nil {
			t.Fatal(err)
		}
		if (before != after) != tt.follows {
			t.Errorf("%s: shot 3's key changed with shot 2: %v, want %v", tt.backend, before != after, tt.follows)
		}
		if got := s.queue.Plan(p, tt.backend, nil).After(2); got != tt.follows {
			t.Errorf("%s: After(shot 3) = %v, want %v", tt.backend, got, tt.follows)
		}
	}
}
