package timeline

import (
	"fmt"
	"time"
)

// Frames converts a duration to a whole number of frames at fps, rounding to
// the nearest frame. It is integer arithmetic, so summing the frames of many
// shots never drifts the way summing float seconds does.
func Frames(d time.Duration, fps int) int {
	if d <= 0 || fps <= 0 {
		return 0
	}
	n := int64(d)*int64(fps) + int64(time.Second)/2
	return int(n / int64(time.Second))
}

// FrameTime is the time at which a frame starts.
func FrameTime(frame, fps int) time.Duration {
	if fps <= 0 {
		return 0
	}
	return time.Duration(int64(frame) * int64(time.Second) / int64(fps))
}

// Span is a range of frames [Start, End) on the film's timeline.
type Span struct {
	Start, End int
}

// Len is the number of frames in the span.
func (s Span) Len() int { return s.End - s.Start }

// Timing returns each shot's span on the film's timeline. A crossfade or dip
// overlaps the two shots it joins, so the next shot starts that many frames
// before the previous one ends; the last shot's transition is unused.
func (p *Project) Timing() []Span {
	spans := make([]Span, len(p.Shots))
	start := 0
	for i, s := range p.Shots {
		n := Frames(s.Duration, p.FPS)
		spans[i] = Span{Start: start, End: start + n}
		start += n
		if i+1 < len(p.Shots) {
			start -= p.OverlapFrames(i)
		}
	}
	return spans
}

// OverlapFrames is how many frames shot i's transition overlaps the next
// shot; zero for a cut or the last shot.
func (p *Project) OverlapFrames(i int) int {
	if i < 0 || i+1 >= len(p.Shots) {
		return 0
	}
	return Frames(p.Shots[i].Transition.Overlap(), p.FPS)
}

// TotalFrames is the length of the whole film in frames, transitions
// included.
func (p *Project) TotalFrames() int {
	total := 0
	for i, s := range p.Shots {
		total += Frames(s.Duration, p.FPS)
		total -= p.OverlapFrames(i)
	}
	return total
}

// Length is the length of the whole film.
func (p *Project) Length() time.Duration {
	return FrameTime(p.TotalFrames(), p.FPS)
}

// Timecode formats a frame number as HH:MM:SS:FF at fps.
func Timecode(frame, fps int) string {
	if fps <= 0 {
		fps = 1
	}
	sign := ""
	if frame < 0 {
		sign, frame = "-", -frame
	}
	ff := frame % fps
	secs := frame / fps
	return fmt.Sprintf("%s%02d:%02d:%02d:%02d", sign, secs/3600, secs/60%60, secs%60, ff)
}

// Seconds formats a duration as seconds for messages: "4 s", "2.5 s".
func Seconds(d time.Duration) string {
	s := fmt.Sprintf("%.3f", d.Seconds())
	for s[len(s)-1] == '0' {
		s = s[:len(s)-1]
	}
	if s[len(s)-1] == '.' {
		s = s[:len(s)-1]
	}
	return s + " s"
}
