package remote

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/timeline"
)

// Backend renders shots on one model of one render server.
type Backend struct {
	s     Server
	model string
	m     account.VideoModel
	opts  Options
}

var _ render.VoicedBackend = (*Backend)(nil)

// Name is "remote:SERVER/MODEL".
func (b *Backend) Name() string { return "remote:" + b.s.Name + "/" + b.model }

// Version changes with the server's model: on a Slate server its
// backend's version; elsewhere what the model renders and how its clip
// is fitted to the shot.
func (b *Backend) Version() string {
	if b.s.Kind == KindSlate {
		return "slate-" + cmp.Or(b.m.Version, "0")
	}
	j, _ := json.Marshal(struct {
		M    account.VideoModel
		Keep bool
	}{b.m, b.s.KeepModelAudio})
	sum := sha256.Sum256(j)
	return "generic-1-" + hex.EncodeToString(sum[:6])
}

// Voices are the voices a generic endpoint's clip is given dialogue in.
func (b *Backend) Voices() render.Voices { return b.opts.Voices }

// Capabilities: a Slate server's are its backend's, as it lists them. A
// generic endpoint's clip is fitted to any size and rate here, with the
// shot's sound mixed in, so only its longest duration bounds it; it is
// Outside.
func (b *Backend) Capabilities() render.Capabilities {
	m := b.m
	c := render.Capabilities{ImageConditioning: m.ImageInput, HumanLikeness: m.Likeness}
	lo, hi := secondsRange(m)
	if b.s.Kind == KindSlate {
		c.MaxWidth, c.MaxHeight, c.FPS, c.Audio = m.MaxWidth, m.MaxHeight, slices.Clone(m.FPS), m.Audio
		for _, s := range m.Sizes {
			if w, h, ok := parseSize(s); ok {
				c.Sizes = append(c.Sizes, timeline.Size{Width: w, Height: h})
			}
		}
		if len(c.Sizes) == 0 && c.MaxWidth == 0 {
			c.MaxWidth, c.MaxHeight = media.MaxWidth, media.MaxHeight
		}
		c.MinDuration, c.MaxDuration = lo, hi
		if c.MinDuration == 0 {
			c.MinDuration = timeline.MinShotDuration
		}
		if c.MaxDuration == 0 {
			c.MaxDuration = timeline.MaxShotDuration
		}
		return c
	}
	c.MaxWidth, c.MaxHeight, c.FPS, c.Audio, c.Outside = media.MaxWidth, media.MaxHeight, slices.Clone(timeline.Rates), true, true
	c.MinDuration, c.MaxDuration = timeline.MinShotDuration, timeline.MaxShotDuration
	if hi > 0 {
		c.MaxDuration = min(hi, c.MaxDuration)
	}
	return c
}

// secondsRange is the shortest and longest clip m renders, 0 where unsaid.
func secondsRange(m account.VideoModel) (lo, hi time.Duration) {
	lo, hi = secs(m.MinSeconds), secs(m.MaxSeconds)
	for _, s := range m.Seconds {
		if f, err := strconv.ParseFloat(s, 64); err == nil && f > 0 {
			d := secs(f)
			if lo == 0 || d < lo {
				lo = d
			}
			hi = max(hi, d)
		}
	}
	return lo, hi
}

func secs(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }

// parseSize reads a size a server lists, forgiving its case and spaces.
func parseSize(s string) (w, h int, ok bool) {
	return account.SplitSize(strings.ToLower(strings.TrimSpace(s)))
}

// video is the /v1/videos job object, as much of it as a studio reads.
type video struct {
	ID       string `json:"id"`
	Model    string `json:"model"`
	Status   string `json:"status"`
	Progress int    `json:"progress"`
	Prompt   string `json:"prompt"`
	Size     string `json:"size"`
	Seconds  any    `json:"seconds"`
	Error    *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
	SlateKey string `json:"slate_key"`
	// QueueAhead, where a server says it, is how many jobs wait before
	// this one.
	QueueAhead *int `json:"queue_ahead"`
}

// job is one render in progress: the request, its client and where its
// remote job is.
type job struct {
	b        *Backend
	c        *client
	req      *render.Request
	progress func(float64)
	status   func(string)
	// sent is what was submitted, to find the job by after a cut.
	sent video
	// temps are removed when the render ends.
	temps []string
}

// Render sends the shot to the server (or polls the job it already has
// for it, as req.Remote says), waits for it, and fetches the clip: a Slate
// server's as it is, a generic endpoint's fitted to the shot with the
// shot's sound mixed in. Cancelled by the person (render.ErrJobCancelled),
// or with nothing to resume it by (req.Remote nil), it cancels the
// server's job too; when Slate is closing it leaves it running.
func (b *Backend) Render(ctx context.Context, req *render.Request, progress func(float64)) (*render.Result, error) {
	if err := b.Capabilities().Check(b.Name(), req); err != nil {
		return nil, err
	}
	j := &job{b: b, req: req, progress: progress, status: func(string) {}}
	if b.opts.Status != nil {
		j.status = func(s string) { b.opts.Status(req, s) }
	}
	j.c = newClient(b.s, b.opts)
	j.c.waiting = func(s string) {
		if s != "" {
			j.status(s)
		}
	}
	defer func() {
		for _, p := range j.temps {
			os.Remove(p)
		}
	}()
	progress(0)
	res, id, err := j.run(ctx)
	if err != nil && id != "" && ctx.Err() != nil && (req.Remote == nil || errors.Is(context.Cause(ctx), render.ErrJobCancelled)) {
		j.cancel(ctx, id)
	}
	if err != nil && ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return res, err
}

// run renders, returning the remote job's ID with any error.
func (j *job) run(ctx context.Context) (*render.Result, string, error) {
	id, err := j.remembered(ctx)
	if err != nil {
		return nil, "", err
	}
	if id == sending {
		// Slate stopped after sending the shot, perhaps before it heard
		// the job's ID: the server may have made the job all the same.
		if id, err = j.sentBefore(ctx); err != nil {
			return nil, "", err
		}
	}
	for attempt := 0; ; attempt++ {
		if id == "" {
			if id, err = j.submit(ctx); err != nil {
				if ctx.Err() == nil || errors.Is(context.Cause(ctx), render.ErrJobCancelled) {
					j.forget(ctx) // the shot was refused: nothing to resume
				}
				return nil, "", err
			}
		}
		err = j.wait(ctx, id)
		if errors.Is(err, errGone) && attempt == 0 {
			// The server no longer has it (expired, or lost): once more.
			j.forget(ctx)
			id = ""
			continue
		}
		if err != nil {
			if !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
				j.forget(ctx)
			}
			return nil, id, err
		}
		res, err := j.fetch(ctx, id)
		if err != nil {
			return nil, id, err
		}
		j.forget(ctx)
		return res, "", nil
	}
}

// remembered is the ID of the job the server already runs for this
// request, if req.Remote kept one for this server.
func (j *job) remembered(ctx context.Context) (string, error) {
	if j.req.Remote == nil {
		return "", nil
	}
	server, id, err := j.req.Remote.RemoteID(ctx)
	if err != nil {
		return "", fmt.Errorf("look up the job on %s: %w", j.b.s.Name, err)
	}
	if server != j.b.s.Name {
		return "", nil
	}
	return id, nil
}

func (j *job) forget(ctx context.Context) {
	if j.req.Remote == nil {
		return
	}
	if err := j.req.Remote.SetRemoteID(context.WithoutCancel(ctx), j.b.s.Name, ""); err != nil {
		j.b.opts.Log.Warn("forget a render server's job", "server", j.b.s.Name, "err", err)
	}
}

// cancel asks the server to drop the job, briefly: the render has
// stopped either way.
func (j *job) cancel(ctx context.Context, id string) {
	dctx, done := context.WithTimeout(context.WithoutCancel(ctx), 700*time.Millisecond)
	defer done()
	resp, err := j.c.once(dctx, http.MethodDelete, account.VideosPrefix+"/"+url.PathEscape(id), nil)
	if err != nil {
		j.b.opts.Log.Warn("cancel a job on a render server", "server", j.b.s.Name, "job", id, "err", err)
		return
	}
	drain(resp)
	j.forget(ctx)
}

// sending is the remote ID kept while the shot is on its way: the server
// may make the job before Slate hears its ID, and Slate may be killed in
// between. A job that keeps it is resumed, not failed, when Slate starts
// again (the library requeues a running job with a remote ID), and looks
// for its job on the server before sending the shot again. No server's
// job ID has brackets.
const sending = "(sending)"

// sentBefore is the ID of the job the server made from a shot sent before
// Slate stopped, kept in req.Remote; "" when the server has none.
func (j *job) sentBefore(ctx context.Context) (string, error) {
	j.status(StatusSending)
	if _, err := j.body(ctx); err != nil {
		return "", err
	}
	id, err := j.find(ctx)
	if err != nil || id == "" {
		return "", err
	}
	return id, j.remember(ctx, id)
}

// submit sends the shot and returns the new job's ID, saved in req.Remote
// before anything relies on it: while the shot is on its way req.Remote
// keeps sending, so that a Slate killed before it hears the ID looks for
// the job instead of sending the shot again. After a cut connection, too,
// it looks for the job among the server's newest before sending again, so
// that a shot is never submitted twice.
func (j *job) submit(ctx context.Context) (string, error) {
	j.status(StatusSending)
	b, err := j.body(ctx)
	if err != nil {
		return "", err
	}
	if err := j.remember(ctx, sending); err != nil {
		return "", err
	}
	for garbled := 0; ; {
		resp, err := j.c.do(ctx, http.MethodPost, account.VideosPrefix, b, false)
		if errors.Is(err, errCut) {
			id, ferr := j.find(ctx)
			if ferr != nil {
				return "", ferr
			}
			if id == "" {
				if err := j.c.clock.Sleep(ctx, backoff(0)); err != nil {
					return "", err
				}
				continue
			}
			return id, j.remember(ctx, id)
		}
		if err != nil {
			return "", j.refused(err)
		}
		var v video
		if err := decode(resp, &v); err != nil || v.ID == "" {
			// The answer was cut after the job was made, perhaps; a server
			// that keeps answering with something else is given up on.
			if garbled++; garbled == 5 {
				return "", fmt.Errorf("%s answered shot %d with something other than a /v1/videos job: is %s a /v1/videos endpoint?", j.b.s.Name, j.req.Index+1, j.b.s.URL)
			}
			id, ferr := j.find(ctx)
			if ferr != nil {
				return "", ferr
			}
			if id == "" {
				continue
			}
			v.ID = id
		}
		return v.ID, j.remember(ctx, v.ID)
	}
}

func (j *job) remember(ctx context.Context, id string) error {
	if j.req.Remote == nil {
		return nil
	}
	if err := j.req.Remote.SetRemoteID(ctx, j.b.s.Name, id); err != nil {
		return fmt.Errorf("keep the job on %s: %w", j.b.s.Name, err)
	}
	return nil
}

// find looks for the job just submitted among the server's newest jobs:
// the same model, prompt, size and length (and render key, on a Slate
// server), not failed. "" when there is none, or the server lists none.
func (j *job) find(ctx context.Context) (string, error) {
	var list struct {
		Data []video `json:"data"`
	}
	for try := 0; ; try++ {
		resp, err := j.c.do(ctx, http.MethodGet, account.VideosPrefix+"?order=desc&limit=20", nil, true)
		var ae *apiError
		if errors.As(err, &ae) {
			return "", nil // no listing here: sending again is all there is
		}
		if err != nil {
			return "", err
		}
		err = decode(resp, &list)
		if err == nil {
			break
		}
		var syntax *json.SyntaxError
		if errors.As(err, &syntax) || try == 4 {
			return "", nil // no listing of the shape here
		}
		// Cut again.
	}
	for _, v := range list.Data {
		if v.Model == j.sent.Model && v.Prompt == j.sent.Prompt && v.Size == j.sent.Size &&
			fmt.Sprint(v.Seconds) == fmt.Sprint(j.sent.Seconds) && v.SlateKey == j.sent.SlateKey && v.Status != "failed" {
			return v.ID, nil
		}
	}
	return "", nil
}

// errGone is a job the server no longer has.
var errGone = errors.New("the render server no longer has the job")

// wait polls the job until it completes, reporting its progress.
func (j *job) wait(ctx context.Context, id string) error {
	share := 0.9
	if j.b.s.Kind != KindSlate {
		share = 0.8
	}
	last := -1.0
	for {
		resp, err := j.c.do(ctx, http.MethodGet, account.VideosPrefix+"/"+url.PathEscape(id), nil, true)
		var ae *apiError
		if errors.As(err, &ae) && ae.Status == http.StatusNotFound {
			return errGone
		}
		if err != nil {
			return j.refused(err)
		}
		next := pollAfter(resp, j.c.clock.Now(), j.b.opts.Poll)
		var v video
		if err := decode(resp, &v); err != nil {
			j.status(StatusWaiting) // cut mid-answer: ask again
		} else {
			switch v.Status {
			case "completed":
				j.report(&last, share)
				return nil
			case "failed":
				return j.failed(v)
			case "queued":
				s := StatusQueued
				if v.QueueAhead != nil {
					s += fmt.Sprintf(", %d ahead", *v.QueueAhead)
				}
				j.status(s)
			default:
				j.status(StatusRendering)
			}
			j.report(&last, share*float64(min(max(v.Progress, 0), 100))/100)
		}
		if err := j.c.clock.Sleep(ctx, next); err != nil {
			return err
		}
	}
}

// report passes progress on, never going back.
func (j *job) report(last *float64, f float64) {
	if f > *last {
		*last = f
		j.progress(f)
	}
}

// failed is a failed job's error, as the queue classifies it.
func (j *job) failed(v video) error {
	code, msg := "", "the render failed"
	if v.Error != nil {
		code, msg = v.Error.Code, cmp.Or(v.Error.Message, msg)
	}
	err := fmt.Errorf("%s could not render shot %d: %s", j.b.s.Name, j.req.Index+1, msg)
	switch code {
	case "consent_required":
		return &consentError{err}
	case "unsupported", "invalid_request":
		return render.Unsupported("%v", err)
	}
	return err
}

// refused is a request the server turned down, in the queue's terms.
func (j *job) refused(err error) error {
	var ae *apiError
	if !errors.As(err, &ae) {
		return err
	}
	msg := fmt.Sprintf("%s refused shot %d: %s", j.b.s.Name, j.req.Index+1, cmp.Or(ae.Message, http.StatusText(ae.Status)))
	switch {
	case ae.Status == http.StatusUnauthorized || ae.Status == http.StatusForbidden && ae.Code != "consent_required":
		return fmt.Errorf("%w: %s; check the key in Render ▸ Render servers…", ErrAuth, msg)
	case ae.Code == "consent_required":
		return &consentError{errors.New(msg)}
	case ae.Status == http.StatusBadRequest || ae.Status == http.StatusNotFound || ae.Status == http.StatusRequestEntityTooLarge:
		return render.Unsupported("%s", msg)
	case ae.Status >= 500:
		return fmt.Errorf("%s failed on shot %d, again and again: %s; try again later, or ask whoever runs it", j.b.s.Name, j.req.Index+1, cmp.Or(ae.Message, http.StatusText(ae.Status)))
	}
	return errors.New(msg)
}

// consentError is a server's refusal for want of consent.
type consentError struct{ err error }

func (e *consentError) Error() string { return e.err.Error() }

// Is makes errors.Is(err, render.ErrNoConsent) hold.
func (e *consentError) Is(target error) bool { return target == render.ErrNoConsent }

// fetch downloads the clip and makes it the shot's.
func (j *job) fetch(ctx context.Context, id string) (*render.Result, error) {
	j.status(StatusFetching)
	got := j.temp("remote-" + random() + ".mp4")
	if err := j.download(ctx, id, got); err != nil {
		return nil, err
	}
	frames := j.req.Frames()
	if j.b.s.Kind == KindSlate {
		out, err := j.finishSlate(ctx, got)
		if err != nil {
			return nil, err
		}
		j.progress(1)
		return &render.Result{Path: out, Frames: frames}, nil
	}
	j.progress(0.85)
	out, err := j.conform(ctx, got)
	if err != nil {
		return nil, err
	}
	j.progress(1)
	return &render.Result{Path: out, Frames: frames}, nil
}

// download writes the job's video to path, starting again when the
// connection is cut.
func (j *job) download(ctx context.Context, id, path string) error {
	for try := 0; ; try++ {
		resp, err := j.c.do(ctx, http.MethodGet, account.VideosPrefix+"/"+url.PathEscape(id)+"/content", nil, true)
		if err != nil {
			return j.refused(err)
		}
		err = writeFile(path, resp.Body)
		resp.Body.Close()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if !isCut(err) {
			return fmt.Errorf("save the clip from %s: %w", j.b.s.Name, err)
		}
		j.status(StatusWaiting)
		if err := j.c.clock.Sleep(ctx, backoff(try)); err != nil {
			return err
		}
	}
}

// cutError is a body that ended early.
type cutError struct{ err error }

func (e *cutError) Error() string { return e.err.Error() }

func isCut(err error) bool {
	var c *cutError
	return errors.As(err, &c)
}

func writeFile(path string, r io.Reader) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return &cutError{err}
	}
	return f.Close()
}

// temp is a path in the request's TempDir, removed when the render ends
// unless it is the result.
func (j *job) temp(name string) string {
	p := filepath.Join(j.req.TempDir, name)
	j.temps = append(j.temps, p)
	return p
}

// keep takes path off the list of what is removed: it is the result.
func (j *job) keep(path string) {
	j.temps = slices.DeleteFunc(j.temps, func(p string) bool { return p == path })
}

func random() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// approxSeconds formats d in whole seconds, rounded up, at least one.
func approxSeconds(d time.Duration) int { return max(1, int(math.Ceil(d.Seconds()-1e-9))) }
