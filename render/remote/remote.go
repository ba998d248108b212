// Package remote renders shots on a /v1/videos endpoint: a Slate render
// server (slate-server with render workers), which is sent the whole shot
// and renders exactly the clip this studio would, or any other endpoint
// with the OpenAI job shape (vLLM-Omni, SGLang, LiteLLM, …), whose result
// is conformed to the shot and mixed with its sound here.
//
// A Slate server is told from any other by its model listing: every model
// GET /v1/videos/models lists there is owned_by account.SlateOwner
// ("slate") and carries its backend's version.
package remote

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

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

// DefaultProfile is what a generic endpoint is taken to render when it
// lists no models and the person described none: the sizes and durations
// of the OpenAI video models the shape was made for.
var DefaultProfile = Profile{Sizes: []string{"1280x720", "720x1280"}, Seconds: []int{4, 8, 12}, FPS: 24, ImageInput: true}

// Model is the profile as a model listing would have it, for the model
// named id.
func (p Profile) Model(id string) account.VideoModel {
	m := account.VideoModel{ID: id, Object: "model", Sizes: slices.Clone(p.Sizes), Audio: p.Audio, ImageInput: p.ImageInput}
	if p.FPS > 0 {
		m.FPS = []int{p.FPS}
	}
	for _, s := range p.Seconds {
		m.Seconds = append(m.Seconds, strconv.Itoa(s))
	}
	return m
}

// Info is what Probe found at a server.
type Info struct {
	Kind Kind
	// Models are the server's listing; none when a generic endpoint
	// lists none (its Profile describes them then).
	Models []account.VideoModel
}

// Words the Status option hears: where a job on a render server is.
const (
	StatusSending   = "sending the shot"
	StatusQueued    = "queued"
	StatusRendering = "rendering"
	StatusWaiting   = "waiting for the server"
	StatusFetching  = "fetching the clip"
	StatusFitting   = "fitting the clip to the shot"
)

// Options are what a remote backend works with.
type Options struct {
	// HTTP sends the requests; nil means a client with no overall
	// timeout (a render may take an hour; each wait is bounded here).
	HTTP  *http.Client
	Clock clock.Clock
	Tools media.Tools
	// Voices speak the dialogue mixed into a generic endpoint's clip;
	// nil means render.DefaultVoices, loaded for each render.
	Voices render.Voices
	Log    *slog.Logger
	// Model is what the server listed for the model (Probe's
	// Info.Models); nil means the Server's Profile, or DefaultProfile.
	Model *account.VideoModel
	// Status, when set, hears where each request's job is, in the
	// queue row's words (StatusQueued, StatusWaiting, …), with the
	// position in the server's queue appended where it says
	// ("queued, 3 ahead"). It is called on the rendering goroutine and
	// must not block.
	Status func(req *render.Request, status string)
	// Poll is how long to wait between polls when the server gives no
	// openai-poll-after-ms hint; 0 means a second.
	Poll time.Duration
}

// ErrAuth is matched by the errors of a server that refused the API key.
var ErrAuth = errors.New("the render server refused the API key")

// Probe asks a server what it is and what it renders: a Slate server
// lists its backends as models owned by account.SlateOwner; any other
// endpoint is generic, with its own listing or none (then s.Profile, or
// DefaultProfile, describes it). A refused key and an unreachable server
// are errors that say so.
func Probe(ctx context.Context, hc *http.Client, s Server) (Info, error) {
	c := newClient(s, Options{HTTP: hc})
	resp, err := c.once(ctx, http.MethodGet, account.VideosPrefix+"/models", nil)
	if err != nil {
		return Info{}, fmt.Errorf("reach the render server %s at %s: %w; check its address and that it is running", s.Name, s.URL, err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return Info{}, fmt.Errorf("%w (%s at %s answered %d: %s); check the key you gave for it", ErrAuth, s.Name, s.URL, resp.StatusCode, apiMessage(resp))
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusMethodNotAllowed:
		// vLLM-Omni and most others list no video models.
		return Info{Kind: KindGeneric}, nil
	case resp.StatusCode/100 != 2:
		return Info{}, fmt.Errorf("ask the render server %s what it renders: it answered %d: %s", s.Name, resp.StatusCode, apiMessage(resp))
	}
	models, err := decodeModels(resp.Body)
	if err != nil {
		return Info{}, fmt.Errorf("read what the render server %s renders: %w", s.Name, err)
	}
	kind := KindGeneric
	if len(models) > 0 && !slices.ContainsFunc(models, func(m account.VideoModel) bool { return m.OwnedBy != account.SlateOwner }) {
		kind = KindSlate
	}
	return Info{Kind: kind, Models: models}, nil
}

// decodeModels reads a listing: {"object":"list","data":[…]}, or the bare
// array some servers answer with.
func decodeModels(r io.Reader) ([]account.VideoModel, error) {
	body, err := io.ReadAll(io.LimitReader(r, maxJSON))
	if err != nil {
		return nil, err
	}
	var list struct {
		Data []account.VideoModel `json:"data"`
	}
	if strings.HasPrefix(strings.TrimSpace(string(body)), "[") {
		err = json.Unmarshal(body, &list.Data)
	} else {
		err = json.Unmarshal(body, &list)
	}
	if err != nil {
		return nil, fmt.Errorf("the model listing is not JSON of the /v1/videos shape: %w", err)
	}
	return list.Data, nil
}

// Open probes s and returns the backend for model there, with what the
// server lists of it; an unknown model is an error naming those it has.
func Open(ctx context.Context, s Server, model string, opts Options) (render.Backend, error) {
	info, err := Probe(ctx, opts.HTTP, s)
	if err != nil {
		return nil, err
	}
	s.Kind = info.Kind
	if len(info.Models) > 0 {
		i := slices.IndexFunc(info.Models, func(m account.VideoModel) bool { return m.ID == model })
		if i < 0 {
			var ids []string
			for _, m := range info.Models {
				ids = append(ids, m.ID)
			}
			return nil, fmt.Errorf("the render server %s has no model %q; it has %s", s.Name, model, strings.Join(ids, ", "))
		}
		opts.Model = &info.Models[i]
	}
	return New(s, model, opts), nil
}

// New returns the backend that renders with model on s; its name is
// "remote:" + s.Name + "/" + model.
func New(s Server, model string, opts Options) render.Backend {
	m := opts.Model
	if m == nil {
		p := DefaultProfile
		if s.Profile != nil {
			p = *s.Profile
		}
		pm := p.Model(model)
		m = &pm
	}
	if s.Kind == "" {
		s.Kind = KindGeneric
	}
	opts.Clock = clock.Or(opts.Clock)
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Poll <= 0 {
		opts.Poll = time.Second
	}
	return &Backend{s: s, model: model, m: *m, opts: opts}
}
