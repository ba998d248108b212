//go:build race

package liveness

// raceEnabled is whether the tests run under the race detector, which
// makes the face detector and the fake takes' painting about ten times
// slower.
const raceEnabled = true
