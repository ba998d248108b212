package projectsync_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"testing"

	"github.com/slatestudio/slate/consent"
	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/sharing/projectsync"
)

// A clip featuring someone else's cast member goes to the maker's other
// device only once its use is registered, and when the owner removes the
// use it goes from every device of the maker and from the server.
func TestRemovedUseDeletesTheClipEverywhere(t *testing.T) {
	ctx := context.Background()
	s := startServer(t)
	owner := newDevice(t, "olive's laptop")
	logIn(t, s, "olive", owner)
	img := image.NewRGBA(image.Rect(0, 0, 16, 16))
	img.Set(3, 3, color.RGBA{200, 40, 40, 255})
	var still bytes.Buffer
	if err := jpeg.Encode(&still, img, nil); err != nil {
		t.Fatal(err)
	}
	sum, _, err := owner.lib.Blobs().Put(ctx, &still)
	if err != nil {
		t.Fatal(err)
	}
	mara := library.CastMember{Name: "Mara Quinn", Handle: "@mara", Consent: consent.Everyone, Frontal: sum}
	if err := owner.lib.AddCastMember(ctx, &mara); err != nil {
		t.Fatal(err)
	}
	owner.sync(t)

	a, b := newDevice(t, "laptop"), newDevice(t, "desktop")
	logIn(t, s, "carl", a, b)
	theirs, err := a.svc.Find(ctx, "mara")
	if err != nil {
		t.Fatal(err)
	}
	doc := a.project(t, "The Kite", 2)
	id, shot := doc.Project().ID, doc.Project().Shots[0].ID
	grants, err := a.svc.Permit(ctx, render.Need{ProjectID: id, ProjectTitle: "The Kite", ShotID: shot, Scope: consent.Draft, Members: []library.CastMember{theirs}})
	if err != nil {
		t.Fatal(err)
	}
	clip := a.clip(t, id, shot, 42, 4096)
	plain := a.clip(t, id, doc.Project().Shots[1].ID, 43, 4096)
	if err := a.svc.Made(ctx, grants, render.Made{ProjectID: id, ProjectTitle: "The Kite", ShotID: shot, Scope: consent.Draft, SHA256: clip.SHA256}); err != nil {
		t.Fatal(err)
	}
	// Offline for the consent server's part only is not something a
	// device can be; instead, the use's clip is checked to wait while its
	// use is unregistered: it is registered in the same pass, before the
	// clip goes.
	settle(t, a, b)
	same(t, a, b)
	if !b.lib.Blobs().Has(clip.SHA256) || !b.lib.Blobs().Has(plain.SHA256) {
		t.Fatal("the desktop lacks the clips")
	}

	uses, err := owner.svc.UsesOfMine(ctx)
	if err != nil || len(uses) != 1 {
		t.Fatalf("owner's uses = %+v, %v; want one", uses, err)
	}
	if err := owner.svc.RemoveUse(ctx, uses[0].ID); err != nil {
		t.Fatal(err)
	}
	settle(t, a, b)
	for _, d := range []*device{a, b} {
		if d.lib.Blobs().Has(clip.SHA256) {
			t.Errorf("%s still has the removed clip", d.name)
		}
		if !d.lib.Blobs().Has(plain.SHA256) {
			t.Errorf("%s lost the clip that features no one else", d.name)
		}
	}
	same(t, a, b)
	c, err := a.svc.Client()
	if err != nil {
		t.Fatal(err)
	}
	if has, err := c.HasBlob(ctx, clip.SHA256); err != nil || has {
		t.Errorf("the server still holds the removed clip for the account: %v, %v", has, err)
	}
	remote, err := c.Clips(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	for _, rc := range remote {
		if rc.SHA256 == clip.SHA256 {
			t.Error("the server still lists the removed clip in the project")
		}
	}
}

// A clip featuring someone else's member waits while its use is not yet
// registered with the server, and goes once it is.
func TestClipWaitsForItsUse(t *testing.T) {
	ctx := context.Background()
	s := startServer(t)
	owner := newDevice(t, "olive's laptop")
	logIn(t, s, "olive", owner)
	mara := library.CastMember{Name: "Mara Quinn", Handle: "@mara", Consent: consent.Everyone}
	if err := owner.lib.AddCastMember(ctx, &mara); err != nil {
		t.Fatal(err)
	}
	owner.sync(t)
	a := newDevice(t, "laptop")
	logIn(t, s, "carl", a)
	theirs, err := a.svc.Find(ctx, "mara")
	if err != nil {
		t.Fatal(err)
	}
	doc := a.project(t, "The Kite", 1)
	a.sync(t)
	id, shot := doc.Project().ID, doc.Project().Shots[0].ID
	grants, err := a.svc.Permit(ctx, render.Need{ProjectID: id, ProjectTitle: "The Kite", ShotID: shot, Scope: consent.Draft, Members: []library.CastMember{theirs}})
	if err != nil {
		t.Fatal(err)
	}
	clip := a.clip(t, id, shot, 42, 4096)
	if err := a.svc.Made(ctx, grants, render.Made{ProjectID: id, ProjectTitle: "The Kite", ShotID: shot, Scope: consent.Draft, SHA256: clip.SHA256}); err != nil {
		t.Fatal(err)
	}
	// The server cannot take the use just now; the clip is asked for on
	// demand all the same.
	a.net.refuse.Store("/uses")
	if err := a.eng.Pull(ctx, id); err != nil {
		t.Fatal(err)
	}
	c, _ := a.svc.Client()
	if has, err := c.HasBlob(ctx, clip.SHA256); err != nil || has {
		t.Fatalf("a clip whose use is not registered was sent: %v, %v", has, err)
	}
	if st := a.eng.Clip(ctx, clip.SHA256); st.State != projectsync.Waiting || st.Err == "" {
		t.Errorf("Clip() = %+v, want waiting, saying why", st)
	}
	a.net.refuse.Store("")
	a.sync(t)
	if has, err := c.HasBlob(ctx, clip.SHA256); err != nil || !has {
		t.Errorf("once its use was registered the clip was not sent: %v, %v", has, err)
	}
}
