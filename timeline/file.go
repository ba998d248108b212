package timeline

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/slatestudio/slate/internal/jsonpos"
)

// FormatVersion is the version of the .slate format this package writes.
// Version 1 kept times as float seconds; version 2 keeps whole milliseconds,
// so a file read and written again never drifts; version 3 adds characters
// to the cast ("character": true, with a description, a picture and the
// member who plays them). Versions 1 and 2 are read as they always were:
// their cast are all recorded members.
const FormatVersion = 3

// MaxFileSize bounds a .slate file; a 10,000-shot project is a few MB.
const MaxFileSize = 64 << 20

// FileError says what is wrong with a .slate file and where.
type FileError struct {
	Name string
	// Field is the path of the offending field, such as
	// "shots[2].duration_ms"; empty when the problem is the JSON itself.
	Field string
	// Offset is the byte offset of the problem, or -1 when unknown.
	Offset     int64
	Line, Col  int
	Msg        string
	underlying error
}

func (e *FileError) Error() string {
	var b strings.Builder
	b.WriteString(e.Name)
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString(e.Field)
		if e.Offset >= 0 {
			fmt.Fprintf(&b, " (line %d, column %d, byte %d)", e.Line, e.Col, e.Offset)
		}
		b.WriteString(": ")
	} else if e.Offset >= 0 {
		fmt.Fprintf(&b, "line %d, column %d (byte %d): ", e.Line, e.Col, e.Offset)
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap returns the validation error behind a FileError, if any.
func (e *FileError) Unwrap() error { return e.underlying }

func fileErr(name string, data []byte, off int64, field, format string, args ...any) *FileError {
	e := &FileError{Name: name, Field: field, Offset: off, Msg: fmt.Sprintf(format, args...)}
	if off >= 0 {
		p := jsonpos.At(data, off)
		e.Line, e.Col = p.Line, p.Col
	}
	return e
}

// The version 3 file layout (version 2's, with characters in the cast).
type fileProject struct {
	Format  string      `json:"format"`
	Version int         `json:"version"`
	Title   string      `json:"title"`
	Width   int         `json:"width"`
	Height  int         `json:"height"`
	FPS     int         `json:"fps"`
	Cast    []fileCast  `json:"cast"`
	Shots   []*fileShot `json:"shots"`
}

type fileCast struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Handle      string `json:"handle,omitempty"`
	Voice       string `json:"voice,omitempty"`
	Character   bool   `json:"character,omitempty"`
	Description string `json:"description,omitempty"`
	Image       string `json:"image,omitempty"`
	Member      string `json:"member,omitempty"`
}

// fileCast2 is a cast member in versions 1 and 2, which had no characters:
// a character's fields in such a file are unknown fields.
type fileCast2 struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Handle string `json:"handle,omitempty"`
	Voice  string `json:"voice,omitempty"`
}

func (c fileCast2) ref() CastRef {
	return CastRef{ID: c.ID, Name: c.Name, Handle: c.Handle, Voice: c.Voice}
}

type fileShot struct {
	ID         string         `json:"id"`
	Title      string         `json:"title"`
	Prompt     string         `json:"prompt"`
	DurationMS int64          `json:"duration_ms"`
	Camera     fileCamera     `json:"camera"`
	Dialogue   []fileLine     `json:"dialogue,omitempty"`
	Cues       []fileCue      `json:"cues,omitempty"`
	Transition fileTransition `json:"transition"`
	Seed       int64          `json:"seed"`
	Cast       []string       `json:"cast,omitempty"`
	Continue   bool           `json:"continue,omitempty"`
	Backend    string         `json:"backend,omitempty"`
}

type fileCamera struct {
	Framing string `json:"framing"`
	Move    string `json:"move"`
}

type fileLine struct {
	Speaker string `json:"speaker"`
	Text    string `json:"text"`
	StartMS int64  `json:"start_ms"`
	Voice   string `json:"voice,omitempty"`
}

type fileCue struct {
	Kind        string  `json:"kind"`
	Description string  `json:"description,omitempty"`
	File        string  `json:"file,omitempty"`
	OffsetMS    int64   `json:"offset_ms,omitempty"`
	StartMS     int64   `json:"start_ms"`
	DurationMS  int64   `json:"duration_ms"`
	GainDB      float64 `json:"gain_db"`
}

type fileTransition struct {
	Kind       string `json:"kind"`
	DurationMS int64  `json:"duration_ms"`
}

// Encode writes p as a .slate file (the current format version), indented
// so that it diffs well under version control.
func Encode(p *Project) ([]byte, error) {
	f := fileProject{
		Format: "slate", Version: FormatVersion,
		Title: p.Title, Width: p.Width, Height: p.Height, FPS: p.FPS,
		Cast:  make([]fileCast, len(p.Cast)),
		Shots: make([]*fileShot, len(p.Shots)),
	}
	for i, c := range p.Cast {
		f.Cast[i] = fileCast(c)
	}
	for i, s := range p.Shots {
		f.Shots[i] = encodeShot(s)
	}
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode project %q: %w", p.Title, err)
	}
	return append(b, '\n'), nil
}

func ms(d time.Duration) int64 { return d.Milliseconds() }

func encodeShot(s *Shot) *fileShot {
	fs := &fileShot{
		ID: s.ID, Title: s.Title, Prompt: s.Prompt, DurationMS: ms(s.Duration),
		Camera:     fileCamera{string(s.Camera.Framing), string(s.Camera.Move)},
		Transition: fileTransition{string(s.Transition.Kind), ms(s.Transition.Duration)},
		Seed:       s.Seed, Cast: s.Cast, Continue: s.Continue, Backend: s.Backend,
	}
	for _, l := range s.Lines {
		fs.Dialogue = append(fs.Dialogue, fileLine{l.Speaker, l.Text, ms(l.Start), l.Voice})
	}
	for _, c := range s.Cues {
		fs.Cues = append(fs.Cues, fileCue{string(c.Kind), c.Description, c.File, ms(c.Offset), ms(c.Start), ms(c.Duration), c.GainDB})
	}
	return fs
}

// EncodeCast writes a cast list as JSON in the .slate file's layout; the
// library and the render queue store cast lists this way.
func EncodeCast(cast []CastRef) ([]byte, error) {
	out := make([]fileCast, len(cast))
	for i, c := range cast {
		out[i] = fileCast(c)
	}
	return json.Marshal(out)
}

// DecodeCast reads a cast list written by EncodeCast.
func DecodeCast(data []byte) ([]CastRef, error) {
	if len(data) == 0 {
		return nil, nil
	}
	var in []fileCast
	if err := json.Unmarshal(data, &in); err != nil {
		return nil, fmt.Errorf("decode cast: %w", err)
	}
	var out []CastRef
	for _, c := range in {
		out = append(out, CastRef(c))
	}
	return out, nil
}

// EncodeShot writes one shot as JSON in the .slate file's shot layout; the
// library stores shots this way, one row each.
func EncodeShot(s *Shot) ([]byte, error) {
	return json.Marshal(encodeShot(s))
}

// DecodeShot reads one shot written by EncodeShot.
func DecodeShot(data []byte) (*Shot, error) {
	var fs fileShot
	if err := json.Unmarshal(data, &fs); err != nil {
		return nil, fmt.Errorf("decode shot: %w", err)
	}
	s, err := fs.shot()
	if err != nil {
		return nil, fmt.Errorf("decode shot %q: %s: %s", fs.ID, err.field, err.msg)
	}
	return s, nil
}

type fieldErr struct{ field, msg string }

// maxMS is the largest time a file may hold, far above any limit, so that a
// converted time.Duration can never overflow.
const maxMS = 1 << 40

func duration(v int64, field string) (time.Duration, *fieldErr) {
	if v < -maxMS || v > maxMS {
		return 0, &fieldErr{field, fmt.Sprintf("%d ms is out of range", v)}
	}
	return time.Duration(v) * time.Millisecond, nil
}

func (fs *fileShot) shot() (*Shot, *fieldErr) {
	s := &Shot{
		ID: fs.ID, Title: fs.Title, Prompt: fs.Prompt,
		Camera: Camera{Framing(fs.Camera.Framing), Move(fs.Camera.Move)},
		Seed:   fs.Seed, Cast: fs.Cast, Continue: fs.Continue, Backend: fs.Backend,
	}
	var err *fieldErr
	if s.Duration, err = duration(fs.DurationMS, "duration_ms"); err != nil {
		return nil, err
	}
	s.Transition.Kind = TransitionKind(fs.Transition.Kind)
	if s.Transition.Duration, err = duration(fs.Transition.DurationMS, "transition.duration_ms"); err != nil {
		return nil, err
	}
	for j, l := range fs.Dialogue {
		line := Line{Speaker: l.Speaker, Text: l.Text, Voice: l.Voice}
		if line.Start, err = duration(l.StartMS, fmt.Sprintf("dialogue[%d].start_ms", j)); err != nil {
			return nil, err
		}
		s.Lines = append(s.Lines, line)
	}
	for j, c := range fs.Cues {
		cue := Cue{Kind: CueKind(c.Kind), Description: c.Description, File: c.File, GainDB: c.GainDB}
		f := fmt.Sprintf("cues[%d].", j)
		if cue.Offset, err = duration(c.OffsetMS, f+"offset_ms"); err != nil {
			return nil, err
		}
		if cue.Start, err = duration(c.StartMS, f+"start_ms"); err != nil {
			return nil, err
		}
		if cue.Duration, err = duration(c.DurationMS, f+"duration_ms"); err != nil {
			return nil, err
		}
		s.Cues = append(s.Cues, cue)
	}
	return s, nil
}

// header is read first, leniently, to learn which version to decode.
type header struct {
	Format  string          `json:"format"`
	Version json.RawMessage `json:"version"`
}

// Decode reads a .slate file. name is used in error messages, which name
// the file and the field or byte offset at fault. Older format versions are
// migrated; newer ones are refused. The result is validated.
func Decode(name string, data []byte) (*Project, error) {
	return decode(name, data, true)
}

// decode is Decode; without onePass it always reads the file by parts,
// as the fuzz test compares.
func decode(name string, data []byte, onePass bool) (*Project, error) {
	if len(data) > MaxFileSize {
		return nil, fileErr(name, data, -1, "", "the file is %d MB; a project file is at most %d MB", len(data)>>20, MaxFileSize>>20)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fileErr(name, data, -1, "", "the file is empty; it is not a Slate project")
	}
	// A good file of the current version is decoded in one pass; anything
	// else is read again, a part at a time, to say what is wrong and where.
	if p, ok := decodeWhole(data); onePass && ok {
		// encoding/json matched the top-level keys ignoring case, and
		// the file's keys must be exact ("Format" is refused by parts).
		exact := true
		err := scanFile(name, data, true, func(raw []byte) {
			var key string
			exact = exact && json.Unmarshal(raw, &key) == nil && slices.Contains(topKeys, key)
		})
		if err != nil {
			return nil, err
		}
		if exact {
			return finishDecode(name, data, p)
		}
	}
	var h header
	if err := json.Unmarshal(data, &h); err != nil {
		return nil, jsonErr(name, data, err, "")
	}
	if h.Format != "slate" {
		return nil, fileErr(name, data, -1, "format", `this is not a Slate project: it needs "format": "slate"`)
	}
	version, err := strconv.Atoi(string(h.Version))
	if err != nil {
		return nil, fileErr(name, data, -1, "version", "the format version %s is not a whole number", shorten(string(h.Version)))
	}
	var p *Project
	switch {
	case version > FormatVersion:
		return nil, fileErr(name, data, -1, "version", "the file is format version %d, written by a newer Slate; this Slate reads versions 1 to %d, so update Slate to open it", version, FormatVersion)
	case version < 1:
		return nil, fileErr(name, data, -1, "version", "format version %d does not exist; versions start at 1", version)
	}
	// Before decoding, which would turn bad text into U+FFFD and a null
	// shot into an empty one without a word.
	if err := scanFile(name, data, version > 1, nil); err != nil {
		return nil, err
	}
	switch version {
	case 1:
		p, err = decodeV1(name, data)
	case 2:
		p, err = decodeV2ByParts(name, data)
	default:
		p, err = decodeByParts(name, data)
	}
	if err != nil {
		return nil, err
	}
	return finishDecode(name, data, p)
}

// finishDecode gives a decoded project's shots their IDs and checks it.
func finishDecode(name string, data []byte, p *Project) (*Project, error) {
	fillIDs(p)
	// A file holds only what can be made into a film, so that a project the
	// studio opens can also be exported.
	err := p.Validate()
	if err == nil {
		err = p.CheckLength()
	}
	if err != nil {
		var ve *Error
		if errors.As(err, &ve) {
			field := ve.Field
			if ve.Shot > 0 {
				field = fmt.Sprintf("shots[%d].%s", ve.Shot-1, ve.Field)
			}
			e := &FileError{Name: name, Field: field, Offset: castFieldOffset(data, ve.Field), Msg: ve.Error(), underlying: err}
			if e.Offset >= 0 {
				pos := jsonpos.At(data, e.Offset)
				e.Line, e.Col = pos.Line, pos.Col
			}
			return nil, e
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return p, nil
}

// castFieldOffset is where in a file the cast field a validation error
// names ("cast[2].voice") is: the key inside the cast member's object, or
// the object when the key is absent; -1 for any other field, or when the
// file cannot be walked that far.
func castFieldOffset(data []byte, field string) int64 {
	var i int
	var key string
	if n, err := fmt.Sscanf(field, "cast[%d]", &i); n != 1 || err != nil {
		return -1
	}
	if _, after, ok := strings.Cut(field, "]."); ok {
		key = after
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return -1
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return -1
		}
		if tok != "cast" {
			var skip json.RawMessage
			if dec.Decode(&skip) != nil {
				return -1
			}
			continue
		}
		if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
			return -1
		}
		for k := 0; dec.More(); k++ {
			off := skipSpace(data, dec.InputOffset())
			var raw json.RawMessage
			if dec.Decode(&raw) != nil {
				return -1
			}
			if k < i {
				continue
			}
			if at := bytes.Index(raw, []byte(`"`+key+`"`)); key != "" && at >= 0 {
				return off + int64(at)
			}
			return off
		}
		return -1
	}
	return -1
}

// fillIDs gives shots written by hand without an id a stable one from their
// position, so decoding the same file twice gives the same project.
func fillIDs(p *Project) {
	used := map[string]bool{}
	for _, s := range p.Shots {
		used[s.ID] = true
	}
	for i, s := range p.Shots {
		if s.ID != "" {
			continue
		}
		id := fmt.Sprintf("shot-%d", i+1)
		for n := 2; used[id]; n++ {
			id = fmt.Sprintf("shot-%d-%d", i+1, n)
		}
		s.ID, used[id] = id, true
	}
}

func shorten(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	if s == "" {
		return "(missing)"
	}
	return s
}

// jsonErr turns an encoding/json error into a FileError with a position.
func jsonErr(name string, data []byte, err error, field string) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	pos, _ := jsonpos.Of(data, err)
	switch {
	case errors.As(err, &syn):
		if jsonpos.Truncated(data, err) {
			return fileErr(name, data, pos.Offset, "", "the file ends too early; it may be truncated (%s)", strings.TrimPrefix(syn.Error(), "json: "))
		}
		return fileErr(name, data, pos.Offset, "", "%s", strings.TrimPrefix(syn.Error(), "json: "))
	case errors.As(err, &typ):
		if field == "" {
			field = typ.Field
		} else if typ.Field != "" {
			field += "." + typ.Field
		}
		off := pos.Offset
		if field == "" {
			return fileErr(name, data, off, "", "expected %s, found %s", typeName(typ.Type.Kind().String()), typ.Value)
		}
		return fileErr(name, data, off, field, "expected %s, found %s", typeName(typ.Type.Kind().String()), typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fileErr(name, data, int64(len(data)), "", "the file ends too early; it may be truncated")
	}
	return fileErr(name, data, -1, field, "%s", strings.TrimPrefix(err.Error(), "json: "))
}

func typeName(kind string) string {
	switch {
	case strings.HasPrefix(kind, "int"), strings.HasPrefix(kind, "uint"):
		return "a whole number"
	case strings.HasPrefix(kind, "float"):
		return "a number"
	case kind == "string":
		return "text in quotes"
	case kind == "bool":
		return "true or false"
	case kind == "slice":
		return "a list [ … ]"
	case kind == "struct", kind == "map", kind == "ptr":
		return "an object { … }"
	}
	return kind
}

// topKeys are the keys a version 2 or 3 file's object may have.
var topKeys = []string{"format", "version", "title", "width", "height", "fps", "cast", "shots"}

// decodeWhole decodes a file of the current version in one pass, which
// is all a good file needs. It gives up (ok false) at anything else, and
// leaves saying what and where to the header check and decodeByParts,
// which read the file a field and a shot at a time to tell: four passes
// over it, which a 10,000-shot project felt as a fifth of a second.
// Text and nulls are scanFile's to check.
func decodeWhole(data []byte) (p *Project, ok bool) {
	var f fileProject
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, false
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, false
	}
	if f.Format != "slate" || f.Version != FormatVersion {
		return nil, false
	}
	p = &Project{Title: f.Title, Width: f.Width, Height: f.Height, FPS: f.FPS}
	for _, c := range f.Cast {
		p.Cast = append(p.Cast, CastRef(c))
	}
	for _, fs := range f.Shots {
		if fs == nil {
			return nil, false
		}
		s, ferr := fs.shot()
		if ferr != nil {
			return nil, false
		}
		p.Shots = append(p.Shots, s)
	}
	return p, true
}

// decodeByParts decodes a file of the current version a field and a shot
// at a time, so that an error can name where it is.
func decodeByParts(name string, data []byte) (*Project, error) {
	var f fileProject
	shots, _, err := decodeTop(name, data, []field{
		{"format", &f.Format}, {"version", &f.Version}, {"title", &f.Title},
		{"width", &f.Width}, {"height", &f.Height}, {"fps", &f.FPS}, {"cast", &f.Cast},
	})
	if err != nil {
		return nil, err
	}
	p := &Project{Title: f.Title, Width: f.Width, Height: f.Height, FPS: f.FPS}
	for _, c := range f.Cast {
		p.Cast = append(p.Cast, CastRef(c))
	}
	if p.Shots, err = decodeShots[fileShot](name, data, shots); err != nil {
		return nil, err
	}
	return p, nil
}

// decodeV2ByParts decodes a version 2 file as decodeByParts does the
// current one: the same layout, with a cast of recorded members only.
func decodeV2ByParts(name string, data []byte) (*Project, error) {
	var f fileProject
	var cast []fileCast2
	shots, _, err := decodeTop(name, data, []field{
		{"format", &f.Format}, {"version", &f.Version}, {"title", &f.Title},
		{"width", &f.Width}, {"height", &f.Height}, {"fps", &f.FPS}, {"cast", &cast},
	})
	var fe *FileError
	if errors.As(err, &fe) && slices.Contains([]string{"cast.character", "cast.description", "cast.image", "cast.member"}, fe.Field) {
		fe.Msg += `; characters came in format version 3, so a file with them says "version": 3`
	}
	if err != nil {
		return nil, err
	}
	p := &Project{Title: f.Title, Width: f.Width, Height: f.Height, FPS: f.FPS}
	for _, c := range cast {
		p.Cast = append(p.Cast, c.ref())
	}
	if p.Shots, err = decodeShots[fileShot](name, data, shots); err != nil {
		return nil, err
	}
	return p, nil
}

// fileShotOf is a shot's layout in a version of the format: decoded
// strictly, then turned into a Shot.
type fileShotOf[T any] interface {
	*T
	shot() (*Shot, *fieldErr)
}

// decodeShots decodes the shots of a file, each in the layout F of its
// version, naming the shot and the exact place of the first that is wrong.
func decodeShots[F any, P fileShotOf[F]](name string, data []byte, shots []rawShot) ([]*Shot, error) {
	var out []*Shot
	for i, raw := range shots {
		fs := P(new(F))
		if err := strictDecode(raw.data, fs); err != nil {
			return nil, shotJSONErr(name, data, raw, i, err)
		}
		s, ferr := fs.shot()
		if ferr != nil {
			return nil, fileErr(name, data, raw.offset, fmt.Sprintf("shots[%d].%s", i, ferr.field), "%s", ferr.msg)
		}
		out = append(out, s)
	}
	return out, nil
}

// rawShot is one element of the "shots" list and where it starts.
type rawShot struct {
	data   []byte
	offset int64
}

// field is a top-level key of a .slate file and where its value goes.
type field struct {
	key    string
	target any
}

// decodeTop decodes a top-level object whose keys are in fields (any other
// key is an error naming it), returning the "shots" elements undecoded and
// where each field's value starts.
func decodeTop(name string, data []byte, fields []field) ([]rawShot, map[string]int64, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil {
		return nil, nil, jsonErr(name, data, err, "")
	} else if tok != json.Delim('{') {
		return nil, nil, fileErr(name, data, 0, "", "a Slate project is a JSON object { … }")
	}
	var shots []rawShot
	offsets := map[string]int64{}
	for dec.More() {
		keyOff := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, jsonErr(name, data, err, "")
		}
		key, _ := tok.(string)
		valOff := skipSpace(data, dec.InputOffset())
		offsets[key] = valOff
		if key == "shots" {
			if shots, err = readShots(name, data, dec); err != nil {
				return nil, nil, err
			}
			continue
		}
		i := slices.IndexFunc(fields, func(f field) bool { return f.key == key })
		if i < 0 {
			keys := make([]string, 0, len(fields)+1)
			for _, f := range fields {
				keys = append(keys, f.key)
			}
			return nil, nil, fileErr(name, data, skipSpace(data, keyOff), key, "unknown field; check its spelling (fields: %s, shots)", strings.Join(keys, ", "))
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, nil, jsonErr(name, data, err, "")
		}
		if err := strictDecode(raw, fields[i].target); err != nil {
			var typ *json.UnmarshalTypeError
			if errors.As(err, &typ) {
				typ.Offset += valOff
			}
			var uf *unknownField
			if errors.As(err, &uf) {
				off := valOff + int64(bytes.LastIndex(raw[:min(int(uf.offset), len(raw))], []byte(`"`+uf.name+`"`)))
				return nil, nil, fileErr(name, data, off, key+"."+uf.name, "unknown field; check its spelling")
			}
			return nil, nil, jsonErr(name, data, err, key)
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, nil, jsonErr(name, data, err, "")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, nil, fileErr(name, data, dec.InputOffset(), "", "unexpected text after the end of the project")
	}
	return shots, offsets, nil
}

func readShots(name string, data []byte, dec *json.Decoder) ([]rawShot, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, jsonErr(name, data, err, "shots")
	}
	if tok == nil {
		return nil, nil
	}
	if tok != json.Delim('[') {
		return nil, fileErr(name, data, dec.InputOffset(), "shots", "expected a list [ … ] of shots")
	}
	var shots []rawShot
	for dec.More() {
		off := skipSpace(data, dec.InputOffset())
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, jsonErr(name, data, err, fmt.Sprintf("shots[%d]", len(shots)))
		}
		shots = append(shots, rawShot{raw, off})
	}
	if _, err := dec.Token(); err != nil {
		return nil, jsonErr(name, data, err, "shots")
	}
	return shots, nil
}

// skipSpace moves an offset from before a separator to the value after it.
func skipSpace(data []byte, off int64) int64 {
	for off < int64(len(data)) && strings.IndexByte(" \t\r\n,:", data[off]) >= 0 {
		off++
	}
	return off
}

func strictDecode(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if strings.HasPrefix(err.Error(), "json: unknown field ") {
			return &unknownField{name: strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`), offset: dec.InputOffset()}
		}
		return err
	}
	return nil
}

type unknownField struct {
	name   string
	offset int64
}

func (u *unknownField) Error() string { return fmt.Sprintf("unknown field %q", u.name) }

func shotJSONErr(name string, data []byte, raw rawShot, i int, err error) error {
	field := fmt.Sprintf("shots[%d]", i)
	var uf *unknownField
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &uf):
		// The decoder stops just after the unknown key's value; point at the
		// key itself.
		off := raw.offset + int64(bytes.LastIndex(raw.data[:min(int(uf.offset), len(raw.data))], []byte(`"`+uf.name+`"`)))
		return fileErr(name, data, off, field+"."+uf.name, "unknown field; check its spelling")
	case errors.As(err, &typ):
		typ.Offset += raw.offset
		// Field paths from encoding/json drop list indices; ours keep the
		// shot's.
		return jsonErr(name, data, typ, field)
	}
	return jsonErr(name, data, err, field)
}

// The version 1 layout: times in float seconds, camera and transition
// fields flat on the shot, the size as "WxH".
type fileV1 struct {
	Format  string      `json:"format"`
	Version int         `json:"version"`
	Title   string      `json:"title"`
	Size    string      `json:"size"`
	FPS     int         `json:"fps"`
	Cast    []fileCast2 `json:"cast"`
	// The shots, under "shots", are decoded one at a time (decodeV1).
}

type fileShot1 struct {
	ID                 string      `json:"id"`
	Title              string      `json:"title"`
	Prompt             string      `json:"prompt"`
	Duration           float64     `json:"duration"`
	Framing            string      `json:"framing"`
	Move               string      `json:"move"`
	Dialogue           []fileLine1 `json:"dialogue"`
	Sound              []fileCue1  `json:"sound"`
	Transition         string      `json:"transition"`
	TransitionDuration float64     `json:"transition_duration"`
	Seed               int64       `json:"seed"`
	Cast               []string    `json:"cast"`
	Continue           bool        `json:"continue"`
}

type fileLine1 struct {
	Speaker string  `json:"speaker"`
	Text    string  `json:"text"`
	At      float64 `json:"at"`
}

type fileCue1 struct {
	Kind        string  `json:"kind"`
	Description string  `json:"description"`
	File        string  `json:"file"`
	At          float64 `json:"at"`
	Length      float64 `json:"length"`
	GainDB      float64 `json:"gain_db"`
}

// seconds converts a version 1 time to a whole number of milliseconds.
func seconds(v float64, field string) (time.Duration, *fieldErr) {
	if math.IsNaN(v) || math.Abs(v) > maxMS/1000 {
		return 0, &fieldErr{field, fmt.Sprintf("%v s is out of range", v)}
	}
	return time.Duration(math.Round(v*1000)) * time.Millisecond, nil
}

// decodeV1 reads the version 1 layout the way decodeV2 reads the current
// one, key by key and shot by shot, so that its errors have positions too.
func decodeV1(name string, data []byte) (*Project, error) {
	var f fileV1
	shots, offsets, err := decodeTop(name, data, []field{
		{"format", &f.Format}, {"version", &f.Version}, {"title", &f.Title},
		{"size", &f.Size}, {"fps", &f.FPS}, {"cast", &f.Cast},
	})
	if err != nil {
		return nil, err
	}
	p := &Project{Title: f.Title, FPS: f.FPS}
	var ok bool
	if p.Width, p.Height, ok = parseSize(f.Size); !ok {
		off, found := offsets["size"]
		if !found {
			off = -1
		}
		return nil, fileErr(name, data, off, "size", "the size %q is not WIDTHxHEIGHT, such as 1280x720", f.Size)
	}
	for _, c := range f.Cast {
		p.Cast = append(p.Cast, c.ref())
	}
	if p.Shots, err = decodeShots[fileShot1](name, data, shots); err != nil {
		return nil, err
	}
	return p, nil
}

// parseSize reads a version 1 frame size: exactly WIDTHxHEIGHT, two whole
// numbers of at most five digits without sign or leading zero (the range
// is ValidateFormat's to check), and nothing before, between or after.
func parseSize(s string) (w, h int, ok bool) {
	ws, hs, found := strings.Cut(s, "x")
	if !found {
		return 0, 0, false
	}
	num := func(d string) (int, bool) {
		if len(d) == 0 || len(d) > 5 || d[0] == '0' {
			return 0, false
		}
		n := 0
		for _, c := range []byte(d) {
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	w, okW := num(ws)
	h, okH := num(hs)
	return w, h, okW && okH
}

func (fs *fileShot1) shot() (*Shot, *fieldErr) {
	s := &Shot{
		ID: fs.ID, Title: fs.Title, Prompt: fs.Prompt,
		Camera: Camera{Framing(fs.Framing), Move(fs.Move)},
		Seed:   fs.Seed, Cast: fs.Cast, Continue: fs.Continue,
		Transition: Transition{Kind: TransitionKind(fs.Transition)},
	}
	if s.Transition.Kind == "" {
		s.Transition.Kind = Cut
	}
	var err *fieldErr
	if s.Duration, err = seconds(fs.Duration, "duration"); err != nil {
		return nil, err
	}
	if s.Transition.Duration, err = seconds(fs.TransitionDuration, "transition_duration"); err != nil {
		return nil, err
	}
	for j, l := range fs.Dialogue {
		line := Line{Speaker: l.Speaker, Text: l.Text}
		if line.Start, err = seconds(l.At, fmt.Sprintf("dialogue[%d].at", j)); err != nil {
			return nil, err
		}
		s.Lines = append(s.Lines, line)
	}
	for j, c := range fs.Sound {
		cue := Cue{Kind: CueKind(c.Kind), Description: c.Description, File: c.File, GainDB: c.GainDB}
		if cue.Start, err = seconds(c.At, fmt.Sprintf("sound[%d].at", j)); err != nil {
			return nil, err
		}
		if cue.Duration, err = seconds(c.Length, fmt.Sprintf("sound[%d].length", j)); err != nil {
			return nil, err
		}
		s.Cues = append(s.Cues, cue)
	}
	return s, nil
}
