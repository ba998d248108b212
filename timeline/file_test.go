package timeline

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
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
	{"future", `{"format": "slate", "version": 9}`, `bad.slate: version: the file is format version 9, written by a newer Slate; this Slate reads versions 1 to 3, so update Slate to open it`},
	{"version text", `{"format": "slate", "version": "two"}`, `bad.slate: version: the format version "two" is not a whole number`},
	{"array", `[1]`, `bad.slate: line 1, column 1 (byte 0): expected an object { … }, found array`},
	{"unknown top field", "{\"format\": \"slate\", \"version\": 2,\n \"titel\": \"x\"}", `bad.slate: titel (line 2, column 2, byte 35): unknown field; check its spelling (fields: format, version, title, width, height, fps, cast, shots)`},
	{"wrong type top", "{\"format\": \"slate\", \"version\": 2, \"width\": \"wide\"}", `bad.slate: width (line 1, column 44, byte 43): expected a whole number, found string`},
	{"unknown shot field", "{\"format\": \"slate\", \"version\": 2, \"width\": 1280, \"height\": 720, \"fps\": 24, \"shots\": [\n{\"id\": \"a\", \"durration_ms\": 4000}]}", `bad.slate: shots[0].durration_ms (line 2, column 13, byte 98): unknown field; check its spelling`},
	{"wrong type shot", "{\"format\": \"slate\", \"version\": 2, \"width\": 1280, \"height\": 720, \"fps\": 24, \"shots\": [\n{\"id\": \"a\"},\n{\"id\": \"b\", \"duration_ms\": \"4s\"}]}", `bad.slate: shots[1].duration_ms (line 3, column 28, byte 126): expected a whole number, found string`},
	{"huge number", `{"format": "slate", "version": 2, "width": 1280, "height": 720, "fps": 24, "shots": [{"id": "a", "duration_ms": 99999999999999}]}`, `bad.slate: shots[0].duration_ms (line 1, column 86, byte 85): 99999999999999 ms is out of range`},
	{"invalid shot", `{"format": "slate", "version": 2, "width": 1280, "height": 720, "fps": 24, "shots": [{"id": "a", "duration_ms": 90000, "camera": {"framing": "wide", "move": "static"}, "transition": {"kind": "cut"}}]}`, `bad.slate: shots[0].duration_ms: shot 1: the duration is 90 s; a shot lasts from 0.5 s to 60 s`},
	{"odd size", `{"format": "slate", "version": 2, "width": 1279, "height": 720, "fps": 24}`, `bad.slate: width: the frame width is 1279 pixels; video needs an even number, such as 1280`},
	{"trailing", `{"format": "slate", "version": 2, "width": 1280, "height": 720, "fps": 24} {}`, `bad.slate: line 1, column 76 (byte 75): invalid character '{' after top-level value`},
	{"v1 bad size", `{"format": "slate", "version": 1, "size": "big", "fps": 24}`, `bad.slate: size (line 1, column 43, byte 42): the size "big" is not WIDTHxHEIGHT, such as 1280x720`},

	// Text that is not UTF-8 is refused where it is, never replaced; a
	// version 1 frame size is exactly WIDTHxHEIGHT; null is no shot, no
	// line and no value. Each file is otherwise valid, so that only the
	// fault named can refuse it.
	{"bad utf-8 title", "{\"format\": \"slate\", \"version\": 2, \"title\": \"Last \xff Light\", \"width\": 1280, \"height\": 720, \"fps\": 24}", "bad.slate: title (line 1, column 50, byte 49): the text holds byte 0xFF, which is not UTF-8; save the file as UTF-8"},
	{"bad utf-8 prompt", "{\"format\": \"slate\", \"version\": 2, \"width\": 1280, \"height\": 720, \"fps\": 24, \"shots\": [\n{\"id\": \"a\", \"prompt\": \"fog \xc3(\", \"duration_ms\": 4000, \"camera\": {\"framing\": \"wide\", \"move\": \"static\"}, \"transition\": {\"kind\": \"cut\"}}]}", "bad.slate: shots[0].prompt (line 2, column 28, byte 113): the text holds byte 0xC3, which is not UTF-8; save the file as UTF-8"},
	{"bad utf-8 line", "{\"format\": \"slate\", \"version\": 2, \"width\": 1280, \"height\": 720, \"fps\": 24, \"shots\": [\n{\"id\": \"a\", \"duration_ms\": 4000, \"dialogue\": [{\"speaker\": \"narrator\", \"text\": \"hi \xe2\x82\", \"start_ms\": 0}], \"camera\": {\"framing\": \"wide\", \"move\": \"static\"}, \"transition\": {\"kind\": \"cut\"}}]}", "bad.slate: shots[0].dialogue[0].text (line 2, column 83, byte 168): the text holds byte 0xE2, which is not UTF-8; save the file as UTF-8"},
	{"bad utf-8 cue file", "{\"format\": \"slate\", \"version\": 2, \"width\": 1280, \"height\": 720, \"fps\": 24, \"shots\": [\n{\"id\": \"a\", \"duration_ms\": 4000, \"cues\": [{\"kind\": \"sfx\", \"file\": \"bell\xfe.wav\", \"start_ms\": 0, \"duration_ms\": 100, \"gain_db\": 0}], \"camera\": {\"framing\": \"wide\", \"move\": \"static\"}, \"transition\": {\"kind\": \"cut\"}}]}", "bad.slate: shots[0].cues[0].file (line 2, column 72, byte 157): the text holds byte 0xFE, which is not UTF-8; save the file as UTF-8"},
	{"bad utf-8 cast name", "{\"format\": \"slate\", \"version\": 2, \"width\": 1280, \"height\": 720, \"fps\": 24, \"cast\": [{\"id\": \"a\", \"name\": \"\x80na\"}]}", "bad.slate: cast[0].name (line 1, column 106, byte 105): the text holds byte 0x80, which is not UTF-8; save the file as UTF-8"},
	{"bad utf-8 key", "{\"format\": \"slate\", \"version\": 2, \"width\": 1280, \"height\": 720, \"fps\": 24, \"ti\xfftle\": \"x\"}", "bad.slate: line 1, column 79 (byte 78): a field name holds byte 0xFF, which is not UTF-8; save the file as UTF-8"},
	{"utf-8 surrogate bytes", "{\"format\": \"slate\", \"version\": 2, \"width\": 1280, \"height\": 720, \"fps\": 24, \"title\": \"\xed\xa0\x80\"}", "bad.slate: title (line 1, column 86, byte 85): the text holds byte 0xED, which is not UTF-8; save the file as UTF-8"},
	{"lone high surrogate", "{\"format\": \"slate\", \"version\": 2, \"width\": 1280, \"height\": 720, \"fps\": 24, \"title\": \"a\\ud800b\"}", "bad.slate: title (line 1, column 87, byte 86): the text holds \\ud800, half of a UTF-16 surrogate pair without its other half; write the character itself"},
	{"lone low surrogate", "{\"format\": \"slate\", \"version\": 2, \"width\": 1280, \"height\": 720, \"fps\": 24, \"title\": \"\\udc00\"}", "bad.slate: title (line 1, column 86, byte 85): the text holds \\udc00, half of a UTF-16 surrogate pair without its other half; write the character itself"},
	{"high surrogate then letter", "{\"format\": \"slate\", \"version\": 2, \"width\": 1280, \"height\": 720, \"fps\": 24, \"title\": \"\\uD83C\\u0041\"}", "bad.slate: title (line 1, column 86, byte 85): the text holds \\uD83C, half of a UTF-16 surrogate pair without its other half; write the character itself"},
	{"two high surrogates", "{\"format\": \"slate\", \"version\": 2, \"width\": 1280, \"height\": 720, \"fps\": 24, \"title\": \"\\ud83c\\ud83c\\udfac\"}", "bad.slate: title (line 1, column 86, byte 85): the text holds \\ud83c, half of a UTF-16 surrogate pair without its other half; write the character itself"},
	{"high surrogate at end", "{\"format\": \"slate\", \"version\": 2, \"width\": 1280, \"height\": 720, \"fps\": 24, \"title\": \"\\ud83c\"}", "bad.slate: title (line 1, column 86, byte 85): the text holds \\ud83c, half of a UTF-16 surrogate pair without its other half; write the character itself"},
	{"v1 bad utf-8 prompt", "{\"format\": \"slate\", \"version\": 1, \"size\": \"1280x720\", \"fps\": 24, \"shots\": [{\"prompt\": \"\xff\", \"duration\": 2, \"framing\": \"wide\", \"move\": \"static\"}]}", "bad.slate: shots[0].prompt (line 1, column 88, byte 87): the text holds byte 0xFF, which is not UTF-8; save the file as UTF-8"},
	{"v1 size junk after", "{\"format\": \"slate\", \"version\": 1, \"size\": \"320x180x9\", \"fps\": 24}", "bad.slate: size (line 1, column 43, byte 42): the size \"320x180x9\" is not WIDTHxHEIGHT, such as 1280x720"},
	{"v1 size junk before", "{\"format\": \"slate\", \"version\": 1, \"size\": \"a320x180\", \"fps\": 24}", "bad.slate: size (line 1, column 43, byte 42): the size \"a320x180\" is not WIDTHxHEIGHT, such as 1280x720"},
	{"v1 size space before", "{\"format\": \"slate\", \"version\": 1, \"size\": \" 320x180\", \"fps\": 24}", "bad.slate: size (line 1, column 43, byte 42): the size \" 320x180\" is not WIDTHxHEIGHT, such as 1280x720"},
	{"v1 size space after", "{\"format\": \"slate\", \"version\": 1, \"size\": \"320x180 \", \"fps\": 24}", "bad.slate: size (line 1, column 43, byte 42): the size \"320x180 \" is not WIDTHxHEIGHT, such as 1280x720"},
	{"v1 size spaced x", "{\"format\": \"slate\", \"version\": 1, \"size\": \"320 x 180\", \"fps\": 24}", "bad.slate: size (line 1, column 43, byte 42): the size \"320 x 180\" is not WIDTHxHEIGHT, such as 1280x720"},
	{"v1 size newline", "{\"format\": \"slate\", \"version\": 1, \"size\": \"320x180\\n\", \"fps\": 24}", "bad.slate: size (line 1, column 43, byte 42): the size \"320x180\\n\" is not WIDTHxHEIGHT, such as 1280x720"},
	{"v1 size plus", "{\"format\": \"slate\", \"version\": 1, \"size\": \"+320x180\", \"fps\": 24}", "bad.slate: size (line 1, column 43, byte 42): the size \"+320x180\" is not WIDTHxHEIGHT, such as 1280x720"},
	{"v1 size minus", "{\"format\": \"slate\", \"version\": 1, \"size\": \"320x-180\", \"fps\": 24}", "bad.slate: size (line 1, column 43, byte 42): the size \"320x-180\" is not WIDTHxHEIGHT, such as 1280x720"},
	{"v1 size leading zero", "{\"format\": \"slate\", \"version\": 1, \"size\": \"0320x180\", \"fps\": 24}", "bad.slate: size (line 1, column 43, byte 42): the size \"0320x180\" is not WIDTHxHEIGHT, such as 1280x720"},
	{"v1 size zero", "{\"format\": \"slate\", \"version\": 1, \"size\": \"0x0\", \"fps\": 24}", "bad.slate: size (line 1, column 43, byte 42): the size \"0x0\" is not WIDTHxHEIGHT, such as 1280x720"},
	{"v1 size capital X", "{\"format\": \"slate\", \"version\": 1, \"size\": \"320X180\", \"fps\": 24}", "bad.slate: size (line 1, column 43, byte 42): the size \"320X180\" is not WIDTHxHEIGHT, such as 1280x720"},
	{"v1 size hex", "{\"format\": \"slate\", \"version\": 1, \"size\": \"0x140x180\", \"fps\": 24}", "bad.slate: size (line 1, column 43, byte 42): the size \"0x140x180\" is not WIDTHxHEIGHT, such as 1280x720"},
	{"v1 size huge", "{\"format\": \"slate\", \"version\": 1, \"size\": \"99999999999999999999x180\", \"fps\": 24}", "bad.slate: size (line 1, column 43, byte 42): the size \"99999999999999999999x180\" is not WIDTHxHEIGHT, such as 1280x720"},
	{"null shot", "{\"format\": \"slate\", \"version\": 2, \"width\": 1280, \"height\": 720, \"fps\": 24, \"shots\": [null]}", "bad.slate: shots[0] (line 1, column 86, byte 85): null is not allowed here; remove it from the list"},
	{"null second shot", "{\"format\": \"slate\", \"version\": 2, \"width\": 1280, \"height\": 720, \"fps\": 24, \"shots\": [\n{\"id\": \"a\", \"duration_ms\": 4000, \"camera\": {\"framing\": \"wide\", \"move\": \"static\"}, \"transition\": {\"kind\": \"cut\"}}, null]}", "bad.slate: shots[1] (line 2, column 115, byte 200): null is not allowed here; remove it from the list"},
	{"v1 null shot", "{\"format\": \"slate\", \"version\": 1, \"size\": \"1280x720\", \"fps\": 24, \"shots\": [null]}", "bad.slate: shots[0] (line 1, column 76, byte 75): null is not allowed here; remove it from the list"},
	{"null cast", "{\"format\": \"slate\", \"version\": 2, \"width\": 1280, \"height\": 720, \"fps\": 24, \"cast\": [null]}", "bad.slate: cast[0] (line 1, column 85, byte 84): null is not allowed here; remove it from the list"},
	{"null line", "{\"format\": \"slate\", \"version\": 2, \"width\": 1280, \"height\": 720, \"fps\": 24, \"shots\": [\n{\"id\": \"a\", \"duration_ms\": 4000, \"dialogue\": [null], \"camera\": {\"framing\": \"wide\", \"move\": \"static\"}, \"transition\": {\"kind\": \"cut\"}}]}", "bad.slate: shots[0].dialogue[0] (line 2, column 47, byte 132): null is not allowed here; remove it from the list"},
	{"null cue", "{\"format\": \"slate\", \"version\": 2, \"width\": 1280, \"height\": 720, \"fps\": 24, \"shots\": [\n{\"id\": \"a\", \"duration_ms\": 4000, \"cues\": [null], \"camera\": {\"framing\": \"wide\", \"move\": \"static\"}, \"transition\": {\"kind\": \"cut\"}}]}", "bad.slate: shots[0].cues[0] (line 2, column 43, byte 128): null is not allowed here; remove it from the list"},
	{"null featured", "{\"format\": \"slate\", \"version\": 2, \"width\": 1280, \"height\": 720, \"fps\": 24, \"shots\": [\n{\"id\": \"a\", \"duration_ms\": 4000, \"cast\": [null], \"camera\": {\"framing\": \"wide\", \"move\": \"static\"}, \"transition\": {\"kind\": \"cut\"}}]}", "bad.slate: shots[0].cast[0] (line 2, column 43, byte 128): null is not allowed here; remove it from the list"},
	{"v1 null sound", "{\"format\": \"slate\", \"version\": 1, \"size\": \"1280x720\", \"fps\": 24, \"shots\": [{\"duration\": 2, \"framing\": \"wide\", \"move\": \"static\", \"sound\": [null]}]}", "bad.slate: shots[0].sound[0] (line 1, column 139, byte 138): null is not allowed here; remove it from the list"},
	{"null duration", "{\"format\": \"slate\", \"version\": 2, \"width\": 1280, \"height\": 720, \"fps\": 24, \"shots\": [\n{\"id\": \"a\", \"duration_ms\": null, \"camera\": {\"framing\": \"wide\", \"move\": \"static\"}, \"transition\": {\"kind\": \"cut\"}}]}", "bad.slate: shots[0].duration_ms (line 2, column 28, byte 113): null is not a value; give one or leave the field out"},
	{"null shots", "{\"format\": \"slate\", \"version\": 2, \"width\": 1280, \"height\": 720, \"fps\": 24, \"shots\": null}", "bad.slate: shots (line 1, column 85, byte 84): null is not a value; give one or leave the field out"},
	{"null title", "{\"format\": \"slate\", \"version\": 2, \"title\": null, \"width\": 1280, \"height\": 720, \"fps\": 24}", "bad.slate: title (line 1, column 44, byte 43): null is not a value; give one or leave the field out"},
	{"bad utf-8 shot key", "{\"format\": \"slate\", \"version\": 2, \"shots\": [{\"id\": \"a\", \"pr\xc0mpt\": \"x\"}]}", "bad.slate: shots[0] (line 1, column 60, byte 59): a field name holds byte 0xC0, which is not UTF-8; save the file as UTF-8"},
	{"surrogate in key", `{"format": "slate", "version": 2, "shots": [{"id": "a", "\ude00": "x"}]}`, `bad.slate: shots[0] (line 1, column 58, byte 57): a field name holds \ude00, half of a UTF-16 surrogate pair without its other half; write the character itself`},
	{"v1 size too big", v1Size("8192x180"), `bad.slate: width: the frame width is 8192 pixels; it must be between 16 and 4096`},
	{"v1 size missing", `{"format": "slate", "version": 1, "fps": 24}`, `bad.slate: size: the size "" is not WIDTHxHEIGHT, such as 1280x720`},
}

// v1Size is a version 1 project of the given frame size.
func v1Size(size string) string {
	return `{"format": "slate", "version": 1, "size": "` + size + `", "fps": 24}`
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
		// A good file is decoded in one pass; the result, or the error,
		// is the same as reading it by parts gives.
		parts, perr := decode("fuzz.slate", data, false)
		if fmt.Sprint(err) != fmt.Sprint(perr) || !reflect.DeepEqual(p, parts) {
			t.Fatalf("Decode = %+v, %v\nby parts: %+v, %v", p, err, parts, perr)
		}
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
		if err := p.CheckLength(); err != nil {
			t.Fatalf("Decode accepted a film that cannot be made: %v", err)
		}
		// Outside its strings JSON is ASCII, so a file accepted is UTF-8
		// throughout: no text was replaced on the way in.
		if !utf8.Valid(data) {
			t.Fatalf("Decode accepted a file that is not UTF-8")
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

// Text the table refuses has neighbours that are fine: a surrogate pair
// written as escapes, characters beyond ASCII written as themselves, and a
// version 1 size that is exactly WIDTHxHEIGHT.
func TestDecodeAcceptsText(t *testing.T) {
	data := `{"format": "slate", "version": 1, "title": "\ud83c\udfac Caf\u00e9 — Ana's \"take\"", "size": "320x180", "fps": 24, "shots": [{"id": "a", "prompt": "naïve 東京 \t tab", "duration": 2, "framing": "wide", "move": "static", "dialogue": null, "sound": null, "cast": null}]}`
	p, err := Decode("good.slate", []byte(data))
	if err != nil {
		t.Fatalf("Decode(good) = %v", err)
	}
	if want := "🎬 Café — Ana's \"take\""; p.Title != want {
		t.Errorf("title = %q, want %q", p.Title, want)
	}
	if p.Width != 320 || p.Height != 180 {
		t.Errorf("size = %dx%d, want 320x180", p.Width, p.Height)
	}
	if want := "naïve 東京 \t tab"; p.Shots[0].Prompt != want {
		t.Errorf("prompt = %q, want %q", p.Shots[0].Prompt, want)
	}
}
