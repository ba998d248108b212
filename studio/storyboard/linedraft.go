package storyboard

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/slatestudio/slate/studio/look"
	"github.com/slatestudio/slate/timeline"
)

// lineDraft is a line of dialogue being written. It is the inspector's
// until it has text, and only then a line of the shot (timeline.AddLine):
// an empty line is never voiced, rendered or refused. One left empty goes
// when its shot is no longer shown.
type lineDraft struct {
	shotID  string
	speaker string
	start   time.Duration
	// text is what has been typed, kept should the inspector be built
	// again (a sound added) before the line is entered.
	text string
}

// openDraft is "Add line": an empty line at the end of shot id's
// dialogue, with the cursor in it.
func (i *Inspector) openDraft(ctx context.Context, id string) {
	sh := i.s.Project().Shot(id)
	if sh == nil {
		return
	}
	if i.draft == nil || i.draft.shotID != id {
		start := time.Duration(0)
		if n := len(sh.Lines); n > 0 {
			last := sh.Lines[n-1]
			start = last.Start + timeline.SpeechTime(last.Text) + 300*time.Millisecond
		}
		speaker := timeline.Narrator
		if len(sh.Cast) > 0 {
			speaker = sh.Cast[0]
		}
		i.draft = &lineDraft{shotID: id, speaker: speaker, start: max(0, min(start, sh.Duration-500*time.Millisecond))}
		i.shape = "" // built again, with the new line's row
		i.refresh(ctx)
	}
	if i.draftRow != nil {
		i.d.Window.Canvas().Focus(i.draftRow.text)
	}
}

// newDraftRow is the row of the line being written in shot shotID, whose
// lines it follows as line j.
func (i *Inspector) newDraftRow(ctx context.Context, shotID string, j int) *lineRow {
	d := i.draft
	r := &lineRow{}
	var names []string
	r.ids, names = speakerChoices(i.s.Project(), i.d.NewCharacter != nil)
	field := fmt.Sprintf("dialogue[%d]", j)
	// add makes the draft a line of the shot once it has text; refused,
	// it stays a draft with its text and the reason beside it.
	add := func(text string) {
		if strings.TrimSpace(text) == "" {
			return // not an error while the line is being written
		}
		if i.trial != nil {
			i.apply(ctx, field+".text", timeline.AddLine(shotID, -1, timeline.Line{Speaker: d.speaker, Text: text, Start: d.start}))
			return
		}
		i.draft = nil // the row goes when the line shows as one of the shot's
		if !i.apply(ctx, field+".text", timeline.AddLine(shotID, -1, timeline.Line{Speaker: d.speaker, Text: text, Start: d.start})) {
			i.draft = d
		}
	}
	list := &draftSpeakers{canvas: i.d.Window.Canvas(), successor: func() *widget.Select {
		switch {
		case i.draftRow == r:
			return nil
		case i.draftRow != nil:
			return i.draftRow.speaker
		case j < len(i.lineRows):
			return i.lineRows[j].speaker
		}
		return nil
	}}
	list.Options = names
	list.OnChanged = func(v string) {
		if v == newCharacterItem {
			i.newDraftSpeaker(ctx, r, d)
			return
		}
		if k := slices.Index(names, v); k >= 0 {
			d.speaker = r.ids[k]
		}
	}
	list.ExtendBaseWidget(list)
	r.speaker = &list.Select
	r.text = newCommitEntry(false, add)
	r.text.SetPlaceHolder("What is said")
	r.text.SetText(d.text)
	r.text.onChanged = func(v string) { d.text = v }
	r.start = newCommitEntry(false, func(v string) {
		at, err := parseSeconds(v)
		if err != nil {
			i.showError(field+".start_ms", err)
			return
		}
		if i.trial == nil {
			d.start = at
			add(r.text.value())
		}
	})
	remove := widget.NewButtonWithIcon("", theme.DeleteIcon(), func() {
		i.draft = nil
		i.shape = ""
		i.refresh(ctx)
	})
	r.start.SetPlaceHolder("start s")
	if k := slices.Index(r.ids, d.speaker); k >= 0 {
		r.speaker.SetSelectedIndex(k)
	}
	r.start.setIdle(secondsText(d.start))
	top := container.NewBorder(nil, nil, list, container.NewHBox(widget.NewLabel("at"), container.NewGridWrap(fyne.NewSize(70, r.start.MinSize().Height), r.start), remove))
	r.box = container.NewVBox(top, r.text, i.errLabel(field))
	return r
}

// draftSpeakers is the speaker list of a line being written. A tap on it
// takes the focus from the line's text, which enters the line and builds
// the inspector again: the list tapped is then no longer on screen, so
// its choices opened in the window's corner and went to a draft that was
// gone (the line stayed the Narrator's). So a tap moves the focus first,
// and if a row has taken this one's place, the tap goes to its list.
type draftSpeakers struct {
	widget.Select
	canvas fyne.Canvas
	// successor is the list in this row's place once the row is gone,
	// else nil.
	successor func() *widget.Select
}

// Tapped enters the line's text, then opens this list or its successor.
func (s *draftSpeakers) Tapped(e *fyne.PointEvent) {
	if s.Disabled() {
		return
	}
	s.canvas.Focus(s)
	s.open(e, 25)
}

// open opens the choices of this list, or of its successor once the
// driver has drawn it: a list opens them on the canvas it is drawn on,
// which a row just built does not have yet. It tries again shortly, up
// to tries times.
func (s *draftSpeakers) open(e *fyne.PointEvent, tries int) {
	var list fyne.CanvasObject = s
	tap := s.Select.Tapped
	if next := s.successor(); next != nil {
		list, tap = next, next.Tapped
	}
	if fyne.CurrentApp().Driver().CanvasForObject(list) != nil {
		tap(e)
		return
	}
	if tries > 0 {
		go func() {
			time.Sleep(20 * time.Millisecond)
			fyne.Do(func() { s.open(e, tries-1) })
		}()
	}
}

// newDraftSpeaker opens the character editor for the line being written:
// the character saved joins the project and speaks the line. Until then
// the list shows the line's speaker.
func (i *Inspector) newDraftSpeaker(ctx context.Context, r *lineRow, d *lineDraft) {
	if k := slices.Index(r.ids, d.speaker); k >= 0 {
		r.speaker.SetSelectedIndex(k)
	}
	s := i.s
	i.d.NewCharacter(func(c timeline.CastRef) error {
		was := d.speaker
		d.speaker = c.ID // the inspector is built again with it as the speaker
		if err := s.Edit(ctx, timeline.AddCharacter(c)); err != nil {
			d.speaker = was
			return err
		}
		return nil
	})
}

// trial is a check of a value being typed: whether the field would take
// it. While one runs, the inspector's apply and showError only note the
// outcome.
type trial struct{ ok bool }

// try notes whether p would take c, changing nothing.
func (t *trial) try(p *timeline.Project, c timeline.Command) {
	if _, err := timeline.NewEditor(p.Clone()).Do(c); err != nil {
		t.ok = false
	}
}

// watch makes the message about field e go as soon as e holds a value
// that would be taken, before it is entered.
func (i *Inspector) watch(e *commitEntry) {
	commit := e.onCommit
	e.onCommit = func(v string) {
		i.current = e
		defer func() { i.current = nil }()
		commit(v)
	}
	changed := e.onChanged
	e.onChanged = func(v string) {
		if changed != nil {
			changed(v)
		}
		if m := i.shown[e]; m != nil && m.Visible() && !i.filling && i.accepts(commit, v) {
			m.Hide()
			delete(i.shown, e)
		}
	}
}

// accepts reports whether committing v with commit would be taken.
func (i *Inspector) accepts(commit func(string), v string) bool {
	t := &trial{ok: true}
	i.trial = t
	defer func() { i.trial = nil }()
	commit(v)
	return t.ok
}

// watchFields watches every text field the inspector shows.
func (i *Inspector) watchFields() {
	i.shown = map[*commitEntry]*look.Message{}
	es := []*commitEntry{i.title, i.prompt, i.duration, i.transDur, i.seed}
	rows := i.lineRows
	if i.draftRow != nil {
		rows = append(slices.Clip(rows), i.draftRow)
	}
	for _, r := range rows {
		es = append(es, r.text, r.start)
	}
	for _, r := range i.cueRows {
		es = append(es, r.desc, r.start, r.dur, r.gain)
	}
	for _, e := range es {
		i.watch(e)
	}
}
