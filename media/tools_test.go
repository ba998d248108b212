package media

import (
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
)

func TestMissingToolError(t *testing.T) {
	for _, tc := range []struct {
		tool, wantPkg string
	}{
		{ToolFFmpeg, `"sudo apt-get install ffmpeg"`},
		{ToolFFprobe, `"sudo apt-get install ffmpeg"`},
		{ToolEspeak, `"sudo apt-get install espeak-ng"`},
	} {
		err := Tools{}.Check(tc.tool)
		var mt *MissingToolError
		if !errors.As(err, &mt) || mt.Tool != tc.tool {
			t.Fatalf("Tools{}.Check(%q) = %v, want a *MissingToolError for %s", tc.tool, err, tc.tool)
		}
		if !errors.Is(err, ErrMissingTool) {
			t.Errorf("errors.Is(%v, ErrMissingTool) = false, want true", err)
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, tc.tool+" not found on PATH") || !strings.Contains(msg, tc.wantPkg) || !strings.Contains(msg, `"make run"`) || strings.Contains(msg, "\n") {
			t.Errorf("Error() = %q, want one line naming %s, %s and \"make run\"", msg, tc.tool, tc.wantPkg)
		}
	}
}

func TestCheck(t *testing.T) {
	tools := Tools{FFmpeg: "/usr/bin/ffmpeg", FFprobe: ""}
	if err := tools.Check(ToolFFmpeg); err != nil {
		t.Errorf("Check(ffmpeg) = %v, want nil", err)
	}
	var mt *MissingToolError
	if err := tools.Check(ToolFFmpeg, ToolFFprobe, ToolEspeak); !errors.As(err, &mt) || mt.Tool != ToolFFprobe {
		t.Errorf("Check(ffmpeg, ffprobe, espeak-ng) = %v, want ffprobe missing (the first missing one)", err)
	}
	if err := tools.Check(); !errors.As(err, &mt) || mt.Tool != ToolFFprobe {
		t.Errorf("Check() = %v, want ffprobe missing", err)
	}
	if err := tools.Check("sox"); err == nil || errors.Is(err, ErrMissingTool) {
		t.Errorf("Check(sox) = %v, want an unknown-tool error", err)
	}
}

func TestFindToolsAbsolute(t *testing.T) {
	tools := FindTools()
	for _, p := range []string{tools.FFmpeg, tools.FFprobe, tools.Espeak} {
		if p != "" && !strings.HasPrefix(p, "/") {
			t.Errorf("FindTools() path %q, want absolute", p)
		}
	}
	t.Setenv("PATH", t.TempDir())
	if got := FindTools(); got != (Tools{}) {
		t.Errorf("FindTools() with an empty PATH = %+v, want all empty", got)
	}
}

var versionTests = []struct {
	name, in, want string
	wantErr        bool
}{
	{"ffmpeg debian", "ffmpeg version 5.1.9-0+deb12u1 Copyright (c) 2000-2026 the FFmpeg developers\nbuilt with gcc 12\n", "5.1.9-0+deb12u1", false},
	{"ffmpeg git", "ffmpeg version N-112345-gabcdef Copyright (c) 2000-2024", "N-112345-gabcdef", false},
	{"ffmpeg garbage", "command not found", "", true},
	{"ffmpeg empty", "", "", true},
}

func TestParseFFmpegVersion(t *testing.T) {
	captured, err := os.ReadFile("testdata/ffmpeg_version.txt")
	if err != nil {
		t.Fatal(err)
	}
	tests := append(versionTests, struct {
		name, in, want string
		wantErr        bool
	}{"captured", string(captured), "5.1.9-0+deb12u1", false})
	for _, tc := range tests {
		got, err := ParseFFmpegVersion([]byte(tc.in))
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("%s: ParseFFmpegVersion(%q) = %q, %v, want %q (error %v)", tc.name, tc.in, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestParseEspeakVersion(t *testing.T) {
	captured, err := os.ReadFile("testdata/espeak_version.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		in, want string
		wantErr  bool
	}{
		{string(captured), "1.51", false},
		{"eSpeak NG text-to-speech: 1.52.0  Data at: /usr/share/espeak-ng-data\n", "1.52.0", false},
		{"eSpeak NG text-to-speech:", "", true},
		{"espeak 1.48", "", true},
	} {
		got, err := ParseEspeakVersion([]byte(tc.in))
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("ParseEspeakVersion(%q) = %q, %v, want %q (error %v)", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
}

var voicesTests = []struct {
	in      string
	want    []Voice
	wantErr bool
}{
	{
		in: "Pty Language       Age/Gender VoiceName          File                 Other Languages\n" +
			" 2  en-us           --/M      English_(America)  gmw/en-US            (en 3)\n" +
			" 5  variant         --/F      Alicia             !v/Alicia            \n",
		want: []Voice{
			{Language: "en-us", Name: "English (America)", Identifier: "gmw/en-US", Gender: "male"},
			{Language: "variant", Name: "Alicia", Identifier: "!v/Alicia", Gender: "female"},
		},
	},
	{in: " 5  xx  --/-  Mystery  x/xx\n", want: []Voice{{Language: "xx", Name: "Mystery", Identifier: "x/xx"}}},
	{in: "Pty Language Age/Gender VoiceName File\n", wantErr: true},
	{in: " 5 en-us --/M\n", wantErr: true},
	{in: "", wantErr: true},
}

func TestParseVoices(t *testing.T) {
	for _, tc := range voicesTests {
		got, err := ParseVoices([]byte(tc.in))
		if (err != nil) != tc.wantErr || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseVoices(%q) = %+v, %v, want %+v (error %v)", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
	captured, err := os.ReadFile("testdata/espeak_voices.txt")
	if err != nil {
		t.Fatal(err)
	}
	voices, err := ParseVoices(captured)
	if err != nil {
		t.Fatalf("ParseVoices(testdata/espeak_voices.txt) = %v", err)
	}
	if len(voices) < 100 || !hasVoice(voices, "en-us") || !hasVoice(voices, "en-gb") {
		t.Errorf("ParseVoices(testdata/espeak_voices.txt) = %d voices, want over 100 including en-us and en-gb", len(voices))
	}
}

func FuzzParseVoices(f *testing.F) {
	for _, tc := range voicesTests {
		f.Add([]byte(tc.in))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		voices, err := ParseVoices(data)
		if err == nil && len(voices) == 0 {
			t.Errorf("ParseVoices(%q) = no voices and no error", data)
		}
	})
}

func hasVoice(voices []Voice, lang string) bool {
	for _, v := range voices {
		if v.Language == lang {
			return true
		}
	}
	return false
}

func TestVersionsAndVoices(t *testing.T) {
	tools := needTools(t, ToolFFmpeg, ToolFFprobe, ToolEspeak)
	ctx := testCtx(t)
	if v, err := tools.FFmpegVersion(ctx); err != nil || v == "" || strings.ContainsAny(v, " \n") {
		t.Errorf("FFmpegVersion() = %q, %v, want a version", v, err)
	}
	if v, err := tools.FFprobeVersion(ctx); err != nil || v == "" || strings.ContainsAny(v, " \n") {
		t.Errorf("FFprobeVersion() = %q, %v, want a version", v, err)
	}
	if v, err := tools.EspeakVersion(ctx); err != nil || !strings.HasPrefix(v, "1.") {
		t.Errorf("EspeakVersion() = %q, %v, want 1.x", v, err)
	}
	voices, err := tools.EspeakVoices(ctx)
	if err != nil || !hasVoice(voices, "en-us") {
		t.Errorf("EspeakVoices() = %d voices, %v, want a list including en-us", len(voices), err)
	}
}
