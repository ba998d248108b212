//go:build !race

package liveness

// raceEnabled is whether the tests run under the race detector.
const raceEnabled = false
