package liveness

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/slatestudio/slate/capture"
	"github.com/slatestudio/slate/capture/vad"
	"github.com/slatestudio/slate/media/audio"
)

// The checks' thresholds.
const (
	// reaction is how long people take to follow a new prompt; frames
	// that early in a prompt are not held against it (at most half of a
	// prompt is skipped so).
	reaction = 500 * time.Millisecond

	// A face counts as facing the camera when its Turn is within
	// frontalLimit (about 17° on the face package's average head), and
	// must do so in frontalShare of the look prompt.
	frontalLimit = 0.12
	frontalShare = 0.90

	// A head counts as turned when its Turn moved by turnMin (about 9°)
	// from where it was while looking at the camera, and a turn prompt
	// passes with at least turnFrames such frames (0.3 s at 10 fps), more
	// of them turned the asked way than the other.
	turnMin    = 0.06
	turnFrames = 3

	// Speech: Silero's usual threshold; at least a quarter second of it
	// to count (shorter is a click or a cough); pauses shorter than
	// minSilence, as between words, do not end it.
	speechThreshold = 0.5
	minSpeech       = 250 * time.Millisecond
	minSilence      = 300 * time.Millisecond
	// A speech prompt passes with minSpoken of speech while it was
	// shown; the lead-in fails with more than maxLeadSpeech.
	minSpoken     = 500 * time.Millisecond
	maxLeadSpeech = 100 * time.Millisecond

	// Sound: a sample at clipLevel of full scale or beyond is at full
	// scale (decoded AAC rings a little around a clipped peak, so exactly
	// full scale is too strict; see fullScale for what full scale is);
	// more than clipShare of them is audible distortion. Speech quieter
	// than minSpeechDBFS RMS is too quiet to make a voice from.
	clipLevel     = 0.99
	clipShare     = 0.001
	minSpeechDBFS = -35.0

	// Picture: a frame darker than blackLuma on average (of 255) is
	// black, and more than blackShare of them fails the take. A frame
	// that changed by less than frozenDiff levels on average from the
	// one before did not change at all: a repeated frame decodes to a
	// change of 0–0.3 (H.264 touches it up at each key frame), while the
	// fake takes' few levels of sensor noise move a 320-wide frame by 1–7.
	// (Not yet measured on real cameras, whose noise and a breathing
	// person should move it at least as much.) frozenFor of such frames in
	// a row is a stall.
	blackLuma  = 12.0
	blackShare = 0.05
	frozenDiff = 0.5
	frozenFor  = 1500 * time.Millisecond
)

// evidence is what was measured in a take, for the checks to judge.
type evidence struct {
	script capture.Script
	frames []frame
	fps    int
	faces  bool // whether faces were looked for

	hasSound    bool
	clipped     float64    // the share of samples at full scale
	mono        *audio.PCM // the sound, mixed to mono and scaled so that full scale is 1
	speechKnown bool       // whether speech was looked for
	speech      []vad.Interval
}

// results runs every check, in the order the Check* names list them.
func (ev *evidence) results() []Result {
	return []Result{
		ev.checkPicture(),
		ev.checkFace(),
		ev.checkTurn(capture.TurnLeft),
		ev.checkTurn(capture.TurnRight),
		ev.checkQuietStart(),
		ev.checkSpoken(capture.ReadDigits),
		ev.checkSpoken(capture.SayLine),
		ev.checkSound(),
	}
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.1f s", d.Seconds()) }

func percent(n, of int) int { return int(math.Floor(100 * float64(n) / float64(max(of, 1)))) }

// window returns the frames shown while the prompt of kind k was up, less
// the first moment of it (see reaction), and the prompt.
func (ev *evidence) window(k capture.PromptKind) ([]frame, capture.Prompt, bool) {
	p, ok := ev.script.Find(k)
	if !ok {
		return nil, p, false
	}
	from := p.Start + min(reaction, (p.End-p.Start)/2)
	var out []frame
	for _, f := range ev.frames {
		if f.At >= from && f.At < p.End {
			out = append(out, f)
		}
	}
	return out, p, true
}

func frontal(f frame) bool {
	return f.Found && f.Face.Measured && math.Abs(f.Face.Turn) <= frontalLimit
}

func (ev *evidence) checkPicture() Result {
	r := Result{Name: CheckPicture}
	step := time.Second / time.Duration(ev.fps)
	black, blackFrom := 0, time.Duration(-1)
	for _, f := range ev.frames {
		if f.Luma < blackLuma {
			black++
			if blackFrom < 0 {
				blackFrom = f.At
			}
		}
	}
	if black > 0 && float64(black) > blackShare*float64(len(ev.frames)) {
		r.Message = fmt.Sprintf("The picture was black for %s of the take (from %s). Uncover the camera or turn on a light, and record again.",
			seconds(time.Duration(black)*step), seconds(blackFrom))
		return r
	}
	if len(ev.frames) == 0 {
		r.Message = "The take has no picture. Check that the camera is connected and chosen in Slate, and record again."
		return r
	}
	// The longest run of frames that did not change.
	var run, best int
	var bestEnd time.Duration
	for _, f := range ev.frames[1:] {
		if f.Diff < frozenDiff {
			run++
			if run > best {
				best, bestEnd = run, f.At
			}
		} else {
			run = 0
		}
	}
	if still := time.Duration(best) * step; still >= frozenFor {
		r.Message = fmt.Sprintf("The picture stopped moving for %s (from %s to %s): the camera may have stalled. Record again; if it happens again, unplug the camera and plug it back in.",
			seconds(still), seconds(bestEnd-still), seconds(bestEnd))
		return r
	}
	r.Passed = true
	r.Message = "The picture is lit and moving."
	return r
}

// The messages of checks that could not run.
const (
	noFaceFinder = "Your face could not be checked: Slate's face detector is not available. Reinstall Slate, then check the take again."
	noVAD        = "Your speech could not be checked: Slate's speech detector (the Silero VAD model) is not installed. Run `make run` (or scripts/setup.sh) to install it, then check the take again."
)

func (ev *evidence) checkFace() Result {
	r := Result{Name: CheckFace}
	if !ev.faces {
		r.Skipped, r.Message = true, noFaceFinder
		return r
	}
	frames, _, _ := ev.window(capture.LookAtCamera)
	if len(frames) == 0 {
		r.Message = "The take ended before the prompt to look at the camera. Record the whole take again."
		return r
	}
	found, facing := 0, 0
	for _, f := range frames {
		if f.Found {
			found++
		}
		if frontal(f) {
			facing++
		}
	}
	share := percent(facing, len(frames))
	switch {
	case float64(facing) >= frontalShare*float64(len(frames)):
		r.Passed = true
		r.Message = fmt.Sprintf("Your face was in view and facing the camera for %d%% of the time you were asked to look at it.", share)
	case found == 0:
		r.Message = "No face was found while you were asked to look at the camera. Sit facing the camera with your whole face in the picture, in good light, and record again."
	case float64(found) < frontalShare*float64(len(frames)):
		r.Message = fmt.Sprintf("Your face was found for only %d%% of the time you were asked to look at the camera; it must be %d%%. Keep your whole face in the picture, in good light, and record again.",
			percent(found, len(frames)), int(frontalShare*100))
	default:
		r.Message = fmt.Sprintf("Your face was turned away from the camera for part of the time you were asked to look at it (facing it %d%% of the time; it must be %d%%). Look straight at the camera until the next prompt, and record again.",
			share, int(frontalShare*100))
	}
	return r
}

// baseline is how the person's face measures while facing the camera:
// the median Turn of the frontal frames of the look prompt. Faces are not
// quite symmetric and cameras sit off to one side, so a turn is judged
// from there rather than from zero.
func (ev *evidence) baseline() float64 {
	frames, _, _ := ev.window(capture.LookAtCamera)
	var turns []float64
	for _, f := range frames {
		if frontal(f) {
			turns = append(turns, f.Face.Turn)
		}
	}
	if len(turns) == 0 {
		return 0
	}
	slices.Sort(turns)
	return turns[len(turns)/2]
}

// turnSign is the sign of face.Face.Turn for a head turned as k asks: the
// person's left is the picture's right, where Turn is positive.
func turnSign(k capture.PromptKind) float64 {
	if k == capture.TurnLeft {
		return 1
	}
	return -1
}

// turnedAsAsked reports whether f shows a head turned the way k asks,
// judged from base.
func turnedAsAsked(f frame, k capture.PromptKind, base float64) bool {
	return f.Found && f.Face.Measured && (f.Face.Turn-base)*turnSign(k) >= turnMin
}

func (ev *evidence) checkTurn(k capture.PromptKind) Result {
	name, side, other := CheckTurnLeft, "left", "right"
	if k == capture.TurnRight {
		name, side, other = CheckTurnRight, "right", "left"
	}
	r := Result{Name: name}
	if !ev.faces {
		r.Skipped, r.Message = true, noFaceFinder
		return r
	}
	frames, _, ok := ev.window(k)
	if !ok || len(frames) == 0 {
		r.Message = fmt.Sprintf("The take ended before the prompt to turn to your %s. Record the whole take again.", side)
		return r
	}
	base := ev.baseline()
	opposite := capture.TurnLeft
	if k == capture.TurnLeft {
		opposite = capture.TurnRight
	}
	asked, wrong, found := 0, 0, 0
	for _, f := range frames {
		if f.Found {
			found++
		}
		if turnedAsAsked(f, k, base) {
			asked++
		}
		if turnedAsAsked(f, opposite, base) {
			wrong++
		}
	}
	switch {
	case asked >= turnFrames && asked > wrong:
		r.Passed = true
		r.Message = fmt.Sprintf("Your head turned to your %s.", side)
	case wrong >= turnFrames && wrong >= asked:
		r.Message = fmt.Sprintf("Your head turned to your %s when the prompt asked for your %s. Turn towards your %s shoulder when asked, and record again.", other, side, side)
	case found == 0:
		r.Message = fmt.Sprintf("Your face was not seen while you were asked to turn to your %s. Turn your head only part way, about a quarter turn, so the camera still sees both eyes, and record again.", side)
	default:
		r.Message = fmt.Sprintf("Your head did not clearly turn to your %s. When asked, turn it about a quarter turn to your %s and hold it there until the next prompt, then record again.", side, side)
	}
	return r
}

// spoken is how much speech was found within iv.
func (ev *evidence) spoken(iv vad.Interval) (total time.Duration, first time.Duration) {
	first = -1
	for _, s := range ev.speech {
		if o := s.Overlap(iv); o > 0 {
			total += o
			if first < 0 {
				first = max(s.Start, iv.Start)
			}
		}
	}
	return total, first
}

// noSound is the message of a take without a sound track.
const noSound = "The take has no sound. Check that a microphone is connected and chosen in Slate, and record again."

// canHearSpeech reports whether the take lets a check of speech be made:
// it has sound, and speech was looked for in it. Where not, it says so in
// r, failing a take without sound and skipping the check where no speech
// detector was given.
func (ev *evidence) canHearSpeech(r *Result) bool {
	switch {
	case !ev.hasSound:
		r.Message = noSound
		return false
	case !ev.speechKnown:
		r.Skipped, r.Message = true, noVAD
		return false
	}
	return true
}

func (ev *evidence) checkQuietStart() Result {
	r := Result{Name: CheckQuietStart}
	if !ev.canHearSpeech(&r) {
		return r
	}
	lead := vad.Interval{Start: 0, End: ev.script.Prompts[0].Start}
	if said, from := ev.spoken(lead); said > maxLeadSpeech {
		r.Message = fmt.Sprintf("Speech was heard before the first prompt (from %s). Stay quiet until the first prompt appears, and record again.", seconds(from))
		return r
	}
	r.Passed = true
	r.Message = "It was quiet before the first prompt."
	return r
}

func (ev *evidence) checkSpoken(k capture.PromptKind) Result {
	name, what, ask := CheckDigits, "the digits "+spaced(ev.script.Digits)+" were shown", "Read the digits aloud, clearly, as soon as they appear"
	if k == capture.SayLine {
		name, what, ask = CheckLine, "the line to say was shown", "Say the line aloud, clearly, as soon as it appears"
	}
	r := Result{Name: name}
	if !ev.canHearSpeech(&r) {
		return r
	}
	p, ok := ev.script.Find(k)
	if !ok {
		r.Passed, r.Message = true, "The script asked for nothing to say here."
		return r
	}
	said, _ := ev.spoken(vad.Interval{Start: p.Start, End: p.End})
	switch {
	case said >= minSpoken:
		r.Passed = true
		r.Message = fmt.Sprintf("You spoke for %s while %s.", seconds(said), what)
	case said == 0:
		r.Message = fmt.Sprintf("No speech was heard while %s. %s, and record again.", what, ask)
	default:
		r.Message = fmt.Sprintf("Only %s of speech was heard while %s. %s, and record again.", seconds(said), what, ask)
	}
	return r
}

func spaced(digits string) string { return strings.Join(strings.Split(digits, ""), " ") }

// clippedShare is the share of samples, over every channel, at full scale
// fs (see fullScale).
func clippedShare(p *audio.PCM, fs float64) float64 {
	if len(p.Samples) == 0 {
		return 0
	}
	level := float32(clipLevel * fs)
	n := 0
	for _, v := range p.Samples {
		if v >= level || v <= -level {
			n++
		}
	}
	return float64(n) / float64(len(p.Samples))
}

// fullScale is the highest level the take's sound can reach. A take's
// sound is stereo, but a mono microphone's sound is spread over both
// channels at −3 dB (ffmpeg's pan law, in media's encoder), so that a
// mono recording clipped at full scale reaches only 1/√2 in the take. Such
// a take is recognised by its two channels carrying the same sound: the
// energy of their difference is under 1% of that of their sum, where AAC
// leaves it around a millionth.
func fullScale(p *audio.PCM) float64 {
	if p.Channels != 2 {
		return 1
	}
	var diff, sum float64
	for f := range p.Frames() {
		l, r := float64(p.Samples[2*f]), float64(p.Samples[2*f+1])
		diff += (l - r) * (l - r)
		sum += (l + r) * (l + r)
	}
	if sum > 0 && diff <= 0.01*sum {
		return 1 / math.Sqrt2
	}
	return 1
}

// speechLevel is the RMS level of the voice in dBFS: over the speech the
// VAD found, or without a VAD over the speaking prompts. ok is false when
// there is no speech to measure.
func (ev *evidence) speechLevel() (dbfs float64, ok bool) {
	spans := ev.speech
	if !ev.speechKnown {
		spans = nil
		for _, k := range []capture.PromptKind{capture.ReadDigits, capture.SayLine} {
			if p, found := ev.script.Find(k); found {
				spans = append(spans, vad.Interval{Start: p.Start, End: p.End})
			}
		}
	}
	rate := float64(ev.mono.Rate)
	var sum float64
	var n int
	for _, s := range spans {
		from := max(0, int(s.Start.Seconds()*rate))
		to := min(ev.mono.Frames(), int(s.End.Seconds()*rate))
		for _, v := range ev.mono.Samples[from:max(from, to)] {
			sum += float64(v) * float64(v)
		}
		n += max(0, to-from)
	}
	if n == 0 {
		return math.Inf(-1), false
	}
	return audio.DBFS(math.Sqrt(sum / float64(n))), true
}

func (ev *evidence) checkSound() Result {
	r := Result{Name: CheckSound}
	if !ev.hasSound {
		r.Message = noSound
		return r
	}
	if ev.clipped > clipShare {
		r.Message = fmt.Sprintf("Your voice was too loud and distorted: the sound hit full scale in %.1f%% of the take (it must stay under %.1f%%). Move back from the microphone or turn its level down, and record again.",
			100*ev.clipped, 100*clipShare)
		return r
	}
	level, ok := ev.speechLevel()
	switch {
	case !ok:
		r.Message = "No voice was heard, so its level could not be measured. Check that the microphone is on and not muted, and record again."
	case level < minSpeechDBFS:
		r.Message = fmt.Sprintf("Your voice was too quiet (%.0f dBFS; it must be at least %.0f dBFS). Move closer to the microphone or turn its level up, and record again.", level, minSpeechDBFS)
	default:
		r.Passed = true
		r.Message = fmt.Sprintf("Your voice is clear: %.0f dBFS, without distortion.", level)
	}
	return r
}

// stillPick is a frame chosen as a still.
type stillPick struct {
	kind  capture.PromptKind
	frame int // index into evidence.frames
}

// stillPicks chooses, for each face prompt, its highest-scoring face that
// does what the prompt asked.
func (ev *evidence) stillPicks() []stillPick {
	base := ev.baseline()
	var picks []stillPick
	for _, k := range [...]capture.PromptKind{capture.LookAtCamera, capture.TurnLeft, capture.TurnRight} {
		_, p, ok := ev.window(k)
		if !ok {
			continue
		}
		best, bestScore := -1, 0.0
		for i, f := range ev.frames {
			if f.At < p.Start || f.At >= p.End {
				continue
			}
			good := frontal(f)
			if k != capture.LookAtCamera {
				good = turnedAsAsked(f, k, base)
			}
			if good && f.Face.Score > bestScore {
				best, bestScore = i, f.Face.Score
			}
		}
		if best >= 0 {
			picks = append(picks, stillPick{kind: k, frame: best})
		}
	}
	return picks
}
