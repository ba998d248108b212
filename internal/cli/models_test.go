package cli

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/ml"
	"github.com/slatestudio/slate/render/onnx"
)

const tinyPack = "../../render/onnx/testdata/tinypack"

func models(t *testing.T, env modelsEnv, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := modelsMain(context.Background(), args, &out, &errOut, env)
	return code, out.String(), errOut.String()
}

func TestModelsCommands(t *testing.T) {
	home := t.TempDir()
	env := modelsEnv{dataDir: func() (string, error) { return home, nil }}

	code, out, _ := models(t, env, "list")
	if code != 0 || !strings.Contains(out, "no model packs installed") {
		t.Errorf("list with none = %d %q", code, out)
	}
	code, out, errOut := models(t, env, "install", tinyPack)
	if code != 0 || !strings.Contains(out, "installed tinypack (slate-tiny-t2v, 30 kB, licence CC0-1.0)") {
		t.Fatalf("install = %d %q %q", code, out, errOut)
	}
	if !strings.Contains(errOut, "tokenizer/tokenizer.json … copying") || !strings.Contains(errOut, "total … done") {
		t.Errorf("install progress = %q, want a line per file and the total", errOut)
	}
	if _, err := os.Stat(filepath.Join(home, "models", "tinypack", "manifest.json")); err != nil {
		t.Errorf("the pack is not in $SLATE_HOME/models: %v", err)
	}
	code, out, _ = models(t, env, "list")
	if code != 0 || !strings.Contains(out, "NAME") || !strings.Contains(out, "tinypack  slate-tiny-t2v  CC0-1.0  30 kB") {
		t.Errorf("list = %d\n%s", code, out)
	}
	code, out, _ = models(t, env, "verify")
	if code != 0 || !strings.Contains(out, "ok  tinypack: every file matches its sha256") {
		t.Errorf("verify = %d %q", code, out)
	}
	os.WriteFile(filepath.Join(home, "models", "tinypack", "vae_decoder", "model.onnx"), bytes.Repeat([]byte("x"), 1270), 0o644)
	code, _, errOut = models(t, env, "verify", "tinypack")
	if code != 1 || !strings.Contains(errOut, "vae_decoder/model.onnx: sha256") {
		t.Errorf("verify damaged = %d %q", code, errOut)
	}
	code, out, _ = models(t, env, "remove", "tinypack")
	if code != 0 || out != "removed tinypack\n" {
		t.Errorf("remove = %d %q", code, out)
	}
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{nil, 2, "say what to do"},
		{[]string{"fetch"}, 2, `unknown command "fetch"`},
		{[]string{"install"}, 2, "slate models install PATH|URL"},
		{[]string{"remove", "a", "b"}, 2, "give one pack name"},
		{[]string{"remove", "nope"}, 1, `no model pack "nope" is installed`},
		{[]string{"install", t.TempDir()}, 1, "manifest.json: no such file"},
	} {
		code, _, errOut := models(t, env, tt.args...)
		if code != tt.code || !strings.Contains(errOut, tt.want) {
			t.Errorf("models %q = %d %q, want %d and %q", tt.args, code, errOut, tt.code, tt.want)
		}
	}
}

func TestModelsInstallFromURL(t *testing.T) {
	srv := httptest.NewServer(http.FileServer(http.Dir(tinyPack)))
	defer srv.Close()
	home := t.TempDir()
	env := modelsEnv{dataDir: func() (string, error) { return home, nil }, client: srv.Client()}
	code, out, errOut := models(t, env, "install", srv.URL+"/manifest.json")
	if code != 0 || !strings.Contains(out, "installed tinypack") || !strings.Contains(errOut, "downloading") {
		t.Errorf("install URL = %d %q %q", code, out, errOut)
	}
}

func TestOpenONNX(t *testing.T) {
	home := t.TempDir()
	dataDir := func() (string, error) { return home, nil }
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	_, err := openONNX(media.FindTools(), dataDir, getenv)
	if !errors.Is(err, onnx.ErrNoPack) || !strings.Contains(err.Error(), "slate models install PATH|URL") {
		t.Errorf("openONNX with no pack = %v", err)
	}
	_, _, ortErr := ml.FindLibrary()
	requireDeps(t, ortErr)
	if code, _, errOut := models(t, modelsEnv{dataDir: dataDir}, "install", tinyPack); code != 0 {
		t.Fatal(errOut)
	}
	env["SLATE_ORT_PROVIDER"] = "CPU"
	b, err := openONNX(media.FindTools(), dataDir, getenv)
	if err != nil || b.Name() != "onnx" {
		t.Fatalf("openONNX = %v, %v", b, err)
	}
	b.(*onnx.Backend).Close()
	env["SLATE_MODEL_PACK"] = "other"
	if _, err := openONNX(media.FindTools(), dataDir, getenv); err == nil || !strings.Contains(err.Error(), `no model pack "other" is installed`) {
		t.Errorf("openONNX(other) = %v", err)
	}
	env["SLATE_MODEL_PACK"], env["SLATE_ORT_PROVIDER"] = "", "TPU"
	if _, err := openONNX(media.FindTools(), dataDir, getenv); err == nil || !strings.Contains(err.Error(), `"TPU" is unknown`) {
		t.Errorf("openONNX(TPU) = %v", err)
	}
}
