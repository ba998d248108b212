package server

import (
	"context"
	"encoding/json"

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
	Render(ctx context.Context, job RenderJob, progress func(fraction float64)) (string, error)
}

// RenderJob is one /v1/videos job as a Renderer gets it.
type RenderJob struct {
	ID, Model, Prompt, NegativePrompt string
	Width, Height, FPS, Frames        int
	Seconds                           float64
	Seed                              *int64
	// InputReference is the path of the uploaded reference image, "" if
	// none.
	InputReference string
	// Slate is the request's "slate" object (the whole shot as a Slate
	// studio has it), nil for a plain request.
	Slate json.RawMessage
	// TempDir is where the clip is written, on the blob store's
	// filesystem.
	TempDir string
	// Still returns the path of a member's medium by its sha256 (the
	// stills a Slate request's likeness names), or an error when the
	// server holds none.
	Still func(sha256 string) (string, error)
}
