package onnx_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/ml"
	"github.com/slatestudio/slate/ml/pack"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/render/onnx"
	"github.com/slatestudio/slate/render/onnx/onnxtest"
	"github.com/slatestudio/slate/render/rendertest"
	"github.com/slatestudio/slate/timeline"
)

// requireDeps skips a test whose external component is missing, or fails
// it when SLATE_REQUIRE_DEPS=1 (as CI sets).
func requireDeps(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		if os.Getenv("SLATE_REQUIRE_DEPS") == "1" {
			t.Fatalf("SLATE_REQUIRE_DEPS=1: %v", err)
		}
		t.Skip(err)
	}
}

func runtime(t testing.TB) *ml.Runtime {
	t.Helper()
	lib, _, err := ml.FindLibrary()
	requireDeps(t, err)
	rt, err := ml.Load(lib)
	if err != nil {
		t.Fatal(err)
	}
	return rt
}

func tools(t testing.TB) media.Tools {
	t.Helper()
	tl := media.FindTools()
	requireDeps(t, tl.Check())
	return tl
}

// tinyPack is the committed test pack.
func tinyPack(t testing.TB) *pack.Pack {
	t.Helper()
	p, err := pack.OpenDir("testdata/tinypack")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// roomy says there is plenty of memory, so tests do not depend on the
// machine's.
func roomy(string) ml.Memory { return ml.Memory{Free: 64 << 30, Known: true, Where: "RAM"} }

func open(t testing.TB, p *pack.Pack, opts onnx.Options) *onnx.Backend {
	t.Helper()
	if opts.FreeMemory == nil {
		opts.FreeMemory = roomy
	}
	b, err := onnx.Open(tools(t), runtime(t), p, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// TestConformance renders through the real ONNX Runtime on the CPU with
// the tiny pack: the suite every backend passes.
func TestConformance(t *testing.T) {
	b := open(t, tinyPack(t), onnx.Options{Provider: ml.CPU})
	rendertest.Run(t, b, tools(t), rendertest.Options{})
}

// TestTinyPackIsGenerated checks the committed pack is what onnxtest
// writes; go test -update writes it again.
func TestTinyPackIsGenerated(t *testing.T) {
	dir := t.TempDir()
	if _, err := onnxtest.Write(dir, onnxtest.Options{}); err != nil {
		t.Fatal(err)
	}
	const committed = "testdata/tinypack"
	if f := flag.Lookup("update"); f != nil && f.Value.String() == "true" {
		os.RemoveAll(committed)
		if err := os.CopyFS(committed, os.DirFS(dir)); err != nil {
			t.Fatal(err)
		}
	}
	var total int64
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		want, _ := os.ReadFile(path)
		got, err := os.ReadFile(filepath.Join(committed, rel))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s/%s differs from what onnxtest writes; run go test -update", committed, rel)
		}
		total += int64(len(want))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("the tiny pack is %d bytes", total)
}

func request(t *testing.T, edit func(p *timeline.Project, s *timeline.Shot)) *render.Request {
	t.Helper()
	p := timeline.New("ONNX")
	p.Width, p.Height, p.FPS = 320, 180, 24
	s := timeline.NewShot("Kite")
	s.ID = "kite"
	s.Prompt = "A red kite over a green hill"
	s.Duration = time.Second
	s.Seed = 3
	if edit != nil {
		edit(p, s)
	}
	p.Shots = []*timeline.Shot{s}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	return render.NewRequest(p, 0, t.TempDir())
}

func TestPrompt(t *testing.T) {
	req := request(t, func(p *timeline.Project, s *timeline.Shot) {
		p.Cast = []timeline.CastRef{{ID: "mara", Name: "Mara"}}
		s.Cast = []string{"mara"}
		s.Camera = timeline.Camera{Framing: timeline.Wide, Move: timeline.DollyIn}
	})
	req.Likeness = map[string]render.Likeness{"mara": {Preferences: "always wears a red scarf"}}
	want := "A red kite over a green hill; Mara: always wears a red scarf, wide shot, the camera dollies in"
	if got := onnx.Prompt(req); got != want {
		t.Errorf("Prompt = %q\nwant %q", got, want)
	}
}

func TestRenderRefusesWhatDoesNotFit(t *testing.T) {
	b := open(t, tinyPack(t), onnx.Options{Provider: ml.CPU, FreeMemory: func(string) ml.Memory {
		return ml.Memory{Free: 1 << 20, Known: true, Where: "RAM"}
	}})
	req := request(t, nil)
	_, err := b.Render(context.Background(), req, func(float64) {})
	if !errors.Is(err, onnx.ErrTooBig) || !strings.Contains(err.Error(), "1 MiB") && !strings.Contains(err.Error(), "0.0 GiB of RAM free") {
		t.Errorf("Render with 1 MiB free = %v, want a refusal naming both figures", err)
	}
	if entries, _ := os.ReadDir(req.TempDir); len(entries) > 0 {
		t.Errorf("a refused render left %d files", len(entries))
	}
}

func TestOpenInstalled(t *testing.T) {
	store := pack.NewStore(filepath.Join(t.TempDir(), "models"), nil)
	_, err := onnx.OpenInstalled(tools(t), store, "", onnx.Options{})
	if !errors.Is(err, onnx.ErrNoPack) || !strings.Contains(err.Error(), "slate models install") {
		t.Errorf("OpenInstalled with none = %v", err)
	}
	runtime(t)
	if _, err := store.Install(context.Background(), "testdata/tinypack", nil); err != nil {
		t.Fatal(err)
	}
	b, err := onnx.OpenInstalled(tools(t), store, "", onnx.Options{Provider: "cpu"})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if b.Name() != "onnx" || !strings.HasPrefix(b.Version(), "1/tinypack@") || !strings.HasSuffix(b.Version(), "/CPU") {
		t.Errorf("Name, Version = %q, %q", b.Name(), b.Version())
	}
	if b.Capabilities().ImageConditioning {
		t.Error("the tiny pack has no image conditioning, but Capabilities says it has")
	}
}
