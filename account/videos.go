package account

import "encoding/json"

// VideosPrefix is where the render service's OpenAI-shaped job API lives
// on a server, beside Prefix.
const VideosPrefix = "/v1/videos"

// SlateOwner is VideoModel.OwnedBy for every model a Slate server lists.
const SlateOwner = "slate"

// VideoModel is one model a /v1/videos endpoint renders with, and what it
// renders: GET /v1/videos/models lists them. On a Slate server a model is
// one of its render backends ("animatic", "onnx").
type VideoModel struct {
	ID     string `json:"id"`
	Object string `json:"object"` // "model"
	// OwnedBy is SlateOwner on a Slate server: that is how a studio
	// tells one from any other /v1/videos endpoint.
	OwnedBy string `json:"owned_by,omitempty"`
	// Version is, on a Slate server, the render backend's Version: a
	// studio puts it in the render key it sends, so that the clip it gets
	// is keyed as the one the same backend renders locally, and renders
	// again when the server's backend changes. Empty elsewhere.
	Version string `json:"version,omitempty"`
	// Sizes are the frame sizes it renders, "WxH"; MaxWidth and
	// MaxHeight bound them instead when any size up to them will do.
	Sizes     []string `json:"sizes,omitempty"`
	MaxWidth  int      `json:"max_width,omitempty"`
	MaxHeight int      `json:"max_height,omitempty"`
	FPS       []int    `json:"fps,omitempty"`
	// Seconds are the only durations it renders ("4", "8"), or else
	// MinSeconds and MaxSeconds bound them.
	Seconds    []string `json:"seconds,omitempty"`
	MinSeconds float64  `json:"min_seconds,omitempty"`
	MaxSeconds float64  `json:"max_seconds,omitempty"`
	// Audio: its clips carry sound (on a Slate server, the shot's
	// dialogue and sound).
	Audio bool `json:"audio"`
	// ImageInput: it starts from an input_reference image.
	ImageInput bool `json:"image_input"`
	// Likeness: it may depict a real person from their recorded media.
	Likeness bool `json:"likeness"`
}

// RenderJob is one /v1/videos job as slate-server hands it to its render
// workers (account/server's Renderer, which render/worker implements):
// shared here so that neither side imports the other.
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
