package storyboard

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/slatestudio/slate/studio/studiotest"
	"github.com/slatestudio/slate/timeline"
)

// measuringDriver counts the runes of text Fyne measures, which is the
// work of laying text out. Past its budget it panics, so that code that
// measures without bound fails in seconds instead of hanging the test.
type measuringDriver struct {
	fyne.Driver
	runes  atomic.Int64
	budget int64
}

func (d *measuringDriver) RenderedTextSize(text string, size float32, style fyne.TextStyle, source fyne.Resource) (fyne.Size, float32) {
	if n := d.runes.Add(int64(utf8.RuneCountInString(text))); n > d.budget {
		panic(fmt.Sprintf("measured %d runes of text, over the budget of %d: text layout grows faster than the text", n, d.budget))
	}
	return d.Driver.RenderedTextSize(text, size, style, source)
}

type measuringApp struct {
	fyne.App
	drv *measuringDriver
}

func (a *measuringApp) Driver() fyne.Driver { return a.drv }

// measuringBoard is the storyboard over p on an app whose text measuring
// is counted, with a budget of budget runes.
func measuringBoard(t *testing.T, p *timeline.Project, budget int64) (*board, *measuringDriver) {
	base := test.NewTempApp(t)
	drv := &measuringDriver{Driver: base.Driver(), budget: budget}
	a := &measuringApp{App: base, drv: drv}
	fyne.SetCurrentApp(a)
	b := newBoardOn(t, a, p)
	b.ui.Drain()
	return b, drv
}

// TestLongestPromptOpensInLinearTime opens the storyboard on a shot with
// the longest prompt a project may hold, and types in it. Fyne's own word
// wrap measured the rest of the paragraph again for each row it made, so
// the studio took 36 s to open an 8,000-character prompt and did not open
// a 32,000-character one within a minute. Opening may measure each rune
// of the prompt a few dozen times, and a keystroke a few dozen times.
func TestLongestPromptOpensInLinearTime(t *testing.T) {
	p := studiotest.SmallDemo(t)
	n := timeline.MaxPromptRunes - 1 // room for one more rune
	prompt := studiotest.LongPrompt(n)
	p.Shots[0].Prompt = prompt
	b, drv := measuringBoard(t, p, 100*int64(n))
	opened := drv.runes.Load()
	t.Logf("opening measured %d runes (%.1f per rune of the prompt)", opened, float64(opened)/float64(n))
	if opened > 40*int64(n) {
		t.Errorf("opening the storyboard measured %d runes of text for a prompt of %d, want at most %d", opened, n, 40*n)
	}

	in := b.in
	if got := in.prompt.value(); got != prompt {
		t.Fatalf("the prompt field holds %d runes, want the prompt's %d", utf8.RuneCountInString(got), n)
	}
	test.Type(in.prompt, "A")
	typed := drv.runes.Load() - opened
	t.Logf("one keystroke measured %d runes", typed)
	if typed > 20*int64(n) {
		t.Errorf("a keystroke in the prompt measured %d runes of text, want at most %d", typed, 20*n)
	}
	b.clock.Advance(promptPause)
	b.ui.Drain()
	if got, want := b.s.Project().Shots[0].Prompt, "A"+prompt; got != want {
		t.Errorf("after typing, the prompt starts %q and has %d runes; want %q and %d", got[:20], utf8.RuneCountInString(got), want[:20], n+1)
	}
}

// TestPromptFieldFitsItsLines: the prompt field shows the prompt in lines
// that fit the field, and gives back exactly the prompt.
func TestPromptFieldFitsItsLines(t *testing.T) {
	p := studiotest.SmallDemo(t)
	p.Shots[0].Prompt = studiotest.LongPrompt(3000) + "\n\nA second paragraph.\n" + strings.Repeat("x", 700)
	b := newBoard(t, p)
	b.ui.Drain()
	e := b.in.prompt
	if e.Size().Width < 100 {
		t.Fatalf("the prompt field is %v wide", e.Size().Width)
	}
	room := e.Size().Width - 2*theme.InnerPadding()
	lines := strings.Split(e.Text, "\n")
	if len(lines) < 3000/60 {
		t.Errorf("the prompt is shown in %d lines, want it wrapped", len(lines))
	}
	for i, line := range lines {
		if w := fyne.MeasureText(line, theme.TextSize(), fyne.TextStyle{}).Width; w > room {
			t.Errorf("line %d (%q) is %v wide, wider than the field's %v", i+1, line, w, room)
		}
	}
	if got := e.value(); got != p.Shots[0].Prompt {
		t.Errorf("the field holds %q…, want the prompt", got[:40])
	}
}

// TestPromptFieldEditing edits a long prompt shown in lines the studio
// laid out: the field holds the start of it until clicked into; copying
// gives the prompt without the line breaks; Backspace at the start of a
// line that breaks a long word deletes a letter of it; undo and redo work
// on the prompt.
func TestPromptFieldEditing(t *testing.T) {
	p := studiotest.SmallDemo(t)
	word := strings.Repeat("x", 300)
	prompt := studiotest.LongPrompt(2500) + " " + word + " end"
	p.Shots[0].Prompt = prompt
	b := newBoard(t, p)
	b.ui.Drain()
	in := b.in
	e := in.prompt

	if !e.wrap.clipped() || len(e.Text) >= len(prompt) || !in.promptStart.Visible() {
		t.Fatalf("before a click the field holds %d of %d characters (start note shown: %v), want the start only", len(e.Text), len(prompt), in.promptStart.Visible())
	}
	b.win.Canvas().Focus(e)
	if e.wrap.clipped() || in.promptStart.Visible() || e.value() != prompt {
		t.Fatalf("after a click the field holds %d characters, want all of the prompt's lines", len(e.Text))
	}

	cb := test.NewClipboard()
	e.TypedShortcut(&fyne.ShortcutSelectAll{})
	e.TypedShortcut(&fyne.ShortcutCopy{Clipboard: cb})
	if got := cb.Content(); got != prompt {
		t.Errorf("copying all gave %d characters with %d line breaks, want the prompt (%d characters, none)", len(got), strings.Count(got, "\n"), len(prompt))
	}

	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyLeft}) // ends the selection
	if sel := e.SelectedText(); sel != "" {
		t.Fatalf("still selected: %d characters", len(sel))
	}
	// The start of the second line of the long word.
	var at int
	for _, b := range e.wrap.text.soft {
		if !b.space {
			at = b.at + 1
			break
		}
	}
	if at == 0 {
		t.Fatalf("the %d-letter word was not broken across lines in %q", len(word), e.Text)
	}
	e.CursorRow, e.CursorColumn = rowCol([]rune(e.Text), at)
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyBackspace})
	shorter := strings.Replace(prompt, word, word[1:], 1)
	if got := e.value(); got != shorter {
		t.Fatalf("Backspace at the start of a line inside a word: the prompt has %d characters, want %d (one letter fewer)", len(got), len(shorter))
	}
	e.TypedShortcut(&fyne.ShortcutUndo{})
	if got := e.value(); got != prompt {
		t.Errorf("undo: the prompt has %d characters, want the %d it had", len(got), len(prompt))
	}
	e.TypedShortcut(&fyne.ShortcutRedo{})
	if got := e.value(); got != shorter {
		t.Errorf("redo: the prompt has %d characters, want %d", len(got), len(shorter))
	}

	// Leaving the field saves the prompt.
	b.win.Canvas().Unfocus()
	b.ui.Drain()
	if got := b.s.Project().Shots[0].Prompt; got != shorter {
		t.Errorf("after leaving the field the shot's prompt has %d characters, want %d", len(got), len(shorter))
	}
	if !e.wrap.clipped() {
		t.Errorf("after leaving the field it holds all %d characters, want the start only", len(e.Text))
	}
}
