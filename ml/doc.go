// Package ml is Slate's side of ONNX Runtime: finding and loading the
// shared library, learning which execution providers it offers, and
// running models in sessions on float32 and int64 tensors. Everything in
// Slate that runs a model goes through it; model packs build on it.
//
// ONNX Runtime is not linked into Slate: the library is opened at run time
// (scripts/setup.sh installs it), so a studio without it still runs, and
// reports the on-device backend unavailable with a message that says how
// to install it.
package ml
