// Package local opens the backends that render on this machine, the
// animatic and the on-device models, by name. The slate command, the
// studio and slate-server's render workers all register them here, so a
// shot renders alike wherever it is rendered, and a backend that cannot
// open says the same thing in each.
package local

import (
	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/ml/pack"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/render/animatic"
	"github.com/slatestudio/slate/render/onnx"
)

// Register adds "animatic" and "onnx" to reg. The on-device backend
// renders with the model packs in the folder models returns (asked only
// when it opens), on the pack and execution provider SLATE_MODEL_PACK and
// SLATE_ORT_PROVIDER choose, read through getenv.
func Register(reg *render.Registry, tools media.Tools, models func() (string, error), getenv func(string) string) {
	reg.Register(animatic.Name, func() (render.Backend, error) {
		b, err := animatic.New(tools)
		if err != nil {
			return nil, err
		}
		return b, nil
	})
	reg.Register(onnx.Name, func() (render.Backend, error) {
		return OpenONNX(tools, models, getenv)
	})
}

// OpenONNX opens the on-device backend on the installed pack that
// SLATE_MODEL_PACK names (or the only one) in the folder models returns,
// on the execution provider SLATE_ORT_PROVIDER names (or the pack's, or
// the best available). Every failure says what to install or choose.
func OpenONNX(tools media.Tools, models func() (string, error), getenv func(string) string) (render.Backend, error) {
	dir, err := models()
	if err != nil {
		return nil, err
	}
	c := onnx.ChoiceFromEnv(getenv)
	b, err := onnx.OpenInstalled(tools, pack.NewStore(dir, nil), c.Pack, onnx.Options{Provider: c.Provider})
	if err != nil {
		return nil, err
	}
	return b, nil
}
