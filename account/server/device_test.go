package server_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/account/client"
)

const (
	folderOne = "0123456789abcdef0123456789abcdef"
	folderTwo = "fedcba9876543210fedcba9876543210"
)

// A device is a data folder with an ID of its own: two folders on one
// computer, named alike, keep a session each; logging in again from one
// replaces its own session only, and takes its new name. A client that
// sends no ID is known by its name, as before there were IDs, and never
// replaces a session that has one.
func TestSessionsPerDeviceID(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, accountConfig())
	e.signUp("olive")
	one, two := e.client(nil), e.client(nil)
	s1 := must(one.LoginAs(ctx, "olive", password, client.Device{ID: folderOne, Name: "olive's thinkpad"}))
	must(two.LoginAs(ctx, "olive", password, client.Device{ID: folderTwo, Name: "olive's thinkpad"}))
	if _, err := one.Account(ctx); err != nil {
		t.Fatalf("a second folder's log-in ended the first's session: %v", err)
	}
	list := must(two.Sessions(ctx))
	if names := deviceNames(list); len(list) != 3 || names["olive's thinkpad"] != 2 || names["laptop"] != 1 {
		t.Fatalf("Sessions = %+v; want the sign-up's laptop and both folders", list)
	}

	// A client without device IDs named like the folders replaces neither.
	legacy := e.client(nil)
	must(legacy.Login(ctx, "olive", password, "olive's thinkpad"))
	if _, err := one.Account(ctx); err != nil {
		t.Fatalf("a log-in without a device ID ended a folder's session: %v", err)
	}
	if n := len(must(legacy.Sessions(ctx))); n != 4 {
		t.Fatalf("%d sessions after the log-in without an ID, want 4", n)
	}

	// The first folder logs in again, under a new name: its old session
	// goes, no other.
	again := e.client(nil)
	s1b := must(again.LoginAs(ctx, "olive", password, client.Device{ID: folderOne, Name: "Olive's studio"}))
	if _, err := one.Account(ctx); !errors.Is(err, client.ErrSessionEnded) {
		t.Errorf("the folder's first session still works after it logged in again: %v", err)
	}
	for _, c := range []*client.Client{two, legacy} {
		if _, err := c.Account(ctx); err != nil {
			t.Errorf("another device's session ended when a folder logged in again: %v", err)
		}
	}
	list = must(again.Sessions(ctx))
	if names := deviceNames(list); len(list) != 4 || names["Olive's studio"] != 1 || names["olive's thinkpad"] != 2 {
		t.Fatalf("Sessions = %+v; want the folder once, under its new name", list)
	}
	for _, s := range list {
		if s.ID == s1.SessionID {
			t.Errorf("the replaced session %s is still listed", s1.SessionID)
		}
		if s.Current != (s.ID == s1b.SessionID) {
			t.Errorf("session %s (%s) current = %v", s.ID, s.Device, s.Current)
		}
	}
}

func deviceNames(list []account.Session) map[string]int {
	m := map[string]int{}
	for _, s := range list {
		m[s.Device]++
	}
	return m
}

// A device ID has one form; anything else is refused, naming the field.
func TestDeviceIDIsChecked(t *testing.T) {
	e := newEnv(t, accountConfig())
	e.signUp("olive")
	for _, id := range []string{"laptop", strings.ToUpper(folderOne), folderOne[:31], folderOne + "0", `0123456789abcdef0123456789abcde\u00e9`} {
		for _, path := range []string{"/sessions", "/accounts"} {
			body := `{"username":"olive","password":"` + password + `","device":"x","device_id":"` + id + `"}`
			code, b := e.raw("POST", path, "", strings.NewReader(body))
			if code != http.StatusBadRequest || !strings.Contains(errorMessage(b), `field "device_id"`) {
				t.Errorf("POST %s with device_id %q = %d %s, want 400 naming device_id", path, id, code, b)
			}
		}
	}
}

// PATCH /sessions/current renames the caller's device, as the list then
// shows it; a bad name is refused naming the field, and other sessions
// cannot be renamed from here.
func TestRenameDevice(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, accountConfig())
	u := e.signUp("olive")
	other := e.client(nil)
	desk := must(other.LoginAs(ctx, "olive", password, client.Device{ID: folderTwo, Name: "desk"}))

	got, err := u.RenameDevice(ctx, "Olive's laptop")
	if err != nil || got.Device != "Olive's laptop" || !got.Current {
		t.Fatalf("RenameDevice = %+v, %v", got, err)
	}
	if names := deviceNames(must(other.Sessions(ctx))); names["Olive's laptop"] != 1 || names["desk"] != 1 || len(names) != 2 {
		t.Errorf("after the rename the other device lists %v", names)
	}
	if s, _ := u.Session(); s.Device != "Olive's laptop" {
		t.Errorf("the client keeps the name %q", s.Device)
	}
	for _, body := range []string{`{"device":""}`, `{"device":"   "}`, `{"device":"a\nb"}`, `{"device":"` + strings.Repeat("x", 81) + `"}`, `{}`} {
		if code, b := e.raw("PATCH", "/sessions/current", u.token, strings.NewReader(body)); code != http.StatusBadRequest || !strings.Contains(errorMessage(b), `field "device"`) {
			t.Errorf("PATCH /sessions/current %s = %d %s, want 400 naming device", body, code, b)
		}
	}
	if code, b := e.raw("PATCH", "/sessions/"+desk.SessionID, u.token, strings.NewReader(`{"device":"mine now"}`)); code != http.StatusMethodNotAllowed {
		t.Errorf("PATCH another session = %d %s, want 405", code, b)
	}
	if code, _ := e.raw("PATCH", "/sessions/current", "", strings.NewReader(`{"device":"x"}`)); code != http.StatusUnauthorized {
		t.Errorf("PATCH /sessions/current without a session = %d, want 401", code)
	}

	// Devices without IDs are told apart by name, so two of them cannot
	// share one.
	legacy := e.client(nil)
	must(legacy.Login(ctx, "olive", password, "old studio"))
	if _, err := u.RenameDevice(ctx, "old studio"); !statusIs(err, http.StatusConflict) {
		t.Errorf("renaming to another ID-less device's name = %v, want 409", err)
	}
}
