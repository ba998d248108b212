package media

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Tool names accepted by [Tools.Check] and reported in [MissingToolError].
const (
	ToolFFmpeg  = "ffmpeg"
	ToolFFprobe = "ffprobe"
	ToolEspeak  = "espeak-ng"
)

// Tools holds the absolute paths of the external programs media runs. A path
// is empty when the program is missing; every method that needs a missing
// program returns a [*MissingToolError] instead of failing obscurely.
type Tools struct {
	FFmpeg, FFprobe, Espeak string
	// MaxLength is the longest media these tools take in; 0 means
	// [MaxDuration], the limit for what a person brings (shots, sounds,
	// takes). A film Slate assembled itself may be longer: see
	// [Tools.WithMaxLength].
	MaxLength time.Duration
}

// WithMaxLength returns the tools with d as the longest media they take
// in, for working on a film Slate made, which may last longer than any
// input may.
func (t Tools) WithMaxLength(d time.Duration) Tools {
	t.MaxLength = d
	return t
}

// Longest is the longest media the tools take in.
func (t Tools) Longest() time.Duration {
	if t.MaxLength > 0 {
		return t.MaxLength
	}
	return MaxDuration
}

// FindTools looks ffmpeg, ffprobe and espeak-ng up on PATH. The legacy
// "espeak" program is deliberately not accepted: its voices and options differ.
func FindTools() Tools {
	return Tools{
		FFmpeg:  lookPath(ToolFFmpeg),
		FFprobe: lookPath(ToolFFprobe),
		Espeak:  lookPath(ToolEspeak),
	}
}

// lookPath returns the absolute path of name, or "" when it is missing. A
// program found only through a relative PATH entry counts as missing, the way
// exec.LookPath refuses it, so a file in the working folder is never run.
func lookPath(name string) string {
	p, err := exec.LookPath(name)
	if err != nil {
		return ""
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return ""
	}
	return abs
}

// ErrMissingTool is matched by every [*MissingToolError], so callers can ask
// errors.Is(err, media.ErrMissingTool) without knowing which tool it was.
var ErrMissingTool = errors.New("missing tool")

// MissingToolError reports an external program that Slate needs but cannot
// find. Its message says how to install the program, because the person who
// reads it is usually not the one who wrote the code.
type MissingToolError struct {
	Tool string // "ffmpeg", "ffprobe" or "espeak-ng"
}

// Error says what is missing and how to install it, on one line.
func (e *MissingToolError) Error() string {
	pkg := e.Tool
	if e.Tool == ToolFFprobe {
		pkg = "ffmpeg" // Debian ships ffprobe in the ffmpeg package
	}
	return fmt.Sprintf("%s not found on PATH: install it with \"sudo apt-get install %s\" (Debian/Ubuntu), or run \"make run\" in the Slate source folder, which installs it", e.Tool, pkg)
}

// Is makes errors.Is(err, ErrMissingTool) true for every MissingToolError.
func (e *MissingToolError) Is(target error) bool { return target == ErrMissingTool }

// path returns the configured path of a tool by name.
func (t Tools) path(tool string) (string, bool) {
	switch tool {
	case ToolFFmpeg:
		return t.FFmpeg, true
	case ToolFFprobe:
		return t.FFprobe, true
	case ToolEspeak:
		return t.Espeak, true
	}
	return "", false
}

// Check returns a [*MissingToolError] for the first of the named tools that
// is missing, or nil when all are present. With no names it checks all three,
// which is what "slate doctor" wants.
func (t Tools) Check(tools ...string) error {
	if len(tools) == 0 {
		tools = []string{ToolFFmpeg, ToolFFprobe, ToolEspeak}
	}
	for _, name := range tools {
		p, ok := t.path(name)
		if !ok {
			return fmt.Errorf("check tools: unknown tool %q (want %q, %q or %q)", name, ToolFFmpeg, ToolFFprobe, ToolEspeak)
		}
		if p == "" {
			return &MissingToolError{Tool: name}
		}
	}
	return nil
}

// FFmpegVersion returns ffmpeg's version, such as "5.1.9-0+deb12u1".
func (t Tools) FFmpegVersion(ctx context.Context) (string, error) {
	return t.version(ctx, ToolFFmpeg, ParseFFmpegVersion, "-hide_banner", "-version")
}

// FFprobeVersion returns ffprobe's version; it normally matches ffmpeg's,
// but a mismatched pair from two installs is worth seeing.
func (t Tools) FFprobeVersion(ctx context.Context) (string, error) {
	return t.version(ctx, ToolFFprobe, func(out []byte) (string, error) { return parseVersionLine(ToolFFprobe, out) }, "-hide_banner", "-version")
}

// version runs tool with args and reads its version from what it prints
// with parse.
func (t Tools) version(ctx context.Context, tool string, parse func([]byte) (string, error), args ...string) (string, error) {
	out, err := t.output(ctx, tool, args...)
	if err != nil {
		return "", fmt.Errorf("%s version: %w", tool, err)
	}
	v, err := parse(out)
	if err != nil {
		return "", fmt.Errorf("%s version: %w", tool, err)
	}
	return v, nil
}

// ParseFFmpegVersion extracts the version from the output of "ffmpeg -version",
// whose first line reads "ffmpeg version 5.1.9-0+deb12u1 Copyright ...".
func ParseFFmpegVersion(out []byte) (string, error) {
	return parseVersionLine("ffmpeg", out)
}

func parseVersionLine(tool string, out []byte) (string, error) {
	line, _, _ := strings.Cut(string(out), "\n")
	f := strings.Fields(line)
	if len(f) < 3 || f[0] != tool || f[1] != "version" {
		return "", fmt.Errorf("parse %s version: unexpected first line %q", tool, truncate(line, 80))
	}
	return f[2], nil
}

// EspeakVersion returns espeak-ng's version, such as "1.51".
func (t Tools) EspeakVersion(ctx context.Context) (string, error) {
	return t.version(ctx, ToolEspeak, ParseEspeakVersion, "--version")
}

// ParseEspeakVersion extracts the version from the output of
// "espeak-ng --version", which reads
// "eSpeak NG text-to-speech: 1.51  Data at: /usr/lib/...".
func ParseEspeakVersion(out []byte) (string, error) {
	line, _, _ := strings.Cut(string(out), "\n")
	_, rest, ok := strings.Cut(line, "text-to-speech:")
	f := strings.Fields(rest)
	if !ok || len(f) == 0 {
		return "", fmt.Errorf("parse espeak-ng version: unexpected first line %q", truncate(line, 80))
	}
	return f[0], nil
}

// Voice is one entry of "espeak-ng --voices".
type Voice struct {
	Language   string // what to pass as SpeakOptions.Voice, such as "en-us"
	Name       string // human-readable, such as "English (America)"
	Identifier string // the voice file, such as "gmw/en-US"
	Gender     string // "male", "female", or "" when espeak-ng does not say
}

// EspeakVoices lists the voices espeak-ng has installed.
func (t Tools) EspeakVoices(ctx context.Context) ([]Voice, error) {
	out, err := t.output(ctx, ToolEspeak, "--voices")
	if err != nil {
		return nil, fmt.Errorf("espeak-ng voices: %w", err)
	}
	v, err := ParseVoices(out)
	if err != nil {
		return nil, fmt.Errorf("espeak-ng voices: %w", err)
	}
	return v, nil
}

// ParseVoices parses the table printed by "espeak-ng --voices":
//
//	Pty Language       Age/Gender VoiceName          File                 Other Languages
//	 2  en-us           --/M      English_(America)  gmw/en-US            (en 3)
//
// espeak-ng writes spaces inside names as underscores so that the columns
// split on white space; ParseVoices turns them back into spaces.
func ParseVoices(out []byte) ([]Voice, error) {
	var voices []Voice
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		f := strings.Fields(line)
		if len(f) == 0 || f[0] == "Pty" {
			continue
		}
		if len(f) < 5 {
			return nil, fmt.Errorf("parse espeak-ng voices: line %d: want at least 5 columns, got %d in %q", n, len(f), truncate(line, 80))
		}
		v := Voice{
			Language:   f[1],
			Name:       strings.ReplaceAll(f[3], "_", " "),
			Identifier: f[4],
		}
		if _, g, ok := strings.Cut(f[2], "/"); ok {
			switch g {
			case "M":
				v.Gender = "male"
			case "F":
				v.Gender = "female"
			}
		}
		voices = append(voices, v)
	}
	if len(voices) == 0 {
		return nil, errors.New("parse espeak-ng voices: no voices listed")
	}
	return voices, nil
}

// truncate shortens s for an error message, so garbage input cannot produce
// a message the size of the input.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
