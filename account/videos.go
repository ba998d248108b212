package account

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/slatestudio/slate/consent"
)

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

// The statuses of a /v1/videos job. A deleted job is gone (404), not
// "cancelled": the shape has no such status.
const (
	VideoQueued     = "queued"
	VideoInProgress = "in_progress"
	VideoCompleted  = "completed"
	VideoFailed     = "failed"
)

// Error codes a job's error carries, beside a renderer's own.
const (
	// VideoConsentRequired: someone featured no longer consents (a grant
	// revoked or expired between submit and render); nothing was
	// rendered.
	VideoConsentRequired = "consent_required"
	// VideoCancelled: the job was cancelled by the queue, not deleted.
	VideoCancelled = "cancelled"
	// VideoRenderFailed: the renderer failed, and kept failing when
	// tried again.
	VideoRenderFailed = "render_failed"
)

// The variants GET /v1/videos/{id}/content serves.
const (
	VariantVideo       = "video"
	VariantThumbnail   = "thumbnail"
	VariantSpritesheet = "spritesheet"
)

// Limits of a /v1/videos request.
const (
	MaxVideoPromptRunes = 32000
	MaxVideoSide        = 8192
	MaxVideoFrames      = 100000
	MaxVideoFPS         = 240
	MaxVideoSeconds     = 3600
	// MaxSlateMembers bounds a Slate request's members and grants.
	MaxSlateMembers = 100
)

// Video is one /v1/videos job, exactly in the OpenAI shape, with Slate's
// extensions after it (clients that do not know them ignore them). Times
// are Unix seconds; a time not yet set is null.
type Video struct {
	ID                 string      `json:"id"`
	Object             string      `json:"object"` // "video"
	Model              string      `json:"model"`
	Status             string      `json:"status"`
	Progress           int         `json:"progress"`
	CreatedAt          int64       `json:"created_at"`
	CompletedAt        *int64      `json:"completed_at"`
	ExpiresAt          *int64      `json:"expires_at"`
	Prompt             string      `json:"prompt"`
	Size               string      `json:"size"`
	Seconds            string      `json:"seconds"`
	RemixedFromVideoID *string     `json:"remixed_from_video_id"`
	Error              *VideoError `json:"error"`

	Width          int    `json:"width,omitempty"`
	Height         int    `json:"height,omitempty"`
	FPS            int    `json:"fps,omitempty"`
	NumFrames      int    `json:"num_frames,omitempty"`
	Seed           *int64 `json:"seed,omitempty"`
	NegativePrompt string `json:"negative_prompt,omitempty"`
	// SlateBackend and SlateKey echo a Slate request's backend and render
	// key, so a studio can tell the clip is the one it asked for.
	SlateBackend string `json:"slate_backend,omitempty"`
	SlateKey     string `json:"slate_key,omitempty"`
	// QueueAhead, on a queued job only, is how many jobs on the server
	// (every account's) were submitted before it and have not started:
	// a studio shows "queued, 3 ahead". Absent on jobs that started or
	// finished, and on servers that do not tell.
	QueueAhead *int `json:"queue_ahead,omitempty"`
}

// Done reports whether the job has finished, one way or the other.
func (v *Video) Done() bool { return v.Status == VideoCompleted || v.Status == VideoFailed }

// VideoError is why a job failed.
type VideoError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// VideoList is a page of GET /v1/videos.
type VideoList struct {
	Object  string  `json:"object"` // "list"
	Data    []Video `json:"data"`
	FirstID *string `json:"first_id"`
	LastID  *string `json:"last_id"`
	HasMore bool    `json:"has_more"`
}

// VideoModelList is GET /v1/videos/models.
type VideoModelList struct {
	Object string       `json:"object"` // "list"
	Data   []VideoModel `json:"data"`
}

// VideoDeleted answers DELETE /v1/videos/{id}.
type VideoDeleted struct {
	ID      string `json:"id"`
	Object  string `json:"object"` // "video.deleted"
	Deleted bool   `json:"deleted"`
}

// APIError is the body of every failed /v1/videos request, in the OpenAI
// shape: {"error":{"message","type","param","code"}}.
type APIError struct {
	Error APIErrorBody `json:"error"`
}

// APIErrorBody says what went wrong: Param names the request's field at
// fault (null when none), Code the problem for programs
// ("consent_required", "model_not_found", …), Type its class
// ("invalid_request_error", "authentication_error", "permission_error",
// "not_found_error", "rate_limit_error", "server_error").
type APIErrorBody struct {
	Message string  `json:"message"`
	Type    string  `json:"type"`
	Param   *string `json:"param"`
	Code    *string `json:"code"`
}

// Seconds is a clip's duration as /v1/videos sends it: a string ("4"),
// though a number is read too, as some servers send one.
type Seconds string

// UnmarshalJSON reads a string or a number.
func (s *Seconds) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = Seconds(v)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fieldErr("seconds", "expected a number of seconds such as \"4\", got %s", b)
	}
	*s = Seconds(n.String())
	return nil
}

// Value is the duration in seconds, or an error naming the field.
func (s Seconds) Value() (float64, error) {
	v, err := strconv.ParseFloat(string(s), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fieldErr("seconds", "%q is not a number of seconds, such as \"4\"", string(s))
	}
	if v <= 0 || v > MaxVideoSeconds {
		return 0, fieldErr("seconds", "%s s is out of range: give more than 0 and at most %d", s, MaxVideoSeconds)
	}
	return v, nil
}

// FormatSeconds writes a duration as Seconds: "4", "5.5".
func FormatSeconds(v float64) Seconds { return Seconds(strconv.FormatFloat(v, 'f', -1, 64)) }

// ImageReference is a JSON request's input image: a data URL
// ("data:image/png;base64,…"); the server fetches nothing from elsewhere.
type ImageReference struct {
	ImageURL string `json:"image_url"`
}

// SlateRequest is the "slate" extension of POST /v1/videos: the whole
// shot as a Slate studio has it, so a Slate server renders exactly the clip
// the studio would (contract C2 of issue 12).
type SlateRequest struct {
	Version int    `json:"version"`
	Backend string `json:"backend"`
	// Request is render.EncodeRequest's JSON; the server reads only its
	// project_id, project_title and shot.id.
	Request json.RawMessage `json:"request"`
	Key     string          `json:"key"`
	// Members are the server's member IDs of the featured members other
	// accounts own; Grants the tokens this server signed for them.
	Members []string `json:"members,omitempty"`
	Grants  []string `json:"grants,omitempty"`
}

// SlateShot is what the server reads of a SlateRequest's Request.
type SlateShot struct {
	ProjectID    string `json:"project_id"`
	ProjectTitle string `json:"project_title"`
	Shot         struct {
		ID string `json:"id"`
	} `json:"shot"`
}

// Shot reads the project and shot the request renders.
func (s *SlateRequest) Shot() (SlateShot, error) {
	var sh SlateShot
	if err := json.Unmarshal(s.Request, &sh); err != nil {
		return sh, fieldErr("slate.request", "not a render request: %v", err)
	}
	return sh, nil
}

// Validate checks a Slate request's own fields.
func (s *SlateRequest) Validate() error {
	switch {
	case s.Version != 1:
		return fieldErr("slate.version", "version %d is unknown; this server reads version 1", s.Version)
	case s.Backend == "" || len(s.Backend) > 128:
		return fieldErr("slate.backend", "missing: name the backend to render with, such as \"animatic\"")
	case len(bytes.TrimSpace(s.Request)) == 0 || bytes.TrimSpace(s.Request)[0] != '{':
		return fieldErr("slate.request", "missing: send the shot as render.EncodeRequest writes it")
	case s.Key == "" || len(s.Key) > 256:
		return fieldErr("slate.key", "missing: send the render key the studio computed")
	case len(s.Members) > MaxSlateMembers:
		return fieldErr("slate.members", "more than %d members", MaxSlateMembers)
	case len(s.Grants) > MaxSlateMembers:
		return fieldErr("slate.grants", "more than %d grants", MaxSlateMembers)
	}
	for i, m := range s.Members {
		if !ValidID(m) {
			return fieldErr(fmt.Sprintf("slate.members[%d]", i), "%q is not a cast member's ID on this server", m)
		}
	}
	for i, g := range s.Grants {
		if g == "" || len(g) > consent.MaxTokenBytes {
			return fieldErr(fmt.Sprintf("slate.grants[%d]", i), "not a grant token")
		}
	}
	sh, err := s.Shot()
	if err != nil {
		return err
	}
	if len(s.Members) > 0 && (sh.ProjectID == "" || sh.Shot.ID == "") {
		return fieldErr("slate.request", "names no project and shot, which the grants for its members must cover")
	}
	return nil
}

// VideoRequest is the body of POST /v1/videos (as JSON, or the same
// fields as multipart/form-data, input_reference then a file part and
// slate a part holding its JSON).
type VideoRequest struct {
	Prompt         string          `json:"prompt"`
	Model          string          `json:"model,omitempty"`
	Seconds        Seconds         `json:"seconds,omitempty"`
	Size           string          `json:"size,omitempty"`
	InputReference *ImageReference `json:"input_reference,omitempty"`
	Width          int             `json:"width,omitempty"`
	Height         int             `json:"height,omitempty"`
	FPS            int             `json:"fps,omitempty"`
	NumFrames      int             `json:"num_frames,omitempty"`
	Seed           *int64          `json:"seed,omitempty"`
	NegativePrompt string          `json:"negative_prompt,omitempty"`
	Slate          *SlateRequest   `json:"slate,omitempty"`
}

// SplitSize reads "WxH" as two positive whole numbers, nothing more; the
// server (ParseSize), the studio's remote backend and its render servers'
// profiles each add their own limits.
func SplitSize(s string) (w, h int, ok bool) {
	ws, hs, found := strings.Cut(s, "x")
	w, werr := strconv.Atoi(ws)
	h, herr := strconv.Atoi(hs)
	return w, h, found && werr == nil && herr == nil && w > 0 && h > 0
}

// ParseSize reads "WxH".
func ParseSize(s string) (w, h int, err error) {
	w, h, ok := SplitSize(s)
	if !ok {
		return 0, 0, fieldErr("size", "%q is not a frame size: write width x height in pixels, such as \"1280x720\"", s)
	}
	if w > MaxVideoSide || h > MaxVideoSide || w%2 != 0 || h%2 != 0 {
		return 0, 0, fieldErr("size", "%q: each side must be even and at most %d pixels", s, MaxVideoSide)
	}
	return w, h, nil
}

// Validate checks what can be checked without knowing the model.
func (r *VideoRequest) Validate() error {
	if err := checkText("prompt", r.Prompt, 1, MaxVideoPromptRunes); err != nil {
		return err
	}
	if err := checkText("negative_prompt", r.NegativePrompt, 0, MaxVideoPromptRunes); err != nil {
		return err
	}
	if len(r.Model) > 128 || !utf8.ValidString(r.Model) {
		return fieldErr("model", "not a model's name")
	}
	if r.Seconds != "" {
		if _, err := r.Seconds.Value(); err != nil {
			return err
		}
	}
	if r.Size != "" {
		if _, _, err := ParseSize(r.Size); err != nil {
			return err
		}
	}
	switch {
	case r.Width < 0 || r.Width > MaxVideoSide || r.Width%2 != 0:
		return fieldErr("width", "%d: give an even number of pixels up to %d", r.Width, MaxVideoSide)
	case r.Height < 0 || r.Height > MaxVideoSide || r.Height%2 != 0:
		return fieldErr("height", "%d: give an even number of pixels up to %d", r.Height, MaxVideoSide)
	case r.FPS < 0 || r.FPS > MaxVideoFPS:
		return fieldErr("fps", "%d frames a second is out of range: give 1 to %d", r.FPS, MaxVideoFPS)
	case r.NumFrames < 0 || r.NumFrames > MaxVideoFrames:
		return fieldErr("num_frames", "%d frames is out of range: give 1 to %d", r.NumFrames, MaxVideoFrames)
	case r.InputReference != nil && !strings.HasPrefix(r.InputReference.ImageURL, "data:"):
		return fieldErr("input_reference.image_url", "only a data URL (data:image/png;base64,…) is taken; this server fetches nothing from elsewhere")
	}
	if r.Slate != nil {
		if err := r.Slate.Validate(); err != nil {
			return err
		}
		if r.Model != "" && r.Model != r.Slate.Backend {
			return fieldErr("model", "%q differs from slate.backend %q; a Slate request's model is its backend", r.Model, r.Slate.Backend)
		}
	}
	return nil
}

// ErrUnknownModel is matched by Resolve's error when the model is not one
// the server renders with.
var ErrUnknownModel = errors.New("unknown model")

// VideoSpec is a request resolved against its model: every number known.
type VideoSpec struct {
	Model                      string
	Width, Height, FPS, Frames int
	Seconds                    float64
}

// Resolve checks the request against the models a server renders with and
// fills in what it leaves out (the model's first size, duration and
// rate). An unknown model's error matches ErrUnknownModel and lists the
// models; a size, duration or rate the model does not render says what it
// does.
func (r *VideoRequest) Resolve(models []VideoModel) (VideoSpec, error) {
	name := r.Model
	if name == "" && r.Slate != nil {
		name = r.Slate.Backend
	}
	var m *VideoModel
	var names []string
	for i := range models {
		names = append(names, models[i].ID)
		if models[i].ID == name || name == "" && i == 0 {
			m = &models[i]
		}
	}
	if m == nil {
		return VideoSpec{}, fmt.Errorf("%w %q: this server renders with %s", ErrUnknownModel, name, strings.Join(names, ", "))
	}
	sp := VideoSpec{Model: m.ID}
	// The size: size, or width and height, or the model's first.
	size := r.Size
	if r.Width > 0 || r.Height > 0 {
		wh := fmt.Sprintf("%dx%d", r.Width, r.Height)
		if r.Width == 0 || r.Height == 0 {
			return sp, fieldErr("width", "give width and height together, or size alone")
		}
		if size != "" && size != wh {
			return sp, fieldErr("width", "width and height (%s) differ from size %q", wh, size)
		}
		size = wh
	}
	if size == "" {
		switch {
		case len(m.Sizes) > 0:
			size = m.Sizes[0]
		default:
			size = "1280x720"
			if m.MaxWidth > 0 && m.MaxWidth < 1280 || m.MaxHeight > 0 && m.MaxHeight < 720 {
				size = fmt.Sprintf("%dx%d", m.MaxWidth&^1, m.MaxHeight&^1)
			}
		}
	}
	w, h, err := ParseSize(size)
	if err != nil {
		return sp, err
	}
	switch {
	case len(m.Sizes) > 0 && !slices.Contains(m.Sizes, size):
		return sp, fieldErr("size", "model %s renders %s, not %s", m.ID, strings.Join(m.Sizes, ", "), size)
	case m.MaxWidth > 0 && w > m.MaxWidth || m.MaxHeight > 0 && h > m.MaxHeight:
		return sp, fieldErr("size", "model %s renders up to %dx%d, not %s", m.ID, m.MaxWidth, m.MaxHeight, size)
	}
	sp.Width, sp.Height = w, h
	// The rate.
	sp.FPS = r.FPS
	switch {
	case sp.FPS == 0 && len(m.FPS) > 0:
		sp.FPS = m.FPS[0]
	case sp.FPS == 0:
		sp.FPS = 24
	case len(m.FPS) > 0 && !slices.Contains(m.FPS, sp.FPS):
		return sp, fieldErr("fps", "model %s renders at %s frames a second, not %d", m.ID, joinInts(m.FPS), sp.FPS)
	}
	// The duration: seconds, or num_frames at the rate, or the model's
	// first (or shortest).
	secs := r.Seconds
	if secs == "" && r.NumFrames > 0 {
		secs = FormatSeconds(float64(r.NumFrames) / float64(sp.FPS))
	}
	if secs == "" {
		switch {
		case len(m.Seconds) > 0:
			secs = Seconds(m.Seconds[0])
		case m.MinSeconds > 0:
			secs = FormatSeconds(max(m.MinSeconds, min(4, m.MaxSeconds)))
		default:
			secs = "4"
		}
	}
	if sp.Seconds, err = secs.Value(); err != nil {
		return sp, err
	}
	param := "seconds"
	if r.Seconds == "" && r.NumFrames > 0 {
		param = "num_frames"
	}
	switch {
	case len(m.Seconds) > 0 && !slices.ContainsFunc(m.Seconds, func(s string) bool { v, _ := Seconds(s).Value(); return v == sp.Seconds }):
		return sp, fieldErr(param, "model %s renders clips of %s seconds, not %s", m.ID, strings.Join(m.Seconds, ", "), secs)
	case m.MinSeconds > 0 && sp.Seconds < m.MinSeconds || m.MaxSeconds > 0 && sp.Seconds > m.MaxSeconds:
		return sp, fieldErr(param, "model %s renders clips of %s to %s seconds, not %s", m.ID, FormatSeconds(m.MinSeconds), FormatSeconds(m.MaxSeconds), secs)
	}
	sp.Frames = r.NumFrames
	if sp.Frames == 0 {
		sp.Frames = max(1, int(math.Round(sp.Seconds*float64(sp.FPS))))
	} else if r.Seconds != "" && math.Abs(float64(sp.Frames)-sp.Seconds*float64(sp.FPS)) > 1 {
		return sp, fieldErr("num_frames", "%d frames at %d a second is not %s seconds; give one or the other", sp.Frames, sp.FPS, r.Seconds)
	}
	if (r.InputReference != nil) && !m.ImageInput {
		return sp, fieldErr("input_reference", "model %s does not start from an image; leave input_reference out", m.ID)
	}
	return sp, nil
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ", ")
}

// VideoRemix is the body of POST /v1/videos/{id}/remix.
type VideoRemix struct {
	Prompt string `json:"prompt"`
}

// Validate checks the prompt.
func (r *VideoRemix) Validate() error {
	return checkText("prompt", r.Prompt, 1, MaxVideoPromptRunes)
}
