package ml

import (
	"context"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// onnxModel hand-encodes the protobuf of a small ONNX model, so the tests
// run the real ONNX Runtime on a real model without a Python tool chain or
// a binary file in testdata. The model takes
//
//	x float32 [batch, 3], k int64 scalar
//
// and returns
//
//	y  float32 [batch, 3] = x · k
//	k1 int64 [1]          = k + 1
func onnxModel() []byte {
	const (
		tFloat = 1
		tInt64 = 7
	)
	dim := func(v int64, param string) []byte {
		if param != "" {
			return pbBytes(2, []byte(param))
		}
		return pbVarint(1, uint64(v))
	}
	value := func(name string, elem uint64, dims ...[]byte) []byte {
		var shape []byte
		for _, d := range dims {
			shape = append(shape, pbBytes(1, d)...)
		}
		tensor := append(pbVarint(1, elem), pbBytes(2, shape)...)
		return append(pbBytes(1, []byte(name)), pbBytes(2, pbBytes(1, tensor))...)
	}
	node := func(op string, ins []string, out string, attrs ...[]byte) []byte {
		var b []byte
		for _, in := range ins {
			b = append(b, pbBytes(1, []byte(in))...)
		}
		b = append(b, pbBytes(2, []byte(out))...)
		b = append(b, pbBytes(4, []byte(op))...)
		for _, a := range attrs {
			b = append(b, pbBytes(5, a)...)
		}
		return b
	}
	// Cast's "to" attribute: name, i, type INT (2).
	castTo := append(append(pbBytes(1, []byte("to")), pbVarint(3, tFloat)...), pbVarint(20, 2)...)
	// The initializer "one": int64 [1] = {1}.
	one := append(append(append(pbVarint(1, 1), pbVarint(2, tInt64)...), pbVarint(7, 1)...), pbBytes(8, []byte("one"))...)

	var graph []byte
	graph = append(graph, pbBytes(1, node("Cast", []string{"k"}, "kf", castTo))...)
	graph = append(graph, pbBytes(1, node("Mul", []string{"x", "kf"}, "y"))...)
	graph = append(graph, pbBytes(1, node("Add", []string{"k", "one"}, "k1"))...)
	graph = append(graph, pbBytes(2, []byte("slate_test"))...)
	graph = append(graph, pbBytes(5, one)...)
	graph = append(graph, pbBytes(11, value("x", tFloat, dim(0, "batch"), dim(3, "")))...)
	graph = append(graph, pbBytes(11, value("k", tInt64))...)
	graph = append(graph, pbBytes(12, value("y", tFloat, dim(0, "batch"), dim(3, "")))...)
	graph = append(graph, pbBytes(12, value("k1", tInt64, dim(1, "")))...)

	var model []byte
	model = append(model, pbVarint(1, 8)...)                                          // ir_version
	model = append(model, pbBytes(2, []byte("slate"))...)                             // producer_name
	model = append(model, pbBytes(7, graph)...)                                       // graph
	model = append(model, pbBytes(8, append(pbBytes(1, nil), pbVarint(2, 17)...))...) // opset_import: ai.onnx 17
	return model
}

func pbVarint(field int, v uint64) []byte {
	b := binary.AppendUvarint(nil, uint64(field)<<3)
	return binary.AppendUvarint(b, v)
}

func pbBytes(field int, v []byte) []byte {
	b := binary.AppendUvarint(nil, uint64(field)<<3|2)
	b = binary.AppendUvarint(b, uint64(len(v)))
	return append(b, v...)
}

// testSession loads the generated model.
func testSession(t *testing.T, opts SessionOptions) *Session {
	t.Helper()
	rt, err := Load(library(t))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "model.onnx")
	if err := os.WriteFile(path, onnxModel(), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := NewSession(rt, path, opts)
	if err != nil {
		t.Fatalf("NewSession(%s) = %v", path, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestSessionReadsNamesFromTheModel(t *testing.T) {
	s := testSession(t, SessionOptions{Threads: 1})
	wantIn := []TensorInfo{{"x", Float32, []int64{-1, 3}}, {"k", Int64, []int64{}}}
	wantOut := []TensorInfo{{"y", Float32, []int64{-1, 3}}, {"k1", Int64, []int64{1}}}
	same := func(a, b []TensorInfo) bool {
		return slices.EqualFunc(a, b, func(x, y TensorInfo) bool {
			return x.Name == y.Name && x.Type == y.Type && slices.Equal(x.Shape, y.Shape)
		})
	}
	if got := s.Inputs(); !same(got, wantIn) {
		t.Errorf("Inputs() = %v, want %v", got, wantIn)
	}
	if got := s.Outputs(); !same(got, wantOut) {
		t.Errorf("Outputs() = %v, want %v", got, wantOut)
	}
}

func TestSessionRun(t *testing.T) {
	s := testSession(t, SessionOptions{Provider: CPU, Threads: 1})
	x, err := NewFloat32Tensor([]int64{2, 3}, []float32{1, 2, 3, 4, 5, 6})
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	k, err := NewInt64Tensor(nil, []int64{3})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()

	for step := range 2 {
		out, err := s.Run(context.Background(), []*Tensor{x, k})
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
		y, err := out[0].Float32s()
		if err != nil {
			t.Fatal(err)
		}
		k1, err := out[1].Int64s()
		if err != nil {
			t.Fatal(err)
		}
		base := float32(1 + step*10)
		want := []float32{3 * base, 6, 9, 12, 15, 18}
		if !slices.Equal(y, want) || !slices.Equal(out[0].Shape(), []int64{2, 3}) {
			t.Errorf("step %d: y = %v %v, want %v [2 3]", step, y, out[0].Shape(), want)
		}
		if !slices.Equal(k1, []int64{4}) || out[1].Type() != Int64 {
			t.Errorf("step %d: k1 = %v (%s), want [4] int64", step, k1, out[1].Type())
		}
		if _, err := out[1].Float32s(); err == nil {
			t.Error("Float32s() on an int64 tensor succeeded")
		}
		for _, o := range out {
			o.Close()
		}
		// Inputs are read in place: the next run sees the change.
		data, _ := x.Float32s()
		data[0] = 11
	}
}

func TestSessionRunRefusesMismatchedInputs(t *testing.T) {
	s := testSession(t, SessionOptions{})
	mk := func(tt *Tensor, err error) *Tensor {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { tt.Close() })
		return tt
	}
	x := mk(NewFloat32Tensor([]int64{1, 3}, []float32{1, 2, 3}))
	x4 := mk(NewFloat32Tensor([]int64{1, 4}, []float32{1, 2, 3, 4}))
	xi := mk(NewInt64Tensor([]int64{1, 3}, []int64{1, 2, 3}))
	k := mk(NewInt64Tensor(nil, []int64{2}))
	k1 := mk(NewInt64Tensor([]int64{1}, []int64{2}))
	closed := mk(NewInt64Tensor(nil, []int64{2}))
	closed.Close()
	tests := []struct {
		name   string
		inputs []*Tensor
		want   string
	}{
		{"too few", []*Tensor{x}, "got 1 inputs, the model takes 2"},
		{"wrong type", []*Tensor{xi, k}, "input x: got int64, the model takes float32"},
		{"wrong fixed dimension", []*Tensor{x4, k}, "input x: got shape [1 4], the model takes [-1 3]"},
		{"wrong rank", []*Tensor{x, k1}, "input k: got shape [1], the model takes []"},
		{"nil", []*Tensor{x, nil}, "input k: no tensor"},
		{"closed", []*Tensor{x, closed}, "input k: no tensor"},
	}
	for _, tt := range tests {
		out, err := s.Run(context.Background(), tt.inputs)
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "model.onnx") {
			t.Errorf("%s: Run = %v, %v; want an error naming the model and containing %q", tt.name, out, err, tt.want)
		}
	}
}

func TestSessionRunCancelled(t *testing.T) {
	s := testSession(t, SessionOptions{})
	x, _ := NewFloat32Tensor([]int64{1, 3}, []float32{1, 2, 3})
	defer x.Close()
	k, _ := NewInt64Tensor(nil, []int64{2})
	defer k.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Run(ctx, []*Tensor{x, k}); !errors.Is(err, context.Canceled) {
		t.Errorf("Run(cancelled) = %v, want context.Canceled", err)
	}
	// A live, cancellable context goes through ONNX Runtime's run options.
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	out, err := s.Run(ctx, []*Tensor{x, k})
	if err != nil {
		t.Fatalf("Run(live ctx) = %v", err)
	}
	for _, o := range out {
		o.Close()
	}
	s.Close()
	s.Close()
	if _, err := s.Run(context.Background(), []*Tensor{x, k}); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("Run after Close = %v, want an error saying the session is closed", err)
	}
}

func TestNewSessionErrors(t *testing.T) {
	rt, err := Load(library(t))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.onnx")
	os.WriteFile(junk, []byte("not a model"), 0o644)
	good := filepath.Join(dir, "model.onnx")
	os.WriteFile(good, onnxModel(), 0o644)
	tests := []struct {
		name string
		rt   *Runtime
		path string
		opts SessionOptions
		want string
	}{
		{"no runtime", nil, good, SessionOptions{}, "call ml.Load first"},
		{"missing", rt, filepath.Join(dir, "nope.onnx"), SessionOptions{}, "nope.onnx: no such file"},
		{"folder", rt, dir, SessionOptions{}, "is a folder"},
		{"not a model", rt, junk, SessionOptions{}, "not a model ONNX Runtime"},
		{"unknown provider", rt, good, SessionOptions{Provider: "TPU"}, `execution provider "TPU" is unknown`},
		{"negative threads", rt, good, SessionOptions{Threads: -1}, "threads -1"},
	}
	for _, tt := range tests {
		s, err := NewSession(tt.rt, tt.path, tt.opts)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: NewSession = %v, %v; want an error containing %q", tt.name, s, err, tt.want)
			s.Close()
		}
	}
}

func TestNewTensorChecksShape(t *testing.T) {
	if _, err := Load(library(t)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		shape []int64
		n     int
		ok    bool
	}{
		{[]int64{2, 3}, 6, true},
		{nil, 1, true},
		{[]int64{2, 3}, 5, false},
		{[]int64{2, -3}, 6, false},
		{nil, 0, false},
		{[]int64{math.MaxInt64, 4}, 1, false},
	}
	for _, tt := range tests {
		tensor, err := NewFloat32Tensor(tt.shape, make([]float32, tt.n))
		if (err == nil) != tt.ok {
			t.Errorf("NewFloat32Tensor(%v, %d elements) = %v, want ok %v", tt.shape, tt.n, err, tt.ok)
		}
		tensor.Close()
	}
}
