package ml

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	ort "github.com/yalue/onnxruntime_go"
)

// SessionOptions chooses how a Session runs its model.
type SessionOptions struct {
	// Provider is the execution provider: CPU (the default when empty),
	// CUDA, CoreML or DirectML; Runtime.Providers lists those the library
	// offers. Auto takes the first of them, best first, with which the
	// model loads, so a CUDA build on a machine without a usable GPU falls
	// back to the CPU; Session.Provider says which it got.
	Provider string
	// Threads caps the threads one Run uses; 0 lets ONNX Runtime choose,
	// one per core. Small models that run often, such as voice activity
	// detection, are faster on one thread than paying to wake many.
	Threads int
}

// TensorInfo describes one of a model's inputs or outputs, as the model
// itself declares it.
type TensorInfo struct {
	Name string
	Type ElementType
	// Shape has -1 where the model leaves a dimension free (a batch or a
	// length), and is empty for a scalar.
	Shape []int64
}

// String writes the info as the model declares it: "input float32[-1 512]".
func (i TensorInfo) String() string {
	return fmt.Sprintf("%s %s%v", i.Name, i.Type, i.Shape)
}

// Session is a model loaded into ONNX Runtime, ready to run. Its inputs and
// outputs, names included, are read from the model, so callers find them
// with Inputs and Outputs rather than hard-coding them. Run may be called
// from several goroutines at once (ONNX Runtime allows it); Close must not
// overlap a Run.
type Session struct {
	path            string
	provider        string
	session         *ort.DynamicAdvancedSession
	inputs, outputs []TensorInfo
}

// NewSession loads the ONNX model at modelPath into rt, which must be
// loaded (see Load).
func NewSession(rt *Runtime, modelPath string, opts SessionOptions) (*Session, error) {
	if rt == nil {
		return nil, fmt.Errorf("load model %s: no ONNX Runtime (call ml.Load first)", modelPath)
	}
	fi, err := os.Stat(modelPath)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil, fmt.Errorf("load model %s: no such file", modelPath)
	case err != nil:
		return nil, fmt.Errorf("load model: %w", err)
	case fi.IsDir():
		return nil, fmt.Errorf("load model %s: is a folder, not an .onnx file", modelPath)
	}
	if opts.Provider != Auto {
		return newSession(rt, modelPath, opts)
	}
	// Best first; CPU, last, always loads a model that ONNX Runtime can run.
	var errs []error
	for _, p := range rt.Providers() {
		opts.Provider = p
		s, err := newSession(rt, modelPath, opts)
		if err == nil {
			return s, nil
		}
		errs = append(errs, err)
	}
	return nil, errors.Join(errs...)
}

func newSession(rt *Runtime, modelPath string, opts SessionOptions) (*Session, error) {
	so, err := sessionOptions(rt, opts)
	if err != nil {
		return nil, fmt.Errorf("load model %s: %w", modelPath, err)
	}
	defer so.Destroy() // ONNX Runtime copies what it needs into the session

	ins, outs, err := ort.GetInputOutputInfoWithOptions(modelPath, so)
	if err != nil {
		return nil, fmt.Errorf("load model %s: not a model ONNX Runtime %s can open: %w", modelPath, rt.Version(), err)
	}
	provider := opts.Provider
	if provider == "" {
		provider = CPU
	}
	s := &Session{path: modelPath, provider: provider, inputs: tensorInfos(ins), outputs: tensorInfos(outs)}
	s.session, err = ort.NewDynamicAdvancedSession(modelPath, names(s.inputs), names(s.outputs), so)
	if err != nil {
		return nil, fmt.Errorf("load model %s on %s: %w", modelPath, provider, err)
	}
	return s, nil
}

func sessionOptions(rt *Runtime, opts SessionOptions) (*ort.SessionOptions, error) {
	if opts.Threads < 0 {
		return nil, fmt.Errorf("threads %d must not be negative", opts.Threads)
	}
	so, err := ort.NewSessionOptions()
	if err != nil {
		return nil, err
	}
	if err := configure(rt, so, opts); err != nil {
		so.Destroy()
		return nil, err
	}
	return so, nil
}

func configure(rt *Runtime, so *ort.SessionOptions, opts SessionOptions) error {
	if opts.Threads > 0 {
		if err := so.SetIntraOpNumThreads(opts.Threads); err != nil {
			return fmt.Errorf("threads %d: %w", opts.Threads, err)
		}
		if err := so.SetInterOpNumThreads(1); err != nil {
			return fmt.Errorf("threads %d: %w", opts.Threads, err)
		}
	}
	var err error
	switch opts.Provider {
	case "", CPU:
		return nil // ONNX Runtime always has it
	case CUDA:
		var cuda *ort.CUDAProviderOptions
		if cuda, err = ort.NewCUDAProviderOptions(); err == nil {
			err = so.AppendExecutionProviderCUDA(cuda)
			cuda.Destroy()
		}
	case CoreML:
		err = so.AppendExecutionProviderCoreMLV2(nil)
	case DirectML:
		err = so.AppendExecutionProviderDirectML(0)
	default:
		return fmt.Errorf("execution provider %q is unknown; this library offers %q", opts.Provider, rt.Providers())
	}
	if err != nil {
		return fmt.Errorf("execution provider %s is not available (this library offers %q): %w", opts.Provider, rt.Providers(), err)
	}
	return nil
}

func tensorInfos(in []ort.InputOutputInfo) []TensorInfo {
	out := make([]TensorInfo, len(in))
	for i, info := range in {
		out[i] = TensorInfo{Name: info.Name, Type: elementType(info.DataType), Shape: slices.Clone([]int64(info.Dimensions))}
		if info.OrtValueType != ort.ONNXTypeTensor {
			out[i].Type = Other + ElementType(":"+info.OrtValueType.String())
			out[i].Shape = nil
		}
	}
	return out
}

func names(infos []TensorInfo) []string {
	out := make([]string, len(infos))
	for i, info := range infos {
		out[i] = info.Name
	}
	return out
}

// Provider is the execution provider the session runs on.
func (s *Session) Provider() string { return s.provider }

// Path is the model file the session loaded.
func (s *Session) Path() string { return s.path }

// Input describes the model's input called name; ok is false when the
// model has none by that name.
func (s *Session) Input(name string) (info TensorInfo, index int, ok bool) {
	return find(s.inputs, name)
}

// Output is Input for the model's outputs.
func (s *Session) Output(name string) (info TensorInfo, index int, ok bool) {
	return find(s.outputs, name)
}

func find(infos []TensorInfo, name string) (TensorInfo, int, bool) {
	for i, info := range infos {
		if info.Name == name {
			return cloneInfos(infos[i : i+1])[0], i, true
		}
	}
	return TensorInfo{}, -1, false
}

// Inputs describes the model's inputs, in the order Run takes them.
func (s *Session) Inputs() []TensorInfo { return cloneInfos(s.inputs) }

// Outputs describes the model's outputs, in the order Run returns them.
func (s *Session) Outputs() []TensorInfo { return cloneInfos(s.outputs) }

func cloneInfos(in []TensorInfo) []TensorInfo {
	out := slices.Clone(in)
	for i := range out {
		out[i].Shape = slices.Clone(out[i].Shape)
	}
	return out
}

// Run runs the model on inputs, given in the order of Inputs, and returns
// its outputs in the order of Outputs. The caller closes the outputs. Each
// input must have the element type and rank the model declares, and its
// fixed dimensions; a mismatch is reported by name before ONNX Runtime
// sees it. Cancelling ctx stops a run in progress.
//
// ONNX Runtime allocates the outputs; onnxruntime_go cannot yet adopt a
// rank-0 output, so a model whose output is a scalar fails here.
func (s *Session) Run(ctx context.Context, inputs []*Tensor) ([]*Tensor, error) {
	if s.session == nil {
		return nil, fmt.Errorf("run model %s: the session is closed", filepath.Base(s.path))
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("run model %s: %w", filepath.Base(s.path), err)
	}
	values, err := s.check(inputs)
	if err != nil {
		return nil, fmt.Errorf("run model %s: %w", filepath.Base(s.path), err)
	}
	// nil: ONNX Runtime allocates them. onnxruntime_go copies an output
	// it allocated element by element, which is wrong for float16 (it
	// copies half the bytes), so those are allocated here, from the
	// shape the model declares.
	outputs := make([]ort.Value, len(s.outputs))
	var mine []*Tensor
	for i, o := range s.outputs {
		if o.Type != Float16 {
			continue
		}
		t, err := s.newOutput(o)
		if err != nil {
			for _, t := range mine {
				t.Close()
			}
			return nil, fmt.Errorf("run model %s: %w", filepath.Base(s.path), err)
		}
		mine = append(mine, t)
		outputs[i] = t.value
	}
	err = s.run(ctx, values, outputs)
	if err != nil {
		for _, v := range outputs {
			if v != nil {
				v.Destroy()
			}
		}
		if ctx.Err() != nil {
			err = ctx.Err() // a terminated run says only that it was terminated
		}
		return nil, fmt.Errorf("run model %s: %w", filepath.Base(s.path), err)
	}
	out := make([]*Tensor, len(outputs))
	for i, v := range outputs {
		if len(mine) > 0 && mine[0].value == v {
			out[i], mine = mine[0], mine[1:]
			continue
		}
		if out[i], err = wrapOutput(v); err != nil {
			for _, t := range out[:i] {
				t.Close()
			}
			for _, v := range outputs[i+1:] {
				v.Destroy()
			}
			return nil, fmt.Errorf("run model %s: output %s: %w", filepath.Base(s.path), s.outputs[i].Name, err)
		}
	}
	return out, nil
}

// newOutput allocates a float16 output from its declared shape.
func (s *Session) newOutput(o TensorInfo) (*Tensor, error) {
	if slices.ContainsFunc(o.Shape, func(d int64) bool { return d < 0 }) {
		return nil, fmt.Errorf("output %s is float16 with free dimensions %v; onnxruntime_go cannot read a float16 output ONNX Runtime allocates, so give one of the right shape to RunInto", o.Name, o.Shape)
	}
	return NewTensor(Float16, o.Shape)
}

// RunInto is Run with outputs the caller allocated (see NewTensor), in the
// order of Outputs; ONNX Runtime writes into them. Reusing outputs from
// one run to the next saves allocating and copying them, and it is the
// only way to read a float16 output whose shape the model leaves free.
// Each output must have the type the model declares, its rank and its
// fixed dimensions.
func (s *Session) RunInto(ctx context.Context, inputs, outputs []*Tensor) error {
	if s.session == nil {
		return fmt.Errorf("run model %s: the session is closed", filepath.Base(s.path))
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("run model %s: %w", filepath.Base(s.path), err)
	}
	values, err := s.check(inputs)
	if err != nil {
		return fmt.Errorf("run model %s: %w", filepath.Base(s.path), err)
	}
	if len(outputs) != len(s.outputs) {
		return fmt.Errorf("run model %s: got %d outputs, the model gives %d (%v)", filepath.Base(s.path), len(outputs), len(s.outputs), s.outputs)
	}
	outs := make([]ort.Value, len(outputs))
	for i, t := range outputs {
		want := s.outputs[i]
		switch {
		case t == nil || t.value == nil:
			return fmt.Errorf("run model %s: output %s: no tensor (nil or closed)", filepath.Base(s.path), want.Name)
		case t.typ != want.Type:
			return fmt.Errorf("run model %s: output %s: got %s, the model gives %s", filepath.Base(s.path), want.Name, t.typ, want.Type)
		case !shapeFits(t.shape, want.Shape):
			return fmt.Errorf("run model %s: output %s: got shape %v, the model gives %v (-1 is free)", filepath.Base(s.path), want.Name, t.shape, want.Shape)
		}
		outs[i] = t.value
	}
	if err := s.run(ctx, values, outs); err != nil {
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return fmt.Errorf("run model %s: %w", filepath.Base(s.path), err)
	}
	return nil
}

// run runs the session, terminating it from another goroutine if ctx ends
// meanwhile. A context that can never end costs nothing extra.
func (s *Session) run(ctx context.Context, inputs, outputs []ort.Value) error {
	if ctx.Done() == nil {
		return s.session.Run(inputs, outputs)
	}
	ro, err := ort.NewRunOptions()
	if err != nil {
		return err
	}
	terminated := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		ro.Terminate()
		close(terminated)
	})
	err = s.session.RunWithOptions(inputs, outputs, ro)
	if !stop() {
		<-terminated // Terminate may still be using ro
	}
	ro.Destroy()
	return err
}

// check matches inputs against the model's declared inputs.
func (s *Session) check(inputs []*Tensor) ([]ort.Value, error) {
	if len(inputs) != len(s.inputs) {
		return nil, fmt.Errorf("got %d inputs, the model takes %d (%v)", len(inputs), len(s.inputs), s.inputs)
	}
	values := make([]ort.Value, len(inputs))
	for i, t := range inputs {
		want := s.inputs[i]
		switch {
		case t == nil || t.value == nil:
			return nil, fmt.Errorf("input %s: no tensor (nil or closed)", want.Name)
		case t.typ != want.Type:
			return nil, fmt.Errorf("input %s: got %s, the model takes %s", want.Name, t.typ, want.Type)
		case !shapeFits(t.shape, want.Shape):
			return nil, fmt.Errorf("input %s: got shape %v, the model takes %v (-1 is free)", want.Name, t.shape, want.Shape)
		}
		values[i] = t.value
	}
	return values, nil
}

// shapeFits reports whether a tensor's shape matches a declared one, where
// a negative declared dimension matches any size.
func shapeFits(got, want []int64) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if want[i] >= 0 && got[i] != want[i] {
			return false
		}
	}
	return true
}

// Close releases the session. Closing twice is harmless.
func (s *Session) Close() error {
	if s == nil || s.session == nil {
		return nil
	}
	err := s.session.Destroy()
	s.session = nil
	return err
}
