package onnx_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/slatestudio/slate/ml/pack"
	"github.com/slatestudio/slate/render/onnx"
	"github.com/slatestudio/slate/render/onnx/onnxtest"
)

// installPacks installs a tiny pack for each name, its manifest naming
// the provider given for it, into a new store.
func installPacks(t *testing.T, providers map[string]string) *pack.Store {
	t.Helper()
	store := pack.NewStore(filepath.Join(t.TempDir(), "models"), nil)
	for name, provider := range providers {
		src := t.TempDir()
		if _, err := onnxtest.Write(src, onnxtest.Options{Name: name, Provider: provider}); err != nil {
			t.Fatal(err)
		}
		if _, err := store.Install(context.Background(), src, nil); err != nil {
			t.Fatal(err)
		}
	}
	return store
}

// Resolve picks the pack and the provider: a person's choice first, then
// the pack's manifest, then the best the library offers; every refusal
// says who asked for what.
func TestResolve(t *testing.T) {
	offered := []string{"CUDA", "CPU"}
	gpu := func() ([]string, error) { return offered, nil }
	tests := []struct {
		name      string
		packs     map[string]string // installed: name → manifest's provider
		choice    onnx.Choice
		pack      string // want
		provider  string
		why       string
		errWant   string // or a refusal containing this
		errNoPack bool
	}{
		{name: "no pack", packs: nil, errNoPack: true, errWant: "slate models install PATH|URL"},
		{name: "best", packs: map[string]string{"tiny": ""}, pack: "tiny", provider: "CUDA", why: "the best this ONNX Runtime offers; SLATE_ORT_PROVIDER=CPU overrides"},
		{name: "manifest auto", packs: map[string]string{"tiny": "auto"}, pack: "tiny", provider: "CUDA", why: "the best this ONNX Runtime offers"},
		{name: "manifest", packs: map[string]string{"tiny": "cpu"}, pack: "tiny", provider: "CPU", why: "chosen by the pack's manifest"},
		{name: "person over manifest", packs: map[string]string{"tiny": "CPU"}, choice: onnx.Choice{Provider: "cuda"}, pack: "tiny", provider: "CUDA", why: "chosen by SLATE_ORT_PROVIDER"},
		{name: "person auto over manifest", packs: map[string]string{"tiny": "CPU"}, choice: onnx.Choice{Provider: "auto"}, pack: "tiny", provider: "CUDA", why: "the best"},
		{name: "manifest not offered", packs: map[string]string{"tiny": "DirectML"},
			errWant: "model pack tiny's manifest asks for the DirectML provider, which this ONNX Runtime does not offer (it has CUDA, CPU): set SLATE_ORT_PROVIDER to one it has"},
		{name: "person not offered", packs: map[string]string{"tiny": ""}, choice: onnx.Choice{Provider: "coreml"},
			errWant: "SLATE_ORT_PROVIDER asks for the CoreML provider, which this ONNX Runtime does not offer (it has CUDA, CPU): change it"},
		{name: "unknown", packs: map[string]string{"tiny": "TPU"}, errWant: `model pack tiny's manifest: execution provider "TPU" is unknown; set SLATE_ORT_PROVIDER to one of CUDA, CPU, or auto`},
		{name: "several", packs: map[string]string{"a": "", "b": "CPU"}, errWant: "2 model packs are installed ([a b]): choose one with SLATE_MODEL_PACK"},
		{name: "several, one chosen", packs: map[string]string{"a": "", "b": "CPU"}, choice: onnx.Choice{Pack: "b"}, pack: "b", provider: "CPU", why: "chosen by the pack's manifest"},
		{name: "chosen, not installed", packs: map[string]string{"a": ""}, choice: onnx.Choice{Pack: "c"}, errWant: `no model pack "c" is installed`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := installPacks(t, tt.packs)
			res, err := onnx.Resolve(store, tt.choice, gpu)
			if tt.errWant != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errWant) || errors.Is(err, onnx.ErrNoPack) != tt.errNoPack {
					t.Errorf("Resolve = %+v, %v; want a refusal containing %q", res, err, tt.errWant)
				}
				return
			}
			if err != nil || res.Pack.Manifest.Name != tt.pack || res.Provider != tt.provider || !strings.HasPrefix(res.Why, tt.why) {
				t.Errorf("Resolve = %v, %q (%s), %v; want %s, %s (%s…)", res.Pack, res.Provider, res.Why, err, tt.pack, tt.provider, tt.why)
			}
		})
	}
}

// A missing pack is reported before a missing ONNX Runtime, and a
// failure to load the library stops the resolution.
func TestResolveOrder(t *testing.T) {
	noORT := errors.New("ONNX Runtime library not found")
	called := false
	_, err := onnx.Resolve(installPacks(t, nil), onnx.Choice{}, func() ([]string, error) { called = true; return nil, noORT })
	if !errors.Is(err, onnx.ErrNoPack) || called {
		t.Errorf("Resolve with no pack and no library = %v (library asked: %v), want ErrNoPack first", err, called)
	}
	if _, err := onnx.Resolve(installPacks(t, map[string]string{"tiny": ""}), onnx.Choice{}, func() ([]string, error) { return nil, noORT }); !errors.Is(err, noORT) {
		t.Errorf("Resolve with no library = %v, want its error", err)
	}
}

// The backend renders on the provider Resolve chooses, whether it is
// opened on an installed pack or on a pack in hand.
func TestOpenResolves(t *testing.T) {
	rt := runtime(t)
	want := rt.Providers()[len(rt.Providers())-1] // CPU: the last, and never the best where a GPU is
	store := installPacks(t, map[string]string{"tiny": strings.ToLower(want)})
	res, err := onnx.Resolve(store, onnx.Choice{}, func() ([]string, error) { return rt.Providers(), nil })
	if err != nil {
		t.Fatal(err)
	}
	b, err := onnx.OpenInstalled(tools(t), store, "", onnx.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	b2, err := onnx.Open(tools(t), rt, res.Pack, onnx.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b2.Close()
	if res.Provider != want || b.Provider() != want || b2.Provider() != want || !strings.HasSuffix(b.Version(), "/"+want) {
		t.Errorf("Resolve chose %s, OpenInstalled %s (version %s), Open %s; want %s for a pack naming it", res.Provider, b.Provider(), b.Version(), b2.Provider(), want)
	}
	if !slices.Contains(rt.Providers(), "DirectML") {
		bad := installPacks(t, map[string]string{"tiny": "DirectML"})
		_, rerr := onnx.Resolve(bad, onnx.Choice{}, func() ([]string, error) { return rt.Providers(), nil })
		_, oerr := onnx.OpenInstalled(tools(t), bad, "", onnx.Options{})
		if rerr == nil || oerr == nil || rerr.Error() != oerr.Error() {
			t.Errorf("a pack naming DirectML: Resolve says %v, OpenInstalled %v; want the same refusal", rerr, oerr)
		}
	}
}
