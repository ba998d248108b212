package voices

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/ml"
)

// missing skips the test for a missing external component, or fails it
// when SLATE_REQUIRE_DEPS=1 (as CI sets).
func missing(t testing.TB, err error) {
	t.Helper()
	if os.Getenv("SLATE_REQUIRE_DEPS") == "1" {
		t.Fatalf("SLATE_REQUIRE_DEPS=1: %v", err)
	}
	t.Skipf("skipping: %v", err)
}

func needEspeak(t testing.TB) media.Tools {
	t.Helper()
	tools := media.FindTools()
	if err := tools.Check(media.ToolEspeak); err != nil {
		missing(t, err)
	}
	return tools
}

func needRuntime(t testing.TB) *ml.Runtime {
	t.Helper()
	path, _, err := ml.FindLibrary()
	if err != nil {
		missing(t, err)
	}
	rt, err := ml.Load(path)
	if err != nil {
		t.Fatalf("ml.Load(%s) = %v", path, err)
	}
	return rt
}

func testCtx(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// openTiny loads testdata/NAME.onnx.
func openTiny(t testing.TB, name string) *Voice {
	t.Helper()
	v, err := Open(needRuntime(t), filepath.Join("testdata", name+".onnx"))
	if err != nil {
		t.Fatalf("Open(%s) = %v", name, err)
	}
	t.Cleanup(func() { v.Close() })
	return v
}

// copyVoice copies testdata/NAME.onnx and its config into dir as AS.onnx.
func copyVoice(t testing.TB, name, dir, as string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, ext := range []string{".onnx", ".onnx.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", name+ext))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, as+ext), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, as+".onnx")
}
