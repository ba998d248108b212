package media

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Limits on media inputs. Larger frames would cost more memory than a laptop
// has for a film's worth of shots; longer inputs are not shots.
const (
	MaxWidth    = 4096
	MaxHeight   = 4096
	MaxDuration = 10 * time.Minute
)

// ErrTooLarge is matched by errors for media beyond [MaxWidth], [MaxHeight]
// or [MaxDuration].
var ErrTooLarge = errors.New("media too large")

// CheckLimits refuses media whose frames or duration exceed Slate's limits,
// naming the file, the value and the limit.
func CheckLimits(p *Probe) error { return checkLimits(p, MaxDuration) }

// checkLimits is CheckLimits with longest for MaxDuration.
func checkLimits(p *Probe, longest time.Duration) error {
	if p == nil {
		return errors.New("check limits: no probe")
	}
	if v := p.Video; v != nil {
		if v.Width > MaxWidth {
			return fmt.Errorf("%w: %q is %d pixels wide; the limit is %d (scale it down first)", ErrTooLarge, p.Path, v.Width, MaxWidth)
		}
		if v.Height > MaxHeight {
			return fmt.Errorf("%w: %q is %d pixels high; the limit is %d (scale it down first)", ErrTooLarge, p.Path, v.Height, MaxHeight)
		}
	}
	d := p.Duration
	if p.Video != nil {
		d = max(d, p.Video.Duration)
	}
	if p.Audio != nil {
		d = max(d, p.Audio.Duration)
	}
	if d > longest {
		return fmt.Errorf("%w: %q lasts %v; the limit is %v (cut it shorter first)", ErrTooLarge, p.Path, d.Round(time.Millisecond), longest)
	}
	return nil
}

// Probe describes a media file as ffprobe sees it: the container and the
// first video and audio streams, which are the only ones Slate uses.
type Probe struct {
	Path       string
	FormatName string        // such as "mov,mp4,m4a,3gp,3g2,mj2"
	Duration   time.Duration // of the container; 0 when unknown, as for a still image
	Size       int64         // bytes
	BitRate    int64         // bits per second
	Video      *VideoStream  // nil when there is none
	Audio      *AudioStream  // nil when there is none
}

// VideoStream describes a video stream (or a still image).
type VideoStream struct {
	Codec, Profile, PixFmt string
	Width, Height          int
	FrameRate              Rational      // average rate; the nominal one when the average is unknown
	Frames                 int           // counted packets, else the container's frame count; 0 when unknown
	Duration               time.Duration // 0 when unknown
}

// AudioStream describes an audio stream.
type AudioStream struct {
	Codec                string
	SampleRate, Channels int
	Duration             time.Duration // 0 when unknown
}

// Rational is an exact ratio such as a frame rate of 30000/1001.
type Rational struct {
	Num, Den int
}

// Float returns the ratio, or 0 when the denominator is 0 (ffprobe writes
// "0/0" for a rate it does not know).
func (r Rational) Float() float64 {
	if r.Den == 0 {
		return 0
	}
	return float64(r.Num) / float64(r.Den)
}

// String returns "num/den".
func (r Rational) String() string { return fmt.Sprintf("%d/%d", r.Num, r.Den) }

// Probe runs ffprobe on path and checks the result against Slate's limits
// (see [CheckLimits]; the duration against [Tools.Longest]). ffprobe counts the packets, which reads the whole file
// but gives a frame count that does not trust the container's header.
func (t Tools) Probe(ctx context.Context, path string) (*Probe, error) {
	in, err := InputArgs(path)
	if err != nil {
		return nil, fmt.Errorf("probe: %w", err)
	}
	args := append([]string{"-v", "error", "-print_format", "json", "-show_format", "-show_streams", "-count_packets"}, in...)
	proc, err := t.command(ctx, ToolFFprobe, args)
	if err != nil {
		return nil, fmt.Errorf("probe %q: %w", path, err)
	}
	out := &limitBuffer{max: 8 << 20}
	proc.cmd.Stdout = out
	if err := proc.start(); err != nil {
		return nil, fmt.Errorf("probe %q: %w", path, err)
	}
	if err := proc.wait(); err != nil {
		return nil, fmt.Errorf("probe %q: %w", path, err)
	}
	if out.overflow {
		return nil, fmt.Errorf("probe %q: ffprobe printed more than %d bytes", path, out.max)
	}
	p, err := ParseProbe(path, out.Bytes())
	if err != nil {
		return nil, err
	}
	if err := checkLimits(p, t.Longest()); err != nil {
		return nil, err
	}
	return p, nil
}

// probeJSON is the part of ffprobe's JSON that Slate reads. Numbers are kept
// as raw text because ffprobe writes most of them as strings ("0.500000",
// "N/A") and some as numbers.
type probeJSON struct {
	Streams []struct {
		CodecName     string `json:"codec_name"`
		CodecType     string `json:"codec_type"`
		Profile       string `json:"profile"`
		PixFmt        string `json:"pix_fmt"`
		Width         rawNum `json:"width"`
		Height        rawNum `json:"height"`
		RFrameRate    string `json:"r_frame_rate"`
		AvgFrameRate  string `json:"avg_frame_rate"`
		Duration      rawNum `json:"duration"`
		NbFrames      rawNum `json:"nb_frames"`
		NbReadPackets rawNum `json:"nb_read_packets"`
		SampleRate    rawNum `json:"sample_rate"`
		Channels      rawNum `json:"channels"`
		Disposition   struct {
			AttachedPic rawNum `json:"attached_pic"`
		} `json:"disposition"`
	} `json:"streams"`
	Format struct {
		FormatName string `json:"format_name"`
		Duration   rawNum `json:"duration"`
		Size       rawNum `json:"size"`
		BitRate    rawNum `json:"bit_rate"`
	} `json:"format"`
}

// rawNum holds a JSON number or string as text, to be parsed with the name
// of its field for the error message.
type rawNum string

// UnmarshalJSON keeps numbers, strings and null; anything else is an error.
func (n *rawNum) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*n = ""
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*n = rawNum(s)
	case b[0] == '-' || '0' <= b[0] && b[0] <= '9':
		*n = rawNum(b)
	default:
		return fmt.Errorf("want a number, got %s", truncate(string(b), 40))
	}
	return nil
}

// present reports whether ffprobe gave a value at all.
func (n rawNum) present() bool { return n != "" && n != "N/A" }

// ParseProbe parses the JSON that ffprobe prints with
// "-print_format json -show_format -show_streams". name is the probed file,
// used in errors, which also give the byte offset or field that was wrong.
// It never panics, whatever data holds.
func ParseProbe(name string, data []byte) (*Probe, error) {
	var j probeJSON
	if err := json.Unmarshal(data, &j); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syn):
			return nil, fmt.Errorf("parse probe of %q: byte %d: %w", name, syn.Offset, err)
		case errors.As(err, &typ):
			return nil, fmt.Errorf("parse probe of %q: field %s at byte %d: %w", name, typ.Field, typ.Offset, err)
		}
		return nil, fmt.Errorf("parse probe of %q: %w", name, err)
	}
	pr := &numParser{}
	p := &Probe{
		Path:       name,
		FormatName: j.Format.FormatName,
		Duration:   pr.duration("format.duration", j.Format.Duration),
		Size:       pr.int64("format.size", j.Format.Size),
		BitRate:    pr.int64("format.bit_rate", j.Format.BitRate),
	}
	var longest time.Duration
	for i, s := range j.Streams {
		field := func(f string) string { return fmt.Sprintf("streams[%d].%s", i, f) }
		d := pr.duration(field("duration"), s.Duration)
		longest = max(longest, d)
		switch s.CodecType {
		case "video":
			if p.Video != nil || pr.int(field("disposition.attached_pic"), s.Disposition.AttachedPic) != 0 {
				continue // cover art is not the video
			}
			v := &VideoStream{
				Codec:    s.CodecName,
				Profile:  s.Profile,
				PixFmt:   s.PixFmt,
				Width:    pr.int(field("width"), s.Width),
				Height:   pr.int(field("height"), s.Height),
				Duration: d,
			}
			v.FrameRate = pr.rational(field("avg_frame_rate"), s.AvgFrameRate)
			if v.FrameRate.Num <= 0 || v.FrameRate.Den <= 0 {
				v.FrameRate = pr.rational(field("r_frame_rate"), s.RFrameRate)
			}
			if s.NbReadPackets.present() {
				v.Frames = pr.int(field("nb_read_packets"), s.NbReadPackets)
			} else {
				v.Frames = pr.int(field("nb_frames"), s.NbFrames)
			}
			p.Video = v
		case "audio":
			if p.Audio != nil {
				continue
			}
			p.Audio = &AudioStream{
				Codec:      s.CodecName,
				SampleRate: pr.int(field("sample_rate"), s.SampleRate),
				Channels:   pr.int(field("channels"), s.Channels),
				Duration:   d,
			}
		}
	}
	if pr.err != nil {
		return nil, fmt.Errorf("parse probe of %q: %w", name, pr.err)
	}
	if p.Duration == 0 {
		p.Duration = longest
	}
	if p.Video == nil && p.Audio == nil {
		return nil, fmt.Errorf("parse probe of %q: no video or audio stream", name)
	}
	return p, nil
}

// numParser parses ffprobe's numbers, keeping the first error so that the
// parse reads as a list of fields rather than a ladder of checks.
type numParser struct{ err error }

func (p *numParser) fail(field string, v string, why string) {
	if p.err == nil {
		p.err = fmt.Errorf("field %s: %q %s", field, truncate(v, 40), why)
	}
}

func (p *numParser) float(field string, v rawNum) float64 {
	if !v.present() {
		return 0
	}
	f, err := strconv.ParseFloat(string(v), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		p.fail(field, string(v), "is not a number")
		return 0
	}
	return f
}

func (p *numParser) int64(field string, v rawNum) int64 {
	if !v.present() {
		return 0
	}
	n, err := strconv.ParseInt(string(v), 10, 64)
	if err != nil || n < 0 {
		p.fail(field, string(v), "is not a count")
		return 0
	}
	return n
}

func (p *numParser) int(field string, v rawNum) int {
	n := p.int64(field, v)
	if n > math.MaxInt32 {
		p.fail(field, string(v), "is out of range")
		return 0
	}
	return int(n)
}

// duration converts seconds; absurdly long values saturate rather than
// overflow, so that CheckLimits refuses them with a readable message.
func (p *numParser) duration(field string, v rawNum) time.Duration {
	s := p.float(field, v)
	switch {
	case s < 0:
		p.fail(field, string(v), "is negative")
		return 0
	case s >= float64(math.MaxInt64)/float64(time.Second):
		return time.Duration(math.MaxInt64)
	}
	return time.Duration(math.Round(s * float64(time.Second)))
}

func (p *numParser) rational(field, v string) Rational {
	if v == "" || v == "N/A" {
		return Rational{}
	}
	num, den, ok := strings.Cut(v, "/")
	if !ok {
		den = "1"
	}
	n, err1 := strconv.Atoi(num)
	d, err2 := strconv.Atoi(den)
	if err1 != nil || err2 != nil || n < 0 || d < 0 || n > math.MaxInt32 || d > math.MaxInt32 {
		p.fail(field, v, "is not a ratio")
		return Rational{}
	}
	return Rational{Num: n, Den: d}
}
