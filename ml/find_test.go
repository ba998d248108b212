package ml

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// fakeSearch looks in a made-up file system: env and files are all there is.
func fakeSearch(env map[string]string, files ...string) search {
	dirs, names := systemLocations("linux", "amd64")
	return search{
		getenv:     func(k string) string { return env[k] },
		home:       func() (string, error) { return "/home/ana", nil },
		isFile:     func(p string) bool { return slices.Contains(files, p) },
		systemDirs: dirs,
		names:      names,
	}
}

const installed = "/home/ana/.local/share/slate/runtime/onnxruntime-" + ORTVersion + "/libonnxruntime.so.1"

func TestFindLibraryOrder(t *testing.T) {
	tests := []struct {
		name  string
		env   map[string]string
		files []string
		want  string
	}{
		{"SLATE_ORT_LIB first", map[string]string{"SLATE_ORT_LIB": "/opt/ort/libonnxruntime.so.1"},
			[]string{"/opt/ort/libonnxruntime.so.1", installed, "/usr/lib/libonnxruntime.so.1"}, "/opt/ort/libonnxruntime.so.1"},
		{"set-up's install before the system", nil,
			[]string{installed, "/usr/lib/x86_64-linux-gnu/libonnxruntime.so.1"}, installed},
		{"XDG_DATA_HOME moves the install", map[string]string{"XDG_DATA_HOME": "/data"},
			[]string{installed, "/data/slate/runtime/onnxruntime-" + ORTVersion + "/libonnxruntime.so.1"},
			"/data/slate/runtime/onnxruntime-" + ORTVersion + "/libonnxruntime.so.1"},
		{"empty XDG_DATA_HOME counts as unset", map[string]string{"XDG_DATA_HOME": ""}, []string{installed}, installed},
		{"multiarch folder first", nil,
			[]string{"/usr/lib/libonnxruntime.so.1", "/usr/lib/x86_64-linux-gnu/libonnxruntime.so.1"}, "/usr/lib/x86_64-linux-gnu/libonnxruntime.so.1"},
		{"versioned name before the dev link", nil,
			[]string{"/usr/local/lib/libonnxruntime.so", "/usr/local/lib/libonnxruntime.so.1"}, "/usr/local/lib/libonnxruntime.so.1"},
		{"dev link alone", nil, []string{"/usr/lib/libonnxruntime.so"}, "/usr/lib/libonnxruntime.so"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, tried, err := fakeSearch(tt.env, tt.files...).find()
			if err != nil || got != tt.want {
				t.Fatalf("find() = %q, %v, want %q", got, err, tt.want)
			}
			if len(tried) == 0 || !slices.Contains(tried, got) {
				t.Errorf("find() tried %q, which does not include the answer %q", tried, got)
			}
		})
	}
}

func TestFindLibraryNotFound(t *testing.T) {
	_, tried, err := fakeSearch(nil).find()
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("find() with no library: err = %v, want ErrNotFound", err)
	}
	for _, want := range []string{
		"run `make run` (or scripts/setup.sh) to install it, or set SLATE_ORT_LIB to the path of libonnxruntime.so.1",
		filepath.Dir(installed), "/usr/lib/x86_64-linux-gnu",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("find() error %q does not contain %q", err, want)
		}
	}
	wantTried := []string{installed,
		"/usr/lib/x86_64-linux-gnu/libonnxruntime.so.1", "/usr/lib/x86_64-linux-gnu/libonnxruntime.so",
		"/usr/local/lib/libonnxruntime.so.1", "/usr/local/lib/libonnxruntime.so",
		"/usr/lib/libonnxruntime.so.1", "/usr/lib/libonnxruntime.so"}
	if !slices.Equal(tried, wantTried) {
		t.Errorf("find() tried\n%q\nwant\n%q", tried, wantTried)
	}
}

func TestFindLibraryBogusEnv(t *testing.T) {
	bogus := filepath.Join(t.TempDir(), "nope", "libonnxruntime.so.1")
	t.Setenv("SLATE_ORT_LIB", bogus)
	path, tried, err := FindLibrary()
	if err == nil {
		t.Fatalf("FindLibrary() with SLATE_ORT_LIB=%s = %q, want an error", bogus, path)
	}
	if want := "SLATE_ORT_LIB=" + bogus + ": no such file"; !strings.Contains(err.Error(), want) {
		t.Errorf("FindLibrary() error %q does not contain %q", err, want)
	}
	if !slices.Equal(tried, []string{bogus}) {
		t.Errorf("FindLibrary() tried %q, want only %q: a bad SLATE_ORT_LIB must not fall back silently", tried, bogus)
	}
	// A folder is not a library either.
	t.Setenv("SLATE_ORT_LIB", t.TempDir())
	if _, _, err := FindLibrary(); err == nil {
		t.Error("FindLibrary() with SLATE_ORT_LIB set to a folder succeeded, want an error")
	}
}

// TestInstallPathMatchesSetup keeps InstallPath and scripts/setup.sh's
// ort_path in step: the studio must look where set-up installs.
func TestInstallPathMatchesSetup(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash not found")
	}
	home := t.TempDir()
	for _, xdg := range []string{"", filepath.Join(home, "xdg")} {
		t.Setenv("HOME", home)
		t.Setenv("XDG_DATA_HOME", xdg)
		cmd := exec.Command("bash", "../scripts/setup.sh", "--print-ort-path")
		cmd.Env = append(os.Environ(), "HOME="+home, "XDG_DATA_HOME="+xdg)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("setup.sh --print-ort-path: %v", err)
		}
		want := strings.TrimSpace(string(out))
		got, err := InstallPath()
		if err != nil || got != want {
			t.Errorf("XDG_DATA_HOME=%q: InstallPath() = %q, %v; setup.sh --print-ort-path = %q", xdg, got, err, want)
		}
	}
}
