package studio

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/slatestudio/slate/studio/studiotest"
	"github.com/slatestudio/slate/timeline"
)

// largest are projects holding the most of something a project may hold,
// each beside the one-line baseline it is compared with.
func largest(t testing.TB) []struct {
	name string
	p    *timeline.Project
} {
	base := func() *timeline.Project {
		p := smallDemo(t)
		for _, s := range p.Shots {
			s.Prompt = "a harbour at dusk"
		}
		return p
	}
	prompt := base()
	prompt.Shots[0].Prompt = studiotest.LongPrompt(timeline.MaxPromptRunes)
	titles := base()
	titles.Title = strings.Repeat("Last Light, ", timeline.MaxTitleRunes)[:timeline.MaxTitleRunes]
	for _, s := range titles.Shots {
		s.Title = titles.Title
	}
	// The longest line that fits in the longest shot, on every shot.
	dialogue := base()
	line := studiotest.LongPrompt(timeline.MaxLineRunes)
	for timeline.SpeechTime(line) > timeline.MaxShotDuration {
		line = line[:len(line)-10]
	}
	for _, s := range dialogue.Shots {
		s.Duration = timeline.MaxShotDuration
		s.Lines = []timeline.Line{{Speaker: timeline.Narrator, Text: line}}
		s.Cues = nil
	}
	// The most shots a project may hold, within the longest film: at
	// half a second each, overlapped by 0.2 s crossfades, 10,000 shots
	// last 50 minutes.
	many := studiotest.ManyShots(timeline.MaxShots)
	for i, s := range many.Shots {
		s.Duration = timeline.MinShotDuration
		s.Transition = timeline.Transition{Kind: timeline.Crossfade, Duration: 200 * time.Millisecond}
		if i == len(many.Shots)-1 {
			s.Transition = timeline.Transition{Kind: timeline.Cut}
		}
	}
	if err := many.CheckLength(); err != nil {
		t.Fatal(err)
	}
	return []struct {
		name string
		p    *timeline.Project
	}{
		{"one-line", base()},
		{"prompt", prompt},
		{"titles", titles},
		{"dialogue", dialogue},
		{"10000-shots", many},
	}
}

// BenchmarkImportToReady times opening a .slate file in the studio, from
// reading the file to the window laid out and drawn once, for projects
// that hold the most of something a project may hold (the longest prompt,
// titles and lines; 10,000 shots), against a project with one-line
// prompts in the same run. Each should open about as fast as the
// baseline: the prompt's ratio is to stay at most 2. SLATE_BENCH_OPEN
// names one case to time beside the baseline.
func BenchmarkImportToReady(b *testing.B) {
	env := studiotest.New(b, studiotest.Options{Workers: 1})
	lib, q, reg, tools, a := env.Library, env.Queue, env.Backends, env.Tools, env.App
	dir := b.TempDir()

	var baseline time.Duration
	cases := largest(b)
	if only := os.Getenv("SLATE_BENCH_OPEN"); only != "" {
		cases = slices.DeleteFunc(cases, func(c struct {
			name string
			p    *timeline.Project
		}) bool {
			return c.name != "one-line" && c.name != only
		})
	}
	// A first open, not timed, warms the caches (fonts, the animatic's
	// backend) for all the cases alike.
	open := func(path string) time.Duration {
		t0 := time.Now()
		doc, err := lib.ImportFile(context.Background(), path)
		if err != nil {
			b.Fatal(err)
		}
		s := New(b.Context(), a, Deps{Library: lib, Doc: doc, Queue: q, Backends: reg, Tools: tools, Clock: studiotest.NewClock(), Do: env.UI.Do})
		s.win.Resize(fyne.NewSize(1440, 900))
		s.win.Show()
		env.UI.Drain()
		s.win.Canvas().Capture()
		took := time.Since(t0)
		s.win.Close()
		env.UI.Drain()
		return took
	}
	for i, c := range cases {
		path := filepath.Join(dir, c.name+".slate")
		data, err := timeline.Encode(c.p)
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			b.Fatal(err)
		}
		if i == 0 {
			open(path)
		}
		var took time.Duration
		for range b.N {
			took += open(path)
		}
		per := took / time.Duration(b.N)
		b.ReportMetric(float64(per.Microseconds())/1000, "ms/"+c.name)
		if c.name == "one-line" {
			baseline = per
			continue
		}
		b.ReportMetric(float64(per)/float64(baseline), "ratio/"+c.name)
	}
}
