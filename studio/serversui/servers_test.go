package serversui

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/account/client"
	"github.com/slatestudio/slate/render/remote"
	"github.com/slatestudio/slate/servers"
	"github.com/slatestudio/slate/studio/studiotest"
	"github.com/slatestudio/slate/studio/uikit"
	"github.com/slatestudio/slate/timeline"
)

// probe answers as the servers it knows by address would, and records the
// key each test was given.
type probe struct {
	mu    sync.Mutex
	infos map[string]remote.Info
	keys  []string
}

func (p *probe) probe(_ context.Context, _ *http.Client, s remote.Server) (remote.Info, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.keys = append(p.keys, s.APIKey)
	if info, ok := p.infos[s.URL]; ok {
		return info, nil
	}
	return remote.Info{}, errors.New("dial tcp: connection refused")
}

type rig struct {
	t       *testing.T
	win     fyne.Window
	ui      *studiotest.UI
	d       Deps
	probe   *probe
	changed int
	problem string
}

// newRig is the window's place: a studio window, and the render servers
// of the test studio's library, kept with a key file in a temp folder.
func newRig(t *testing.T) *rig {
	env := studiotest.New(t, studiotest.Options{Projects: []*timeline.Project{studiotest.SmallDemo(t)}})
	h := &rig{t: t, win: env.App.NewWindow("servers"), ui: env.UI, probe: &probe{infos: map[string]remote.Info{
		"http://gpu-box:8080": {Kind: remote.KindSlate, Models: []account.VideoModel{
			{ID: "animatic", Sizes: []string{"1280x720"}, FPS: []int{24}, MinSeconds: 1, MaxSeconds: 60, Audio: true},
			{ID: "onnx", MaxWidth: 1024, MaxHeight: 576, FPS: []int{24}},
		}},
		"https://videos.example.com": {Kind: remote.KindGeneric},
	}}}
	h.win.SetContent(widget.NewLabel("the studio"))
	h.win.Resize(fyne.NewSize(1440, 900))
	h.win.Show()
	t.Cleanup(h.win.Close)
	book := servers.New(env.Library, servers.Options{Store: client.NewFileStore(filepath.Join(t.TempDir(), "keys")), Probe: h.probe.probe})
	h.d = Deps{
		Book: book, Window: h.win, Runner: env.Session(),
		Problem: func(title, message string) dialog.Dialog {
			h.problem = title + ": " + message
			d := dialog.NewCustom(title, "Close", widget.NewLabel(message), h.win)
			d.Show()
			return d
		},
		Changed: func(context.Context) { h.changed++ },
	}
	return h
}

// shown is what the dialog on top says.
func (h *rig) shown() string { return studiotest.Texts(h.win.Canvas().Overlays().Top()) }

// tap presses the button labelled label in the dialog on top.
func (h *rig) tap(label string) {
	h.t.Helper()
	var found fyne.Tappable
	studiotest.Walk(h.win.Canvas().Overlays().Top(), func(o fyne.CanvasObject) {
		switch b := o.(type) {
		case *widget.Button:
			if b.Text == label {
				found = b
			}
		case *uikit.TipButton:
			if b.Text == label {
				found = b
			}
		}
	})
	if found == nil {
		h.t.Fatalf("no %q button in the dialog on top:\n%s", label, h.shown())
	}
	test.Tap(found)
}

func TestAddTestAndRemoveServers(t *testing.T) {
	h := newRig(t)
	w := Show(t.Context(), h.d)
	h.ui.Until(t, "the empty list", 5*time.Second, func() bool { return strings.Contains(h.shown(), "None yet") })

	h.tap("Add a server…")
	f := w.form
	if f == nil || !f.key.Password {
		t.Fatalf("the Add dialog = %+v, want one whose API key field hides what is typed", f)
	}
	test.Type(f.name, "gpu-box")
	test.Type(f.address, "http://gpu-box:8080")
	test.Type(f.key, "sk-secret")
	h.tap("Test and add")
	h.ui.Until(t, "gpu-box to be listed", 5*time.Second, func() bool { return len(w.shown) == 1 })
	if w.form != nil {
		t.Error("the Add dialog is still open after the server was added")
	}
	if h.changed != 1 || len(h.probe.keys) != 1 || h.probe.keys[0] != "sk-secret" {
		t.Errorf("after adding: the studio was told %d times, the probe got keys %q; want once, sk-secret", h.changed, h.probe.keys)
	}
	if s := h.shown(); !strings.Contains(s, "gpu-box added") || !strings.Contains(s, "gpu-box is a Slate render server.") {
		t.Errorf("after adding the studio says:\n%s", s)
	}
	h.tap("OK")
	if s := h.shown(); !strings.Contains(s, "gpu-box — a Slate render server · animatic, onnx") || !strings.Contains(s, "onnx: up to 1024×576 · 24 fps") {
		t.Errorf("the list says:\n%s", s)
	}

	// A service that lists no models asks to be described, then is kept.
	h.tap("Add a server…")
	f = w.form
	test.Type(f.name, "hosted")
	test.Type(f.address, "https://videos.example.com")
	h.tap("Test and add")
	h.ui.Until(t, "the service to be tested", 5*time.Second, func() bool { return strings.Contains(f.status.Text, "does not list its models") })
	test.Type(f.models, "wan-2.2")
	test.Type(f.sizes, "1280x720, 720x1280")
	test.Type(f.seconds, "4,8,12")
	h.tap("Test and add")
	h.ui.Until(t, "hosted to be listed", 5*time.Second, func() bool { return len(w.shown) == 2 })
	h.tap("OK")
	if s := h.shown(); !strings.Contains(s, "hosted — a /v1/videos video service · wan-2.2") || !strings.Contains(s, "wan-2.2: 1280×720, 720×1280 · 24 fps · 4, 8 or 12 s") {
		t.Errorf("the list says:\n%s", s)
	}

	// A bad name is refused before anything is asked of the network.
	h.tap("Add a server…")
	f = w.form
	test.Type(f.name, "GPU box")
	test.Type(f.address, "http://x")
	asked := len(h.probe.keys)
	h.tap("Test and add")
	if !strings.Contains(f.status.Text, "cannot name a render server") || len(h.probe.keys) != asked {
		t.Errorf("a bad name: status %q, probes %d → %d", f.status.Text, asked, len(h.probe.keys))
	}
	h.tap("Cancel")

	w.test(t.Context(), "gpu-box")
	h.ui.Until(t, "the test's answer", 5*time.Second, func() bool { return strings.Contains(h.shown(), "gpu-box answers") })
	h.tap("OK")

	w.confirmRemove(t.Context(), "gpu-box")
	h.tap("Yes")
	h.ui.Until(t, "gpu-box to be removed", 5*time.Second, func() bool { return len(w.shown) == 1 })
	if s := h.shown(); strings.Contains(s, "gpu-box") {
		t.Errorf("after removing gpu-box the list says:\n%s", s)
	}
	delete(h.probe.infos, "https://videos.example.com")
	w.test(t.Context(), "hosted")
	h.ui.Until(t, "the failed test", 5*time.Second, func() bool { return h.problem != "" })
	if !strings.Contains(h.problem, "hosted did not answer") || !strings.Contains(h.problem, "check that it is running") {
		t.Errorf("a failed test says %q", h.problem)
	}
}
