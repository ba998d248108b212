package voices

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/slatestudio/slate/internal/userfile/userfiletest"
)

func TestDirs(t *testing.T) {
	t.Setenv(EnvDirs, strings.Join([]string{"/a", "", "/b"}, string(os.PathListSeparator)))
	if got, want := Dirs("/data"), []string{"/a", "/b", filepath.Join("/data", "voices")}; !reflect.DeepEqual(got, want) {
		t.Errorf("Dirs(/data) = %q, want %q", got, want)
	}
	t.Setenv(EnvDirs, "")
	if got := Dirs(""); len(got) != 0 {
		t.Errorf("Dirs(\"\") with no %s = %q, want none", EnvDirs, got)
	}
}

func TestListAndFind(t *testing.T) {
	first, second := t.TempDir(), t.TempDir()
	nested := copyVoice(t, "tiny", filepath.Join(first, "en", "en_US", "tiny", "x_low"), "en_US-tiny-x_low")
	copyVoice(t, "tiny-duo", first, "duo")
	copyVoice(t, "tiny", second, "duo") // hidden by first's
	os.WriteFile(filepath.Join(second, "lonely.onnx"), []byte("model"), 0o644)
	copyVoice(t, "tiny", second, "garbled")
	os.WriteFile(filepath.Join(second, "garbled.onnx.json"), []byte(`{"audio": {"sample_rate": "high"}}`), 0o644)
	os.WriteFile(filepath.Join(second, "notes.txt"), []byte("not a voice"), 0o644)
	dirs := []string{first, second, filepath.Join(t.TempDir(), "absent")}

	got, problems := List(dirs)
	want := []Installed{
		{Name: "duo", Model: filepath.Join(first, "duo.onnx"), Config: filepath.Join(first, "duo.onnx.json"), Language: "en_US", SampleRate: 22050, Speakers: 2},
		{Name: "en_US-tiny-x_low", Model: nested, Config: nested + ".json", Language: "en_US", SampleRate: 22050, Speakers: 1},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("List() = %+v\nwant %+v", got, want)
	}
	var msgs []string
	for _, p := range problems {
		msgs = append(msgs, p.Error())
	}
	all := strings.Join(msgs, "\n")
	for _, says := range []string{"duo.onnx is hidden by", "lonely.onnx.json: no such file", "garbled.onnx.json: audio.sample_rate"} {
		if !strings.Contains(all, says) {
			t.Errorf("List() problems = %q, want one saying %q", msgs, says)
		}
	}
	if len(problems) != 3 {
		t.Errorf("List() gave %d problems, want 3: %q", len(problems), msgs)
	}

	if v, err := Find(dirs, "en_US-tiny-x_low"); err != nil || v != want[1] {
		t.Errorf("Find(nested) = %+v, %v, want %+v", v, err, want[1])
	}
	if v, err := Find(dirs, "duo"); err != nil || v != want[0] {
		t.Errorf("Find(duo) = %+v, %v, want the first folder's", v, err)
	}
	var ce *ConfigError
	if _, err := Find(dirs, "garbled"); !errors.As(err, &ce) {
		t.Errorf("Find(garbled) = %v, want its ConfigError", err)
	}
	_, err := Find(dirs, "en_GB-nobody")
	if !errors.Is(err, ErrNotInstalled) || !strings.Contains(err.Error(), first) || !strings.Contains(err.Error(), "slate voices install") {
		t.Errorf("Find(not installed) = %v, want ErrNotInstalled naming the folders and the fix", err)
	}
	for _, bad := range []string{"", "../tiny", "a/b", ".hidden", "-x"} {
		if _, err := Find(dirs, bad); err == nil || errors.Is(err, ErrNotInstalled) {
			t.Errorf("Find(%q) = %v, want a bad-name error", bad, err)
		}
	}
}

func TestInstall(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "voices")
	v, err := Install(nil, "testdata/tiny.onnx", dir)
	want := Installed{Name: "tiny", Model: filepath.Join(dir, "tiny.onnx"), Config: filepath.Join(dir, "tiny.onnx.json"), Language: "en_US", SampleRate: 22050, Speakers: 1}
	if err != nil || v != want {
		t.Fatalf("Install(tiny) = %+v, %v, want %+v", v, err, want)
	}
	for _, f := range []string{"tiny.onnx", "tiny.onnx.json"} {
		got, _ := os.ReadFile(filepath.Join(dir, f))
		orig, _ := os.ReadFile(filepath.Join("testdata", f))
		if string(got) != string(orig) {
			t.Errorf("installed %s differs from the original", f)
		}
	}
	if _, err := Install(nil, "testdata/tiny.onnx", dir); err == nil || !strings.Contains(err.Error(), "already installed") {
		t.Errorf("Install(tiny) again = %v, want already installed", err)
	}

	src := t.TempDir()
	bad := copyVoice(t, "tiny", src, "bad")
	os.WriteFile(bad+".json", []byte(`{"audio": {}}`), 0o644)
	if _, err := Install(nil, bad, dir); err == nil || !strings.Contains(err.Error(), "audio.sample_rate") {
		t.Errorf("Install(bad config) = %v, want the config's error", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "bad.onnx")); !errors.Is(err, os.ErrNotExist) {
		t.Error("Install(bad config) copied the model anyway")
	}
	if _, err := Install(nil, "testdata/tiny.onnx.json", dir); err == nil || !strings.Contains(err.Error(), "NAME.onnx") {
		t.Errorf("Install(a .json) = %v, want to be asked for the model", err)
	}
	empty := copyVoice(t, "tiny", src, "empty")
	os.WriteFile(empty, nil, 0o644)
	if _, err := Install(nil, empty, dir); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("Install(empty model) = %v, want an error", err)
	}
}

// With ONNX Runtime at hand, Install loads the model first: a file that is
// not a Piper voice is refused, and nothing is copied.
func TestInstallChecksModel(t *testing.T) {
	rt := needRuntime(t)
	src, dir := t.TempDir(), t.TempDir()
	if _, err := Install(rt, "testdata/tiny-duo.onnx", dir); err != nil {
		t.Errorf("Install(tiny-duo) = %v", err)
	}
	broken := copyVoice(t, "tiny", src, "broken")
	os.WriteFile(broken, []byte("not a model"), 0o644)
	if _, err := Install(rt, broken, dir); err == nil {
		t.Error("Install(not a model) = nil error, want one")
	}
	if _, err := os.Stat(filepath.Join(dir, "broken.onnx")); !errors.Is(err, os.ErrNotExist) {
		t.Error("Install(not a model) copied it anyway")
	}
}

// A voice whose model or config is a named pipe or a device is refused at
// once, naming it; the old Install waited on a pipe config for ever. Run in
// a child bounded in time and memory.
func TestInstallRefusesPipesAndDevices(t *testing.T) {
	for _, tc := range []struct{ name, model, config, want string }{
		{"pipe config", "pipe", "fifo", "install voice: SRC/tiny.onnx.json is a named pipe, not a voice config"},
		{"pipe model", "fifo", "copy", "install voice: SRC/tiny.onnx is a named pipe, not a voice model"},
		{"device config", "copy", "zero", "install voice: SRC/tiny.onnx.json is a device, not a voice config"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := userfiletest.Bounded(t, 20*time.Second, func() string {
				src := t.TempDir()
				model := filepath.Join(src, "tiny.onnx")
				for path, how := range map[string]string{model: tc.model, model + ".json": tc.config} {
					orig := filepath.Join("testdata", filepath.Base(path))
					switch how {
					case "fifo":
						userfiletest.Mkfifo(t, path)
					case "zero":
						if err := os.Symlink("/dev/zero", path); err != nil {
							return err.Error()
						}
					default:
						data, _ := os.ReadFile(orig)
						os.WriteFile(path, data, 0o644)
					}
				}
				_, err := Install(nil, model, t.TempDir())
				return strings.ReplaceAll(fmt.Sprint(err), src, "SRC")
			})
			if got != tc.want {
				t.Errorf("Install = %q, want %q", got, tc.want)
			}
		})
	}
}
