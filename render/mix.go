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

	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/render/loudness"
	"github.com/slatestudio/slate/timeline"
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
		_, err := loudness.Write(ctx, raw, out, AudioRate, nil) // silence has no loudness
		return out, err
	}
	if err := loudness.Normalise(ctx, tools, raw, out, AudioRate, LoudnessTarget); err != nil {
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
