package vad

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// fixHint says how to get the model; every error about a missing model
// ends with it.
const fixHint = "run `make run` (or scripts/setup.sh) to install it, or set SLATE_VAD_MODEL to the path of silero_vad.onnx"

// ErrModelNotFound is wrapped by the error FindModel returns when the
// model is in none of the places it looks.
var ErrModelNotFound = errors.New("the Silero VAD model is not installed")

// FindModel finds silero_vad.onnx: at $SLATE_VAD_MODEL, which must exist
// when it is set, or else where set-up installs it (see InstallPath). When
// there is none, the error wraps ErrModelNotFound and says how to install
// it.
func FindModel() (string, error) {
	return find(os.Getenv, os.UserHomeDir, isFile)
}

// InstallPath is where scripts/setup.sh installs the model:
// ${XDG_DATA_HOME:-$HOME/.local/share}/slate/models/silero-vad/silero_vad.onnx,
// the same as setup.sh's vad_path.
func InstallPath() (string, error) {
	return installPath(os.Getenv, os.UserHomeDir)
}

func installPath(getenv func(string) string, home func() (string, error)) (string, error) {
	// Like setup.sh's ${XDG_DATA_HOME:-...}: an empty value counts as unset.
	data := getenv("XDG_DATA_HOME")
	if data == "" {
		h, err := home()
		if err != nil {
			return "", fmt.Errorf("find the Silero VAD model's install folder: %w", err)
		}
		data = filepath.Join(h, ".local", "share")
	}
	return filepath.Join(data, "slate", "models", "silero-vad", "silero_vad.onnx"), nil
}

func find(getenv func(string) string, home func() (string, error), isFile func(string) bool) (string, error) {
	if p := getenv("SLATE_VAD_MODEL"); p != "" {
		if !isFile(p) {
			return "", fmt.Errorf("SLATE_VAD_MODEL=%s: no such file; set it to the path of silero_vad.onnx, or unset it to use the model set-up installs", p)
		}
		return p, nil
	}
	p, err := installPath(getenv, home)
	if err != nil {
		return "", err
	}
	if !isFile(p) {
		return "", fmt.Errorf("%w (looked for %s): %s", ErrModelNotFound, p, fixHint)
	}
	return p, nil
}

func isFile(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir()
}
