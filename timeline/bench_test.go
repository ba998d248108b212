package timeline

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// BenchmarkDecode10k decodes a file of MaxShots shots, each with a prompt
// and a line: the largest project a file holds in shots (crossfaded, so
// that it stays under an hour). Decode reads the file twice, once to check
// its text and nulls and once to decode it.
func BenchmarkDecode10k(b *testing.B) {
	p := New("Ten thousand")
	for i := range MaxShots {
		s := NewShot(fmt.Sprintf("Shot %d", i+1))
		s.ID = fmt.Sprintf("s%d", i)
		s.Prompt = strings.Repeat("a harbour at dusk, ", 10)
		s.Duration = 500 * time.Millisecond
		s.Transition = Transition{Kind: Crossfade, Duration: 200 * time.Millisecond}
		s.Lines = []Line{{Speaker: Narrator, Text: "Hi.", Start: 0}}
		p.Shots = append(p.Shots, s)
	}
	data, err := Encode(p)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := Decode("big.slate", data); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for range b.N {
		if _, err := Decode("big.slate", data); err != nil {
			b.Fatal(err)
		}
	}
}
