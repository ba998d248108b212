package voices

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/media/audio"
	"github.com/slatestudio/slate/ml"
)

// Prefix marks a voice as a Piper voice: "piper:NAME" speaks with the
// installed voice NAME, and "piper:NAME:SPEAKER" with one speaker of a
// multi-speaker voice, by name or number. Any other voice is espeak-ng's.
const Prefix = "piper:"

// ParsePiper splits a Piper voice string into the voice's name and the
// speaker (empty for the first); ok is false for any other voice.
func ParsePiper(voice string) (name, speaker string, ok bool) {
	rest, ok := strings.CutPrefix(voice, Prefix)
	if !ok {
		return "", "", false
	}
	name, speaker, _ = strings.Cut(rest, ":")
	return name, speaker, true
}

// maxLoaded is how many Piper voices a Speaker keeps loaded. A film uses a
// handful; a real voice holds 60–120 MB, so the least recently used one
// beyond this is released.
const maxLoaded = 4

// Speaker speaks lines in any voice a project can name: a Piper voice
// ("piper:NAME") installed in its folders, run on ONNX Runtime, or any
// other voice with espeak-ng. It loads ONNX Runtime and each Piper voice
// the first time a line needs them, and keeps them for the lines after.
// It is safe for concurrent use.
type Speaker struct {
	tools media.Tools
	dirs  []string

	mu     sync.Mutex
	rt     *ml.Runtime
	loaded map[string]*loadedVoice // by model path
	tick   uint64
}

// loadedVoice is a Piper voice a Speaker holds, with the identity of its
// files when it was loaded, so a voice changed on disk is loaded again.
type loadedVoice struct {
	v     *Voice
	stamp string
	users int
	used  uint64
	// retired voices are no longer handed out; the last user closes them.
	retired bool
}

// NewSpeaker returns a Speaker that runs espeak-ng from tools and finds
// Piper voices in dirs (see Dirs).
func NewSpeaker(tools media.Tools, dirs []string) *Speaker {
	return &Speaker{tools: tools, dirs: dirs, loaded: map[string]*loadedVoice{}}
}

// Dirs are the folders the Speaker finds Piper voices in.
func (s *Speaker) Dirs() []string { return append([]string(nil), s.dirs...) }

// Speak says text in voice at about wpm words a minute (0 is
// media.DefaultWPM), as mono PCM at media.SpeechRate with the silence
// around the speech trimmed to 10 ms, as media.Tools.Speak gives it.
//
// A Piper voice speaks at its natural pace at media.DefaultWPM; other rates
// scale its length_scale, so twice the words a minute takes half the time.
// Phonemes the voice has no id for are left out, as Piper leaves them.
func (s *Speaker) Speak(ctx context.Context, text, voice string, wpm int) (*audio.PCM, error) {
	name, speaker, ok := ParsePiper(voice)
	if !ok {
		return s.tools.Speak(ctx, text, media.SpeakOptions{Voice: voice, WPM: wpm})
	}
	if wpm == 0 {
		wpm = media.DefaultWPM
	}
	if wpm < 80 || wpm > 450 {
		return nil, fmt.Errorf("speak: speed %d words per minute: want 80 to 450", wpm)
	}
	inst, err := Find(s.dirs, name)
	if err != nil {
		return nil, fmt.Errorf("speak: %w", err)
	}
	lv, err := s.acquire(inst)
	if err != nil {
		return nil, fmt.Errorf("speak: %w", err)
	}
	defer s.release(lv)
	scales := lv.v.cfg.Scales
	scales.Length *= float32(media.DefaultWPM) / float32(wpm)
	sp, err := lv.v.Speak(ctx, s.tools, text, Options{Speaker: speaker, Scales: &scales})
	if err != nil {
		return nil, fmt.Errorf("speak: %w", err)
	}
	pcm := audio.TrimSilence(sp.Audio, -50, 10*time.Millisecond)
	if pcm.Frames() == 0 {
		return nil, fmt.Errorf("speak: piper voice %s produced only silence for %q", name, truncate(text, 40))
	}
	return audio.Resample(ctx, pcm, media.SpeechRate)
}

// Version identifies what voice sounds like, for render cache keys: for a
// Piper voice, the size and modification time of its model and config, so
// a voice replaced on disk re-renders the shots that use it, and a voice
// not installed (yet) says so; espeak-ng voices give "".
func (s *Speaker) Version(voice string) string {
	name, _, ok := ParsePiper(voice)
	if !ok {
		return ""
	}
	inst, err := Find(s.dirs, name)
	if err != nil {
		return "missing"
	}
	st, err := stamp(inst)
	if err != nil {
		return "missing"
	}
	return st
}

// stamp is the identity of a voice's files: size and modification time.
func stamp(inst Installed) (string, error) {
	var b strings.Builder
	for _, p := range []string{inst.Model, inst.Config} {
		fi, err := os.Stat(p)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "%d@%d ", fi.Size(), fi.ModTime().UnixNano())
	}
	return strings.TrimSpace(b.String()), nil
}

// acquire returns inst loaded, loading ONNX Runtime and the voice when
// needed. The caller releases it.
func (s *Speaker) acquire(inst Installed) (*loadedVoice, error) {
	st, err := stamp(inst)
	if err != nil {
		return nil, fmt.Errorf("piper voice %s: %w", inst.Name, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tick++
	if lv, ok := s.loaded[inst.Model]; ok {
		if lv.stamp == st {
			lv.users++
			lv.used = s.tick
			return lv, nil
		}
		s.retireLocked(inst.Model, lv) // changed on disk since it was loaded
	}
	if s.rt == nil {
		if s.rt, err = loadRuntime(); err != nil {
			return nil, fmt.Errorf("piper voice %s needs ONNX Runtime: %w", inst.Name, err)
		}
	}
	// Loading holds the lock: a second line in the same voice waits for
	// this load instead of loading it again.
	v, err := Open(s.rt, inst.Model)
	if err != nil {
		return nil, err
	}
	lv := &loadedVoice{v: v, stamp: st, users: 1, used: s.tick}
	s.loaded[inst.Model] = lv
	for len(s.loaded) > maxLoaded {
		oldest := ""
		for path, l := range s.loaded {
			if oldest == "" || l.used < s.loaded[oldest].used {
				oldest = path
			}
		}
		s.retireLocked(oldest, s.loaded[oldest])
	}
	return lv, nil
}

func loadRuntime() (*ml.Runtime, error) {
	path, _, err := ml.FindLibrary()
	if err != nil {
		return nil, err
	}
	return ml.Load(path)
}

// retireLocked stops handing lv out, closing it now if nobody is using it.
func (s *Speaker) retireLocked(path string, lv *loadedVoice) {
	delete(s.loaded, path)
	lv.retired = true
	if lv.users == 0 {
		lv.v.Close()
	}
}

func (s *Speaker) release(lv *loadedVoice) {
	s.mu.Lock()
	defer s.mu.Unlock()
	lv.users--
	if lv.retired && lv.users == 0 {
		lv.v.Close()
	}
}

// Close releases the Piper voices the Speaker has loaded; one speaking a
// line now is released when the line is done. The Speaker stays usable: a
// later line loads its voice again.
func (s *Speaker) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for path, lv := range s.loaded {
		delete(s.loaded, path)
		lv.retired = true
		if lv.users == 0 {
			errs = append(errs, lv.v.Close())
		}
	}
	return errors.Join(errs...)
}
