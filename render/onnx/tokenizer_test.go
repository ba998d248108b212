package onnx

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/slatestudio/slate/render/onnx/onnxtest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// tokenizerTexts are tokenized by each test tokenizer; the ids are pinned
// in testdata/tokenizers/golden.json. The tokenizers' vocabularies are
// small enough to work every id out by hand from the Hugging Face
// tokenizers library's documented algorithms, and the goldens were checked
// that way when they were written:
//
//   - onnxtest's t5-unigram.json (T5/UMT5 style: Metaspace "▁" before every word,
//     the unigram segmentation of highest total score, unknown characters
//     fused into one <unk>, </s> appended): "A red kite over a green hill"
//     is ▁A ▁red ▁kite ▁over ▁a ▁green ▁hill </s> = 54 5 6 7 4 8 9 1;
//     "kites" is ▁kite (−5) + s (−4), better than ▁k + ite + s (−16);
//     "A RED" is ▁A, then ▁ and the fused unknown "RED" (2);
//   - onnxtest's clip-bpe.json (CLIP style: lower-cased, split on letters, byte-level
//     BPE with "</w>" on each word's last piece, <|startoftext|> and
//     <|endoftext|> around): "a red kite" is 16, a</w> 7, red</w> 12,
//     kite</w> 15, 17; "kites" merges k+i, ki+t but not kit+e (only
//     "kit e</w>" is a merge) giving kit e s</w> = 14 2 18.
var tokenizerTexts = []string{
	"A red kite over a green hill",
	"a  red   kite",
	"kites",
	"zebra",
	"A RED",
	"medium shot, the camera pans right",
	"a red kite a red kite a red kite a red kite a red kite a red kite",
	"",
}

type golden struct {
	Text string  `json:"text"`
	IDs  []int64 `json:"ids"`
	Mask []int64 `json:"mask"`
}

func TestTokenizerGoldens(t *testing.T) {
	const maxLen = 16
	got := map[string][]golden{}
	for _, file := range []string{"t5-unigram.json", "clip-bpe.json"} {
		path := filepath.Join(t.TempDir(), file)
		if err := os.WriteFile(path, onnxtest.Tokenizer(file), 0o644); err != nil {
			t.Fatal(err)
		}
		tk, err := loadTokenizer(path, maxLen, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, text := range tokenizerTexts {
			ids, mask, err := tk.encode(text)
			if err != nil {
				t.Fatalf("%s: encode(%q) = %v", file, text, err)
			}
			if len(ids) != maxLen || len(mask) != maxLen {
				t.Fatalf("%s: encode(%q) gave %d ids and %d mask, want %d", file, text, len(ids), len(mask), maxLen)
			}
			got[file] = append(got[file], golden{text, ids, mask})
		}
	}
	const path = "testdata/tokenizers/golden.json"
	if *update {
		b, _ := json.MarshalIndent(got, "", "  ")
		if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	var want map[string][]golden
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	for file, gs := range got {
		for i, g := range gs {
			w := want[file][i]
			if g.Text != w.Text || !slices.Equal(g.IDs, w.IDs) || !slices.Equal(g.Mask, w.Mask) {
				t.Errorf("%s: encode(%q) = %v %v, want %v %v", file, g.Text, g.IDs, g.Mask, w.IDs, w.Mask)
			}
		}
	}
	// The hand-worked cases, spelt out so the goldens cannot drift.
	t5 := want["t5-unigram.json"]
	if !slices.Equal(t5[0].IDs[:8], []int64{54, 5, 6, 7, 4, 8, 9, 1}) || t5[0].IDs[8] != 0 || t5[0].Mask[7] != 1 || t5[0].Mask[8] != 0 {
		t.Errorf("t5 %q = %v %v", t5[0].Text, t5[0].IDs, t5[0].Mask)
	}
	if !slices.Equal(t5[2].IDs[:3], []int64{6, 33, 1}) || !slices.Equal(t5[4].IDs[:4], []int64{54, 3, 2, 1}) {
		t.Errorf("t5 kites/A RED = %v, %v", t5[2].IDs, t5[4].IDs)
	}
	clip := want["clip-bpe.json"]
	if !slices.Equal(clip[1].IDs[:5], []int64{16, 7, 12, 15, 17}) || !slices.Equal(clip[2].IDs[:5], []int64{16, 14, 2, 18, 17}) {
		t.Errorf("clip = %v, %v", clip[1].IDs, clip[2].IDs)
	}
	// Cut to 16, the closing special token kept.
	long := t5[6]
	if long.IDs[15] != 1 || long.Mask[15] != 1 || !slices.Equal(long.IDs[:3], []int64{4, 5, 6}) {
		t.Errorf("t5 long text = %v, want it cut with </s> last", long.IDs)
	}
	if clip[6].IDs[15] != 17 || clip[6].IDs[0] != 16 {
		t.Errorf("clip long text = %v, want <|startoftext|> … <|endoftext|>", clip[6].IDs)
	}
}

func TestTokenizerErrors(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"junk.json":  "not json",
		"empty.json": "{}",
		"bad.json":   `{"model": {"type": "BPE", "vocab": {"a": 0}, "merges": 7}}`,
	} {
		p := dir + "/" + name
		os.WriteFile(p, []byte(content), 0o644)
		if _, err := loadTokenizer(p, 8, ""); err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("loadTokenizer(%s) = %v, want an error naming the file", name, err)
		}
	}
}
