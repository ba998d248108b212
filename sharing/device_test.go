package sharing_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/account/client"
	"github.com/slatestudio/slate/internal/clock/clocktest"
	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/sharing"
)

// newFolder is a studio in a data folder of its own on this computer, named
// by default (no Device option), as the studio and the CLI open it.
func newFolder(t *testing.T, clk *clocktest.Clock) *studio {
	t.Helper()
	dir := t.TempDir()
	lib, err := library.Open(t.Context(), dir, library.Options{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lib.Close() })
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DisableKeepAlives = true
	svc := sharing.New(lib, sharing.Options{Store: client.NewFileStore(dir), Clock: clk,
		HTTPClient: &http.Client{Transport: tr, Timeout: 10 * time.Second}})
	return &studio{lib: lib, svc: svc, dir: dir}
}

// Two data folders on one computer are two devices: logging in from the
// second keeps the first logged in, both sync, both are listed under names
// of their own, and logging one out leaves the other.
func TestTwoDataFoldersAreTwoDevices(t *testing.T) {
	ctx := context.Background()
	clk := clocktest.New(time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC))
	srv := startServer(t, clk)
	first, second := newFolder(t, clk), newFolder(t, clk)
	first.signUp(t, srv, "olive")
	if _, err := second.svc.Login(ctx, srv.url(), "olive", password); err != nil {
		t.Fatalf("the second folder's Login: %v", err)
	}
	first.sync(t)
	second.sync(t)

	for _, st := range []*studio{first, second} {
		devs, err := st.svc.Devices(ctx)
		if err != nil {
			t.Fatalf("Devices from %s: %v", st.dir, err)
		}
		if len(devs) != 2 {
			t.Fatalf("Devices from %s = %+v, want both folders", st.dir, devs)
		}
		if devs[0].Device == devs[1].Device || devs[0].Device == "" || devs[1].Device == "" {
			t.Errorf("the two folders are listed as %q and %q, want two names a person can tell apart", devs[0].Device, devs[1].Device)
		}
		if devs[0].Current == devs[1].Current {
			t.Errorf("Devices from %s marks %v and %v current, want exactly one", st.dir, devs[0].Current, devs[1].Current)
		}
		name, err := st.svc.DeviceName(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if want := library.DefaultDeviceName(st.dir); name != want {
			t.Errorf("the folder %s goes by %q, want the default %q", st.dir, name, want)
		}
		if cur := current(devs); cur.Device != name {
			t.Errorf("the folder %s is listed as %q, want %q", st.dir, cur.Device, name)
		}
	}

	// Renaming a device renames it in the list, for every device to see.
	if got, err := second.svc.RenameDevice(ctx, "  Olive's edit suite "); err != nil || got != "Olive's edit suite" {
		t.Fatalf("RenameDevice = %q, %v", got, err)
	}
	if !listed(t, first, "Olive's edit suite") {
		t.Error("the first folder does not list the second under its new name")
	}
	// A name refused here changes nothing, here or there.
	if _, err := second.svc.RenameDevice(ctx, "two\nlines"); err == nil {
		t.Error("a name with a line break was taken")
	}
	if name, _ := second.svc.DeviceName(ctx); name != "Olive's edit suite" || !listed(t, first, name) {
		t.Errorf("after a refused name the device goes by %q", name)
	}
	// Renamed while the server is down, the name goes at the next sync.
	srv.down()
	if got, err := first.svc.RenameDevice(ctx, "Olive's laptop"); err == nil || got != "Olive's laptop" || !strings.Contains(err.Error(), "next sync") {
		t.Fatalf("RenameDevice offline = %q, %v; want the name kept and the error saying it goes at the next sync", got, err)
	}
	srv.up()
	first.sync(t)
	if !listed(t, second, "Olive's laptop") {
		t.Error("the name given offline did not reach the server at the next sync")
	}

	// Logging in again from a folder, reopened, replaces its own session
	// and no other.
	reopened, err := library.Open(t.Context(), second.dir, library.Options{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	defer reopened.Close()
	again := sharing.New(reopened, sharing.Options{Store: client.NewFileStore(second.dir), Clock: clk})
	if _, err := again.Login(ctx, srv.url(), "olive", password); err != nil {
		t.Fatal(err)
	}
	if _, err := second.svc.Devices(ctx); !errors.Is(err, client.ErrSessionEnded) {
		t.Errorf("the folder's earlier session answers %v, want it replaced", err)
	}
	second.svc = again
	first.sync(t)
	if devs, _ := first.svc.Devices(ctx); len(devs) != 2 {
		t.Fatalf("after the second folder logged in again the list is %+v, want the two folders", devs)
	}

	if err := second.svc.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	first.sync(t)
	if _, ok := first.svc.Account(); !ok {
		t.Fatal("logging the second folder out logged the first out")
	}
	devs, err := first.svc.Devices(ctx)
	if err != nil || len(devs) != 1 || !devs[0].Current {
		t.Fatalf("after the second folder logged out, the first lists %+v (%v), want only itself", devs, err)
	}
}

// current is the device that made the request.
func current(devs []account.Session) account.Session {
	for _, d := range devs {
		if d.Current {
			return d
		}
	}
	return account.Session{}
}

// listed reports whether st's list of devices has one called name.
func listed(t *testing.T, st *studio, name string) bool {
	t.Helper()
	devs, err := st.svc.Devices(context.Background())
	if err != nil {
		t.Fatalf("Devices: %v", err)
	}
	for _, d := range devs {
		if d.Device == name {
			return true
		}
	}
	return false
}

// The library makes device IDs and names the server takes.
func TestLibraryDevicesFitTheAPI(t *testing.T) {
	if library.MaxDeviceNameRunes != account.MaxDeviceRunes {
		t.Errorf("the library takes device names of %d characters, the server %d", library.MaxDeviceNameRunes, account.MaxDeviceRunes)
	}
	lib, err := library.Open(t.Context(), t.TempDir(), library.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	d, err := lib.Device(context.Background())
	if err != nil || !account.ValidDeviceID(d.ID) {
		t.Errorf("the library's device ID %q (%v) is not one the server takes", d.ID, err)
	}
}

// A folder logged in before there were device IDs keeps its session after
// the upgrade, goes by its name there at the next sync, and logging in
// again leaves it listed once: the old session, which the server cannot
// tell is this folder's, is ended.
func TestFolderFromBeforeDeviceIDs(t *testing.T) {
	ctx := context.Background()
	clk := clocktest.New(time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC))
	srv := startServer(t, clk)
	newFolder(t, clk).signUp(t, srv, "olive")
	old := newFolder(t, clk)
	// What a studio from before device IDs left in its folder: a session
	// known by its name alone, and the account in the library.
	c, err := client.New(srv.url(), client.Options{Store: client.NewFileStore(old.dir), Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	sess, err := c.Login(ctx, "olive", password, "olive-thinkpad")
	if err != nil {
		t.Fatal(err)
	}
	if err := old.lib.SetAccount(ctx, library.Account{Server: c.Server(), ID: sess.Account.ID, Username: "olive", Key: sess.Key}); err != nil {
		t.Fatal(err)
	}

	if _, ok, err := old.svc.Restore(ctx); err != nil || !ok {
		t.Fatalf("the upgraded folder's Restore = %v, %v; want its session", ok, err)
	}
	old.sync(t)
	name, _ := old.svc.DeviceName(ctx)
	if !listed(t, old, name) || listed(t, old, "olive-thinkpad") {
		t.Errorf("after the first sync the old session is not listed as %q", name)
	}
	if _, err := old.svc.Login(ctx, srv.url(), "olive", password); err != nil {
		t.Fatal(err)
	}
	devs, err := old.svc.Devices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n := deviceCount(devs, name); n != 1 || len(devs) != 2 {
		t.Errorf("after logging in again the folder is listed %d times among %+v, want once beside the other folder", n, devs)
	}
}

func deviceCount(devs []account.Session, name string) int {
	n := 0
	for _, d := range devs {
		if d.Device == name {
			n++
		}
	}
	return n
}
