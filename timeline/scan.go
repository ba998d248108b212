package timeline

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// scanFile walks a .slate file that is already known to be well-formed
// JSON and refuses what encoding/json would otherwise let through
// silently: bytes that are not UTF-8 and \u escapes of half a surrogate
// pair (both would become U+FFFD), and null where a shot, a line, a cue
// or any other list element belongs (it would decode as an empty one, and
// be reported as "the duration is 0 s"). With nullFields, null is also
// refused as a field's value; version 1 files written by Slate held
// "dialogue": null and the like, so they keep it.
//
// Errors name the field's path, as the rest of the decoder does, and the
// byte at fault. It reads the bytes itself, allocating nothing per value,
// since it runs on every file before the decoding proper. topKey, when not
// nil, is given each key of the top-level object as written (quoted).
func scanFile(name string, data []byte, nullFields bool, topKey func(raw []byte)) error {
	// Each open object or list; a value starts an element of the top one.
	type level struct {
		list    bool
		index   int    // of the current element, in a list
		key     []byte // of the current field, in an object, as written
		wantKey bool   // in an object: the next string is a key
	}
	var stack []level
	// path names the value being read; a key is named by its object's path.
	path := func(key bool) string {
		levels := stack
		if key {
			levels = stack[:len(stack)-1]
		}
		var b strings.Builder
		for _, l := range levels {
			if l.list {
				fmt.Fprintf(&b, "[%d]", l.index)
				continue
			}
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			var k string
			if err := json.Unmarshal(l.key, &k); err != nil {
				k = string(l.key)
			}
			b.WriteString(k)
		}
		return b.String()
	}
	for i := 0; i < len(data); {
		switch data[i] {
		case ' ', '\t', '\r', '\n', ',', ':':
			i++
			continue
		case '}', ']':
			stack = stack[:len(stack)-1]
			if top := len(stack) - 1; top >= 0 && !stack[top].list {
				stack[top].wantKey = true
			}
			i++
			continue
		}
		top := len(stack) - 1
		if top >= 0 && !stack[top].list && stack[top].wantKey {
			// A key: its text is checked like any other, and it names
			// the value after it.
			end := stringEnd(data, i)
			if off, msg := checkText(data[i:end]); off >= 0 {
				return fileErr(name, data, int64(i)+off, path(true), "a field name %s", msg)
			}
			stack[top].key, stack[top].wantKey = data[i:end], false
			if top == 0 && topKey != nil {
				topKey(data[i:end])
			}
			i = end
			continue
		}
		if top >= 0 && stack[top].list {
			stack[top].index++
		}
		switch c := data[i]; c {
		case '{', '[':
			stack = append(stack, level{list: c == '[', index: -1, wantKey: c == '{'})
			i++
			continue
		case '"':
			end := stringEnd(data, i)
			if off, msg := checkText(data[i:end]); off >= 0 {
				return fileErr(name, data, int64(i)+off, path(false), "the text %s", msg)
			}
			i = end
		case 'n':
			switch {
			case top >= 0 && stack[top].list:
				return fileErr(name, data, int64(i), path(false), "null is not allowed here; remove it from the list")
			case top >= 0 && nullFields:
				return fileErr(name, data, int64(i), path(false), "null is not a value; give one or leave the field out")
			}
			i += len("null")
		default: // a number, true or false
			for i < len(data) && strings.IndexByte(" \t\r\n,:]}", data[i]) < 0 {
				i++
			}
		}
		if top >= 0 && !stack[top].list {
			stack[top].wantKey = true
		}
	}
	return nil
}

// stringEnd returns the index just past the JSON string that starts at
// data[i], its opening quote.
func stringEnd(data []byte, i int) int {
	for i++; i < len(data); i++ {
		switch data[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(data)
}

// checkText checks a JSON string as written in the file, quotes
// included. It returns the offset of the first fault within raw and what
// it is, or -1.
func checkText(raw []byte) (int64, string) {
	for i := 1; i < len(raw)-1; {
		c := raw[i]
		switch {
		case c == '\\' && raw[i+1] == 'u':
			r := hex4(raw[i+2 : i+6])
			n := 6
			switch {
			case utf16.IsSurrogate(r) && r < 0xDC00:
				// A high half needs a low half straight after it.
				if i+12 <= len(raw)-1 && raw[i+6] == '\\' && raw[i+7] == 'u' {
					if lo := hex4(raw[i+8 : i+12]); lo >= 0xDC00 && lo < 0xE000 {
						n = 12
						break
					}
				}
				return int64(i), surrogateMsg(raw[i : i+6])
			case utf16.IsSurrogate(r):
				return int64(i), surrogateMsg(raw[i : i+6])
			}
			i += n
		case c == '\\':
			i += 2
		case c < utf8.RuneSelf:
			i++
		default:
			r, size := utf8.DecodeRune(raw[i:])
			if r == utf8.RuneError && size <= 1 {
				return int64(i), fmt.Sprintf("holds byte 0x%02X, which is not UTF-8; save the file as UTF-8", c)
			}
			i += size
		}
	}
	return -1, ""
}

func surrogateMsg(esc []byte) string {
	return fmt.Sprintf("holds %s, half of a UTF-16 surrogate pair without its other half; write the character itself", esc)
}

// hex4 reads the four hex digits of a \u escape that encoding/json has
// already accepted.
func hex4(b []byte) rune {
	v, _ := strconv.ParseUint(string(b), 16, 16)
	return rune(v)
}

// textField is a text of a project to check: its field path, what a
// person calls it, its value and the most characters it may hold (0: the
// field's own check says).
type textField struct {
	field, what, value string
	max                int
}

// check says what is wrong with the field's value, or "" when it is fine.
func (f textField) check() string {
	if msg := validText(f.value); msg != "" {
		return msg
	}
	if n := utf8.RuneCountInString(f.value); f.max > 0 && n > f.max {
		return fmt.Sprintf("is %d characters long; keep it to %d", n, f.max)
	}
	return ""
}

// validText says what is wrong with a text field's value, or "" when it is
// fine. Files are checked byte by byte as they are read (scanFile); this
// keeps edits and stored projects to the same rule.
func validText(s string) string {
	if !utf8.ValidString(s) {
		return "is not valid text: it holds bytes that are not UTF-8; type it again"
	}
	return ""
}
