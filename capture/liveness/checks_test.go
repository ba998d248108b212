package liveness

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/slatestudio/slate/capture"
	"github.com/slatestudio/slate/capture/face"
	"github.com/slatestudio/slate/capture/vad"
	"github.com/slatestudio/slate/media/audio"
)

// These tests judge made-up evidence, so each rule can be seen on its own,
// without decoding anything.

// fixedScript has round numbers: lead-in to 1 s, look 1–5 s, turn left
// 5.5–8.5 s, turn right 9–12 s, digits 12.5–18 s, line 18.5–23 s.
func fixedScript() capture.Script {
	s := time.Second
	return capture.Script{
		Digits: "47192",
		Line:   "Let's make a film together.",
		Length: 24 * s,
		Prompts: []capture.Prompt{
			{Kind: capture.LookAtCamera, Start: 1 * s, End: 5 * s},
			{Kind: capture.TurnLeft, Start: 5500 * time.Millisecond, End: 8500 * time.Millisecond},
			{Kind: capture.TurnRight, Start: 9 * s, End: 12 * s},
			{Kind: capture.ReadDigits, Start: 12500 * time.Millisecond, End: 18 * s},
			{Kind: capture.SayLine, Start: 18500 * time.Millisecond, End: 23 * s},
		},
	}
}

// seen makes a frame with a measured face turned by turn.
func seen(turn float64) frame {
	return frame{Faced: true, Found: true, Face: face.Face{Score: 300, Measured: true, Turn: turn}}
}

// frames makes 10 fps of evidence for the fixed script, each frame from at,
// with the picture lit and moving unless at says otherwise.
func frames(at func(t time.Duration) frame) *evidence {
	ev := &evidence{script: fixedScript(), fps: 10, faces: true, speechKnown: true, hasSound: true}
	for i := range 240 {
		t := time.Duration(i) * 100 * time.Millisecond
		f := at(t)
		f.At = t
		if f.Luma == 0 {
			f.Luma = 120
		}
		if f.Diff == 0 && i > 0 {
			f.Diff = 2
		}
		ev.frames = append(ev.frames, f)
	}
	return ev
}

// between reports whether t is in [a, b) seconds.
func between(t time.Duration, a, b float64) bool {
	return t >= time.Duration(a*float64(time.Second)) && t < time.Duration(b*float64(time.Second))
}

// posed is a person who faces the camera at base, and turns by turn in
// each turn prompt from half a second in.
func posed(base, left, right float64) func(time.Duration) frame {
	return func(t time.Duration) frame {
		switch {
		case between(t, 6, 8.5):
			return seen(base + left)
		case between(t, 9.5, 12):
			return seen(base + right)
		}
		return seen(base)
	}
}

func TestCheckFace(t *testing.T) {
	tests := []struct {
		name   string
		at     func(time.Duration) frame
		passed bool
		want   string
	}{
		{"facing throughout", posed(0.02, 0.12, -0.12), true, "facing the camera for 100%"},
		{"slow to look is forgiven", func(t time.Duration) frame {
			if between(t, 1, 1.4) {
				return seen(0.3)
			}
			return seen(0)
		}, true, "100%"},
		{"turned a little is still facing", posed(-0.1, 0.12, -0.12), true, "100%"},
		{"turned away 15% of the time", func(t time.Duration) frame {
			if between(t, 4.4, 5) {
				return seen(0.2)
			}
			return seen(0)
		}, false, "turned away from the camera for part of the time you were asked to look at it (facing it 82% of the time; it must be 90%)"},
		{"lost 20% of the time", func(t time.Duration) frame {
			if between(t, 4.2, 5) {
				return frame{Faced: true}
			}
			return seen(0)
		}, false, "Your face was found for only 77% of the time"},
		{"found but never measured", func(time.Duration) frame {
			return frame{Faced: true, Found: true, Face: face.Face{Score: 300}}
		}, false, "turned away"},
		{"never found", func(time.Duration) frame { return frame{Faced: true} }, false, "No face was found"},
	}
	for _, tt := range tests {
		r := frames(tt.at).checkFace()
		if r.Name != CheckFace || r.Passed != tt.passed || !strings.Contains(r.Message, tt.want) {
			t.Errorf("%s: checkFace() = %+v, want passed %v and %q", tt.name, r, tt.passed, tt.want)
		}
	}
	ev := frames(posed(0, 0.1, -0.1))
	ev.faces = false
	if r := ev.checkFace(); r.Passed || !r.Skipped {
		t.Errorf("checkFace() without a face finder = %+v, want skipped", r)
	}
}

func TestCheckTurn(t *testing.T) {
	tests := []struct {
		name        string
		at          func(time.Duration) frame
		left, right bool
		want        string // in the failing message(s)
	}{
		{"both turns", posed(0.03, 0.12, -0.12), true, true, ""},
		// A camera off to one side, or a face not quite symmetric, moves
		// the whole measure; turns count from the person's own frontal.
		{"judged from the person's frontal", posed(0.1, 0.07, -0.07), true, true, ""},
		{"too small a turn", posed(0, 0.04, -0.04), false, false, "did not clearly turn"},
		{"wrong way", posed(0, -0.12, 0.12), false, false, "when the prompt asked for your"},
		{"only left", posed(0, 0.12, 0), true, false, "did not clearly turn to your right"},
		{"face lost", func(t time.Duration) frame {
			if between(t, 5.5, 12) {
				return frame{Faced: true}
			}
			return seen(0)
		}, false, false, "Your face was not seen"},
		// Turned far enough for the detector to lose the face, but seen on
		// the way there and back: that is a turn.
		{"lost at the far point", func(t time.Duration) frame {
			switch {
			case between(t, 6, 6.3) || between(t, 8.1, 8.4):
				return seen(0.1)
			case between(t, 6.3, 8.1):
				return frame{Faced: true}
			}
			return seen(0)
		}, true, false, "did not clearly turn to your right"},
		{"a glimpse is not a turn", func(t time.Duration) frame {
			if between(t, 6, 6.2) {
				return seen(0.12)
			}
			return seen(0)
		}, false, false, "did not clearly turn"},
	}
	for _, tt := range tests {
		ev := frames(tt.at)
		for _, c := range []struct {
			kind capture.PromptKind
			name string
			want bool
		}{{capture.TurnLeft, CheckTurnLeft, tt.left}, {capture.TurnRight, CheckTurnRight, tt.right}} {
			r := ev.checkTurn(c.kind)
			if r.Name != c.name || r.Passed != c.want || (!r.Passed && !strings.Contains(r.Message, tt.want)) {
				t.Errorf("%s: checkTurn(%s) = %+v, want passed %v (failing with %q)", tt.name, c.kind, r, c.want, tt.want)
			}
		}
	}
}

func TestCheckPicture(t *testing.T) {
	tests := []struct {
		name   string
		at     func(time.Duration) frame
		passed bool
		want   string
	}{
		{"lit and moving", func(time.Duration) frame { return frame{} }, true, "lit and moving"},
		{"black for a moment", func(t time.Duration) frame {
			if between(t, 3, 4) { // 1 s of 24 is 4%
				return frame{Luma: 3}
			}
			return frame{}
		}, true, ""},
		{"black for long", func(t time.Duration) frame {
			if between(t, 3, 5) {
				return frame{Luma: 3}
			}
			return frame{}
		}, false, "The picture was black for 2.0 s of the take (from 3.0 s)"},
		{"still for a moment", func(t time.Duration) frame {
			if between(t, 3, 4.4) {
				return frame{Diff: 0.1}
			}
			return frame{}
		}, true, ""},
		{"frozen", func(t time.Duration) frame {
			if between(t, 3, 6) {
				return frame{Diff: 0.1}
			}
			return frame{}
		}, false, "The picture stopped moving for 3.0 s (from 2.9 s to 5.9 s)"},
	}
	for _, tt := range tests {
		r := frames(tt.at).checkPicture()
		if r.Name != CheckPicture || r.Passed != tt.passed || !strings.Contains(r.Message, tt.want) {
			t.Errorf("%s: checkPicture() = %+v, want passed %v and %q", tt.name, r, tt.passed, tt.want)
		}
	}
}

func TestCheckSpeech(t *testing.T) {
	iv := func(a, b float64) vad.Interval {
		return vad.Interval{Start: time.Duration(a * float64(time.Second)), End: time.Duration(b * float64(time.Second))}
	}
	tests := []struct {
		name              string
		speech            []vad.Interval
		quiet, dig, lines bool
		want              string
	}{
		{"as asked", []vad.Interval{iv(13, 15.5), iv(19, 20.6)}, true, true, true, ""},
		{"a breath in the lead-in", []vad.Interval{iv(0.95, 1.04), iv(13, 15.5), iv(19, 20.6)}, true, true, true, ""},
		{"spoke before the prompts", []vad.Interval{iv(0.3, 0.9), iv(13, 15.5), iv(19, 20.6)}, false, true, true, "Speech was heard before the first prompt (from 0.3 s)"},
		{"digits too short", []vad.Interval{iv(13, 13.3), iv(19, 20.6)}, true, false, true, "Only 0.3 s of speech was heard while the digits 4 7 1 9 2 were shown"},
		{"line missing", []vad.Interval{iv(13, 15.5)}, true, true, false, "No speech was heard while the line to say was shown"},
		{"reading runs over into the line", []vad.Interval{iv(17.8, 19.5)}, true, false, true, "Only 0.2 s of speech"},
	}
	for _, tt := range tests {
		ev := frames(func(time.Duration) frame { return frame{} })
		ev.speech = tt.speech
		for _, c := range []struct {
			r    Result
			want bool
		}{{ev.checkQuietStart(), tt.quiet}, {ev.checkSpoken(capture.ReadDigits), tt.dig}, {ev.checkSpoken(capture.SayLine), tt.lines}} {
			if c.r.Passed != c.want || (!c.r.Passed && !strings.Contains(c.r.Message, tt.want)) {
				t.Errorf("%s: %s = %+v, want passed %v (failing with %q)", tt.name, c.r.Name, c.r, c.want, tt.want)
			}
		}
	}

	ev := frames(func(time.Duration) frame { return frame{} })
	ev.speechKnown = false
	for _, r := range []Result{ev.checkQuietStart(), ev.checkSpoken(capture.ReadDigits), ev.checkSpoken(capture.SayLine)} {
		if r.Passed || !r.Skipped || !strings.Contains(r.Message, "scripts/setup.sh") {
			t.Errorf("%s without a VAD = %+v, want skipped, saying how to install it", r.Name, r)
		}
	}
	ev.hasSound = false
	for _, r := range []Result{ev.checkQuietStart(), ev.checkSpoken(capture.ReadDigits), ev.checkSound()} {
		if r.Passed || r.Skipped || !strings.Contains(r.Message, "The take has no sound") {
			t.Errorf("%s without sound = %+v, want failed, saying there is no sound", r.Name, r)
		}
	}
}

// tone returns mono sound, silent but for a sine of the given RMS level
// within spans.
func tone(length time.Duration, dbfs float64, spans ...vad.Interval) *audio.PCM {
	rate := 8000
	p := audio.NewPCM(rate, 1, int(length.Seconds()*float64(rate)))
	amp := math.Sqrt2 * math.Pow(10, dbfs/20)
	for _, s := range spans {
		for i := int(s.Start.Seconds() * float64(rate)); i < int(s.End.Seconds()*float64(rate)); i++ {
			p.Samples[i] = float32(amp * math.Sin(2*math.Pi*440*float64(i)/float64(rate)))
		}
	}
	return p
}

func TestCheckSound(t *testing.T) {
	speech := []vad.Interval{{Start: 13 * time.Second, End: 15 * time.Second}}
	tests := []struct {
		name    string
		dbfs    float64
		speech  []vad.Interval
		known   bool
		clipped float64
		passed  bool
		want    string
	}{
		{"clear", -20, speech, true, 0, true, "Your voice is clear: -20 dBFS"},
		{"just loud enough", -34.5, speech, true, 0, true, "clear"},
		{"too quiet", -40, speech, true, 0, false, "Your voice was too quiet (-40 dBFS; it must be at least -35 dBFS)"},
		{"clipped", -20, speech, true, 0.003, false, "hit full scale in 0.3% of the take"},
		{"no voice", -20, nil, true, 0, false, "No voice was heard"},
		// Without a VAD the speaking prompts are measured whole: the
		// speech fills 2 s of the 10 s they last, 7 dB down.
		{"without a VAD", -20, nil, false, 0, true, "-27 dBFS"},
	}
	for _, tt := range tests {
		ev := frames(func(time.Duration) frame { return frame{} })
		ev.mono = tone(24*time.Second, tt.dbfs, speech...)
		ev.speech, ev.speechKnown, ev.clipped = tt.speech, tt.known, tt.clipped
		r := ev.checkSound()
		if r.Name != CheckSound || r.Passed != tt.passed || !strings.Contains(r.Message, tt.want) {
			t.Errorf("%s: checkSound() = %+v, want passed %v and %q", tt.name, r, tt.passed, tt.want)
		}
	}
}

func TestClippingAndFullScale(t *testing.T) {
	mono := tone(time.Second, -6, vad.Interval{End: time.Second})
	// As media's encoder spreads a mono microphone over two channels.
	spread := mono.ToStereo()
	spread.Gain(1 / math.Sqrt2)
	different := mono.ToStereo()
	for f := range different.Frames() {
		different.Samples[2*f+1] = 0
	}
	for _, tt := range []struct {
		name string
		p    *audio.PCM
		want float64
	}{{"mono", mono, 1}, {"same on both channels", spread, 1 / math.Sqrt2}, {"true stereo", different, 1}} {
		if got := fullScale(tt.p); got != tt.want {
			t.Errorf("fullScale(%s) = %.3f, want %.3f", tt.name, got, tt.want)
		}
	}
	// A sine at −6 dBFS RMS peaks at 0.71 and never reaches full scale;
	// nor does the same spread over two channels at −3 dB, measured
	// against its own full scale. Driven four times harder into that full
	// scale, most of its samples sit there.
	if got := clippedShare(mono, 1); got != 0 {
		t.Errorf("clippedShare(clean) = %v, want 0", got)
	}
	if got := clippedShare(spread, fullScale(spread)); got != 0 {
		t.Errorf("clippedShare(clean, spread) = %v, want 0", got)
	}
	clipped := mono.ToStereo()
	clipped.Gain(1 / math.Sqrt2 * 4)
	for i, v := range clipped.Samples {
		clipped.Samples[i] = float32(math.Max(-1/math.Sqrt2, math.Min(1/math.Sqrt2, float64(v))))
	}
	if got := clippedShare(clipped, fullScale(clipped)); got < 0.5 {
		t.Errorf("clippedShare(clipped, spread) = %v, want most samples", got)
	}
}

func TestStillPicks(t *testing.T) {
	ev := frames(posed(0.02, 0.12, -0.12))
	best := map[time.Duration]float64{3 * time.Second: 500, 7 * time.Second: 450, 10 * time.Second: 420,
		// Higher scores that do not do what their prompt asks.
		1300 * time.Millisecond: 900}
	for i, f := range ev.frames {
		if s, ok := best[f.At]; ok {
			ev.frames[i].Face.Score = s
		}
		if f.At == 1300*time.Millisecond {
			ev.frames[i].Face.Turn = 0.5 // looking away
		}
	}
	picks := ev.stillPicks()
	want := []stillPick{{capture.LookAtCamera, 30}, {capture.TurnLeft, 70}, {capture.TurnRight, 100}}
	if len(picks) != len(want) {
		t.Fatalf("stillPicks() = %v, want %v", picks, want)
	}
	for i := range want {
		if picks[i] != want[i] {
			t.Errorf("stillPicks()[%d] = %v, want %v", i, picks[i], want[i])
		}
	}
}
