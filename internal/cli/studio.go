package cli

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/slatestudio/slate/ml"
	"github.com/slatestudio/slate/ml/pack"
	"github.com/slatestudio/slate/render/onnx"
	"github.com/slatestudio/slate/voices"
)

// OnDevice says where the onnx backend would render with the model packs
// in the data folder dir, such as "CPU (chosen by the pack's manifest),
// with ONNX Runtime 1.24.3 (it offers CUDA, CPU)", or why it cannot:
// what the studio's Models window shows. It resolves the pack and the
// provider as renders do (onnx.Resolve), with the choice read through
// getenv.
func OnDevice(dir string, getenv func(string) string) (string, error) {
	store := pack.NewStore(filepath.Join(dir, "models"), nil)
	var rt *ml.Runtime
	res, err := onnx.Resolve(store, onnx.ChoiceFromEnv(getenv), func() ([]string, error) {
		var err error
		rt, err = defaultVoicesEnv().runtime()
		if err != nil {
			return nil, err
		}
		return rt.Providers(), nil
	})
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s (%s), with ONNX Runtime %s (it offers %s)", res.Provider, res.Why, rt.Version(), strings.Join(rt.Providers(), ", ")), nil
}

// InstallVoice checks the Piper voice model (its .onnx.json beside it) and
// copies it into dir, as "slate voices install" does. Without ONNX
// Runtime the model is checked when it first speaks.
func InstallVoice(model, dir string) (voices.Installed, error) {
	rt, _ := defaultVoicesEnv().runtime()
	return voices.Install(rt, model, dir)
}
