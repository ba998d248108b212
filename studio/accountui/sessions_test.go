package accountui

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/slatestudio/slate/account/accounttest"
	"github.com/slatestudio/slate/account/client"
	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/sharing"
)

// A second data folder on this computer logged in to the same account is a
// device of its own: the studio stays logged in and syncs, the Account and
// devices tab lists both, and renaming this computer there renames it on
// the server; a name refused stays in the field with the reason.
func TestDashboardNamesThisComputer(t *testing.T) {
	ctx := context.Background()
	server := accounttest.Start(t)
	h := newRig(t)
	h.logIn(t, server, "ana")
	// Another SLATE_HOME on the same computer, named by default.
	otherLib, err := library.Open(t.Context(), t.TempDir(), library.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { otherLib.Close() })
	other := sharing.New(otherLib, sharing.Options{Store: client.NewFileStore(otherLib.Dir())})
	if _, err := other.Login(ctx, server, "ana", testPassword); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.Sync(ctx); err != nil {
		t.Fatalf("the studio's sync after another folder logged in: %v", err)
	}
	otherName := library.DefaultDeviceName(otherLib.Dir())

	d := h.openDashboard(t)
	d.tabs.SelectIndex(4)
	shown := texts(d.accountTab)
	for _, want := range []string{"This device", "studio under test · logged in ", otherName + " · logged in ", "this computer"} {
		if !strings.Contains(shown, want) {
			t.Errorf("Account and devices does not say %q:\n%s", want, shown)
		}
	}
	r := d.rename
	if r.entry.Text != "studio under test" || !r.submit.Disabled() {
		t.Fatalf("the name field holds %q (Rename disabled %v), want this computer's name and nothing to save", r.entry.Text, r.submit.Disabled())
	}

	rename := func(name string) {
		t.Helper()
		r.entry.SetText("")
		test.Type(r.entry, name)
		test.Tap(r.submit)
		d.settle(t, h)
		h.ui.Until(t, "the rename", 30*time.Second, func() bool { return !r.busy && d.busy == 0 })
	}
	rename("Ana's edit suite")
	if !r.note.Visible() || !strings.Contains(r.note.Text, `device is now called "Ana's edit suite"`) {
		t.Errorf("after renaming the note says %q (visible %v)", r.note.Text, r.note.Visible())
	}
	h.ui.Until(t, "the list to show the new name", 30*time.Second, func() bool {
		return d.busy == 0 && strings.Contains(texts(d.accountTab), "Ana's edit suite · logged in ")
	})
	if !deviceListed(t, server, "Ana's edit suite") {
		t.Error("the server does not list this computer under its new name")
	}

	// A name with a line break is refused here: it stays in the field with
	// the reason, and the server keeps the name it had.
	rename("Ana's\tsuite")
	if !r.note.Visible() || !strings.Contains(r.note.Text, "control character") || r.entry.Text != "Ana's\tsuite" || r.submit.Disabled() {
		t.Errorf("a refused name: note %q (visible %v), field %q, Rename disabled %v", r.note.Text, r.note.Visible(), r.entry.Text, r.submit.Disabled())
	}
	if name, _ := h.svc.DeviceName(ctx); name != "Ana's edit suite" || !deviceListed(t, server, name) {
		t.Errorf("after a refused name this computer is called %q", name)
	}

	// The other folder logs out; this one stays logged in.
	if err := other.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.Sync(ctx); err != nil {
		t.Fatalf("the studio's sync after the other folder logged out: %v", err)
	}
	d.reload(t.Context())
	d.settle(t, h)
	h.ui.Until(t, "the other folder to leave the list", 30*time.Second, func() bool {
		return d.busy == 0 && !strings.Contains(texts(d.accountTab), otherName)
	})

	// Logged out, this computer can still be named; the next log-in
	// brings the name.
	h.a.Logout(t.Context())
	h.ui.Until(t, "the log-out", 30*time.Second, func() bool {
		return d.busy == 0 && strings.Contains(texts(d.accountTab), "Not logged in")
	})
	if !strings.Contains(texts(d.accountTab), "This device") {
		t.Fatalf("logged out, the tab offers no name:\n%s", texts(d.accountTab))
	}
	rename("Ana's studio")
	if _, err := h.svc.Login(ctx, server, "ana", testPassword); err != nil {
		t.Fatal(err)
	}
	if !deviceListed(t, server, "Ana's studio") {
		t.Error("the name given while logged out did not come with the next log-in")
	}
}

// deviceListed reports whether the account ana lists a device called
// name, read from a device of its own.
func deviceListed(t *testing.T, server, name string) bool {
	t.Helper()
	for _, dev := range listSessions(t, server) {
		if dev.Device == name {
			return true
		}
	}
	return false
}
