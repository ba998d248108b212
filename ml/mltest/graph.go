// Package mltest builds ONNX models in Go, for tests and for the generated
// test model packs: a Graph collects inputs, initializers (weights), nodes
// and outputs and writes the ONNX protobuf by hand. It needs no Python and
// no protobuf library, so tests make the models they run on the spot, and
// a generator can write the same bytes again from the same seed.
//
// It writes only what ONNX Runtime needs to load a graph: no doc strings,
// no shape inference, no checks beyond what the builder's types enforce.
// ONNX Runtime itself checks a graph when a session loads it.
package mltest

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
)

// DataType is an ONNX TensorProto element type.
type DataType int

// The element types the builder writes.
const (
	Float   DataType = 1
	Int64   DataType = 7
	Float16 DataType = 10
)

// Dim is one dimension of a declared input or output: a fixed size, or a
// free one named by Param.
type Dim struct {
	Value int64
	Param string
}

// D is a fixed dimension.
func D(v int64) Dim { return Dim{Value: v} }

// Sym is a free dimension called name ("batch", "frames").
func Sym(name string) Dim { return Dim{Param: name} }

// Attr is a node attribute; build one with AttrInt, AttrInts, AttrFloat
// or AttrString.
type Attr []byte

// AttrInt is an integer attribute.
func AttrInt(name string, v int64) Attr {
	b := pbString(1, name)
	b = append(b, pbVarint(3, uint64(v))...)
	return append(b, pbVarint(20, 2)...)
}

// AttrInts is a list-of-integers attribute.
func AttrInts(name string, vs ...int64) Attr {
	b := pbString(1, name)
	for _, v := range vs {
		b = append(b, pbVarint(8, uint64(v))...)
	}
	return append(b, pbVarint(20, 7)...)
}

// AttrFloat is a float attribute.
func AttrFloat(name string, v float32) Attr {
	b := pbString(1, name)
	b = append(b, pbFixed32(2, math.Float32bits(v))...)
	return append(b, pbVarint(20, 1)...)
}

// AttrString is a string attribute.
func AttrString(name, v string) Attr {
	b := pbString(1, name)
	b = append(b, pbString(4, v)...)
	return append(b, pbVarint(20, 3)...)
}

// Graph is an ONNX graph under construction. Names it makes up for
// intermediate values are unique within it.
type Graph struct {
	name                  string
	nodes, inits          [][]byte
	inputs, outputs       [][]byte
	count                 int
	initBytes, paramCount int64
}

// NewGraph starts a graph called name.
func NewGraph(name string) *Graph { return &Graph{name: name} }

// Input declares a graph input and returns its name.
func (g *Graph) Input(name string, typ DataType, dims ...Dim) string {
	g.inputs = append(g.inputs, valueInfo(name, typ, dims))
	return name
}

// Output declares value (a name some node produces) as a graph output.
// When value differs from name an Identity node renames it.
func (g *Graph) Output(value, name string, typ DataType, dims ...Dim) {
	if value != name {
		g.Node("Identity", []string{value}, []string{name})
	}
	g.outputs = append(g.outputs, valueInfo(name, typ, dims))
}

// Weights adds a float32 initializer of the given shape and returns its
// name.
func (g *Graph) Weights(shape []int64, data []float32) string {
	raw := make([]byte, 4*len(data))
	for i, f := range data {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(f))
	}
	return g.initializer(Float, shape, raw, int64(len(data)))
}

// Ints adds an int64 initializer of the given shape and returns its name.
func (g *Graph) Ints(shape []int64, data ...int64) string {
	raw := make([]byte, 8*len(data))
	for i, v := range data {
		binary.LittleEndian.PutUint64(raw[8*i:], uint64(v))
	}
	return g.initializer(Int64, shape, raw, 0)
}

// Scalar adds a rank-0 float32 initializer.
func (g *Graph) Scalar(v float32) string { return g.Weights(nil, []float32{v}) }

func (g *Graph) initializer(typ DataType, shape []int64, raw []byte, params int64) string {
	name := g.fresh("w")
	var b []byte
	for _, d := range shape {
		b = append(b, pbVarint(1, uint64(d))...)
	}
	b = append(b, pbVarint(2, uint64(typ))...)
	b = append(b, pbString(8, name)...)
	b = append(b, pbBytes(9, raw)...)
	g.inits = append(g.inits, b)
	g.initBytes += int64(len(raw))
	g.paramCount += params
	return name
}

// Node adds a node with explicit output names.
func (g *Graph) Node(op string, inputs, outputs []string, attrs ...Attr) {
	var b []byte
	for _, in := range inputs {
		b = append(b, pbString(1, in)...)
	}
	for _, out := range outputs {
		b = append(b, pbString(2, out)...)
	}
	b = append(b, pbString(3, g.fresh(op))...)
	b = append(b, pbString(4, op)...)
	for _, a := range attrs {
		b = append(b, pbBytes(5, a)...)
	}
	g.nodes = append(g.nodes, b)
}

// Op adds a node with one output and returns the output's name. An empty
// input name stands for an optional input left out.
func (g *Graph) Op(op string, inputs []string, attrs ...Attr) string {
	out := g.fresh(op + "_out")
	g.Node(op, inputs, []string{out}, attrs...)
	return out
}

// Params is the number of float weights added so far.
func (g *Graph) Params() int64 { return g.paramCount }

func (g *Graph) fresh(prefix string) string {
	g.count++
	return fmt.Sprintf("%s_%d", prefix, g.count)
}

// Model writes the graph as an ONNX model (IR version 8) for the default
// operator set at version opset.
func (g *Graph) Model(opset int) []byte {
	var graph []byte
	for _, n := range g.nodes {
		graph = append(graph, pbBytes(1, n)...)
	}
	graph = append(graph, pbString(2, g.name)...)
	for _, in := range g.inits {
		graph = append(graph, pbBytes(5, in)...)
	}
	for _, in := range g.inputs {
		graph = append(graph, pbBytes(11, in)...)
	}
	for _, out := range g.outputs {
		graph = append(graph, pbBytes(12, out)...)
	}
	var m []byte
	m = append(m, pbVarint(1, 8)...)       // ir_version
	m = append(m, pbString(2, "slate")...) // producer_name
	m = append(m, pbBytes(7, graph)...)    // graph
	opsetID := append(pbString(1, ""), pbVarint(2, uint64(opset))...)
	return append(m, pbBytes(8, opsetID)...) // opset_import
}

func valueInfo(name string, typ DataType, dims []Dim) []byte {
	var shape []byte
	for _, d := range dims {
		if d.Param != "" {
			shape = append(shape, pbBytes(1, pbString(2, d.Param))...)
		} else {
			shape = append(shape, pbBytes(1, pbVarint(1, uint64(d.Value)))...)
		}
	}
	tensor := append(pbVarint(1, uint64(typ)), pbBytes(2, shape)...)
	return append(pbString(1, name), pbBytes(2, pbBytes(1, tensor))...)
}

func pbVarint(field int, v uint64) []byte {
	b := binary.AppendUvarint(nil, uint64(field)<<3)
	return binary.AppendUvarint(b, v)
}

func pbFixed32(field int, v uint32) []byte {
	b := binary.AppendUvarint(nil, uint64(field)<<3|5)
	return binary.LittleEndian.AppendUint32(b, v)
}

func pbBytes(field int, v []byte) []byte {
	b := binary.AppendUvarint(nil, uint64(field)<<3|2)
	b = binary.AppendUvarint(b, uint64(len(v)))
	return append(b, v...)
}

func pbString(field int, s string) []byte { return pbBytes(field, []byte(s)) }

// Normal returns n weights drawn from a normal distribution of the given
// standard deviation by r, for random-weight models that a seed makes
// again exactly.
func Normal(r *rand.Rand, n int, std float64) []float32 {
	w := make([]float32, n)
	for i := range w {
		w[i] = float32(r.NormFloat64() * std)
	}
	return w
}
