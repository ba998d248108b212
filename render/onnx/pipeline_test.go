package onnx

import (
	"context"
	"os"
	"slices"
	"testing"

	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/ml"
	"github.com/slatestudio/slate/ml/pack"
)

func testBackend(t *testing.T) *Backend {
	t.Helper()
	lib, _, err := ml.FindLibrary()
	if err != nil {
		if os.Getenv("SLATE_REQUIRE_DEPS") == "1" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	rt, err := ml.Load(lib)
	if err != nil {
		t.Fatal(err)
	}
	p, err := pack.OpenDir("testdata/tinypack")
	if err != nil {
		t.Fatal(err)
	}
	b, err := Open(media.Tools{}, rt, p, Options{Provider: ml.CPU})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// TestPaddingIsZeroed: the tiny text encoder leaves a trace of the mask on
// padded tokens, as real encoders leave noise there; the pipeline zeroes
// them and keeps the prompt's.
func TestPaddingIsZeroed(t *testing.T) {
	b := testBackend(t)
	ms, err := b.loaded()
	if err != nil {
		t.Fatal(err)
	}
	p := &pipeline{b: b, ms: ms}
	emb, err := p.encodeText(context.Background(), "a red kite")
	if err != nil {
		t.Fatal(err)
	}
	const width = 32
	if len(emb) != 16*width {
		t.Fatalf("embedding holds %d values, want 16 × 32", len(emb))
	}
	// "a red kite" is ▁a ▁red ▁kite </s>: four tokens.
	for i := range 16 {
		row := emb[i*width : (i+1)*width]
		zero := !slices.ContainsFunc(row, func(v float32) bool { return v != 0 })
		if zero != (i >= 4) {
			t.Errorf("token %d: all zero %v, want %v", i, zero, i >= 4)
		}
	}
}

func TestFrameSource(t *testing.T) {
	tests := []struct{ modelFPS, fps, i, want int }{
		{16, 24, 0, 0}, {16, 24, 1, 0}, {16, 24, 2, 1}, {16, 24, 3, 2}, {16, 24, 23, 15},
		{16, 30, 29, 15}, {16, 25, 24, 15}, {24, 24, 7, 7}, {30, 24, 5, 6},
	}
	for _, tt := range tests {
		w := &frameWriter{modelFPS: tt.modelFPS, fps: tt.fps}
		if got := w.source(tt.i); got != tt.want {
			t.Errorf("source(%d) at %d→%d fps = %d, want %d", tt.i, tt.modelFPS, tt.fps, got, tt.want)
		}
	}
}
