package timeline

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// golden compares got with testdata/name, rewriting it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run go test -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; got:\n%s", name, got)
	}
}

func TestEncodeGolden(t *testing.T) {
	golden(t, "sample.slate", encode(t, sample(t)))
}

func TestDecodeRoundTrip(t *testing.T) {
	for _, path := range []string{"testdata/sample.slate", "../examples/demo.slate"} {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		p, err := Decode(path, data)
		if err != nil {
			t.Fatalf("Decode(%s) = %v", path, err)
		}
		if got := encode(t, p); !bytes.Equal(got, data) {
			t.Errorf("Decode then Encode of %s is not byte-identical:\n%s", path, got)
		}
	}
}

func TestMigrateV1(t *testing.T) {
	data, err := os.ReadFile("testdata/v1.slate")
	if err != nil {
		t.Fatal(err)
	}
	p, err := Decode("v1.slate", data)
	if err != nil {
		t.Fatalf("Decode(v1.slate) = %v", err)
	}
	// Float seconds become whole milliseconds; flat fields nest; the shot
	// without an id gets a stable one.
	s := p.Shots[0]
	if s.Duration.Milliseconds() != 3333 || s.Transition.Duration.Milliseconds() != 750 || s.Lines[0].Start.Milliseconds() != 250 {
		t.Errorf("migrated times = %v, %v, %v; want 3.333s, 750ms, 250ms", s.Duration, s.Transition.Duration, s.Lines[0].Start)
	}
	if p.Width != 1920 || p.Height != 1080 || p.Shots[1].ID != "shot-2" || p.Shots[1].Transition.Kind != Cut {
		t.Errorf("migrated project = %dx%d, shot 2 id %q transition %q", p.Width, p.Height, p.Shots[1].ID, p.Shots[1].Transition.Kind)
	}
	golden(t, "v1-migrated.slate", encode(t, p))
}

// decodeErrors is the table of bad files; it also seeds FuzzDecode.
var decodeErrors = []struct {
	name string
	data string
	want string
}{
	{"empty", ``, `bad.slate: the file is empty; it is not a Slate project`},
	{"not json", `hello`, `bad.slate: line 1, column 1 (byte 0): invalid character 'h' looking for beginning of value`},
	{"truncated", "{\n  \"format\": \"slate\",\n  \"version\": 2,\n  \"shots\": [", `bad.slate: line 4, column 13 (byte 51): the file ends too early; it may be truncated (unexpected end of JSON input)`},
	{"not slate", `{"format": "other", "version": 2}`, `bad.slate: format: this is not a Slate project: it needs "format": "slate"`},
	{"future", `{"format": "slate", "version": 9}`, `bad.slate: version: the file is format version 9, written by a newer Slate; this Slate reads versions 1 to 2, so update Slate to open it`},
	{"version text", `{"format": "slate", "version": "two"}`, `bad.slate: version: the format version "two" is not a whole number`},
	{"array", `[1]`, `bad.slate: line 1, column 1 (byte 0): expected an object { … }, found array`},
	{"unknown top field", "{\"format\": \"slate\", \"version\": 2,\n \"titel\": \"x\"}", `bad.slate: titel (line 2, column 2): unknown field; check its spelling (fields: format, version, title, width, height, fps, cast, shots)`},
	{"wrong type top", "{\"format\": \"slate\", \"version\": 2, \"width\": \"wide\"}", `bad.slate: width (line 1, column 44): expected a whole number, found string`},
	{"unknown shot field", "{\"format\": \"slate\", \"version\": 2, \"width\": 1280, \"height\": 720, \"fps\": 24, \"shots\": [\n{\"id\": \"a\", \"durration_ms\": 4000}]}", `bad.slate: shots[0].durration_ms (line 2, column 13): unknown field; check its spelling`},
	{"wrong type shot", "{\"format\": \"slate\", \"version\": 2, \"width\": 1280, \"height\": 720, \"fps\": 24, \"shots\": [\n{\"id\": \"a\"},\n{\"id\": \"b\", \"duration_ms\": \"4s\"}]}", `bad.slate: shots[1].duration_ms (line 3, column 28): expected a whole number, found string`},
	{"huge number", `{"format": "slate", "version": 2, "width": 1280, "height": 720, "fps": 24, "shots": [{"id": "a", "duration_ms": 99999999999999}]}`, `bad.slate: shots[0].duration_ms (line 1, column 86): 99999999999999 ms is out of range`},
	{"invalid shot", `{"format": "slate", "version": 2, "width": 1280, "height": 720, "fps": 24, "shots": [{"id": "a", "duration_ms": 90000, "camera": {"framing": "wide", "move": "static"}, "transition": {"kind": "cut"}}]}`, `bad.slate: shots[0].duration_ms: shot 1: the duration is 90 s; a shot lasts from 0.5 s to 60 s`},
	{"odd size", `{"format": "slate", "version": 2, "width": 1279, "height": 720, "fps": 24}`, `bad.slate: width: the frame width is 1279 pixels; video needs an even number, such as 1280`},
	{"trailing", `{"format": "slate", "version": 2, "width": 1280, "height": 720, "fps": 24} {}`, `bad.slate: line 1, column 76 (byte 75): invalid character '{' after top-level value`},
	{"v1 bad size", `{"format": "slate", "version": 1, "size": "big", "fps": 24}`, `bad.slate: size: the size "big" is not WIDTHxHEIGHT, such as 1280x720`},
}

func TestDecodeErrors(t *testing.T) {
	for _, tt := range decodeErrors {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode("bad.slate", []byte(tt.data))
			if err == nil {
				t.Fatalf("Decode(%s) = nil error, want %q", tt.name, tt.want)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("Decode(%s) =\n  %s\nwant\n  %s", tt.name, got, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("Decode(%s) error spans several lines", tt.name)
			}
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Errorf("Decode(%s) error is %T, want *FileError", tt.name, err)
			}
		})
	}
}

func FuzzDecode(f *testing.F) {
	for _, tt := range decodeErrors {
		f.Add([]byte(tt.data))
	}
	for _, path := range []string{"testdata/sample.slate", "testdata/v1.slate", "../examples/demo.slate"} {
		if data, err := os.ReadFile(path); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Decode("fuzz.slate", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.slate: ") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		// Anything accepted is valid and survives a round trip unchanged.
		if err := p.Validate(); err != nil {
			t.Fatalf("Decode accepted an invalid project: %v", err)
		}
		once, err := Encode(p)
		if err != nil {
			t.Fatal(err)
		}
		q, err := Decode("again.slate", once)
		if err != nil {
			t.Fatalf("re-decoding an encoded project failed: %v", err)
		}
		twice, _ := Encode(q)
		if !bytes.Equal(once, twice) {
			t.Fatalf("encode is not stable:\n%s\n%s", once, twice)
		}
	})
}

func TestCastRoundTrip(t *testing.T) {
	cast := []CastRef{{ID: "ana", Name: "Ana", Handle: "@ana", Voice: "en-gb+f3"}, {ID: "ben", Name: "Ben"}}
	b, err := EncodeCast(cast)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeCast(b)
	if err != nil || len(got) != 2 || got[0] != cast[0] || got[1] != cast[1] {
		t.Errorf("DecodeCast(EncodeCast(%v)) = %v, %v", cast, got, err)
	}
	if _, err := DecodeCast([]byte("{")); err == nil {
		t.Error("DecodeCast of broken JSON succeeded")
	}
}
