package storyboard

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/studio/filepick"
	"github.com/slatestudio/slate/studio/look"
	"github.com/slatestudio/slate/studio/session"
	"github.com/slatestudio/slate/studio/uikit"
	"github.com/slatestudio/slate/timeline"
)

// promptPause is how long typing in the prompt may pause before what was
// typed is saved as one edit.
const promptPause = time.Second

// Inspector edits the selected shot. Each field commits its value as one
// timeline command when the person is done with it (Enter, leaving the
// field, picking an option); an invalid value is kept in the field with
// the reason shown right under it, and the project is left as it was.
type Inspector struct {
	s      Session
	d      Deps
	shotID string // the shot the fields show
	shape  string // the number of lines and cues the fields were built for

	root  *fyne.Container
	empty *widget.Label

	title, duration, seed, transDur *commitEntry
	prompt                          *commitEntry
	promptCount                     *widget.Label
	// promptStart says that the prompt field holds only the start of a
	// long prompt until the person clicks into it.
	promptStart              *widget.Label
	framing, move, transKind *widget.Select
	backend                  *widget.Select
	cont                     *widget.Check
	featured                 *widget.CheckGroup
	lines, cues              *fyne.Container
	lineRows                 []*lineRow
	cueRows                  []*cueRow

	// errs holds the message under each field, by field path.
	errs map[string]*look.Message
	// draft is the line being written after "Add line", and draftRow its
	// row (linedraft.go); shown is the message each text field's last
	// refusal put up, trial the check of a value being typed, and current
	// the field being committed.
	draft    *lineDraft
	draftRow *lineRow
	shown    map[*commitEntry]*look.Message
	trial    *trial
	current  *commitEntry
	// filling is true while fields are being set from the project, when
	// their change callbacks must not edit it.
	filling    bool
	stopPrompt func() bool
}

// NewInspector makes the inspector; it follows the session from now on,
// and the edits made in it are saved under ctx, the studio's.
func NewInspector(ctx context.Context, d Deps) *Inspector {
	i := &Inspector{s: d.Session, d: d, errs: map[string]*look.Message{}}
	i.empty = widget.NewLabel("Select a shot on the timeline to edit it.")
	i.empty.Wrapping = fyne.TextWrapWord
	i.root = container.NewVBox(i.empty)
	i.s.Listen(session.Listener{
		ProjectChanged:   func(timeline.Change) { i.refresh(ctx) },
		SelectionChanged: func() { i.refresh(ctx) },
		CastChanged:      func() { i.refresh(ctx) },
	})
	return i
}

// SetBackends changes the backends a shot may name: a render server was
// added or removed.
func (i *Inspector) SetBackends(names []string) {
	i.d.Backends = names
	if i.backend != nil {
		i.backend.SetOptions(backendChoices(i.d.DefaultBackend, names))
	}
}

// View is the inspector, scrolling, for the window. Its fields stop
// short of the scroll bar, which Fyne draws over the content and widens
// under the pointer.
func (i *Inspector) View() fyne.CanvasObject {
	return container.NewVScroll(container.New(layout.NewCustomPaddedLayout(0, 0, 0, theme.ScrollBarSize()), i.root))
}

// errLabel makes the message for a field: a long one shows whole on
// hover and when clicked.
func (i *Inspector) errLabel(field string) *look.Message {
	l := look.NewMessage(i.d.Window)
	l.DetailsShown = func(d dialog.Dialog) { uikit.DialogKeys(i.d.Window, d.Hide, d.Hide) }
	i.errs[field] = l
	return l
}

// showError puts an edit's refusal under the field it is about (or the
// nearest one shown); other failures go to a dialog.
func (i *Inspector) showError(field string, err error) {
	if i.trial != nil {
		i.trial.ok = false
		return
	}
	var ve *timeline.Error
	if errors.As(err, &ve) && ve.Field != "" {
		field = ve.Field
	}
	msg := err.Error()
	if ve != nil {
		msg = ve.Msg
	}
	for f := field; f != ""; f = parentField(f) {
		if l, ok := i.errs[f]; ok {
			i.show(l, msg)
			return
		}
	}
	if l, ok := i.errs["shot"]; ok {
		i.show(l, msg)
		return
	}
	uikit.ShowError(err, i.d.Window)
}

// show puts up message l, noting the field being committed it is about.
func (i *Inspector) show(l *look.Message, msg string) {
	l.SetText(msg)
	l.Show()
	if i.current != nil {
		i.shown[i.current] = l
	}
}

// parentField is the field path one level up: "dialogue[0].text" →
// "dialogue[0]" → "dialogue"; "transition.duration_ms" → "transition".
func parentField(f string) string {
	if j := strings.LastIndexAny(f, ".["); j > 0 {
		return f[:j]
	}
	return ""
}

func (i *Inspector) clearErrors() {
	for _, l := range i.errs {
		l.Hide()
	}
}

// apply commits one edit of the shown shot for field.
func (i *Inspector) apply(ctx context.Context, field string, c timeline.Command) bool {
	if i.filling {
		return false
	}
	if i.trial != nil {
		i.trial.try(i.s.Project(), c)
		return false
	}
	if err := i.s.Edit(ctx, c); err != nil {
		i.showError(field, err)
		return false
	}
	i.clearErrors()
	i.s.ShowShot(i.shotID) // the preview shows what was edited
	return true
}

// refresh shows the selected shot: the fields are rebuilt only when the
// shot, or its number of lines and cues, changes, so a field being typed
// in keeps its focus and text; otherwise values are brought up to date.
func (i *Inspector) refresh(ctx context.Context) {
	sh := i.s.Primary()
	if sh == nil {
		i.shotID = ""
		i.draft = nil
		i.root.Objects = []fyne.CanvasObject{i.empty}
		i.root.Refresh()
		return
	}
	shape := fmt.Sprintf("%d/%d/%d/%d", len(sh.Lines), len(sh.Cues), len(i.s.Project().Cast), len(i.s.Cast()))
	if sh.ID != i.shotID || shape != i.shape {
		i.build(ctx, sh)
		i.shotID, i.shape = sh.ID, shape
	}
	i.fill(sh)
}

func (i *Inspector) build(ctx context.Context, sh *timeline.Shot) {
	s := i.s
	id := sh.ID
	i.errs = map[string]*look.Message{}
	if i.draft != nil && i.draft.shotID != id {
		i.draft = nil // a line left empty goes with its shot
	}
	if i.stopPrompt != nil {
		i.stopPrompt()
		i.stopPrompt = nil
	}

	i.title = newCommitEntry(false, func(v string) { i.apply(ctx, "title", timeline.SetShotTitle(id, v)) })
	i.prompt = newCommitEntry(true, func(v string) { i.apply(ctx, "prompt", timeline.SetPrompt(id, v)) })
	i.prompt.SetMinRowsVisible(5)
	// In short lines: the prompt wraps its text itself (softwrap.go), so
	// Fyne does not wrap the hint, and one long line would scroll.
	i.prompt.SetPlaceHolder("Describe the shot: who, where,\nwhat happens, the light,\nthe lens…")
	i.promptCount = widget.NewLabel("")
	i.promptCount.Importance = widget.LowImportance
	i.promptStart = &widget.Label{Text: "This is the start of a long prompt: click in it to see and edit all of it.", Wrapping: fyne.TextWrapWord, Importance: widget.LowImportance}
	i.promptStart.Hide()
	i.prompt.wrap.onClipped = func(clipped bool) {
		if clipped {
			i.promptStart.Show()
		} else {
			i.promptStart.Hide()
		}
	}
	i.prompt.onChanged = func(v string) {
		i.countPrompt(v)
		if i.filling {
			return
		}
		// Save after a pause in typing, as one edit.
		if i.stopPrompt != nil {
			i.stopPrompt()
		}
		i.stopPrompt = i.d.Clock.AfterFunc(promptPause, func() { s.OnUI(i.prompt.commit) })
	}

	i.duration = newCommitEntry(false, func(v string) {
		d, err := parseSeconds(v)
		if err != nil {
			i.showError("duration_ms", err)
			return
		}
		i.apply(ctx, "duration_ms", timeline.SetDuration(id, d))
	})

	i.framing = widget.NewSelect(labels(timeline.Framings, timeline.Framing.Label), func(v string) {
		sh := s.Project().Shot(id)
		if sh == nil {
			return
		}
		cam := sh.Camera
		cam.Framing = timeline.Framings[slices.Index(labels(timeline.Framings, timeline.Framing.Label), v)]
		i.apply(ctx, "camera.framing", timeline.SetCamera(id, cam))
	})
	i.move = widget.NewSelect(labels(timeline.Moves, timeline.Move.Label), func(v string) {
		sh := s.Project().Shot(id)
		if sh == nil {
			return
		}
		cam := sh.Camera
		cam.Move = timeline.Moves[slices.Index(labels(timeline.Moves, timeline.Move.Label), v)]
		i.apply(ctx, "camera.move", timeline.SetCamera(id, cam))
	})

	transLabels := []string{"Cut", "Crossfade", "Dip to black"}
	i.transKind = widget.NewSelect(transLabels, func(v string) {
		sh := s.Project().Shot(id)
		if sh == nil {
			return
		}
		tr := sh.Transition
		tr.Kind = timeline.TransitionKinds[slices.Index(transLabels, v)]
		if tr.Kind != timeline.Cut && tr.Duration == 0 {
			tr.Duration = 500 * time.Millisecond
		}
		i.apply(ctx, "transition.kind", timeline.SetTransition(id, tr))
	})
	i.transDur = newCommitEntry(false, func(v string) {
		sh := s.Project().Shot(id)
		if sh == nil {
			return
		}
		d, err := parseSeconds(v)
		if err != nil {
			i.showError("transition.duration_ms", err)
			return
		}
		tr := sh.Transition
		tr.Duration = d
		i.apply(ctx, "transition.duration_ms", timeline.SetTransition(id, tr))
	})

	i.seed = newCommitEntry(false, func(v string) {
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil {
			i.showError("seed", fmt.Errorf("the seed is a whole number, such as 42"))
			return
		}
		i.apply(ctx, "seed", timeline.SetSeed(id, n))
	})
	reroll := uikit.NewTipButton("", theme.ViewRefreshIcon(), "New random seed", func() {
		i.apply(ctx, "seed", timeline.SetSeed(id, rand.Int64N(1<<31)))
	})

	i.backend = widget.NewSelect(backendChoices(i.d.DefaultBackend, i.d.Backends), func(v string) {
		i.apply(ctx, "backend", timeline.SetBackend(id, backendNamed(v, i.d.Backends)))
	})
	i.cont = widget.NewCheck("Continue from the previous shot", func(on bool) {
		i.apply(ctx, "continue", timeline.SetContinue(id, on))
	})

	p := s.Project()
	var castNames []string
	for _, c := range p.Cast {
		castNames = append(castNames, c.Name)
	}
	i.featured = widget.NewCheckGroup(castNames, func(names []string) {
		var ids []string
		for _, c := range p.Cast {
			if slices.Contains(names, c.Name) {
				ids = append(ids, c.ID)
			}
		}
		i.apply(ctx, "cast", timeline.SetFeatured(id, ids))
	})
	i.featured.Horizontal = true
	// Recorded members not yet in the project can be featured from here too.
	var others []library.CastMember
	var otherNames []string
	for _, m := range s.Cast() {
		if _, in := p.CastMember(m.ID); !in {
			others = append(others, m)
			otherNames = append(otherNames, m.Name+" ("+m.HandleAndOwner()+")")
		}
	}
	addMember := widget.NewSelect(otherNames, nil)
	addMember.PlaceHolder = "Feature someone from the cast…"
	addMember.OnChanged = func(v string) {
		if k := slices.Index(otherNames, v); k >= 0 {
			s.FeatureMember(ctx, others[k], id)
		}
	}
	if len(others) == 0 {
		addMember.Hide()
	}

	i.lines = container.NewVBox()
	i.lineRows = nil
	for j := range sh.Lines {
		row := newLineRow(ctx, i, id, j)
		i.lineRows = append(i.lineRows, row)
		i.lines.Add(row.box)
	}
	i.draftRow = nil
	if i.draft != nil {
		i.draftRow = i.newDraftRow(ctx, id, len(sh.Lines))
		i.lines.Add(i.draftRow.box)
	}
	addLine := widget.NewButtonWithIcon("Add line", theme.ContentAddIcon(), func() { i.openDraft(ctx, id) })

	i.cues = container.NewVBox()
	i.cueRows = nil
	for j := range sh.Cues {
		row := newCueRow(ctx, i, id, j)
		i.cueRows = append(i.cueRows, row)
		i.cues.Add(row.box)
	}
	addCue := widget.NewButtonWithIcon("Add sound", theme.ContentAddIcon(), func() {
		sh := s.Project().Shot(id)
		if sh == nil {
			return
		}
		i.apply(ctx, "cues", timeline.AddCue(id, -1, timeline.Cue{Kind: timeline.Ambience, Description: "room tone", Duration: sh.Duration, GainDB: -18}))
	})

	heading := func(text string) *widget.Label {
		l := widget.NewLabel(text)
		l.TextStyle.Bold = true
		return l
	}
	field := func(label string, w fyne.CanvasObject, errField string) fyne.CanvasObject {
		return container.NewVBox(widget.NewLabel(label), w, i.errLabel(errField))
	}
	i.root.Objects = []fyne.CanvasObject{
		heading("Shot"),
		i.errLabel("shot"),
		field("Title", i.title, "title"),
		container.NewVBox(container.NewBorder(nil, nil, widget.NewLabel("Prompt"), i.promptCount), i.prompt, i.promptStart, i.errLabel("prompt")),
		field("Duration (seconds)", i.duration, "duration_ms"),
		container.NewGridWithColumns(2, field("Framing", i.framing, "camera.framing"), field("Camera move", i.move, "camera.move")),
		field("Featured cast", container.NewVBox(i.featured, addMember), "cast"),
		widget.NewSeparator(),
		heading("Dialogue"), i.lines, i.errLabel("dialogue"), addLine,
		widget.NewSeparator(),
		heading("Sound"), i.cues, i.errLabel("cues"), addCue,
		widget.NewSeparator(),
		heading("Transition to the next shot"),
		container.NewGridWithColumns(2, field("Kind", i.transKind, "transition.kind"), field("Length (seconds)", i.transDur, "transition.duration_ms")),
		widget.NewSeparator(),
		heading("Render"),
		field("Seed", container.NewBorder(nil, nil, nil, reroll, i.seed), "seed"),
		field("Render with", i.backend, "backend"),
		i.cont,
	}
	i.watchFields()
	i.root.Refresh()
	i.escapeClears(i.root)
}

// fill sets every field from the shot, leaving alone a field being typed
// in.
func (i *Inspector) fill(sh *timeline.Shot) {
	i.filling = true
	defer func() { i.filling = false }()
	i.title.setIdle(sh.Title)
	i.prompt.setIdle(sh.Prompt)
	i.countPrompt(i.prompt.value())
	i.duration.setIdle(secondsText(sh.Duration))
	i.framing.SetSelected(sh.Camera.Framing.Label())
	i.move.SetSelected(sh.Camera.Move.Label())
	i.transKind.SetSelected([]string{"Cut", "Crossfade", "Dip to black"}[max(0, slices.Index(timeline.TransitionKinds, sh.Transition.Kind))])
	i.transDur.setIdle(secondsText(sh.Transition.Duration))
	if sh.Transition.Kind == timeline.Cut {
		i.transDur.Disable()
	} else {
		i.transDur.Enable()
	}
	i.seed.setIdle(strconv.FormatInt(sh.Seed, 10))
	if sh.Backend == "" {
		i.backend.SetSelectedIndex(0)
	} else {
		i.backend.SetSelected(backendLabel(sh.Backend))
	}
	i.cont.SetChecked(sh.Continue)
	var names []string
	p := i.s.Project()
	for _, id := range sh.Cast {
		names = append(names, p.SpeakerName(id))
	}
	i.featured.SetSelected(names)
	for j, row := range i.lineRows {
		if j < len(sh.Lines) {
			row.fill(sh.Lines[j])
		}
	}
	for j, row := range i.cueRows {
		if j < len(sh.Cues) {
			row.fill(sh.Cues[j])
		}
	}
}

func (i *Inspector) countPrompt(v string) {
	n := utf8.RuneCountInString(v)
	i.promptCount.SetText(fmt.Sprintf("%d / %d", n, timeline.MaxPromptRunes))
	if n > timeline.MaxPromptRunes {
		i.promptCount.Importance = widget.DangerImportance
	} else {
		i.promptCount.Importance = widget.LowImportance
	}
	i.promptCount.Refresh()
}

// lineRow edits one line of dialogue.
type lineRow struct {
	box     fyne.CanvasObject
	speaker *widget.Select
	text    *commitEntry
	start   *commitEntry
	ids     []string
}

func newLineRow(ctx context.Context, i *Inspector, shotID string, j int) *lineRow {
	s := i.s
	p := s.Project()
	r := &lineRow{}
	var names []string
	r.ids, names = speakerChoices(p, i.d.NewCharacter != nil)
	field := fmt.Sprintf("dialogue[%d]", j)
	edit := func(sub string, change func(l *timeline.Line) error) {
		sh := s.Project().Shot(shotID)
		if sh == nil || j >= len(sh.Lines) {
			return
		}
		l := sh.Lines[j]
		if err := change(&l); err != nil {
			i.showError(field+"."+sub, err)
			return
		}
		i.apply(ctx, field+"."+sub, timeline.SetLine(shotID, j, l))
	}
	r.speaker = widget.NewSelect(names, func(v string) {
		if v == newCharacterItem {
			i.newSpeaker(ctx, r, shotID, j)
			return
		}
		edit("speaker", func(l *timeline.Line) error { l.Speaker = r.ids[slices.Index(names, v)]; return nil })
	})
	r.text = newCommitEntry(false, func(v string) {
		edit("text", func(l *timeline.Line) error { l.Text = v; return nil })
	})
	r.text.SetPlaceHolder("What is said")
	r.start = newCommitEntry(false, func(v string) {
		edit("start_ms", func(l *timeline.Line) error {
			d, err := parseSeconds(v)
			l.Start = d
			return err
		})
	})
	up := uikit.NewTipButton("", theme.MoveUpIcon(), "Move the line up", func() {
		if j > 0 {
			i.apply(ctx, field, timeline.MoveLine(shotID, j, j-1))
		}
	})
	remove := uikit.NewTipButton("", theme.DeleteIcon(), "Remove the line", func() { i.apply(ctx, field, timeline.RemoveLine(shotID, j)) })
	r.start.SetPlaceHolder("start s")
	top := container.NewBorder(nil, nil, r.speaker, container.NewHBox(widget.NewLabel("at"), container.NewGridWrap(fyne.NewSize(70, r.start.MinSize().Height), r.start), up, remove))
	r.box = container.NewVBox(top, r.text, i.errLabel(field))
	return r
}

func (r *lineRow) fill(l timeline.Line) {
	if k := slices.Index(r.ids, l.Speaker); k >= 0 {
		r.speaker.SetSelectedIndex(k)
	}
	r.text.setIdle(l.Text)
	r.start.setIdle(secondsText(l.Start))
}

// cueRow edits one sound cue.
type cueRow struct {
	box                    fyne.CanvasObject
	kind                   *widget.Select
	desc, start, dur, gain *commitEntry
	file                   *widget.Label
}

func newCueRow(ctx context.Context, i *Inspector, shotID string, j int) *cueRow {
	s := i.s
	r := &cueRow{}
	field := fmt.Sprintf("cues[%d]", j)
	edit := func(sub string, change func(c *timeline.Cue) error) {
		sh := s.Project().Shot(shotID)
		if sh == nil || j >= len(sh.Cues) {
			return
		}
		c := sh.Cues[j]
		if err := change(&c); err != nil {
			i.showError(field+"."+sub, err)
			return
		}
		i.apply(ctx, field+"."+sub, timeline.SetCue(shotID, j, c))
	}
	kinds := labels(timeline.CueKinds, func(k timeline.CueKind) string { return string(k) })
	r.kind = widget.NewSelect(kinds, func(v string) {
		edit("kind", func(c *timeline.Cue) error { c.Kind = timeline.CueKind(v); return nil })
	})
	r.desc = newCommitEntry(false, func(v string) {
		edit("description", func(c *timeline.Cue) error { c.Description = v; return nil })
	})
	r.desc.SetPlaceHolder("What is heard")
	seconds := func(sub string, set func(c *timeline.Cue, d time.Duration)) *commitEntry {
		return newCommitEntry(false, func(v string) {
			edit(sub, func(c *timeline.Cue) error {
				d, err := parseSeconds(v)
				set(c, d)
				return err
			})
		})
	}
	r.start = seconds("start_ms", func(c *timeline.Cue, d time.Duration) { c.Start = d })
	r.dur = seconds("duration_ms", func(c *timeline.Cue, d time.Duration) { c.Duration = d })
	r.gain = newCommitEntry(false, func(v string) {
		edit("gain_db", func(c *timeline.Cue) error {
			g, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				return errors.New("the gain is a number of decibels, such as -12")
			}
			c.GainDB = g
			return nil
		})
	})
	r.file = widget.NewLabel("")
	r.file.Truncation = fyne.TextTruncateEllipsis
	pick := widget.NewButtonWithIcon("File…", theme.FolderOpenIcon(), func() {
		d := dialog.NewFileOpen(func(rc fyne.URIReadCloser, err error) {
			if err != nil || rc == nil {
				return
			}
			rc.Close()
			edit("file", func(c *timeline.Cue) error { c.File = rc.URI().Path(); return nil })
		}, i.d.Window)
		d.SetFilter(filepick.RegularFiles{})
		d.Show()
		uikit.DialogKeys(i.d.Window, nil, d.Dismiss) // Esc; the file picker's own buttons and fields do the rest
	})
	remove := uikit.NewTipButton("", theme.DeleteIcon(), "Remove the sound cue", func() { i.apply(ctx, field, timeline.RemoveCue(shotID, j)) })
	grid := container.NewGridWithColumns(3,
		container.NewBorder(nil, nil, widget.NewLabel("from"), nil, r.start),
		container.NewBorder(nil, nil, widget.NewLabel("for"), nil, r.dur),
		container.NewBorder(nil, nil, widget.NewLabel("dB"), nil, r.gain))
	r.box = container.NewVBox(
		container.NewBorder(nil, nil, r.kind, remove, r.desc),
		grid,
		container.NewBorder(nil, nil, pick, nil, r.file),
		i.errLabel(field))
	return r
}

func (r *cueRow) fill(c timeline.Cue) {
	r.kind.SetSelected(string(c.Kind))
	r.desc.setIdle(c.Description)
	r.start.setIdle(secondsText(c.Start))
	r.dur.setIdle(secondsText(c.Duration))
	r.gain.setIdle(strconv.FormatFloat(c.GainDB, 'g', -1, 64))
	if c.File == "" {
		r.file.SetText("no file: described only")
	} else {
		r.file.SetText(c.File)
	}
}

// SaveTyping saves what the person is typing in the field of c that has
// the focus (a prompt waiting for its pause in typing, a title not yet
// entered), as leaving the field would: quitting must not lose it.
func SaveTyping(c fyne.Canvas) {
	if e, ok := c.Focused().(*commitEntry); ok {
		e.commit()
	}
}

// commitEntry is an entry that commits its text when the person presses
// Enter (single-line) or leaves the field, and only when it changed. A
// multi-line one lays its text out in lines itself (softwrap.go): its Text
// is then the text as shown, with soft line breaks, and value() the text.
type commitEntry struct {
	widget.Entry
	onCommit func(string)
	// onChanged, if set, is told the value after each change the person
	// makes (and after setIdle changes it).
	onChanged func(string)
	committed string
	focused   bool
	// stored is the project's value, as last set (see escape.go).
	stored   string
	onEscape func()

	// wrap lays out a multi-line entry's text; nil for a single line.
	wrap *entryWrap
}

func newCommitEntry(multiLine bool, onCommit func(string)) *commitEntry {
	e := &commitEntry{onCommit: onCommit}
	e.MultiLine = multiLine
	e.ExtendBaseWidget(e)
	if multiLine {
		e.wrap = newEntryWrap(e)
	} else {
		e.OnSubmitted = func(string) { e.commit() }
	}
	e.OnChanged = func(shown string) {
		if e.wrap != nil && !e.wrap.edited(shown) {
			return
		}
		if e.onChanged != nil {
			e.onChanged(e.value())
		}
	}
	return e
}

// value is the field's text.
func (e *commitEntry) value() string {
	if e.wrap != nil {
		return string(e.wrap.text.value)
	}
	return e.Text
}

// commit hands the text over if it changed since last committed or set.
func (e *commitEntry) commit() {
	v := e.value()
	if v == e.committed {
		return
	}
	e.committed = v
	e.onCommit(v)
}

// setIdle shows v unless the person is typing in the field.
func (e *commitEntry) setIdle(v string) {
	e.stored = v
	if e.focused && e.value() != e.committed {
		return
	}
	e.committed = v
	if e.value() == v {
		return
	}
	if e.wrap != nil {
		e.wrap.set(v)
	} else {
		e.SetText(v)
	}
}

// FocusGained notes that the person is in the field.
func (e *commitEntry) FocusGained() {
	e.focused = true
	if e.wrap != nil {
		e.wrap.focusChanged()
	}
	e.Entry.FocusGained()
}

// FocusLost commits what was typed.
func (e *commitEntry) FocusLost() {
	e.focused = false
	e.Entry.FocusLost()
	e.commit()
	if e.wrap != nil {
		e.wrap.focusChanged()
	}
}

// Resize lays a multi-line entry's text out again for its new width.
func (e *commitEntry) Resize(size fyne.Size) {
	e.Entry.Resize(size)
	if e.wrap != nil {
		e.wrap.resized(size.Width)
	}
}

// TypedKey makes Backspace and Delete step over a break that is not part
// of the text.
func (e *commitEntry) TypedKey(key *fyne.KeyEvent) {
	if key.Name == fyne.KeyEscape && e.revert() {
		return
	}
	if e.wrap != nil {
		e.wrap.beforeKey(key)
	}
	e.Entry.TypedKey(key)
}

// TypedShortcut copies the text, not the lines it is shown in, and undoes
// and redoes changes to it.
func (e *commitEntry) TypedShortcut(s fyne.Shortcut) {
	if e.wrap == nil || !e.wrap.shortcut(s) {
		e.Entry.TypedShortcut(s)
	}
}

// parseSeconds reads "4.5", "4.5 s" or "4,5" as a duration.
func parseSeconds(v string) (time.Duration, error) {
	v = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "s"))
	v = strings.ReplaceAll(v, ",", ".")
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 || f > 3600 {
		return 0, fmt.Errorf("give a number of seconds, such as 4.5")
	}
	return time.Duration(f*1000+0.5) * time.Millisecond, nil
}

// secondsText writes a duration as the fields show it: "4.5".
func secondsText(d time.Duration) string {
	return strings.TrimSuffix(timeline.Seconds(d), " s")
}

func labels[T any](xs []T, label func(T) string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = label(x)
	}
	return out
}
