package media

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// Limits on thumbnails and sprite sheets: big enough for any preview, small
// enough that a mistaken interval cannot make a gigapixel JPEG.
const (
	maxThumbWidth  = 1920
	maxSheetPixels = 16384 // per side
)

// Thumbnail writes one frame of video, at time at and scaled to width pixels
// wide (the height keeps the aspect ratio), to out as a JPEG. A time past
// the last frame gives the last frame, so "the end of the clip" needs no
// arithmetic from the caller. out is written atomically.
func (t Tools) Thumbnail(ctx context.Context, video, out string, at time.Duration, width int) error {
	if width < 16 || width > maxThumbWidth {
		return fmt.Errorf("thumbnail of %q: width %d must be between 16 and %d", video, width, maxThumbWidth)
	}
	if at < 0 {
		return fmt.Errorf("thumbnail of %q: time %v is negative", video, at)
	}
	p, err := t.Probe(ctx, video)
	if err != nil {
		return fmt.Errorf("thumbnail: %w", err)
	}
	if p.Video == nil {
		return fmt.Errorf("thumbnail of %q: no video stream", video)
	}
	if d := videoDuration(p); d > 0 {
		frame := time.Second / 25
		if fps := p.Video.FrameRate.Float(); fps > 0 {
			frame = time.Duration(float64(time.Second) / fps)
		}
		at = min(at, max(d-frame, 0))
	}
	err = t.RunFFmpeg(ctx,
		"-ss", seconds(at), "-i", video, "-map", "0:v:0", "-frames:v", "1",
		"-vf", fmt.Sprintf("scale=%d:-2", width),
		"-c:v", "mjpeg", "-q:v", "3", "-update", "1", "-f", "image2", out)
	if err != nil {
		return fmt.Errorf("thumbnail of %q at %v: %w", video, at, err)
	}
	return nil
}

// SpriteSheet writes one JPEG grid of frames taken every interval through the
// whole of video, each tileW pixels wide, cols to a row, for scrubbing
// previews. Tile i shows the frame at i×interval; rows follow from the
// duration. out is written atomically.
func (t Tools) SpriteSheet(ctx context.Context, video, out string, interval time.Duration, tileW, cols int) error {
	switch {
	case interval < 10*time.Millisecond:
		return fmt.Errorf("sprite sheet of %q: interval %v must be at least 10ms", video, interval)
	case tileW < 16 || tileW > maxThumbWidth:
		return fmt.Errorf("sprite sheet of %q: tile width %d must be between 16 and %d", video, tileW, maxThumbWidth)
	case cols < 1 || cols*tileW > maxSheetPixels:
		return fmt.Errorf("sprite sheet of %q: %d columns of %d pixels must be at least one and at most %d pixels wide", video, cols, tileW, maxSheetPixels)
	}
	p, err := t.Probe(ctx, video)
	if err != nil {
		return fmt.Errorf("sprite sheet: %w", err)
	}
	if p.Video == nil || p.Video.Width <= 0 || p.Video.Height <= 0 {
		return fmt.Errorf("sprite sheet of %q: no video stream", video)
	}
	d := videoDuration(p)
	if d <= 0 {
		return fmt.Errorf("sprite sheet of %q: the video has no duration (is it a still image?)", video)
	}
	rows := SpriteRows(d, interval, cols)
	tileH := (tileW*p.Video.Height/p.Video.Width + 1) &^ 1
	if rows*tileH > maxSheetPixels {
		return fmt.Errorf("sprite sheet of %q: %d rows of %d pixels exceed %d pixels; use an interval longer than %v", video, rows, tileH, maxSheetPixels, interval)
	}
	// The fps filter takes a rational rate: one frame per interval, exactly.
	us := interval.Microseconds()
	g := int64(gcd(1_000_000, int(us)))
	vf := fmt.Sprintf("fps=%d/%d,scale=%d:%d,tile=%dx%d", 1_000_000/g, us/g, tileW, tileH, cols, rows)
	err = t.RunFFmpeg(ctx,
		"-i", video, "-map", "0:v:0", "-vf", vf, "-frames:v", "1",
		"-c:v", "mjpeg", "-q:v", "3", "-update", "1", "-f", "image2", out)
	if err != nil {
		return fmt.Errorf("sprite sheet of %q: %w", video, err)
	}
	return nil
}

// SpriteRows returns how many rows of cols tiles a sprite sheet needs for one
// tile every interval over duration: ceil(duration/interval) tiles.
func SpriteRows(duration, interval time.Duration, cols int) int {
	if duration <= 0 || interval <= 0 || cols <= 0 {
		return 0
	}
	tiles := int((duration + interval - 1) / interval)
	return (tiles + cols - 1) / cols
}

// videoDuration prefers the video stream's own duration to the container's,
// which may include a longer audio track.
func videoDuration(p *Probe) time.Duration {
	if p.Video != nil && p.Video.Duration > 0 {
		return p.Video.Duration
	}
	return p.Duration
}

// seconds formats d for ffmpeg's time options, to the microsecond.
func seconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', 6, 64)
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
