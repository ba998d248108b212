package media

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// DecodeAudio decodes the first audio stream of path to rate frames per
// second and the given number of channels, through ffmpeg. It refuses audio
// longer than [MaxDuration] as soon as it has read that much, without
// probing first, so it also guards against headers that lie.
func (t Tools) DecodeAudio(ctx context.Context, path string, rate, channels int) (*PCM, error) {
	if rate < 1 || rate > maxWAVRate || channels < 1 || channels > maxWAVChannels {
		return nil, fmt.Errorf("decode audio %q: %d channels at %d Hz is not supported", path, channels, rate)
	}
	if err := t.Check(ToolFFmpeg); err != nil {
		return nil, err
	}
	if err := CheckInputPath(path); err != nil {
		return nil, fmt.Errorf("decode audio: %w", err)
	}
	// The limit is enforced here, where the samples are counted, and not
	// inside RunFFmpeg, so that stopping early is this function's own
	// cancellation rather than a failure.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	limit := int64(MaxDuration.Seconds()) * int64(rate) * int64(channels)
	sink := &f32Sink{limit: limit, cancel: cancel}
	_, err := t.runFFmpeg(ctx, "error", sink, []string{
		"-i", path, "-map", "0:a:0", "-vn", "-sn", "-dn",
		"-ac", strconv.Itoa(channels), "-ar", strconv.Itoa(rate),
		"-f", "f32le", "-c:a", "pcm_f32le", "pipe:1",
	})
	if sink.over {
		return nil, fmt.Errorf("decode audio: %w: %q lasts longer than the limit of %v (cut it shorter first)", ErrTooLarge, path, MaxDuration)
	}
	if err != nil {
		return nil, fmt.Errorf("decode audio %q: %w", path, err)
	}
	return &PCM{Rate: rate, Channels: channels, Samples: sink.samples[:len(sink.samples)/channels*channels]}, nil
}

// f32Sink turns ffmpeg's little-endian float32 stream into samples, up to a
// limit; past it, it stops ffmpeg rather than fail the write, so ffmpeg
// never blocks on a pipe nobody reads.
type f32Sink struct {
	samples []float32
	partial []byte
	limit   int64
	over    bool
	cancel  context.CancelFunc
}

func (s *f32Sink) Write(p []byte) (int, error) {
	n := len(p)
	if s.over {
		return n, nil
	}
	if len(s.partial) > 0 {
		need := 4 - len(s.partial)
		if len(p) < need {
			s.partial = append(s.partial, p...)
			return n, nil
		}
		s.partial = append(s.partial, p[:need]...)
		s.samples = append(s.samples, math.Float32frombits(binary.LittleEndian.Uint32(s.partial)))
		s.partial = s.partial[:0]
		p = p[need:]
	}
	for len(p) >= 4 {
		s.samples = append(s.samples, math.Float32frombits(binary.LittleEndian.Uint32(p)))
		p = p[4:]
	}
	s.partial = append(s.partial, p...)
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
// each cut or padded to its length, in one ffmpeg run rather than one per
// file. A file without sound gives silence.
func (t Tools) DecodeAudioParts(ctx context.Context, parts []AudioPart, rate, channels int, hasAudio func(path string) bool) ([]*PCM, error) {
	if len(parts) == 0 {
		return nil, nil
	}
	if rate < 1 || rate > maxWAVRate || channels < 1 || channels > 2 {
		return nil, fmt.Errorf("decode audio: %d channels at %d Hz is not supported", channels, rate)
	}
	total := int64(0)
	for _, p := range parts {
		if p.Frames < 0 {
			return nil, fmt.Errorf("decode audio %q: negative length", p.Path)
		}
		total += int64(p.Frames)
	}
	if total > int64(MaxDuration.Seconds())*int64(rate) {
		return nil, fmt.Errorf("decode audio: %w: the parts last longer than the limit of %v", ErrTooLarge, MaxDuration)
	}
	layout := "mono"
	if channels == 2 {
		layout = "stereo"
	}
	var args []string
	var graph strings.Builder
	inputs := 0
	for i, p := range parts {
		format := fmt.Sprintf("aresample=%d,aformat=sample_fmts=flt:channel_layouts=%s,atrim=end_sample=%d,apad=whole_len=%d", rate, layout, p.Frames, p.Frames)
		if p.Path == "" || (hasAudio != nil && !hasAudio(p.Path)) {
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
	sink := &f32Sink{limit: total*int64(channels) + 1, cancel: cancel}
	if _, err := t.runFFmpeg(ctx, "error", sink, args); err != nil && !sink.over {
		return nil, fmt.Errorf("decode audio: %w", err)
	}
	if int64(len(sink.samples)) != total*int64(channels) {
		return nil, fmt.Errorf("decode audio: got %d samples, want %d", len(sink.samples), total*int64(channels))
	}
	out := make([]*PCM, len(parts))
	at := 0
	for i, p := range parts {
		n := p.Frames * channels
		out[i] = &PCM{Rate: rate, Channels: channels, Samples: sink.samples[at : at+n : at+n]}
		at += n
	}
	return out, nil
}
