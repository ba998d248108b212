package accountui

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/slatestudio/slate/account/accounttest"
	"github.com/slatestudio/slate/consent"
	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/render"
)

// My cast shows, per member, "May be sent to outside render services",
// off by default; ticking it and saving tells the server, which then
// grants outside renders to those who may cast them; unticking it takes
// that back. Someone who casts the member reads which it is.
func TestDashboardOutsideChoice(t *testing.T) {
	ctx := context.Background()
	server := accounttest.Start(t)
	h := newRig(t)
	h.logIn(t, server, "ana")
	m := h.addMember(t, "Mara")
	m.Consent = consent.Everyone
	if err := h.lib.UpdateCastMember(ctx, &m); err != nil {
		t.Fatal(err)
	}
	ben := newPeer(t, server, "ben")

	d := h.openDashboard(t)
	e := d.editors[m.ID]
	if e == nil {
		t.Fatalf("My cast has no editor for %s:\n%s", m.Handle, texts(d.mine))
	}
	if e.outside.Text != "May be sent to outside render services" || e.outside.Checked {
		t.Fatalf("the choice reads %q, ticked %v; want \"May be sent to outside render services\", off", e.outside.Text, e.outside.Checked)
	}
	if shown := texts(e.box); !strings.Contains(shown, "not a Slate server") {
		t.Errorf("My cast does not say what outside render services are:\n%s", shown)
	}
	save := func() {
		t.Helper()
		test.Tap(e.save)
		h.ui.Until(t, "the save and sync", 30*time.Second, func() bool { return d.busy == 0 })
		if !strings.Contains(e.note.Text, "the account server has it") {
			t.Fatalf("after Save the member says %q", e.note.Text)
		}
		e = d.editors[m.ID]
	}
	save() // the level, at Everyone, reaches the server
	mara, err := ben.svc.Find(ctx, m.Handle)
	if err != nil {
		t.Fatal(err)
	}
	if mara.Outside {
		t.Error("ben sees Mara allowing outside render services before Ana said so")
	}
	outside := render.Need{ProjectID: "p", Scope: consent.Draft, Members: []library.CastMember{mara}, Outside: true}
	var ce *render.ConsentError
	if _, err := ben.svc.Permit(ctx, outside); !errors.As(err, &ce) || !strings.Contains(ce.Reason, "Mara's likeness may not be sent to outside render services") {
		t.Fatalf("ben's outside grant before Ana allowed it = %v", err)
	}

	test.Tap(e.outside)
	save()
	if got, _ := h.lib.CastMember(ctx, m.ID); !got.Outside || got.Dirty {
		t.Errorf("the library has Outside %v (dirty %v), want allowed and synced", got.Outside, got.Dirty)
	}
	if onServer, err := ownerClient(t, server, "ana").Member(ctx, m.ID); err != nil || !onServer.Outside {
		t.Errorf("the server has Outside %v (%v), want allowed", onServer.Outside, err)
	}
	if !e.outside.Checked {
		t.Error("after saving, the choice shows off again")
	}
	if gs, err := ben.svc.Permit(ctx, outside); err != nil || len(gs) != 1 || !gs[0].Outside {
		t.Fatalf("ben's outside grant once allowed = %+v, %v", gs, err)
	}

	test.Tap(e.outside)
	save()
	if onServer, err := ownerClient(t, server, "ana").Member(ctx, m.ID); err != nil || onServer.Outside {
		t.Errorf("the server has Outside %v (%v), want not allowed", onServer.Outside, err)
	}
	if r, err := ben.svc.Sync(ctx); err != nil || len(r.Revoked) != 1 {
		t.Errorf("ben's sync = %+v, %v; want his outside grant revoked", r, err)
	}
	if _, err := ben.svc.Permit(ctx, outside); !errors.As(err, &ce) {
		t.Errorf("ben's outside grant after Ana said no = %v, want refused", err)
	}
}

// Someone else's member says, under Cast I may feature, whether they may
// be sent to outside render services.
func TestDashboardShowsOthersOutsideChoice(t *testing.T) {
	ctx := context.Background()
	h := newRig(t)
	for _, m := range []*library.CastMember{
		{ID: "0123456789abcdef0123456789abcde1", Name: "Olive", Handle: "@olive", Owner: "o", OwnerName: "olive", Consent: consent.Everyone, Outside: true},
		{ID: "0123456789abcdef0123456789abcde2", Name: "Oscar", Handle: "@oscar", Owner: "o", OwnerName: "oscar", Consent: consent.Everyone},
	} {
		if err := h.lib.PutRemoteMember(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	server := accounttest.Start(t)
	h.logIn(t, server, "ben")
	d := h.openDashboard(t)
	shown := texts(d.others)
	for _, want := range []string{
		"Owner: olive · Everyone: Anyone can feature this likeness, within your preferences. May be sent to outside render services.",
		"Owner: oscar · Everyone: Anyone can feature this likeness, within your preferences. May not be sent to outside render services.",
	} {
		if !strings.Contains(shown, want) {
			t.Errorf("Cast I may feature does not say %q:\n%s", want, shown)
		}
	}
}
