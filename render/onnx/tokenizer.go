package onnx

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"

	"github.com/sugarme/tokenizer"
	"github.com/sugarme/tokenizer/model/bpe"
	"github.com/sugarme/tokenizer/normalizer"
	"github.com/sugarme/tokenizer/pretrained"
)

// textTokenizer turns a prompt into the ids and attention mask a text
// encoder takes, padded or cut to a fixed length. It reads a Hugging Face
// tokenizer.json through github.com/sugarme/tokenizer, which handles the
// unigram (T5, UMT5) and BPE (CLIP) models.
type textTokenizer struct {
	tk     *tokenizer.Tokenizer
	maxLen int
	padID  int64
}

// loadTokenizer reads the tokenizer.json at path.
func loadTokenizer(path string, maxLen int, padToken string) (*textTokenizer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load tokenizer: %w", err)
	}
	tk, err := parseTokenizer(data)
	if err != nil {
		return nil, fmt.Errorf("load tokenizer %s: %w", path, err)
	}
	t := &textTokenizer{tk: tk, maxLen: maxLen}
	if padToken == "" {
		padToken = "<pad>"
	}
	if id, ok := tk.TokenToId(padToken); ok {
		t.padID = int64(id)
	}
	return t, nil
}

// parseTokenizer builds a tokenizer from tokenizer.json's bytes, working
// around three faults of sugarme/tokenizer v0.3.0 met by real files:
//
//   - it panics on some malformed files, so a panic becomes an error;
//   - its reader of Replace normalizers ignores a Regex pattern, which
//     T5's and CLIP's whitespace rules are, so the normalizer is rebuilt
//     here with them (see buildNormalizer);
//   - its RobertaProcessing crashes unless trim_offsets is true, which
//     CLIP's is not; trimming changes only offsets, never ids, so it is
//     turned on;
//   - its BPE never adds end_of_word_suffix (CLIP's "</w>") and puts
//     continuing_subword_prefix on a word's first piece instead of the
//     others, so BPE models are wrapped in wordBPE, which does both as
//     the Hugging Face library documents them.
func parseTokenizer(data []byte) (tk *tokenizer.Tokenizer, err error) {
	defer func() {
		if r := recover(); r != nil {
			tk, err = nil, fmt.Errorf("not a tokenizer.json this library reads: %v", r)
		}
	}()
	var cfg map[string]any
	if err := json.Unmarshal(data, &cfg); err != nil {
		return nil, fmt.Errorf("not JSON: %w", err)
	}
	if pp, ok := cfg["post_processor"].(map[string]any); ok && pp["type"] == "RobertaProcessing" {
		pp["trim_offsets"] = true
		if data, err = json.Marshal(cfg); err != nil {
			return nil, err
		}
	}
	tk, err = pretrained.FromReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	if b, ok := tk.GetModel().(*bpe.BPE); ok {
		tk.WithModel(wordBPE{b})
	}
	if norm, ok := cfg["normalizer"].(map[string]any); ok {
		n, err := buildNormalizer(norm)
		if err != nil {
			return nil, err
		}
		tk.WithNormalizer(n)
	}
	return tk, nil
}

// buildNormalizer is the library's CreateNormalizer, but for a Replace
// with a Regex pattern, which it builds as the regular expression it is.
func buildNormalizer(cfg map[string]any) (normalizer.Normalizer, error) {
	switch cfg["type"] {
	case "Sequence":
		list, _ := cfg["normalizers"].([]any)
		var parts []normalizer.Normalizer
		for _, c := range list {
			m, ok := c.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("normalizer sequence holds %v", c)
			}
			n, err := buildNormalizer(m)
			if err != nil {
				return nil, err
			}
			parts = append(parts, n)
		}
		return normalizer.NewSequence(parts), nil
	case "Replace":
		pattern, _ := cfg["pattern"].(map[string]any)
		content, _ := cfg["content"].(string)
		if re, ok := pattern["Regex"].(string); ok {
			return normalizer.NewReplace(normalizer.Regex, re, content), nil
		}
	}
	return pretrained.CreateNormalizer(cfg)
}

// wordBPE is a BPE model that splits a word into its first character
// (without the continuing-subword prefix), its middle characters (with
// it) and its last (with the end-of-word suffix; a one-character word's
// only character gets the suffix too), then applies the merges: what the
// Hugging Face tokenizers library does.
type wordBPE struct{ *bpe.BPE }

// Tokenize implements tokenizer.Model.
func (b wordBPE) Tokenize(sequence string) ([]tokenizer.Token, error) {
	if sequence == "" {
		return nil, nil
	}
	var prefix, suffix string
	if b.ContinuingSubwordPrefix != nil {
		prefix = *b.ContinuingSubwordPrefix
	}
	if b.EndOfWordSuffix != nil {
		suffix = *b.EndOfWordSuffix
	}
	vocab := *b.Vocab
	word := bpe.NewWord()
	runes := []rune(sequence)
	for i, r := range runes {
		s := string(r)
		if i > 0 {
			s = prefix + s
		}
		if i == len(runes)-1 {
			s += suffix
		}
		id, ok := vocab[s]
		if !ok {
			if b.UnkToken == nil {
				return nil, fmt.Errorf("%q is not in the vocabulary, which has no unknown token", s)
			}
			id = vocab[*b.UnkToken]
		}
		word.Add(id, len(string(r)))
	}
	word.MergeAll(*b.Merges)
	return b.WordToTokens(*word), nil
}

// encode tokenizes text with the model's special tokens and returns ids
// and attention mask of exactly maxLen: cut to fit (keeping the closing
// special tokens, such as T5's </s>), then padded with the pad id, masked
// out.
func (t *textTokenizer) encode(text string) (ids, mask []int64, err error) {
	enc, err := t.safeEncode(text)
	if err != nil {
		return nil, nil, err
	}
	got := enc.Ids
	if len(got) > t.maxLen {
		// The special tokens at the end of the encoding stay.
		tail := 0
		for i := len(got) - 1; i >= 0 && i < len(enc.SpecialTokenMask) && enc.SpecialTokenMask[i] == 1 && tail < t.maxLen; i-- {
			tail++
		}
		got = append(got[:t.maxLen-tail:t.maxLen-tail], got[len(got)-tail:]...)
	}
	ids = make([]int64, t.maxLen)
	mask = make([]int64, t.maxLen)
	for i := range ids {
		if i < len(got) {
			ids[i], mask[i] = int64(got[i]), 1
		} else {
			ids[i] = t.padID
		}
	}
	return ids, mask, nil
}

func (t *textTokenizer) safeEncode(text string) (enc *tokenizer.Encoding, err error) {
	defer func() {
		if r := recover(); r != nil {
			enc, err = nil, fmt.Errorf("tokenize %q: %v", text, r)
		}
	}()
	enc, err = t.tk.EncodeSingle(text, true)
	if err != nil {
		return nil, fmt.Errorf("tokenize %q: %w", text, err)
	}
	return enc, nil
}
