package voices

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/media/audio"
)

func TestParsePiper(t *testing.T) {
	for _, tc := range []struct {
		voice, name, speaker string
		ok                   bool
	}{
		{"piper:en_US-lessac-medium", "en_US-lessac-medium", "", true},
		{"piper:en_US-libritts-high:p3922", "en_US-libritts-high", "p3922", true},
		{"piper:", "", "", true},
		{"en-us", "", "", false},
		{"en-gb+m3", "", "", false},
		{"Piper:x", "", "", false},
	} {
		name, speaker, ok := ParsePiper(tc.voice)
		if name != tc.name || speaker != tc.speaker || ok != tc.ok {
			t.Errorf("ParsePiper(%q) = %q, %q, %v, want %q, %q, %v", tc.voice, name, speaker, ok, tc.name, tc.speaker, tc.ok)
		}
	}
}

func TestSpeakerVersion(t *testing.T) {
	dir := t.TempDir()
	model := copyVoice(t, "tiny", dir, "tiny")
	s := NewSpeaker(media.Tools{}, []string{dir})
	if v := s.Version("en-us"); v != "" {
		t.Errorf("Version(en-us) = %q, want \"\" for espeak-ng", v)
	}
	base := s.Version("piper:tiny")
	if base == "" || base == "missing" || s.Version("piper:tiny:0") != base {
		t.Fatalf("Version(piper:tiny) = %q, want the files' identity, the same for any speaker", base)
	}
	later := time.Now().Add(time.Hour)
	os.Chtimes(model, later, later)
	touched := s.Version("piper:tiny")
	if touched == base {
		t.Error("Version() did not change when the model file changed")
	}
	os.WriteFile(model+".json", append(mustRead(t, model+".json"), ' '), 0o644)
	if s.Version("piper:tiny") == touched {
		t.Error("Version() did not change when the config changed")
	}
	if v := s.Version("piper:nobody"); v != "missing" {
		t.Errorf("Version(piper:nobody) = %q, want \"missing\"", v)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSpeakerSpeak(t *testing.T) {
	tools := needEspeak(t)
	needRuntime(t)
	dir := t.TempDir()
	copyVoice(t, "tiny", dir, "tiny")
	copyVoice(t, "tiny-duo", dir, "duo")
	s := NewSpeaker(tools, []string{dir})
	defer s.Close()
	ctx := testCtx(t)
	const text = "The kite is flying high, over the hill."

	normal, err := s.Speak(ctx, text, "piper:tiny", 0)
	if err != nil {
		t.Fatalf("Speak(piper:tiny) = %v", err)
	}
	if normal.Rate != media.SpeechRate || normal.Channels != 1 || audio.DBFS(normal.RMS(0, normal.Frames())) < -30 {
		t.Errorf("Speak(piper:tiny) = %d Hz, %d channels, %.1f dBFS; want %d Hz mono speech", normal.Rate, normal.Channels, audio.DBFS(normal.RMS(0, normal.Frames())), media.SpeechRate)
	}
	// The tiny voice speaks about as long as a person would.
	if d := normal.Duration(); d < time.Second || d > 4*time.Second {
		t.Errorf("Speak(piper:tiny) lasts %v, want 1s..4s", d)
	}
	fast, err := s.Speak(ctx, text, "piper:tiny", 2*media.DefaultWPM)
	if err != nil {
		t.Fatal(err)
	}
	if r := float64(fast.Duration()) / float64(normal.Duration()); r < 0.45 || r > 0.55 {
		t.Errorf("Speak(twice the words a minute) lasts %.2f of Speak(default), want 0.5", r)
	}
	if _, err := s.Speak(ctx, text, "piper:duo:bob", 0); err != nil {
		t.Errorf("Speak(piper:duo:bob) = %v", err)
	}
	espeak, err := s.Speak(ctx, text, "en-gb+m3", 0)
	if err != nil || espeak.Rate != media.SpeechRate || espeak.Frames() == 0 {
		t.Errorf("Speak(en-gb+m3) = %v, want espeak-ng's speech", err)
	}
	for voice, says := range map[string]string{
		"piper:duo:carol": "no such speaker",
		"piper:tiny:bob":  "one speaker",
		"piper:nobody":    "not installed",
		"piper:../etc/x":  "voice name",
		"zz-nowhere":      "no such voice",
		"piper:duo:0:0":   "no such speaker",
	} {
		if _, err := s.Speak(ctx, "hello", voice, 0); err == nil || !strings.Contains(err.Error(), says) {
			t.Errorf("Speak(%s) = %v, want an error saying %q", voice, err, says)
		}
	}
	if _, err := s.Speak(ctx, "hello", "piper:tiny", 20); err == nil {
		t.Error("Speak(20 words a minute) = nil error, want one")
	}
}

// A voice replaced on disk is loaded again; voices beyond maxLoaded are
// let go; lines in several voices can be spoken at once.
func TestSpeakerLoading(t *testing.T) {
	tools := needEspeak(t)
	needRuntime(t)
	dir := t.TempDir()
	model := copyVoice(t, "tiny", dir, "changing")
	s := NewSpeaker(tools, []string{dir})
	defer s.Close()
	ctx := testCtx(t)
	if _, err := s.Speak(ctx, "hi", "piper:changing:bob", 0); err == nil {
		t.Fatal("Speak(speaker bob) of the one-speaker voice = nil error, want one")
	}
	later := time.Now().Add(time.Hour)
	for _, ext := range []string{"", ".json"} {
		os.WriteFile(model+ext, mustRead(t, filepath.Join("testdata", "tiny-duo.onnx"+ext)), 0o644)
		os.Chtimes(model+ext, later, later)
	}
	if _, err := s.Speak(ctx, "hi", "piper:changing:bob", 0); err != nil {
		t.Errorf("Speak(speaker bob) after the voice became tiny-duo = %v", err)
	}

	for i := range maxLoaded + 2 {
		copyVoice(t, "tiny", dir, fmt.Sprintf("copy%d", i))
	}
	var wg sync.WaitGroup
	errs := make(chan error, maxLoaded+2)
	for i := range maxLoaded + 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.Speak(ctx, "Hello there.", fmt.Sprintf("piper:copy%d", i), 0)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	s.mu.Lock()
	n := len(s.loaded)
	s.mu.Unlock()
	if n > maxLoaded {
		t.Errorf("the speaker holds %d voices, want at most %d", n, maxLoaded)
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close() = %v", err)
	}
	if _, err := s.Speak(ctx, "Hello again.", "piper:copy0", 0); err != nil {
		t.Errorf("Speak() after Close = %v, want the voice loaded again", err)
	}
}

func TestSpeakerNeedsEspeak(t *testing.T) {
	dir := t.TempDir()
	copyVoice(t, "tiny", dir, "tiny")
	needRuntime(t)
	s := NewSpeaker(media.Tools{}, []string{dir})
	defer s.Close()
	if _, err := s.Speak(testCtx(t), "hello", "piper:tiny", 0); !errors.Is(err, media.ErrMissingTool) {
		t.Errorf("Speak(piper:tiny) without espeak-ng = %v, want ErrMissingTool", err)
	}
}
