package ml

import (
	"errors"
	"fmt"
	"slices"

	ort "github.com/yalue/onnxruntime_go"
)

// ElementType is the kind of number a tensor holds.
type ElementType string

// The element types Slate's models use. A model input or output of any
// other type is reported as Other followed by ONNX Runtime's name for it,
// and Run refuses it.
const (
	Float32 ElementType = "float32"
	Int64   ElementType = "int64"
	Other   ElementType = "other"
)

func elementType(t ort.TensorElementDataType) ElementType {
	switch t {
	case ort.TensorElementDataTypeFloat:
		return Float32
	case ort.TensorElementDataTypeInt64:
		return Int64
	}
	return Other + ElementType(":"+t.String())
}

// Tensor is an n-dimensional array of float32 or int64 that a Session reads
// or writes. Its data lives in Go memory that ONNX Runtime reads in place,
// so changing the slice from Float32s or Int64s changes what the next Run
// sees; that lets a model with recurrent state reuse its tensors from one
// step to the next. Close releases it; a Tensor is not safe for concurrent
// use.
type Tensor struct {
	value ort.Value
	typ   ElementType
	shape []int64
}

// NewFloat32Tensor returns a tensor of the given shape backed by data,
// which must hold exactly as many elements as the shape. An empty shape
// makes a scalar (data holds one element). It needs a loaded Runtime.
func NewFloat32Tensor(shape []int64, data []float32) (*Tensor, error) {
	return newTensor(Float32, shape, data)
}

// NewInt64Tensor is NewFloat32Tensor for int64 elements.
func NewInt64Tensor(shape []int64, data []int64) (*Tensor, error) {
	return newTensor(Int64, shape, data)
}

func newTensor[T float32 | int64](typ ElementType, shape []int64, data []T) (*Tensor, error) {
	if !ort.IsInitialized() {
		return nil, fmt.Errorf("new %s tensor: ONNX Runtime is not loaded (call ml.Load first)", typ)
	}
	n, err := elements(shape)
	if err != nil {
		return nil, fmt.Errorf("new %s tensor: %w", typ, err)
	}
	if int64(len(data)) != n {
		return nil, fmt.Errorf("new %s tensor: shape %v holds %d elements, but %d were given", typ, shape, n, len(data))
	}
	var v ort.Value
	if len(shape) == 0 {
		// onnxruntime_go makes rank-0 tensors through a separate type.
		v, err = ort.NewScalar(data[0])
	} else {
		v, err = ort.NewTensor(ort.NewShape(shape...), data)
	}
	if err != nil {
		return nil, fmt.Errorf("new %s tensor %v: %w", typ, shape, err)
	}
	return &Tensor{value: v, typ: typ, shape: slices.Clone(shape)}, nil
}

// elements is the number of elements a shape holds, refusing negative
// dimensions and sizes that overflow.
func elements(shape []int64) (int64, error) {
	n := int64(1)
	for i, d := range shape {
		if d < 0 {
			return 0, fmt.Errorf("shape %v: dimension %d is negative", shape, i)
		}
		if d != 0 && n > (1<<62)/d {
			return 0, fmt.Errorf("shape %v is too large", shape)
		}
		n *= d
	}
	return n, nil
}

// wrapOutput adopts a value ONNX Runtime allocated for an output.
func wrapOutput(v ort.Value) (*Tensor, error) {
	switch t := v.(type) {
	case *ort.Tensor[float32]:
		return &Tensor{value: v, typ: Float32, shape: []int64(t.GetShape())}, nil
	case *ort.Tensor[int64]:
		return &Tensor{value: v, typ: Int64, shape: []int64(t.GetShape())}, nil
	}
	err := fmt.Errorf("the model produced a %s of element type %v; Slate reads only float32 and int64 tensors", v.GetONNXType(), ort.TensorElementDataType(v.DataType()))
	v.Destroy()
	return nil, err
}

// Type is the tensor's element type.
func (t *Tensor) Type() ElementType { return t.typ }

// Shape is the tensor's dimensions; empty for a scalar.
func (t *Tensor) Shape() []int64 { return slices.Clone(t.shape) }

// errClosed is returned by the accessors of a closed tensor.
var errClosed = errors.New("tensor is closed")

// Float32s returns the tensor's elements, in row-major order, sharing its
// memory. It fails if the tensor holds another type.
func (t *Tensor) Float32s() ([]float32, error) {
	switch v := t.value.(type) {
	case *ort.Tensor[float32]:
		return v.GetData(), nil
	case *ort.Scalar[float32]:
		return scalarData(v), nil
	case nil:
		return nil, errClosed
	}
	return nil, fmt.Errorf("tensor holds %s, not float32", t.typ)
}

// Int64s is Float32s for int64 tensors.
func (t *Tensor) Int64s() ([]int64, error) {
	switch v := t.value.(type) {
	case *ort.Tensor[int64]:
		return v.GetData(), nil
	case *ort.Scalar[int64]:
		return scalarData(v), nil
	case nil:
		return nil, errClosed
	}
	return nil, fmt.Errorf("tensor holds %s, not int64", t.typ)
}

// scalarData copies a scalar's value out: onnxruntime_go does not expose a
// scalar's backing slice, so unlike a tensor's, changing it has no effect.
func scalarData[T float32 | int64](s *ort.Scalar[T]) []T {
	return []T{s.GetData()}
}

// Close releases the tensor's ONNX Runtime value. Closing twice is
// harmless.
func (t *Tensor) Close() error {
	if t == nil || t.value == nil {
		return nil
	}
	err := t.value.Destroy()
	t.value = nil
	return err
}
