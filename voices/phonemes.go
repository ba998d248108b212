package voices

import (
	"context"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/slatestudio/slate/media"
)

// Phonemize writes text as the phonemes a Piper voice reads, one string
// per sentence, the way Piper's own phonemizer does: espeak-ng's IPA in
// decomposed Unicode (NFD), words separated by spaces, and each clause
// followed by its punctuation — a sentence ends with ".", "?" or "!", and a
// clause inside one with ", ", "; " or ": " — since the voices were
// trained to pause and lift their pitch on it.
//
// espeak-ng drops punctuation from its IPA, so Phonemize splits the text
// into clauses itself and phonemizes each one on its own: a line of
// dialogue has a few, and each costs espeak-ng about 10 ms.
func Phonemize(ctx context.Context, tools media.Tools, text, espeakVoice string) ([]string, error) {
	return phonemize(ctx, text, func(ctx context.Context, clause string) (string, error) {
		return tools.Phonemes(ctx, clause, espeakVoice)
	})
}

// phonemize is Phonemize with the phonemizer behind a function, so the
// splitting and joining can be tested without espeak-ng.
func phonemize(ctx context.Context, text string, phonemes func(context.Context, string) (string, error)) ([]string, error) {
	var sentences []string
	cur := "" // the sentence so far
	for _, c := range splitClauses(text) {
		if hasWords(c.text) {
			p, err := phonemes(ctx, c.text)
			if err != nil {
				return nil, err
			}
			// espeak-ng may split a clause further (after "Mr.", say): it is
			// one clause to Piper all the same.
			cur += norm.NFD.String(strings.Join(strings.Fields(p), " "))
		}
		cur = strings.TrimRight(cur, " ")
		if cur == "" {
			continue // punctuation with nothing before it says nothing
		}
		switch c.punct {
		case ',', ';', ':':
			cur += string(c.punct) + " "
		case 0:
			sentences, cur = append(sentences, cur), ""
		default: // '.', '?', '!'
			sentences, cur = append(sentences, cur+string(c.punct)), ""
		}
	}
	if cur = strings.TrimRight(cur, " "); cur != "" {
		sentences = append(sentences, cur)
	}
	return sentences, nil
}

// clause is a stretch of text up to a punctuation mark that ends it, and
// that mark as Piper writes it (0 for the last clause when the text ends
// without one).
type clause struct {
	text  string
	punct rune
}

// splitClauses splits text after every run of clause punctuation that is
// followed by a space or the end of the text, so "3.5" and "e.g" stay
// whole. A run such as "?!" or "..." counts as its strongest mark, and
// closing quotes and brackets after it belong to it: `"Wait!" she said`
// ends a sentence after the quote.
func splitClauses(text string) []clause {
	var out []clause
	rs := []rune(text)
	start := 0
	for i := 0; i < len(rs); i++ {
		if clausePunct(rs[i]) == 0 {
			continue
		}
		j := i
		var punct rune
		for j < len(rs) && (clausePunct(rs[j]) != 0 || closing(rs[j])) {
			punct = stronger(punct, clausePunct(rs[j]))
			j++
		}
		if j < len(rs) && !unicode.IsSpace(rs[j]) {
			i = j - 1
			continue
		}
		if t := strings.TrimSpace(string(rs[start:j])); t != "" {
			out = append(out, clause{t, punct})
		}
		start, i = j, j-1
	}
	if t := strings.TrimSpace(string(rs[start:])); t != "" {
		out = append(out, clause{t, 0})
	}
	return out
}

// clausePunct is the mark Piper writes for a punctuation character that
// ends a clause, or 0.
func clausePunct(r rune) rune {
	switch r {
	case '.', '…':
		return '.'
	case ',', ';', ':', '?', '!':
		return r
	}
	return 0
}

// closing reports closing quotes and brackets, which may follow a clause's
// punctuation.
func closing(r rune) bool {
	return strings.ContainsRune("\"')]}”’»", r)
}

// stronger is the mark a run of two ends its clause with: a question over
// an exclamation over a full stop over the pauses inside a sentence.
func stronger(a, b rune) rune {
	rank := func(r rune) int { return strings.IndexRune(",:;.!?", r) } // -1 for 0
	if rank(b) > rank(a) {
		return b
	}
	return a
}

// hasWords reports whether s has anything espeak-ng would say.
func hasWords(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0
}

// IDs turns one sentence's phonemes into the ids the model reads, the way
// Piper does: the start symbol and a pad, then every phoneme's ids each
// followed by a pad, then the end symbol — ^ _ p1 _ p2 _ … pn _ $. The
// config's PhonemeMap is applied first. A phoneme the voice has no id for
// is skipped and counted in missing, which is nil when none were.
func (c *Config) IDs(phonemes string) (ids []int64, missing map[rune]int) {
	pad := c.PhonemeIDs[rune(Pad[0])]
	ids = append(ids, c.PhonemeIDs[rune(BOS[0])]...)
	ids = append(ids, pad...)
	add := func(p rune) {
		id, ok := c.PhonemeIDs[p]
		if !ok {
			if missing == nil {
				missing = map[rune]int{}
			}
			missing[p]++
			return
		}
		ids = append(ids, id...)
		ids = append(ids, pad...)
	}
	for _, p := range norm.NFD.String(phonemes) {
		if to, ok := c.PhonemeMap[p]; ok {
			for _, q := range to {
				add(q)
			}
			continue
		}
		add(p)
	}
	return append(ids, c.PhonemeIDs[rune(EOS[0])]...), missing
}
