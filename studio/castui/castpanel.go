package castui

import (
	"context"
	"fmt"
	"log/slog"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/slatestudio/slate/consent"
	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/studio/session"
	"github.com/slatestudio/slate/studio/uikit"
)

// Panel lists the library's cast members — the likenesses recorded on
// this machine — with who may use each, and lets the person record a new
// one, edit one, delete one, or feature one in shots: with the button, or
// by dragging the member onto a card on the timeline.
type Panel struct {
	s        Session
	d        Deps
	list     *widget.List
	empty    *widget.Label
	selected int // index into the cast, -1 for none
	edit     *widget.Button
	del      *widget.Button
	feature  *widget.Button
	record   *widget.Button
	// featureIn features a member in a shot, where one was dropped.
	featureIn func(m library.CastMember, shotID string)

	// wizard is the recording wizard while it is open.
	wizard *wizard
	// characters is the Characters section; editor the character editor
	// last opened.
	characters *characterList
	editor     *characterEditor
}

// Close stops the recording wizard's devices, if it is open: the studio
// is closing (and takes the wizard's window with it).
func (c *Panel) Close() {
	if c.wizard != nil {
		c.wizard.closed()
	}
}

// NewPanel makes the cast panel; it follows the session's cast from now
// on. What it changes and records runs under ctx, the studio's.
func NewPanel(ctx context.Context, d Deps) *Panel {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	s := d.Session
	c := &Panel{s: s, d: d, selected: -1}
	c.list = widget.NewList(
		func() int { return len(s.Cast()) },
		func() fyne.CanvasObject { return newCastRow(c) },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if m := s.Cast(); i < len(m) {
				o.(*castRow).bind(i, m[i])
			}
		},
	)
	c.list.OnSelected = func(i widget.ListItemID) { c.selected = i; c.updateButtons() }
	c.list.OnUnselected = func(widget.ListItemID) { c.selected = -1; c.updateButtons() }
	c.empty = widget.NewLabel("No cast yet. Record yourself (or a friend) with the camera and microphone, and shots can feature you.")
	c.empty.Wrapping = fyne.TextWrapWord
	c.empty.Importance = widget.LowImportance
	c.edit = widget.NewButtonWithIcon("Edit…", theme.DocumentCreateIcon(), func() {
		if m, ok := c.member(); ok {
			c.editDialog(ctx, m)
		}
	})
	c.del = widget.NewButtonWithIcon("Delete…", theme.DeleteIcon(), func() {
		if m, ok := c.member(); ok {
			c.deleteDialog(ctx, m)
		}
	})
	c.feature = widget.NewButtonWithIcon("Feature in selected shots", theme.ContentAddIcon(), func() {
		if m, ok := c.member(); ok {
			s.FeatureMember(ctx, m, s.Selected()...)
		}
	})
	c.featureIn = func(m library.CastMember, shotID string) { s.FeatureMember(ctx, m, shotID) }
	c.record = widget.NewButtonWithIcon("Record…", theme.MediaRecordIcon(), func() { c.Record(ctx) })
	c.record.Importance = widget.HighImportance
	c.updateButtons()
	s.Listen(session.Listener{CastChanged: c.refresh})
	c.characters = newCharacterList(ctx, c)
	return c
}

// View is the panel, for the studio's side tabs.
func (c *Panel) View() fyne.CanvasObject {
	top := container.NewBorder(nil, nil, widget.NewLabelWithStyle("Cast", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), c.record)
	hint := widget.NewLabel("Drag a member onto a shot to feature them.")
	hint.Importance = widget.LowImportance
	bottom := container.NewVBox(c.feature, container.NewGridWithColumns(2, c.edit, c.del), hint, c.characters.view)
	return container.NewBorder(top, bottom, nil, nil, container.NewStack(c.empty, c.list))
}

func (c *Panel) member() (library.CastMember, bool) {
	m := c.s.Cast()
	if c.selected < 0 || c.selected >= len(m) {
		return library.CastMember{}, false
	}
	return m[c.selected], true
}

func (c *Panel) refresh() {
	n := len(c.s.Cast())
	if c.selected >= n {
		c.selected = -1
		c.list.UnselectAll()
	}
	c.empty.Hidden = n > 0
	c.empty.Refresh()
	c.list.Refresh()
	c.updateButtons()
}

func (c *Panel) updateButtons() {
	m, ok := c.member()
	for _, b := range []*widget.Button{c.edit, c.del} {
		// Someone else's member is theirs to edit, on their studio.
		if ok && !(b == c.edit && m.Remote) {
			b.Enable()
		} else {
			b.Disable()
		}
	}
	if ok && len(c.s.Selected()) > 0 {
		c.feature.Enable()
	} else {
		c.feature.Disable()
	}
}

// outsideLabel is the choice that lets a member's likeness go to render
// services that are not a Slate server, as the cast's edit dialog and the
// consent dashboard both word it.
const outsideLabel = "May be sent to outside render services"

// editDialog edits a member's name, handle, consent, outside choice and
// preferences.
func (c *Panel) editDialog(ctx context.Context, m library.CastMember) {
	s := c.s
	name := uikit.NewField()
	name.SetText(m.Name)
	handle := uikit.NewField()
	handle.SetText(m.Handle)
	prefs := widget.NewMultiLineEntry()
	prefs.SetText(m.Preferences)
	prefs.SetPlaceHolder("Shown to anyone who casts them and added to their shots' prompts, e.g. \"always wears a red scarf\"")
	prefs.Wrapping = fyne.TextWrapWord
	explain := widget.NewLabel(m.Consent.Explain())
	explain.Wrapping = fyne.TextWrapWord
	level := widget.NewRadioGroup(levelLabels(), func(v string) {
		if l, err := consent.ParseLevel(v); err == nil {
			explain.SetText(l.Explain())
		}
	})
	level.SetSelected(m.Consent.Label())
	// Where the likeness may go, beside who may use it: off unless the
	// person ticks it.
	outside := widget.NewCheck(outsideLabel, nil)
	outside.SetChecked(m.Outside)
	items := []*widget.FormItem{
		widget.NewFormItem("Name", name),
		widget.NewFormItem("Handle", handle),
		widget.NewFormItem("Who may use this likeness", container.NewVBox(level, explain)),
		widget.NewFormItem("Render services", outside),
		widget.NewFormItem("Preferences", prefs),
	}
	d := dialog.NewForm("Edit "+m.Name, "Save", "Cancel", items, func(ok bool) {
		if !ok {
			return
		}
		lvl, err := consent.ParseLevel(level.Selected)
		if err != nil {
			c.d.Report(err)
			return
		}
		m.Name, m.Handle, m.Preferences, m.Consent, m.Outside = name.Text, handle.Text, prefs.Text, lvl, outside.Checked
		lib := c.d.Library
		session.Background(ctx, s, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, lib.UpdateCastMember(ctx, &m)
		}, func(_ struct{}, err error) {
			if err != nil {
				c.d.Report(err)
				return
			}
			s.ReloadCast(ctx)
		})
	}, c.d.Window)
	d.Resize(fyne.NewSize(520, 500))
	d.Show()
	uikit.DialogKeys(c.d.Window, d.Submit, d.Hide, name, handle)
}

// deleteDialog asks before deleting a member and their media.
func (c *Panel) deleteDialog(ctx context.Context, m library.CastMember) {
	s := c.s
	msg := fmt.Sprintf("Delete %s (%s)?\n\nTheir recording, stills and voice sample are deleted from this computer. Shots that feature them keep their name but no longer their face. This cannot be undone.", m.Name, m.Handle)
	if m.Remote {
		msg = fmt.Sprintf("Remove %s (%s) from your cast?\n\nThey are %s's; nothing of theirs is stored here. Shots that feature them keep their name. You can add them again by their handle.", m.Name, m.HandleAndOwner(), m.OwnerName)
	}
	d := dialog.NewConfirm("Delete cast member", msg, func(ok bool) {
		if !ok {
			return
		}
		lib := c.d.Library
		session.Background(ctx, s, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, lib.DeleteCastMember(ctx, m.ID)
		}, func(_ struct{}, err error) {
			if err != nil {
				c.d.Report(err)
				return
			}
			s.ReloadCast(ctx)
		})
	}, c.d.Window)
	d.SetConfirmText("Delete")
	d.SetDismissText("Keep")
	d.Show()
	uikit.DialogKeys(c.d.Window, nil, d.Dismiss) // deleting takes a click
}

// castRow is one member in the list: their face, name, handle and who may
// use the likeness. It can be dragged onto a timeline card.
type castRow struct {
	widget.BaseWidget
	c      *Panel
	index  int
	member library.CastMember
	face   *canvas.Image
	name   *widget.Label
	detail *widget.Label
	prefs  *widget.Label
	// drop is where the pointer is while dragging, on the canvas.
	drop fyne.Position
}

func newCastRow(c *Panel) *castRow {
	r := &castRow{c: c, face: canvas.NewImageFromResource(theme.AccountIcon()),
		name: widget.NewLabel(""), detail: widget.NewLabel(""), prefs: widget.NewLabel("")}
	r.face.FillMode = canvas.ImageFillContain
	r.face.SetMinSize(fyne.NewSize(56, 56))
	r.name.TextStyle.Bold = true
	r.detail.Importance = widget.LowImportance
	r.prefs.Truncation = fyne.TextTruncateEllipsis
	r.prefs.Importance = widget.LowImportance
	r.ExtendBaseWidget(r)
	return r
}

func (r *castRow) CreateRenderer() fyne.WidgetRenderer {
	text := container.NewVBox(r.name, r.detail, r.prefs)
	return widget.NewSimpleRenderer(container.NewBorder(nil, nil, r.face, nil, text))
}

func (r *castRow) bind(i int, m library.CastMember) {
	r.index, r.member = i, m
	r.name.SetText(m.Name)
	if m.Remote {
		r.detail.SetText(m.HandleAndOwner() + " · theirs: each render asks for their grant")
	} else {
		r.detail.SetText(m.Handle + " · " + m.Consent.Label())
	}
	if m.Preferences != "" {
		r.prefs.SetText("“" + m.Preferences + "”")
	} else {
		r.prefs.SetText("no preferences")
	}
	if m.Frontal != "" {
		r.face.File = r.c.d.Library.Blobs().Path(m.Frontal)
		r.face.Resource = nil
	} else {
		r.face.File, r.face.Resource = "", theme.AccountIcon()
	}
	r.face.Refresh()
}

// Tapped selects the member.
func (r *castRow) Tapped(*fyne.PointEvent) { r.c.list.Select(r.index) }

// Dragged follows the pointer towards a card.
func (r *castRow) Dragged(e *fyne.DragEvent) {
	r.drop = e.AbsolutePosition
	if r.drop.IsZero() {
		// Fyne's test driver sends one event with the move as a delta and
		// no absolute position; work it out.
		at := fyne.CurrentApp().Driver().AbsolutePositionForObject(r)
		r.drop = at.Add(e.Position).Add(fyne.NewPos(e.Dragged.DX, e.Dragged.DY))
	}
}

// DragEnd features the member in the shot whose card it was dropped on.
func (r *castRow) DragEnd() {
	if id, ok := r.c.d.ShotAt(r.drop); ok {
		r.c.featureIn(r.member, id)
	}
}

var _ desktop.Hoverable = (*castRow)(nil)

// MouseIn, MouseMoved and MouseOut make the row show it can be picked up.
func (r *castRow) MouseIn(*desktop.MouseEvent)    {}
func (r *castRow) MouseMoved(*desktop.MouseEvent) {}
func (r *castRow) MouseOut()                      {}
