package rendertest

import (
	"context"
	"sync"

	"github.com/slatestudio/slate/render"
)

// Counter is a backend for tests that ask how often a shot was rendered:
// it renders what the backend it wraps renders (so it keeps that
// backend's side of the contract this suite checks), under its own name,
// and counts the renders of each shot. With ImageConditioning it says it
// can start a shot from the previous clip's last frame, as a model pack
// with image conditioning does, so continuity reaches the render keys
// without a model; the previous clip each render was given is noted.
type Counter struct {
	render.Backend
	// As is the name it is registered under and renders as.
	As string
	// ImageConditioning is what its capabilities say of continuity.
	ImageConditioning bool

	mu      sync.Mutex
	renders map[string]int    // shot ID → renders
	prev    map[string]string // shot ID → the previous clip of its last render
}

var _ render.Backend = (*Counter)(nil)

// Name is As.
func (c *Counter) Name() string { return c.As }

// Capabilities are the wrapped backend's, with ImageConditioning as set.
func (c *Counter) Capabilities() render.Capabilities {
	caps := c.Backend.Capabilities()
	caps.ImageConditioning = c.ImageConditioning
	return caps
}

// Render counts the render and has the wrapped backend make the clip.
func (c *Counter) Render(ctx context.Context, req *render.Request, progress func(float64)) (*render.Result, error) {
	c.mu.Lock()
	if c.renders == nil {
		c.renders, c.prev = map[string]int{}, map[string]string{}
	}
	c.renders[req.Shot.ID]++
	c.prev[req.Shot.ID] = req.PrevClip
	c.mu.Unlock()
	return c.Backend.Render(ctx, req, progress)
}

// Renders is how many times the shot with this ID was rendered.
func (c *Counter) Renders(shotID string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.renders[shotID]
}

// PrevClip is the previous clip the shot's last render started from; ""
// when it started from none.
func (c *Counter) PrevClip(shotID string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.prev[shotID]
}
