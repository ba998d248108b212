// Package render turns shots into clips and clips into a film: the Backend
// interface every renderer implements and a registry to open them by name,
// render jobs and a queue that runs them on a bounded pool of workers, the
// render cache key, and film assembly with transitions and the audio mix.
package render

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/slatestudio/slate/consent"
	"github.com/slatestudio/slate/timeline"
)

// ErrJobCancelled is the cause (context.Cause) of a job's context when the
// person cancelled the job, as opposed to Slate closing: a backend that
// renders on a server then cancels the server's job too, and otherwise
// leaves it running, to poll again when Slate next starts.
var ErrJobCancelled = errors.New("the render was cancelled")

// Backend renders one shot to a clip.
//
// Render writes an MP4 (H.264 yuv420p, AAC 48 kHz stereo, exactly the
// shot's number of frames at the project's rate) into req.TempDir and
// returns its path. It reports progress from 0 to 1, stops promptly when
// ctx is cancelled, and on any failure leaves no output behind. The same
// request must give the same pixels and sound.
type Backend interface {
	// Name identifies the backend: "animatic", "onnx", "remote".
	Name() string
	// Version changes whenever the same request would render differently;
	// it is part of the cache key.
	Version() string
	Capabilities() Capabilities
	Render(ctx context.Context, req *Request, progress func(fraction float64)) (*Result, error)
}

// Capabilities says what a backend can render.
type Capabilities struct {
	MaxWidth, MaxHeight int
	// Sizes, when set, are the only frame sizes it renders.
	Sizes []timeline.Size
	// FPS lists the frame rates it renders.
	FPS                      []int
	MinDuration, MaxDuration time.Duration
	// Audio is true when clips carry the shot's dialogue and sound.
	Audio bool
	// ImageConditioning is true when a shot can start from the previous
	// clip's last frame.
	ImageConditioning bool
	// HumanLikeness is true when it may depict a real person's likeness
	// from their recorded media. Consent does not hang on it: featuring
	// someone else's member (their name, their wishes, a line in their
	// name) needs their grant on every backend.
	HumanLikeness bool
	// Outside is true when a render sends the shot, and the likeness of
	// the cast it features, to a service that is not a Slate server (a
	// generic /v1/videos endpoint): a member's likeness goes there only
	// where their consent allows outside render services.
	Outside bool
}

// Check says whether a backend can render a request, and if not, why, in
// words for the person whose queue row shows it: the renderer as the
// studio names it and what to change.
func (c Capabilities) Check(name string, req *Request) error {
	f := req.Format
	who, plural := rendererName(name)
	verb := func(one, many string) string {
		if plural {
			return many
		}
		return one
	}
	switch {
	case c.MaxWidth > 0 && (f.Width > c.MaxWidth || f.Height > c.MaxHeight):
		return Unsupported("%s %s at most %d×%d, and this project is %d×%d: choose a smaller frame size for the project",
			who, verb("renders", "render"), c.MaxWidth, c.MaxHeight, f.Width, f.Height)
	case len(c.Sizes) > 0 && !slices.Contains(c.Sizes, timeline.Size{Width: f.Width, Height: f.Height}):
		return Unsupported("%s %s not render %d×%d: choose another frame size for the project", who, verb("does", "do"), f.Width, f.Height)
	case len(c.FPS) > 0 && !slices.Contains(c.FPS, f.FPS):
		return Unsupported("%s %s not render at %d fps: choose another frame rate for the project", who, verb("does", "do"), f.FPS)
	case c.MinDuration > 0 && req.Shot.Duration < c.MinDuration, c.MaxDuration > 0 && req.Shot.Duration > c.MaxDuration:
		change := "lengthen it"
		if c.MaxDuration > 0 && req.Shot.Duration > c.MaxDuration {
			change = "shorten it"
		}
		return Unsupported("%s %s shots of %s to %s, and shot %d lasts %s: %s, or render it with the animatic", who, verb("renders", "render"),
			timeline.Seconds(c.MinDuration), timeline.Seconds(c.MaxDuration), req.Index+1, timeline.Seconds(req.Shot.Duration), change)
	}
	return nil
}

// rendererName is a backend as the studio's inspector names it, to start
// a sentence with, and whether the name is plural ("On-device models
// render …", "The animatic renders …").
func rendererName(name string) (string, bool) {
	switch name {
	case "onnx":
		return "On-device models", true
	case "animatic":
		return "The animatic", false
	}
	return "The " + name + " renderer", false
}

// unsupported is an ErrUnsupported that says only what it was made with,
// so a person reads whole sentences rather than a sentinel's words tacked
// on after a colon.
type unsupported struct{ msg string }

func (e *unsupported) Error() string { return e.msg }

// Is makes errors.Is(err, ErrUnsupported) hold.
func (e *unsupported) Is(target error) bool { return target == ErrUnsupported }

// Unsupported returns an error that is ErrUnsupported and whose message
// is the formatted sentence alone.
func Unsupported(format string, a ...any) error {
	return &unsupported{msg: fmt.Sprintf(format, a...)}
}

// ErrUnsupported is wrapped by errors for requests a backend cannot render.
var ErrUnsupported = errors.New("not supported by this backend")

// Format is a project's frame size and rate.
type Format struct {
	Width, Height, FPS int
}

// Request is one shot to render, with what a backend needs to know of its
// project.
type Request struct {
	ProjectID    string
	ProjectTitle string
	Format       Format
	// Index is the shot's position in the project (shot number Index+1).
	Index int
	Shot  *timeline.Shot
	// Cast is the project's cast, to resolve speakers and featured members.
	Cast []timeline.CastRef
	// PrevKey and PrevClip are the previous shot's render key and clip
	// file, set when Shot.Continue asks to start from its last frame.
	PrevKey  string
	PrevClip string
	// TempDir is where the backend writes its output and scratch files; it
	// is on the same filesystem as the blob store.
	TempDir string
	// Likeness is what the library holds of the cast, by cast ID: their
	// frontal stills and the preferences they ask of anyone who casts
	// them. Members the library does not know are absent.
	Likeness map[string]Likeness
	// Remote, set by the queue, keeps the ID a render service gave this
	// job, so that a render cut off (the studio quit, the network down)
	// polls that job again instead of submitting the shot a second time.
	// Nil outside the queue: the backend then keeps the ID in memory only.
	Remote RemoteJob
	// Grants are the grants the queue was given to render this shot (one
	// per other person's member it features), for a backend that renders
	// elsewhere to show the service; set by the queue, not stored.
	Grants []consent.SignedGrant
}

// RemoteJob remembers, for one queued job, the job a render service runs
// for it.
type RemoteJob interface {
	// RemoteID is the service's job ID saved earlier for this job, with
	// the server it was given by; empty when none was.
	RemoteID(ctx context.Context) (server, id string, err error)
	// SetRemoteID saves it, durably, before the backend relies on it; an
	// empty id forgets it (the remote job ended).
	SetRemoteID(ctx context.Context, server, id string) error
}

// Likeness is what a backend may use of a recorded cast member.
type Likeness struct {
	// Still is a frontal still (JPEG; a character's picture may be PNG);
	// StillSHA256 names its bytes.
	Still, StillSHA256 string
	// Preferences are added to the prompt of every shot featuring them.
	Preferences string
}

// Prompt is the shot's prompt with the featured cast's preferences and
// characters' descriptions folded in, as a model should read it: "…;
// Mara: always wears a red scarf; Ada: a girl of nine in a yellow
// raincoat".
func (r *Request) Prompt() string {
	p := strings.TrimSpace(r.Shot.Prompt)
	for _, id := range r.Shot.Cast {
		var about []string
		name := id
		if c, ok := castRef(r.Cast, id); ok {
			name = c.Name
			if d := strings.TrimSpace(c.Description); c.Character && d != "" {
				about = append(about, d)
			}
		}
		if l, ok := r.Likeness[id]; ok && strings.TrimSpace(l.Preferences) != "" {
			about = append(about, strings.TrimSpace(l.Preferences))
		}
		if len(about) == 0 {
			continue
		}
		if p != "" {
			p += "; "
		}
		p += name + ": " + strings.Join(about, "; ")
	}
	return p
}

// castRef is the project's cast entry with the given ID.
func castRef(cast []timeline.CastRef, id string) (timeline.CastRef, bool) {
	for _, c := range cast {
		if c.ID == id {
			return c, true
		}
	}
	return timeline.CastRef{}, false
}

// Frames is how many frames the clip must have.
func (r *Request) Frames() int { return timeline.Frames(r.Shot.Duration, r.Format.FPS) }

// NewRequest builds the request for shot i of p.
func NewRequest(p *timeline.Project, i int, tempDir string) *Request {
	return &Request{
		ProjectID: p.ID, ProjectTitle: p.Title,
		Format: Format{p.Width, p.Height, p.FPS},
		Index:  i, Shot: p.Shots[i].Clone(), Cast: slices.Clone(p.Cast),
		TempDir: tempDir,
	}
}

// Result is a rendered clip, not yet in the library.
type Result struct {
	Path   string
	Frames int
}

// Opener opens a backend; it fails when the backend cannot run here (a
// model or library missing), with a message saying what to install.
type Opener func() (Backend, error)

// Registry opens backends by name. Backends are opened once, on first use,
// and shared.
type Registry struct {
	mu      sync.Mutex
	openers map[string]Opener
	open    map[string]Backend
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{openers: map[string]Opener{}, open: map[string]Backend{}}
}

// Register adds a backend under name, replacing any earlier one.
func (r *Registry) Register(name string, open Opener) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.openers[name] = open
	delete(r.open, name)
}

// Unregister removes the backend registered under name (its render
// server was removed).
func (r *Registry) Unregister(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.openers, name)
	delete(r.open, name)
}

// ErrUnknownBackend is returned for a name nothing was registered under.
var ErrUnknownBackend = errors.New("unknown backend")

// Open returns the backend registered under name, opening it on first use.
func (r *Registry) Open(name string) (Backend, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if b, ok := r.open[name]; ok {
		return b, nil
	}
	open, ok := r.openers[name]
	if !ok {
		return nil, fmt.Errorf("backend %q: %w; choose one of %v", name, ErrUnknownBackend, r.namesLocked())
	}
	b, err := open()
	if err != nil {
		return nil, fmt.Errorf("open the %s backend: %w", name, err)
	}
	r.open[name] = b
	return b, nil
}

// Names lists the registered backends in alphabetical order.
func (r *Registry) Names() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.namesLocked()
}

func (r *Registry) namesLocked() []string {
	names := make([]string, 0, len(r.openers))
	for n := range r.openers {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
