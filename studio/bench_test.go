package studio

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/render/animatic"
	"github.com/slatestudio/slate/timeline"
)

func manyShots(n int) *timeline.Project {
	p := timeline.New("Many")
	p.Cast = []timeline.CastRef{{ID: "ana", Name: "Ana"}}
	for i := range n {
		s := timeline.NewShot(fmt.Sprintf("Shot %d", i+1))
		s.Prompt = "a harbour at dusk"
		s.Duration = time.Duration(2+i%5) * time.Second
		s.Cast = []string{"ana"}
		if i%7 == 0 {
			s.Transition = timeline.Transition{Kind: timeline.Crossfade, Duration: 500 * time.Millisecond}
		}
		p.Shots = append(p.Shots, s)
	}
	return p
}

// BenchmarkTimelineRefresh times bringing the timeline up to date after one
// edit (a prompt change on a shot in view), on a 1,000-shot project and,
// as the baseline in the same run, on a 10-shot one. Only the cards in
// view are touched, so the two should cost about the same.
func BenchmarkTimelineRefresh(b *testing.B) {
	var per [2]time.Duration
	for k, n := range []int{10, 1000} {
		h := newHarness(b, manyShots(n))
		h.ui.drain()
		id := h.s.Project().Shots[1].ID
		var took time.Duration
		for i := range b.N {
			ch, err := h.s.doc.Do(h.s.ctx, timeline.SetPrompt(id, fmt.Sprintf("edit %d", i)))
			if err != nil {
				b.Fatal(err)
			}
			t0 := time.Now()
			h.s.timeline.projectChanged(ch)
			took += time.Since(t0)
		}
		per[k] = took / time.Duration(b.N)
		if n := len(h.cards()); n == 0 || n > 60 {
			b.Fatalf("%d cards have widgets, want only those in view", n)
		}
	}
	b.ReportMetric(float64(per[1].Microseconds())/1000, "ms/refresh-1000")
	b.ReportMetric(float64(per[0].Microseconds())/1000, "ms/refresh-10")
	b.ReportMetric(float64(per[1])/float64(per[0]), "ratio")
}

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
	prompt.Shots[0].Prompt = longPrompt(timeline.MaxPromptRunes)
	titles := base()
	titles.Title = strings.Repeat("Last Light, ", timeline.MaxTitleRunes)[:timeline.MaxTitleRunes]
	for _, s := range titles.Shots {
		s.Title = titles.Title
	}
	// The longest line that fits in the longest shot, on every shot.
	dialogue := base()
	line := longPrompt(timeline.MaxLineRunes)
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
	many := manyShots(timeline.MaxShots)
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
	tools := needTools(b)
	dir := b.TempDir()
	lib, err := library.Open(b.Context(), filepath.Join(dir, "library"), library.Options{Exclusive: true})
	if err != nil {
		b.Fatal(err)
	}
	defer lib.Close()
	reg := render.NewRegistry()
	reg.Register(animatic.Name, func() (render.Backend, error) { return animatic.New(tools) })
	q := render.NewQueue(lib, reg, render.QueueOptions{Workers: 1})
	defer q.Close()
	a := test.NewTempApp(b)
	ui := &uiQueue{ch: make(chan func(), 1<<16)}

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
		s := New(a, Deps{Library: lib, Doc: doc, Queue: q, Backends: reg, Tools: tools, Clock: newTestClock(), Do: ui.do})
		s.win.Resize(fyne.NewSize(1440, 900))
		s.win.Show()
		ui.drain()
		s.win.Canvas().Capture()
		took := time.Since(t0)
		s.win.Close()
		ui.drain()
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
