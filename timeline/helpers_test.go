package timeline

import (
	"fmt"
	"time"
)

// tb is the part of testing.TB that rapid.T has too.
type tb interface {
	Helper()
	Fatalf(format string, args ...any)
}

// sample returns a valid three-shot project with a crossfade and dialogue.
func sample(t tb) *Project {
	t.Helper()
	p := New("Sample")
	p.Cast = []CastRef{{ID: "ana", Name: "Ana", Voice: "en-gb+f3"}, {ID: "ben", Name: "Ben"}}
	for i := range 3 {
		s := NewShot(fmt.Sprintf("Shot %d", i+1))
		s.ID = fmt.Sprintf("s%d", i+1)
		s.Prompt = "a prompt"
		p.Shots = append(p.Shots, s)
	}
	p.Shots[0].Transition = Transition{Kind: Crossfade, Duration: time.Second}
	p.Shots[1].Lines = []Line{{Speaker: "ana", Text: "Hello there.", Start: 500 * time.Millisecond}}
	p.Shots[1].Cast = []string{"ana"}
	p.Shots[2].Cues = []Cue{{Kind: Music, Description: "piano", Start: time.Second, Duration: 2 * time.Second, GainDB: -6}}
	if err := p.Validate(); err != nil {
		t.Fatalf("sample project is invalid: %v", err)
	}
	return p
}
