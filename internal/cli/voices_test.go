package cli

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slatestudio/slate/ml"
	"github.com/slatestudio/slate/voices"
)

func voicesRun(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := voicesEnv{
		dataDir: func() (string, error) { return dir, nil },
		runtime: func() (*ml.Runtime, error) { return nil, errors.New("no ONNX Runtime in this test") },
	}
	code := voicesMain(args, &out, &errb, env)
	return code, out.String(), errb.String()
}

func TestVoicesListAndInstall(t *testing.T) {
	t.Setenv(voices.EnvDirs, "")
	dir := t.TempDir()
	if code, out, _ := voicesRun(t, dir, "list"); code != 0 || !strings.Contains(out, "No Piper voices installed") || !strings.Contains(out, filepath.Join(dir, "voices")) {
		t.Errorf("list with none: %d %q", code, out)
	}
	code, out, errs := voicesRun(t, dir, "install", "../../voices/testdata/tiny.onnx")
	if code != 0 || !strings.Contains(out, "Installed piper:tiny (en_US, 22050 Hz)") || !strings.Contains(errs, "not checked") {
		t.Errorf("install: %d %q %q", code, out, errs)
	}
	if code, _, errs := voicesRun(t, dir, "install", "../../voices/testdata/tiny.onnx"); code != 1 || !strings.Contains(errs, "already installed") {
		t.Errorf("install again: %d %q", code, errs)
	}
	os.WriteFile(filepath.Join(dir, "voices", "orphan.onnx"), []byte("x"), 0o644)
	code, out, errs = voicesRun(t, dir, "list")
	model := filepath.Join(dir, "voices", "tiny.onnx")
	if code != 0 || !strings.Contains(out, "VOICE") || !strings.Contains(out, "piper:tiny") || !strings.Contains(out, "en_US") ||
		!strings.Contains(out, "22050 Hz") || !strings.Contains(out, model) || !strings.Contains(errs, "orphan.onnx.json: no such file") {
		t.Errorf("list: %d\n%s\n%s", code, out, errs)
	}
}

func TestVoicesUsage(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{{}, {"dance"}, {"install"}, {"install", "--force"}, {"list", "extra"}} {
		if code, _, errs := voicesRun(t, dir, args...); code != 2 || errs == "" {
			t.Errorf("slate voices %q = %d, %q; want 2 and a message", args, code, errs)
		}
	}
	if code, _, errs := voicesRun(t, dir, "install", "nowhere.onnx"); code != 1 || !strings.Contains(errs, "nowhere.onnx.json") {
		t.Errorf("install of a missing file = %d, %q", code, errs)
	}
}
