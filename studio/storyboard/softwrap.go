package storyboard

import (
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// Soft wrapping: long text laid out in lines by the studio itself, for a
// Fyne entry that does not wrap.
//
// Fyne's word wrap (widget.RichText in Fyne v2.7.1) measures the whole rest
// of a paragraph again for every row it makes, so its cost grows with the
// square of the paragraph's length, and it runs again on every keystroke
// and every resize (fyne-io/fyne#5297). A prompt of 8,000 characters took
// 36 s to show and one of 32,000 (the limit) did not show within a minute.
// Here each word is measured once and the lines are found in one pass; the
// entry is given text already broken into lines, which it shows in time
// that grows with the length.

// softBreak is a line break that is not part of the text.
type softBreak struct {
	// at is the break's index in the text as shown.
	at int
	// space: the break stands in for a space of the text; otherwise it
	// was put inside a word too long for a line and stands for nothing.
	space bool
}

// softText is a text and the same text as shown, broken into lines no
// wider than a width by soft breaks.
type softText struct {
	value []rune
	shown []rune
	soft  []softBreak // ascending by at
}

// widths measures text the way the entry draws it, remembering the width
// of each word and rune: a long text repeats most of its words.
type widths struct {
	measure func(string) float32
	known   map[string]float32
}

func newWidths(measure func(string) float32) *widths {
	return &widths{measure: measure, known: map[string]float32{}}
}

func (w *widths) of(s string) float32 {
	if v, ok := w.known[s]; ok {
		return v
	}
	if len(w.known) > 1<<16 {
		clear(w.known) // a bound on what a long session keeps
	}
	v := w.measure(s)
	w.known[s] = v
	return v
}

// layOut breaks value into lines no wider than width: at the last space
// that keeps a line within it, or inside a word wider than a whole line.
// Each word is measured once, so the time taken grows with the length of
// the text. A word is measured whole (so kerning within it counts), and a
// line's width is the sum of its words and spaces.
func layOut(value []rune, width float32, w *widths) softText {
	t := softText{value: value, shown: make([]rune, 0, len(value)+len(value)/32)}
	space := w.of(" ")
	lineW := float32(0)
	// lastSpace is the index in shown of the space just before the word
	// being placed, if it is on the current line; -1 if none.
	lastSpace := -1
	for i := 0; i < len(value); {
		switch r := value[i]; {
		case r == '\n':
			t.shown = append(t.shown, r)
			lineW, lastSpace = 0, -1
			i++
		case r == ' ':
			if lineW > 0 && lineW+space > width {
				// Spaces past the end of a line: break at this one.
				t.soft = append(t.soft, softBreak{at: len(t.shown), space: true})
				t.shown = append(t.shown, '\n')
				lineW, lastSpace = 0, -1
			} else {
				lastSpace = len(t.shown)
				t.shown = append(t.shown, r)
				lineW += space
			}
			i++
		default:
			end := i
			for end < len(value) && value[end] != ' ' && value[end] != '\n' {
				end++
			}
			word := value[i:end]
			ww := w.of(string(word))
			if lineW+ww > width && lastSpace >= 0 && lineW > space {
				// The word goes to the next line; the space before it
				// becomes the break.
				t.shown[lastSpace] = '\n'
				t.soft = append(t.soft, softBreak{at: lastSpace, space: true})
				lineW = 0
			}
			lastSpace = -1
			if lineW+ww <= width {
				t.shown = append(t.shown, word...)
				lineW += ww
			} else {
				lineW = t.breakWord(word, lineW, width, w)
			}
			i = end
		}
	}
	return t
}

// breakWord adds a word too wide for the rest of the line, breaking it
// inside wherever it reaches width, and returns the width of its last
// line. Its runes are measured one by one.
func (t *softText) breakWord(word []rune, lineW, width float32, w *widths) float32 {
	for _, r := range word {
		rw := w.of(string(r))
		if lineW > 0 && lineW+rw > width {
			t.soft = append(t.soft, softBreak{at: len(t.shown)})
			t.shown = append(t.shown, '\n')
			lineW = 0
		}
		t.shown = append(t.shown, r)
		lineW += rw
	}
	return lineW
}

// inserted counts the inserted soft breaks before index at of shown.
func (t *softText) inserted(at int) int {
	n := 0
	for _, b := range t.soft {
		if b.at >= at {
			break
		}
		if !b.space {
			n++
		}
	}
	return n
}

// valueOffset is the offset in the value of offset at in shown.
func (t *softText) valueOffset(at int) int { return at - t.inserted(at) }

// shownOffset is the offset in shown of offset v in the value. At an
// inserted break it is the start of the next line.
func (t *softText) shownOffset(v int) int {
	at := v
	for _, b := range t.soft {
		if b.space {
			continue
		}
		if b.at > at {
			break
		}
		at++
	}
	return at
}

// valueOf is the text of the value that shown[a:b] shows.
func (t *softText) valueOf(a, b int) string {
	var s strings.Builder
	k, _ := slices.BinarySearchFunc(t.soft, a, func(b softBreak, at int) int { return b.at - at })
	for i := a; i < b; i++ {
		if k < len(t.soft) && t.soft[k].at == i {
			if t.soft[k].space {
				s.WriteRune(' ')
			}
			k++
			continue
		}
		s.WriteRune(t.shown[i])
	}
	return s.String()
}

// edited works out the value after the person changed the shown text to
// shown, with the cursor left at offset cursor in it. The change is one
// run of text replaced by another, as every edit in an entry is; where
// the same text could have been inserted or deleted at more than one
// place (a newline typed beside a soft break), the cursor says which.
// Soft breaks inside the replaced run are gone: deleting a break that
// stood for a space deletes the space.
func (t *softText) edited(shown []rune, cursor int) softText {
	start, oldEnd, newEnd := diffRun(t.shown, shown, cursor)
	var kept []softBreak
	for _, b := range t.soft {
		switch {
		case b.at < start:
			kept = append(kept, b)
		case b.at >= oldEnd:
			b.at += newEnd - oldEnd
			kept = append(kept, b)
		}
	}
	return softText{shown: shown, soft: kept}
}

// diffRun finds the run that changed between old and new: old[start:oldEnd]
// became new[start:newEnd]. When an insertion or deletion ending at the
// cursor explains the change, that is the run; otherwise the longest
// common prefix and suffix decide.
func diffRun(old, new []rune, cursor int) (start, oldEnd, newEnd int) {
	d := len(new) - len(old)
	switch {
	case d > 0 && cursor >= d && cursor <= len(new):
		// Inserted new[cursor-d:cursor]?
		at := cursor - d
		if slices.Equal(new[:at], old[:at]) && slices.Equal(new[cursor:], old[at:]) {
			return at, at, cursor
		}
	case d < 0 && cursor >= 0 && cursor <= len(new):
		// Deleted old[cursor:cursor-d]?
		if slices.Equal(new[:cursor], old[:cursor]) && slices.Equal(new[cursor:], old[cursor-d:]) {
			return cursor, cursor - d, cursor
		}
	}
	for start < len(old) && start < len(new) && old[start] == new[start] {
		start++
	}
	oldEnd, newEnd = len(old), len(new)
	for oldEnd > start && newEnd > start && old[oldEnd-1] == new[newEnd-1] {
		oldEnd--
		newEnd--
	}
	return start, oldEnd, newEnd
}

// entryWrap is the soft wrapping of a multi-line commitEntry: the entry
// itself does not wrap (its Wrapping is off), and is given its text
// broken into lines that fit its width, laid out again after each change
// and each resize. Copying gives the text without the soft breaks, and
// undo and redo work on the text, since setting the entry's text (as each
// new layout does) clears Fyne's own undo history.
//
// Until the person clicks into it, the entry holds only the first lines
// of a long text. Fyne's entry makes, lays out and draws every line of
// its text, and copies the whole text once per line on each refresh, so a
// 32,000-character prompt (about 600 lines in the inspector) would cost
// seconds to show; it costs that only when someone edits such a prompt.
type entryWrap struct {
	e      *commitEntry
	widths *widths
	text   softText
	// held is how much of text.shown the entry holds: all of it while it
	// has the focus, else the lines up to heldRunes.
	held int
	// width is the entry's width the lines were laid out for; 0 before
	// the entry has one, when a guess stands in.
	width float32
	// setting: the entry's text is being set from text, so its change
	// callback is not the person's edit.
	setting bool
	// onClipped, if set, is told when the entry comes to hold only the
	// start of the text, or all of it again.
	onClipped  func(clipped bool)
	wasClipped bool

	undo, redo []entryState
	// typing: the last change inserted one rune at the cursor, so a next
	// one joins it in one undo step.
	typing bool
}

// entryState is the text and the cursor's offset in it, for undo and redo.
type entryState struct {
	value  string
	cursor int
}

const (
	// unsizedWidth is the width lines are laid out for before the entry
	// has been given a size.
	unsizedWidth = 300
	// heldRunes is about how much of a long text the entry holds when it
	// does not have the focus: some forty lines in the inspector, far more
	// than it shows at once.
	heldRunes = 2000
)

func newEntryWrap(e *commitEntry) *entryWrap {
	e.Wrapping = fyne.TextWrapOff
	w := &entryWrap{e: e}
	w.widths = newWidths(func(s string) float32 {
		return fyne.MeasureText(s, e.Theme().Size(theme.SizeNameText), e.TextStyle).Width
	})
	return w
}

// textWidth is the width the entry's text has to fit in when the entry is
// entryWidth wide: Fyne's entry pads its text by the inner padding on
// each side and draws its border inside; a few units more keep the sum
// of the words' widths (what layOut counts) within what Fyne draws.
func (w *entryWrap) textWidth(entryWidth float32) float32 {
	th := w.e.Theme()
	return entryWidth - 2*th.Size(theme.SizeNameInnerPadding) - 2*th.Size(theme.SizeNameInputBorder) - 2
}

// clipped reports whether the entry holds only the start of the text.
func (w *entryWrap) clipped() bool { return w.held < len(w.text.shown) }

// set shows value, with the cursor at its start.
func (w *entryWrap) set(value string) {
	w.undo, w.redo, w.typing = nil, nil, false
	w.show([]rune(value), 0)
}

// show lays value out and puts it in the entry, with the cursor at offset
// cursor of the value.
func (w *entryWrap) show(value []rune, cursor int) {
	width := float32(unsizedWidth)
	if w.width > 0 {
		width = w.textWidth(w.width)
	}
	w.text = layOut(value, width, w.widths)
	w.held = len(w.text.shown)
	if !w.e.focused && w.held > heldRunes {
		// To the end of the line heldRunes is on.
		w.held = heldRunes
		for w.held < len(w.text.shown) && w.text.shown[w.held] != '\n' {
			w.held++
		}
	}
	if c := w.clipped(); c != w.wasClipped {
		w.wasClipped = c
		if w.onClipped != nil {
			w.onClipped(c)
		}
	}
	at := min(w.text.shownOffset(min(cursor, len(value))), w.held)
	held := w.text.shown[:w.held]
	// The cursor is placed before the text is set: SetText keeps it (and
	// tells Fyne's selection where it is).
	row, col := rowCol(held, at)
	if shown := string(held); w.e.Text != shown {
		w.e.CursorRow, w.e.CursorColumn = row, col
		w.setting = true
		w.e.SetText(shown)
		w.setting = false
	} else if row != w.e.CursorRow || col != w.e.CursorColumn {
		w.e.CursorRow, w.e.CursorColumn = row, col
		w.e.Refresh()
	}
}

// rowCol is the row and column of offset at in text.
func rowCol(text []rune, at int) (row, col int) {
	for _, r := range text[:at] {
		if r == '\n' {
			row, col = row+1, 0
		} else {
			col++
		}
	}
	return row, col
}

// resized lays the text out again when the entry's width changed.
func (w *entryWrap) resized(width float32) {
	if width <= 0 || width == w.width {
		return
	}
	w.width = width
	w.show(w.text.value, w.cursor())
}

// focusChanged gives the entry all of the text while it has the focus,
// and only its start again when it loses it.
func (w *entryWrap) focusChanged() {
	if w.e.focused != (w.held < len(w.text.shown)) {
		return // it holds what it should
	}
	w.show(w.text.value, w.cursor())
}

// cursor is the offset of the entry's cursor in the value.
func (w *entryWrap) cursor() int { return w.text.valueOffset(w.e.CursorTextOffset()) }

// edited takes the person's change of the entry's text into the value and
// lays it out again. It reports whether it was the person's change.
func (w *entryWrap) edited(inEntry string) bool {
	if w.setting {
		return false
	}
	// What the entry does not hold follows what it does.
	shown := append([]rune(inEntry), w.text.shown[w.held:]...)
	cursor := w.e.CursorTextOffset()
	start, _, _ := diffRun(w.text.shown, shown, cursor)
	before := entryState{string(w.text.value), w.text.valueOffset(start)}
	after := w.text.edited(shown, cursor)
	value, at := []rune(after.valueOf(0, len(after.shown))), after.valueOffset(cursor)

	// Undo steps: a run of runes typed one after another is one step.
	typed := len(value) == len(w.text.value)+1 && at == before.cursor+1
	if !(typed && w.typing) {
		w.undo = append(w.undo, before)
	}
	w.typing, w.redo = typed, nil

	w.show(value, at)
	return true
}

// beforeKey moves the cursor over an inserted soft break that Backspace or
// Delete would remove, so that they remove a rune of the text instead.
func (w *entryWrap) beforeKey(key *fyne.KeyEvent) {
	if w.e.SelectedText() != "" {
		return
	}
	at := w.e.CursorTextOffset()
	switch {
	case key.Name == fyne.KeyBackspace && at > 0 && w.inserted(at-1):
		at--
	case key.Name == fyne.KeyDelete && at < w.held && w.inserted(at):
		at++
	default:
		return
	}
	w.e.CursorRow, w.e.CursorColumn = rowCol(w.text.shown, at)
}

// inserted reports whether shown[at] is an inserted soft break.
func (w *entryWrap) inserted(at int) bool {
	i, found := slices.BinarySearchFunc(w.text.soft, at, func(b softBreak, at int) int { return b.at - at })
	return found && !w.text.soft[i].space
}

// shortcut handles the shortcuts that must see the text rather than the
// lines: copy, cut, undo and redo. It reports whether it did.
func (w *entryWrap) shortcut(s fyne.Shortcut) bool {
	switch s := s.(type) {
	case *fyne.ShortcutCopy:
		w.copied(s.Clipboard, func() { w.e.Entry.TypedShortcut(s) })
	case *fyne.ShortcutCut:
		w.copied(s.Clipboard, func() { w.e.Entry.TypedShortcut(s) })
	case *fyne.ShortcutUndo:
		w.step(&w.undo, &w.redo)
	case *fyne.ShortcutRedo:
		w.step(&w.redo, &w.undo)
	default:
		return false
	}
	return true
}

// copied runs the entry's copy or cut, then puts on the clipboard the text
// the selection stood for, without soft breaks. The entry tells only the
// selected text and the cursor, which is at one end of it.
func (w *entryWrap) copied(cb fyne.Clipboard, run func()) {
	sel := []rune(w.e.SelectedText())
	at, shown := w.e.CursorTextOffset(), w.text.shown
	text := string(sel)
	switch {
	case len(sel) == 0:
	case at >= len(sel) && slices.Equal(shown[at-len(sel):at], sel):
		text = w.text.valueOf(at-len(sel), at)
	case at+len(sel) <= len(shown) && slices.Equal(shown[at:at+len(sel)], sel):
		text = w.text.valueOf(at, at+len(sel))
	}
	run()
	if len(sel) > 0 && cb != nil {
		cb.SetContent(text)
	}
}

// step goes back (or forward) one change: the last state of from is
// shown, and the state it replaces goes on to.
func (w *entryWrap) step(from, to *[]entryState) {
	if len(*from) == 0 || w.e.Disabled() {
		return
	}
	st := (*from)[len(*from)-1]
	*from = (*from)[:len(*from)-1]
	*to = append(*to, entryState{string(w.text.value), w.cursor()})
	w.typing = false
	w.show([]rune(st.value), st.cursor)
	if w.e.onChanged != nil {
		w.e.onChanged(st.value)
	}
}
