package pack

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

func example(t testing.TB) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/wan2.1-t2v-1.3b.json")
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestParseExample(t *testing.T) {
	m, err := ParseManifest("wan.json", example(t))
	if err != nil {
		t.Fatal(err)
	}
	if m.Name != "wan2.1-t2v-1.3b" || m.Family != "wan2.1-t2v" || m.Licence != "Apache-2.0" || len(m.Latent.Mean) != 16 {
		t.Errorf("ParseManifest = %+v", m)
	}
	if m.SizeMultiple() != 16 || m.ChunkFrames() != 2 {
		t.Errorf("SizeMultiple() = %d, ChunkFrames() = %d; want 16, 2", m.SizeMultiple(), m.ChunkFrames())
	}
	if got := m.Size(); got != 17312227417 {
		t.Errorf("Size() = %d", got)
	}
}

// edit parses the example, changes it with f (on its generic JSON form)
// and returns the new bytes.
func edit(t testing.TB, f func(m map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(example(t), &m); err != nil {
		t.Fatal(err)
	}
	f(m)
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func sub(m map[string]any, key string) map[string]any { return m[key].(map[string]any) }

func file(m map[string]any, i int) map[string]any { return m["files"].([]any)[i].(map[string]any) }

var badManifests = []struct {
	name string
	edit func(m map[string]any)
	want string
}{
	{"format", func(m map[string]any) { m["format"] = 2 }, "field format: 2; this Slate reads format 1"},
	{"name", func(m map[string]any) { m["name"] = "Wan 2.1" }, `field name: "Wan 2.1": use 1 to 64 lowercase`},
	{"dotdot name", func(m map[string]any) { m["name"] = "a..b" }, "field name"},
	{"family", func(m map[string]any) { delete(m, "family") }, "field family: missing"},
	{"licence", func(m map[string]any) { m["licence"] = " " }, "field licence: missing"},
	{"source", func(m map[string]any) { m["source"] = "ftp://x/y" }, `field source: "ftp://x/y"`},
	{"no files", func(m map[string]any) { m["files"] = []any{} }, "field files: empty"},
	{"escape", func(m map[string]any) { file(m, 0)["path"] = "../../etc/passwd" }, `field files[0].path: "../../etc/passwd": must be a plain relative path`},
	{"absolute", func(m map[string]any) { file(m, 1)["path"] = "/etc/passwd" }, "field files[1].path: \"/etc/passwd\": must be relative"},
	{"backslash", func(m map[string]any) { file(m, 1)["path"] = `a\b` }, "forward slashes"},
	{"hidden", func(m map[string]any) { file(m, 1)["path"] = "a/.x" }, "may start with '.'"},
	{"manifest", func(m map[string]any) { file(m, 1)["path"] = "manifest.json" }, "does not list itself"},
	{"twice", func(m map[string]any) { file(m, 1)["path"] = file(m, 0)["path"] }, "is listed twice"},
	{"sha", func(m map[string]any) { file(m, 2)["sha256"] = "ABC" }, `field files[2].sha256: "ABC": want 64 lowercase hex digits`},
	{"size", func(m map[string]any) { file(m, 2)["size"] = -1 }, "field files[2].size: -1 is negative"},
	{"tokenizer file", func(m map[string]any) { sub(m, "tokenizer")["file"] = "nope.json" }, `field tokenizer.file: "nope.json" is not one of the files`},
	{"max length", func(m map[string]any) { sub(m, "tokenizer")["max_length"] = 0 }, "field tokenizer.max_length: 0"},
	{"encoder model", func(m map[string]any) { delete(sub(m, "text_encoder"), "model") }, "field text_encoder.model: missing"},
	{"encoder output", func(m map[string]any) { sub(m, "text_encoder")["output"] = "" }, "field text_encoder.output: missing"},
	{"timestep", func(m map[string]any) { delete(sub(m, "transformer"), "timestep") }, "field transformer.timestep: missing"},
	{"latent name", func(m map[string]any) { delete(sub(m, "vae_decoder"), "latent") }, "field vae_decoder.latent: missing"},
	{"chunk", func(m map[string]any) { sub(m, "vae_decoder")["chunk_frames"] = -2 }, "field vae_decoder.chunk_frames"},
	{"steps", func(m map[string]any) { sub(m, "defaults")["steps"] = 0 }, "field defaults.steps: 0"},
	{"shift", func(m map[string]any) { sub(m, "defaults")["shift"] = 0 }, "field defaults.shift"},
	{"fps", func(m map[string]any) { sub(m, "defaults")["fps"] = 1000 }, "field defaults.fps: 1000"},
	{"frames over max", func(m map[string]any) { sub(m, "defaults")["frames"] = 97 }, "field defaults.frames: 97 is more than max_frames 81"},
	{"width", func(m map[string]any) { sub(m, "defaults")["width"] = 830 }, "field defaults.width: 830×480: want a size in multiples of 16"},
	{"channels", func(m map[string]any) { sub(m, "latent")["channels"] = 0 }, "field latent.channels: 0"},
	{"mean", func(m map[string]any) { sub(m, "latent")["mean"] = []any{1.0} }, "field latent.mean: 1 values for 16 channels"},
	{"std", func(m map[string]any) { sub(m, "latent")["std"].([]any)[3] = 0.0 }, "field latent.std[3]: 0: want more than 0"},
	{"multiple", func(m map[string]any) { sub(m, "latent")["size_multiple"] = 12 }, "field latent.size_multiple: 12"},
	{"conditioning", func(m map[string]any) {
		m["image_conditioning"] = map[string]any{"encoder": "vae_encoder/model.onnx", "encoder_input": "sample", "encoder_output": "latent"}
	}, `field image_conditioning.encoder: "vae_encoder/model.onnx" is not one of the files`},
	{"unknown field", func(m map[string]any) { m["licence_url"] = "x" }, `unknown field "licence_url"`},
	{"type", func(m map[string]any) { m["format"] = "one" }, "field format: string where a int belongs"},
}

func TestParseManifestErrors(t *testing.T) {
	for _, tt := range badManifests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseManifest("pack/manifest.json", edit(t, tt.edit))
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "pack/manifest.json: ") {
				t.Errorf("ParseManifest = %v\nwant an error naming the file and containing %q", err, tt.want)
			}
		})
	}
}

func TestParseManifestSyntax(t *testing.T) {
	tests := []struct{ in, want string }{
		{"{\n  \"format\": 1,\n  \"name\" \"x\"\n}", "line 3, column 10"},
		{"", "the file ends before the manifest does"},
		{`{"format": 1}{}`, "more after the manifest's closing brace"},
		{strings.Repeat(" ", maxManifest+1), "more than a manifest's"},
	}
	for _, tt := range tests {
		_, err := ParseManifest("m.json", []byte(tt.in))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseManifest(%.30q) = %v, want %q", tt.in, err, tt.want)
		}
	}
}

func FuzzParseManifest(f *testing.F) {
	f.Add(example(f))
	for _, tt := range badManifests {
		f.Add(edit(f, tt.edit))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseManifest("m.json", data)
		if err != nil {
			return
		}
		// A manifest that parses has only paths that stay in the pack.
		for _, file := range m.Files {
			if checkPath(file.Path) != nil {
				t.Fatalf("accepted path %q", file.Path)
			}
		}
		if m.SizeMultiple() < 1 || m.ChunkFrames() < 1 {
			t.Fatal("accepted a manifest with no size multiple or chunk")
		}
	})
}
