package server_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/account/client"
	"github.com/slatestudio/slate/account/server"
	"github.com/slatestudio/slate/consent"
)

// A handle or username that looks like one already taken is refused and
// names the one it resembles: "rn" is drawn like "m", "1" like "l", "0"
// like "o". Looking a handle up finds that handle, never a look-alike.
func TestLookAlikeHandlesAndUsernames(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, accountConfig())
	mara := e.signUp("mara_k")
	m := must(mara.CreateMember(ctx, account.NewMember{Name: "Mara", Handle: "@mara", Level: consent.Everyone}))
	other := e.signUp("oscar")
	for _, h := range []string{"@rnara", "@rnar4", "@mara"} {
		_, err := other.CreateMember(ctx, account.NewMember{Name: "Impostor", Handle: h, Level: consent.Everyone})
		var ce *client.Error
		switch {
		case h == "@rnar4":
			if err != nil {
				t.Errorf("CreateMember(%s), not a look-alike: %v", h, err)
			}
		case !statusIs(err, http.StatusConflict) || !asError(err, &ce):
			t.Errorf("CreateMember(%s) = %v, want 409", h, err)
		case h == "@rnara" && !strings.Contains(ce.Message, "too similar to @mara"):
			t.Errorf("CreateMember(%s) says %q, want it too similar to @mara", h, ce.Message)
		}
	}
	// Renaming into a look-alike is refused too; the member keeps its handle.
	own := must(other.CreateMember(ctx, account.NewMember{Name: "Oscar", Handle: "@oscar"}))
	h := "@rnara"
	if _, err := other.UpdateMember(ctx, own.ID, account.MemberPatch{Handle: &h}); !statusIs(err, http.StatusConflict) || !strings.Contains(err.Error(), "too similar to @mara") {
		t.Errorf("renaming @oscar to @rnara = %v, want 409 too similar to @mara", err)
	}
	if got := must(other.Member(ctx, own.ID)); got.Handle != "@oscar" {
		t.Errorf("after the refused rename the handle is %s", got.Handle)
	}
	// A member may take a look-alike of its own handle.
	h = "@rnara"
	if got, err := mara.UpdateMember(ctx, m.ID, account.MemberPatch{Handle: &h}); err != nil || got.Handle != "@rnara" {
		t.Errorf("@mara renamed to @rnara by its owner = %+v, %v", got, err)
	}
	h = "@mara"
	must(mara.UpdateMember(ctx, m.ID, account.MemberPatch{Handle: &h}))

	// Lookup is by the exact handle.
	if _, err := other.MemberByHandle(ctx, "@rnara"); !statusIs(err, http.StatusNotFound) {
		t.Errorf("MemberByHandle(@rnara) = %v, want 404 (never @mara's member)", err)
	}
	if got := must(other.MemberByHandle(ctx, "@mara")); got.ID != m.ID || got.Owner != "mara_k" {
		t.Errorf("MemberByHandle(@mara) = %+v", got)
	}

	// Usernames: the same rule.
	for _, name := range []string{"rnara_k", "mara_k", "0scar", "rnara_x"} {
		_, err := e.client(&memStore{}).SignUp(ctx, name, password, "laptop")
		switch name {
		case "rnara_x":
			if err != nil {
				t.Errorf("SignUp(%s), not a look-alike: %v", name, err)
			}
		case "rnara_k":
			if !statusIs(err, http.StatusConflict) || !strings.Contains(err.Error(), "too similar to mara_k") {
				t.Errorf("SignUp(%s) = %v, want 409 too similar to mara_k", name, err)
			}
		case "0scar":
			if !statusIs(err, http.StatusConflict) || !strings.Contains(err.Error(), "too similar to oscar") {
				t.Errorf("SignUp(%s) = %v, want 409 too similar to oscar", name, err)
			}
		default:
			if !statusIs(err, http.StatusConflict) || !strings.Contains(err.Error(), "taken") {
				t.Errorf("SignUp(%s) = %v, want 409 taken", name, err)
			}
		}
	}
	// Once mara's member is gone, its look-alike is free.
	if err := mara.DeleteMember(ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := other.CreateMember(ctx, account.NewMember{Name: "Rn", Handle: "@rnara"}); err != nil {
		t.Errorf("@rnara after @mara was deleted: %v", err)
	}
}

func asError(err error, target **client.Error) bool {
	return errors.As(err, target)
}

// Registrations of look-alikes that race each other: exactly one wins,
// whatever the order, because the database holds the rule (a unique
// index), not a check before the write.
func TestLookAlikeRegistrationsRace(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, accountConfig())
	users := make([]*user, 8)
	for i := range users {
		users[i] = e.signUp(fmt.Sprintf("racer_%d", i))
	}
	handles := []string{"@mara", "@rnara", "@rnara", "@mara", "@rnara", "@mara", "@rnara", "@mara"}
	names := []string{"mara_q", "rnara_q", "mara_q", "rnara_q", "rnara_q", "mara_q", "rnara_q", "mara_q"}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var members, accounts int
	for i := range users {
		wg.Go(func() {
			if _, err := users[i].CreateMember(ctx, account.NewMember{Name: "M", Handle: handles[i]}); err == nil {
				mu.Lock()
				members++
				mu.Unlock()
			} else if !statusIs(err, http.StatusConflict) {
				t.Errorf("CreateMember(%s) = %v, want success or 409", handles[i], err)
			}
		})
		wg.Go(func() {
			if _, err := e.client(&memStore{}).SignUp(ctx, names[i], password, "laptop"); err == nil {
				mu.Lock()
				accounts++
				mu.Unlock()
			} else if !statusIs(err, http.StatusConflict) {
				t.Errorf("SignUp(%s) = %v, want success or 409", names[i], err)
			}
		})
	}
	wg.Wait()
	if members != 1 || accounts != 1 {
		t.Errorf("%d members and %d accounts were registered among look-alikes, want one of each", members, accounts)
	}
}

// A database from before the rule is brought up to it as the server
// starts: every row gets its key, and look-alikes that were already
// registered both stay (nobody loses a name), while new ones are refused.
func TestLookAlikeMigrationBackfills(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, "server.db"))
	if err != nil {
		t.Fatal(err)
	}
	script, err := os.ReadFile("migrations/0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{string(script), `PRAGMA user_version = 1`,
		`INSERT INTO accounts VALUES ('a1', 'mara_k', 'x', 1), ('a2', 'rnara_k', 'x', 2), ('a3', 'oscar', 'x', 3)`,
		`INSERT INTO members (id, owner_id, name, handle, level, created_at, updated_at) VALUES
			('0000000000000001', 'a1', 'Mara', '@mara', 'everyone', 1, 1),
			('0000000000000002', 'a2', 'Impostor', '@rnara', 'everyone', 2, 2)`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	e := newEnv(t, server.Config{Dir: dir})
	u := e.signUp("olive")
	for _, h := range []string{"@rnara", "@mara"} {
		if got, err := u.MemberByHandle(ctx, h); err != nil || got.Handle != h {
			t.Errorf("MemberByHandle(%s) after the migration = %+v, %v; both are kept", h, got, err)
		}
	}
	if _, err := u.CreateMember(ctx, account.NewMember{Name: "X", Handle: "@rnara"}); !statusIs(err, http.StatusConflict) {
		t.Errorf("CreateMember(@rnara) = %v, want 409", err)
	}
	if _, err := u.CreateMember(ctx, account.NewMember{Name: "X", Handle: "@oscar"}); err != nil {
		t.Errorf("CreateMember(@oscar) = %v", err)
	}
	if _, err := u.CreateMember(ctx, account.NewMember{Name: "X", Handle: "@0scar"}); !statusIs(err, http.StatusConflict) || !strings.Contains(err.Error(), "too similar to @oscar") {
		t.Errorf("CreateMember(@0scar) = %v, want 409 too similar to @oscar", err)
	}
	if _, err := e.client(&memStore{}).SignUp(ctx, "0scar", password, "laptop"); !statusIs(err, http.StatusConflict) || !strings.Contains(err.Error(), "too similar to oscar") {
		t.Errorf("SignUp(0scar) = %v, want 409 too similar to oscar (a row from before the rule)", err)
	}
}
