package account

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// checkRaw reads a JSON text token by token, before it is decoded, and
// refuses what decoding would hide:
//
//   - a key repeated in one object, at any depth: encoding/json keeps the
//     last, so two parsers in front of the server could read one request
//     two ways. Keys count as the same when encoding/json would match them
//     to the same field, that is, ignoring case;
//   - text that is not valid UTF-8, and \ud800-style escapes of half a
//     UTF-16 surrogate pair: encoding/json turns both into U+FFFD, so the
//     checks after it never see them;
//   - control characters (U+0000–U+001F, U+007F–U+009F) in text, other
//     than a line break or a tab. Whether a field may hold those is the
//     field's own check (Validate); no field may hold the others.
//
// Errors name the field, as a path ("approved[1]"), and the byte offset.
// A text that is not JSON at all passes: Decode says what is wrong with it.
func checkRaw(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var stack []*rawFrame
	for {
		start := skipSeparators(data, int(dec.InputOffset()))
		tok, err := dec.Token()
		if err != nil {
			return nil // the end, or not JSON: Decode reports that
		}
		end := int(dec.InputOffset())
		var top *rawFrame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		switch tok := tok.(type) {
		case json.Delim:
			switch tok {
			case '{', '[':
				f := &rawFrame{object: tok == '{', path: pathOf(stack), wantKey: tok == '{'}
				if f.object {
					f.keys = map[string]rawKey{}
				}
				stack = append(stack, f)
			default:
				stack = stack[:len(stack)-1]
				if len(stack) > 0 {
					stack[len(stack)-1].valueDone()
				}
			}
			continue
		case string:
			raw := data[start:end]
			if top != nil && top.object && top.wantKey {
				if err := checkKey(top, tok, raw, start); err != nil {
					return err
				}
				continue
			}
			if problem, at := checkString(raw); problem != "" {
				return fmt.Errorf("field %q %s at byte %d; %s", fieldPath(stack), problem, start+at, fixFor(problem))
			}
		}
		if top != nil {
			top.valueDone()
		}
	}
}

// rawFrame is an object or array being read.
type rawFrame struct {
	object  bool
	path    string            // where the container is
	keys    map[string]rawKey // object: the keys seen, folded
	key     string            // object: the key of the value being read
	wantKey bool              // object: the next string is a key
	index   int               // array: the index of the value being read
}

// rawKey is where a key first appeared, as written.
type rawKey struct {
	name string
	at   int
}

// valueDone moves past a value: an object waits for its next key, an
// array counts the value.
func (f *rawFrame) valueDone() {
	if f.object {
		f.wantKey = true
	} else {
		f.index++
	}
}

// checkKey checks a key's text and that the object has not had it.
func checkKey(f *rawFrame, key string, raw []byte, start int) error {
	if problem, at := checkString(raw); problem != "" {
		where := "a field name"
		if f.path != "" {
			where = fmt.Sprintf("a field name in %q", f.path)
		}
		return fmt.Errorf("%s %s at byte %d; %s", where, problem, start+at, fixFor(problem))
	}
	f.key, f.wantKey = key, false
	folded := foldKey(key)
	if first, ok := f.keys[folded]; ok {
		path := joinPath(f.path, key)
		if first.name != key {
			return fmt.Errorf("field %q appears twice (as %q at byte %d and %q at byte %d); send each field once", path, first.name, first.at, key, start)
		}
		return fmt.Errorf("field %q appears twice (at bytes %d and %d); send each field once", path, first.at, start)
	}
	f.keys[folded] = rawKey{name: key, at: start}
	return nil
}

// foldKey maps a key to one spelling per class of keys that encoding/json
// matches to the same field: it compares names as bytes.EqualFold does,
// with Unicode's simple case folding (so "K", the Kelvin sign, is "k").
func foldKey(s string) string {
	var b []rune
	for _, r := range s {
		min := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if f < min {
				min = f
			}
		}
		b = append(b, min)
	}
	return string(b)
}

// pathOf is the path of the value the innermost container is reading.
func pathOf(stack []*rawFrame) string {
	if len(stack) == 0 {
		return ""
	}
	return fieldPath(stack)
}

// fieldPath names the value being read: name, approved[1], x.deep[0].k.
func fieldPath(stack []*rawFrame) string {
	if len(stack) == 0 {
		return ""
	}
	f := stack[len(stack)-1]
	if f.object {
		return joinPath(f.path, f.key)
	}
	return f.path + "[" + strconv.Itoa(f.index) + "]"
}

func joinPath(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

// skipSeparators skips the white space, commas and colons before a token,
// so that an offset points at the token itself.
func skipSeparators(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\r', '\n', ',', ':':
			i++
		default:
			return i
		}
	}
	return i
}

// The problems checkString finds.
const (
	problemUTF8      = "is not valid UTF-8"
	problemSurrogate = "holds half of a UTF-16 surrogate pair"
	problemControl   = "holds a control character"
)

// fixFor says what to do about a problem checkString found.
func fixFor(problem string) string {
	switch {
	case problem == problemUTF8:
		return "send text as UTF-8"
	case strings.HasPrefix(problem, problemSurrogate):
		return "escape a character beyond U+FFFF as both halves of its pair, or send it as UTF-8"
	}
	return "remove it"
}

// checkString checks a JSON string as written, quotes included (the
// decoder has checked its syntax). It returns what is wrong, and where in
// raw, or "".
func checkString(raw []byte) (problem string, at int) {
	for i := 0; i < len(raw); {
		c := raw[i]
		if c == '\\' && i+1 < len(raw) {
			switch raw[i+1] {
			case 'u':
				r := hex4(raw[i+2:])
				switch {
				case utf16.IsSurrogate(r) && r < 0xdc00 && len(raw) >= i+12 && raw[i+6] == '\\' && raw[i+7] == 'u':
					if r2 := hex4(raw[i+8:]); r2 >= 0xdc00 && r2 < 0xe000 {
						i += 12 // a whole pair
						continue
					}
					return fmt.Sprintf("%s (%s)", problemSurrogate, raw[i:i+6]), i
				case utf16.IsSurrogate(r):
					return fmt.Sprintf("%s (%s)", problemSurrogate, raw[i:i+6]), i
				case badControl(r):
					return fmt.Sprintf("%s (U+%04X)", problemControl, r), i
				}
				i += 6
			case 'b':
				return problemControl + " (U+0008)", i
			case 'f':
				return problemControl + " (U+000C)", i
			case 'r':
				return problemControl + " (U+000D)", i
			default: // \" \\ \/ \n \t
				i += 2
			}
			continue
		}
		r, size := utf8.DecodeRune(raw[i:])
		if r == utf8.RuneError && size == 1 {
			return problemUTF8, i
		}
		if badControl(r) {
			return fmt.Sprintf("%s (U+%04X)", problemControl, r), i
		}
		i += size
	}
	return "", 0
}

// badControl reports a control character no text may hold: all but the
// line break and the tab.
func badControl(r rune) bool {
	return unicode.IsControl(r) && r != '\n' && r != '\t'
}

// hex4 reads the four hex digits of a \u escape; -1 if they are not.
func hex4(b []byte) rune {
	if len(b) < 4 {
		return -1
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			r = r<<4 | rune(c-'0')
		case 'a' <= c && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case 'A' <= c && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return -1
		}
	}
	return r
}
