// Package ml is Slate's side of ONNX Runtime: finding and loading the
// shared library, learning which execution providers it offers, and
// running models in sessions on float32 and int64 tensors. Everything in
// Slate that runs a model goes through it; model packs build on it.
//
// ONNX Runtime is not linked into Slate: the library is opened at run time
// (scripts/setup.sh installs it), so a studio without it still runs, and
// reports the on-device backend unavailable with a message that says how
// to install it.
//
// Tensors hold float32, int64 or float16 (as IEEE half bits, converted by
// HalfBits and HalfValue). A session runs on the provider asked for, or
// with Auto on the best one that loads the model, in the order CUDA,
// CoreML, DirectML, CPU. FreeMemory says how much RAM or GPU memory is
// free for a planner to compare with. Package ml/pack installs and checks
// model packs; ml/mltest builds ONNX models in Go for tests.
package ml
