package worker

import (
	"fmt"
	"math"
	"time"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/timeline"
)

// plainRequest is a plain /v1/videos request (a prompt, a size, a length)
// as a one-shot project on the backend its model names. The negative
// prompt has no place in a shot and is not used.
func (w *Worker) plainRequest(job account.RenderJob) (render.Backend, *render.Request, error) {
	b, err := w.backend(job.Model)
	if err != nil {
		return nil, nil, err
	}
	c := b.Capabilities()
	fps := job.FPS
	if fps == 0 {
		fps = timeline.Rates[0]
		if len(c.FPS) > 0 {
			fps = c.FPS[0]
		}
	}
	width, height := job.Width, job.Height
	if width == 0 || height == 0 {
		p := timeline.New("")
		width, height = p.Width, p.Height
		if len(c.Sizes) > 0 {
			width, height = c.Sizes[0].Width, c.Sizes[0].Height
		}
	}
	shot := timeline.NewShot("")
	shot.ID = job.ID
	shot.Prompt = job.Prompt
	switch {
	case job.Frames > 0:
		shot.Duration = timeline.FrameTime(job.Frames, fps)
	case job.Seconds > 0:
		shot.Duration = time.Duration(math.Round(job.Seconds*1000)) * time.Millisecond
	}
	if job.Seed != nil {
		shot.Seed = *job.Seed
	}
	if job.InputReference != "" {
		if !c.ImageConditioning {
			return nil, nil, render.Unsupported("the %s model does not start from a picture: send the request without input_reference, or choose a model whose image_input is true", b.Name())
		}
		// The backend starts a continuing shot from the last frame of
		// the clip before it; a picture is a clip of one frame.
		shot.Continue = true
	}
	p := &timeline.Project{ID: job.ID, Width: width, Height: height, FPS: fps, Shots: []*timeline.Shot{shot}}
	if err := p.Validate(); err != nil {
		return nil, nil, fmt.Errorf("the video request: %w", err)
	}
	req := render.NewRequest(p, 0, job.TempDir)
	req.PrevClip = job.InputReference
	return b, req, nil
}
