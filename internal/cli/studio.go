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
// with ONNX Runtime 1.24.3 (it offers CUDA, CPU)", or why it cannot: the
// detail behind what the studio's Models window shows (OnDeviceWhere).
// It resolves the pack and the provider as renders do (onnx.Resolve),
// with the choice read through getenv.
func OnDevice(dir string, getenv func(string) string) (string, error) {
	w, err := OnDeviceWhere(dir, getenv)
	return w.Detail, err
}

// Who chose the execution provider, in Where.ChosenBy.
const (
	ChosenBest    = "best"    // the best the library offers
	ChosenPack    = "pack"    // the pack's manifest
	ChosenSetting = "setting" // the person, through SLATE_ORT_PROVIDER
)

// Where is where the onnx backend would render, told apart so that the
// studio can say it in a filmmaker's words.
type Where struct {
	// Provider is the execution provider, as ONNX Runtime names it.
	Provider string
	// ChosenBy says who chose it: ChosenBest, ChosenPack or ChosenSetting.
	ChosenBy string
	// Detail is OnDevice's sentence, for those who want the workings.
	Detail string
}

// OnDeviceWhere is OnDevice with the provider and who chose it apart.
func OnDeviceWhere(dir string, getenv func(string) string) (Where, error) {
	store := pack.NewStore(filepath.Join(dir, "models"), nil)
	var rt *ml.Runtime
	choice := onnx.ChoiceFromEnv(getenv)
	res, err := onnx.Resolve(store, choice, func() ([]string, error) {
		var err error
		rt, err = defaultVoicesEnv().runtime()
		if err != nil {
			return nil, err
		}
		return rt.Providers(), nil
	})
	if err != nil {
		return Where{}, err
	}
	// As onnx.Resolve chooses: the person's choice, else the manifest's.
	by, want := ChosenSetting, choice.Provider
	if want == "" {
		by, want = ChosenPack, res.Pack.Manifest.Provider
	}
	if want == "" || strings.EqualFold(want, ml.Auto) {
		by = ChosenBest
	}
	return Where{
		Provider: res.Provider, ChosenBy: by,
		Detail: fmt.Sprintf("%s (%s), with ONNX Runtime %s (it offers %s)", res.Provider, res.Why, rt.Version(), strings.Join(rt.Providers(), ", ")),
	}, nil
}

// InstallVoice checks the Piper voice model (its .onnx.json beside it) and
// copies it into dir, as "slate voices install" does. Without ONNX
// Runtime the model is checked when it first speaks.
func InstallVoice(model, dir string) (voices.Installed, error) {
	rt, _ := defaultVoicesEnv().runtime()
	return voices.Install(rt, model, dir)
}
