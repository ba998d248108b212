package timeline

import (
	"testing"
	"time"
)

func TestFrames(t *testing.T) {
	tests := []struct {
		d    time.Duration
		fps  int
		want int
	}{
		{time.Second, 24, 24},
		{500 * time.Millisecond, 25, 13}, // 12.5 rounds half up
		{1001 * time.Millisecond, 30, 30},
		{4500 * time.Millisecond, 24, 108},
		{60 * time.Second, 30, 1800},
		{0, 24, 0},
		{-time.Second, 24, 0},
		{time.Second, 0, 0},
	}
	for _, tt := range tests {
		if got := Frames(tt.d, tt.fps); got != tt.want {
			t.Errorf("Frames(%v, %d) = %d, want %d", tt.d, tt.fps, got, tt.want)
		}
	}
}

func TestTimingWithTransitions(t *testing.T) {
	p := sample(t) // 3 × 4 s at 24 fps, 1 s crossfade between shots 1 and 2
	got := p.Timing()
	want := []Span{{0, 96}, {72, 168}, {168, 264}}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("Timing()[%d] = %v, want %v", i, got[i], want[i])
		}
	}
	if n := p.TotalFrames(); n != 264 {
		t.Errorf("TotalFrames() = %d, want 264", n)
	}
	if n := got[len(got)-1].End; n != p.TotalFrames() {
		t.Errorf("last span ends at %d but TotalFrames() = %d", n, p.TotalFrames())
	}
	// The last shot's transition is unused and must not shorten the film.
	p.Shots[2].Transition = Transition{Kind: Crossfade, Duration: time.Second}
	if n := p.TotalFrames(); n != 264 {
		t.Errorf("TotalFrames() with a transition on the last shot = %d, want 264", n)
	}
}

// Summing many odd durations in frames never drifts from the exact total,
// which float seconds would.
func TestTimingNoDrift(t *testing.T) {
	p := New("drift")
	p.FPS = 30
	for range 10000 {
		s := NewShot("")
		s.Duration = 1100 * time.Millisecond // 33 frames at 30 fps
		p.Shots = append(p.Shots, s)
	}
	if got, want := p.TotalFrames(), 10000*33; got != want {
		t.Errorf("TotalFrames() = %d, want %d", got, want)
	}
	spans := p.Timing()
	if got := spans[9999].Start; got != 9999*33 {
		t.Errorf("Timing()[9999].Start = %d, want %d", got, 9999*33)
	}
}

func TestTimecode(t *testing.T) {
	tests := []struct {
		frame, fps int
		want       string
	}{
		{0, 24, "00:00:00:00"},
		{23, 24, "00:00:00:23"},
		{24, 24, "00:00:01:00"},
		{25*3600 + 25*61 + 7, 25, "01:01:01:07"},
		{-30, 30, "-00:00:01:00"},
	}
	for _, tt := range tests {
		if got := Timecode(tt.frame, tt.fps); got != tt.want {
			t.Errorf("Timecode(%d, %d) = %q, want %q", tt.frame, tt.fps, got, tt.want)
		}
	}
}

func TestSeconds(t *testing.T) {
	for d, want := range map[time.Duration]string{
		4 * time.Second:         "4 s",
		2500 * time.Millisecond: "2.5 s",
		1234 * time.Millisecond: "1.234 s",
		0:                       "0 s",
	} {
		if got := Seconds(d); got != want {
			t.Errorf("Seconds(%v) = %q, want %q", d, got, want)
		}
	}
}
