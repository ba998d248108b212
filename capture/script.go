package capture

import (
	"math/rand/v2"
	"strings"
	"time"
)

// LeadIn is how long a take runs before the first prompt. The person is
// expected to be silent then, which the liveness checks verify, and it
// gives the camera's exposure a moment to settle.
const LeadIn = time.Second

// scriptTiming bounds how long each prompt stays up and the pauses
// between prompts. Every take draws its own durations from these ranges,
// so two takes never line up and a recording of one cannot pass for
// another. They add up to 20.2–28.3 s with the lead-in.
var scriptTiming = struct {
	look, turn, digits, line, gap, tail [2]time.Duration
}{
	look:   [2]time.Duration{3500 * time.Millisecond, 4500 * time.Millisecond},
	turn:   [2]time.Duration{2500 * time.Millisecond, 3500 * time.Millisecond},
	digits: [2]time.Duration{5000 * time.Millisecond, 6500 * time.Millisecond},
	line:   [2]time.Duration{4000 * time.Millisecond, 5500 * time.Millisecond},
	gap:    [2]time.Duration{300 * time.Millisecond, 700 * time.Millisecond},
	tail:   [2]time.Duration{500 * time.Millisecond, 1000 * time.Millisecond},
}

// scriptLines are the short lines a take may ask for: everyday words that
// anyone can say naturally in a breath or two.
var scriptLines = []string{
	"The weather is lovely today.",
	"Let's make a film together.",
	"I am recording my own voice.",
	"Good morning, how are you?",
	"This is the start of something new.",
	"Thank you for watching.",
	"See you at the premiere.",
	"I like long walks by the sea.",
	"Coffee first, then the next scene.",
	"What a wonderful place this is.",
}

// jitter draws a duration in [r[0], r[1]] in steps of 10 ms.
func jitter(rng *rand.Rand, r [2]time.Duration) time.Duration {
	const step = 10 * time.Millisecond
	return r[0] + time.Duration(rng.Int64N(int64((r[1]-r[0])/step)+1))*step
}

// NewScript draws a take's liveness script from rng: look at the camera,
// turn the head left and right (in a random order), read five random
// digits aloud and say a short line, after a LeadIn of silence. Each
// prompt's length and the pauses between prompts are drawn afresh, so the
// script is different every take.
func NewScript(rng *rand.Rand) Script {
	t := scriptTiming
	var digits strings.Builder
	for range 5 {
		digits.WriteByte(byte('0' + rng.IntN(10)))
	}
	s := Script{Digits: digits.String(), Line: scriptLines[rng.IntN(len(scriptLines))]}

	turns := []Prompt{
		{Kind: TurnLeft, Text: "Turn your head to your left"},
		{Kind: TurnRight, Text: "Turn your head to your right"},
	}
	if rng.IntN(2) == 1 {
		turns[0], turns[1] = turns[1], turns[0]
	}
	steps := []struct {
		p   Prompt
		len [2]time.Duration
	}{
		{Prompt{Kind: LookAtCamera, Text: "Look at the camera"}, t.look},
		{turns[0], t.turn},
		{turns[1], t.turn},
		{Prompt{Kind: ReadDigits, Text: "Read aloud: " + spaced(s.Digits)}, t.digits},
		{Prompt{Kind: SayLine, Text: "Say aloud: \u201c" + s.Line + "\u201d"}, t.line},
	}
	at := LeadIn
	for i, st := range steps {
		if i > 0 {
			at += jitter(rng, t.gap)
		}
		p := st.p
		p.Start = at
		at += jitter(rng, st.len)
		p.End = at
		s.Prompts = append(s.Prompts, p)
	}
	s.Length = at + jitter(rng, t.tail)
	return s
}

// spaced writes digits with spaces between them, "4 7 1 9 2", so they are
// read one by one rather than as a number.
func spaced(digits string) string {
	return strings.Join(strings.Split(digits, ""), " ")
}

// Find returns the script's first prompt of kind k.
func (s Script) Find(k PromptKind) (Prompt, bool) {
	for _, p := range s.Prompts {
		if p.Kind == k {
			return p, true
		}
	}
	return Prompt{}, false
}
