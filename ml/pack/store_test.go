package pack

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slatestudio/slate/internal/userfile/userfiletest"
)

// makePack writes a small valid pack into a new folder and returns it.
func makePack(t *testing.T, name string, edit func(m *Manifest)) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"text_encoder/model.onnx":  "text encoder",
		"transformer/model.onnx":   strings.Repeat("transformer ", 1000),
		"vae_decoder/model.onnx":   "decoder",
		"tokenizer/tokenizer.json": `{"model":{}}`,
	}
	var m Manifest
	if err := json.Unmarshal(example(t), &m); err != nil {
		t.Fatal(err)
	}
	m.Name = name
	m.Files = nil
	for _, p := range []string{"text_encoder/model.onnx", "transformer/model.onnx", "vae_decoder/model.onnx", "tokenizer/tokenizer.json"} {
		data := files[p]
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, p), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		h := sha256.Sum256([]byte(data))
		m.Files = append(m.Files, File{Path: p, SHA256: hex.EncodeToString(h[:]), Size: int64(len(data))})
	}
	if edit != nil {
		edit(&m)
	}
	b, _ := json.MarshalIndent(m, "", "  ")
	if err := os.WriteFile(filepath.Join(dir, ManifestFile), b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// entries lists what is in dir, hidden names included.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, _ := os.ReadDir(dir)
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

func TestInstallFromFolder(t *testing.T) {
	src := makePack(t, "tiny", nil)
	store := NewStore(filepath.Join(t.TempDir(), "models"), nil)
	var last Progress
	var calls int
	p, err := store.Install(context.Background(), src, func(pr Progress) {
		if pr.Done < last.Done {
			t.Errorf("progress went back: %+v after %+v", pr, last)
		}
		last, calls = pr, calls+1
	})
	if err != nil {
		t.Fatal(err)
	}
	if calls == 0 || last.Done != last.Total || last.Total != p.Manifest.Size() || last.Count != 4 {
		t.Errorf("last progress %+v after %d calls; want all %d bytes of 4 files", last, calls, p.Manifest.Size())
	}
	if p.Dir != filepath.Join(store.Dir(), "tiny") {
		t.Errorf("installed in %s", p.Dir)
	}
	if got := entries(t, store.Dir()); len(got) != 1 || got[0] != "tiny" {
		t.Errorf("store holds %q, want only tiny", got)
	}
	opened, err := store.Open("tiny")
	if err != nil || opened.ManifestSHA256 != p.ManifestSHA256 {
		t.Fatalf("Open = %v, %v", opened, err)
	}
	if err := Verify(context.Background(), opened, nil); err != nil {
		t.Errorf("Verify = %v", err)
	}
	infos, err := store.List()
	if err != nil || len(infos) != 1 || infos[0].Licence != "Apache-2.0" || infos[0].Size != p.Manifest.Size() || infos[0].Family != "wan2.1-t2v" {
		t.Errorf("List = %+v, %v", infos, err)
	}
	// The manifest.json given is a source too.
	if _, err := store.Install(context.Background(), filepath.Join(src, ManifestFile), nil); err == nil || !strings.Contains(err.Error(), "already installed") {
		t.Errorf("second Install = %v, want already installed", err)
	}

	// A damaged file is found by Verify, by name.
	os.WriteFile(opened.Path("vae_decoder/model.onnx"), []byte("DECODER"), 0o644)
	if err := Verify(context.Background(), opened, nil); err == nil || !strings.Contains(err.Error(), "vae_decoder/model.onnx: sha256") {
		t.Errorf("Verify(damaged) = %v", err)
	}
	os.Remove(opened.Path("tokenizer/tokenizer.json"))
	if _, err := store.Open("tiny"); err == nil || !strings.Contains(err.Error(), "tokenizer/tokenizer.json is missing") {
		t.Errorf("Open(missing file) = %v", err)
	}
	if infos, _ := store.List(); len(infos) != 1 || infos[0].Err == nil {
		t.Errorf("List with a broken pack = %+v, want it listed with its error", infos)
	}
	if err := store.Remove("tiny"); err != nil {
		t.Fatal(err)
	}
	if got := entries(t, store.Dir()); len(got) != 0 {
		t.Errorf("after Remove the store holds %q", got)
	}
	if err := store.Remove("tiny"); err == nil || !strings.Contains(err.Error(), "no model pack \"tiny\" is installed") {
		t.Errorf("Remove(absent) = %v", err)
	}
}

func TestInstallRefusesBadFiles(t *testing.T) {
	tests := []struct {
		name string
		edit func(m *Manifest)
		want string
	}{
		{"checksum", func(m *Manifest) { m.Files[1].SHA256 = strings.Repeat("0", 64) }, "transformer/model.onnx: sha256"},
		{"short", func(m *Manifest) { m.Files[1].Size++ }, "transformer/model.onnx: 12000 bytes, and the manifest says 12001"},
		{"long", func(m *Manifest) { m.Files[1].Size-- }, "transformer/model.onnx: longer than the manifest's 11999 bytes"},
		{"missing", func(m *Manifest) { m.Files[0].Path = "nope.onnx"; m.TextEncoder.Model = "nope.onnx" }, "nope.onnx: missing from"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := makePack(t, "tiny", tt.edit)
			store := NewStore(filepath.Join(t.TempDir(), "models"), nil)
			_, err := store.Install(context.Background(), src, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Install = %v, want %q", err, tt.want)
			}
			if got := entries(t, store.Dir()); len(got) != 0 {
				t.Errorf("a failed install left %q", got)
			}
		})
	}
	store := NewStore(t.TempDir(), nil)
	if _, err := store.Install(context.Background(), t.TempDir(), nil); err == nil || !strings.Contains(err.Error(), "manifest.json: no such file") {
		t.Errorf("Install(empty folder) = %v", err)
	}
}

func TestInstallFromURL(t *testing.T) {
	src := makePack(t, "tiny", nil)
	var hits atomic.Int32
	srv := httptest.NewServer(http.StripPrefix("/packs/tiny/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.ServeFile(w, r, filepath.Join(src, filepath.FromSlash(r.URL.Path)))
	})))
	defer srv.Close()
	for _, addr := range []string{srv.URL + "/packs/tiny/manifest.json", srv.URL + "/packs/tiny/"} {
		store := NewStore(filepath.Join(t.TempDir(), "models"), srv.Client())
		p, err := store.Install(context.Background(), addr, nil)
		if err != nil {
			t.Fatalf("Install(%s) = %v", addr, err)
		}
		if err := Verify(context.Background(), p, nil); err != nil {
			t.Error(err)
		}
	}
	if hits.Load() != 10 {
		t.Errorf("%d requests, want 5 per install", hits.Load())
	}
	store := NewStore(filepath.Join(t.TempDir(), "models"), srv.Client())
	if _, err := store.Install(context.Background(), srv.URL+"/nothing/manifest.json", nil); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("Install(404) = %v", err)
	}
}

func TestInstallCancelled(t *testing.T) {
	src := makePack(t, "tiny", nil)
	store := NewStore(filepath.Join(t.TempDir(), "models"), nil)
	ctx, cancel := context.WithCancel(context.Background())
	_, err := store.Install(ctx, src, func(pr Progress) {
		if pr.Index == 2 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Install(cancelled) = %v", err)
	}
	if got := entries(t, store.Dir()); len(got) != 0 {
		t.Errorf("a cancelled install left %q", got)
	}
}

// A pack whose manifest or one of whose files is a named pipe is refused
// at once, naming it; the old Install waited on the pipe for ever. Run in
// a child bounded in time and memory.
func TestInstallRefusesPipes(t *testing.T) {
	for _, tc := range []struct{ name, file, want string }{
		{"manifest", ManifestFile, "SRC/manifest.json is a named pipe, not a model pack manifest"},
		{"model file", "transformer/model.onnx", "transformer/model.onnx: SRC/transformer/model.onnx is a named pipe, not a model file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := userfiletest.Bounded(t, 20*time.Second, func() string {
				src := makePack(t, "tiny", nil)
				path := filepath.Join(src, filepath.FromSlash(tc.file))
				os.Remove(path)
				userfiletest.Mkfifo(t, path)
				_, err := NewStore(filepath.Join(t.TempDir(), "models"), nil).Install(context.Background(), src, nil)
				return strings.ReplaceAll(fmt.Sprint(err), src, "SRC")
			})
			if !strings.Contains(got, tc.want) {
				t.Errorf("Install = %q, want it to say %q", got, tc.want)
			}
		})
	}
}
