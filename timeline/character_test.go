package timeline

import (
	"bytes"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
)

var adaImage = strings.Repeat("ab", 32)

// withAda is the sample with a character, Ada, who speaks shot 1's line
// and is featured in shot 3.
func withAda(t *testing.T) *Project {
	t.Helper()
	p := sample(t)
	p.Cast = append(p.Cast, CastRef{ID: "ada", Name: "Ada", Voice: "en-us+f4", Character: true,
		Description: "a girl of nine in a yellow raincoat", Image: adaImage})
	p.Shots[0].Lines = []Line{{Speaker: "ada", Text: "Come on, catch the wind!", Start: 0}}
	p.Shots[2].Cast = []string{"ada"}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	return p
}

// A character is added, edited and removed as undoable edits named after
// it, needs no recording, and can become a line's speaker in the same
// edit that makes it.
func TestCharacterEdits(t *testing.T) {
	p := sample(t)
	e := NewEditor(p)
	before := encode(t, p)
	do := func(c Command, wantName string) {
		t.Helper()
		if _, err := e.Do(c); err != nil {
			t.Fatalf("%s: %v", c.Name(), err)
		}
		if name, _ := e.UndoName(); name != wantName {
			t.Errorf("UndoName() = %q, want %q", name, wantName)
		}
	}
	ada := NewCharacter("Ada")
	ada.Voice = "en-us+f4"
	do(AddCharacter(ada), "Add character Ada")
	got, ok := p.CastMember(ada.ID)
	if !ok || !got.Character || got.Voice != "en-us+f4" || len(p.Characters()) != 1 {
		t.Fatalf("after adding Ada: cast %+v", p.Cast)
	}
	ada.Description = "a girl of nine in a yellow raincoat"
	ada.Member = "m-123"
	do(SetCharacter(ada), "Edit character Ada")
	if got, _ := p.CastMember(ada.ID); got.Description != ada.Description || got.Member != "m-123" {
		t.Errorf("after editing Ada: %+v", got)
	}
	// Ada cannot go while she speaks.
	do(SetLine("s2", 0, Line{Speaker: ada.ID, Text: "Hello there.", Start: 500e6}), "Edit line")
	if _, err := e.Do(RemoveCharacter(ada)); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "Ada appears in shot 2") {
		t.Errorf("removing a speaking character: %v", err)
	}
	do(SetLine("s2", 0, Line{Speaker: "ana", Text: "Hello there.", Start: 500e6}), "Edit line")
	do(RemoveCharacter(ada), "Remove character Ada")
	if len(p.Characters()) != 0 {
		t.Errorf("Ada is still in the cast: %+v", p.Cast)
	}
	// A recorded member is not a character, and is not removed as one.
	if _, err := e.Do(RemoveCharacter(CastRef{ID: "ana", Name: "Ana"})); !errors.Is(err, ErrInvalid) {
		t.Errorf("RemoveCharacter of a member: %v", err)
	}
	if _, err := e.Do(SetCharacter(CastRef{ID: "ana", Name: "Ana", Description: "x"})); !errors.Is(err, ErrInvalid) {
		t.Errorf("SetCharacter of a member: %v", err)
	}

	// New character… in the speaker list: one edit adds Bo and gives
	// them the line; one undo takes both back.
	bo := NewCharacter("Bo")
	do(AddSpeaker(bo, "s2", 0), "Add character Bo")
	if p.Shots[1].Lines[0].Speaker != bo.ID || p.SpeakerName(bo.ID) != "Bo" {
		t.Errorf("line 1 of shot 2 is said by %q", p.SpeakerName(p.Shots[1].Lines[0].Speaker))
	}
	if _, err := e.Undo(); err != nil {
		t.Fatal(err)
	}
	if _, ok := p.CastMember(bo.ID); ok || p.Shots[1].Lines[0].Speaker != "ana" {
		t.Errorf("undo left Bo: cast %+v, speaker %q", p.Cast, p.Shots[1].Lines[0].Speaker)
	}
	if _, err := e.Do(AddSpeaker(bo, "s2", 4)); !errors.Is(err, ErrInvalid) {
		t.Errorf("AddSpeaker for a line that does not exist: %v", err)
	}
	for range 5 {
		if _, err := e.Undo(); err != nil {
			t.Fatal(err)
		}
	}
	if got := encode(t, p); !bytes.Equal(got, before) {
		t.Errorf("undoing everything did not restore the project:\n%s", got)
	}

	// Two characters may not share a name: the speaker list could not
	// tell them apart.
	do(AddCharacter(NewCharacter("Ada")), "Add character Ada")
	if _, err := e.Do(AddCharacter(NewCharacter("ada "))); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "two characters are called") {
		t.Errorf("a second Ada: %v", err)
	}
}

// A project with a character is written as format version 3 and read
// back unchanged.
func TestCharacterFileRoundTrip(t *testing.T) {
	p := withAda(t)
	data := encode(t, p)
	golden(t, "characters.slate", data)
	back, err := Decode("characters.slate", data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Cast, p.Cast) {
		t.Errorf("cast read back = %+v\nwant %+v", back.Cast, p.Cast)
	}
	if got := encode(t, back); !bytes.Equal(got, data) {
		t.Errorf("not byte-identical after a round trip:\n%s", got)
	}
	// The library keeps a project's cast as EncodeCast writes it.
	enc, err := EncodeCast(p.Cast)
	if err != nil {
		t.Fatal(err)
	}
	if dec, err := DecodeCast(enc); err != nil || !reflect.DeepEqual(dec, p.Cast) {
		t.Errorf("DecodeCast(EncodeCast) = %+v, %v", dec, err)
	}
}

// Files of versions 1 and 2 open as they did: every cast entry a recorded
// member, nothing else changed; written again they are version 3.
func TestMigrateV2(t *testing.T) {
	old, err := os.ReadFile("testdata/v2.slate")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(old, []byte(`"version": 2,`)) {
		t.Fatal("testdata/v2.slate is not a version 2 file")
	}
	p, err := Decode("v2.slate", old)
	if err != nil {
		t.Fatalf("Decode(v2.slate) = %v", err)
	}
	want := sample(t)
	if !reflect.DeepEqual(p.Cast, want.Cast) || len(p.Characters()) != 0 {
		t.Errorf("v2 cast = %+v, want %+v", p.Cast, want.Cast)
	}
	if got, want := encode(t, p), bytes.Replace(old, []byte(`"version": 2,`), []byte(`"version": 3,`), 1); !bytes.Equal(got, want) {
		t.Errorf("v2 written again differs from the file but for its version:\n%s", got)
	}
	v1, err := os.ReadFile("testdata/v1.slate")
	if err != nil {
		t.Fatal(err)
	}
	if p, err := Decode("v1.slate", v1); err != nil || len(p.Characters()) != 0 {
		t.Errorf("v1: %v, characters %+v", err, p.Characters())
	}
}

// A bad character field is refused with a message naming the file, the
// field and where it is.
func TestCharacterFileErrors(t *testing.T) {
	head := "{\"format\": \"slate\", \"version\": %s, \"width\": 1280, \"height\": 720, \"fps\": 24, \"cast\": [\n"
	for _, tt := range []struct {
		name, version, cast, want string
	}{
		{"character in a v2 file", "2", `{"id": "ada", "name": "Ada", "character": true}`,
			`bad.slate: cast.character (line 2, column 30, byte 114): unknown field; check its spelling; characters came in format version 3, so a file with them says "version": 3`},
		{"bad picture", "3", `{"id": "ada", "name": "Ada", "character": true, "image": "../../etc/passwd"}`,
			`bad.slate: cast[0].image (line 2, column 49, byte 133): character Ada's picture "../../etc/passwd" is not a picture stored by Slate (64 hexadecimal digits); choose the picture again`},
		{"description on a member", "3", `{"id": "ana", "name": "Ana"},` + "\n" + `{"id": "cy", "name": "Cy", "description": "tall"}`,
			`bad.slate: cast[1].description (line 3, column 28, byte 142): cast member Cy is not a character, so cannot have a description; add "character": true or remove "description"`},
		{"two Adas", "3", `{"id": "a1", "name": "Ada", "character": true}, {"id": "a2", "name": "ADA", "character": true}`,
			`bad.slate: cast[1].name (line 2, column 62, byte 146): two characters are called ADA (cast 1 and 2); give each a name of their own`},
		{"no name", "3", `{"id": "a1", "name": " ", "character": true}`,
			`bad.slate: cast[0].name (line 2, column 14, byte 98): cast member "a1" has no name`},
		{"character not a bool", "3", `{"id": "a1", "name": "Ada", "character": "yes"}`,
			`bad.slate: cast.character (line 2, column 42, byte 126): expected true or false, found string`},
		{"long description", "3", `{"id": "a1", "name": "Ada", "character": true, "description": "` + strings.Repeat("x", MaxDescriptionRunes+1) + `"}`,
			`bad.slate: cast[0].description (line 2, column 48, byte 132): character Ada's description is 501 characters long; keep it to 500`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			data := strings.Replace(head, "%s", tt.version, 1) + tt.cast + "]}"
			_, err := Decode("bad.slate", []byte(data))
			if err == nil || err.Error() != tt.want {
				t.Errorf("Decode =\n  %v\nwant\n  %s", err, tt.want)
			}
		})
	}
}
