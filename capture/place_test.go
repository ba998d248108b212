package capture

import (
	"reflect"
	"testing"
	"time"
)

func TestPlaceFrames(t *testing.T) {
	const p = 33333333 * time.Nanosecond // 30 fps
	ms := time.Millisecond
	at := func(ts ...time.Duration) []time.Duration { return ts }
	for _, c := range []struct {
		name    string
		times   []time.Duration
		slots   []int
		dropped int
	}{
		{"steady", at(0, p, 2*p, 3*p), []int{0, 1, 2, 3}, 0},
		{"jitter keeps every frame in its slot", at(2*ms, 49*ms, 51*ms, 99*ms, 130*ms), []int{0, 1, 2, 3, 4}, 0},
		{"a late start repeats the first frame", at(100*ms, 100*ms+p), []int{0, 0, 0, 0, 1}, 0},
		{"one lost frame: repeated, counted", at(0, p, 3*p, 4*p), []int{0, 1, 1, 2, 3}, 1},
		{"three lost frames", at(0, 4*p, 5*p), []int{0, 0, 0, 0, 1, 2}, 3},
		{"a gap of 1.4 periods is jitter", at(0, 47*ms, 80*ms), []int{0, 1, 2}, 0},
		{"a burst: frames early by more than a period are left out", at(0, 1*ms, 2*ms, 3*ms, p), []int{0, 1, 4}, 0},
		{"a slightly early frame takes the next slot", at(0, 20*ms, 60*ms, 100*ms), []int{0, 1, 2, 3}, 0},
		{"a faster camera: frames with no slot of their own are left out", at(0, 20*ms, 40*ms, 60*ms), []int{0, 1, 2}, 0},
		{"nothing", nil, nil, 0},
	} {
		slots, dropped := placeFrames(c.times, p)
		if !reflect.DeepEqual(slots, c.slots) || dropped != c.dropped {
			t.Errorf("%s: placeFrames(%v) = %v, %d dropped, want %v, %d", c.name, c.times, slots, dropped, c.slots, c.dropped)
		}
	}
}

// At a camera's rate of 30000/1001 on a 30 fps grid, a frame is lost
// every 33 s: the grid repeats one, and nothing is counted as dropped.
func TestPlaceFramesSlowCamera(t *testing.T) {
	const p = time.Second / 30
	var times []time.Duration
	for n := range 1800 {
		times = append(times, time.Duration(int64(n)*1001*int64(time.Second)/30000))
	}
	slots, dropped := placeFrames(times, p)
	if dropped != 0 || len(slots) != 1802 {
		t.Errorf("placeFrames(1800 frames at 29.97) = %d slots, %d dropped, want 1802 slots, 0 dropped", len(slots), dropped)
	}
}
