package library

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

var deviceIDRe = regexp.MustCompile(`^[0-9a-f]{32}$`)

// A device is a data folder: its ID is made once and kept across reopens,
// differs between folders, and travels with a copy of the folder.
func TestDeviceIDIsTheFolders(t *testing.T) {
	ctx := context.Background()
	dir, other := t.TempDir(), t.TempDir()
	lib, err := Open(t.Context(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	d, err := lib.Device(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !deviceIDRe.MatchString(d.ID) || d.Name != "" || d.NameSent != "" {
		t.Fatalf("a new folder's Device = %+v, want a 32-hex-digit ID and no name yet", d)
	}
	if again, _ := lib.Device(ctx); again != d {
		t.Fatalf("Device changed between calls: %+v, then %+v", d, again)
	}
	lib.Close()

	reopened := open(t, dir)
	if got, err := reopened.Device(ctx); err != nil || got.ID != d.ID {
		t.Fatalf("after reopening, Device = %+v, %v; want the ID %s", got, err, d.ID)
	}
	if got, err := open(t, other).Device(ctx); err != nil || got.ID == d.ID || !deviceIDRe.MatchString(got.ID) {
		t.Fatalf("another folder's Device = %+v, %v; want an ID of its own, not %s", got, err, d.ID)
	}

	// A copy of the folder (a backup restored, a move to a new disk) is
	// the same device.
	if _, err := reopened.SetDeviceName(ctx, "olive's studio"); err != nil {
		t.Fatal(err)
	}
	reopened.Close()
	copied := filepath.Join(t.TempDir(), "copy")
	if err := os.CopyFS(copied, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	if got, err := open(t, copied).Device(ctx); err != nil || got.ID != d.ID || got.Name != "olive's studio" {
		t.Fatalf("the copied folder's Device = %+v, %v; want ID %s named olive's studio", got, err, d.ID)
	}
}

// Processes that open one folder at once (the studio and slate render)
// agree on its ID.
func TestDeviceIDMadeOnceUnderRace(t *testing.T) {
	dir := t.TempDir()
	const n = 4
	libs := make([]*Library, n)
	for i := range libs {
		l, err := Open(t.Context(), dir, Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Close() })
		libs[i] = l
	}
	ids := make([]string, n)
	var wg sync.WaitGroup
	for i, l := range libs {
		wg.Go(func() {
			d, err := l.Device(context.Background())
			if err != nil {
				t.Error(err)
			}
			ids[i] = d.ID
		})
	}
	wg.Wait()
	for _, id := range ids[1:] {
		if id != ids[0] {
			t.Fatalf("four openings of one folder made IDs %v, want one", ids)
		}
	}
}

func TestSetDeviceName(t *testing.T) {
	ctx := context.Background()
	lib := open(t, t.TempDir())
	d, err := lib.SetDeviceName(ctx, "  Olive's laptop  ")
	if err != nil || d.Name != "Olive's laptop" {
		t.Fatalf("SetDeviceName = %+v, %v; want the name without the spaces around it", d, err)
	}
	for _, bad := range []string{"two\nlines", "tab\there", "nul\x00", "bad \xff utf-8", strings.Repeat("x", MaxDeviceNameRunes+1)} {
		if _, err := lib.SetDeviceName(ctx, bad); err == nil || !strings.Contains(err.Error(), "device name") {
			t.Errorf("SetDeviceName(%q) = %v, want an error about the device name", bad, err)
		}
	}
	if got, _ := lib.Device(ctx); got.Name != "Olive's laptop" {
		t.Fatalf("a refused name changed the name to %q", got.Name)
	}
	if _, err := lib.SetDeviceName(ctx, strings.Repeat("é", MaxDeviceNameRunes)); err != nil {
		t.Errorf("a name of %d characters (more bytes) was refused: %v", MaxDeviceNameRunes, err)
	}
	if err := lib.SetDeviceNameSent(ctx, "Olive's laptop"); err != nil {
		t.Fatal(err)
	}
	if d, _ := lib.SetDeviceName(ctx, ""); d.Name != "" || d.NameSent != "Olive's laptop" {
		t.Fatalf("SetDeviceName(\"\") = %+v; want the default back, and the name the server has kept", d)
	}
}

func TestDefaultDeviceName(t *testing.T) {
	for _, c := range []struct{ person, host, dir, want string }{
		{"olive", "thinkpad", "/home/olive/.local/share/slate", "olive's thinkpad"},
		{"olive", "thinkpad", "/tmp/film-school", "olive's thinkpad (film-school)"},
		{"", "thinkpad", "/x/slate", "thinkpad"},
		{"olive", "", "/x/slate", "olive's computer"},
		{"", "", "/x/slate", "A Slate studio"},
		{"olive", "a\x01b", "/x/slate", "olive's ab"},
		{"olive", strings.Repeat("h", 100), "/x/slate", "olive's " + strings.Repeat("h", MaxDeviceNameRunes-len("olive's ")-1) + "…"},
	} {
		got := defaultDeviceName(c.person, c.host, c.dir)
		if got != c.want {
			t.Errorf("defaultDeviceName(%q, %q, %q) = %q, want %q", c.person, c.host, c.dir, got, c.want)
		}
		if err := CheckDeviceName(got); err != nil || got == "" {
			t.Errorf("the default name %q is not a valid name: %v", got, err)
		}
	}
	if got := DefaultDeviceName(t.TempDir()); got == "" || CheckDeviceName(got) != nil {
		t.Errorf("DefaultDeviceName on this computer = %q", got)
	}
}
