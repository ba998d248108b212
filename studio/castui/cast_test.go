package castui

import (
	"context"
	"slices"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/slatestudio/slate/consent"
	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/studio/studiotest"
)

// Dragging a member onto a card on the timeline features them in that
// shot, as one edit, and their likeness goes into the shot's render.
func TestCastPanelFeatureByDragging(t *testing.T) {
	h := newRig(t, nil, nil)
	m := h.addMember(t, "Ada Lane")
	if n := h.panel.list.Length(); n != 1 {
		t.Fatalf("the cast list shows %d members, want 1", n)
	}
	var row *castRow
	studiotest.WalkAll(h.panel.list, func(o fyne.CanvasObject) {
		if r, ok := o.(*castRow); ok && r.member.ID == m.ID {
			row = r
		}
	})
	if row == nil {
		t.Fatal("no row for the member")
	}
	if row.detail.Text != "@ada_lane · Only me" {
		t.Errorf("row says %q, want the handle and the default consent", row.detail.Text)
	}
	// Drag the row onto the third card.
	to := h.cardPoint(t, "pier")
	d := fyne.CurrentApp().Driver()
	from := d.AbsolutePositionForObject(row).Add(fyne.NewPos(10, 10))
	test.Drag(h.win.Canvas(), from, to.X-from.X, to.Y-from.Y)
	p := h.s.Project()
	if _, ok := p.CastMember(m.ID); !ok || !slices.Contains(p.Shots[2].Cast, m.ID) {
		t.Fatalf("after the drop: project cast %v, shot 3 features %v", p.Cast, p.Shots[2].Cast)
	}
	if name, _ := h.s.Document().UndoName(); name != "Feature Ada Lane" {
		t.Errorf("undo would %q", name)
	}
	// The render request carries the likeness, so the key and the card
	// change.
	req := h.s.Request(2)
	if l := req.Likeness[m.ID]; l.StillSHA256 != m.Frontal || l.Preferences != "always wears a red scarf" {
		t.Errorf("request likeness = %+v", req.Likeness)
	}
	h.s.Undo(t.Context())
	if p := h.s.Project(); slices.Contains(p.Shots[2].Cast, m.ID) {
		t.Error("undo did not take the member off the shot")
	}
}

func TestCastMemberEditAndDelete(t *testing.T) {
	h := newRig(t, nil, nil)
	m := h.addMember(t, "Cy Moss")
	m.Consent = consent.Everyone
	if err := h.env.Library.UpdateCastMember(context.Background(), &m); err != nil {
		t.Fatal(err)
	}
	h.s.ReloadCast(t.Context())
	h.ui.Until(t, "the new consent level to show", 10*time.Second, func() bool {
		c := h.s.Cast()
		return len(c) == 1 && c[0].Consent == consent.Everyone
	})
	h.panel.list.Select(0)
	h.panel.deleteDialog(t.Context(), m)
	over := h.win.Canvas().Overlays().Top()
	var del *widget.Button
	studiotest.WalkAll(over, func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == "Delete" {
			del = b
		}
	})
	if del == nil {
		t.Fatal("no Delete button in the confirmation")
	}
	test.Tap(del)
	h.ui.Until(t, "the member to go", 10*time.Second, func() bool { return len(h.s.Cast()) == 0 })
	if h.env.Library.Blobs().Has(m.Frontal) {
		t.Error("the deleted member's still is still stored")
	}
}

func TestCastPanelRemoteMemberIsNotEditable(t *testing.T) {
	h := newRig(t, nil, nil)
	theirs := &library.CastMember{ID: "0123456789abcdef", Name: "Ola Berg", Handle: "@ola", Owner: "acct9", OwnerName: "olga", Consent: consent.Everyone}
	if err := h.env.Library.PutRemoteMember(context.Background(), theirs); err != nil {
		t.Fatal(err)
	}
	h.s.ReloadCast(t.Context())
	h.ui.Until(t, "the cast panel to list Ola", 10*time.Second, func() bool { return len(h.s.Cast()) == 1 })
	h.panel.list.Select(0)
	h.ui.Until(t, "the buttons to follow the selection", 10*time.Second, func() bool { return !h.panel.del.Disabled() })
	if !h.panel.edit.Disabled() {
		t.Error("someone else's member can be edited here")
	}
	row := newCastRow(h.panel)
	row.bind(0, *theirs)
	if got := row.detail.Text; got != "@ola · olga · theirs: each render asks for their grant" {
		t.Errorf("the row says %q; want whose member it is and that renders ask for a grant", got)
	}
}
