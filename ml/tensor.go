package ml

import (
	"errors"
	"fmt"
	"slices"
	"unsafe"

	ort "github.com/yalue/onnxruntime_go"
)

// ElementType is the kind of number a tensor holds.
type ElementType string

// The element types Slate's models use. A model input or output of any
// other type is reported as Other followed by ONNX Runtime's name for it,
// and Run refuses it.
const (
	Float32 ElementType = "float32"
	// Float16 is IEEE half precision, held as its 16 bits (see HalfBits
	// and HalfValue): Go has no half type.
	Float16 ElementType = "float16"
	Int64   ElementType = "int64"
	Other   ElementType = "other"
)

func elementType(t ort.TensorElementDataType) ElementType {
	switch t {
	case ort.TensorElementDataTypeFloat:
		return Float32
	case ort.TensorElementDataTypeFloat16:
		return Float16
	case ort.TensorElementDataTypeInt64:
		return Int64
	}
	return Other + ElementType(":"+t.String())
}

// Tensor is an n-dimensional array of float32, float16 or int64 that a
// Session reads or writes. Its data lives in Go memory that ONNX Runtime
// reads in place, so changing the slice from Float32s, Float16s or Int64s
// changes what the next Run sees; that lets a model with recurrent state
// reuse its tensors from one step to the next. Close releases it; a Tensor
// is not safe for concurrent use.
type Tensor struct {
	value ort.Value
	typ   ElementType
	shape []int64
	// half is a float16 tensor's data as halves: the same memory as the
	// custom-data tensor's bytes.
	half []uint16
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

// NewFloat16Tensor is NewFloat32Tensor for float16 elements, given as
// their IEEE half bits. onnxruntime_go has no half type, so the tensor is
// built from the bytes of data ("custom data"), which it shares. It cannot
// make a rank-0 float16 tensor: onnxruntime_go refuses custom data without
// dimensions, so a scalar must have shape [1] or come from a model that
// takes float32.
func NewFloat16Tensor(shape []int64, data []uint16) (*Tensor, error) {
	if !ort.IsInitialized() {
		return nil, fmt.Errorf("new %s tensor: ONNX Runtime is not loaded (call ml.Load first)", Float16)
	}
	n, err := elements(shape)
	if err != nil {
		return nil, fmt.Errorf("new %s tensor: %w", Float16, err)
	}
	if int64(len(data)) != n {
		return nil, fmt.Errorf("new %s tensor: shape %v holds %d elements, but %d were given", Float16, shape, n, len(data))
	}
	if len(shape) == 0 {
		return nil, fmt.Errorf("new %s tensor: onnxruntime_go cannot make a rank-0 float16 tensor; use shape [1]", Float16)
	}
	if n == 0 {
		return nil, fmt.Errorf("new %s tensor %v: onnxruntime_go cannot make an empty float16 tensor", Float16, shape)
	}
	bytes := unsafe.Slice((*byte)(unsafe.Pointer(&data[0])), 2*len(data))
	v, err := ort.NewCustomDataTensor(ort.NewShape(shape...), bytes, ort.TensorElementDataTypeFloat16)
	if err != nil {
		return nil, fmt.Errorf("new %s tensor %v: %w", Float16, shape, err)
	}
	return &Tensor{value: v, typ: Float16, shape: slices.Clone(shape), half: data}, nil
}

// NewTensor returns a zero-filled tensor of the given type and shape: an
// output for Session.RunInto, or an input to fill in place.
func NewTensor(typ ElementType, shape []int64) (*Tensor, error) {
	n, err := elements(shape)
	if err != nil {
		return nil, fmt.Errorf("new %s tensor: %w", typ, err)
	}
	switch typ {
	case Float32:
		return NewFloat32Tensor(shape, make([]float32, n))
	case Float16:
		return NewFloat16Tensor(shape, make([]uint16, n))
	case Int64:
		return NewInt64Tensor(shape, make([]int64, n))
	}
	return nil, fmt.Errorf("new tensor: element type %s is not one Slate handles (float32, float16, int64)", typ)
}

// NewFloatTensor returns a tensor of float type typ (Float32 or Float16)
// holding data, converted to halves for Float16. It lets a caller feed a
// model whichever float type the model declares. For Float32 the tensor
// shares data; for Float16 it holds a converted copy.
func NewFloatTensor(typ ElementType, shape []int64, data []float32) (*Tensor, error) {
	switch typ {
	case Float32:
		return NewFloat32Tensor(shape, data)
	case Float16:
		return NewFloat16Tensor(shape, ToFloat16(nil, data))
	}
	return nil, fmt.Errorf("new float tensor: %s is not a float type (float32 or float16)", typ)
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
	err := fmt.Errorf("the model produced a %s of element type %v; Slate reads only float32 and int64 tensors this way (a float16 output needs Session.RunInto)", v.GetONNXType(), ort.TensorElementDataType(v.DataType()))
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

// Float16s is Float32s for float16 tensors: the elements as IEEE half
// bits, sharing the tensor's memory.
func (t *Tensor) Float16s() ([]uint16, error) {
	switch {
	case t.value == nil:
		return nil, errClosed
	case t.typ != Float16:
		return nil, fmt.Errorf("tensor holds %s, not float16", t.typ)
	}
	return t.half, nil
}

// Floats returns the elements of a float32 or float16 tensor as float32,
// in dst when it has room. Unlike Float32s it always copies, so changing
// the result does not change the tensor.
func (t *Tensor) Floats(dst []float32) ([]float32, error) {
	switch t.typ {
	case Float32:
		f, err := t.Float32s()
		if err != nil {
			return nil, err
		}
		return append(dst[:0], f...), nil
	case Float16:
		h, err := t.Float16s()
		if err != nil {
			return nil, err
		}
		return FromFloat16(dst, h), nil
	}
	return nil, fmt.Errorf("tensor holds %s, not float32 or float16", t.typ)
}

// SetFloats writes data into a float32 or float16 tensor, converting to
// halves for float16; data must hold exactly as many elements. A scalar
// cannot be changed in place (see Float32s): make a new one.
func (t *Tensor) SetFloats(data []float32) error {
	if len(t.shape) == 0 {
		return errors.New("set tensor: a scalar cannot be changed in place; make a new one")
	}
	switch t.typ {
	case Float32:
		f, err := t.Float32s()
		if err != nil {
			return err
		}
		if len(f) != len(data) {
			return fmt.Errorf("set tensor %v: %d elements given", t.shape, len(data))
		}
		copy(f, data)
		return nil
	case Float16:
		h, err := t.Float16s()
		if err != nil {
			return err
		}
		if len(h) != len(data) {
			return fmt.Errorf("set tensor %v: %d elements given", t.shape, len(data))
		}
		ToFloat16(h, data)
		return nil
	}
	return fmt.Errorf("set tensor: it holds %s, not float32 or float16", t.typ)
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
	t.half = nil
	return err
}
