package jsonpos

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
)

func TestAt(t *testing.T) {
	data := []byte("{\n  \"a\": 1,\n  \"b\": x\n}")
	for _, c := range []struct {
		off  int64
		want string
	}{
		{0, "line 1, column 1 (byte 0)"},
		{2, "line 2, column 1 (byte 2)"},
		{19, "line 3, column 8 (byte 19)"},
		{-5, "line 1, column 1 (byte 0)"},
		{999, "line 4, column 2 (byte 22)"},
	} {
		if got := At(data, c.off).String(); got != c.want {
			t.Errorf("At(%d) = %s, want %s", c.off, got, c.want)
		}
	}
}

// Of points at the byte a person must fix, whichever way the text was
// decoded.
func TestOf(t *testing.T) {
	type shape struct {
		N    int    `json:"n"`
		S    string `json:"s"`
		List []int  `json:"list"`
	}
	for _, c := range []struct {
		name, in  string
		want      string // the position
		truncated bool
	}{
		{"bad byte", "{\n  \"n\": 1,\n  \"s\" \"x\"\n}", "line 3, column 7 (byte 18)", false},
		{"ends early", "{\"n\": 1,", "line 1, column 9 (byte 8)", true},
		{"ends early with space", "{\"n\": 1, \n\n", "line 3, column 1 (byte 11)", true},
		{"string for number", "{\"n\": \"four\"}", "line 1, column 7 (byte 6)", false},
		{"number for string", "{\"s\":\n  -12.5e3}", "line 2, column 3 (byte 8)", false},
		{"escaped quote", `{"n": "a\"b"}`, "line 1, column 7 (byte 6)", false},
		{"literal for list", `{"list": true}`, "line 1, column 10 (byte 9)", false},
		{"list for object", `[1]`, "line 1, column 1 (byte 0)", false},
	} {
		for _, decoder := range []bool{false, true} {
			var v shape
			var err error
			if decoder {
				err = json.NewDecoder(bytes.NewReader([]byte(c.in))).Decode(&v)
			} else {
				err = json.Unmarshal([]byte(c.in), &v)
			}
			p, ok := Of([]byte(c.in), err)
			if !ok || p.String() != c.want {
				t.Errorf("%s (decoder %v): Of(%v) = %s, %v; want %s", c.name, decoder, err, p, ok, c.want)
			}
			if got := Truncated([]byte(c.in), err); got != c.truncated {
				t.Errorf("%s (decoder %v): Truncated(%v) = %v, want %v", c.name, decoder, err, got, c.truncated)
			}
		}
	}
	if p, ok := Of(nil, errors.New("json: unknown field \"x\"")); ok {
		t.Errorf("Of(an error with no place) = %s, true; want false", p)
	}
}
