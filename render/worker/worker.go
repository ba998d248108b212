// Package worker renders slate-server's /v1/videos jobs on the studio's
// own backends (the animatic, the on-device models), opened as
// render/local opens them for the studio and slate render. A job that
// carries a Slate studio's whole shot ("slate", C2 of issue 12) renders
// exactly the clip that studio would render itself, or fails saying why
// it would not; a plain request (a prompt, a size, a duration) becomes a
// one-shot project.
//
// It implements account/server's Renderer; the two meet in
// cmd/slate-server and neither imports the other.
package worker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/render/local"
	"github.com/slatestudio/slate/render/onnx"
)

// Options say what a Worker renders with.
type Options struct {
	// Backends names the backends to render with ("animatic", "onnx"),
	// in the order the models are listed.
	Backends []string
	// Models is the folder of model packs the on-device backend renders
	// with.
	Models string
	// Tools are the programs the backends run; the zero value finds
	// them on PATH.
	Tools media.Tools
	// Getenv reads SLATE_MODEL_PACK and SLATE_ORT_PROVIDER, which choose
	// the pack and execution provider as they do for the studio; nil
	// reads the environment.
	Getenv func(string) string
}

// Worker renders jobs on the backends it opened. It is safe for
// concurrent use: slate-server's render workers share one.
type Worker struct {
	backends []render.Backend
	tools    media.Tools
}

// ErrUnknownBackend is wrapped by Open's error for a backend name this
// package does not know.
var ErrUnknownBackend = errors.New("unknown render backend")

// Known lists the backends a Worker can render with, where they open.
func Known() []string { return []string{"animatic", "onnx"} }

// Open opens every backend opts names now, so that a render server that
// cannot render says so when it starts, naming what to install, rather
// than failing its first job.
func Open(opts Options) (*Worker, error) {
	if len(opts.Backends) == 0 {
		return nil, fmt.Errorf("open the render workers: no backend named; choose from %s", strings.Join(Known(), ", "))
	}
	tools := opts.Tools
	if tools == (media.Tools{}) {
		tools = media.FindTools()
	}
	if err := tools.Check(media.ToolFFmpeg, media.ToolFFprobe); err != nil {
		return nil, fmt.Errorf("open the render workers: %w", err)
	}
	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	reg := render.NewRegistry()
	local.Register(reg, tools, func() (string, error) {
		if opts.Models == "" {
			return "", errors.New("no folder of model packs given")
		}
		return opts.Models, nil
	}, getenv)
	w := &Worker{tools: tools}
	seen := map[string]bool{}
	for _, name := range opts.Backends {
		if seen[name] {
			continue
		}
		seen[name] = true
		if !slices.Contains(Known(), name) {
			w.Close()
			return nil, fmt.Errorf("render backend %q: %w; choose from %s", name, ErrUnknownBackend, strings.Join(Known(), ", "))
		}
		b, err := reg.Open(name)
		if errors.Is(err, onnx.ErrNoPack) && filepath.Base(opts.Models) == "models" {
			// slate models install writes into $SLATE_HOME/models.
			err = fmt.Errorf("%w; for this server: SLATE_HOME=%s slate models install PATH|URL", err, filepath.Dir(opts.Models))
		}
		if err != nil {
			w.Close()
			return nil, err
		}
		w.backends = append(w.backends, b)
	}
	return w, nil
}

// Close releases what the backends hold (the on-device models).
func (w *Worker) Close() error {
	var errs []error
	for _, b := range w.backends {
		if c, ok := b.(io.Closer); ok {
			errs = append(errs, c.Close())
		}
	}
	return errors.Join(errs...)
}

// Models lists one model per backend, named as the backend is, with what
// it renders.
func (w *Worker) Models() []account.VideoModel {
	ms := make([]account.VideoModel, 0, len(w.backends))
	for _, b := range w.backends {
		m := model(b.Name(), b.Capabilities())
		// A studio's remote backend keys its clips with this version, as
		// the local backend of that name would, so the two share clips.
		m.Version = b.Version()
		ms = append(ms, m)
	}
	return ms
}

// model is a backend's capabilities as a /v1/videos model.
func model(name string, c render.Capabilities) account.VideoModel {
	m := account.VideoModel{
		ID: name, Object: "model", OwnedBy: account.SlateOwner,
		MaxWidth: c.MaxWidth, MaxHeight: c.MaxHeight,
		FPS:        append([]int(nil), c.FPS...),
		MinSeconds: c.MinDuration.Seconds(), MaxSeconds: c.MaxDuration.Seconds(),
		Audio: c.Audio, ImageInput: c.ImageConditioning, Likeness: c.HumanLikeness,
	}
	for _, s := range c.Sizes {
		m.Sizes = append(m.Sizes, fmt.Sprintf("%dx%d", s.Width, s.Height))
	}
	return m
}

// backend is the open backend called name.
func (w *Worker) backend(name string) (render.Backend, error) {
	names := make([]string, 0, len(w.backends))
	for _, b := range w.backends {
		if b.Name() == name {
			return b, nil
		}
		names = append(names, b.Name())
	}
	return nil, fmt.Errorf("this server does not render with %q: choose %s", name, strings.Join(names, " or "))
}

// Render makes job's clip in job.TempDir and returns its path: the
// Slate studio's shot when job.Slate is set, else a one-shot project made
// of the plain request. It reports progress from 0 to 1, stops when ctx
// ends, and leaves nothing behind when it fails. Its errors are whole
// sentences for the person whose job it is (the job's error message),
// without the job's ID, which they know.
func (w *Worker) Render(ctx context.Context, job account.RenderJob, progress func(float64)) (string, error) {
	if progress == nil {
		progress = func(float64) {}
	}
	var (
		b   render.Backend
		req *render.Request
		err error
	)
	if job.Slate != nil {
		b, req, err = w.slateRequest(job)
	} else {
		b, req, err = w.plainRequest(job)
	}
	if err != nil {
		return "", err
	}
	if err := b.Capabilities().Check(b.Name(), req); err != nil {
		return "", err
	}
	res, err := b.Render(ctx, req, progress)
	if err != nil {
		return "", err
	}
	return res.Path, nil
}
