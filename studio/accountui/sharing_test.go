package accountui

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/account/accounttest"
	"github.com/slatestudio/slate/account/client"
	"github.com/slatestudio/slate/consent"
	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/render/animatic"
	"github.com/slatestudio/slate/sharing"
)

// These tests run the real account server on loopback and reach it, as
// the studio does, through sharing and account/client, keeping sessions
// in encrypted files in temporary folders rather than the keyring.

const testPassword = "correct horse battery"

// peer is another person's studio, without a window: a library and its
// sharing service, signed up on server.
type peer struct {
	lib *library.Library
	svc *sharing.Service
}

func newPeer(t *testing.T, server, username string) *peer {
	t.Helper()
	lib, err := library.Open(t.Context(), t.TempDir(), library.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lib.Close() })
	p := &peer{lib: lib, svc: sharing.New(lib, sharing.Options{Store: client.NewFileStore(t.TempDir()), Device: username + "'s laptop"})}
	if _, err := p.svc.SignUp(context.Background(), server, username, testPassword); err != nil {
		t.Fatal(err)
	}
	return p
}

// ownerClient logs in to server as username on a device of its own, to
// read what the server holds.
func ownerClient(t *testing.T, server, username string) *client.Client {
	t.Helper()
	c, err := client.New(server, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Login(context.Background(), username, testPassword, "checker"); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestLoginDialog(t *testing.T) {
	server := accounttest.Start(t)
	newPeer(t, server, "ana")
	h := newRig(t)
	if got := texts(h.a.line); !strings.Contains(got, "Not logged in") {
		t.Errorf("the status line says %q before logging in", got)
	}

	// Logged out, the dashboard says so and offers to log in.
	d := h.openDashboard(t)
	if got := texts(d.win.Canvas().Content()); !strings.Contains(got, "Not logged in to an account server") {
		t.Errorf("the logged-out dashboard does not say so:\n%s", got)
	}
	test.Tap(findButton(t, d.account, "Log in…"))
	login := h.win.Canvas().Overlays().Top()
	if login == nil || !strings.Contains(texts(login), "Log in to share") {
		t.Fatalf("the dashboard's Log in button opened no log-in dialog")
	}
	test.Tap(findButton(t, login, "Cancel"))
	d.win.Close()

	try := func(dlg *loginDialog, server, user, pw string) {
		t.Helper()
		dlg.server.SetText("")
		test.Type(dlg.server, server)
		dlg.username.SetText("")
		test.Type(dlg.username, user)
		dlg.password.SetText("")
		test.Type(dlg.password, pw)
		test.Tap(dlg.submit)
		h.ui.Until(t, "the log-in to answer", 30*time.Second, func() bool { return !dlg.busy })
	}
	dlg := h.a.showLogin(t.Context(), false)
	if dlg.server.Text != DefaultServer {
		t.Errorf("the server field offers %q, want %q", dlg.server.Text, DefaultServer)
	}
	for _, tt := range []struct{ server, pw, want string }{
		{server, "wrong password!", "Wrong username or password."},
		{"http://192.0.2.1:8787", testPassword, "plain http would send your password and session unencrypted"},
		{"http://127.0.0.1:1", testPassword, "Slate could not reach the account server at 127.0.0.1:1. Is it running?"},
	} {
		try(dlg, tt.server, "ana", tt.pw)
		if !dlg.problem.Visible() || !strings.Contains(dlg.problem.Text, tt.want) {
			t.Errorf("logging in to %s with %q shows %q (visible %v), want %q", tt.server, tt.pw, dlg.problem.Text, dlg.problem.Visible(), tt.want)
		}
		if _, ok := h.svc.Account(); ok {
			t.Fatalf("a failed log-in to %s logged in", tt.server)
		}
		if h.win.Canvas().Overlays().Top() == nil {
			t.Fatal("a failed log-in closed the dialog")
		}
	}

	try(dlg, server, "ana", testPassword)
	h.ui.Drain()
	if h.win.Canvas().Overlays().Top() != nil {
		t.Errorf("the dialog stayed open after logging in: %s", texts(h.win.Canvas().Overlays().Top()))
	}
	if title := h.win.Title(); !strings.HasSuffix(title, "— Slate — ana") {
		t.Errorf("the title is %q after logging in as ana", title)
	}
	if got := h.a.line.Text; !strings.Contains(got, "Logged in as ana on "+server) {
		t.Errorf("the status line says %q after logging in", got)
	}
	if got := h.env.App.Preferences().String(prefServer); got != server {
		t.Errorf("the server remembered is %q, want %q", got, server)
	}
	if !h.a.LoggedIn() {
		t.Error("logged in, the room says nobody is (and the studio's Account menu offers Log in…)")
	}
	// The next log-in dialog offers the server used last.
	if dlg := h.a.showLogin(t.Context(), false); dlg.server.Text != server {
		t.Errorf("the next log-in offers %q, want %q", dlg.server.Text, server)
	}
	dlg.dialog.Hide()

	h.a.Logout(t.Context()) // Account ▸ Log out
	h.ui.Until(t, "the log-out", 30*time.Second, func() bool { return !strings.Contains(h.win.Title(), "ana") })
	if _, ok := h.svc.Account(); ok {
		t.Error("still logged in after Log out")
	}
}

// The whole way round: the owner sets a member's consent in the
// dashboard; someone approved renders with them and the use reaches the
// owner's "Uses" tab; the owner removes it, and the creator's next sync
// deletes the clip.
func TestDashboardConsentUsesAndRemoval(t *testing.T) {
	ctx := context.Background()
	server := accounttest.Start(t)
	h := newRig(t)
	h.logIn(t, server, "ana")
	m := h.addMember(t, "Mara")
	ben := newPeer(t, server, "ben")

	d := h.openDashboard(t)
	e := d.editors[m.ID]
	if e == nil {
		t.Fatalf("My cast has no editor for %s:\n%s", m.Handle, texts(d.mine))
	}
	e.level.SetSelected(consent.Approved.Label())
	for _, name := range []string{"ben", "dee"} {
		test.Type(e.addName, name)
		test.Tap(e.approve)
	}
	test.Tap(findButton(t, e.names, "")) // the last name's remove button: dee
	e.prefs.SetText("")
	test.Type(e.prefs, "Never as a villain.")
	test.Tap(e.save)
	h.ui.Until(t, "the save and sync", 30*time.Second, func() bool { return d.busy == 0 })
	if !strings.Contains(e.note.Text, "the account server has it") {
		t.Fatalf("after Save the member says %q", e.note.Text)
	}

	got, err := h.lib.CastMember(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Consent != consent.Approved || !slices.Equal(got.Approved, []string{"ben"}) || got.Preferences != "Never as a villain." || got.Dirty {
		t.Errorf("the library has %s at %q approving %q with %q (dirty %v)", got.Handle, got.Consent, got.Approved, got.Preferences, got.Dirty)
	}
	onServer, err := ownerClient(t, server, "ana").Member(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if onServer.Level != consent.Approved || !slices.Equal(onServer.Approved, []string{"ben"}) || onServer.Preferences != "Never as a villain." {
		t.Errorf("the server has %s at %q approving %q with %q", onServer.Handle, onServer.Level, onServer.Approved, onServer.Preferences)
	}

	// Ben, approved, renders a draft with Mara: a grant, a clip, a use.
	mara, err := ben.svc.Find(ctx, m.Handle)
	if err != nil {
		t.Fatal(err)
	}
	if mara.Preferences != "Never as a villain." || mara.OwnerName != "ana" {
		t.Errorf("ben sees %s with %q, owned by %q", mara.Handle, mara.Preferences, mara.OwnerName)
	}
	doc, err := ben.lib.CreateProject(ctx, smallDemo(t))
	if err != nil {
		t.Fatal(err)
	}
	p := doc.Project()
	need := render.Need{ProjectID: p.ID, ProjectTitle: "Ben's film", ShotID: p.Shots[0].ID, Scope: consent.Draft, Members: []library.CastMember{mara}}
	grants, err := ben.svc.Permit(ctx, need)
	if err != nil {
		t.Fatal(err)
	}
	sum, _, err := ben.lib.Blobs().Put(ctx, strings.NewReader("a clip featuring Mara"))
	if err != nil {
		t.Fatal(err)
	}
	clip := library.Clip{ProjectID: p.ID, ShotID: p.Shots[0].ID, Key: "ben-key", SHA256: sum, Backend: animatic.Name}
	if err := ben.lib.AddClip(ctx, clip); err != nil {
		t.Fatal(err)
	}
	if err := ben.svc.Made(ctx, grants, render.Made{ProjectID: p.ID, ProjectTitle: "Ben's film", ShotID: p.Shots[0].ID, Scope: consent.Draft, SHA256: sum}); err != nil {
		t.Fatal(err)
	}
	if r, err := ben.svc.Sync(ctx); err != nil || r.Registered != 1 {
		t.Fatalf("ben's sync registered %d uses: %v", r.Registered, err)
	}

	// Ana's dashboard lists the use; she removes it.
	d.reload(t.Context())
	d.settle(t, h)
	if len(d.removeUse) != 1 {
		t.Fatalf("the Uses tab lists %d removable uses, want 1:\n%s", len(d.removeUse), texts(d.uses))
	}
	if shown := texts(d.uses); !strings.Contains(shown, "@mara · by ben · in “Ben's film” · draft") {
		t.Errorf("the Uses tab does not describe ben's draft:\n%s", shown)
	}
	var useID string
	for id, b := range d.removeUse {
		useID = id
		test.Tap(b)
	}
	confirm := d.win.Canvas().Overlays().Top()
	if confirm == nil || !strings.Contains(texts(confirm), "deleted from ben's studio") {
		t.Fatal("Remove asked for no confirmation")
	}
	test.Tap(findButton(t, confirm, "Remove"))
	d.settle(t, h)
	h.ui.Until(t, "the removed use to show", 30*time.Second, func() bool { return len(d.removeUse) == 0 && d.busy == 0 })
	if shown := texts(d.uses); !strings.Contains(shown, "removed ") {
		t.Errorf("the Uses tab does not show the use removed:\n%s", shown)
	}
	uses, err := h.svc.UsesOfMine(ctx)
	if err != nil || len(uses) != 1 || uses[0].ID != useID || uses[0].Removed == nil {
		t.Fatalf("the server lists %+v, %v; want use %s removed", uses, err, useID)
	}

	// Ben's next sync deletes the clip.
	r, err := ben.svc.Sync(ctx)
	if err != nil || len(r.Removed) != 1 {
		t.Fatalf("ben's sync after the removal: %+v, %v; want one use removed", r, err)
	}
	if _, ok, err := ben.lib.ClipByKey(ctx, "ben-key"); ok || err != nil {
		t.Errorf("ben still has the clip (%v, %v)", ok, err)
	}
	if ben.lib.Blobs().Has(sum) {
		t.Error("ben still has the clip's file")
	}
	made, err := ben.lib.Uses(ctx)
	if err != nil || len(made) != 1 || made[0].Removed.IsZero() {
		t.Errorf("ben's library has uses %+v, %v; want one, removed", made, err)
	}
}

// Someone asks to be approved; the owner accepts in My cast, and the
// requester is on the approved list, here and on the server.
func TestDashboardAcceptsRequest(t *testing.T) {
	ctx := context.Background()
	server := accounttest.Start(t)
	h := newRig(t)
	h.logIn(t, server, "ana")
	m := h.addMember(t, "Mara")
	m.Consent = consent.Approved
	if err := h.lib.UpdateCastMember(ctx, &m); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	ben := newPeer(t, server, "ben")
	mara, err := ben.svc.Find(ctx, m.Handle)
	if err != nil {
		t.Fatal(err)
	}
	if err := ben.svc.AskApproval(ctx, mara.ID, "for my short about lighthouses"); err != nil {
		t.Fatal(err)
	}

	d := h.openDashboard(t)
	if shown := texts(d.mine); !strings.Contains(shown, "ben asks to feature @mara: “for my short about lighthouses”") {
		t.Fatalf("My cast does not show ben's request:\n%s", shown)
	}
	if len(d.answer) != 1 {
		t.Fatalf("%d requests have buttons, want 1", len(d.answer))
	}
	for _, b := range d.answer {
		test.Tap(b[0])
	}
	d.settle(t, h)
	h.ui.Until(t, "the request to go", 30*time.Second, func() bool { return len(d.answer) == 0 && d.busy == 0 })
	if d.problem.Visible() {
		t.Fatalf("accepting failed: %s", d.problem.Text)
	}
	got, err := h.lib.CastMember(ctx, m.ID)
	if err != nil || !slices.Contains(got.Approved, "ben") {
		t.Errorf("the library approves %q (%v), want ben", got.Approved, err)
	}
	if names := texts(d.editors[m.ID].names); !strings.Contains(names, "ben") {
		t.Errorf("My cast's approved list shows:\n%s", names)
	}
	onServer, err := ownerClient(t, server, "ana").Member(ctx, m.ID)
	if err != nil || !slices.Contains(onServer.Approved, "ben") {
		t.Errorf("the server approves %q (%v), want ben", onServer.Approved, err)
	}
	// Approved, ben gets a grant.
	if _, err := ben.svc.Permit(ctx, render.Need{ProjectID: "p", Scope: consent.Draft, Members: []library.CastMember{mara}}); err != nil {
		t.Errorf("ben, approved, is refused a grant: %v", err)
	}
}

// The creator's side: someone else's member added by handle shows their
// preferences; when the owner removes a use of a shot rendered here, the
// background sync deletes the clip, the timeline forgets it and a notice
// says which shot.
func TestRemovedUseReachesCreator(t *testing.T) {
	ctx := context.Background()
	server := accounttest.Start(t)
	ana := newPeer(t, server, "ana")
	mara := &library.CastMember{Name: "Mara", Handle: "@mara", Consent: consent.Everyone, Preferences: "Always in the red scarf."}
	if err := ana.lib.AddCastMember(ctx, mara); err != nil {
		t.Fatal(err)
	}
	if _, err := ana.svc.Sync(ctx); err != nil {
		t.Fatal(err)
	}

	h := newRig(t)
	h.logIn(t, server, "ben")
	d := h.openDashboard(t)
	d.tabs.SelectIndex(2)
	test.Type(d.addHandle, "mara")
	test.Tap(findButton(t, d.win.Canvas().Content(), "Add"))
	d.settle(t, h)
	h.ui.Until(t, "@mara to be listed", 30*time.Second, func() bool { return strings.Contains(texts(d.others), "@mara") && d.busy == 0 })
	shown := texts(d.others)
	for _, want := range []string{"Mara  @mara · ana", "Owner: ana · Everyone", "shown to anyone who casts them", "Always in the red scarf."} {
		if !strings.Contains(shown, want) {
			t.Errorf("Cast I may feature does not say %q:\n%s", want, shown)
		}
	}
	// Whom the handle found is said with the owner's username, which tells
	// them from a look-alike.
	if !d.added.Visible() || d.added.Text != "Added Mara, @mara · ana, to your cast." {
		t.Errorf("after Add the dashboard says %q", d.added.Text)
	}
	test.Type(d.addHandle, "@nobody_here")
	test.Tap(findButton(t, d.win.Canvas().Content(), "Add"))
	d.settle(t, h)
	if !d.problem.Visible() || !strings.Contains(d.problem.Text, "no cast member by that handle") {
		t.Errorf("adding an unknown handle shows %q", d.problem.Text)
	}

	// Render shot 1 here, under a grant, and register the use.
	j, err := h.queue.Submit(ctx, h.s.Request(0), animatic.Name)
	if err != nil {
		t.Fatal(err)
	}
	if j, err = h.queue.Wait(ctx, j.ID); err != nil || j.Status != render.Completed {
		t.Fatalf("render shot 1: %v, %+v", err, j.Error)
	}
	h.ui.Until(t, "the timeline to have the clip", 30*time.Second, func() bool { _, ok := h.s.ClipOf(0); return ok })
	remote, err := h.lib.CastMember(ctx, mara.ID)
	if err != nil {
		t.Fatal(err)
	}
	p := h.s.Project()
	need := render.Need{ProjectID: p.ID, ProjectTitle: p.Title, ShotID: p.Shots[0].ID, Scope: consent.Draft, Members: []library.CastMember{remote}}
	svc := h.svc // sharingHarness's, run below as cmd/slate runs it
	grants, err := svc.Permit(ctx, need)
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Made(ctx, grants, render.Made{ProjectID: p.ID, ProjectTitle: p.Title, ShotID: p.Shots[0].ID, Scope: consent.Draft, SHA256: j.Clip.SHA256}); err != nil {
		t.Fatal(err)
	}
	d.reload(t.Context())
	d.settle(t, h)
	if shown := texts(d.made); !strings.Contains(shown, "@mara · ana · a clip of “"+p.Title+"” · draft") || !strings.Contains(shown, "waiting in the outbox") {
		t.Errorf("Made here does not show the use waiting:\n%s", shown)
	}

	// The background sync, as cmd/slate runs it, registers the use.
	runCtx, stop := context.WithCancel(ctx)
	ran := make(chan struct{})
	go func() {
		defer close(ran)
		svc.Run(runCtx, time.Hour, func(r sharing.Report, err error) { h.a.Synced(runCtx, r, err) })
	}()
	t.Cleanup(func() { stop(); <-ran })
	h.ui.Until(t, "the use to be registered", 30*time.Second, func() bool {
		n, err := svc.Outbox(ctx)
		return err == nil && n == 0 && strings.Contains(h.a.line.Text, "synced")
	})

	// Ana removes it; ben's studio hears at the next sync.
	uses, err := ana.svc.UsesOfMine(ctx)
	if err != nil || len(uses) != 1 {
		t.Fatalf("ana sees uses %+v, %v", uses, err)
	}
	if err := ana.svc.RemoveUse(ctx, uses[0].ID); err != nil {
		t.Fatal(err)
	}
	svc.Kick()
	h.ui.Until(t, "the removal notice", 30*time.Second, func() bool { return h.a.removalNotice != "" })
	if want := "The owner of @mara · ana removed a use: the clip of shot 1 was deleted"; h.a.removalNotice != want {
		t.Errorf("the notice says %q, want %q", h.a.removalNotice, want)
	}
	if top := h.win.Canvas().Overlays().Top(); top == nil || !strings.Contains(texts(top), "the clip of shot 1 was deleted") {
		t.Error("no notice was shown")
	}
	if _, ok := h.s.ClipOf(0); ok {
		t.Error("the timeline still has shot 1's clip")
	}
	if _, ok, _ := h.lib.ClipByKey(ctx, j.Key); ok {
		t.Error("the library still has shot 1's clip")
	}
	h.ui.Until(t, "Made here to show the removal", 30*time.Second, func() bool {
		return strings.Contains(texts(d.made), "removed by the owner") && d.busy == 0
	})
}

// A server that stops answering is said on the status line, never in a
// dialog.
func TestSyncErrorIsQuiet(t *testing.T) {
	h := newRig(t)
	down := &url.Error{Op: "Get", URL: "http://127.0.0.1:1/api/v1/changes", Err: errors.New("connection refused")}
	h.a.Synced(t.Context(), sharing.Report{}, fmt.Errorf("read the change feed: %w", down))
	h.ui.Drain()
	if top := h.win.Canvas().Overlays().Top(); top != nil {
		t.Errorf("a failed sync opened a dialog:\n%s", texts(top))
	}
	if got := h.a.line.Text; !strings.Contains(got, "cannot be reached; trying again every 30 s") || h.a.line.Importance != widget.WarningImportance {
		t.Errorf("the status line says %q", got)
	}
}

// An account logged in on two computers: the Account and devices tab lists
// both, this one marked; logging the other out ends its session; deleting
// the account asks for the password, keeps it on a wrong one, and once
// deleted the studio is logged out and the account is gone.
func TestDashboardDevicesAndDeleteAccount(t *testing.T) {
	ctx := context.Background()
	server := accounttest.Start(t)
	h := newRig(t)
	h.logIn(t, server, "ana")
	phoneLib, err := library.Open(t.Context(), t.TempDir(), library.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { phoneLib.Close() })
	phone := sharing.New(phoneLib, sharing.Options{Store: client.NewFileStore(t.TempDir()), Device: "ana's old laptop"})
	if _, err := phone.Login(ctx, server, "ana", testPassword); err != nil {
		t.Fatal(err)
	}

	d := h.openDashboard(t)
	d.tabs.SelectIndex(4)
	if got := d.tabs.Selected().Text; got != "Account and devices" {
		t.Fatalf("the fifth tab is %q", got)
	}
	shown := texts(d.accountTab)
	for _, want := range []string{"ana", server, "studio under test · logged in ", "this computer", "ana's old laptop · logged in "} {
		if !strings.Contains(shown, want) {
			t.Errorf("Account and devices does not say %q:\n%s", want, shown)
		}
	}
	// The marker follows its row's description.
	if n := strings.Count(shown, "\nthis computer\n"); n != 1 || !regexp.MustCompile(`studio under test · logged in [^\n]*\nthis computer\n`).MatchString(shown) {
		t.Errorf("Account and devices marks %d rows as this computer, want the studio's:\n%s", n, shown)
	}
	if len(d.revokeSession) != 1 {
		t.Fatalf("%d devices can be logged out from here, want 1 (the other one)", len(d.revokeSession))
	}
	phoneDevs, err := phone.Devices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var phoneID string
	for _, dev := range phoneDevs {
		if dev.Current {
			phoneID = dev.ID
		}
	}
	b := d.revokeSession[phoneID]
	if b == nil {
		t.Fatalf("the laptop's session %s has no Log out button", phoneID)
	}

	// Log the laptop out, after confirming.
	test.Tap(b)
	confirm := d.win.Canvas().Overlays().Top()
	if confirm == nil || !strings.Contains(texts(confirm), "ana's old laptop is logged out of your account") {
		t.Fatal("Log out of the other device asked for no confirmation")
	}
	test.Tap(findButton(t, confirm, "Log out"))
	d.settle(t, h)
	h.ui.Until(t, "the laptop to leave the list", 30*time.Second, func() bool {
		return d.busy == 0 && !strings.Contains(texts(d.accountTab), "ana's old laptop")
	})
	if d.problem.Visible() {
		t.Fatalf("logging the laptop out failed: %s", d.problem.Text)
	}
	if _, err := phone.Devices(ctx); !errors.Is(err, client.ErrSessionEnded) {
		t.Fatalf("the laptop's next call answers %v, want its session ended", err)
	}
	if _, ok := h.svc.Account(); !ok {
		t.Fatal("logging the other device out logged this one out")
	}

	// Delete the account: a wrong password keeps it.
	test.Tap(findButton(t, d.accountTab, "Delete account…"))
	dd := d.deleting
	if dd == nil || d.win.Canvas().Overlays().Top() == nil {
		t.Fatal("Delete account… opened no dialog")
	}
	explained := texts(d.win.Canvas().Overlays().Top())
	for _, want := range []string{"cannot be undone", "cast members there", "every device, this computer included, is logged out", "every use of your likenesses", "The recordings on this computer stay"} {
		if !strings.Contains(explained, want) {
			t.Errorf("the delete dialog does not say %q:\n%s", want, explained)
		}
	}
	deleteWith := func(pw string) {
		t.Helper()
		dd.password.SetText("")
		test.Type(dd.password, pw)
		test.Tap(dd.submit)
		h.ui.Until(t, "the server to answer the deletion", 30*time.Second, func() bool { return !dd.busy })
	}
	deleteWith("not my password")
	if !dd.problem.Visible() || !strings.Contains(dd.problem.Text, "Wrong password: the account was not deleted.") {
		t.Errorf("a wrong password shows %q (visible %v)", dd.problem.Text, dd.problem.Visible())
	}
	if d.deleting != dd || d.win.Canvas().Overlays().Top() == nil {
		t.Fatal("a wrong password closed the delete dialog")
	}
	if _, ok := h.svc.Account(); !ok {
		t.Fatal("a wrong password logged the studio out")
	}
	if _, err := h.svc.Devices(ctx); err != nil {
		t.Fatalf("after a wrong password the account answers %v", err)
	}

	// The right password deletes it; the studio shows itself logged out.
	deleteWith(testPassword)
	h.ui.Until(t, "the studio to show itself logged out", 30*time.Second, func() bool {
		return d.busy == 0 && !strings.Contains(h.win.Title(), "ana")
	})
	if _, ok := h.svc.Account(); ok {
		t.Error("still logged in after deleting the account")
	}
	if _, ok, err := h.lib.Account(ctx); ok || err != nil {
		t.Errorf("the library still has the account (%v, %v)", ok, err)
	}
	if got := h.a.line.Text; !strings.Contains(got, "Not logged in") {
		t.Errorf("the status line says %q after deleting the account", got)
	}
	if h.a.LoggedIn() {
		t.Error("after deleting the account the room says someone is logged in (and the studio's Account menu offers Log out)")
	}
	if got := texts(d.account); !strings.Contains(got, "Not logged in to an account server") {
		t.Errorf("the dashboard does not show itself logged out:\n%s", got)
	}
	if got := texts(d.accountTab); !strings.Contains(got, "Not logged in") || len(d.revokeSession) != 0 {
		t.Errorf("Account and devices after the deletion shows:\n%s", got)
	}
	if top := d.win.Canvas().Overlays().Top(); top == nil || !strings.Contains(texts(top), "Your account is deleted") {
		t.Error("the deletion was not confirmed to the person")
	}
	c, err := client.New(server, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Login(ctx, "ana", testPassword, "checker"); err == nil {
		t.Error("logging in to the deleted account succeeded")
	}
}

// This computer's row logs the studio out as Account ▸ Log out does, and
// a session ended from another device shows the studio logged out at the
// dashboard's next read.
func TestDashboardThisComputerLogsOut(t *testing.T) {
	ctx := context.Background()
	server := accounttest.Start(t)
	h := newRig(t)
	h.logIn(t, server, "ana")
	d := h.openDashboard(t)
	d.tabs.SelectIndex(4)
	test.Tap(findButton(t, d.accountTab, "Log out"))
	confirm := d.win.Canvas().Overlays().Top()
	if confirm == nil || !strings.Contains(texts(confirm), "This studio forgets the session") {
		t.Fatal("this computer's Log out asked for no confirmation")
	}
	test.Tap(findButton(t, confirm, "Log out"))
	h.ui.Until(t, "the log-out", 30*time.Second, func() bool {
		return !strings.Contains(h.win.Title(), "ana") && strings.Contains(texts(d.accountTab), "Not logged in")
	})
	if _, ok := h.svc.Account(); ok {
		t.Error("still logged in after this computer's Log out")
	}
	if n := len(listSessions(t, server)); n != 1 {
		t.Errorf("the server lists %d sessions after the log-out, want only the checker's", n)
	}

	// Logged in again, then logged out from elsewhere.
	if _, err := h.svc.Login(ctx, server, "ana", testPassword); err != nil {
		t.Fatal(err)
	}
	h.a.AccountChanged(t.Context())
	d.settle(t, h)
	h.ui.Until(t, "the dashboard to show the account", 30*time.Second, func() bool {
		return d.busy == 0 && strings.Contains(texts(d.accountTab), "this computer")
	})
	checker := ownerClient(t, server, "ana")
	devs, err := checker.Sessions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, dev := range devs {
		if dev.Device == "studio under test" {
			if err := checker.RevokeSession(ctx, dev.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	d.reload(t.Context())
	// The dashboard shows the session ended first; the status line and the
	// title follow in a second turn of the UI goroutine (AccountChanged),
	// so the test waits for all three.
	h.ui.Until(t, "the studio to show the session ended", 30*time.Second, func() bool {
		return d.busy == 0 && !strings.Contains(h.win.Title(), "ana") && strings.Contains(texts(d.account), "Not logged in") &&
			strings.Contains(h.a.line.Text, "Not logged in")
	})
}

// listSessions is the account ana's sessions, read from a device of its
// own.
func listSessions(t *testing.T, server string) []account.Session {
	t.Helper()
	ss, err := ownerClient(t, server, "ana").Sessions(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return ss
}

// TestAskForApprovalWithMessage: asking to feature someone whose owner
// approves people one by one takes a line for the owner, and the owner's
// request list shows it.
func TestAskForApprovalWithMessage(t *testing.T) {
	ctx := context.Background()
	server := accounttest.Start(t)
	ana := newPeer(t, server, "ana")
	jon := &library.CastMember{Name: "Jon", Handle: "@jon", Consent: consent.Approved}
	if err := ana.lib.AddCastMember(ctx, jon); err != nil {
		t.Fatal(err)
	}
	if _, err := ana.svc.Sync(ctx); err != nil {
		t.Fatal(err)
	}

	h := newRig(t)
	h.logIn(t, server, "ben")
	d := h.openDashboard(t)
	d.tabs.SelectIndex(2)
	test.Type(d.addHandle, "@jon")
	test.Tap(findButton(t, d.win.Canvas().Content(), "Add"))
	d.settle(t, h)
	h.ui.Until(t, "@jon to be listed", 30*time.Second, func() bool { return strings.Contains(texts(d.others), "@jon") && d.busy == 0 })

	test.Tap(findButton(t, d.win.Canvas().Content(), "Ask for approval"))
	form := d.win.Canvas().Overlays().Top()
	if form == nil {
		t.Fatal("Ask for approval opened no dialog")
	}
	var msg *widget.Entry
	walkAll(form, func(o fyne.CanvasObject) {
		if e, ok := o.(*widget.Entry); ok && e.MultiLine {
			msg = e
		}
	})
	if msg == nil {
		t.Fatal("the dialog has no message field")
	}
	test.Type(msg, "A short about a lighthouse keeper")
	test.Tap(findButton(t, form, "Ask"))
	d.settle(t, h)
	h.ui.Until(t, "the request to be sent", 30*time.Second, func() bool { return d.busy == 0 })

	reqs, err := ana.svc.Requests(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(reqs) != 1 || reqs[0].Requester != "ben" || reqs[0].Message != "A short about a lighthouse keeper" {
		t.Fatalf("ana's requests %+v; want ben's, with his message", reqs)
	}
}
