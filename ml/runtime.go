package ml

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	ort "github.com/yalue/onnxruntime_go"
)

// Execution providers, as Providers and Preferred name them.
const (
	CUDA     = "CUDA"
	CoreML   = "CoreML"
	DirectML = "DirectML"
	CPU      = "CPU"
	// Auto, as SessionOptions.Provider, picks the best provider that loads
	// the model; as an argument to Choose, the preferred one.
	Auto = "auto"
)

// Runtime is the loaded ONNX Runtime library. There is at most one per
// process; Load returns the same Runtime every time.
type Runtime struct {
	path    string
	file    os.FileInfo // to recognise the same library under another path
	version string

	once      sync.Once
	providers []string
}

// environment is the process's ONNX Runtime. onnxruntime_go keeps the
// library handle and its environment in package variables, so there can be
// one per process; this is the one piece of package-level state in ml, and
// mu serialises every change to it.
type environment struct {
	mu sync.Mutex
	rt *Runtime
}

var env environment

// Load opens the ONNX Runtime shared library at path and initialises it.
// Loading the same library again returns the same Runtime; asking for a
// different one once a library is loaded is an error, since a process can
// have only one. A missing file, a file that is not a shared library and a
// library older than MinVersion are refused with an error that says so and
// how to fix it, before onnxruntime_go's global state is touched.
func Load(path string) (*Runtime, error) {
	return env.load(path)
}

func (e *environment) load(path string) (*Runtime, error) {
	if path == "" {
		return nil, errors.New("load ONNX Runtime: no library path given; " + fixHint)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("load ONNX Runtime from %s: %w", path, err)
	}
	fi, statErr := os.Stat(abs)

	e.mu.Lock()
	defer e.mu.Unlock()
	if e.rt != nil {
		if statErr == nil && os.SameFile(fi, e.rt.file) {
			return e.rt, nil
		}
		return nil, fmt.Errorf("load ONNX Runtime from %s: this process already loaded it from %s, and can hold only one", abs, e.rt.path)
	}
	switch {
	case errors.Is(statErr, os.ErrNotExist):
		return nil, fmt.Errorf("load ONNX Runtime: %s: no such file; %s", abs, fixHint)
	case statErr != nil:
		return nil, fmt.Errorf("load ONNX Runtime: %w", statErr)
	case fi.IsDir():
		return nil, fmt.Errorf("load ONNX Runtime: %s is a folder, not the library file; %s", abs, fixHint)
	}

	// Read the version with a separate dlopen first: onnxruntime_go cannot
	// say why a library failed to initialise, and once it has failed it has
	// already unloaded the library its version string lives in.
	v, err := libraryVersion(abs)
	if err != nil {
		return nil, err
	}
	if v != "" {
		if err := checkVersion(abs, v); err != nil {
			return nil, err
		}
	}
	if err := initialize(abs); err != nil {
		return nil, fmt.Errorf("load ONNX Runtime from %s: %w", abs, err)
	}
	v = ort.GetVersion()
	if err := checkVersion(abs, v); err != nil {
		ort.DestroyEnvironment()
		return nil, err
	}
	e.rt = &Runtime{path: abs, file: fi, version: v}
	return e.rt, nil
}

// initialize runs onnxruntime_go's set-up, turning a panic into an error.
func initialize(path string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("initialise: %v", r)
		}
	}()
	ort.SetSharedLibraryPath(path)
	if err := ort.InitializeEnvironment(); err != nil {
		return fmt.Errorf("initialise: %w", err)
	}
	return nil
}

// checkVersion refuses a library older than MinVersion.
func checkVersion(path, version string) error {
	ok, err := atLeast(version, MinVersion)
	if err != nil {
		return fmt.Errorf("ONNX Runtime at %s reports version %q, which Slate cannot read; Slate needs %s or newer: %s", path, version, MinVersion, fixHint)
	}
	if !ok {
		return fmt.Errorf("ONNX Runtime at %s is version %s; Slate needs %s or newer: %s", path, version, MinVersion, fixHint)
	}
	return nil
}

// atLeast reports whether version (such as "1.24.3" or "1.25.0-dev") is
// oldest ("1.24") or newer, comparing numerically part by part.
func atLeast(version, oldest string) (bool, error) {
	have, err := versionParts(version)
	if err != nil {
		return false, err
	}
	want, err := versionParts(oldest)
	if err != nil {
		return false, err
	}
	for i, w := range want {
		h := 0
		if i < len(have) {
			h = have[i]
		}
		if h != w {
			return h > w, nil
		}
	}
	return true, nil
}

func versionParts(v string) ([]int, error) {
	core, _, _ := strings.Cut(v, "-") // drop a pre-release or build suffix
	fields := strings.Split(core, ".")
	parts := make([]int, len(fields))
	for i, f := range fields {
		n, err := strconv.Atoi(f)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("version %q is not dotted numbers", v)
		}
		parts[i] = n
	}
	return parts, nil
}

// Version is the library's version, such as "1.24.3".
func (r *Runtime) Version() string { return r.version }

// Path is the absolute path the library was loaded from.
func (r *Runtime) Path() string { return r.path }

// Providers lists the execution providers this library can use, best
// first, always ending with CPU. onnxruntime_go has no call that lists
// them, so each is tried on a throw-away SessionOptions: a provider the
// library was not built with refuses to be added. A listed GPU provider
// may still fail to start a session on a machine without that hardware.
// The answer is worked out once and kept.
func (r *Runtime) Providers() []string {
	r.once.Do(func() { r.providers = probeProviders(runtime.GOOS, filepath.Dir(r.path)) })
	return slices.Clone(r.providers)
}

// Preferred is the provider Slate uses by default: the first of CUDA,
// CoreML, DirectML and CPU that the library offers.
func (r *Runtime) Preferred() string {
	return r.Providers()[0]
}

// Choose resolves a provider asked for by a user or a model pack against
// the ones this library offers: ChooseProvider(r.Providers(), want).
func (r *Runtime) Choose(want string) (string, error) {
	return ChooseProvider(r.Providers(), want)
}

// ChooseProvider resolves a provider asked for by a user or a model pack
// against those a library offers, best first: empty or Auto gives the
// first; a name must be one offered (matched without regard to case, so
// "cuda" will do). Any other is refused with a *ProviderError.
func ChooseProvider(offered []string, want string) (string, error) {
	if want == "" || strings.EqualFold(want, Auto) {
		if len(offered) == 0 {
			return "", errors.New("this ONNX Runtime offers no execution provider")
		}
		return offered[0], nil
	}
	for _, p := range offered {
		if strings.EqualFold(p, want) {
			return p, nil
		}
	}
	e := &ProviderError{Want: want, Offered: slices.Clone(offered)}
	for _, known := range []string{CUDA, CoreML, DirectML, CPU} {
		if strings.EqualFold(known, want) {
			e.Known = known
		}
	}
	return "", e
}

// ProviderError is ChooseProvider's refusal of a provider: one Slate
// knows that this library does not offer, or one nobody knows.
type ProviderError struct {
	// Want is the provider as it was asked for.
	Want string
	// Known is its proper name when it is one Slate knows (CUDA, CoreML,
	// DirectML or CPU), and empty when it is unknown.
	Known string
	// Offered are the providers the library offers, best first.
	Offered []string
}

func (e *ProviderError) Error() string {
	if e.Known != "" {
		return fmt.Sprintf("execution provider %s is not available here: this ONNX Runtime offers %s", e.Known, strings.Join(e.Offered, ", "))
	}
	return fmt.Sprintf("execution provider %q is unknown; choose one of %s, or auto", e.Want, strings.Join(e.Offered, ", "))
}

// probeProviders tries each provider that can exist on goos, in order of
// preference. dir is the library's folder: builds with CUDA keep its
// provider library beside the main one, so without that file CUDA is not
// tried at all.
func probeProviders(goos, dir string) []string {
	// A provider that fails to load logs an error through the environment's
	// logger; here failing is an answer, not a problem to print.
	ort.SetEnvironmentLogLevel(ort.LoggingLevelFatal)
	defer ort.SetEnvironmentLogLevel(ort.LoggingLevelError) // onnxruntime_go's default
	cudaLib := "libonnxruntime_providers_cuda.so"
	if goos == "windows" {
		cudaLib = "onnxruntime_providers_cuda.dll"
	}
	probes := []struct {
		name string
		on   []string
		add  func(o *ort.SessionOptions) error
	}{
		{CUDA, []string{"linux", "windows"}, func(o *ort.SessionOptions) error {
			if !isFile(filepath.Join(dir, cudaLib)) {
				return errors.New("no CUDA provider library")
			}
			cuda, err := ort.NewCUDAProviderOptions()
			if err != nil {
				return err
			}
			defer cuda.Destroy()
			return o.AppendExecutionProviderCUDA(cuda)
		}},
		{CoreML, []string{"darwin"}, func(o *ort.SessionOptions) error {
			return o.AppendExecutionProviderCoreMLV2(nil)
		}},
		{DirectML, []string{"windows"}, func(o *ort.SessionOptions) error {
			return o.AppendExecutionProviderDirectML(0)
		}},
	}
	var out []string
	for _, p := range probes {
		if slices.Contains(p.on, goos) && tryProvider(p.add) {
			out = append(out, p.name)
		}
	}
	return append(out, CPU)
}

func tryProvider(add func(o *ort.SessionOptions) error) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	o, err := ort.NewSessionOptions()
	if err != nil {
		return false
	}
	defer o.Destroy()
	return add(o) == nil
}
