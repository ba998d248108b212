package ml

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// library returns the installed ONNX Runtime library, skipping the test
// when there is none, or failing it when SLATE_REQUIRE_DEPS=1 (as CI sets).
func library(t *testing.T) string {
	t.Helper()
	path, _, err := FindLibrary()
	if err != nil {
		if os.Getenv("SLATE_REQUIRE_DEPS") == "1" {
			t.Fatalf("SLATE_REQUIRE_DEPS=1: %v", err)
		}
		t.Skip(err)
	}
	return path
}

func TestLoad(t *testing.T) {
	path := library(t)
	rt, err := Load(path)
	if err != nil {
		t.Fatalf("Load(%s) = %v", path, err)
	}
	if ok, err := atLeast(rt.Version(), MinVersion); !ok || err != nil {
		t.Errorf("Version() = %q, want %s or newer", rt.Version(), MinVersion)
	}
	if install, _ := InstallPath(); path == install && !strings.HasPrefix(rt.Version(), ORTVersion) {
		t.Errorf("Version() = %q for set-up's library, want %s", rt.Version(), ORTVersion)
	}
	if abs, _ := filepath.Abs(path); rt.Path() != abs {
		t.Errorf("Path() = %q, want %q", rt.Path(), abs)
	}
	providers := rt.Providers()
	if len(providers) == 0 || providers[len(providers)-1] != CPU {
		t.Errorf("Providers() = %q, want a list ending with CPU", providers)
	}
	if rt.Preferred() != providers[0] {
		t.Errorf("Preferred() = %q, want the first of %q", rt.Preferred(), providers)
	}
	t.Logf("ONNX Runtime %s at %s; providers %q, preferred %s", rt.Version(), rt.Path(), providers, rt.Preferred())

	// Loading the same library again, by any name, is fine.
	again, err := Load(path)
	if err != nil || again != rt {
		t.Errorf("second Load(%s) = %p, %v; want the same Runtime %p", path, again, err, rt)
	}
	link := filepath.Join(t.TempDir(), "libonnxruntime.so.1")
	if err := os.Symlink(rt.Path(), link); err != nil {
		t.Fatal(err)
	}
	if viaLink, err := Load(link); err != nil || viaLink != rt {
		t.Errorf("Load(symlink to %s) = %p, %v; want the same Runtime %p", path, viaLink, err, rt)
	}

	// A second, different library cannot join it.
	other := filepath.Join(t.TempDir(), "libonnxruntime.so.1")
	if err := os.WriteFile(other, []byte("another library"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Load(other)
	if err == nil || !strings.Contains(err.Error(), "already loaded it from "+rt.Path()) {
		t.Errorf("Load(%s) after Load(%s) = %v, want an error naming the loaded library", other, path, err)
	}
}

func TestLoadRefusesWhatIsNotALibrary(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "libonnxruntime.so.1")
	if err := os.WriteFile(text, []byte("this is a text file, not a library\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path, want string
	}{
		{"text file", text, "is not a shared library this system can load"},
		{"missing file", filepath.Join(dir, "missing.so"), "no such file"},
		{"folder", dir, "is a folder"},
		{"empty path", "", "no library path given"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A fresh environment: these must fail before any library is
			// loaded, whatever other tests loaded into the process.
			var e environment
			rt, err := e.load(tt.path)
			if err == nil {
				t.Fatalf("load(%q) = %v, want an error", tt.path, rt)
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), fixHint) {
				t.Errorf("load(%q) error %q, want it to say %q and how to fix it", tt.path, err, tt.want)
			}
			if e.rt != nil {
				t.Errorf("load(%q) failed but kept a Runtime", tt.path)
			}
		})
	}
}

func TestLoadRefusesAnotherSharedLibrary(t *testing.T) {
	var lib string
	for _, p := range []string{"/lib/x86_64-linux-gnu/libm.so.6", "/usr/lib/x86_64-linux-gnu/libm.so.6", "/lib/aarch64-linux-gnu/libm.so.6", "/usr/lib/libSystem.B.dylib"} {
		if _, err := os.Stat(p); err == nil {
			lib = p
			break
		}
	}
	if lib == "" {
		t.Skip("no well-known shared library to try")
	}
	var e environment
	_, err := e.load(lib)
	if err == nil || !strings.Contains(err.Error(), "not ONNX Runtime") {
		t.Errorf("load(%s) = %v, want an error saying it is not ONNX Runtime", lib, err)
	}
}

var versionTests = []struct {
	version string
	ok      bool
	bad     bool
}{
	{"1.24.3", true, false},
	{"1.24.0", true, false},
	{"1.24", true, false},
	{"1.25.0-dev", true, false},
	{"1.100.1", true, false},
	{"2.0.0", true, false},
	{"1.23.2", false, false},
	{"1.9.0", false, false},
	{"0.99", false, false},
	{"", false, true},
	{"v1.24", false, true},
	{"1..24", false, true},
	{"1.-24", false, true},
}

func TestAtLeast(t *testing.T) {
	for _, tt := range versionTests {
		ok, err := atLeast(tt.version, MinVersion)
		if ok != tt.ok || (err != nil) != tt.bad {
			t.Errorf("atLeast(%q, %q) = %v, %v; want %v, error %v", tt.version, MinVersion, ok, err, tt.ok, tt.bad)
		}
	}
}

func FuzzAtLeast(f *testing.F) {
	for _, tt := range versionTests {
		f.Add(tt.version)
	}
	f.Fuzz(func(t *testing.T, v string) {
		ok, err := atLeast(v, MinVersion)
		if err != nil && ok {
			t.Fatalf("atLeast(%q) = true with error %v", v, err)
		}
		if err == nil {
			if self, _ := atLeast(v, v); !self {
				t.Fatalf("atLeast(%q, %q) = false, want every version at least itself", v, v)
			}
		}
	})
}

func TestTooOldMessage(t *testing.T) {
	err := checkVersion("/opt/ort/libonnxruntime.so.1", "1.20.1")
	want := "ONNX Runtime at /opt/ort/libonnxruntime.so.1 is version 1.20.1; Slate needs 1.24 or newer: " + fixHint
	if err == nil || err.Error() != want {
		t.Errorf("checkVersion(1.20.1) = %v\nwant %s", err, want)
	}
	if err := checkVersion("/x", ORTVersion); err != nil {
		t.Errorf("checkVersion(%s) = %v, want nil", ORTVersion, err)
	}
}

func TestSystemLocations(t *testing.T) {
	dirs, names := systemLocations("darwin", "arm64")
	if !slices.Equal(names, []string{"libonnxruntime.dylib"}) || !slices.Contains(dirs, "/usr/local/lib") {
		t.Errorf("systemLocations(darwin) = %q, %q", dirs, names)
	}
	dirs, _ = systemLocations("linux", "arm64")
	if dirs[0] != "/usr/lib/aarch64-linux-gnu" {
		t.Errorf("systemLocations(linux, arm64) dirs = %q, want the multiarch folder first", dirs)
	}
}

// ChooseProvider matches a name against those offered without regard to
// case, takes the best for auto, and refuses the rest with a
// ProviderError that says whether the name is one Slate knows.
func TestChooseProviderOffered(t *testing.T) {
	offered := []string{CUDA, CPU}
	tests := []struct {
		want, got string
		known     string // for a refusal
		refused   bool
	}{
		{"", CUDA, "", false},
		{"Auto", CUDA, "", false},
		{"cpu", CPU, "", false},
		{"CUDA", CUDA, "", false},
		{"directml", "", DirectML, true},
		{"TPU", "", "", true},
	}
	for _, tt := range tests {
		got, err := ChooseProvider(offered, tt.want)
		var pe *ProviderError
		if tt.refused {
			if !errors.As(err, &pe) || pe.Known != tt.known || pe.Want != tt.want || !slices.Equal(pe.Offered, offered) {
				t.Errorf("ChooseProvider(%q) = %q, %v; want a ProviderError (known %q)", tt.want, got, err, tt.known)
			}
			continue
		}
		if err != nil || got != tt.got {
			t.Errorf("ChooseProvider(%q) = %q, %v, want %s", tt.want, got, err, tt.got)
		}
	}
}
