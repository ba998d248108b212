// Package jsonpos says where in a JSON text encoding/json found a problem,
// as a line and column a person can go to. The project file, voice
// configs and model pack manifests all report their JSON errors this way.
package jsonpos

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Pos is a place in a text.
type Pos struct {
	Offset int64 // bytes from the start
	Line   int   // 1-based
	Col    int   // 1-based, counted in bytes
}

// At is the position of byte off of data; off is clamped to data.
func At(data []byte, off int64) Pos {
	off = min(max(off, 0), int64(len(data)))
	before := data[:off]
	return Pos{
		Offset: off,
		Line:   bytes.Count(before, []byte("\n")) + 1,
		Col:    int(off) - (bytes.LastIndexByte(before, '\n') + 1) + 1,
	}
}

// String reads "line 3, column 10 (byte 25)".
func (p Pos) String() string {
	return fmt.Sprintf("line %d, column %d (byte %d)", p.Line, p.Col, p.Offset)
}

// Of is where in data the problem lies that encoding/json reported as err:
// for a syntax error the offending byte, or the end of the text when it
// ends too early (see Truncated); for a type error the start of the value
// that does not fit. ok is false for an error that names no place.
func Of(data []byte, err error) (p Pos, ok bool) {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		if Truncated(data, err) {
			return At(data, syn.Offset), true
		}
		// encoding/json counts the offending byte as read.
		return At(data, syn.Offset-1), true
	case errors.As(err, &typ):
		return At(data, valueStart(data, typ.Offset)), true
	case errors.Is(err, io.ErrUnexpectedEOF):
		return At(data, int64(len(data))), true
	}
	return Pos{}, false
}

// Truncated reports whether err says that data ends before its JSON does:
// a decoder's unexpected EOF, or a syntax error at the last byte that is
// not white space.
func Truncated(data []byte, err error) bool {
	var syn *json.SyntaxError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		return true
	case errors.As(err, &syn):
		return syn.Offset >= int64(len(bytes.TrimRight(data, " \t\r\n")))
	}
	return false
}

// literal holds the bytes a number, true, false or null may be made of.
const literal = "0123456789.eE+-truefalsn"

// valueStart moves back from just past a JSON value (where encoding/json
// reports type errors) to where the value starts, for strings, numbers and
// literals; an object or list is reported where it ends.
func valueStart(data []byte, off int64) int64 {
	off = min(off, int64(len(data)))
	if off <= 0 {
		return 0
	}
	switch c := data[off-1]; {
	case c == '"':
		for i := off - 2; i >= 0; i-- {
			if data[i] == '"' && (i == 0 || data[i-1] != '\\') {
				return i
			}
		}
	case c == '[' || c == '{':
		return off - 1
	case strings.IndexByte(literal, c) >= 0:
		i := off - 1
		for i > 0 && strings.IndexByte(literal, data[i-1]) >= 0 {
			i--
		}
		return i
	}
	return off
}
