package serversui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/servers"
)

func TestEditAServiceProfile(t *testing.T) {
	h := newRig(t)
	w := Show(t.Context(), h.d)
	h.ui.Until(t, "the empty list", 5*time.Second, func() bool { return strings.Contains(h.shown(), "None yet") })
	h.tap("Add a server…")
	f := w.form
	test.Type(f.name, "hosted")
	test.Type(f.address, "https://videos.example.com")
	test.Type(f.key, "sk-old")
	test.Type(f.models, "wan-2.2")
	test.Type(f.sizes, "1280x720")
	test.Type(f.seconds, "4,8")
	h.tap("Test and add")
	h.ui.Until(t, "hosted to be listed", 5*time.Second, func() bool { return len(w.shown) == 1 })
	h.tap("OK")

	h.tap("Edit…")
	f = w.form
	if f == nil || f.name.Text != "hosted" || !f.name.Disabled() || f.key.Text != "" || f.seconds.Text != "4, 8" || f.sizes.Text != "1280x720" || f.models.Text != "wan-2.2" {
		t.Fatalf("the Edit dialog = %+v, want hosted's values, its name read-only and the key empty", f)
	}
	f.seconds.SetText("")
	test.Type(f.seconds, "4, 8, 12")
	h.tap("Test and save")
	h.ui.Until(t, "the edit to be kept", 5*time.Second, func() bool { return w.form == nil && h.changed == 2 })
	if k := h.probe.keys[len(h.probe.keys)-1]; k != "sk-old" {
		t.Errorf("the edit was tested with key %q, want the kept sk-old", k)
	}
	h.tap("OK")
	h.ui.Until(t, "the list to show the edit", 5*time.Second, func() bool {
		return strings.Contains(h.shown(), "wan-2.2: 1280×720 · 24 fps · 4, 8 or 12 s")
	})
	reg := render.NewRegistry()
	if _, err := h.d.Book.(*servers.Book).Register(t.Context(), reg); err != nil {
		t.Fatal(err)
	}
	be, err := reg.Open("remote:hosted/wan-2.2")
	if err != nil {
		t.Fatal(err)
	}
	if c := be.Capabilities(); c.MaxDuration != 12*time.Second {
		t.Errorf("after the edit the backend renders up to %v, want 12s", c.MaxDuration)
	}

	// A bad length is refused in the dialog, before the network is asked.
	h.tap("Edit…")
	f = w.form
	f.seconds.SetText("four")
	asked := len(h.probe.keys)
	h.tap("Test and save")
	if !strings.Contains(f.status.Text, `"four" is not a clip length`) || len(h.probe.keys) != asked {
		t.Errorf("a bad length: status %q, probes %d → %d", f.status.Text, asked, len(h.probe.keys))
	}
	h.tap("Cancel")
}
