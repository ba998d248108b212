package worker

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/slatestudio/slate/account"
)

// The previews of a clip. The thumbnail is the clip's middle frame at the
// clip's width, at most thumbWidth. The sprite sheet is sheetTiles frames
// evenly spaced through the clip (the first at its start), each
// sheetTileWidth pixels wide, in one row: a scrub bar maps its position
// straight to a tile (x = i×160), ten tiles show a 4–8 s shot at under a
// second apart, and 160 px is the tile width the studio's film sprite
// sheet uses (render/film.go) and the usual size of a scrubbing preview.
const (
	thumbWidth     = 1280
	sheetTiles     = 10
	sheetTileWidth = 160
)

// Variants writes the thumbnail and the sprite sheet of clip, a clip
// Render made for job, into job.TempDir as JPEGs and returns their paths.
// slate-server serves them as the variants thumbnail and spritesheet of
// GET /v1/videos/{id}/content.
func (w *Worker) Variants(ctx context.Context, job account.RenderJob, clip string) (thumbnail, spritesheet string, err error) {
	p, err := w.tools.Probe(ctx, clip)
	if err != nil {
		return "", "", fmt.Errorf("make the previews: %w", err)
	}
	if p.Video == nil || p.Video.Width <= 0 {
		return "", "", fmt.Errorf("make the previews of %s: the clip has no picture", filepath.Base(clip))
	}
	d := p.Video.Duration
	if d <= 0 {
		d = p.Duration
	}
	if d <= 0 {
		return "", "", fmt.Errorf("make the previews of %s: the clip has no length", filepath.Base(clip))
	}
	thumbnail = filepath.Join(job.TempDir, "thumbnail.jpg")
	if err := w.tools.Thumbnail(ctx, clip, thumbnail, d/2, min(p.Video.Width, thumbWidth)); err != nil {
		return "", "", fmt.Errorf("make the thumbnail: %w", err)
	}
	// One tile every tenth of the clip, rounded up to the microsecond
	// (the resolution of ffmpeg's rate) so that ten tiles cover it and an
	// eleventh never starts a second row.
	interval := ((d+sheetTiles-1)/sheetTiles + time.Microsecond - 1).Truncate(time.Microsecond)
	interval = max(interval, 10*time.Millisecond)
	spritesheet = filepath.Join(job.TempDir, "spritesheet.jpg")
	if err := w.tools.SpriteSheet(ctx, clip, spritesheet, interval, sheetTileWidth, sheetTiles); err != nil {
		return "", "", fmt.Errorf("make the sprite sheet: %w", err)
	}
	return thumbnail, spritesheet, nil
}
