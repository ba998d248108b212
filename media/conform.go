package media

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// ConformOptions is the clip a video made elsewhere must become.
type ConformOptions struct {
	Width, Height, FPS int // even, at most MaxWidth×MaxHeight; 1..MaxFPS
	Frames             int // exactly this many
	// Sound is an audio file (a WAV of the shot's dialogue and sound)
	// laid under the picture from its start; "" for none.
	Sound string
	// KeepSound keeps the input's own sound, mixed under Sound.
	KeepSound bool
}

// Conform rewrites the video at in as a clip in Slate's own form at out:
// H.264 yuv420p (BT.709) at exactly o's size (scaled to fit, the rest
// padded black), rate and number of frames (cut, or the last frame held
// when the input is shorter), with AAC 48 kHz stereo sound exactly as
// long as the picture — o.Sound, the input's own sound, both, or silence.
// out is written atomically.
func (t Tools) Conform(ctx context.Context, in, out string, o ConformOptions) error {
	switch {
	case o.Width <= 0 || o.Height <= 0 || o.Width%2 != 0 || o.Height%2 != 0 || o.Width > MaxWidth || o.Height > MaxHeight:
		return fmt.Errorf("conform %q: %dx%d must be even and at most %dx%d", in, o.Width, o.Height, MaxWidth, MaxHeight)
	case o.FPS < 1 || o.FPS > MaxFPS:
		return fmt.Errorf("conform %q: %d fps must be between 1 and %d", in, o.FPS, MaxFPS)
	case o.Frames < 1:
		return fmt.Errorf("conform %q: %d frames must be at least one", in, o.Frames)
	}
	p, err := t.Probe(ctx, in)
	if err != nil {
		return fmt.Errorf("conform: %w", err)
	}
	if p.Video == nil {
		return fmt.Errorf("conform %q: the file has no picture", in)
	}
	samples := int64(o.Frames) * 48000 / int64(o.FPS)
	length := seconds(time.Duration(int64(o.Frames) * int64(time.Second) / int64(o.FPS)))
	w, h := strconv.Itoa(o.Width), strconv.Itoa(o.Height)
	// fps resamples the time line, tpad holds the last frame long enough
	// for a short input, and trim cuts at exactly the shot's end (in the
	// graph, not with -frames:v, which would stop the muxer before the
	// sound's last packets).
	graph := "[0:v:0]scale=" + w + ":" + h + ":force_original_aspect_ratio=decrease,pad=" + w + ":" + h +
		":(ow-iw)/2:(oh-ih)/2,setsar=1,fps=" + strconv.Itoa(o.FPS) + ",tpad=stop_mode=clone:stop_duration=" + length + ",trim=end_frame=" + strconv.Itoa(o.Frames) + ",format=yuv420p[v]"
	args := []string{"-protocol_whitelist", ProtocolWhitelist, "-i", in}
	var sounds []string
	if o.KeepSound && p.Audio != nil {
		sounds = append(sounds, "[0:a:0]")
	}
	if o.Sound != "" {
		args = append(args, "-protocol_whitelist", ProtocolWhitelist, "-i", o.Sound)
		sounds = append(sounds, "[1:a:0]")
	}
	fit := "aresample=48000,aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo,apad=whole_len=" +
		strconv.FormatInt(samples, 10) + ",atrim=end_sample=" + strconv.FormatInt(samples, 10) + "[a]"
	switch len(sounds) {
	case 0:
		graph += ";anullsrc=r=48000:cl=stereo," + fit
	case 1:
		graph += ";" + sounds[0] + fit
	default:
		// Both at their own level: the shot's sound is not turned down for
		// the model's.
		graph += ";" + sounds[0] + sounds[1] + "amix=inputs=2:duration=longest:normalize=0," + fit
	}
	x := x264{fps: o.FPS}
	args = append(args, "-filter_complex", graph, "-map", "[v]", "-map", "[a]")
	args = append(args, x.args()...)
	args = append(args, "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709", "-color_range", "tv",
		"-c:a", "aac", "-b:a", "192k", "-ar", "48000", "-ac", "2", "-movflags", "+faststart", "-f", "mp4", out)
	if err := t.RunFFmpeg(ctx, args...); err != nil {
		return fmt.Errorf("conform %q to %dx%d at %d fps, %d frames: %w", in, o.Width, o.Height, o.FPS, o.Frames, err)
	}
	return nil
}
