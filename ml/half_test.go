package ml

import (
	"context"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/slatestudio/slate/ml/mltest"
)

func TestHalfBits(t *testing.T) {
	tests := []struct {
		f    float32
		want uint16
	}{
		{0, 0x0000},
		{float32(math.Copysign(0, -1)), 0x8000},
		{1, 0x3c00},
		{-2, 0xc000},
		{0.5, 0x3800},
		{65504, 0x7bff},                           // the largest half
		{65519.99, 0x7bff},                        // just under the halfway point to infinity
		{65520, 0x7c00},                           // halfway rounds to even: infinity
		{float32(math.Inf(1)), 0x7c00},            // infinity
		{float32(math.Inf(-1)), 0xfc00},           // minus infinity
		{0x1p-14, 0x0400},                         // the smallest normal
		{0x1p-24, 0x0001},                         // the smallest subnormal
		{0x1p-25, 0x0000},                         // halfway to it: ties to even, zero
		{0x1.8p-25, 0x0001},                       // past halfway
		{0x3p-24, 0x0003},                         // a subnormal exactly
		{1 + 0x1p-11, 0x3c00},                     // halfway between 1 and the next half: even
		{1 + 0x3p-11, 0x3c02},                     // halfway above an odd mantissa: up to even
		{1 + 0x1p-10, 0x3c01},                     // the next half after 1
		{0x1.ffcp-15, 0x0400},                     // a subnormal that rounds up into the normals
		{float32(math.SmallestNonzeroFloat32), 0}, // a float32 subnormal
		{3.14159265, 0x4248},
	}
	for _, tt := range tests {
		if got := HalfBits(tt.f); got != tt.want {
			t.Errorf("HalfBits(%g) = %#04x, want %#04x", tt.f, got, tt.want)
		}
	}
	if h := HalfBits(float32(math.NaN())); h&0x7c00 != 0x7c00 || h&0x3ff == 0 {
		t.Errorf("HalfBits(NaN) = %#04x, want a NaN", h)
	}
}

// TestHalfRoundTrip checks every one of the 65536 halves: its float32
// value converts back to the same bits, and lies where its bits say.
func TestHalfRoundTrip(t *testing.T) {
	for i := range 1 << 16 {
		h := uint16(i)
		f := HalfValue(h)
		if h&0x7c00 == 0x7c00 && h&0x3ff != 0 {
			if !math.IsNaN(float64(f)) {
				t.Fatalf("HalfValue(%#04x) = %g, want NaN", h, f)
			}
			continue
		}
		if back := HalfBits(f); back != h {
			t.Fatalf("HalfBits(HalfValue(%#04x) = %g) = %#04x", h, f, back)
		}
	}
	if HalfValue(0x3c00) != 1 || HalfValue(0x0001) != 0x1p-24 || HalfValue(0xfbff) != -65504 {
		t.Error("HalfValue of 1, the smallest subnormal or -65504 is wrong")
	}
}

// TestHalfMatchesONNXRuntime converts random and edge values with ONNX
// Runtime's own Cast and compares: Slate and the models it feeds must
// round the same way.
func TestHalfMatchesONNXRuntime(t *testing.T) {
	rt, err := Load(library(t))
	if err != nil {
		t.Fatal(err)
	}
	g := mltest.NewGraph("cast")
	x := g.Input("x", mltest.Float, mltest.Sym("n"))
	h := g.Op("Cast", []string{x}, mltest.AttrInt("to", int64(mltest.Float16)))
	g.Output(h, "h", mltest.Float16, mltest.Sym("n"))
	back := g.Op("Cast", []string{h}, mltest.AttrInt("to", int64(mltest.Float)))
	g.Output(back, "y", mltest.Float, mltest.Sym("n"))
	path := filepath.Join(t.TempDir(), "cast.onnx")
	if err := os.WriteFile(path, g.Model(17), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := NewSession(rt, path, SessionOptions{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	r := rand.New(rand.NewPCG(1, 2))
	in := []float32{0, 1, -1, 65504, 65519, 65520, 1e9, 0x1p-24, 0x1p-25, 0x1.8p-25, 1 + 0x1p-11, 1 + 0x3p-11}
	for range 20000 {
		// Uniform bits cover every exponent, subnormals included.
		f := math.Float32frombits(r.Uint32())
		if math.IsNaN(float64(f)) {
			continue
		}
		in = append(in, f)
	}
	for range 20000 {
		in = append(in, float32(r.NormFloat64()*3))
	}
	x32, err := NewFloat32Tensor([]int64{int64(len(in))}, in)
	if err != nil {
		t.Fatal(err)
	}
	defer x32.Close()
	hOut, err := NewTensor(Float16, []int64{int64(len(in))})
	if err != nil {
		t.Fatal(err)
	}
	defer hOut.Close()
	yOut, err := NewTensor(Float32, []int64{int64(len(in))})
	if err != nil {
		t.Fatal(err)
	}
	defer yOut.Close()
	if err := s.RunInto(context.Background(), []*Tensor{x32}, []*Tensor{hOut, yOut}); err != nil {
		t.Fatal(err)
	}
	halves, _ := hOut.Float16s()
	ys, _ := yOut.Float32s()
	for i, f := range in {
		if got := HalfBits(f); got != halves[i] {
			t.Fatalf("HalfBits(%g) = %#04x, ONNX Runtime's Cast gives %#04x", f, got, halves[i])
		}
		if got := HalfValue(halves[i]); got != ys[i] {
			t.Fatalf("HalfValue(%#04x) = %g, ONNX Runtime's Cast gives %g", halves[i], got, ys[i])
		}
	}
}

// TestFloat16Tensors runs a model that takes and gives float16, with a
// float16 output ONNX Runtime allocates (fixed shape) and one the caller
// does (free shape).
func TestFloat16Tensors(t *testing.T) {
	rt, err := Load(library(t))
	if err != nil {
		t.Fatal(err)
	}
	g := mltest.NewGraph("half")
	x := g.Input("x", mltest.Float16, mltest.Sym("n"))
	two := g.Op("Cast", []string{g.Scalar(2)}, mltest.AttrInt("to", int64(mltest.Float16)))
	g.Output(g.Op("Mul", []string{x, two}), "y", mltest.Float16, mltest.Sym("n"))
	fixed := g.Op("Cast", []string{g.Weights([]int64{2}, []float32{0.5, -3})}, mltest.AttrInt("to", int64(mltest.Float16)))
	g.Output(fixed, "c", mltest.Float16, mltest.D(2))
	path := filepath.Join(t.TempDir(), "half.onnx")
	if err := os.WriteFile(path, g.Model(17), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := NewSession(rt, path, SessionOptions{Provider: Auto, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Provider() == "" {
		t.Error("Provider() is empty")
	}
	if in := s.Inputs(); in[0].Type != Float16 {
		t.Errorf("Inputs() = %v, want a float16 input", in)
	}
	x16, err := NewFloatTensor(Float16, []int64{3}, []float32{1, -0.25, 1000})
	if err != nil {
		t.Fatal(err)
	}
	defer x16.Close()

	// Run allocates the fixed-shape output, and refuses the free one.
	if _, err := s.Run(context.Background(), []*Tensor{x16}); err == nil {
		t.Error("Run with a free-shaped float16 output succeeded, want an error pointing to RunInto")
	}
	y, _ := NewTensor(Float16, []int64{3})
	c, _ := NewTensor(Float16, []int64{2})
	defer y.Close()
	defer c.Close()
	if err := s.RunInto(context.Background(), []*Tensor{x16}, []*Tensor{y, c}); err != nil {
		t.Fatal(err)
	}
	if got, _ := y.Floats(nil); !slices.Equal(got, []float32{2, -0.5, 2000}) {
		t.Errorf("y = %v, want [2 -0.5 2000]", got)
	}
	if got, _ := c.Floats(nil); !slices.Equal(got, []float32{0.5, -3}) {
		t.Errorf("c = %v, want [0.5 -3]", got)
	}
	// Changing the input in place changes the next run.
	if err := x16.SetFloats([]float32{4, 4, 4}); err != nil {
		t.Fatal(err)
	}
	if err := s.RunInto(context.Background(), []*Tensor{x16}, []*Tensor{y, c}); err != nil {
		t.Fatal(err)
	}
	if got, _ := y.Floats(nil); !slices.Equal(got, []float32{8, 8, 8}) {
		t.Errorf("after SetFloats, y = %v, want [8 8 8]", got)
	}
	// A wrong output is refused by name.
	bad, _ := NewTensor(Float32, []int64{3})
	defer bad.Close()
	if err := s.RunInto(context.Background(), []*Tensor{x16}, []*Tensor{bad, c}); err == nil {
		t.Error("RunInto with a float32 output for a float16 one succeeded")
	}
	if _, err := NewFloat16Tensor(nil, []uint16{0x3c00}); err == nil {
		t.Error("NewFloat16Tensor(scalar) succeeded; onnxruntime_go cannot make one")
	}
}

func TestChooseProvider(t *testing.T) {
	rt, err := Load(library(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"", Auto, "AUTO"} {
		if got, err := rt.Choose(want); err != nil || got != rt.Preferred() {
			t.Errorf("Choose(%q) = %q, %v; want %s", want, got, err, rt.Preferred())
		}
	}
	if got, err := rt.Choose("cpu"); err != nil || got != CPU {
		t.Errorf("Choose(cpu) = %q, %v", got, err)
	}
	if _, err := rt.Choose("TPU"); err == nil {
		t.Error("Choose(TPU) succeeded")
	}
	if !slices.Contains(rt.Providers(), CUDA) {
		if _, err := rt.Choose(CUDA); err == nil {
			t.Error("Choose(CUDA) succeeded on a library without it")
		}
	}
}
