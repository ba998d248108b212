package voices

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/slatestudio/slate/internal/atomicfile"
	"github.com/slatestudio/slate/internal/userfile"
	"github.com/slatestudio/slate/ml"
)

// EnvDirs names the environment variable that lists more folders of Piper
// voices, separated like PATH; they are searched before the data folder's.
const EnvDirs = "SLATE_VOICES"

// maxDepth is how deep below a voices folder voices are looked for: Piper's
// own download tree nests them as en/en_US/lessac/medium/NAME.onnx.
const maxDepth = 5

// Dirs are the folders Piper voices are installed in, in the order they
// are searched: those in $SLATE_VOICES, then dataDir/voices (none when
// dataDir is empty).
func Dirs(dataDir string) []string {
	var dirs []string
	for _, d := range filepath.SplitList(os.Getenv(EnvDirs)) {
		if d != "" {
			dirs = append(dirs, d)
		}
	}
	if dataDir != "" {
		dirs = append(dirs, filepath.Join(dataDir, "voices"))
	}
	return dirs
}

// Installed is a Piper voice found on disk.
type Installed struct {
	// Name is the model's file name without ".onnx", which "piper:NAME"
	// selects, such as "en_US-lessac-medium".
	Name string
	// Model and Config are the paths of NAME.onnx and NAME.onnx.json.
	Model, Config string
	// Language is the config's language code, or its espeak-ng voice when
	// it gives none.
	Language   string
	SampleRate int
	Speakers   int
}

// List finds the Piper voices in dirs and its subfolders. A name found
// twice is the first one's, as "piper:NAME" would find it. Problems —
// a model without its config, a config that does not parse, a folder that
// cannot be read — do not stop the search: they come back one error each,
// beside the voices that are fine. A folder that does not exist is not a
// problem.
func List(dirs []string) ([]Installed, []error) {
	var found []Installed
	var problems []error
	seen := map[string]string{}
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				if path == dir && errors.Is(err, fs.ErrNotExist) {
					return nil
				}
				problems = append(problems, fmt.Errorf("voices: %w", err))
				return nil
			}
			if d.IsDir() {
				if path != dir && strings.Count(strings.TrimPrefix(path, dir), string(filepath.Separator)) > maxDepth {
					return filepath.SkipDir
				}
				return nil
			}
			name, ok := strings.CutSuffix(d.Name(), ".onnx")
			if !ok || !d.Type().IsRegular() && d.Type()&fs.ModeSymlink == 0 {
				return nil
			}
			if first, dup := seen[name]; dup {
				problems = append(problems, fmt.Errorf("voice %s: %s is hidden by %s, found first", name, path, first))
				return nil
			}
			v, err := inspect(name, path)
			if err != nil {
				problems = append(problems, err)
				return nil
			}
			seen[name] = path
			found = append(found, v)
			return nil
		})
		if err != nil {
			problems = append(problems, fmt.Errorf("voices: %w", err))
		}
	}
	sort.SliceStable(found, func(i, j int) bool { return found[i].Name < found[j].Name })
	return found, problems
}

// inspect reads the config of the model at path.
func inspect(name, path string) (Installed, error) {
	if !validName(name) {
		return Installed{}, fmt.Errorf("voice %s: the name %q has characters a voice name cannot have (letters, digits, '-', '_', '.')", path, name)
	}
	cfg, err := LoadConfig(path + ".json")
	if err != nil {
		return Installed{}, err
	}
	lang := cfg.Language
	if lang == "" {
		lang = cfg.EspeakVoice
	}
	return Installed{Name: name, Model: path, Config: path + ".json", Language: lang, SampleRate: cfg.SampleRate, Speakers: cfg.NumSpeakers}, nil
}

// ErrNotInstalled is wrapped by Find's error when no folder has the voice.
var ErrNotInstalled = errors.New("voice not installed")

// Find finds the voice called name in dirs, the way List would.
func Find(dirs []string, name string) (Installed, error) {
	if !validName(name) {
		return Installed{}, fmt.Errorf("piper voice %q: a voice name has letters, digits, '-', '_' and '.', such as \"en_US-lessac-medium\"", name)
	}
	// The common case, NAME.onnx right in a voices folder, needs no walk.
	for _, dir := range dirs {
		p := filepath.Join(dir, name+".onnx")
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return inspect(name, p)
		}
	}
	all, problems := List(dirs)
	for _, v := range all {
		if v.Name == name {
			return v, nil
		}
	}
	// A broken copy of the voice says more than "not installed".
	for _, p := range problems {
		var ce *ConfigError
		if errors.As(p, &ce) && strings.TrimSuffix(filepath.Base(ce.File), ".onnx.json") == name {
			return Installed{}, p
		}
	}
	where := "no voices folder is set"
	if len(dirs) > 0 {
		where = "looked in " + strings.Join(dirs, ", ")
	}
	return Installed{}, fmt.Errorf("piper voice %q: %w (%s); put %s.onnx and %s.onnx.json in one of those folders, or run \"slate voices install\"", name, ErrNotInstalled, where, name, name)
}

// validName allows the characters of Piper's voice names, so a name never
// reads as a path.
func validName(name string) bool {
	if name == "" || len(name) > 128 || name[0] == '.' || name[0] == '-' {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// Install copies the voice whose model is at model (its config beside it,
// as model + ".json") into dir, after checking the config and, when rt is
// not nil, that ONNX Runtime loads the model as a Piper voice; the copies
// are written whole or not at all. It refuses to replace a voice of the
// same name that is already there.
func Install(rt *ml.Runtime, model, dir string) (Installed, error) {
	name, ok := strings.CutSuffix(filepath.Base(model), ".onnx")
	if !ok {
		return Installed{}, fmt.Errorf("install voice %s: want the model, NAME.onnx, with NAME.onnx.json beside it", model)
	}
	if !validName(name) {
		return Installed{}, fmt.Errorf("install voice %s: the name %q has characters a voice name cannot have (letters, digits, '-', '_', '.')", model, name)
	}
	if _, err := LoadConfig(model + ".json"); err != nil {
		return Installed{}, fmt.Errorf("install voice: %w", err)
	}
	if err := checkModelFile(model); err != nil {
		return Installed{}, fmt.Errorf("install voice: %w", err)
	}
	if rt != nil {
		v, err := Open(rt, model)
		if err != nil {
			return Installed{}, fmt.Errorf("install voice: %w", err)
		}
		v.Close()
	}
	dst := filepath.Join(dir, name+".onnx")
	if _, err := os.Stat(dst); err == nil {
		return Installed{}, fmt.Errorf("install voice %s: %s is already installed at %s; remove it first to replace it", model, name, dst)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Installed{}, fmt.Errorf("install voice: %w", err)
	}
	// The config goes last: a model without its config is reported as
	// broken, never taken for a voice.
	for _, f := range []struct{ from, to string }{{model, dst}, {model + ".json", dst + ".json"}} {
		if err := copyFile(f.from, f.to); err != nil {
			os.Remove(dst)
			return Installed{}, fmt.Errorf("install voice %s: %w", name, err)
		}
	}
	return inspect(name, dst)
}

// checkModelFile makes sure model is a file that could be an ONNX model; the
// model itself is checked when ONNX Runtime loads it.
func checkModelFile(model string) error {
	if err := userfile.Check(model, "a voice model"); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: no such file", model)
	} else if err != nil {
		return err
	}
	if fi, err := os.Stat(model); err == nil && fi.Size() == 0 {
		return fmt.Errorf("%s is empty", model)
	}
	return nil
}

// copyFile copies from, which must be a regular file (it may have been
// swapped since it was checked), to to, atomically.
func copyFile(from, to string) error {
	in, err := userfile.Open(from, "a voice file")
	if err != nil {
		return err
	}
	defer in.Close()
	return atomicfile.Write(to, 0o644, func(w io.Writer) error {
		_, err := io.Copy(w, in)
		return err
	})
}
