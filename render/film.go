package render

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/slatestudio/slate/internal/tempfile"
	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/timeline"
)

// LoudnessTarget is the integrated loudness films are mixed to, the usual
// target for online video.
const LoudnessTarget = -16.0

// FilmOptions says where a film goes.
type FilmOptions struct {
	// Output is the .mp4 to write; it appears only when the film is done.
	Output string
	// Thumbnail and Sprite are the JPEGs written beside it; empty means
	// Output with .jpg and -sprite.jpg.
	Thumbnail, Sprite string
	// TempDir holds intermediate files (the sound mix, the list of
	// clips); empty means the output's folder. The film itself is always
	// written beside Output, so that it can be renamed into place.
	TempDir  string
	Progress func(fraction float64)
}

// Film is an assembled film.
type Film struct {
	Path, Thumbnail, Sprite string
	Frames                  int
	Duration                time.Duration
	// Copied is true when the clips were joined without re-encoding
	// (every transition a cut).
	Copied   bool
	Loudness media.Loudness
}

// Assemble joins the clips of p's shots (clips[i] is shot i's) into a film:
// the shots' transitions applied frame-exactly, every clip's sound mixed at
// its shot's place and normalised to LoudnessTarget, H.264 + AAC in MP4
// with faststart, plus a thumbnail and a sprite sheet. When every
// transition is a cut and the clips agree in format, the picture is joined
// without re-encoding.
func Assemble(ctx context.Context, tools media.Tools, p *timeline.Project, clips []string, opts FilmOptions) (*Film, error) {
	if err := tools.Check(media.ToolFFmpeg, media.ToolFFprobe); err != nil {
		return nil, err
	}
	if len(p.Shots) == 0 {
		return nil, fmt.Errorf("assemble %q: the project has no shots", p.Title)
	}
	if err := p.CheckLength(); err != nil {
		return nil, fmt.Errorf("assemble: %w", err)
	}
	// The film is Slate's own and may last longer than any input may.
	tools = tools.WithMaxLength(timeline.MaxFilmLength + time.Minute)
	if len(clips) != len(p.Shots) {
		return nil, fmt.Errorf("assemble %q: %d clips for %d shots", p.Title, len(clips), len(p.Shots))
	}
	progress := opts.Progress
	if progress == nil {
		progress = func(float64) {}
	}
	if opts.Thumbnail == "" {
		opts.Thumbnail = strings.TrimSuffix(opts.Output, filepath.Ext(opts.Output)) + ".jpg"
	}
	if opts.Sprite == "" {
		opts.Sprite = strings.TrimSuffix(opts.Output, filepath.Ext(opts.Output)) + "-sprite.jpg"
	}
	tmpRoot, err := filepath.Abs(cmp.Or(opts.TempDir, filepath.Dir(opts.Output)))
	if err != nil {
		return nil, fmt.Errorf("assemble %q: %w", p.Title, err)
	}
	// What an assembly that was killed left beside the film goes first;
	// every temporary name says which process made it (package tempfile).
	tempfile.Sweep(filepath.Dir(opts.Output), tempfile.Prefix)
	tmp, err := tempfile.Mkdir(tmpRoot, tempfile.Prefix, "-assemble")
	if err != nil {
		return nil, fmt.Errorf("assemble %q: %w", p.Title, err)
	}
	defer os.RemoveAll(tmp)

	spans := p.Timing()
	total := p.TotalFrames()
	probes, err := probeAll(ctx, tools, clips)
	if err != nil {
		return nil, err
	}
	for i, pr := range probes {
		if v := pr.Video; v == nil || v.Width != p.Width || v.Height != p.Height {
			return nil, fmt.Errorf("assemble: the clip of shot %d is not %d×%d video; render it again", i+1, p.Width, p.Height)
		}
	}

	mixed, err := mixFilm(ctx, tools, p, clips, probes, spans, total, tmp)
	if err != nil {
		return nil, err
	}
	progress(0.15)

	film := &Film{Path: opts.Output, Thumbnail: opts.Thumbnail, Sprite: opts.Sprite, Frames: total, Duration: timeline.FrameTime(total, p.FPS)}
	video := func(f float64) { progress(0.15 + 0.8*f) }
	if canCopy(p, probes, spans) {
		film.Copied = true
		if err = concatCopy(ctx, tools, clips, mixed, opts.Output, tmp); err != nil && ctx.Err() == nil {
			// A clip laid out unlike Slate's own (its picture not the
			// first track, say) cannot be joined as it is; re-encode.
			film.Copied = false
			err = composite(ctx, tools, p, clips, spans, total, mixed, opts.Output, video)
		}
	} else {
		err = composite(ctx, tools, p, clips, spans, total, mixed, opts.Output, video)
	}
	if err != nil {
		return nil, fmt.Errorf("assemble %q: %w", p.Title, err)
	}
	progress(0.95)

	if err := tools.Thumbnail(ctx, opts.Output, opts.Thumbnail, film.Duration/4, 640); err != nil {
		return nil, fmt.Errorf("assemble %q: thumbnail: %w", p.Title, err)
	}
	interval := max(time.Second, film.Duration/40).Round(100 * time.Millisecond)
	if err := tools.SpriteSheet(ctx, opts.Output, opts.Sprite, interval, 160, 10); err != nil {
		return nil, fmt.Errorf("assemble %q: sprite sheet: %w", p.Title, err)
	}
	if film.Loudness, err = tools.MeasureLoudness(ctx, opts.Output); err != nil && !isSilent(err) {
		return nil, fmt.Errorf("assemble %q: measure loudness: %w", p.Title, err)
	}
	progress(1)
	return film, nil
}

func isSilent(err error) bool { return err != nil && strings.Contains(err.Error(), "silent") }

// probeAll probes the clips a few at a time: most of a probe is ffprobe
// starting up.
func probeAll(ctx context.Context, tools media.Tools, clips []string) ([]*media.Probe, error) {
	probes := make([]*media.Probe, len(clips))
	errs := make([]error, len(clips))
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for i, c := range clips {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			probes[i], errs[i] = tools.Probe(ctx, c)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("assemble: shot %d: %w", i+1, err)
		}
	}
	return probes, nil
}

// canCopy reports whether the clips can be joined as they are: only cuts,
// and every clip H.264 of the project's size and rate with exactly its
// shot's frames.
func canCopy(p *timeline.Project, probes []*media.Probe, spans []timeline.Span) bool {
	for i := range p.Shots {
		if p.OverlapFrames(i) != 0 {
			return false
		}
		v := probes[i].Video
		if v.Codec != "h264" || v.PixFmt != "yuv420p" || v.FrameRate != (media.Rational{Num: p.FPS, Den: 1}) || v.Frames != spans[i].Len() {
			return false
		}
		if v.Profile != probes[0].Video.Profile {
			return false
		}
	}
	return true
}

// concatCopy joins the clips' pictures without re-encoding and adds the
// mixed sound. The concat list names the picture track alone: otherwise
// the demuxer starts every file at its sound's priming offset (AAC's first
// 1024 samples) and shifts the picture a frame late.
func concatCopy(ctx context.Context, tools media.Tools, clips []string, sound, out, tmp string) error {
	var list strings.Builder
	list.WriteString("ffconcat version 1.0\nstream\nexact_stream_id 1\n")
	for _, c := range clips {
		abs, err := filepath.Abs(c)
		if err != nil {
			return err
		}
		fmt.Fprintf(&list, "file '%s'\n", strings.ReplaceAll(abs, "'", `'\''`))
	}
	listPath := filepath.Join(tmp, "clips.ffconcat")
	if err := os.WriteFile(listPath, []byte(list.String()), 0o644); err != nil {
		return err
	}
	return tools.RunFFmpeg(ctx,
		"-f", "concat", "-safe", "0", "-i", listPath, "-i", sound,
		"-map", "0:v:0", "-map", "1:a:0", "-c:v", "copy",
		"-c:a", "aac", "-b:a", "192k", "-ar", "48000", "-ac", "2",
		"-movflags", "+faststart", "-f", "mp4", out)
}

// composite decodes the clips, applies the transitions frame by frame and
// encodes the film with the mixed sound.
func composite(ctx context.Context, tools media.Tools, p *timeline.Project, clips []string, spans []timeline.Span, total int, sound, out string, progress func(float64)) error {
	enc, err := tools.NewEncoder(ctx, media.EncodeOptions{Width: p.Width, Height: p.Height, FPS: p.FPS, Output: out, Audio: sound, BT709: true})
	if err != nil {
		return err
	}
	srcs := make([]*clipSource, len(clips))
	defer func() {
		for _, s := range srcs {
			if s != nil {
				s.close()
			}
		}
	}()
	size := enc.FrameSize()
	frame := make([]byte, size)
	luma := p.Width * p.Height
	first := 0 // the earliest shot that may still be on screen
	for f := range total {
		if err := ctx.Err(); err != nil {
			enc.Abort()
			return err
		}
		var active []int
		for i := first; i < len(spans) && spans[i].Start <= f; i++ {
			if f < spans[i].End {
				active = append(active, i)
			}
		}
		for _, i := range active {
			if srcs[i] == nil {
				if srcs[i], err = openClip(ctx, tools, clips[i], p); err != nil {
					enc.Abort()
					return fmt.Errorf("shot %d: %w", i+1, err)
				}
			}
			if err := srcs[i].next(); err != nil {
				enc.Abort()
				return fmt.Errorf("shot %d: %w", i+1, err)
			}
		}
		switch len(active) {
		case 1:
			copy(frame, srcs[active[0]].buf)
		case 2:
			a, b := active[0], active[1]
			n := spans[a].End - spans[b].Start
			t := float64(f-spans[b].Start+1) / float64(n+1)
			blend(frame, srcs[a].buf, srcs[b].buf, luma, t, p.Shots[a].Transition.Kind)
		default:
			return fmt.Errorf("frame %d is covered by %d shots; the project's transitions overlap", f, len(active))
		}
		if err := enc.WriteFrame(frame); err != nil {
			enc.Abort()
			return err
		}
		for first < len(spans) && spans[first].End <= f+1 {
			if srcs[first] != nil {
				srcs[first].close()
				srcs[first] = nil
			}
			first++
		}
		if f%8 == 0 {
			progress(float64(f+1) / float64(total))
		}
	}
	return enc.Close()
}

// clipSource reads a clip's frames; past its end it repeats the last one,
// so a clip a frame short does not break the film.
type clipSource struct {
	dec  *media.Decoder
	buf  []byte
	done bool
}

func openClip(ctx context.Context, tools media.Tools, path string, p *timeline.Project) (*clipSource, error) {
	dec, err := tools.NewDecoder(ctx, path, media.DecodeOptions{Width: p.Width, Height: p.Height, PixFmt: "yuv420p", FPS: p.FPS})
	if err != nil {
		return nil, err
	}
	return &clipSource{dec: dec, buf: make([]byte, dec.FrameSize())}, nil
}

func (c *clipSource) next() error {
	if c.done {
		return nil
	}
	err := c.dec.ReadFrame(c.buf)
	if err != nil && isEOF(err) {
		c.done = true
		return nil
	}
	return err
}

func (c *clipSource) close() { c.dec.Close() }

// blend mixes two yuv420p frames for a transition at t in (0, 1): a
// crossfade weighs them; a dip to black fades the first out to black over
// the first half and the second in from black over the second half.
func blend(dst, a, b []byte, luma int, t float64, kind timeline.TransitionKind) {
	if kind == timeline.DipToBlack {
		src, g := a, 1-2*t
		if t >= 0.5 {
			src, g = b, 2*t-1
		}
		w := int32(g*256 + 0.5)
		for i := range dst {
			base := int32(128) // chroma's zero
			if i < luma {
				base = 16 // video black
			}
			dst[i] = byte(base + ((int32(src[i])-base)*w+128)>>8)
		}
		return
	}
	w := int32(t*256 + 0.5)
	for i := range dst {
		dst[i] = byte((int32(a[i])*(256-w) + int32(b[i])*w + 128) >> 8)
	}
}

func isEOF(err error) bool { return errors.Is(err, io.EOF) }
