package castui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/slatestudio/slate/studio/session"
	"github.com/slatestudio/slate/timeline"
)

// characterList is the Cast tab's Characters section: the project's
// characters, who need no recording, with New character…, Edit… and
// Remove for each. Every change is an undoable edit of the project.
type characterList struct {
	c     *Panel
	rows  *fyne.Container
	empty *widget.Label
	add   *widget.Button
	view  fyne.CanvasObject
}

func newCharacterList(ctx context.Context, c *Panel) *characterList {
	l := &characterList{c: c, rows: container.NewVBox()}
	l.empty = &widget.Label{Text: "No characters yet. A character needs no recording: a name, a voice and, if you like, a description and a picture.", Wrapping: fyne.TextWrapWord, Importance: widget.LowImportance}
	l.add = widget.NewButtonWithIcon("New character…", theme.ContentAddIcon(), func() {
		s := c.s
		c.NewCharacter(ctx, func(ch timeline.CastRef) error { return s.Edit(ctx, timeline.AddCharacter(ch)) })
	})
	head := container.NewBorder(nil, nil, widget.NewLabelWithStyle("Characters", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), l.add)
	l.view = container.NewVBox(widget.NewSeparator(), head, l.empty, l.rows)
	c.s.Listen(session.Listener{ProjectChanged: func(timeline.Change) { l.refresh(ctx) }, CastChanged: func() { l.refresh(ctx) }})
	l.refresh(ctx)
	return l
}

// refresh lists the project's characters as they are now.
func (l *characterList) refresh(ctx context.Context) {
	chars := l.c.s.Project().Characters()
	l.rows.RemoveAll()
	for _, ch := range chars {
		l.rows.Add(l.row(ctx, ch))
	}
	l.empty.Hidden = len(chars) > 0
	l.empty.Refresh()
	l.rows.Refresh()
}

// row is one character: picture, name, voice and description, and its
// buttons.
func (l *characterList) row(ctx context.Context, ch timeline.CastRef) fyne.CanvasObject {
	c := l.c
	face := canvas.NewImageFromResource(theme.AccountIcon())
	if ch.Image != "" {
		face = canvas.NewImageFromFile(c.d.Library.Blobs().Path(ch.Image))
	}
	face.FillMode = canvas.ImageFillContain
	face.SetMinSize(fyne.NewSize(40, 40))
	name := widget.NewLabelWithStyle(ch.Name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	detail := &widget.Label{Text: characterDetail(ch, c), Truncation: fyne.TextTruncateEllipsis, Importance: widget.LowImportance}
	edit := widget.NewButtonWithIcon("Edit…", theme.DocumentCreateIcon(), func() { c.EditCharacter(ctx, ch) })
	remove := widget.NewButtonWithIcon("Remove", theme.DeleteIcon(), func() {
		if err := c.s.Edit(ctx, timeline.RemoveCharacter(ch)); err != nil {
			c.d.Report(err)
		}
	})
	return container.NewBorder(nil, nil, face, container.NewHBox(edit, remove), container.NewVBox(name, detail))
}

// characterDetail is the line under a character's name: its voice, who
// plays it and its description.
func characterDetail(ch timeline.CastRef, c *Panel) string {
	parts := []string{"voice chosen by Slate"}
	if ch.Voice != "" {
		parts[0] = voiceLabel(ch.Voice)
	}
	if ch.Member != "" {
		who := "a cast member no longer here"
		for _, m := range c.s.Cast() {
			if m.ID == ch.Member {
				who = m.Name
			}
		}
		parts = append(parts, "played by "+who)
	}
	if ch.Description != "" {
		parts = append(parts, "“"+ch.Description+"”")
	}
	return strings.Join(parts, " · ")
}
