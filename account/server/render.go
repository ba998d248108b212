package server

import (
	"context"

	"github.com/slatestudio/slate/account"
)

// Renderer renders the jobs of /v1/videos. cmd/slate-server gives one
// built on the studio's render backends (render/worker); this package
// never imports them. With none, the server has no render service.
type Renderer interface {
	// Models are what it renders, for GET /v1/videos/models and to check
	// a request against.
	Models() []account.VideoModel
	// Render makes the job's clip in job.TempDir and returns its path. It
	// reports progress from 0 to 1, stops when ctx ends, and leaves
	// nothing behind when it fails.
	Render(ctx context.Context, job account.RenderJob, progress func(fraction float64)) (string, error)
}

// VariantMaker is a Renderer that also makes a clip's previews, served as
// GET /v1/videos/{id}/content?variant=thumbnail and variant=spritesheet.
// It is optional, so a Renderer without it keeps working and those
// variants are not found.
type VariantMaker interface {
	// Variants writes a JPEG thumbnail and a JPEG sprite sheet of the
	// clip Render made for job, in job.TempDir, and returns their paths.
	// It stops when ctx ends.
	Variants(ctx context.Context, job account.RenderJob, clip string) (thumbnail, spritesheet string, err error)
}
