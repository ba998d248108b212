package termbar

import (
	"bytes"
	"context"
	"math"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// fakeTime is a clock the test moves by hand, and a timer the test fires.
type fakeTime struct {
	t       time.Time
	waits   []time.Duration
	pending func()
}

func (f *fakeTime) Now() time.Time { return f.t }

// Sleep is never called: bars wait only by timers.
func (f *fakeTime) Sleep(context.Context, time.Duration) error {
	panic("termbar slept")
}

func (f *fakeTime) AfterFunc(d time.Duration, fn func()) func() bool {
	f.waits = append(f.waits, d)
	f.pending = fn
	return func() bool { f.pending = nil; return true }
}

// fire runs the scheduled redraw, as the timer would.
func (f *fakeTime) fire() {
	if fn := f.pending; fn != nil {
		f.pending = nil
		fn()
	}
}

func newTest(isTTY bool, width int, labels ...string) (*Bars, *bytes.Buffer, *fakeTime) {
	var buf bytes.Buffer
	ft := &fakeTime{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	return newBars(&buf, isTTY, labels, width, ft), &buf, ft
}

func TestPlainLinesOncePerState(t *testing.T) {
	b, buf, _ := newTest(false, 80, "shot 1/5 Harbour at dusk", "shot 2/5 Mara at the window")
	b.Set(0, 0, "queued")
	b.Set(1, 0, "queued")
	b.SetOverall(0, "rendering")
	for f := 0.0; f < 1; f += 0.01 {
		b.Set(0, f, "rendering")
	}
	b.Set(0, 1, "done")
	b.Set(1, 1, "done (cached)")
	b.Set(1, 1, "done (cached)")
	b.SetOverall(0.9, "assembling")
	b.SetOverall(1, "done")
	b.Set(7, 1, "out of range")
	b.Done()
	b.Set(0, 1, "after done")
	want := `shot 1/5 Harbour at dusk … queued
shot 2/5 Mara at the window … queued
total … rendering
shot 1/5 Harbour at dusk … rendering
shot 1/5 Harbour at dusk … done
shot 2/5 Mara at the window … done (cached)
total … assembling
total … done
`
	if got := buf.String(); got != want {
		t.Errorf("plain output:\n%s\nwant:\n%s", got, want)
	}
}

func TestTerminalFrames(t *testing.T) {
	b, buf, ft := newTest(true, 75, "shot 1/2 Harbour at dusk", "shot 2/2 Mara")
	first := "\r\x1b[2Kshot 1/2 Harbour at dusk [                   ]   0%\n" +
		"\r\x1b[2Kshot 2/2 Mara            [                   ]   0%\n" +
		"\r\x1b[2Ktotal                    [                   ]   0%\n"
	if got := buf.String(); got != first {
		t.Fatalf("first frame:\n%q\nwant\n%q", got, first)
	}

	// Within the interval nothing is drawn; one redraw is scheduled.
	buf.Reset()
	b.Set(0, 0.1, "rendering")
	b.Set(1, 0, "queued")
	b.SetOverall(0.05, "rendering")
	if buf.Len() != 0 || len(ft.waits) != 1 || ft.waits[0] != interval {
		t.Fatalf("updates within %v: wrote %q, scheduled %v; want nothing written and one redraw in %v", interval, buf.String(), ft.waits, interval)
	}
	ft.t = ft.t.Add(interval)
	ft.fire()
	second := "\x1b[3A" +
		"\r\x1b[2Kshot 1/2 Harbour at dusk [>                  ]  10% rendering\n" +
		"\r\x1b[2Kshot 2/2 Mara            [                   ]   0% queued\n" +
		"\r\x1b[2Ktotal                    [                   ]   5% rendering\n"
	if got := buf.String(); got != second {
		t.Fatalf("second frame:\n%q\nwant\n%q", got, second)
	}

	// Two seconds later, 40% more: 2.5 s to go, shown rounded up. The
	// first update is drawn at once, the second waits, and Done draws it.
	buf.Reset()
	ft.t = ft.t.Add(2 * time.Second)
	b.Set(0, 0.5, "rendering")
	b.Set(1, 1, "done (cached)")
	b.Done()
	third := "\x1b[3A" +
		"\r\x1b[2Kshot 1/2 Harbour at dusk [========>          ]  50% rendering, ETA 3 s\n" +
		"\r\x1b[2Kshot 2/2 Mara            [===================] 100% done (cached)\n" +
		"\r\x1b[2Ktotal                    [                   ]   5% rendering\n"
	if got := buf.String(); !strings.HasSuffix(got, third) || strings.Count(got, "\x1b[3A") != 2 {
		t.Fatalf("two frames, the last:\n%q\nwant it to end with\n%q", got, third)
	}

	buf.Reset()
	b.Set(0, 1, "done")
	b.Done()
	ft.fire()
	if buf.Len() != 0 {
		t.Errorf("after Done: wrote %q, want nothing", buf.String())
	}
}

func TestTerminalThrottle(t *testing.T) {
	b, buf, ft := newTest(true, 80, "a", "b", "c")
	redraws := func() int { return strings.Count(buf.String(), "\x1b[4A") }
	// A second of updates, one every millisecond: at most ten redraws.
	for ms := range 1000 {
		ft.t = ft.t.Add(time.Millisecond)
		b.Set(ms%3, float64(ms)/1000, "rendering")
		if ft.pending != nil && ms%100 == 99 {
			ft.fire()
		}
	}
	if n := redraws(); n < 5 || n > 10 {
		t.Errorf("1000 updates in 1 s gave %d redraws, want 5 to 10", n)
	}
	b.Done()
}

var visible = regexp.MustCompile(`\x1b\[[0-9]*[A-Za-z]|\r`)

func TestTerminalWidth(t *testing.T) {
	long := strings.Repeat("Ünïcödé title that goes on ", 5)
	for _, width := range []int{20, 40, 80, 200} {
		b, buf, ft := newTest(true, width, "shot 1/9 "+long, "shot 2/9 short")
		ft.t = ft.t.Add(time.Second)
		b.Set(0, 0.42, "failed: "+long)
		b.Set(1, 0.5, "rendering")
		b.Done()
		for _, line := range strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n") {
			line = visible.ReplaceAllString(line, "")
			if n := utf8.RuneCountInString(line); n > width-1 {
				t.Errorf("width %d: line of %d characters: %q", width, n, line)
			}
		}
		if width >= 40 && !strings.Contains(buf.String(), "[") {
			t.Errorf("width %d: no bar drawn:\n%s", width, buf.String())
		}
		if !strings.Contains(buf.String(), "…") {
			t.Errorf("width %d: long label not shortened with …:\n%s", width, buf.String())
		}
	}
}

func TestControlCharactersRemoved(t *testing.T) {
	for _, tty := range []bool{false, true} {
		b, buf, _ := newTest(tty, 80, "shot 1/1 \x1b[31mred\x1b[0m")
		b.Set(0, math.NaN(), "failed: line one\nline two\u009b2J")
		b.Done()
		out := visible.ReplaceAllString(buf.String(), "")
		if strings.Contains(out, "\x1b") || strings.Contains(out, "\u009b") || strings.Count(out, "\n") != map[bool]int{false: 1, true: 4}[tty] {
			t.Errorf("tty=%v: control characters reached the output: %q", tty, buf.String())
		}
	}
}

func TestWidthFromColumns(t *testing.T) {
	for in, want := range map[string]int{"": 80, "120": 120, " 100 ": 100, "abc": 80, "5": 80, "-3": 80, "100000": 80} {
		if got := width(in); got != want {
			t.Errorf("width(%q) = %d, want %d", in, got, want)
		}
	}
}

func TestFormatETA(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0 s"}, {100 * time.Millisecond, "1 s"}, {12 * time.Second, "12 s"}, {59500 * time.Millisecond, "1 min"},
		{60 * time.Second, "1 min"}, {185 * time.Second, "3 min 5 s"}, {3720 * time.Second, "1 h 2 min"},
	}
	for _, tt := range tests {
		if got := formatETA(tt.d); got != tt.want {
			t.Errorf("formatETA(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestDrawBar(t *testing.T) {
	tests := []struct {
		f    float64
		want string
	}{
		{0, "          "}, {0.05, "          "}, {0.1, ">         "}, {0.55, "====>     "}, {0.99, "========> "}, {1, "=========="},
	}
	for _, tt := range tests {
		if got := drawBar(tt.f, 10); got != tt.want {
			t.Errorf("drawBar(%v, 10) = %q, want %q", tt.f, got, tt.want)
		}
	}
}

func TestNote(t *testing.T) {
	b, buf, _ := newTest(false, 80, "shot 1/2 A")
	b.Set(0, 0, "queued")
	b.Note("the cached clip of shot 1 was damaged;\x1b[2J rendering it again")
	b.Set(0, 0.5, "rendering")
	want := "shot 1/2 A … queued\nthe cached clip of shot 1 was damaged; [2J rendering it again\nshot 1/2 A … rendering\n"
	if got := buf.String(); got != want {
		t.Errorf("plain output with a note:\n%q\nwant\n%q", got, want)
	}

	// On a terminal the note replaces the top line of the last frame and
	// the bars are drawn whole under it.
	b, buf, _ = newTest(true, 60, "shot 1/1 A")
	buf.Reset()
	b.Note("a note")
	want = "\x1b[2A\r\x1b[2Ka note\n" +
		"\r\x1b[2Kshot 1/1 A [" + strings.Repeat(" ", 18) + "]   0%\n" +
		"\r\x1b[2Ktotal      [" + strings.Repeat(" ", 18) + "]   0%\n"
	if got := buf.String(); got != want {
		t.Errorf("terminal output with a note:\n%q\nwant\n%q", got, want)
	}
	b.Done()
	buf.Reset()
	b.Note("after")
	if got := buf.String(); got != "after\n" {
		t.Errorf("a note after Done = %q, want a plain line", got)
	}
}
