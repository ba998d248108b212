package capture

import (
	"math"
	"time"
)

// placeFrames puts frames captured at times (from the take's start,
// ascending) on the grid of a constant frame rate, one slot every period:
// slots[k] is the frame shown from k×period. This is what lines the
// picture up with the sound: slot k is at k×period on the same clock as
// the sound's samples.
//
// Each frame takes the slot nearest its time. A frame early for the next
// free slot by less than a period (jitter) takes that slot rather than
// being lost; one early by more (a burst of frames) is left out. Slots a
// frame skips over repeat the frame before, and slots before the first
// frame show the first frame. So a camera whose frames come steadily
// gives each frame exactly one slot, whatever its jitter.
//
// dropped counts the frames the camera lost: for every gap between two
// frames longer than 1.5 periods, the frames that would have filled it.
func placeFrames(times []time.Duration, period time.Duration) (slots []int, dropped int) {
	next := 0 // the next free slot
	for i, t := range times {
		x := float64(t) / float64(period)
		s := int(math.Round(x))
		if s < next {
			if float64(next)-x > 1 {
				continue
			}
			s = next
		}
		fill := max(i-1, 0) // the frame the skipped slots repeat
		if len(slots) == 0 {
			fill = i
		}
		for len(slots) < s {
			slots = append(slots, fill)
		}
		slots = append(slots, i)
		next = s + 1
	}
	for i := 1; i < len(times); i++ {
		if gap := times[i] - times[i-1]; gap*2 > period*3 {
			dropped += int(math.Round(float64(gap)/float64(period))) - 1
		}
	}
	return slots, dropped
}
