package vad

import "time"

// Interval is a stretch of time in a recording, from Start up to End.
type Interval struct {
	Start, End time.Duration
}

// Duration is End − Start.
func (i Interval) Duration() time.Duration { return i.End - i.Start }

// Overlap is how long i and j share.
func (i Interval) Overlap(j Interval) time.Duration {
	return max(0, min(i.End, j.End)-max(i.Start, j.Start))
}

// hysteresis is how far below threshold a probability must fall to count
// as silence: Silero's own get_speech_timestamps uses 0.15, so a voice
// that wavers around the threshold is not cut into pieces.
const hysteresis = 0.15

// lag is how far Silero's probability trails the sound. Its recurrent
// state needs about a window to reach the threshold once speech starts,
// and holds the probability up for one to three windows after speech
// stops; measured on 75 espeak-ng phrases (five voices, 120–200 words a
// minute, peaks from −30 to −3 dBFS) against where the speech rises above
// −50 dBFS, the raw starts were 0–130 ms late and the ends −64–190 ms
// late. Moving both edges back by one window centres those errors.
const lag = Window

// Segments turns per-window speech probabilities (one per Window, as
// Model.Probabilities returns them) into the intervals that hold speech.
// Speech starts at the first window whose probability reaches threshold,
// and ends where the probability first falls below threshold − 0.15 and
// stays below threshold for at least minSilence; a shorter dip is a pause
// inside the same speech. Speech shorter than minSpeech is dropped as a
// click or a cough. Probabilities between the two thresholds keep what was
// there: speech goes on, silence goes on. Both edges are then moved one
// Window earlier, since the model's probability trails the sound by about
// that much (see lag).
func Segments(probs []float32, threshold float32, minSpeech, minSilence time.Duration) []Interval {
	neg := max(threshold-hysteresis, 0.01)
	at := func(windows int) time.Duration { return time.Duration(windows) * Window }
	var out []Interval
	emit := func(start, end int) {
		iv := Interval{at(start), at(end)}
		if iv.Duration() < minSpeech || iv.Duration() <= 0 {
			return
		}
		shift := min(lag, iv.Start) // speech from the very start cannot start earlier
		out = append(out, Interval{iv.Start - shift, iv.End - shift})
	}
	speaking := false
	start, quietFrom := 0, -1 // quietFrom: the window where the current dip began, or -1
	for i, p := range probs {
		switch {
		case p >= threshold:
			if !speaking {
				speaking, start = true, i
			}
			quietFrom = -1
		case speaking && p < neg:
			if quietFrom < 0 {
				quietFrom = i
			}
			if at(i+1-quietFrom) >= minSilence {
				emit(start, quietFrom)
				speaking, quietFrom = false, -1
			}
		}
	}
	if speaking {
		end := len(probs)
		if quietFrom >= 0 {
			end = quietFrom // the recording ended during a dip: speech ended where it began
		}
		emit(start, end)
	}
	return out
}
