package servers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/account/client"
	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/render/remote"
	"github.com/slatestudio/slate/servers"
)

// fakeProbe answers as the servers it knows by address would.
type fakeProbe struct {
	infos map[string]remote.Info
	keys  []string // the API key of each probe
}

func (f *fakeProbe) probe(_ context.Context, _ *http.Client, s remote.Server) (remote.Info, error) {
	f.keys = append(f.keys, s.APIKey)
	info, ok := f.infos[s.URL]
	if !ok {
		return remote.Info{}, errors.New("connection refused")
	}
	return info, nil
}

func newBook(t *testing.T, p *fakeProbe) (*servers.Book, *library.Library, string) {
	t.Helper()
	dir := t.TempDir()
	lib, err := library.Open(t.Context(), dir, library.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lib.Close() })
	keys := filepath.Join(dir, "keys")
	opts := servers.Options{Store: client.NewFileStore(keys)}
	if p != nil {
		opts.Probe = p.probe
	}
	return servers.New(lib, opts), lib, keys
}

var slateInfo = remote.Info{Kind: remote.KindSlate, Models: []account.VideoModel{
	{ID: "animatic", Object: "model", Sizes: []string{"1280x720"}, FPS: []int{24, 25, 30}, MinSeconds: 1, MaxSeconds: 60, Audio: true, Likeness: true},
	{ID: "onnx", Object: "model", MaxWidth: 1024, MaxHeight: 576, FPS: []int{24}, Seconds: []string{"2", "4"}},
}}

func TestAddListRemove(t *testing.T) {
	ctx := context.Background()
	p := &fakeProbe{infos: map[string]remote.Info{"http://gpu-box:8080": slateInfo}}
	b, lib, keys := newBook(t, p)
	s, err := b.Add(ctx, servers.Spec{Name: "gpu-box", URL: "http://gpu-box:8080/v1/", APIKey: "sk-secret-123"})
	if err != nil {
		t.Fatal(err)
	}
	if s.URL != "http://gpu-box:8080" || s.Kind != remote.KindSlate || len(s.Models) != 2 {
		t.Errorf("Add() = %+v, want the address without /v1, a Slate server with two models", s)
	}
	if got, want := s.String(), "gpu-box — a Slate render server · animatic, onnx"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if !slices.Equal(p.keys, []string{"sk-secret-123"}) {
		t.Errorf("the probe was given keys %q, want the one added", p.keys)
	}
	// The key is in the store, never in slate.db.
	db, err := os.ReadFile(filepath.Join(lib.Dir(), "slate.db"))
	if err != nil {
		t.Fatal(err)
	}
	wal, _ := os.ReadFile(filepath.Join(lib.Dir(), "slate.db-wal"))
	if bytes.Contains(db, []byte("sk-secret-123")) || bytes.Contains(wal, []byte("sk-secret-123")) {
		t.Error("the API key is in slate.db")
	}
	if _, err := os.Stat(filepath.Join(keys, "credentials.enc")); err != nil {
		t.Errorf("no encrypted key file: %v", err)
	}
	if has, err := b.HasKey(ctx, "gpu-box"); !has || err != nil {
		t.Errorf("HasKey(gpu-box) = %v, %v; want true", has, err)
	}

	// Adding the same name again changes nothing, and says what to do.
	if _, err := b.Add(ctx, servers.Spec{Name: "gpu-box", URL: "http://gpu-box:8080", APIKey: "other"}); !errors.Is(err, library.ErrServerExists) || !strings.Contains(err.Error(), "slate servers remove gpu-box") {
		t.Errorf("Add(gpu-box again) = %v, want ErrServerExists saying how to remove it", err)
	}
	// A server that does not answer is not kept.
	if _, err := b.Add(ctx, servers.Spec{Name: "away", URL: "http://away:1"}); err == nil || !strings.Contains(err.Error(), "check the address") {
		t.Errorf("Add(away) = %v, want a failed test saying what to check", err)
	}
	list, err := b.List(ctx)
	if err != nil || len(list) != 1 || list[0].Name != "gpu-box" {
		t.Fatalf("List() = %+v, %v; want gpu-box alone", list, err)
	}

	reg := render.NewRegistry()
	reg.Register("animatic", func() (render.Backend, error) { return nil, errors.New("unused") })
	names, err := b.Register(ctx, reg)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"remote:gpu-box/animatic", "remote:gpu-box/onnx"}
	if !slices.Equal(names, want) || !slices.Equal(reg.Names(), append([]string{"animatic"}, want...)) {
		t.Errorf("Register() = %q, registry %q; want %q beside the animatic", names, reg.Names(), want)
	}

	if err := b.Remove(ctx, "gpu-box"); err != nil {
		t.Fatal(err)
	}
	if has, err := b.HasKey(ctx, "gpu-box"); has || err != nil {
		t.Errorf("HasKey(gpu-box) after Remove = %v, %v; want the key gone", has, err)
	}
	if _, err := b.Register(ctx, reg); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(reg.Names(), []string{"animatic"}) {
		t.Errorf("registry after removing gpu-box = %q, want the animatic alone", reg.Names())
	}
	if err := b.Remove(ctx, "gpu-box"); !errors.Is(err, library.ErrNotFound) || !strings.Contains(err.Error(), "slate servers list") {
		t.Errorf("Remove(gpu-box again) = %v, want ErrNotFound pointing at the list", err)
	}
}

func TestGenericEndpointNeedsAProfile(t *testing.T) {
	ctx := context.Background()
	p := &fakeProbe{infos: map[string]remote.Info{"https://videos.example.com": {Kind: remote.KindGeneric}}}
	b, _, _ := newBook(t, p)
	_, err := b.Add(ctx, servers.Spec{Name: "hosted", URL: "https://videos.example.com"})
	if !errors.Is(err, servers.ErrNoModels) || !strings.Contains(err.Error(), "--sizes") {
		t.Fatalf("Add(generic, no profile) = %v, want ErrNoModels saying how to describe it", err)
	}
	if list, _ := b.List(ctx); len(list) != 0 {
		t.Errorf("a refused server was kept: %+v", list)
	}
	prof := &remote.Profile{Sizes: []string{"1280x720", "720x1280"}, Seconds: []int{4, 8, 12}, FPS: 24}
	s, err := b.Add(ctx, servers.Spec{Name: "hosted", URL: "https://videos.example.com", Profile: prof, Models: []string{"wan-2.2"}, KeepModelAudio: true})
	if err != nil {
		t.Fatal(err)
	}
	if s.Kind != remote.KindGeneric || s.Profile == nil || !s.KeepModelAudio || len(s.Models) != 1 {
		t.Fatalf("Add(generic with profile) = %+v", s)
	}
	if got, want := servers.Capabilities(s.Models[0]), "1280×720, 720×1280 · 24 fps · 4, 8 or 12 s · no sound (Slate adds the shot's)"; got != want {
		t.Errorf("Capabilities = %q, want %q", got, want)
	}
	if got, want := s.String(), "hosted — a /v1/videos video service · wan-2.2"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	// Testing it again keeps the person's models when it still lists none.
	if s, err = b.Test(ctx, "hosted"); err != nil || len(s.Models) != 1 || s.Models[0].ID != "wan-2.2" {
		t.Errorf("Test(hosted) = %+v, %v; want wan-2.2 kept", s, err)
	}
}

func TestTestRefreshesModels(t *testing.T) {
	ctx := context.Background()
	p := &fakeProbe{infos: map[string]remote.Info{"http://gpu-box:8080": {Kind: remote.KindSlate, Models: slateInfo.Models[:1]}}}
	b, _, _ := newBook(t, p)
	if _, err := b.Add(ctx, servers.Spec{Name: "gpu-box", URL: "http://gpu-box:8080", APIKey: "k1"}); err != nil {
		t.Fatal(err)
	}
	p.infos["http://gpu-box:8080"] = slateInfo // the server gained the onnx backend
	s, err := b.Test(ctx, "gpu-box")
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Models) != 2 || !slices.Equal(p.keys, []string{"k1", "k1"}) {
		t.Errorf("Test() = %+v with keys %q; want two models, tested with the kept key", s.Models, p.keys)
	}
	if got, _ := b.Get(ctx, "gpu-box"); len(got.Models) != 2 {
		t.Errorf("after Test the kept models are %+v, want two", got.Models)
	}
	delete(p.infos, "http://gpu-box:8080")
	if _, err := b.Test(ctx, "gpu-box"); err == nil || !strings.Contains(err.Error(), "running") {
		t.Errorf("Test(gone) = %v, want an error saying what to check", err)
	}
	if _, err := b.Test(ctx, "nobody"); !errors.Is(err, library.ErrNotFound) {
		t.Errorf("Test(nobody) = %v, want ErrNotFound", err)
	}
}

func TestNamesAndAddresses(t *testing.T) {
	for _, n := range []string{"gpu-box", "a", "box.2_x"} {
		if err := servers.CheckName(n); err != nil {
			t.Errorf("CheckName(%q) = %v, want nil", n, err)
		}
	}
	for _, n := range []string{"", "GPU", "gpu box", "gpu/box", "-x", strings.Repeat("a", 33)} {
		if err := servers.CheckName(n); err == nil {
			t.Errorf("CheckName(%q) = nil, want a refusal", n)
		}
	}
	for in, want := range map[string]string{
		"http://gpu-box:8080":                "http://gpu-box:8080",
		" https://x.example.com/v1/videos/ ": "https://x.example.com",
		"https://x.example.com/openai/v1":    "https://x.example.com/openai",
		"http://127.0.0.1:18740/":            "http://127.0.0.1:18740",
	} {
		if got, err := servers.CleanURL(in); err != nil || got != want {
			t.Errorf("CleanURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"gpu-box:8080", "ftp://x", "http://", "http://u:p@x", "http://x/?key=1"} {
		if _, err := servers.CleanURL(in); err == nil {
			t.Errorf("CleanURL(%q) = nil error, want a refusal", in)
		}
	}
}

// Against a tiny /v1/videos endpoint on loopback, with render/remote's own
// Probe: it finds the models the endpoint lists.
func TestProbeOnLoopback(t *testing.T) {
	ctx := context.Background()
	var auth string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/videos/models" {
			http.NotFound(w, r)
			return
		}
		auth = r.Header.Get("Authorization")
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"object": "list", "data": slateInfo.Models})
	}))
	defer srv.Close()
	b, _, _ := newBook(t, nil)
	s, err := b.Add(ctx, servers.Spec{Name: "loop", URL: srv.URL, APIKey: "sk-loop"})
	if err != nil && strings.Contains(err.Error(), "not built yet") {
		// render/remote is written beside this package; until it lands
		// its Probe is a stub.
		t.Skip("render/remote's Probe is not written yet")
	}
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Models) != 2 || s.Models[0].ID != "animatic" || auth != "Bearer sk-loop" {
		t.Errorf("Add(loop) = %+v, Authorization %q; want the two listed models, with the key sent", s, auth)
	}
}
