package media

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Loudness is an EBU R128 measurement.
type Loudness struct {
	Integrated float64 // LUFS; −70 for silence, ebur128's floor
	TruePeak   float64 // dBTP; −Inf for digital silence
	LRA        float64 // loudness range, LU
}

// Loudness normalisation settings: a true-peak ceiling with headroom for
// lossy encoding, and the loudness range EBU recommends for speech.
const (
	normTruePeak = -1.5
	normLRA      = 11.0
)

// MeasureLoudness measures the first audio stream of path with ffmpeg's
// ebur128 filter (true peak on). The file is probed first, so Slate's limits
// apply.
func (t Tools) MeasureLoudness(ctx context.Context, path string) (Loudness, error) {
	if err := t.checkAudioInput(ctx, path); err != nil {
		return Loudness{}, fmt.Errorf("measure loudness: %w", err)
	}
	// ebur128 prints its summary at info level; framelog=verbose keeps its
	// ten lines a second of running values out of that.
	stderr, err := t.runFFmpeg(ctx, "info", nil, []string{
		"-i", path, "-map", "0:a:0", "-vn", "-sn", "-dn",
		"-af", "ebur128=peak=true:framelog=verbose", "-f", "null", "-",
	})
	if err != nil {
		return Loudness{}, fmt.Errorf("measure loudness of %q: %w", path, err)
	}
	l, err := ParseEBUR128(stderr)
	if err != nil {
		return Loudness{}, fmt.Errorf("measure loudness of %q: %w", path, err)
	}
	return l, nil
}

// checkAudioInput probes path, which enforces the limits, and requires an
// audio stream.
func (t Tools) checkAudioInput(ctx context.Context, path string) error {
	p, err := t.Probe(ctx, path)
	if err != nil {
		return err
	}
	if p.Audio == nil {
		return fmt.Errorf("%q has no audio stream", path)
	}
	return nil
}

// ParseEBUR128 reads the summary that ffmpeg's ebur128 filter prints at the
// end of its log:
//
//	[Parsed_ebur128_0 @ 0x…] Summary:
//	  Integrated loudness:
//	    I:         -21.8 LUFS
//	  Loudness range:
//	    LRA:         0.0 LU
//	  True peak:
//	    Peak:      -16.1 dBFS
//
// Only the last summary counts. The true peak is required, because
// MeasureLoudness always asks for it.
func ParseEBUR128(log string) (Loudness, error) {
	i := strings.LastIndex(log, "Summary:")
	if i < 0 {
		return Loudness{}, fmt.Errorf("parse ebur128 summary: no summary in ffmpeg's output (%q)", truncate(lastLine(log), 80))
	}
	var l Loudness
	var haveI, haveLRA, havePeak bool
	section := ""
	for n, line := range strings.Split(log[i:], "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if strings.HasSuffix(strings.TrimSpace(line), ":") && len(f) >= 2 {
			section = strings.Join(f, " ")
			continue
		}
		if len(f) < 2 {
			continue
		}
		key := f[0]
		var dst *float64
		var have *bool
		switch {
		case section == "Integrated loudness:" && key == "I:":
			dst, have = &l.Integrated, &haveI
		case section == "Loudness range:" && key == "LRA:":
			dst, have = &l.LRA, &haveLRA
		case section == "True peak:" && key == "Peak:":
			dst, have = &l.TruePeak, &havePeak
		default:
			continue
		}
		v, err := strconv.ParseFloat(f[1], 64)
		if err != nil || math.IsNaN(v) {
			return Loudness{}, fmt.Errorf("parse ebur128 summary: line %d after \"Summary:\": %s %q is not a number", n, key, f[1])
		}
		*dst, *have = v, true
	}
	switch {
	case !haveI:
		return Loudness{}, fmt.Errorf("parse ebur128 summary: no integrated loudness (I:)")
	case !haveLRA:
		return Loudness{}, fmt.Errorf("parse ebur128 summary: no loudness range (LRA:)")
	case !havePeak:
		return Loudness{}, fmt.Errorf("parse ebur128 summary: no true peak (Peak:)")
	}
	return l, nil
}

// LoudnormStats are the measurements loudnorm prints with print_format=json
// and takes back in its second pass.
type LoudnormStats struct {
	InputI, InputTP, InputLRA, InputThresh, TargetOffset float64
}

// ParseLoudnorm reads the JSON block that ffmpeg's loudnorm filter prints
// after "[Parsed_loudnorm_…]" with print_format=json. ffmpeg writes the
// numbers as strings, and "-inf" for silence.
func ParseLoudnorm(log string) (LoudnormStats, error) {
	i := strings.LastIndex(log, "Parsed_loudnorm")
	if i < 0 {
		return LoudnormStats{}, fmt.Errorf("parse loudnorm: no loudnorm report in ffmpeg's output (%q)", truncate(lastLine(log), 80))
	}
	start := strings.Index(log[i:], "{")
	end := strings.LastIndex(log, "}")
	if start < 0 || end < i+start {
		return LoudnormStats{}, fmt.Errorf("parse loudnorm: no JSON after the loudnorm report")
	}
	block := log[i+start : end+1]
	var m map[string]string
	if err := json.Unmarshal([]byte(block), &m); err != nil {
		if se, ok := err.(*json.SyntaxError); ok {
			return LoudnormStats{}, fmt.Errorf("parse loudnorm: byte %d of the JSON: %w", se.Offset, err)
		}
		return LoudnormStats{}, fmt.Errorf("parse loudnorm: %w", err)
	}
	var s LoudnormStats
	for _, f := range []struct {
		key string
		dst *float64
	}{
		{"input_i", &s.InputI},
		{"input_tp", &s.InputTP},
		{"input_lra", &s.InputLRA},
		{"input_thresh", &s.InputThresh},
		{"target_offset", &s.TargetOffset},
	} {
		v, ok := m[f.key]
		if !ok {
			return LoudnormStats{}, fmt.Errorf("parse loudnorm: no %q", f.key)
		}
		x, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || math.IsNaN(x) {
			return LoudnormStats{}, fmt.Errorf("parse loudnorm: %s %q is not a number", f.key, truncate(v, 40))
		}
		*f.dst = x
	}
	return s, nil
}

// NormalizeLoudness writes in's first audio stream to out as a 48 kHz stereo
// 16-bit WAV at targetLUFS integrated loudness, with true peaks at most
// −1.5 dBTP, using loudnorm's two-pass mode: the first pass measures, the
// second applies one gain to the whole file (linear) when the peak ceiling
// allows, and loudnorm's dynamic mode when it does not. Channels are made
// stereo before measuring, so the loudness measured is the loudness written.
// out is written atomically.
func (t Tools) NormalizeLoudness(ctx context.Context, in, out string, targetLUFS float64) error {
	if math.IsNaN(targetLUFS) || targetLUFS < -70 || targetLUFS > -5 {
		return fmt.Errorf("normalize loudness: target %v LUFS must be between -70 and -5", targetLUFS)
	}
	if err := t.checkAudioInput(ctx, in); err != nil {
		return fmt.Errorf("normalize loudness: %w", err)
	}
	base := fmt.Sprintf("aformat=channel_layouts=stereo,loudnorm=I=%.1f:TP=%.1f:LRA=%.1f", targetLUFS, normTruePeak, normLRA)
	stderr, err := t.runFFmpeg(ctx, "info", nil, []string{
		"-i", in, "-map", "0:a:0", "-vn", "-sn", "-dn",
		"-af", base + ":print_format=json", "-f", "null", "-",
	})
	if err != nil {
		return fmt.Errorf("normalize loudness of %q: measure: %w", in, err)
	}
	m, err := ParseLoudnorm(stderr)
	if err != nil {
		return fmt.Errorf("normalize loudness of %q: %w", in, err)
	}
	if math.IsInf(m.InputI, 0) || m.InputI <= -70 || math.IsInf(m.InputThresh, 0) {
		return fmt.Errorf("normalize loudness of %q: it is silent (integrated loudness %v LUFS)", in, m.InputI)
	}
	tp := m.InputTP
	if math.IsInf(tp, -1) {
		tp = -99
	}
	filter := fmt.Sprintf("%s:measured_I=%.2f:measured_TP=%.2f:measured_LRA=%.2f:measured_thresh=%.2f:offset=%.2f:linear=true:print_format=none",
		base, m.InputI, tp, m.InputLRA, m.InputThresh, m.TargetOffset)
	err = t.RunFFmpeg(ctx,
		"-i", in, "-map", "0:a:0", "-vn", "-sn", "-dn",
		"-af", filter, "-ar", "48000", "-ac", "2", "-c:a", "pcm_s16le", "-f", "wav", out)
	if err != nil {
		return fmt.Errorf("normalize loudness of %q: %w", in, err)
	}
	return nil
}

func lastLine(s string) string {
	s = strings.TrimRight(s, "\r\n ")
	if i := strings.LastIndexAny(s, "\r\n"); i >= 0 {
		return s[i+1:]
	}
	return s
}
