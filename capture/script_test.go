package capture

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"
)

func scriptFor(seed uint64) Script {
	return NewScript(rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)))
}

// TestScriptInvariants checks, for any seed, what every script must be.
func TestScriptInvariants(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := scriptFor(rapid.Uint64().Draw(t, "seed"))
		checkScript(t, s)
	})
}

func checkScript(t interface {
	Fatalf(string, ...any)
	Errorf(string, ...any)
}, s Script) {
	kinds := make([]PromptKind, len(s.Prompts))
	for i, p := range s.Prompts {
		kinds[i] = p.Kind
	}
	lr := []PromptKind{LookAtCamera, TurnLeft, TurnRight, ReadDigits, SayLine}
	rl := []PromptKind{LookAtCamera, TurnRight, TurnLeft, ReadDigits, SayLine}
	if !slices.Equal(kinds, lr) && !slices.Equal(kinds, rl) {
		t.Fatalf("prompts %v, want look, both turns, digits, line", kinds)
	}
	if s.Prompts[0].Start != LeadIn {
		t.Errorf("first prompt starts at %v, want the lead-in %v", s.Prompts[0].Start, LeadIn)
	}
	lengths := map[PromptKind][2]time.Duration{
		LookAtCamera: scriptTiming.look, TurnLeft: scriptTiming.turn, TurnRight: scriptTiming.turn,
		ReadDigits: scriptTiming.digits, SayLine: scriptTiming.line,
	}
	for i, p := range s.Prompts {
		if r := lengths[p.Kind]; p.End-p.Start < r[0] || p.End-p.Start > r[1] {
			t.Errorf("%s lasts %v, want %v–%v", p.Kind, p.End-p.Start, r[0], r[1])
		}
		if i > 0 {
			gap := p.Start - s.Prompts[i-1].End
			if gap < scriptTiming.gap[0] || gap > scriptTiming.gap[1] {
				t.Errorf("gap before %s is %v, want %v–%v (so prompts never overlap)", p.Kind, gap, scriptTiming.gap[0], scriptTiming.gap[1])
			}
		}
		if strings.TrimSpace(p.Text) == "" {
			t.Errorf("%s has no text", p.Kind)
		}
	}
	last := s.Prompts[len(s.Prompts)-1]
	if tail := s.Length - last.End; tail < scriptTiming.tail[0] || tail > scriptTiming.tail[1] {
		t.Errorf("take runs %v past the last prompt, want %v–%v", tail, scriptTiming.tail[0], scriptTiming.tail[1])
	}
	if s.Length < 20*time.Second || s.Length > 30*time.Second {
		t.Errorf("Length = %v, want 20–30 s", s.Length)
	}
	if len(s.Digits) != 5 || strings.Trim(s.Digits, "0123456789") != "" {
		t.Errorf("Digits = %q, want five digits", s.Digits)
	}
	if d, _ := s.Find(ReadDigits); d.Text != "Read aloud: "+strings.Join(strings.Split(s.Digits, ""), " ") {
		t.Errorf("digits prompt says %q for digits %q", d.Text, s.Digits)
	}
	if !slices.Contains(scriptLines, s.Line) {
		t.Errorf("Line = %q, not one of the script's lines", s.Line)
	}
	if l, _ := s.Find(SayLine); !strings.Contains(l.Text, s.Line) {
		t.Errorf("line prompt says %q, want it to contain %q", l.Text, s.Line)
	}
}

// TestScriptsDiffer: takes are not alike. Over many seeds the timings are
// all different, both turn orders occur, every digit occurs in every place
// and every line is used.
func TestScriptsDiffer(t *testing.T) {
	const n = 500
	timings := map[string]bool{}
	orders := map[PromptKind]int{}
	digits := make([]map[byte]bool, 5)
	for i := range digits {
		digits[i] = map[byte]bool{}
	}
	lines := map[string]bool{}
	for seed := range uint64(n) {
		s := scriptFor(seed)
		var key strings.Builder
		for _, p := range s.Prompts {
			fmt.Fprintf(&key, "%v-%v ", p.Start, p.End)
		}
		timings[key.String()] = true
		orders[s.Prompts[1].Kind]++
		for i := range 5 {
			digits[i][s.Digits[i]] = true
		}
		lines[s.Line] = true
	}
	if len(timings) != n {
		t.Errorf("%d seeds gave only %d different timings", n, len(timings))
	}
	if orders[TurnLeft] < n/4 || orders[TurnRight] < n/4 {
		t.Errorf("first turn over %d seeds: %v; want both orders often", n, orders)
	}
	for i, d := range digits {
		if len(d) != 10 {
			t.Errorf("digit %d took only %d values over %d seeds", i+1, len(d), n)
		}
	}
	if len(lines) != len(scriptLines) {
		t.Errorf("%d of %d lines used over %d seeds", len(lines), len(scriptLines), n)
	}
	// The same seed gives the same script.
	if a, b := scriptFor(7), scriptFor(7); fmt.Sprint(a) != fmt.Sprint(b) {
		t.Errorf("seed 7 gave two different scripts:\n%v\n%v", a, b)
	}
}

func TestScriptFind(t *testing.T) {
	s := scriptFor(1)
	for _, k := range []PromptKind{LookAtCamera, TurnLeft, TurnRight, ReadDigits, SayLine} {
		if p, ok := s.Find(k); !ok || p.Kind != k {
			t.Errorf("Find(%s) = %v, %v", k, p, ok)
		}
	}
	if _, ok := s.Find("dance"); ok {
		t.Error(`Find("dance") found a prompt`)
	}
}
