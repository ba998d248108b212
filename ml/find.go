package ml

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// ORTVersion is the ONNX Runtime release that set-up installs. It must
// equal ort_version in scripts/setup.sh, since it is part of the install
// path (a test checks).
const ORTVersion = "1.24.3"

// MinVersion is the oldest ONNX Runtime Slate can use: onnxruntime_go asks
// the library for C API version 24.
const MinVersion = "1.24"

// fixHint says how to get a usable library; every error about a missing
// or unusable library ends with it.
const fixHint = "run `make run` (or scripts/setup.sh) to install it, or set SLATE_ORT_LIB to the path of libonnxruntime.so.1"

// ErrNotFound is wrapped by the error FindLibrary returns when there is no
// ONNX Runtime library in any of the places it looks.
var ErrNotFound = errors.New("ONNX Runtime library not found")

// FindLibrary finds the ONNX Runtime shared library, looking in order at
//
//   - $SLATE_ORT_LIB, which must exist when it is set;
//   - where set-up installs it (see InstallPath);
//   - the system library folders.
//
// It returns the first that exists and every path it tried, in order. When
// there is none, the error wraps ErrNotFound and says how to install one.
func FindLibrary() (path string, tried []string, err error) {
	return systemSearch().find()
}

// InstallPath is where scripts/setup.sh installs the library:
// ${XDG_DATA_HOME:-$HOME/.local/share}/slate/runtime/onnxruntime-VERSION/libonnxruntime.so.1,
// the same as setup.sh's ort_path.
func InstallPath() (string, error) {
	return systemSearch().installPath()
}

// search is where FindLibrary looks, with the environment and file system
// behind functions so tests can choose them.
type search struct {
	getenv     func(string) string
	home       func() (string, error)
	isFile     func(string) bool
	systemDirs []string
	names      []string
}

func systemSearch() search {
	dirs, names := systemLocations(runtime.GOOS, runtime.GOARCH)
	return search{getenv: os.Getenv, home: os.UserHomeDir, isFile: isFile, systemDirs: dirs, names: names}
}

// systemLocations are the folders and file names a system-wide ONNX Runtime
// has on each platform.
func systemLocations(goos, goarch string) (dirs, names []string) {
	switch goos {
	case "darwin":
		return []string{"/opt/homebrew/lib", "/usr/local/lib", "/usr/lib"}, []string{"libonnxruntime.dylib"}
	case "windows":
		return nil, nil
	}
	multiarch := map[string]string{"amd64": "x86_64-linux-gnu", "arm64": "aarch64-linux-gnu"}[goarch]
	if multiarch != "" {
		dirs = append(dirs, "/usr/lib/"+multiarch)
	}
	dirs = append(dirs, "/usr/local/lib", "/usr/lib")
	return dirs, []string{"libonnxruntime.so.1", "libonnxruntime.so"}
}

func isFile(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir()
}

func (s search) installPath() (string, error) {
	// Like setup.sh's ${XDG_DATA_HOME:-...}: an empty value counts as unset.
	data := s.getenv("XDG_DATA_HOME")
	if data == "" {
		home, err := s.home()
		if err != nil {
			return "", fmt.Errorf("find the ONNX Runtime install folder: %w", err)
		}
		data = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(data, "slate", "runtime", "onnxruntime-"+ORTVersion, "libonnxruntime.so.1"), nil
}

func (s search) find() (string, []string, error) {
	if p := s.getenv("SLATE_ORT_LIB"); p != "" {
		if !s.isFile(p) {
			return "", []string{p}, fmt.Errorf("SLATE_ORT_LIB=%s: no such file; set it to the path of libonnxruntime.so.1, or unset it to use the library set-up installs", p)
		}
		return p, []string{p}, nil
	}
	var tried []string
	if p, err := s.installPath(); err == nil {
		tried = append(tried, p)
	}
	for _, d := range s.systemDirs {
		for _, n := range s.names {
			tried = append(tried, filepath.Join(d, n))
		}
	}
	for _, p := range tried {
		if s.isFile(p) {
			return p, tried, nil
		}
	}
	// The folders are enough to say where it looked, and keep the line short.
	var dirs []string
	for _, p := range tried {
		if d := filepath.Dir(p); len(dirs) == 0 || dirs[len(dirs)-1] != d {
			dirs = append(dirs, d)
		}
	}
	where := ""
	if len(dirs) > 0 {
		where = " (looked in " + strings.Join(dirs, ", ") + ")"
	}
	return "", tried, fmt.Errorf("%w%s: %s", ErrNotFound, where, fixHint)
}
