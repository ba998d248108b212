package remote

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"math"
	"mime/multipart"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/media/audio"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/timeline"
)

// maxPromptRunes is the longest prompt the /v1/videos shape takes.
const maxPromptRunes = 32000

// body builds the request's body, once, and notes what was sent.
func (j *job) body(ctx context.Context) (body, error) {
	if j.b.s.Kind == KindSlate {
		return j.slateBody()
	}
	return j.genericBody(ctx)
}

// prompt is the shot's prompt as a model reads it, never empty (the shape
// needs one), and no longer than the shape allows.
func prompt(req *render.Request) string {
	p := req.Prompt()
	if strings.TrimSpace(p) == "" {
		p = cmp.Or(strings.TrimSpace(req.Shot.Title), fmt.Sprintf("Shot %d", req.Index+1))
	}
	if r := []rune(p); len(r) > maxPromptRunes {
		p = string(r[:maxPromptRunes])
	}
	return p
}

// serverBackend is the backend the Slate server renders with, as far as
// the render key needs it: its name and version as listed.
type serverBackend struct {
	m    account.VideoModel
	caps render.Capabilities
}

func (s serverBackend) Name() string                      { return s.m.ID }
func (s serverBackend) Version() string                   { return s.m.Version }
func (s serverBackend) Capabilities() render.Capabilities { return s.caps }
func (s serverBackend) Render(context.Context, *render.Request, func(float64)) (*render.Result, error) {
	return nil, render.Unsupported("a Slate server's backend renders there, not here")
}

// fileCues are the shot's cues with a sound file: the server has not got
// the file, so they are mixed in here.
func fileCues(sh *timeline.Shot) []timeline.Cue {
	var out []timeline.Cue
	for _, c := range sh.Cues {
		if c.File != "" {
			out = append(out, c)
		}
	}
	return out
}

// slateBody is the JSON a Slate server is sent: the shape's fields for
// anyone reading the job, and the whole shot under "slate". A cue's sound
// file stays here: the server renders the shot without it.
func (j *job) slateBody() (body, error) {
	req := j.req
	sent := *req
	if len(fileCues(req.Shot)) > 0 {
		sent.Shot = req.Shot.Clone()
		sent.Shot.Cues = slices.DeleteFunc(sent.Shot.Cues, func(c timeline.Cue) bool { return c.File != "" })
	}
	enc, err := render.EncodeRequest(&sent)
	if err != nil {
		return nil, fmt.Errorf("send shot %d to %s: %w", req.Index+1, j.b.s.Name, err)
	}
	key := render.Key(serverBackend{m: j.b.m, caps: j.b.Capabilities()}, &sent)
	sl := account.SlateRequest{Version: 1, Backend: j.b.model, Request: enc, Key: key}
	for _, g := range req.Grants {
		sl.Members = append(sl.Members, g.Member)
		sl.Grants = append(sl.Grants, g.Token)
	}
	f := req.Format
	secs := strconv.FormatFloat(req.Shot.Duration.Seconds(), 'f', -1, 64)
	j.sent = video{Model: j.b.model, Prompt: prompt(req), Size: fmt.Sprintf("%dx%d", f.Width, f.Height), Seconds: secs, SlateKey: key}
	return jsonBody(map[string]any{
		"model": j.sent.Model, "prompt": j.sent.Prompt, "seconds": secs, "size": j.sent.Size,
		"width": f.Width, "height": f.Height, "fps": f.FPS, "num_frames": req.Frames(), "seed": req.Shot.Seed,
		"slate": sl,
	}), nil
}

// finishSlate is the server's clip, with the shot's sound files mixed in
// here when it has any.
func (j *job) finishSlate(ctx context.Context, got string) (string, error) {
	cues := fileCues(j.req.Shot)
	if len(cues) == 0 {
		j.keep(got)
		return got, nil
	}
	j.status(StatusFitting)
	only := *j.req
	only.Shot = j.req.Shot.Clone()
	only.Shot.Lines, only.Shot.Cues = nil, cues
	return j.mixAndConform(ctx, got, &only, nil, true)
}

// genericBody is the multipart form vLLM-Omni and its kin take: the
// prompt with the featured cast's preferences, the nearest size the model
// renders, the shortest length it renders that covers the shot, the seed,
// and an input_reference image: the previous clip's last frame when the
// shot continues it, else a featured character's picture.
func (j *job) genericBody(ctx context.Context) (body, error) {
	req, m := j.req, j.b.m
	w, h := nearestSize(m, req.Format.Width, req.Format.Height)
	secs := lengthFor(m, req.Shot.Duration)
	j.sent = video{Model: j.b.model, Prompt: prompt(req), Size: fmt.Sprintf("%dx%d", w, h), Seconds: secs}
	ref, err := j.reference(ctx, w)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, kv := range [][2]string{{"model", j.sent.Model}, {"prompt", j.sent.Prompt}, {"seconds", secs}, {"size", j.sent.Size}, {"seed", strconv.FormatInt(req.Shot.Seed, 10)}} {
		if err := mw.WriteField(kv[0], kv[1]); err != nil {
			return nil, err
		}
	}
	if ref != "" {
		data, err := os.ReadFile(ref)
		if err != nil {
			return nil, fmt.Errorf("send shot %d to %s: the reference image: %w", req.Index+1, j.b.s.Name, err)
		}
		part, err := mw.CreateFormFile("input_reference", filepath.Base(ref))
		if err != nil {
			return nil, err
		}
		part.Write(data)
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	data, ctype := buf.Bytes(), mw.FormDataContentType()
	return func() (io.Reader, string, error) { return bytes.NewReader(data), ctype, nil }, nil
}

// reference is the image the model starts from, "" for none.
func (j *job) reference(ctx context.Context, width int) (string, error) {
	req := j.req
	if !j.b.m.ImageInput {
		return "", nil
	}
	if req.Shot.Continue && req.PrevClip != "" {
		out := j.temp("remote-ref-" + random() + ".jpg")
		if err := j.b.opts.Tools.Thumbnail(ctx, req.PrevClip, out, 24*time.Hour, min(1920, max(16, width))); err != nil {
			return "", fmt.Errorf("shot %d continues the one before: its last frame: %w", req.Index+1, err)
		}
		return out, nil
	}
	for _, id := range req.Shot.Cast {
		if l, ok := req.Likeness[id]; ok && l.Still != "" {
			return l.Still, nil
		}
	}
	return "", nil
}

// nearestSize is the size m renders closest to w×h: the same shape above
// all, then the one that covers the frame with the least to spare.
func nearestSize(m account.VideoModel, w, h int) (int, int) {
	best, bw, bh := math.Inf(1), w, h
	for _, s := range m.Sizes {
		sw, sh, ok := parseSize(s)
		if !ok {
			continue
		}
		shape := math.Abs(math.Log(float64(sw*h) / float64(sh*w)))
		area := math.Log(float64(sw*sh) / float64(w*h))
		score := 4*shape + math.Abs(area)
		if sw < w || sh < h {
			score += 0.5 // upscaling loses detail
		}
		if score < best {
			best, bw, bh = score, sw, sh
		}
	}
	if !math.IsInf(best, 1) {
		return bw, bh
	}
	if m.MaxWidth > 0 && m.MaxHeight > 0 && (w > m.MaxWidth || h > m.MaxHeight) {
		f := min(float64(m.MaxWidth)/float64(w), float64(m.MaxHeight)/float64(h))
		return int(float64(w)*f) &^ 1, int(float64(h)*f) &^ 1
	}
	return w, h
}

// lengthFor is the shortest length m renders that covers d, as the shape
// writes it ("4").
func lengthFor(m account.VideoModel, d time.Duration) string {
	var listed []float64
	for _, s := range m.Seconds {
		if f, err := strconv.ParseFloat(s, 64); err == nil && f > 0 {
			listed = append(listed, f)
		}
	}
	slices.Sort(listed)
	for _, f := range listed {
		if secs(f) >= d {
			return strconv.FormatFloat(f, 'f', -1, 64)
		}
	}
	if len(listed) > 0 {
		return strconv.FormatFloat(listed[len(listed)-1], 'f', -1, 64)
	}
	n := float64(approxSeconds(d))
	if m.MinSeconds > 0 {
		n = max(n, math.Ceil(m.MinSeconds))
	}
	if m.MaxSeconds > 0 {
		n = min(n, m.MaxSeconds)
	}
	return strconv.FormatFloat(n, 'f', -1, 64)
}

// conform fits a generic endpoint's clip to the shot, with the shot's
// dialogue and sound.
func (j *job) conform(ctx context.Context, got string) (string, error) {
	j.status(StatusFitting)
	vs := j.b.opts.Voices
	if vs == nil && len(j.req.Shot.Lines) > 0 {
		d := render.DefaultVoices(j.b.opts.Tools)
		defer d.Close()
		vs = d
	}
	return j.mixAndConform(ctx, got, j.req, vs, j.b.s.KeepModelAudio)
}

// mixAndConform makes the sound of sound's shot (its lines spoken by vs
// and its cue files) and lays it under got, fitted to the shot; keep keeps
// got's own sound under it.
func (j *job) mixAndConform(ctx context.Context, got string, sound *render.Request, vs render.Voices, keep bool) (string, error) {
	tools := j.b.opts.Tools
	pcm, _, err := render.SoundtrackWith(ctx, tools, vs, sound)
	if err != nil {
		return "", err
	}
	wav := j.temp("remote-" + random() + ".wav")
	if err := audio.WriteWAVFile(wav, pcm); err != nil {
		return "", fmt.Errorf("write the shot's sound: %w", err)
	}
	f := j.req.Format
	out := j.temp(fmt.Sprintf("remote-%s-%s.mp4", j.req.Shot.ID, random()))
	err = tools.Conform(ctx, got, out, media.ConformOptions{Width: f.Width, Height: f.Height, FPS: f.FPS, Frames: j.req.Frames(), Sound: wav, KeepSound: keep})
	if err != nil {
		return "", fmt.Errorf("fit the clip from %s to shot %d: %w", j.b.s.Name, j.req.Index+1, err)
	}
	j.keep(out)
	return out, nil
}
