package onnx

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/slatestudio/slate/ml"
	"github.com/slatestudio/slate/ml/pack"
)

// wan is a manifest with the real Wan 2.1 T2V 1.3B export's file sizes
// (UMT5-XXL encoder in float16, transformer in float32, VAE decoder) and
// latent layout.
func wan(t *testing.T) *pack.Manifest {
	t.Helper()
	data, err := os.ReadFile("testdata/wan2.1-t2v-1.3b.json")
	if err != nil {
		t.Fatal(err)
	}
	m, err := pack.ParseManifest("wan2.1-t2v-1.3b.json", data)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestPlanRefusesWhatDoesNotFit(t *testing.T) {
	m := wan(t)
	free := ml.Memory{Free: 24 << 30, Known: true, Where: "RAM"}
	p := plan(m, 1920, 1080, 241, free, ml.CPU, false)
	err := p.Check()
	if !errors.Is(err, ErrTooBig) {
		t.Fatalf("1920×1080 × 241 frames with 24 GiB: Check() = %v, want ErrTooBig", err)
	}
	t.Log(err)
	if p.Width != 1920 || p.Height != 1088 || p.LatentFrames != 61 || p.LatentHeight != 136 || p.LatentWidth != 240 {
		t.Errorf("geometry = %+v, want 1920×1088, latent 61×136×240", p.Geometry)
	}
	msg := err.Error()
	for _, want := range []string{
		"needs about " + ml.GiB(uint64(p.Peak)), // the estimate
		"24.0 GiB of RAM free",                  // what is free
		"a smaller size, such as ",              // what to do
		"or fewer frames",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q does not say %q", msg, want)
		}
	}
	if p.Peak < 30<<30 {
		t.Errorf("estimate %s seems low for 1080p × 241 frames", ml.GiB(uint64(p.Peak)))
	}

	// The model's own size and length fits the same 24 GiB.
	ok := plan(m, 832, 480, 81, free, ml.CPU, false)
	if err := ok.Check(); err != nil {
		t.Errorf("832×480 × 81 frames with 24 GiB: %v", err)
	}
	t.Logf("832×480 × 81: %s", ok)

	// With too little for the models themselves, no size helps.
	small := plan(m, 832, 480, 81, ml.Memory{Free: 8 << 30, Known: true, Where: "RAM"}, ml.CPU, false)
	if err := small.Check(); err == nil || !strings.Contains(err.Error(), "the models alone need") {
		t.Errorf("8 GiB: Check() = %v", err)
	}
	// Once the models are loaded, free memory no longer holds them: the
	// same render with 24 GiB less their size free still fits.
	after := plan(m, 832, 480, 81, ml.Memory{Free: 24<<30 - uint64(ok.Weights), Known: true, Where: "RAM"}, ml.CPU, true)
	if err := after.Check(); err != nil {
		t.Errorf("with the models loaded: %v", err)
	}
	if err := plan(m, 1920, 1080, 241, ml.Memory{Free: 8 << 30, Known: true, Where: "RAM"}, ml.CPU, true).Check(); err == nil || !strings.Contains(err.Error(), "beside the loaded models") {
		t.Errorf("1080p with the models loaded and 8 GiB free: %v", err)
	}
	// Unknown free memory is not a refusal, and says it is unknown.
	unknown := plan(m, 1920, 1080, 241, ml.Memory{Where: "GPU 0 memory", Why: "no driver"}, ml.CUDA, false)
	if err := unknown.Check(); err != nil || !strings.Contains(unknown.String(), "free GPU 0 memory unknown (no driver)") {
		t.Errorf("unknown memory: Check() = %v, String() = %q", err, unknown)
	}
}

func TestGeometry(t *testing.T) {
	m := wan(t)
	tests := []struct {
		w, h, frames int
		want         Geometry
	}{
		{832, 480, 81, Geometry{832, 480, 81, 21, 60, 104}},
		{320, 180, 24, Geometry{320, 192, 25, 7, 24, 40}},
		{1280, 720, 1, Geometry{1280, 720, 1, 1, 90, 160}},
		{1280, 720, 2, Geometry{1280, 720, 5, 2, 90, 160}},
	}
	for _, tt := range tests {
		if got := geometry(m, tt.w, tt.h, tt.frames); got != tt.want {
			t.Errorf("geometry(%d×%d, %d) = %+v, want %+v", tt.w, tt.h, tt.frames, got, tt.want)
		}
	}
}
