package render

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/timeline"
)

// Status is where a job is in its life.
type Status string

// The job states of the /v1/videos job object.
const (
	Queued     Status = library.StatusQueued
	InProgress Status = library.StatusInProgress
	Completed  Status = library.StatusCompleted
	Failed     Status = library.StatusFailed
	Cancelled  Status = library.StatusCancelled
)

// Done reports whether the job has finished, one way or another.
func (s Status) Done() bool { return s == Completed || s == Failed || s == Cancelled }

// JobError says why a job failed: a stable code and a message for people.
type JobError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Error codes of failed jobs.
const (
	CodeRenderFailed = "render_failed"
	CodeDiskFull     = "disk_full"
	CodeMissingTool  = "missing_tool"
	CodeUnsupported  = "unsupported"
	CodeUnavailable  = "backend_unavailable"
	CodeInterrupted  = library.ErrInterrupted
	CodeBadRequest   = "invalid_request"
	// CodeConsentRequired: the shot features someone else's cast member
	// and no grant of theirs covers it.
	CodeConsentRequired = "consent_required"
)

// Job is one shot's render, shaped like the /v1/videos job object.
type Job struct {
	ID          string
	Status      Status
	Progress    int // 0–100
	CreatedAt   time.Time
	StartedAt   time.Time
	CompletedAt time.Time
	Error       *JobError
	Backend     string
	ProjectID   string
	ShotID      string
	// ShotNumber and ShotTitle are for showing the job in a list.
	ShotNumber int
	ShotTitle  string
	Key        string
	Format     Format
	Duration   time.Duration
	// Clip is the rendered clip once the job has completed.
	Clip *library.Clip
	// Cached is true for a job answered from the render cache at once.
	Cached bool
	// Note is something to tell the person about the job that is no
	// failure, in their words: that the cached clip was damaged and the
	// shot is being rendered again. It is not stored.
	Note string
	// RemoteStatus is where a render server's job stands there ("queued,
	// 3 ahead"), while it runs; not stored.
	RemoteStatus string
}

// MarshalJSON writes the job in the /v1/videos shape: times as Unix
// seconds, completed_at null until done, error null unless failed.
func (j Job) MarshalJSON() ([]byte, error) {
	type video struct {
		ID          string    `json:"id"`
		Object      string    `json:"object"`
		Model       string    `json:"model"`
		Status      Status    `json:"status"`
		Progress    int       `json:"progress"`
		CreatedAt   int64     `json:"created_at"`
		CompletedAt *int64    `json:"completed_at"`
		Error       *JobError `json:"error"`
		Seconds     string    `json:"seconds"`
		Size        string    `json:"size"`
		ProjectID   string    `json:"project_id"`
		ShotID      string    `json:"shot_id"`
		Key         string    `json:"key"`
	}
	v := video{
		ID: j.ID, Object: "video", Model: j.Backend, Status: j.Status, Progress: j.Progress,
		CreatedAt: j.CreatedAt.Unix(), Error: j.Error,
		Seconds:   strings.TrimSuffix(timeline.Seconds(j.Duration), " s"),
		Size:      fmt.Sprintf("%dx%d", j.Format.Width, j.Format.Height),
		ProjectID: j.ProjectID, ShotID: j.ShotID, Key: j.Key,
	}
	if !j.CompletedAt.IsZero() {
		t := j.CompletedAt.Unix()
		v.CompletedAt = &t
	}
	return json.Marshal(v)
}

// ETA estimates when a running job will finish from its progress so far.
func (j Job) ETA(now time.Time) (time.Duration, bool) {
	if j.Status != InProgress || j.Progress <= 0 || j.StartedAt.IsZero() {
		return 0, false
	}
	spent := now.Sub(j.StartedAt)
	return time.Duration(float64(spent) * float64(100-j.Progress) / float64(j.Progress)), true
}

// storedRequest is what is kept of a request so a queued job can run again
// after a restart.
type storedRequest struct {
	ProjectID    string              `json:"project_id"`
	ProjectTitle string              `json:"project_title"`
	Format       Format              `json:"format"`
	Index        int                 `json:"index"`
	Shot         json.RawMessage     `json:"shot"`
	Cast         json.RawMessage     `json:"cast"`
	PrevKey      string              `json:"prev_key,omitempty"`
	PrevClip     string              `json:"prev_clip,omitempty"`
	Likeness     map[string]Likeness `json:"likeness,omitempty"`
}

// EncodeRequest is the request as JSON: what the queue keeps of a job so
// that it runs again after a restart, and what a Slate render server is
// sent of a shot ("slate" in its /v1/videos request), so that it renders
// exactly the clip this studio would. Paths in it (a cue's sound file, a
// still, the previous clip) are this machine's.
func EncodeRequest(r *Request) ([]byte, error) {
	shot, err := timeline.EncodeShot(r.Shot)
	if err != nil {
		return nil, err
	}
	cast, err := timeline.EncodeCast(r.Cast)
	if err != nil {
		return nil, err
	}
	s := storedRequest{ProjectID: r.ProjectID, ProjectTitle: r.ProjectTitle, Format: r.Format, Index: r.Index, Shot: shot, Cast: cast, PrevKey: r.PrevKey, PrevClip: r.PrevClip, Likeness: r.Likeness}
	return json.Marshal(s)
}

// DecodeRequest reads what EncodeRequest wrote, with tempDir as the
// request's TempDir.
func DecodeRequest(data []byte, tempDir string) (*Request, error) {
	var s storedRequest
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("decode stored request: %w", err)
	}
	shot, err := timeline.DecodeShot(s.Shot)
	if err != nil {
		return nil, err
	}
	cast, err := timeline.DecodeCast(s.Cast)
	if err != nil {
		return nil, err
	}
	return &Request{ProjectID: s.ProjectID, ProjectTitle: s.ProjectTitle, Format: s.Format, Index: s.Index, Shot: shot, Cast: cast, PrevKey: s.PrevKey, PrevClip: s.PrevClip, TempDir: tempDir, Likeness: s.Likeness}, nil
}

func (j *Job) record(req []byte) library.JobRecord {
	r := library.JobRecord{
		ID: j.ID, ProjectID: j.ProjectID, ShotID: j.ShotID, Key: j.Key, Backend: j.Backend,
		Status: string(j.Status), Progress: j.Progress,
		CreatedAt: j.CreatedAt, StartedAt: j.StartedAt, CompletedAt: j.CompletedAt, Request: req,
	}
	if j.Error != nil {
		r.ErrorCode, r.ErrorMessage = j.Error.Code, j.Error.Message
	}
	return r
}

// errorCode classifies a render error for the job's error object.
func errorCode(err error, codes []codeMatch) string {
	for _, c := range codes {
		if errors.Is(err, c.err) {
			return c.code
		}
	}
	if errors.Is(err, ErrUnsupported) {
		return CodeUnsupported
	}
	if errors.Is(err, ErrNoConsent) {
		return CodeConsentRequired
	}
	return CodeRenderFailed
}

type codeMatch struct {
	err  error
	code string
}
