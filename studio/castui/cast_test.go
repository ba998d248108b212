package castui

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"slices"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/slatestudio/slate/consent"
	"github.com/slatestudio/slate/library"
)

// addMember stores a cast member with a frontal still in the harness's
// library and waits for the studio to list it.
func (h *harness) addMember(t *testing.T, name string) library.CastMember {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 48, 48))
	for y := range 48 {
		for x := range 48 {
			img.Set(x, y, color.RGBA{200, 40, 40, 255})
		}
	}
	var buf bytes.Buffer
	jpeg.Encode(&buf, img, nil)
	sum, _, err := h.lib.Blobs().Put(context.Background(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	m := &library.CastMember{Name: name, Handle: library.HandleFor(name), Frontal: sum, Preferences: "always wears a red scarf"}
	if err := h.lib.AddCastMember(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	h.s.reloadCast()
	h.ui.until(t, "the cast panel to list "+name, 10*time.Second, func() bool {
		return slices.ContainsFunc(h.s.castMembers(), func(x library.CastMember) bool { return x.ID == m.ID })
	})
	return *m
}

func TestCastPanelFeatureByDragging(t *testing.T) {
	h := newHarness(t, nil)
	m := h.addMember(t, "Ada Lane")
	h.s.side.SelectIndex(2)
	if n := h.s.castView.list.Length(); n != 1 {
		t.Fatalf("the cast list shows %d members, want 1", n)
	}
	var row *castRow
	walkAll(h.s.castView.list, func(o fyne.CanvasObject) {
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
	c := h.cards()[2]
	d := fyne.CurrentApp().Driver()
	to := d.AbsolutePositionForObject(c).Add(fyne.NewPos(30, 60))
	from := d.AbsolutePositionForObject(row).Add(fyne.NewPos(10, 10))
	test.Drag(h.win.Canvas(), from, to.X-from.X, to.Y-from.Y)
	p := h.s.Project()
	if _, ok := p.CastMember(m.ID); !ok || !slices.Contains(p.Shots[2].Cast, m.ID) {
		t.Fatalf("after the drop: project cast %v, shot 3 features %v", p.Cast, p.Shots[2].Cast)
	}
	if name, _ := h.s.doc.UndoName(); name != "Feature Ada Lane" {
		t.Errorf("undo would %q", name)
	}
	// The render request carries the likeness, so the key and the card
	// change.
	req := h.s.request(2)
	if l := req.Likeness[m.ID]; l.StillSHA256 != m.Frontal || l.Preferences != "always wears a red scarf" {
		t.Errorf("request likeness = %+v", req.Likeness)
	}
	h.s.undo()
	if p := h.s.Project(); slices.Contains(p.Shots[2].Cast, m.ID) {
		t.Error("undo did not take the member off the shot")
	}
}

func TestInspectorFeaturesFromTheCast(t *testing.T) {
	h := newHarness(t, nil)
	m := h.addMember(t, "Bo Pike")
	h.s.selectShots("letter")
	found := false
	walkAll(h.s.inspector.root, func(o fyne.CanvasObject) {
		if w, ok := o.(*widgetSelect); ok && w.PlaceHolder == "Feature someone from the cast…" && !found {
			found = true
			w.SetSelected("Bo Pike (@bo_pike)")
		}
	})
	if !found {
		t.Fatal("the inspector offers no way to feature a recorded member")
	}
	if p := h.s.Project(); !slices.Contains(p.Shot("letter").Cast, m.ID) {
		t.Errorf("shot 4 features %v after picking Bo Pike", p.Shot("letter").Cast)
	}
}

func TestCastMemberEditAndDelete(t *testing.T) {
	h := newHarness(t, nil)
	m := h.addMember(t, "Cy Moss")
	m.Consent = consent.Everyone
	if err := h.lib.UpdateCastMember(context.Background(), &m); err != nil {
		t.Fatal(err)
	}
	h.s.reloadCast()
	h.ui.until(t, "the new consent level to show", 10*time.Second, func() bool {
		c := h.s.castMembers()
		return len(c) == 1 && c[0].Consent == consent.Everyone
	})
	h.s.castView.list.Select(0)
	h.s.castView.deleteDialog(m)
	over := h.win.Canvas().Overlays().Top()
	var del *widgetButton
	walkAll(over, func(o fyne.CanvasObject) {
		if b, ok := o.(*widgetButton); ok && b.Text == "Delete" {
			del = b
		}
	})
	if del == nil {
		t.Fatal("no Delete button in the confirmation")
	}
	test.Tap(del)
	h.ui.until(t, "the member to go", 10*time.Second, func() bool { return len(h.s.castMembers()) == 0 })
	if h.lib.Blobs().Has(m.Frontal) {
		t.Error("the deleted member's still is still stored")
	}
}

type (
	widgetSelect = widget.Select
	widgetButton = widget.Button
)

func TestCastPanelRemoteMemberIsNotEditable(t *testing.T) {
	h := newHarness(t, nil)
	theirs := &library.CastMember{ID: "0123456789abcdef", Name: "Ola Berg", Handle: "@ola", Owner: "acct9", OwnerName: "olga", Consent: consent.Everyone}
	if err := h.lib.PutRemoteMember(context.Background(), theirs); err != nil {
		t.Fatal(err)
	}
	h.s.reloadCast()
	h.ui.until(t, "the cast panel to list Ola", 10*time.Second, func() bool { return len(h.s.castMembers()) == 1 })
	h.s.castView.list.Select(0)
	h.ui.until(t, "the buttons to follow the selection", 10*time.Second, func() bool { return !h.s.castView.del.Disabled() })
	if !h.s.castView.edit.Disabled() {
		t.Error("someone else's member can be edited here")
	}
	row := newCastRow(h.s.castView)
	row.bind(0, *theirs)
	if got := row.detail.Text; got != "@ola · olga · theirs: each render asks for their grant" {
		t.Errorf("the row says %q; want whose member it is and that renders ask for a grant", got)
	}
}
