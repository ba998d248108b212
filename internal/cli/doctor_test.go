package cli

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/ml"
	"github.com/slatestudio/slate/ml/pack"
	"github.com/slatestudio/slate/render/onnx/onnxtest"
)

type fakeRuntime struct{}

func (fakeRuntime) Version() string     { return "1.24.3" }
func (fakeRuntime) Path() string        { return "/opt/ort/libonnxruntime.so.1" }
func (fakeRuntime) Providers() []string { return []string{"CUDA", "CPU"} }
func (fakeRuntime) Preferred() string   { return "CUDA" }

// fakeEnv is a doctor environment with nothing real in it: no programs, an
// ONNX Runtime that is not there, a data folder in a temporary directory
// with 50 GB free.
func fakeEnv(t *testing.T) doctorEnv {
	dir := t.TempDir()
	return doctorEnv{
		tools:     media.Tools{},
		findORT:   func() (string, []string, error) { return "/opt/ort/libonnxruntime.so.1", nil, nil },
		loadORT:   func(string) (ortRuntime, error) { return fakeRuntime{}, nil },
		dataDir:   func() (string, error) { return dir, nil },
		freeSpace: func(string) (uint64, error) { return 50e9, nil },
		findVAD:   func() (string, error) { return "/opt/vad/silero_vad.onnx", nil },
		getenv:    func(string) string { return "" },
	}
}

func doctorLines(t *testing.T, env doctorEnv) (bool, []string) {
	t.Helper()
	var buf bytes.Buffer
	ok := doctor(context.Background(), &buf, env)
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 7 {
		t.Fatalf("doctor wrote %d lines, want 7:\n%s", len(lines), buf.String())
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "ok    ") && !strings.HasPrefix(l, "FAIL  ") {
			t.Errorf("line %q does not start with ok or FAIL in a column of 6", l)
		}
		if len(l) < 21 || l[19] != ' ' || l[20] == ' ' {
			t.Errorf("line %q: its detail does not start in column 21", l)
		}
	}
	return ok, lines
}

func TestDoctorOnThisMachine(t *testing.T) {
	env := defaultDoctorEnv()
	requireDeps(t, env.tools.Check())
	_, _, err := ml.FindLibrary()
	requireDeps(t, err)
	dir := t.TempDir()
	env.dataDir = func() (string, error) { return dir, nil }
	ok, lines := doctorLines(t, env)
	for _, l := range lines {
		t.Log(l)
	}
	if !ok {
		t.Errorf("doctor on this machine failed:\n%s", strings.Join(lines, "\n"))
	}
	for i, prefix := range []string{"ok    ffmpeg        ", "ok    espeak-ng     ", "ok    onnxruntime   ", "ok    data          " + dir + ", ", "ok    vad           Silero VAD at ",
		"ok    models        none installed", "ok    voices        no Piper voices installed"} {
		if !strings.HasPrefix(lines[i], prefix) {
			t.Errorf("line %d = %q, want it to start %q", i+1, lines[i], prefix)
		}
	}
	if !strings.Contains(lines[2], "providers: ") || !strings.Contains(lines[2], "CPU") {
		t.Errorf("onnxruntime line %q does not list the providers", lines[2])
	}
}

func TestDoctorMissingPrograms(t *testing.T) {
	ok, lines := doctorLines(t, fakeEnv(t))
	if ok {
		t.Error("doctor with no ffmpeg and no espeak-ng reported ok")
	}
	want := []string{
		`FAIL  ffmpeg        ffmpeg not found on PATH: install it with "sudo apt-get install ffmpeg"`,
		`FAIL  espeak-ng     espeak-ng not found on PATH: install it with "sudo apt-get install espeak-ng"`,
		`ok    onnxruntime   1.24.3 at /opt/ort/libonnxruntime.so.1; providers: CUDA, CPU (preferred CUDA)`,
		`ok    data          `,
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("line %d = %q\nwant it to start %q", i+1, lines[i], w)
		}
	}
	if !strings.HasSuffix(lines[3], ", 50.0 GB free") {
		t.Errorf("data line %q, want 50.0 GB free", lines[3])
	}

	// ffprobe alone missing names ffprobe, and the package that has it.
	env := fakeEnv(t)
	env.tools = media.Tools{FFmpeg: "/usr/bin/ffmpeg", Espeak: "/usr/bin/espeak-ng"}
	_, lines = doctorLines(t, env)
	if want := `FAIL  ffmpeg        ffprobe not found on PATH: install it with "sudo apt-get install ffmpeg"`; !strings.HasPrefix(lines[0], want) {
		t.Errorf("line 1 = %q\nwant it to start %q", lines[0], want)
	}
}

func TestDoctorONNXRuntime(t *testing.T) {
	env := fakeEnv(t)
	bogus := filepath.Join(t.TempDir(), "libonnxruntime.so.1")
	t.Setenv("SLATE_ORT_LIB", bogus)
	env.findORT = ml.FindLibrary
	ok, lines := doctorLines(t, env)
	if want := "FAIL  onnxruntime   SLATE_ORT_LIB=" + bogus + ": no such file"; ok || !strings.HasPrefix(lines[2], want) {
		t.Errorf("with a bogus SLATE_ORT_LIB: line 3 = %q, want it to start %q", lines[2], want)
	}

	env = fakeEnv(t)
	env.loadORT = func(path string) (ortRuntime, error) {
		return nil, errors.New("ONNX Runtime at " + path + " is version 1.20.0; Slate needs 1.24 or newer: run `make run`")
	}
	_, lines = doctorLines(t, env)
	if want := "FAIL  onnxruntime   ONNX Runtime at /opt/ort/libonnxruntime.so.1 is version 1.20.0; Slate needs 1.24 or newer"; !strings.HasPrefix(lines[2], want) {
		t.Errorf("with an old library: line 3 = %q, want it to start %q", lines[2], want)
	}
}

func TestDoctorDataFolder(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	fresh := filepath.Join(t.TempDir(), "new", "slate")
	tests := []struct {
		name   string
		dir    string
		dirErr error
		free   uint64
		freeEr error
		want   string
	}{
		{"enough room", "", nil, 41.2e9, nil, "ok    data          DIR, 41.2 GB free"},
		{"not created yet", fresh, nil, 2e9, nil, "ok    data          " + fresh + " (not created yet), 2.0 GB free"},
		{"disk nearly full", "", nil, 0.4e9, nil, "FAIL  data          DIR: only 0.4 GB free, and Slate needs at least 1 GB for clips and films; free some space, or set SLATE_HOME to a folder on a disk with more room"},
		{"free space unknown", "", nil, 0, errors.New("not measured"), "ok    data          DIR, free space unknown (not measured)"},
		{"a file in the way", filepath.Join(file, "slate"), nil, 50e9, nil, "FAIL  data          " + filepath.Join(file, "slate") + ": " + file + " is a file, not a folder; set SLATE_HOME to a folder Slate may use"},
		{"no home", "", errors.New("find the data directory: $HOME is not defined; set SLATE_HOME to a folder Slate may use"), 0, nil, "FAIL  data          find the data directory: $HOME is not defined; set SLATE_HOME"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := fakeEnv(t)
			dir := tt.dir
			if dir == "" {
				dir = t.TempDir()
			}
			env.dataDir = func() (string, error) { return dir, tt.dirErr }
			env.freeSpace = func(string) (uint64, error) { return tt.free, tt.freeEr }
			_, lines := doctorLines(t, env)
			want := strings.ReplaceAll(tt.want, "DIR", dir)
			if !strings.HasPrefix(lines[3], want) {
				t.Errorf("data line = %q\nwant it to start %q", lines[3], want)
			}
			if _, err := os.Stat(fresh); err == nil {
				t.Errorf("doctor created %s; it must only look", fresh)
			}
		})
	}
}

func TestShortVersion(t *testing.T) {
	for in, want := range map[string]string{"5.1.9-0+deb12u1": "5.1.9", "6.1.1-3ubuntu5": "6.1.1", "7.0": "7.0", "N-112345-gabcdef": "N-112345-gabcdef", "n6.1": "n6.1", "": ""} {
		if got := shortVersion(in); got != want {
			t.Errorf("shortVersion(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestVoiceSample(t *testing.T) {
	voices := func(langs ...string) []media.Voice {
		var out []media.Voice
		for _, l := range langs {
			out = append(out, media.Voice{Language: l})
		}
		return out
	}
	tests := []struct {
		langs []string
		want  string
	}{
		{[]string{"af", "en-gb", "en-us", "fr"}, "en-us, en-gb, …"},
		{[]string{"de", "fr", "it"}, "de, fr, …"},
		{[]string{"en-us"}, "en-us"},
		{[]string{"en-gb", "en-us"}, "en-us, en-gb"},
	}
	for _, tt := range tests {
		if got := voiceSample(voices(tt.langs...)); got != tt.want {
			t.Errorf("voiceSample(%q) = %q, want %q", tt.langs, got, tt.want)
		}
	}
}

func TestDoctorVAD(t *testing.T) {
	env := fakeEnv(t)
	env.findVAD = func() (string, error) {
		return "", errors.New("the Silero VAD model is not installed (looked for /x/silero_vad.onnx): run `make run`")
	}
	ok, lines := doctorLines(t, env)
	if want := "FAIL  vad           the Silero VAD model is not installed (looked for /x/silero_vad.onnx): run `make run`"; ok || lines[4] != want {
		t.Errorf("without the VAD model: ok=%v, line 5 = %q, want %q", ok, lines[4], want)
	}
}

func TestDoctorModelPacks(t *testing.T) {
	env := fakeEnv(t)
	dir, _ := env.dataDir()
	store := pack.NewStore(filepath.Join(dir, "models"), nil)
	if _, err := store.Install(context.Background(), filepath.Join("..", "..", "render", "onnx", "testdata", "tinypack"), nil); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{}
	env.getenv = func(k string) string { return vars[k] }
	line := func() (bool, string) {
		ok, lines := doctorLines(t, env)
		return ok, lines[5]
	}
	for _, tt := range []struct {
		env  map[string]string
		want string
	}{
		{nil, "ok    models        tinypack (CC0-1.0); the onnx backend renders on CUDA (the best this ONNX Runtime offers"},
		{map[string]string{"SLATE_ORT_PROVIDER": "cpu"}, "ok    models        tinypack (CC0-1.0); the onnx backend renders on CPU (chosen by SLATE_ORT_PROVIDER)"},
		{map[string]string{"SLATE_ORT_PROVIDER": "DirectML"}, "FAIL  models        tinypack (CC0-1.0) installed, but SLATE_ORT_PROVIDER asks for the DirectML provider, which this ONNX Runtime does not offer (it has CUDA, CPU)"},
	} {
		vars = tt.env
		_, got := line()
		if !strings.HasPrefix(got, tt.want) {
			t.Errorf("with %v: models line %q\nwant it to start %q", tt.env, got, tt.want)
		}
	}

	// A pack whose manifest is damaged fails, naming it and what to do.
	if err := os.WriteFile(filepath.Join(dir, "models", "tinypack", pack.ManifestFile), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	vars = nil
	_, got := line()
	if !strings.HasPrefix(got, "FAIL  models        damaged model pack tinypack (") || !strings.Contains(got, "slate models verify") {
		t.Errorf("with a damaged manifest: models line %q", got)
	}
}

// With one pack whose manifest names a provider, and nothing chosen
// through the environment, slate doctor reports the pack's provider, as
// the backend renders on it; several packs with none chosen cannot render.
func TestDoctorFollowsThePack(t *testing.T) {
	env := fakeEnv(t)
	dir, _ := env.dataDir()
	store := pack.NewStore(filepath.Join(dir, "models"), nil)
	install := func(name, provider string) {
		src := t.TempDir()
		if _, err := onnxtest.Write(src, onnxtest.Options{Name: name, Provider: provider}); err != nil {
			t.Fatal(err)
		}
		if _, err := store.Install(context.Background(), src, nil); err != nil {
			t.Fatal(err)
		}
	}
	install("tinypack", "CPU")
	_, lines := doctorLines(t, env)
	if want := "ok    models        tinypack (CC0-1.0); the onnx backend renders on CPU (chosen by the pack's manifest)"; lines[5] != want {
		t.Errorf("a pack naming CPU, on a library offering CUDA first: models line\n%s\nwant\n%s", lines[5], want)
	}
	install("other", "")
	_, lines = doctorLines(t, env)
	if want := "FAIL  models        other (CC0-1.0), tinypack (CC0-1.0) installed, but 2 model packs are installed ([other tinypack]): choose one with SLATE_MODEL_PACK"; lines[5] != want {
		t.Errorf("two packs, none chosen: models line\n%s\nwant\n%s", lines[5], want)
	}
	env.getenv = func(k string) string { return map[string]string{"SLATE_MODEL_PACK": "other"}[k] }
	_, lines = doctorLines(t, env)
	if want := "ok    models        other (CC0-1.0), tinypack (CC0-1.0); the onnx backend renders on CUDA (the best this ONNX Runtime offers"; !strings.HasPrefix(lines[5], want) {
		t.Errorf("two packs, other chosen: models line\n%s\nwant it to start\n%s", lines[5], want)
	}
}

func TestDoctorVoices(t *testing.T) {
	env := fakeEnv(t)
	t.Setenv("SLATE_VOICES", "")
	dir, _ := env.dataDir()
	vdir := filepath.Join(dir, "voices")
	if err := os.MkdirAll(vdir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"tiny.onnx", "tiny.onnx.json"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "voices", "testdata", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(vdir, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, lines := doctorLines(t, env)
	if want := "ok    voices        piper:tiny"; lines[6] != want {
		t.Errorf("with one voice: line 7 = %q, want %q", lines[6], want)
	}
	// A model without its config is a problem to fix.
	if err := os.Remove(filepath.Join(vdir, "tiny.onnx.json")); err != nil {
		t.Fatal(err)
	}
	_, lines = doctorLines(t, env)
	if !strings.HasPrefix(lines[6], "FAIL  voices        ") || !strings.Contains(lines[6], "tiny") {
		t.Errorf("with a voice missing its config: line 7 = %q", lines[6])
	}
}

// slate doctor --verify-blobs hashes every blob in the data folder with a
// progress bar, names the damaged ones, moves them aside and fails.
func TestDoctorVerifyBlobs(t *testing.T) {
	ctx := context.Background()
	env := fakeEnv(t)
	dir, _ := env.dataDir()
	lib, err := library.Open(t.Context(), dir, library.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var sums []string
	for _, content := range []string{"first clip", "second clip, a little longer", "a still"} {
		sum, _, err := lib.Blobs().Put(ctx, strings.NewReader(strings.Repeat(content, 1000)))
		if err != nil {
			t.Fatal(err)
		}
		sums = append(sums, sum)
	}
	damaged := lib.Blobs().Path(sums[1])
	lib.Close()
	damageFile(t, damaged, "flipped")

	var stdout, stderr bytes.Buffer
	code := doctorMain(ctx, []string{"--verify-blobs"}, &stdout, &stderr, env)
	lines := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
	last := lines[len(lines)-1]
	want := "FAIL  blobs         1 of 3 damaged and moved to " + filepath.Join(dir, "blobs", "damaged") + " (" + sums[1][:12] + ")"
	if code != 1 || len(lines) != 8 || !strings.HasPrefix(last, want) {
		t.Errorf("slate doctor --verify-blobs: exit %d, last of %d lines:\n%s\nwant exit 1 and it to start\n%s", code, len(lines), last, want)
	}
	if !strings.Contains(stderr.String(), "total … checking\n") || !strings.Contains(stderr.String(), "total … done") {
		t.Errorf("no progress on stderr:\n%s", stderr.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "blobs", "damaged", sums[1])); err != nil {
		t.Errorf("the damaged blob was not moved aside: %v", err)
	}

	// Checked again, what is left is whole.
	stdout.Reset()
	if ok := verifyBlobs(ctx, &stdout, io.Discard, env); !ok || !strings.HasPrefix(stdout.String(), "ok    blobs         2 checked (") || !strings.Contains(stdout.String(), "none damaged") {
		t.Errorf("verifyBlobs after the damaged one went = %v, %q", ok, stdout.String())
	}
	// A data folder not made yet has nothing to check.
	env.dataDir = func() (string, error) { return filepath.Join(dir, "not-yet"), nil }
	stdout.Reset()
	if ok := verifyBlobs(ctx, &stdout, io.Discard, env); !ok || !strings.Contains(stdout.String(), "0 checked") {
		t.Errorf("verifyBlobs of a new data folder = %v, %q", ok, stdout.String())
	}
	if code, _, stderr := runArgs(t, "doctor", "--verify-blobs", "now"); code != 2 || !strings.Contains(stderr, `unexpected argument "now"`) {
		t.Errorf("slate doctor --verify-blobs now: exit %d, %q", code, stderr)
	}
}
