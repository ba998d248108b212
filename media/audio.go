package media

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/slatestudio/slate/media/audio"
)

// DecodeAudio decodes the first audio stream of path to rate frames per
// second and the given number of channels, through ffmpeg. It refuses audio
// longer than [Tools.Longest] as soon as it has read that much, without
// probing first, so it also guards against headers that lie.
func (t Tools) DecodeAudio(ctx context.Context, path string, rate, channels int) (*audio.PCM, error) {
	if rate < 1 || rate > audio.MaxRate || channels < 1 || channels > audio.MaxChannels {
		return nil, fmt.Errorf("decode audio %q: %d channels at %d Hz is not supported", path, channels, rate)
	}
	if err := t.Check(ToolFFmpeg); err != nil {
		return nil, err
	}
	if err := CheckInputPath(path); err != nil {
		return nil, fmt.Errorf("decode audio: %w", err)
	}
	if err := checkInputFile(path, "a sound file"); err != nil {
		return nil, fmt.Errorf("decode audio: %w", err)
	}
	// The limit is enforced here, where the samples are counted, and not
	// inside RunFFmpeg, so that stopping early is this function's own
	// cancellation rather than a failure.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	limit := int64(t.Longest().Seconds()) * int64(rate) * int64(channels)
	sink := &f32Sink{limit: limit, cancel: cancel}
	_, err := t.runFFmpeg(ctx, "error", sink, []string{
		"-i", path, "-map", "0:a:0", "-vn", "-sn", "-dn",
		"-ac", strconv.Itoa(channels), "-ar", strconv.Itoa(rate),
		"-f", "f32le", "-c:a", "pcm_f32le", "pipe:1",
	})
	if sink.over {
		return nil, fmt.Errorf("decode audio: %w: %q lasts longer than the limit of %v (cut it shorter first)", ErrTooLarge, path, t.Longest())
	}
	if err != nil {
		return nil, fmt.Errorf("decode audio %q: %w", path, err)
	}
	return &audio.PCM{Rate: rate, Channels: channels, Samples: sink.samples[:len(sink.samples)/channels*channels]}, nil
}

// f32Bytes reads little-endian float32 samples from a byte stream that
// arrives in writes of any length, keeping a sample split between two
// writes until its last bytes come.
type f32Bytes struct{ partial []byte }

// append appends the samples that p completes to dst.
func (f *f32Bytes) append(dst []float32, p []byte) []float32 {
	if len(f.partial) > 0 {
		need := 4 - len(f.partial)
		if len(p) < need {
			f.partial = append(f.partial, p...)
			return dst
		}
		f.partial = append(f.partial, p[:need]...)
		dst = append(dst, math.Float32frombits(binary.LittleEndian.Uint32(f.partial)))
		f.partial = f.partial[:0]
		p = p[need:]
	}
	for len(p) >= 4 {
		dst = append(dst, math.Float32frombits(binary.LittleEndian.Uint32(p)))
		p = p[4:]
	}
	f.partial = append(f.partial, p...)
	return dst
}

// f32Sink turns ffmpeg's little-endian float32 stream into samples, up to a
// limit; past it, it stops ffmpeg rather than fail the write, so ffmpeg
// never blocks on a pipe nobody reads.
type f32Sink struct {
	samples []float32
	floats  f32Bytes
	limit   int64
	over    bool
	cancel  context.CancelFunc
}

func (s *f32Sink) Write(p []byte) (int, error) {
	n := len(p)
	if s.over {
		return n, nil
	}
	s.samples = s.floats.append(s.samples, p)
	if int64(len(s.samples)) > s.limit {
		s.over = true
		s.samples = nil
		s.cancel()
	}
	return n, nil
}

// AudioPart is one file's sound cut or padded to an exact length.
type AudioPart struct {
	// Path is the file; empty means silence.
	Path string
	// Frames is how many sample frames the part has: the file's sound is
	// cut there, or padded with silence to reach it.
	Frames int
}

// DecodeAudioParts decodes the first audio stream of each part's file,
// each cut or padded to its length (see [Tools.StreamAudioParts]), and
// returns them whole; together they may last at most [Tools.Longest]. A
// file without sound gives silence.
func (t Tools) DecodeAudioParts(ctx context.Context, parts []AudioPart, rate, channels int, hasAudio func(path string) bool) ([]*audio.PCM, error) {
	total := int64(0)
	for _, p := range parts {
		total += int64(max(p.Frames, 0))
	}
	if total > int64(t.Longest().Seconds())*int64(rate) {
		return nil, fmt.Errorf("decode audio: %w: the parts last longer than the limit of %v", ErrTooLarge, t.Longest())
	}
	out := make([]*audio.PCM, len(parts))
	for i, p := range parts {
		out[i] = &audio.PCM{Rate: rate, Channels: channels, Samples: make([]float32, 0, max(p.Frames, 0)*channels)}
	}
	err := t.StreamAudioParts(ctx, parts, rate, channels, hasAudio, func(i int, samples []float32) error {
		out[i].Samples = append(out[i].Samples, samples...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// maxPartInputs is how many files one ffmpeg run of StreamAudioParts
// opens: ffmpeg keeps every input open for the whole run, and a process
// may open only 1,024 files on many systems. maxPartsPerRun keeps the
// filter graph, one argument, well under Linux's 128 KB for one.
const (
	maxPartInputs  = 64
	maxPartsPerRun = 256
)

// StreamAudioParts decodes the first audio stream of each part's file at
// rate and channels, cut or padded to the part's length, and hands the
// samples to sink in order: part 0's, then part 1's, in chunks, each chunk
// within one part. A part with no file, or whose file hasAudio says has no
// sound, is silence. Nothing is kept, so the parts may together last as
// long as a film; each one may last at most [Tools.Longest]. ffmpeg runs
// once for every few dozen parts rather than once a file. sink's error
// stops the decoding and is returned.
func (t Tools) StreamAudioParts(ctx context.Context, parts []AudioPart, rate, channels int, hasAudio func(path string) bool, sink func(part int, samples []float32) error) error {
	if rate < 1 || rate > audio.MaxRate || channels < 1 || channels > 2 {
		return fmt.Errorf("decode audio: %d channels at %d Hz is not supported", channels, rate)
	}
	for _, p := range parts {
		if p.Frames < 0 {
			return fmt.Errorf("decode audio %q: negative length", p.Path)
		}
		if int64(p.Frames) > int64(t.Longest().Seconds())*int64(rate) {
			return fmt.Errorf("decode audio %q: %w: the part lasts longer than the limit of %v", p.Path, ErrTooLarge, t.Longest())
		}
	}
	sounding := func(p AudioPart) bool { return p.Path != "" && (hasAudio == nil || hasAudio(p.Path)) }
	for from := 0; from < len(parts); {
		to, inputs := from, 0
		for to < len(parts) && to-from < maxPartsPerRun && (inputs < maxPartInputs || !sounding(parts[to])) {
			if sounding(parts[to]) {
				inputs++
			}
			to++
		}
		if err := t.streamParts(ctx, parts[from:to], from, rate, channels, sounding, sink); err != nil {
			return err
		}
		from = to
	}
	return nil
}

// streamParts is one ffmpeg run of StreamAudioParts; first is the index of
// parts[0] among all the parts.
func (t Tools) streamParts(ctx context.Context, parts []AudioPart, first, rate, channels int, sounding func(AudioPart) bool, sink func(int, []float32) error) error {
	layout := "mono"
	if channels == 2 {
		layout = "stereo"
	}
	var args []string
	var graph strings.Builder
	inputs := 0
	for i, p := range parts {
		format := fmt.Sprintf("aresample=%d,aformat=sample_fmts=flt:channel_layouts=%s,atrim=end_sample=%d,apad=whole_len=%d", rate, layout, p.Frames, p.Frames)
		if !sounding(p) {
			fmt.Fprintf(&graph, "anullsrc=r=%d:cl=%s,%s[a%d];", rate, layout, format, i)
			continue
		}
		args = append(args, "-i", p.Path)
		fmt.Fprintf(&graph, "[%d:a:0]%s[a%d];", inputs, format, i)
		inputs++
	}
	for i := range parts {
		fmt.Fprintf(&graph, "[a%d]", i)
	}
	fmt.Fprintf(&graph, "concat=n=%d:v=0:a=1[out]", len(parts))
	args = append(args, "-filter_complex", graph.String(), "-map", "[out]", "-f", "f32le", "-c:a", "pcm_f32le", "pipe:1")
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ps := &partSink{parts: parts, first: first, channels: channels, sink: sink, cancel: cancel}
	if _, err := t.runFFmpeg(ctx, "error", ps, args); err != nil && ps.err == nil {
		return fmt.Errorf("decode audio: %w", err)
	}
	if ps.err != nil {
		return ps.err
	}
	want := int64(0)
	for _, p := range parts {
		want += int64(p.Frames) * int64(channels)
	}
	if ps.got != want {
		return fmt.Errorf("decode audio: got %d samples, want %d", ps.got, want)
	}
	return nil
}

// errTooMuchAudio is partSink's error when ffmpeg gives more samples than
// the parts hold.
var errTooMuchAudio = errors.New("decode audio: ffmpeg gave more samples than asked for")

// partSink turns ffmpeg's little-endian float32 stream into samples and
// hands them on part by part. On a failure (more samples than the parts
// hold, or the sink's error) it stops ffmpeg rather than fail the write,
// so ffmpeg never blocks on a pipe nobody reads.
type partSink struct {
	parts    []AudioPart
	first    int
	channels int
	sink     func(int, []float32) error
	cancel   context.CancelFunc

	part   int   // the part being filled
	filled int64 // samples of it handed on
	got    int64
	floats f32Bytes
	buf    []float32
	err    error
}

func (s *partSink) Write(p []byte) (int, error) {
	n := len(p)
	if s.err != nil {
		return n, nil
	}
	s.buf = s.floats.append(s.buf[:0], p)
	if len(s.buf) == 0 {
		return n, nil
	}
	s.got += int64(len(s.buf))
	if err := s.deliver(s.buf); err != nil {
		s.err = err
		s.cancel()
	}
	return n, nil
}

// deliver hands samples to the sink, split where one part ends and the
// next begins.
func (s *partSink) deliver(samples []float32) error {
	for len(samples) > 0 {
		for s.part < len(s.parts) && s.filled == int64(s.parts[s.part].Frames)*int64(s.channels) {
			s.part, s.filled = s.part+1, 0
		}
		if s.part == len(s.parts) {
			return errTooMuchAudio
		}
		k := int(min(int64(s.parts[s.part].Frames)*int64(s.channels)-s.filled, int64(len(samples))))
		if err := s.sink(s.first+s.part, samples[:k]); err != nil {
			return err
		}
		s.filled += int64(k)
		samples = samples[k:]
	}
	return nil
}
