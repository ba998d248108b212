// Package termbar draws progress bars on a terminal: one labelled bar per
// task and an overall bar under them, redrawn in place with ANSI escapes,
// at most ten times a second and never wider than the terminal. Where the
// output is not a terminal (a log file, a pipe, or --quiet) it writes one
// plain line each time a task's state changes instead, so a log never fills
// with redraws.
//
// It needs no third-party code and no terminal library: the only escapes
// it writes are cursor-up (ESC [ n A) and clear-line (ESC [ 2 K), which
// every terminal in use understands.
package termbar

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/slatestudio/slate/internal/clock"
)

// interval is the shortest time between two redraws: ten a second is
// smooth to the eye and cheap for a remote terminal.
const interval = 100 * time.Millisecond

// OverallLabel labels the overall bar.
const OverallLabel = "total"

// Bars is a set of progress bars. Its methods may be called from any
// goroutine.
type Bars struct {
	mu    sync.Mutex
	w     io.Writer
	tty   bool
	width int
	bars  []bar // the labelled bars, then the overall one

	drawn    int // lines on screen from the last redraw
	lastDraw time.Time
	pending  bool // a redraw is scheduled
	cancel   func() bool
	done     bool

	clock clock.Clock
}

type bar struct {
	label    string
	fraction float64
	state    string
	// since and from are when the current state began and the fraction
	// then, for the ETA.
	since time.Time
	from  float64
}

// New returns bars labelled labels, plus an overall bar, drawn on w. When
// isTTY is true they are drawn in place and the first frame appears at
// once; otherwise plain lines are written as states change. The width is
// $COLUMNS, or 80.
func New(w io.Writer, isTTY bool, labels []string) *Bars {
	return newBars(w, isTTY, labels, width(os.Getenv("COLUMNS")), clock.Real{})
}

func newBars(w io.Writer, isTTY bool, labels []string, width int, clk clock.Clock) *Bars {
	b := &Bars{w: w, tty: isTTY, width: width, clock: clk}
	t := clk.Now()
	for _, l := range labels {
		b.bars = append(b.bars, bar{label: clean(l), since: t})
	}
	b.bars = append(b.bars, bar{label: OverallLabel, since: t})
	if isTTY {
		b.mu.Lock()
		b.draw()
		b.mu.Unlock()
	}
	return b
}

// width reads $COLUMNS; anything unusable means 80.
func width(columns string) int {
	if n, err := strconv.Atoi(strings.TrimSpace(columns)); err == nil && n >= 20 && n <= 1000 {
		return n
	}
	return 80
}

// IsTerminal reports whether f is a terminal (a character device), where
// bars can be drawn in place.
func IsTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// Set updates bar i (in the order of the labels given to New): fraction
// done, from 0 to 1, and a short state such as "queued", "rendering",
// "done" or "failed: reason". While a state lasts, the terminal view adds
// an estimate of the time left from the progress made in it.
func (b *Bars) Set(i int, fraction float64, state string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if i < 0 || i >= len(b.bars)-1 {
		return
	}
	b.set(i, fraction, state)
}

// SetOverall updates the overall bar.
func (b *Bars) SetOverall(fraction float64, state string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.set(len(b.bars)-1, fraction, state)
}

func (b *Bars) set(i int, fraction float64, state string) {
	if b.done {
		return
	}
	if math.IsNaN(fraction) {
		fraction = 0
	}
	fraction = min(1, max(0, fraction))
	state = clean(state)
	r := &b.bars[i]
	changed := state != r.state
	if changed {
		r.state, r.since, r.from = state, b.clock.Now(), fraction
	}
	r.fraction = fraction
	if !b.tty {
		if changed {
			fmt.Fprintf(b.w, "%s … %s\n", r.label, state)
		}
		return
	}
	b.schedule()
}

// Note writes a line of text that stays, such as a warning about one
// task. On a terminal it goes above the bars, which are drawn again under
// it; otherwise it is a plain line of its own.
func (b *Bars) Note(text string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	text = clean(text)
	if !b.tty || b.done {
		fmt.Fprintln(b.w, text)
		return
	}
	var buf bytes.Buffer
	if b.drawn > 0 {
		fmt.Fprintf(&buf, "\x1b[%dA", b.drawn)
	}
	buf.WriteString("\r\x1b[2K")
	buf.WriteString(text)
	buf.WriteByte('\n')
	b.w.Write(buf.Bytes())
	// The bars start again under the note, over what is left of the last
	// frame.
	b.drawn = 0
	if b.pending && b.cancel != nil {
		b.cancel()
	}
	b.pending = false
	b.draw()
}

// schedule redraws now, or once the interval since the last redraw is up.
func (b *Bars) schedule() {
	if b.pending {
		return
	}
	wait := interval - b.clock.Now().Sub(b.lastDraw)
	if wait <= 0 {
		b.draw()
		return
	}
	b.pending = true
	b.cancel = b.clock.AfterFunc(wait, func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		if b.pending && !b.done {
			b.pending = false
			b.draw()
		}
	})
}

// Done draws the final state and stops: later calls change nothing, so
// whatever is written next starts on a clean line under the bars.
func (b *Bars) Done() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done {
		return
	}
	if b.pending && b.cancel != nil {
		b.cancel()
	}
	b.pending = false
	if b.tty {
		b.draw()
	}
	b.done = true
}

// draw writes every bar, over the previous frame if there is one.
func (b *Bars) draw() {
	var buf bytes.Buffer
	if b.drawn > 0 {
		fmt.Fprintf(&buf, "\x1b[%dA", b.drawn)
	}
	labelW := 0
	for _, r := range b.bars {
		labelW = max(labelW, utf8.RuneCountInString(r.label))
	}
	// One column is left free: writing the last one makes some terminals
	// wrap, and a wrapped line breaks the cursor-up count.
	labelW = min(labelW, max(8, (b.width-1)/3))
	now := b.clock.Now()
	for _, r := range b.bars {
		buf.WriteString("\r\x1b[2K")
		buf.WriteString(b.line(r, labelW, now))
		buf.WriteByte('\n')
	}
	b.w.Write(buf.Bytes())
	b.drawn = len(b.bars)
	b.lastDraw = now
}

// stateWidth is the room kept for the state text, ETA included.
const stateWidth = 22

// line lays out one bar: label, [=====>    ], percent, state.
func (b *Bars) line(r bar, labelW int, now time.Time) string {
	avail := b.width - 1
	state := r.state
	if eta, ok := r.eta(now); ok {
		state += ", ETA " + formatETA(eta)
	}
	label := fit(r.label, labelW)
	pct := fmt.Sprintf("%3d%%", int(r.fraction*100))
	barW := avail - labelW - len(" [] ") - len(pct) - 1 - stateWidth
	var s strings.Builder
	s.WriteString(label)
	s.WriteString(strings.Repeat(" ", labelW-utf8.RuneCountInString(label)))
	if barW >= 5 {
		s.WriteString(" [")
		s.WriteString(drawBar(r.fraction, barW))
		s.WriteString("]")
	}
	s.WriteString(" ")
	s.WriteString(pct)
	if rest := avail - utf8.RuneCountInString(s.String()) - 1; rest > 0 && state != "" {
		s.WriteString(" ")
		s.WriteString(fit(state, rest))
	}
	return s.String()
}

// eta estimates the time left from the progress made since the state
// began; there is no estimate until a second of it has passed.
func (r bar) eta(now time.Time) (time.Duration, bool) {
	spent := now.Sub(r.since)
	made := r.fraction - r.from
	if r.fraction <= 0 || r.fraction >= 1 || made <= 0 || spent < time.Second {
		return 0, false
	}
	return time.Duration(float64(spent) * (1 - r.fraction) / made), true
}

// formatETA rounds up to whole seconds: "12 s", "3 min 5 s", "1 h 2 min".
func formatETA(d time.Duration) string {
	s := int((d + time.Second - 1) / time.Second)
	switch {
	case s < 60:
		return fmt.Sprintf("%d s", s)
	case s < 3600:
		if s%60 == 0 {
			return fmt.Sprintf("%d min", s/60)
		}
		return fmt.Sprintf("%d min %d s", s/60, s%60)
	}
	return fmt.Sprintf("%d h %d min", s/3600, s%3600/60)
}

// drawBar fills width cells: "=====>    ".
func drawBar(fraction float64, width int) string {
	n := int(fraction * float64(width))
	switch {
	case n <= 0:
		return strings.Repeat(" ", width)
	case n >= width:
		return strings.Repeat("=", width)
	}
	return strings.Repeat("=", n-1) + ">" + strings.Repeat(" ", width-n)
}

// clean replaces control characters with spaces: a label comes from a
// project file, and an escape sequence in it must not reach the terminal.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return ' '
		}
		return r
	}, s)
}

// fit shortens s to n characters, ending with "…" when cut.
func fit(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n <= 1 {
		return string([]rune(s)[:max(n, 0)])
	}
	return string([]rune(s)[:n-1]) + "…"
}

// Meter draws a sound level in dBFS as a bar of width cells, from −60 dBFS
// (empty) to 0 (full), followed by the figure: "████████░░░░ −18 dB".
func Meter(dbfs float64, width int) string {
	if width < 1 {
		width = 1
	}
	f := (dbfs + 60) / 60
	n := int(f*float64(width) + 0.5)
	n = max(0, min(width, n))
	figure := "  -∞ dB"
	if dbfs > -90 {
		figure = fmt.Sprintf(" %3.0f dB", dbfs)
	}
	return strings.Repeat("█", n) + strings.Repeat("░", width-n) + strings.ReplaceAll(figure, "-", "−")
}
