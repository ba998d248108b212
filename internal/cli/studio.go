package cli

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/slatestudio/slate/ml/pack"
	"github.com/slatestudio/slate/voices"
)

// OnDevice says where the onnx backend would render with the model packs
// in the data folder dir, such as "CPU, with ONNX Runtime 1.24.3 (it
// offers CPU)", or why it cannot: what the studio's Models window shows.
func OnDevice(dir string) (string, error) {
	store := pack.NewStore(filepath.Join(dir, "models"), nil)
	env := defaultDoctorEnv()
	path, _, err := env.findORT()
	if err != nil {
		return "", err
	}
	rt, err := env.loadORT(path)
	if err != nil {
		return "", err
	}
	on, err := env.provider(store)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s, with ONNX Runtime %s (it offers %s)", on, rt.Version(), strings.Join(rt.Providers(), ", ")), nil
}

// InstallVoice checks the Piper voice model (its .onnx.json beside it) and
// copies it into dir, as "slate voices install" does. Without ONNX
// Runtime the model is checked when it first speaks.
func InstallVoice(model, dir string) (voices.Installed, error) {
	rt, _ := defaultVoicesEnv().runtime()
	return voices.Install(rt, model, dir)
}
