package studio

import (
	"context"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/account/client"
	"github.com/slatestudio/slate/render/remote"
	"github.com/slatestudio/slate/servers"
)

// Render ▸ Render servers… lists the kept servers, and a change there
// offers the server's models under the inspector's "Render with".
func TestRenderServersWindowOffersTheirBackends(t *testing.T) {
	var book *servers.Book
	probe := func(context.Context, *http.Client, remote.Server) (remote.Info, error) {
		return remote.Info{Kind: remote.KindSlate, Models: []account.VideoModel{{ID: "animatic"}}}, nil
	}
	h := newHarnessWith(t, smallDemo(t), func(d *Deps) {
		book = servers.New(d.Library, servers.Options{Store: client.NewFileStore(filepath.Join(t.TempDir(), "keys")), Probe: probe})
		d.Servers = book
	})
	if _, err := book.Add(t.Context(), servers.Spec{Name: "gpu-box", URL: "http://gpu-box:8080"}); err != nil {
		t.Fatal(err)
	}
	h.menuItem(t, "Render servers…").Action()
	h.ui.Until(t, "the servers to be listed", 5*time.Second, func() bool {
		return strings.Contains(texts(h.win.Canvas().Overlays().Top()), "gpu-box — a Slate render server · animatic")
	})

	h.s.session.Select("pier")
	h.ui.drain()
	choices := func() []string {
		var opts []string
		walkAll(h.s.inspector.View(), func(o fyne.CanvasObject) {
			if s, ok := o.(*widget.Select); ok && slices.ContainsFunc(s.Options, func(v string) bool { return strings.HasPrefix(v, "Project default") }) {
				opts = s.Options
			}
		})
		return opts
	}
	if slices.Contains(choices(), "animatic on gpu-box") {
		t.Fatalf("gpu-box was offered before the studio heard of it: %q", choices())
	}
	h.s.serversChanged(t.Context())
	h.ui.Until(t, "gpu-box's animatic to be offered", 5*time.Second, func() bool { return slices.Contains(choices(), "animatic on gpu-box") })
	if !slices.Contains(h.env.Backends.Names(), "remote:gpu-box/animatic") {
		t.Errorf("the registry holds %q, want remote:gpu-box/animatic", h.env.Backends.Names())
	}
}
