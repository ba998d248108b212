package onnx

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/media/audio"
	"github.com/slatestudio/slate/ml"
	"github.com/slatestudio/slate/ml/pack"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/timeline"
)

// Name is the backend's registry name.
const Name = "onnx"

// version changes whenever the same request would render differently
// with the same pack; the pack and provider are part of Version too.
const version = "1"

// Options adjust a backend.
type Options struct {
	// Provider overrides the pack's provider for this run: "", "auto"
	// (the best available), "CPU", "CUDA", "CoreML" or "DirectML".
	Provider string
	// Threads caps the threads one model run uses; 0 lets ONNX Runtime
	// choose.
	Threads int
	// FreeMemory reads the memory free for a provider; nil means
	// ml.FreeMemory. Tests inject a reading.
	FreeMemory func(provider string) ml.Memory
}

// Backend renders shots with an installed model pack.
type Backend struct {
	tools    media.Tools
	rt       *ml.Runtime
	pack     *pack.Pack
	tok      *textTokenizer
	opts     Options
	provider string

	// sem lets one render at a time use the models: two would need twice
	// the working memory the planner allowed for.
	sem chan struct{}
	// once loads the models on the first render, after the planner has
	// said they fit.
	mu     sync.Mutex
	models *models
}

var _ render.Backend = (*Backend)(nil)

// Open returns a backend for the installed pack p on rt. It reads the
// tokenizer and chooses the provider as Resolve does (opts.Provider, else
// the pack's, else the best the library offers); the models are loaded on
// the first render, once the planner has checked they fit.
func Open(tools media.Tools, rt *ml.Runtime, p *pack.Pack, opts Options) (*Backend, error) {
	m := p.Manifest
	provider, _, err := chooseProvider(rt.Providers(), m, opts.Provider)
	if err != nil {
		return nil, err
	}
	tok, err := loadTokenizer(p.Path(m.Tokenizer.File), m.Tokenizer.MaxLength, m.Tokenizer.PadToken)
	if err != nil {
		return nil, fmt.Errorf("model pack %s: %w", m.Name, err)
	}
	if opts.FreeMemory == nil {
		opts.FreeMemory = ml.FreeMemory
	}
	return &Backend{tools: tools, rt: rt, pack: p, tok: tok, opts: opts, provider: provider, sem: make(chan struct{}, 1)}, nil
}

// Close releases the models.
func (b *Backend) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.models != nil {
		b.models.close()
		b.models = nil
	}
	return nil
}

// Name returns "onnx".
func (b *Backend) Name() string { return Name }

// Version names the pipeline, the pack (by its manifest's hash, which
// names every file's hash) and the provider, since a GPU renders slightly
// different pixels from a CPU: "1/tinypack@3f2a…/CPU".
func (b *Backend) Version() string {
	return fmt.Sprintf("%s/%s@%s/%s", version, b.pack.Manifest.Name, b.pack.ManifestSHA256[:16], b.provider)
}

// Pack is the pack the backend renders with.
func (b *Backend) Pack() *pack.Pack { return b.pack }

// Provider is the execution provider the models run on.
func (b *Backend) Provider() string { return b.provider }

// Capabilities: any size up to media's limit in the pack's size multiple
// (frames are cropped), any project rate (the model's frames are
// retimed), as long as the pack renders (its max_frames), with sound.
// A real person may appear (the prompt names featured cast), so featured
// cast need consent. A shot can start from the previous clip's last frame
// only where the pack declares image conditioning.
func (b *Backend) Capabilities() render.Capabilities {
	d := b.pack.Manifest.Defaults
	maxDur := timeline.MaxShotDuration
	if d.MaxFrames > 0 {
		maxDur = min(maxDur, time.Duration(d.MaxFrames)*time.Second/time.Duration(d.FPS))
	}
	return render.Capabilities{
		MaxWidth: media.MaxWidth, MaxHeight: media.MaxHeight,
		FPS:         timeline.Rates,
		MinDuration: timeline.MinShotDuration, MaxDuration: maxDur,
		Audio:             true,
		ImageConditioning: b.pack.Manifest.ImageConditioning != nil,
		HumanLikeness:     true,
	}
}

// modelFrames is how many frames at the model's rate cover a request:
// enough that retiming picks each project frame from one of them.
func (b *Backend) modelFrames(req *render.Request) int {
	n := req.Frames()
	fps := b.pack.Manifest.Defaults.FPS
	return (n-1)*fps/req.Format.FPS + 1
}

// Plan is the memory plan for req against what is free now.
func (b *Backend) Plan(req *render.Request) Plan {
	b.mu.Lock()
	loaded := b.models != nil
	b.mu.Unlock()
	return plan(b.pack.Manifest, req.Format.Width, req.Format.Height, b.modelFrames(req), b.opts.FreeMemory(b.provider), b.provider, loaded)
}

// Render renders one shot: see the package comment. It refuses, before
// anything runs, a shot the planner says would not fit in memory.
func (b *Backend) Render(ctx context.Context, req *render.Request, progress func(float64)) (*render.Result, error) {
	need := []string{media.ToolFFmpeg}
	if len(req.Shot.Lines) > 0 {
		need = append(need, media.ToolEspeak)
	}
	if err := b.tools.Check(need...); err != nil {
		return nil, err
	}
	if req.Frames() < 1 {
		return nil, render.Unsupported("shot %d has no frames: lengthen it", req.Index+1)
	}
	m := b.pack.Manifest
	if mf := m.Defaults.MaxFrames; mf > 0 && b.modelFrames(req) > mf {
		return nil, render.Unsupported("shot %d lasts %s, and model pack %s makes at most %d frames (%s): shorten it, or render it with the animatic", req.Index+1,
			timeline.Seconds(req.Shot.Duration), m.Name, mf, timeline.Seconds(time.Duration(mf)*time.Second/time.Duration(m.Defaults.FPS)))
	}
	pl := b.Plan(req)
	if err := pl.Check(); err != nil {
		return nil, fmt.Errorf("shot %d: %w", req.Index+1, err)
	}
	progress(0)

	select {
	case b.sem <- struct{}{}:
		defer func() { <-b.sem }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	res, err := b.render(ctx, req, pl.Geometry, progress)
	if err != nil && ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return res, err
}

func (b *Backend) loaded() (*models, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.models == nil {
		ms, err := loadModels(b.rt, b.pack, ml.SessionOptions{Provider: b.provider, Threads: b.opts.Threads})
		if err != nil {
			return nil, err
		}
		b.models = ms
	}
	return b.models, nil
}

// render is Render once the plan is accepted and the models are free.
func (b *Backend) render(ctx context.Context, req *render.Request, g Geometry, progress func(float64)) (*render.Result, error) {
	sound, _, err := render.Soundtrack(ctx, b.tools, req)
	if err != nil {
		return nil, err
	}
	wav := filepath.Join(req.TempDir, "onnx-"+random()+".wav")
	if err := audio.WriteWAVFile(wav, sound); err != nil {
		return nil, fmt.Errorf("write the shot's sound: %w", err)
	}
	defer os.Remove(wav)
	progress(0.03)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ms, err := b.loaded()
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	// The encoder starts now, so ffmpeg's start-up overlaps denoising.
	f := req.Format
	out := filepath.Join(req.TempDir, fmt.Sprintf("onnx-%s-%s.mp4", req.Shot.ID, random()))
	enc, err := b.tools.NewEncoder(ctx, media.EncodeOptions{
		Width: f.Width, Height: f.Height, FPS: f.FPS, Output: out, Audio: wav, BT709: true,
	})
	if err != nil {
		return nil, err
	}
	p := &pipeline{b: b, ms: ms, req: req, g: g, progress: progress}
	if err := p.run(ctx, enc); err != nil {
		enc.Abort()
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	progress(1)
	return &render.Result{Path: out, Frames: req.Frames()}, nil
}

// ErrNoPack is wrapped by OpenInstalled's error when no pack is installed.
var ErrNoPack = errors.New("no model pack is installed")

// OpenInstalled opens the backend on the installed pack called name, or on
// the only installed pack when name is empty, on the provider Resolve
// chooses: what the studio's and the CLI's registry do. Every failure
// says what to install or choose.
func OpenInstalled(tools media.Tools, store *pack.Store, name string, opts Options) (*Backend, error) {
	var rt *ml.Runtime
	res, err := Resolve(store, Choice{Pack: name, Provider: opts.Provider}, func() ([]string, error) {
		lib, _, err := ml.FindLibrary()
		if err != nil {
			return nil, err
		}
		if rt, err = ml.Load(lib); err != nil {
			return nil, err
		}
		return rt.Providers(), nil
	})
	if err != nil {
		return nil, err
	}
	opts.Provider = res.Provider
	return Open(tools, rt, res.Pack, opts)
}

func random() string {
	var b [6]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
