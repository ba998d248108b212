package castui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/slatestudio/slate/studio/studiotest"
	"github.com/slatestudio/slate/studio/uikit"
	"github.com/slatestudio/slate/timeline"
)

// TestEditMemberKeys: in a cast member's Edit dialog, Esc in the name
// field cancels (nothing saved) and Enter in it saves; in Delete, Esc
// keeps the member and Enter does not delete (that takes a click).
func TestEditMemberKeys(t *testing.T) {
	r := newRig(t, nil, nil)
	m := r.addMember(t, "Ana")
	nameField := func() *uikit.Field {
		var f *uikit.Field
		studiotest.WalkAll(r.win.Canvas().Overlays().Top(), func(o fyne.CanvasObject) {
			if e, ok := o.(*uikit.Field); ok && f == nil {
				f = e
			}
		})
		if f == nil {
			t.Fatal("the Edit dialog has no name field")
		}
		return f
	}
	stored := func() string {
		got, err := r.env.Library.CastMember(t.Context(), m.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got.Name
	}

	r.panel.editDialog(t.Context(), m)
	f := nameField()
	r.win.Canvas().Focus(f)
	test.Type(f, " B")
	studiotest.Press(r.win, 0, fyne.KeyEscape)
	if r.win.Canvas().Overlays().Top() != nil {
		t.Fatal("Esc left the Edit dialog open")
	}
	r.ui.Drain()
	if got := stored(); got != "Ana" {
		t.Fatalf("after Esc the member is named %q, want Ana", got)
	}

	r.panel.editDialog(t.Context(), m)
	f = nameField()
	r.win.Canvas().Focus(f)
	test.Type(f, " B")
	studiotest.Press(r.win, 0, fyne.KeyReturn)
	want := f.Text
	r.ui.Until(t, "the new name to be saved", 10*time.Second, func() bool { return stored() == want })
	if want == "Ana" {
		t.Fatal("typing changed nothing in the name field")
	}

	r.panel.deleteDialog(t.Context(), m)
	studiotest.Press(r.win, 0, fyne.KeyReturn)
	r.ui.Drain()
	if r.win.Canvas().Overlays().Top() == nil {
		t.Fatal("Enter closed the Delete cast member dialog")
	}
	studiotest.Press(r.win, 0, fyne.KeyEscape)
	r.ui.Drain()
	if r.win.Canvas().Overlays().Top() != nil {
		t.Error("Esc left the Delete cast member dialog open")
	}
	if _, err := r.env.Library.CastMember(t.Context(), m.ID); err != nil {
		t.Errorf("after Enter and Esc in Delete the member is gone: %v", err)
	}
}

// TestCharacterEditorKeys: in the character editor, Esc in the name
// field cancels (no character is made) and Enter in it saves; after a
// voice is picked from its list, Enter still saves.
func TestCharacterEditorKeys(t *testing.T) {
	h := newRig(t, nil, nil)
	saved := 0
	open := func() *characterEditor {
		h.panel.NewCharacter(t.Context(), func(timeline.CastRef) error { saved++; return nil })
		e := h.editor(t)
		if h.win.Canvas().Focused() == nil {
			t.Fatal("the editor opened with nothing focused")
		}
		return e
	}

	e := open()
	test.Type(e.name, "Bo")
	studiotest.Press(h.win, 0, fyne.KeyEscape)
	if h.win.Canvas().Overlays().Top() != nil || saved != 0 {
		t.Fatalf("Esc in the name: editor open %v, %d saved; want it closed and none", h.win.Canvas().Overlays().Top() != nil, saved)
	}

	e = open()
	test.Type(e.name, "Ada")
	studiotest.Press(h.win, 0, fyne.KeyReturn)
	if h.win.Canvas().Overlays().Top() != nil || saved != 1 {
		t.Fatalf("Enter in the name: editor open %v, %d saved; want it closed and one", h.win.Canvas().Overlays().Top() != nil, saved)
	}

	e = open()
	test.Type(e.name, "Cy")
	h.win.Canvas().Focus(e.voice) // a tap on the list, then a pick
	pickVoice(t, e, "en-gb", "f3")
	studiotest.Press(h.win, 0, fyne.KeyReturn)
	if h.win.Canvas().Overlays().Top() != nil || saved != 2 {
		t.Fatalf("Enter after picking a voice: editor open %v, %d saved; want it closed and two", h.win.Canvas().Overlays().Top() != nil, saved)
	}
}
