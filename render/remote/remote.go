// Package remote renders shots on a /v1/videos endpoint: a Slate render
// server (slate-server with render workers), which is sent the whole shot
// and renders exactly the clip this studio would, or any other endpoint
// with the OpenAI job shape (vLLM-Omni, SGLang, LiteLLM, …), whose result
// is conformed to the shot and mixed with its sound here.
package remote

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/internal/clock"
	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/render"
)

// Kind is what a render server turned out to be.
type Kind string

const (
	// KindSlate is a slate-server with render workers.
	KindSlate Kind = "slate"
	// KindGeneric is any other /v1/videos endpoint.
	KindGeneric Kind = "generic"
)

// Server is a render server as the person added it.
type Server struct {
	Name, URL, APIKey string
	Kind              Kind
	// Profile is what a generic endpoint renders when it lists no models.
	Profile *Profile
	// KeepModelAudio keeps a generic model's own sound under the shot's
	// dialogue and sound; otherwise the shot's sound replaces it.
	KeepModelAudio bool
}

// Profile is what a generic endpoint renders, as the person describes it.
type Profile struct {
	Sizes      []string `json:"sizes"`   // "1280x720"
	Seconds    []int    `json:"seconds"` // 4, 8, 12
	FPS        int      `json:"fps"`
	Audio      bool     `json:"audio"`
	ImageInput bool     `json:"image_input"`
}

// Info is what Probe found at a server.
type Info struct {
	Kind   Kind
	Models []account.VideoModel
}

// Options are what a remote backend works with.
type Options struct {
	HTTP  *http.Client
	Clock clock.Clock
	Tools media.Tools
	Log   *slog.Logger
}

// ErrNotYet is returned until this package is written.
var ErrNotYet = errors.New("remote rendering is not built yet")

// Probe asks a server what it is and what it renders.
func Probe(ctx context.Context, hc *http.Client, s Server) (Info, error) {
	return Info{}, ErrNotYet
}

// New returns the backend that renders with model on s; its name is
// "remote:" + s.Name + "/" + model.
func New(s Server, model string, opts Options) render.Backend {
	return nil
}
