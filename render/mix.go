package render

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/media/audio"
	"github.com/slatestudio/slate/timeline"
)

// Loudness normalisation: the film's true peak stays under −1 dBTP, the
// usual ceiling for online video, by limiting samples at −2 dBFS.
const (
	peakCeiling = 0.794 // −2 dBFS
	maxTruePeak = -1.0
	maxBoostDB  = 24
)

// The film's sound is never held whole: an hour of 48 kHz stereo is
// 1.4 GB as float samples. It is mixed as the clips' sound streams out of
// ffmpeg into a file of raw float samples beside the film's other scratch
// files, and every pass of the normalisation reads that file and writes
// the WAV the film is made with. Memory stays that of one shot's sound,
// however long the film.

// mixFilm lays every clip's sound at its shot's start and normalises the
// whole to LoudnessTarget. Dialogue is never faded by a transition: the
// overlapping sounds of two shots simply play together. It returns the
// path of a 48 kHz stereo WAV exactly as long as the film.
func mixFilm(ctx context.Context, tools media.Tools, p *timeline.Project, clips []string, probes []*media.Probe, spans []timeline.Span, total int, tmp string) (string, error) {
	samplesAt := func(frame int) int64 { return int64(frame) * AudioRate / int64(p.FPS) }
	parts := make([]media.AudioPart, len(clips))
	starts := make([]int64, len(clips))
	hasAudio := map[string]bool{}
	for i, c := range clips {
		// A clip's sound may run a few samples past its picture (AAC
		// works in blocks); the shot's span is what counts.
		parts[i] = media.AudioPart{Path: c, Frames: int(samplesAt(spans[i].End) - samplesAt(spans[i].Start))}
		starts[i] = 2 * samplesAt(spans[i].Start)
		hasAudio[c] = probes[i].Audio != nil
	}
	raw := filepath.Join(tmp, "mix.f32")
	f, err := os.Create(raw)
	if err != nil {
		return "", fmt.Errorf("assemble: the clips' sound: %w", err)
	}
	defer f.Close()
	m := &mixer{w: bufio.NewWriterSize(f, 1<<20), starts: starts, part: -1}
	err = tools.StreamAudioParts(ctx, parts, AudioRate, 2, func(path string) bool { return hasAudio[path] }, m.add)
	if err == nil {
		err = m.finish(2 * samplesAt(total))
	}
	if err == nil {
		err = f.Close()
	}
	if err != nil {
		return "", fmt.Errorf("assemble: the clips' sound: %w", err)
	}
	out := filepath.Join(tmp, "mix.wav")
	if m.peak < 1e-4 {
		_, err := writeMix(ctx, raw, out, nil) // silence has no loudness
		return out, err
	}
	if err := normalise(ctx, tools, raw, out); err != nil {
		return "", fmt.Errorf("assemble: normalise loudness: %w", err)
	}
	return out, nil
}

// mixer adds the clips' sound, arriving part after part, into one stream
// of stereo samples written to w. A part starts where its shot starts,
// which is never before the part before it, so everything before the
// start of the part arriving is final and written out; what is kept is
// at most a shot's sound and the end of the one before it.
type mixer struct {
	w      *bufio.Writer
	starts []int64 // the sample each part starts at

	part    int       // the part arriving; -1 before the first
	at      int64     // where its next sample goes
	pending []float32 // the mix from sample written on
	written int64
	peak    float32
	bytes   []byte
}

func (m *mixer) add(part int, samples []float32) error {
	if part != m.part {
		m.part, m.at = part, m.starts[part]
		if err := m.writeTo(m.at); err != nil {
			return err
		}
	}
	from := int(m.at - m.written)
	if need := from + len(samples); need > len(m.pending) {
		m.pending = append(m.pending, make([]float32, need-len(m.pending))...)
	}
	for k, s := range samples {
		m.pending[from+k] += s
	}
	m.at += int64(len(samples))
	return nil
}

// writeTo writes the mix up to sample end, silence where no part reached.
func (m *mixer) writeTo(end int64) error {
	n := int(end - m.written)
	if n <= 0 {
		return nil
	}
	if n > len(m.pending) {
		m.pending = append(m.pending, make([]float32, n-len(m.pending))...)
	}
	for _, s := range m.pending[:n] {
		m.peak = max(m.peak, float32(math.Abs(float64(s))))
	}
	if err := writeF32(m.w, m.pending[:n], &m.bytes); err != nil {
		return err
	}
	m.pending = append(m.pending[:0], m.pending[n:]...)
	m.written = end
	return nil
}

// finish writes the rest of the mix, exactly total samples in all: a
// part that runs past the film's end is cut there.
func (m *mixer) finish(total int64) error {
	m.pending = m.pending[:min(len(m.pending), int(max(total-m.written, 0)))]
	if err := m.writeTo(total); err != nil {
		return err
	}
	return m.w.Flush()
}

// writeF32 writes samples as little-endian float32, through buf.
func writeF32(w io.Writer, samples []float32, buf *[]byte) error {
	if cap(*buf) < 4*len(samples) {
		*buf = make([]byte, 4*len(samples))
	}
	b := (*buf)[:4*len(samples)]
	for i, s := range samples {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(s))
	}
	_, err := w.Write(b)
	return err
}

// mixStep is one pass of normalisation: a gain, then the limiter if the
// gain pushed peaks too high.
type mixStep struct {
	gain  float32
	limit bool
}

// normalise brings the raw mix to LoudnessTarget with its true peak under
// maxTruePeak, and writes it to path as a WAV. It measures (EBU R128,
// through ffmpeg), applies the gain, limits the peaks the gain pushed too
// high, and measures again, since limiting takes a little loudness away.
// Each pass applies every step so far to the raw mix as it streams from
// the file.
func normalise(ctx context.Context, tools media.Tools, raw, path string) error {
	var steps []mixStep
	for round := 0; ; round++ {
		peak, err := writeMix(ctx, raw, path, steps)
		if err != nil {
			return err
		}
		l, err := tools.MeasureLoudness(ctx, path)
		if err != nil {
			return err
		}
		gain := LoudnessTarget - l.Integrated
		if (math.Abs(gain) <= 0.1 && l.TruePeak <= maxTruePeak) || round == 4 {
			return nil
		}
		g := float32(math.Pow(10, min(gain, maxBoostDB)/20))
		// Gain keeps the order of the samples' sizes, so the peak after
		// it is the peak before it times the gain.
		steps = append(steps, mixStep{gain: g, limit: peak*g > peakCeiling || l.TruePeak+gain > maxTruePeak})
	}
}

// writeMix streams the raw mix through steps into a 16-bit WAV at path,
// and returns the peak of what it wrote, before it was rounded to 16 bits.
func writeMix(ctx context.Context, raw, path string, steps []mixStep) (float32, error) {
	in, err := os.Open(raw)
	if err != nil {
		return 0, err
	}
	defer in.Close()
	out, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	defer out.Close()
	wav, err := audio.NewWAVWriter(out, AudioRate, 2)
	if err != nil {
		return 0, err
	}
	limiters := make([]*audio.Limiter, len(steps))
	for i, s := range steps {
		if s.limit {
			limiters[i] = audio.NewLimiter(AudioRate, 2, peakCeiling, 5*time.Millisecond, 80*time.Millisecond)
		}
	}
	var peak float32
	// apply runs samples through steps from the first on; the limiters
	// hold back a few milliseconds, which flush gives at the end.
	apply := func(samples []float32, from int) error {
		for i := from; i < len(steps) && len(samples) > 0; i++ {
			for k := range samples {
				samples[k] *= steps[i].gain
			}
			if limiters[i] != nil {
				samples = limiters[i].Process(samples)
			}
		}
		for _, s := range samples {
			peak = max(peak, float32(math.Abs(float64(s))))
		}
		return wav.Write(samples)
	}
	r := bufio.NewReaderSize(in, 1<<20)
	buf := make([]byte, 4<<16)
	samples := make([]float32, 0, 1<<16)
	for {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		n, err := io.ReadFull(r, buf)
		n -= n % 8 // whole stereo frames
		samples = samples[:0]
		for i := 0; i < n; i += 4 {
			samples = append(samples, math.Float32frombits(binary.LittleEndian.Uint32(buf[i:])))
		}
		if werr := apply(samples, 0); werr != nil {
			return 0, werr
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return 0, err
		}
	}
	for i, lim := range limiters {
		if lim != nil {
			// What a limiter held back goes on through the steps after it.
			if err := apply(append([]float32(nil), lim.Flush()...), i+1); err != nil {
				return 0, err
			}
		}
	}
	if err := wav.Close(); err != nil {
		return 0, err
	}
	if err := out.Sync(); err != nil {
		return 0, err
	}
	return peak, out.Close()
}
