// Package servers keeps the render servers a studio renders on: a Slate
// server with render workers, or any other /v1/videos endpoint. Each is
// kept in the library by the name a person gave it, with what its last
// test found (what it is, its models), and its API key in the system
// keyring — or, without one, the encrypted credentials file — as the
// account server's sessions are (account/client's store). Each model of
// each server is a backend of the render registry, "remote:NAME/MODEL",
// rendered by render/remote. The slate command (slate servers) and the
// studio (Render ▸ Render servers…) both work through a Book.
package servers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/account/client"
	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/render/remote"
	"github.com/slatestudio/slate/timeline"
)

// Server is a kept render server.
type Server struct {
	Name, URL string
	// Kind is what its last test found it to be.
	Kind remote.Kind
	// Profile is what a generic endpoint that lists no models renders, as
	// the person described it; nil otherwise.
	Profile *remote.Profile
	// KeepModelAudio keeps a generic model's own sound under the shot's.
	KeepModelAudio bool
	// Models are what it renders, as its last test listed them (or, for
	// an endpoint that lists none, the models the person named, with the
	// profile's capabilities).
	Models []account.VideoModel
	Added  time.Time
}

// Backend names the backend that renders with model on the render server
// called server: "remote:gpu-box/animatic" (timeline.RemoteServer reads it).
func Backend(server, model string) string { return "remote:" + server + "/" + model }

// Backends are the names of the render registry's backends for the
// server's models: "remote:gpu-box/animatic".
func (s Server) Backends() []string {
	out := make([]string, 0, len(s.Models))
	for _, m := range s.Models {
		out = append(out, Backend(s.Name, m.ID))
	}
	return out
}

// IsSlate reports whether the server is a Slate render server, whose
// models and their capabilities come from the server itself.
func (s Server) IsSlate() bool { return s.Kind == remote.KindSlate }

// What says what the server is, in a filmmaker's words: "a Slate render
// server" or "a /v1/videos endpoint".
func (s Server) What() string {
	if s.Kind == remote.KindSlate {
		return "a Slate render server"
	}
	return "a /v1/videos video service"
}

// String is the server in one line: "gpu-box — a Slate render server ·
// animatic, onnx".
func (s Server) String() string {
	names := make([]string, 0, len(s.Models))
	for _, m := range s.Models {
		names = append(names, m.ID)
	}
	line := s.Name + " — " + s.What()
	if len(names) > 0 {
		line += " · " + strings.Join(names, ", ")
	} else {
		line += " · renders nothing yet"
	}
	return line
}

// Spec is a render server as a person adds it.
type Spec struct {
	Name, URL string
	// APIKey is kept in the keyring; empty for a server that needs none.
	APIKey string
	// Profile and Models describe a generic endpoint that does not list
	// its models: what it renders, and the model names to ask it for.
	Profile        *remote.Profile
	Models         []string
	KeepModelAudio bool
}

// Options configures a Book.
type Options struct {
	// Store keeps the API keys; nil opens the studio's (client.OpenStore
	// on the library's folder and device: the system keyring, else an
	// encrypted file there).
	Store client.TokenStore
	// HTTP talks to the servers; nil is http.DefaultClient.
	HTTP *http.Client
	// Probe asks a server what it is; nil is remote.Probe.
	Probe func(ctx context.Context, hc *http.Client, s remote.Server) (remote.Info, error)
	// Remote is what the registry's remote backends are opened with; its
	// HTTP client is HTTP when unset.
	Remote remote.Options
}

// Book is the render servers kept in a library. Its methods are safe to
// call from several goroutines.
type Book struct {
	lib   *library.Library
	opts  Options
	mu    sync.Mutex
	store client.TokenStore // opened on first use: it is filed under the device ID
}

// New returns the book of lib's render servers.
func New(lib *library.Library, opts Options) *Book {
	if opts.HTTP == nil {
		opts.HTTP = http.DefaultClient
	}
	if opts.Probe == nil {
		opts.Probe = remote.Probe
	}
	if opts.Remote.HTTP == nil {
		opts.Remote.HTTP = opts.HTTP
	}
	return &Book{lib: lib, opts: opts, store: opts.Store}
}

// ErrNoModels is Add's error for an endpoint that lists no models when
// the person did not say what it renders.
var ErrNoModels = errors.New("it does not list its models")

// nameRule is a server's name: it becomes part of backend names
// (timeline's remote:SERVER/MODEL), so it follows their rule.
var nameRule = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,31}$`)

// CheckName says whether name can name a render server, and if not, why.
func CheckName(name string) error {
	if !nameRule.MatchString(name) {
		return fmt.Errorf("%q cannot name a render server: use up to 32 lower-case letters, digits, dots and dashes, such as gpu-box", name)
	}
	return nil
}

// CleanURL checks a server's address and returns it as kept: http or
// https, with a host, and without a trailing slash or /v1 (the client
// adds /v1/videos itself).
func CleanURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("%q is not a server address: give one such as http://gpu-box:8080 or https://videos.example.com", raw)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("%q: give the server's address alone, without a user name, ?query or #part (the API key is asked for separately)", raw)
	}
	p := strings.TrimRight(u.Path, "/")
	p = strings.TrimSuffix(p, "/v1/videos")
	p = strings.TrimSuffix(p, "/v1")
	u.Path = p
	return u.String(), nil
}

// List returns the kept render servers by name.
func (b *Book) List(ctx context.Context) ([]Server, error) {
	rows, err := b.lib.RenderServers(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Server, 0, len(rows))
	for _, r := range rows {
		s, err := fromRow(r)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// Get returns one kept render server; library.ErrNotFound when none has
// that name.
func (b *Book) Get(ctx context.Context, name string) (Server, error) {
	r, err := b.lib.RenderServer(ctx, name)
	if errors.Is(err, library.ErrNotFound) {
		return Server{}, fmt.Errorf("no render server is called %q (slate servers list shows them): %w", name, err)
	}
	if err != nil {
		return Server{}, err
	}
	return fromRow(r)
}

func fromRow(r library.RenderServer) (Server, error) {
	s := Server{Name: r.Name, URL: r.URL, Kind: remote.Kind(r.Kind), KeepModelAudio: r.KeepModelAudio, Added: r.Added}
	if len(r.Profile) > 0 {
		s.Profile = new(remote.Profile)
		if err := json.Unmarshal(r.Profile, s.Profile); err != nil {
			return Server{}, fmt.Errorf("render server %q: its kept profile is damaged; remove it and add it again: %w", r.Name, err)
		}
	}
	if err := json.Unmarshal(r.Models, &s.Models); err != nil {
		return Server{}, fmt.Errorf("render server %q: its kept models are damaged; test it again (slate servers test %s): %w", r.Name, r.Name, err)
	}
	return s, nil
}

func toRow(s Server) (library.RenderServer, error) {
	r := library.RenderServer{Name: s.Name, URL: s.URL, Kind: string(s.Kind), KeepModelAudio: s.KeepModelAudio, Added: s.Added}
	var err error
	if s.Profile != nil {
		if r.Profile, err = json.Marshal(s.Profile); err != nil {
			return r, err
		}
	}
	models := s.Models
	if models == nil {
		models = []account.VideoModel{}
	}
	r.Models, err = json.Marshal(models)
	return r, err
}

// Add tests a new render server and keeps it, with its API key in the
// keyring. Nothing is kept when the test fails, when a server of the same
// name is kept already, or when a generic endpoint lists no models and
// sp does not say what it renders (ErrNoModels).
func (b *Book) Add(ctx context.Context, sp Spec) (Server, error) {
	if err := CheckName(sp.Name); err != nil {
		return Server{}, err
	}
	u, err := CleanURL(sp.URL)
	if err != nil {
		return Server{}, err
	}
	if _, err := b.lib.RenderServer(ctx, sp.Name); err == nil {
		return Server{}, fmt.Errorf("add render server %q: %w; remove it first (slate servers remove %s) or choose another name", sp.Name, library.ErrServerExists, sp.Name)
	} else if !errors.Is(err, library.ErrNotFound) {
		return Server{}, err
	}
	s := Server{Name: sp.Name, URL: u, Profile: sp.Profile, KeepModelAudio: sp.KeepModelAudio}
	info, err := b.opts.Probe(ctx, b.opts.HTTP, remote.Server{Name: s.Name, URL: s.URL, APIKey: sp.APIKey, Profile: s.Profile, KeepModelAudio: s.KeepModelAudio})
	if err != nil {
		return Server{}, fmt.Errorf("add render server %q: could not test %s: %w; check the address and the API key, and that the server is running", sp.Name, u, err)
	}
	if err := s.take(info, sp.Models); err != nil {
		return Server{}, fmt.Errorf("add render server %q: %s %w", sp.Name, u, err)
	}
	store, err := b.keys(ctx)
	if err != nil {
		return Server{}, err
	}
	if sp.APIKey != "" {
		if err := store.Save(client.Credentials{Server: keyEntry(s.Name), Token: sp.APIKey}); err != nil {
			return Server{}, fmt.Errorf("add render server %q: keep its API key: %w", sp.Name, err)
		}
	}
	row, err := toRow(s)
	if err == nil {
		err = b.lib.AddRenderServer(ctx, row)
	}
	if err != nil {
		if sp.APIKey != "" {
			store.Delete(keyEntry(s.Name)) // the server was not kept, so neither is its key
		}
		return Server{}, err
	}
	return b.Get(ctx, s.Name)
}

// take sets what a probe found: the kind, and the models the server lists
// or, for a generic endpoint that lists none, the named models with the
// profile's capabilities.
func (s *Server) take(info remote.Info, named []string) error {
	s.Kind = info.Kind
	if len(info.Models) > 0 {
		s.Models = info.Models
		return nil
	}
	if s.Kind == remote.KindSlate {
		return errors.New("is a Slate server that renders nothing: start it with render workers (slate-server --render-workers 1)")
	}
	if s.Profile == nil || len(named) == 0 {
		return fmt.Errorf("is a /v1/videos endpoint, but %w: name its models and say what they render (--models NAME --sizes 1280x720,720x1280 --seconds 4,8,12 --audio=false)", ErrNoModels)
	}
	s.Models = nil
	for _, n := range named {
		s.Models = append(s.Models, profileModel(n, *s.Profile))
	}
	return nil
}

// profileModel is a model a person named, rendering what their profile
// says.
func profileModel(id string, p remote.Profile) account.VideoModel {
	m := account.VideoModel{ID: id, Object: "model", Sizes: slices.Clone(p.Sizes), Audio: p.Audio, ImageInput: p.ImageInput}
	if p.FPS > 0 {
		m.FPS = []int{p.FPS}
	}
	for _, sec := range p.Seconds {
		m.Seconds = append(m.Seconds, strconv.Itoa(sec))
	}
	return m
}

// Test asks a kept server again what it is and what it renders, keeps
// what it says and returns the server as now kept.
func (b *Book) Test(ctx context.Context, name string) (Server, error) {
	s, err := b.Get(ctx, name)
	if err != nil {
		return Server{}, err
	}
	rs, err := b.remoteServer(ctx, s)
	if err != nil {
		return Server{}, err
	}
	info, err := b.opts.Probe(ctx, b.opts.HTTP, rs)
	if err != nil {
		return s, fmt.Errorf("test render server %q at %s: %w; check that it is running and that its API key is still valid", name, s.URL, err)
	}
	var named []string
	for _, m := range s.Models {
		named = append(named, m.ID)
	}
	if err := s.take(info, named); err != nil {
		return s, fmt.Errorf("test render server %q: %s %w", name, s.URL, err)
	}
	row, err := toRow(s)
	if err != nil {
		return s, err
	}
	if err := b.lib.UpdateRenderServer(ctx, row); err != nil {
		return s, err
	}
	return s, nil
}

// Remove forgets a render server and its API key. Shots that named one of
// its backends say so when they are rendered.
func (b *Book) Remove(ctx context.Context, name string) error {
	if _, err := b.Get(ctx, name); err != nil {
		return err
	}
	store, err := b.keys(ctx)
	if err != nil {
		return err
	}
	if err := store.Delete(keyEntry(name)); err != nil {
		return fmt.Errorf("remove render server %q: forget its API key: %w", name, err)
	}
	return b.lib.RemoveRenderServer(ctx, name)
}

// Register makes the registry's remote backends those of the kept
// servers: one per server and model, "remote:NAME/MODEL", and none for a
// server no longer kept. It returns the names of the remote backends.
// Nothing is asked of the network: the models are those of each server's
// last test, and its API key is read when a backend is first opened.
func (b *Book) Register(ctx context.Context, reg *render.Registry) ([]string, error) {
	list, err := b.List(ctx)
	if err != nil {
		return nil, err
	}
	store, err := b.keys(ctx)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, s := range list {
		for _, m := range s.Models {
			name := Backend(s.Name, m.ID)
			names = append(names, name)
			reg.Register(name, func() (render.Backend, error) {
				rs, err := remoteServerWith(store, s)
				if err != nil {
					return nil, err
				}
				opts := b.opts.Remote
				opts.Model = &m
				if opts.Status == nil {
					opts.Status = tellQueue
				}
				return remote.New(rs, m.ID, opts), nil
			})
		}
	}
	for _, n := range reg.Names() {
		if _, _, ok := timeline.RemoteServer(n); ok && !slices.Contains(names, n) {
			reg.Unregister(n)
		}
	}
	return names, nil
}

// tellQueue hands where a job stands on its server ("queued, 3 ahead") to
// the render queue's row, through the queue's Request.Remote.
func tellQueue(req *render.Request, status string) {
	if st, ok := req.Remote.(interface{ SetRemoteStatus(string) }); ok {
		st.SetRemoteStatus(status)
	}
}

// remoteServer is a kept server as render/remote takes it, with its key.
func (b *Book) remoteServer(ctx context.Context, s Server) (remote.Server, error) {
	store, err := b.keys(ctx)
	if err != nil {
		return remote.Server{}, err
	}
	return remoteServerWith(store, s)
}

func remoteServerWith(store client.TokenStore, s Server) (remote.Server, error) {
	rs := remote.Server{Name: s.Name, URL: s.URL, Kind: s.Kind, Profile: s.Profile, KeepModelAudio: s.KeepModelAudio}
	c, err := store.Load(keyEntry(s.Name))
	switch {
	case errors.Is(err, client.ErrNoCredentials):
	case err != nil:
		return rs, fmt.Errorf("render server %q: read its API key: %w", s.Name, err)
	default:
		rs.APIKey = c.Token
	}
	return rs, nil
}

// HasKey reports whether an API key is kept for the server.
func (b *Book) HasKey(ctx context.Context, name string) (bool, error) {
	store, err := b.keys(ctx)
	if err != nil {
		return false, err
	}
	_, err = store.Load(keyEntry(name))
	if errors.Is(err, client.ErrNoCredentials) {
		return false, nil
	}
	return err == nil, err
}

// keyEntry is what a server's API key is filed under in the store that
// also keeps the account server's sessions (which are filed under the
// account server's address, so the two never meet).
func keyEntry(name string) string { return "render server " + name }

// keys is where API keys are kept, opened on first use.
func (b *Book) keys(ctx context.Context) (client.TokenStore, error) {
	b.mu.Lock()
	store := b.store
	b.mu.Unlock()
	if store != nil {
		return store, nil
	}
	d, err := b.lib.Device(ctx)
	if err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.store == nil {
		b.store = client.OpenStore(b.lib.Dir(), d.ID)
	}
	return b.store, nil
}

// Capabilities says what a model renders, in a filmmaker's words:
// "1280×720, 720×1280 · 24 fps · 4, 8 or 12 s · with sound · starts from
// a picture".
func Capabilities(m account.VideoModel) string {
	var parts []string
	switch {
	case len(m.Sizes) > 0:
		sizes := make([]string, len(m.Sizes))
		for i, s := range m.Sizes {
			sizes[i] = strings.Replace(s, "x", "×", 1)
		}
		parts = append(parts, strings.Join(sizes, ", "))
	case m.MaxWidth > 0:
		parts = append(parts, fmt.Sprintf("up to %d×%d", m.MaxWidth, m.MaxHeight))
	}
	if len(m.FPS) > 0 {
		fps := make([]string, len(m.FPS))
		for i, f := range m.FPS {
			fps[i] = strconv.Itoa(f)
		}
		parts = append(parts, strings.Join(fps, ", ")+" fps")
	}
	switch {
	case len(m.Seconds) > 0:
		secs := m.Seconds
		text := secs[0]
		if len(secs) > 1 {
			text = strings.Join(secs[:len(secs)-1], ", ") + " or " + secs[len(secs)-1]
		}
		parts = append(parts, text+" s")
	case m.MaxSeconds > 0:
		parts = append(parts, fmt.Sprintf("%g to %g s", m.MinSeconds, m.MaxSeconds))
	}
	if m.Audio {
		parts = append(parts, "with sound")
	} else {
		parts = append(parts, "no sound (Slate adds the shot's)")
	}
	if m.ImageInput {
		parts = append(parts, "starts from a picture")
	}
	if m.Likeness {
		parts = append(parts, "may show recorded cast")
	}
	return strings.Join(parts, " · ")
}

// Describe is what a person says of a service that does not list its
// models, as the slate command's flags and the studio's fields take it:
// model names and frame sizes separated by commas ("wan-2.2",
// "1280x720,720x1280"), clip lengths in whole seconds ("4,8,12"). It
// returns the profile and the model names.
func Describe(models, sizes, seconds string, fps int, audio, imageInput bool) (*remote.Profile, []string, error) {
	var names []string
	for _, m := range strings.Split(models, ",") {
		if m = strings.TrimSpace(m); m != "" {
			names = append(names, m)
		}
	}
	if len(names) == 0 || strings.TrimSpace(sizes) == "" || strings.TrimSpace(seconds) == "" {
		return nil, nil, errors.New("to describe a service, give its models, sizes and clip lengths together, such as wan-2.2, 1280x720 and 4,8")
	}
	for _, m := range names {
		if !modelRule.MatchString(m) {
			return nil, nil, fmt.Errorf("%q is not a model name: use letters, digits, dots, dashes and slashes, as the service names it", m)
		}
	}
	p := &remote.Profile{FPS: fps, Audio: audio, ImageInput: imageInput}
	for _, s := range strings.Split(sizes, ",") {
		s = strings.TrimSpace(s)
		wi, hi, ok := account.SplitSize(s)
		if !ok || wi > 8192 || hi > 8192 {
			return nil, nil, fmt.Errorf("%q is not a frame size; write WIDTHxHEIGHT, such as 1280x720", s)
		}
		p.Sizes = append(p.Sizes, fmt.Sprintf("%dx%d", wi, hi))
	}
	for _, s := range strings.Split(seconds, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= 0 || n > 600 {
			return nil, nil, fmt.Errorf("%q is not a clip length; give whole seconds, such as 4,8,12", strings.TrimSpace(s))
		}
		p.Seconds = append(p.Seconds, n)
	}
	if fps <= 0 || fps > 120 {
		return nil, nil, fmt.Errorf("%d is not a frame rate; give one such as 24", fps)
	}
	return p, names, nil
}

// modelRule is a model's name as a backend name may hold it (timeline's
// remote:SERVER/MODEL).
var modelRule = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/-]{0,127}$`)

// Change is an edit of a kept render server: what is left empty stays as
// kept. Models, Sizes and Seconds are written as Describe takes them.
type Change struct {
	// APIKey replaces the kept key; "" keeps it.
	APIKey string
	// Models, Sizes, Seconds, FPS, Audio and ImageInput change the profile
	// of a service that does not list its models.
	Models, Sizes, Seconds string
	FPS                    int
	Audio, ImageInput      *bool
	// KeepModelAudio changes whether a service's own sound is kept.
	KeepModelAudio *bool
}

// profile reports whether the change touches what the server renders.
func (c Change) profile() bool {
	return c.Models != "" || c.Sizes != "" || c.Seconds != "" || c.FPS != 0 || c.Audio != nil || c.ImageInput != nil
}

// Edit changes a kept server — its API key, or what a service that does
// not list its models renders — tests it as Add does, and keeps the
// change; nothing changes when the test fails. What a Slate server or a
// service that lists its models renders comes from the server, so their
// profile cannot be edited (their test reads it again).
func (b *Book) Edit(ctx context.Context, name string, ch Change) (Server, error) {
	s, err := b.Get(ctx, name)
	if err != nil {
		return Server{}, err
	}
	if ch.profile() || ch.KeepModelAudio != nil {
		if s.Kind == remote.KindSlate {
			return Server{}, fmt.Errorf("edit render server %q: it is a Slate render server, so what it renders comes from the server itself and its sound is the shot's; change its render workers there, then test it again (slate servers test %s)", name, name)
		}
	}
	var named []string
	for _, m := range s.Models {
		named = append(named, m.ID)
	}
	if ch.profile() {
		if s.Profile == nil {
			return Server{}, fmt.Errorf("edit render server %q: it lists its own models, so what they render comes from the service; test it again to read them (slate servers test %s)", name, name)
		}
		p := *s.Profile
		models, sizes, seconds, fps := strings.Join(named, ","), strings.Join(p.Sizes, ","), joinInts(p.Seconds), p.FPS
		if ch.Models != "" {
			models = ch.Models
		}
		if ch.Sizes != "" {
			sizes = ch.Sizes
		}
		if ch.Seconds != "" {
			seconds = ch.Seconds
		}
		if ch.FPS != 0 {
			fps = ch.FPS
		}
		if fps == 0 {
			fps = 24
		}
		if ch.Audio != nil {
			p.Audio = *ch.Audio
		}
		if ch.ImageInput != nil {
			p.ImageInput = *ch.ImageInput
		}
		np, names, err := Describe(models, sizes, seconds, fps, p.Audio, p.ImageInput)
		if err != nil {
			return Server{}, fmt.Errorf("edit render server %q: %w", name, err)
		}
		s.Profile, named = np, names
	}
	if ch.KeepModelAudio != nil {
		s.KeepModelAudio = *ch.KeepModelAudio
	}
	store, err := b.keys(ctx)
	if err != nil {
		return Server{}, err
	}
	rs, err := remoteServerWith(store, s)
	if err != nil {
		return Server{}, err
	}
	oldKey := rs.APIKey
	if ch.APIKey != "" {
		rs.APIKey = ch.APIKey
	}
	info, err := b.opts.Probe(ctx, b.opts.HTTP, rs)
	if err != nil {
		return Server{}, fmt.Errorf("edit render server %q: could not test %s: %w; nothing was changed — check the API key and that the server is running", name, s.URL, err)
	}
	if err := s.take(info, named); err != nil {
		return Server{}, fmt.Errorf("edit render server %q: %s %w", name, s.URL, err)
	}
	row, err := toRow(s)
	if err != nil {
		return Server{}, err
	}
	if ch.APIKey != "" {
		if err := store.Save(client.Credentials{Server: keyEntry(name), Token: ch.APIKey}); err != nil {
			return Server{}, fmt.Errorf("edit render server %q: keep its API key: %w", name, err)
		}
	}
	if err := b.lib.UpdateRenderServer(ctx, row); err != nil {
		if ch.APIKey != "" { // the edit was not kept, so the old key stays
			if oldKey != "" {
				store.Save(client.Credentials{Server: keyEntry(name), Token: oldKey})
			} else {
				store.Delete(keyEntry(name))
			}
		}
		return Server{}, fmt.Errorf("edit render server %q: %w", name, err)
	}
	return b.Get(ctx, name)
}

func joinInts(ns []int) string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = strconv.Itoa(n)
	}
	return strings.Join(out, ",")
}
