package sharing_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slatestudio/slate/account/client"
	accountserver "github.com/slatestudio/slate/account/server"
	"github.com/slatestudio/slate/consent"
	"github.com/slatestudio/slate/internal/clock/clocktest"
	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/sharing"
)

const password = "correct horse battery"

// server is the real account server on a loopback address that can go
// down and come back on the same address, as a server does when the
// network drops.
type server struct {
	t    *testing.T
	srv  *accountserver.Server
	addr string
	hs   *httptest.Server
}

func startServer(t *testing.T, clk *clocktest.Clock) *server {
	t.Helper()
	srv, err := accountserver.New(context.Background(), accountserver.Config{Dir: t.TempDir(), Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	s := &server{t: t, srv: srv}
	s.up()
	t.Cleanup(func() {
		s.down()
		srv.Close()
	})
	return s
}

func (s *server) url() string { return "http://" + s.addr }

func (s *server) up() {
	addr := s.addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		s.t.Fatal(err)
	}
	s.addr = l.Addr().String()
	s.hs = &httptest.Server{Listener: l, Config: &http.Server{Handler: s.srv}}
	s.hs.Start()
}

func (s *server) down() {
	if s.hs != nil {
		s.hs.CloseClientConnections()
		s.hs.Close()
		s.hs = nil
	}
}

// studio is one person's library and sharing service.
type studio struct {
	lib *library.Library
	svc *sharing.Service
	dir string
}

func newStudio(t *testing.T, clk *clocktest.Clock) *studio {
	t.Helper()
	dir := t.TempDir()
	lib, err := library.Open(t.Context(), dir, library.Options{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lib.Close() })
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DisableKeepAlives = true // a server that went down is seen at once
	svc := sharing.New(lib, sharing.Options{Store: client.NewFileStore(dir), Clock: clk, Device: "laptop",
		HTTPClient: &http.Client{Transport: tr, Timeout: 10 * time.Second}})
	return &studio{lib: lib, svc: svc, dir: dir}
}

func (st *studio) signUp(t *testing.T, s *server, name string) library.Account {
	t.Helper()
	a, err := st.svc.SignUp(context.Background(), s.url(), name, password)
	if err != nil {
		t.Fatalf("SignUp(%s): %v", name, err)
	}
	return a
}

// member records one of my members with a still in the library.
func (st *studio) member(t *testing.T, name, handle string, level consent.Level) library.CastMember {
	t.Helper()
	ctx := context.Background()
	img := image.NewRGBA(image.Rect(0, 0, 32, 32))
	draw.Draw(img, img.Bounds(), &image.Uniform{color.RGBA{200, 40, 40, 255}}, image.Point{}, draw.Src)
	var still bytes.Buffer
	if err := jpeg.Encode(&still, img, nil); err != nil {
		t.Fatal(err)
	}
	sum, _, err := st.lib.Blobs().Put(ctx, &still)
	if err != nil {
		t.Fatal(err)
	}
	m := library.CastMember{Name: name, Handle: handle, Consent: level, Preferences: "always wears a red scarf", Frontal: sum}
	if err := st.lib.AddCastMember(ctx, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func (st *studio) sync(t *testing.T) sharing.Report {
	t.Helper()
	r, err := st.svc.Sync(context.Background())
	if err != nil {
		t.Fatalf("Sync: %v", err)
	}
	return r
}

// clip puts a rendered clip of shot in the library, as the render queue
// does, and returns it.
func (st *studio) clip(t *testing.T, project, shot, content string) library.Clip {
	t.Helper()
	ctx := context.Background()
	sum, size, err := st.lib.Blobs().Put(ctx, strings.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	c := library.Clip{ProjectID: project, ShotID: shot, Key: "key-" + content, SHA256: sum, Size: size, Backend: "animatic", Width: 64, Height: 64, FPS: 24, Frames: 24}
	if err := st.lib.AddClip(ctx, c); err != nil {
		t.Fatal(err)
	}
	return c
}

func need(project, shot string, scope consent.Scope, ms ...library.CastMember) render.Need {
	return render.Need{ProjectID: project, ProjectTitle: "The Kite", ShotID: shot, Scope: scope, Members: ms}
}

// pair is an owner with a member and a creator who found it.
type pair struct {
	clk            *clocktest.Clock
	srv            *server
	owner, creator *studio
	mine, theirs   library.CastMember
	ownerID        string
}

func newPair(t *testing.T, level consent.Level) *pair {
	t.Helper()
	clk := clocktest.New(time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC))
	p := &pair{clk: clk, srv: startServer(t, clk), owner: newStudio(t, clk), creator: newStudio(t, clk)}
	p.ownerID = p.owner.signUp(t, p.srv, "olive").ID
	p.creator = newStudio(t, clk)
	p.creator.signUp(t, p.srv, "carl")
	p.mine = p.owner.member(t, "Mara Quinn", "@mara", level)
	if r := p.owner.sync(t); r.Pushed != 1 {
		t.Fatalf("the owner's sync pushed %d members, want 1", r.Pushed)
	}
	if level != consent.OnlyMe {
		var err error
		if p.theirs, err = p.creator.svc.Find(context.Background(), "mara"); err != nil {
			t.Fatalf("Find(@mara): %v", err)
		}
	}
	return p
}

func TestLoginPinsTheKeyAndSurvivesARestart(t *testing.T) {
	ctx := context.Background()
	clk := clocktest.New(time.Now())
	srv := startServer(t, clk)
	st := newStudio(t, clk)
	a := st.signUp(t, srv, "olive")

	key := srv.srv.PublicKey()
	stored, ok, err := st.lib.Account(ctx)
	if err != nil || !ok {
		t.Fatalf("the library has no account after sign-up: %v", err)
	}
	if !stored.Key.Equal(key) || stored.Username != "olive" || stored.ID != a.ID || stored.Server != srv.url() {
		t.Fatalf("stored account %+v; want olive on %s with the server's key", stored, srv.url())
	}

	// A new run of the studio picks the session up without the password.
	again := sharing.New(st.lib, sharing.Options{Store: client.NewFileStore(st.dir), Clock: clk})
	if got, ok, err := again.Restore(ctx); err != nil || !ok || got.Username != "olive" {
		t.Fatalf("Restore = %+v, %v, %v; want olive logged in", got, ok, err)
	}
	if _, err := again.Requests(ctx); err != nil {
		t.Fatalf("the restored session does not work: %v", err)
	}

	if err := again.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := st.lib.Account(ctx); ok {
		t.Fatal("the library still has the account after log-out")
	}
	if _, ok, _ := sharing.New(st.lib, sharing.Options{Store: client.NewFileStore(st.dir)}).Restore(ctx); ok {
		t.Fatal("a session was restored after log-out")
	}
	// The server ended the session too: the old studio's token is refused.
	if _, err := st.svc.Requests(ctx); err == nil {
		t.Fatal("the session still works on the server after log-out")
	}

	if _, err := st.svc.Login(ctx, srv.url(), "olive", "wrong password"); err == nil || client.StatusOf(err) != http.StatusUnauthorized {
		t.Fatalf("a wrong password gave %v; want 401", err)
	}
}

func TestGrantRenderRegisterAndRemove(t *testing.T) {
	ctx := context.Background()
	p := newPair(t, consent.Everyone)
	if !p.theirs.Remote || p.theirs.OwnerName != "olive" || p.theirs.Preferences != "always wears a red scarf" {
		t.Fatalf("the creator's library holds %+v; want olive's remote member with her preferences", p.theirs)
	}

	grants, err := p.creator.svc.Permit(ctx, need("proj1", "shot1", consent.Draft, p.theirs))
	if err != nil {
		t.Fatalf("Permit: %v", err)
	}
	if len(grants) != 1 || grants[0].Member != p.mine.ID || grants[0].Owner != p.ownerID || grants[0].Scope != consent.Draft {
		t.Fatalf("grants %+v; want one draft grant for %s from %s", grants, p.mine.ID, p.ownerID)
	}

	// The grant is held: with the server down, another shot of the
	// project is still permitted.
	p.srv.down()
	if _, err := p.creator.svc.Permit(ctx, need("proj1", "shot2", consent.Draft, p.theirs)); err != nil {
		t.Fatalf("Permit with a held grant, offline: %v", err)
	}
	// A project it does not cover cannot be asked for while offline.
	_, err = p.creator.svc.Permit(ctx, need("proj2", "shot1", consent.Draft, p.theirs))
	var ce *render.ConsentError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "needs consent from @mara") || !strings.Contains(err.Error(), "cannot be reached") {
		t.Fatalf("offline Permit for another project = %v; want needs consent from @mara … cannot be reached", err)
	}

	// The render happens; its use waits in the outbox until the server is back.
	clip := p.creator.clip(t, "proj1", "shot1", "frames of mara")
	if err := p.creator.svc.Made(ctx, grants, render.Made{ProjectID: "proj1", ProjectTitle: "The Kite", ShotID: "shot1", Scope: consent.Draft, SHA256: clip.SHA256}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.creator.svc.Sync(ctx); err == nil {
		t.Fatal("Sync with the server down reported no error")
	}
	if n, _ := p.creator.svc.Outbox(ctx); n != 1 {
		t.Fatalf("outbox holds %d uses, want 1", n)
	}
	p.srv.up()
	if r := p.creator.sync(t); r.Registered != 1 {
		t.Fatalf("Sync registered %d uses, want 1", r.Registered)
	}
	if n, _ := p.creator.svc.Outbox(ctx); n != 0 {
		t.Fatalf("outbox holds %d uses after sync, want 0", n)
	}

	// The owner sees the use and removes it.
	uses, err := p.owner.svc.UsesOfMine(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(uses) != 1 || uses[0].ClipSHA256 != clip.SHA256 || uses[0].Creator != "carl" || uses[0].ProjectTitle != "The Kite" || uses[0].Scope != consent.Draft {
		t.Fatalf("owner sees uses %+v; want carl's draft of The Kite with the clip's sha256", uses)
	}
	if err := p.owner.svc.RemoveUse(ctx, uses[0].ID); err != nil {
		t.Fatal(err)
	}

	// The creator's studio deletes the clip when it reads its feed.
	r := p.creator.sync(t)
	if len(r.Removed) != 1 || r.Removed[0].SHA256 != clip.SHA256 {
		t.Fatalf("Sync removed %+v; want the clip", r.Removed)
	}
	if _, ok, _ := p.creator.lib.ClipByKey(ctx, clip.Key); ok {
		t.Fatal("the removed clip is still registered")
	}
	if p.creator.lib.Blobs().Has(clip.SHA256) {
		t.Fatal("the removed clip's file is still in the store")
	}
	made, _ := p.creator.lib.Uses(ctx)
	if len(made) != 1 || made[0].Removed.IsZero() {
		t.Fatalf("the creator's uses %+v; want one marked removed", made)
	}
	// Reading the feed again removes nothing more (the cursor moved on).
	if r := p.creator.sync(t); len(r.Removed) != 0 || r.Changes != 0 {
		t.Fatalf("a second sync saw %d changes and removed %d", r.Changes, len(r.Removed))
	}
}

func TestRemovedFilmIsDeleted(t *testing.T) {
	ctx := context.Background()
	p := newPair(t, consent.Everyone)
	grants, err := p.creator.svc.Permit(ctx, need("proj1", "", consent.Final, p.theirs))
	if err != nil {
		t.Fatal(err)
	}
	film := filepath.Join(t.TempDir(), "kite.mp4")
	if err := os.WriteFile(film, []byte("the whole film"), 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte("the whole film"))
	if err := p.creator.svc.Made(ctx, grants, render.Made{ProjectID: "proj1", ProjectTitle: "The Kite", Scope: consent.Final,
		SHA256: hex.EncodeToString(sum[:]), Path: film}); err != nil {
		t.Fatal(err)
	}
	p.creator.sync(t)
	uses, err := p.owner.svc.UsesOfMine(ctx)
	if err != nil || len(uses) != 1 || uses[0].Scope != consent.Final {
		t.Fatalf("owner sees %+v, %v; want the final use", uses, err)
	}
	if err := p.owner.svc.RemoveUse(ctx, uses[0].ID); err != nil {
		t.Fatal(err)
	}
	p.creator.sync(t)
	if _, err := os.Stat(film); !os.IsNotExist(err) {
		t.Fatalf("the exported film is still there after its use was removed (%v)", err)
	}
}

func TestApprovalRefusalAndRevocation(t *testing.T) {
	ctx := context.Background()
	p := newPair(t, consent.Approved)
	carl := p.creator

	_, err := carl.svc.Permit(ctx, need("proj1", "shot1", consent.Draft, p.theirs))
	var ce *render.ConsentError
	if !errors.As(err, &ce) || ce.Handles[0] != "@mara" || ce.Reason == "" {
		t.Fatalf("Permit before approval = %v; want a refusal for @mara with the server's reason", err)
	}

	if err := carl.svc.AskApproval(ctx, p.theirs.ID, "for my short film"); err != nil {
		t.Fatal(err)
	}
	if r := p.owner.sync(t); r.Requests != 1 {
		t.Fatalf("the owner's feed showed %d requests, want 1", r.Requests)
	}
	reqs, err := p.owner.svc.Requests(ctx)
	if err != nil || len(reqs) != 1 || reqs[0].Requester != "carl" || reqs[0].Message != "for my short film" {
		t.Fatalf("owner's requests %+v, %v; want carl's", reqs, err)
	}
	if err := p.owner.svc.Answer(ctx, reqs[0].ID, true); err != nil {
		t.Fatal(err)
	}
	m, _ := p.owner.lib.CastMember(ctx, p.mine.ID)
	if len(m.Approved) != 1 || m.Approved[0] != "carl" || m.Dirty {
		t.Fatalf("after accepting, the owner's member has approved %v dirty %v; want [carl], not dirty", m.Approved, m.Dirty)
	}
	if r := carl.sync(t); len(r.Accepted) != 1 || r.Accepted[0] != "@mara" {
		t.Fatalf("carl's feed told of acceptances %v; want @mara", r.Accepted)
	}
	if _, err := carl.svc.Permit(ctx, need("proj1", "shot1", consent.Draft, p.theirs)); err != nil {
		t.Fatalf("Permit after approval: %v", err)
	}

	// The owner takes carl off the list in her studio; the sync tells the
	// server, which revokes the grant; carl's studio forgets it and is
	// refused from then on.
	m.Approved = nil
	if err := p.owner.lib.UpdateCastMember(ctx, &m); err != nil {
		t.Fatal(err)
	}
	if r := p.owner.sync(t); r.Pushed != 1 {
		t.Fatalf("the owner's sync pushed %d, want 1", r.Pushed)
	}
	if r := carl.sync(t); len(r.Revoked) != 1 || r.Revoked[0] != "@mara" {
		t.Fatalf("carl's sync saw revocations %v; want @mara", r.Revoked)
	}
	if _, err := carl.svc.Permit(ctx, need("proj1", "shot1", consent.Draft, p.theirs)); !errors.As(err, &ce) {
		t.Fatalf("Permit after revocation = %v; want a refusal", err)
	}
}

func TestOnlyMeIsInvisibleAndLoggedOutIsRefused(t *testing.T) {
	ctx := context.Background()
	p := newPair(t, consent.OnlyMe)
	if _, err := p.creator.svc.Find(ctx, "@mara"); err == nil || !strings.Contains(err.Error(), "no cast member by that handle") {
		t.Fatalf("Find of an only-me member = %v; want not found", err)
	}
	// A member learnt earlier, then the creator logs out: nothing is
	// permitted, and the message says to log in.
	m := library.CastMember{ID: p.mine.ID, Name: "Mara", Handle: "@mara", Owner: p.ownerID, OwnerName: "olive", Consent: consent.Everyone}
	if err := p.creator.lib.PutRemoteMember(ctx, &m); err != nil {
		t.Fatal(err)
	}
	if err := p.creator.svc.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	_, err := p.creator.svc.Permit(ctx, need("proj1", "shot1", consent.Draft, m))
	if err == nil || !strings.Contains(err.Error(), "needs consent from @mara: log in") {
		t.Fatalf("Permit logged out = %v; want needs consent from @mara: log in …", err)
	}
}

func TestExpiredGrantCannotBeRegisteredSoItsClipGoes(t *testing.T) {
	ctx := context.Background()
	p := newPair(t, consent.Everyone)
	grants, err := p.creator.svc.Permit(ctx, need("proj1", "shot1", consent.Draft, p.theirs))
	if err != nil {
		t.Fatal(err)
	}
	clip := p.creator.clip(t, "proj1", "shot1", "frames")
	p.srv.down()
	if err := p.creator.svc.Made(ctx, grants, render.Made{ProjectID: "proj1", ProjectTitle: "The Kite", ShotID: "shot1", Scope: consent.Draft, SHA256: clip.SHA256}); err != nil {
		t.Fatal(err)
	}
	// A day and more offline: the grant expires before the server hears.
	p.clk.Advance(consent.MaxGrantLifetime + time.Hour)
	p.srv.up()
	r := p.creator.sync(t)
	if len(r.Removed) != 1 || r.Registered != 0 {
		t.Fatalf("sync registered %d and removed %d; want the use refused and its clip removed", r.Registered, len(r.Removed))
	}
	if _, ok, _ := p.creator.lib.ClipByKey(ctx, clip.Key); ok {
		t.Fatal("a clip whose use could not be registered is still there")
	}
	// And a grant that expired is not used again: a new one is asked for.
	g2, err := p.creator.svc.Permit(ctx, need("proj1", "shot1", consent.Draft, p.theirs))
	if err != nil || g2[0].ID == grants[0].ID {
		t.Fatalf("Permit after expiry = %+v, %v; want a new grant", g2, err)
	}
}

func TestForgedGrantIsNotUsed(t *testing.T) {
	ctx := context.Background()
	p := newPair(t, consent.Everyone)
	g, err := p.creator.svc.Permit(ctx, need("proj1", "shot1", consent.Draft, p.theirs))
	if err != nil {
		t.Fatal(err)
	}
	// Someone edits the stored grant to cover another project; its
	// signature no longer verifies, so it is not used and, offline,
	// nothing is permitted.
	forged := g[0]
	forged.ID, forged.Project = "forged", "proj2"
	if err := p.creator.lib.PutGrant(ctx, forged); err != nil {
		t.Fatal(err)
	}
	p.srv.down()
	if _, err := p.creator.svc.Permit(ctx, need("proj2", "shot1", consent.Draft, p.theirs)); err == nil {
		t.Fatal("a grant whose token does not match was accepted")
	}
}

// A member's recording damaged on disk is not sent to the server: it is
// moved aside, the sync says which one and what to do, and the member's
// consent still goes.
func TestDamagedMediaIsNotUploaded(t *testing.T) {
	ctx := context.Background()
	clk := clocktest.New(time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC))
	srv := startServer(t, clk)
	owner := newStudio(t, clk)
	owner.signUp(t, srv, "olive")
	m := owner.member(t, "Mara Quinn", "@mara", consent.Everyone)
	path := owner.lib.Blobs().Path(m.Frontal)
	data, _ := os.ReadFile(path)
	os.Chmod(path, 0o644)
	os.WriteFile(path, data[:len(data)/2], 0o644)

	r := owner.sync(t)
	want := "the frontal still of @mara was damaged on this computer and was not sent; record @mara again"
	if r.Pushed != 1 || len(r.Damaged) != 1 || r.Damaged[0] != want {
		t.Errorf("sync with a damaged still = %+v; want the member pushed and %q", r, want)
	}
	if owner.lib.Blobs().Has(m.Frontal) {
		t.Error("the damaged still is still in the store")
	}
	if _, err := os.Stat(filepath.Join(owner.dir, "blobs", "damaged", m.Frontal)); err != nil {
		t.Errorf("the damaged still was not kept aside: %v", err)
	}
	// Asked from another device of the same account.
	c, err := client.New(srv.url(), client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Login(ctx, "olive", password, "phone"); err != nil {
		t.Fatal(err)
	}
	if remote, err := c.Member(ctx, m.ID); err != nil || len(remote.Media) != 0 {
		t.Errorf("the server's copy of @mara: %+v, %v; want no media", remote, err)
	}
	// The next sync has nothing left to trip over.
	if _, err := owner.svc.Sync(ctx); err != nil {
		t.Errorf("the sync after: %v", err)
	}
}
