// Package liveness checks that a take was recorded live, by a person
// following its script: a face that looks at the camera and turns as
// asked, speech when the script asks for it and silence before, a voice
// neither too quiet nor distorted, and a picture neither black nor frozen.
// It also picks what the library keeps of a take that passes: the best
// stills of the face (frontal, turned left, turned right) and a voice
// sample.
//
// Every result says in plain words what was found and, when a check
// fails, what to do differently on the next take.
//
// Takes are checked as the camera recorded them, not mirrored: "turn
// left" means the person's left, which is the picture's right. (A studio
// may mirror its live preview, as a mirror would; that does not change
// the take.)
package liveness

import (
	"context"
	"fmt"
	"image"
	"time"

	"github.com/slatestudio/slate/capture"
	"github.com/slatestudio/slate/capture/face"
	"github.com/slatestudio/slate/capture/vad"
	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/media/audio"
)

// FaceFinder finds the best face in a grayscale frame; *face.Detector is
// one. Check calls it from several goroutines at once.
type FaceFinder interface {
	Find(img *image.Gray) (face.Face, bool)
}

// SpeechFinder gives the probability of speech in each vad.Window of a
// recording, from its start; *vad.Model is one.
type SpeechFinder interface {
	Probabilities(ctx context.Context, pcm *audio.PCM) ([]float32, error)
}

var (
	_ FaceFinder   = (*face.Detector)(nil)
	_ SpeechFinder = (*vad.Model)(nil)
)

// Deps are what Check needs.
type Deps struct {
	// Tools decode the take (ffmpeg and ffprobe).
	Tools media.Tools
	// VAD finds speech. When it is nil (the model is not installed) the
	// speech checks are reported as skipped, saying how to install it.
	VAD SpeechFinder
	// Faces finds faces. When it is nil the face checks are reported as
	// skipped.
	Faces FaceFinder
}

// The checks' names, in the order a Report lists them.
const (
	CheckPicture    = "picture"     // neither black nor frozen
	CheckFace       = "face"        // present and facing the camera while asked to look at it
	CheckTurnLeft   = "turn_left"   // the head turned to the person's left when asked
	CheckTurnRight  = "turn_right"  // the head turned to the person's right when asked
	CheckQuietStart = "quiet_start" // no speech before the first prompt
	CheckDigits     = "digits"      // speech while the digits were shown
	CheckLine       = "line"        // speech while the line was shown
	CheckSound      = "sound"       // the voice neither too quiet nor clipped
)

// Result is the outcome of one check.
type Result struct {
	Name   string
	Passed bool
	// Skipped is true when the check could not run, because what it
	// needs is not installed; Passed is then false, and Message says how
	// to install it.
	Skipped bool
	// Message says in plain words what was found, and when the check
	// failed, what to do differently on the next take.
	Message string
}

// Report is what Check found.
type Report struct {
	Results []Result
	// Stills are the best frame of the face for each of LookAtCamera,
	// TurnLeft and TurnRight that has one: the highest-scoring face that
	// meets its prompt (facing the camera, or turned the asked way).
	Stills []Still
	// Voice is the longest stretch of speech, or nil when there was none.
	Voice *Voice
}

// Still is a frame of the take, at its full size.
type Still struct {
	Kind  capture.PromptKind
	At    time.Duration // from the start of the take
	Score float64       // the face detector's score; higher is a clearer face
	Image *image.RGBA
}

// Voice is a sample of the person's voice.
type Voice struct {
	// Span is where it was in the take, with a little margin either side.
	Span vad.Interval
	// WAV is the sample as a mono 16-bit WAV file at 48 kHz, at the level
	// it was recorded.
	WAV []byte
}

// Passed reports whether every check passed.
func (r *Report) Passed() bool {
	for _, res := range r.Results {
		if !res.Passed {
			return false
		}
	}
	return true
}

// Result returns the result of the check called name.
func (r *Report) Result(name string) (Result, bool) {
	for _, res := range r.Results {
		if res.Name == name {
			return res, true
		}
	}
	return Result{}, false
}

// Check decodes the take and runs every check on it. Failed checks are
// results, not errors; the error is for a take that cannot be read at
// all, a missing ffmpeg, or ctx ending.
func Check(ctx context.Context, take capture.Take, deps Deps) (*Report, error) {
	if len(take.Script.Prompts) == 0 {
		return nil, fmt.Errorf("check take %s: it has no script to check it against", take.Video)
	}
	if err := deps.Tools.Check(media.ToolFFmpeg, media.ToolFFprobe); err != nil {
		return nil, fmt.Errorf("check take: %w", err)
	}
	probe, err := deps.Tools.Probe(ctx, take.Video)
	if err != nil {
		return nil, fmt.Errorf("check take: %w", err)
	}
	if probe.Video == nil {
		return nil, fmt.Errorf("check take %s: it has no picture", take.Video)
	}
	ev := &evidence{script: take.Script, faces: deps.Faces != nil, speechKnown: deps.VAD != nil}
	if ev.frames, ev.fps, err = readFrames(ctx, deps.Tools, deps.Faces, take.Video, probe, take.Script); err != nil {
		return nil, fmt.Errorf("check take: %w", err)
	}
	if probe.Audio != nil {
		if err := ev.listen(ctx, deps, take.Video); err != nil {
			return nil, fmt.Errorf("check take: %w", err)
		}
	}
	report := &Report{Results: ev.results()}
	if report.Stills, err = stills(ctx, deps.Tools, take.Video, ev); err != nil {
		return nil, fmt.Errorf("check take: %w", err)
	}
	if report.Voice, err = ev.voice(); err != nil {
		return nil, fmt.Errorf("check take: %w", err)
	}
	return report, nil
}

// listen decodes the take's sound and finds its speech.
func (ev *evidence) listen(ctx context.Context, deps Deps, path string) error {
	// Stereo, so a clip in either channel of a stereo microphone counts.
	sound, err := deps.Tools.DecodeAudio(ctx, path, soundRate, 2)
	if err != nil {
		return err
	}
	ev.hasSound = true
	fs := fullScale(sound)
	ev.clipped = clippedShare(sound, fs)
	// Levels are judged against full scale, so a mono microphone's sound
	// is brought back up to where it was recorded.
	ev.mono = audio.NewPCM(sound.Rate, 1, sound.Frames())
	g := float32(0.5 / fs)
	for f := range ev.mono.Samples {
		ev.mono.Samples[f] = (sound.Samples[2*f] + sound.Samples[2*f+1]) * g
	}
	if deps.VAD == nil {
		return nil
	}
	probs, err := deps.VAD.Probabilities(ctx, ev.mono)
	if err != nil {
		return err
	}
	ev.speech = vad.Segments(probs, speechThreshold, minSpeech, minSilence)
	return nil
}
