package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/slatestudio/slate/internal/termbar"
	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/render/local"
	"github.com/slatestudio/slate/sharing"
	"github.com/slatestudio/slate/timeline"
)

// renderEnv is what "slate render" takes from outside: the programs, where
// the library is, the backends and film assembly, so tests can render
// with a fake backend.
type renderEnv struct {
	tools    media.Tools
	dataDir  func() (string, error)
	register func(reg *render.Registry, tools media.Tools)
	// consent gives the consent asked before other people's cast members
	// are rendered; consentFor.
	consent func(ctx context.Context, lib *library.Library) usesConsent
	// isTTY says whether progress goes to a terminal, where bars are drawn.
	isTTY bool
}

func defaultRenderEnv() renderEnv {
	return renderEnv{
		tools:    media.FindTools(),
		dataDir:  library.DefaultDir,
		register: RegisterBackends,
		consent:  consentFor,
		isTTY:    termbar.IsTerminal(os.Stderr),
	}
}

// usesConsent is what slate's commands ask of the account server: consent
// before rendering or exporting other people's cast members, and then
// registering at once the uses they made (see syncUses).
type usesConsent interface {
	render.Consent
	// Outbox counts the uses waiting to be registered.
	Outbox(ctx context.Context) (int, error)
	// Sync registers them, and reads what changed on the server.
	Sync(ctx context.Context) (sharing.Report, error)
}

// consentFor is the consent slate's commands ask before rendering or
// exporting other people's cast members from lib: the account server of
// the last log-in, through sharing. Logged out, it refuses them with a
// message saying to log in; a session that cannot be restored is the same.
// Restoring the session reads the library under the command's ctx, so an
// interrupted command stops it too.
func consentFor(ctx context.Context, lib *library.Library) usesConsent {
	svc := sharing.New(lib, sharing.Options{})
	if _, _, err := svc.Restore(ctx); err != nil {
		slog.Warn("the account server's session could not be restored", "err", err)
	}
	return svc
}

// openLibrary opens the library in the data folder dataDir names. Not
// exclusively: slate's commands run beside an open studio.
func openLibrary(ctx context.Context, dataDir func() (string, error)) (*library.Library, error) {
	dir, err := dataDir()
	if err != nil {
		return nil, err
	}
	return library.Open(ctx, dir, library.Options{})
}

// fileProjectID names the project of a .slate file by its absolute path.
func fileProjectID(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	sum := sha256.Sum256([]byte(path))
	return "file-" + hex.EncodeToString(sum[:8])
}

// syncUses registers at once the uses a command made, when it can; what
// cannot go now waits in the outbox for the next sync.
func syncUses(ctx context.Context, c usesConsent, w io.Writer) {
	if n, err := c.Outbox(ctx); err != nil || n == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if _, err := c.Sync(ctx); err != nil {
		fmt.Fprintf(w, "slate render: the uses of other people's cast wait to be registered (%v); they go at the next sync\n", err)
	}
}

// RegisterBackends adds the backends "slate render" and the studio can
// use: render/local's, on the model packs in the data folder's models/.
// The on-device backend is always there to choose; opening it fails,
// saying what to install, until ONNX Runtime and a model pack are.
func RegisterBackends(reg *render.Registry, tools media.Tools) {
	local.Register(reg, tools, modelsDir(library.DefaultDir), os.Getenv)
}

// openONNX opens the on-device backend on the packs in dataDir's models/
// (local.OpenONNX).
func openONNX(tools media.Tools, dataDir func() (string, error), getenv func(string) string) (render.Backend, error) {
	return local.OpenONNX(tools, modelsDir(dataDir), getenv)
}

// renderArgs are the parsed arguments of "slate render".
type renderArgs struct {
	file, output, backend string
	shotsSpec             string
	shots                 []shotSpan // nil: every shot
	workers               int
	quiet                 bool
}

// parseRenderArgs reads "slate render" arguments. Flags may come before or
// after the project file.
func parseRenderArgs(args []string) (renderArgs, error) {
	a := renderArgs{backend: render.DefaultBackend}
	fs := flag.NewFlagSet("render", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&a.output, "o", "", "")
	fs.StringVar(&a.backend, "backend", a.backend, "")
	fs.StringVar(&a.shotsSpec, "shots", "", "")
	fs.IntVar(&a.workers, "workers", 0, "")
	fs.BoolVar(&a.quiet, "quiet", false, "")
	shotsSet := false
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			return a, err
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		args = fs.Args()[1:]
	}
	fs.Visit(func(f *flag.Flag) { shotsSet = shotsSet || f.Name == "shots" })
	switch {
	case len(files) == 0:
		return a, errors.New("no project file: slate render FILE.slate -o FILM.mp4")
	case len(files) > 1:
		return a, fmt.Errorf("one project at a time, not %s", strings.Join(files, " and "))
	case a.output == "":
		return a, errors.New("say where to write the film: -o FILM.mp4")
	case !strings.EqualFold(filepath.Ext(a.output), ".mp4"):
		return a, fmt.Errorf("-o %s: the film is an MP4; name it with .mp4", a.output)
	case a.workers < 0:
		return a, fmt.Errorf("--workers %d: give 1 or more, or leave it out", a.workers)
	case a.backend == "":
		return a, errors.New("--backend: give a backend name, such as animatic")
	}
	a.file = files[0]
	if shotsSet {
		var err error
		if a.shots, err = parseShots(a.shotsSpec); err != nil {
			return a, err
		}
	}
	return a, nil
}

// renderMain runs "slate render" and returns the exit status: 0 when the
// film is written, 1 when it fails, 2 for bad arguments and 130 when
// cancelled.
func renderMain(ctx context.Context, args []string, stdout, stderr io.Writer, env renderEnv) int {
	a, err := parseRenderArgs(args)
	if errors.Is(err, flag.ErrHelp) {
		io.WriteString(stdout, usage)
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "slate render: %v\nRun \"slate help\" for usage.\n", err)
		return 2
	}
	film, p, err := renderFilm(ctx, a, env, stderr)
	switch {
	case err != nil && ctx.Err() != nil:
		fmt.Fprintln(stderr, "slate render: cancelled; shots that finished are kept and will not be rendered again")
		return 130
	case err != nil:
		fmt.Fprintf(stderr, "slate render: %s\n", strings.ReplaceAll(err.Error(), "\n", "; "))
		return 1
	}
	fmt.Fprintf(stdout, "wrote %s (%s)\n", film.Path, filmSummary(film, p))
	fmt.Fprintf(stdout, "  thumbnail     %s\n", film.Thumbnail)
	fmt.Fprintf(stdout, "  sprite sheet  %s\n", film.Sprite)
	return 0
}

// filmSummary describes a film: "22.0 s, 528 frames, 1280×720 24 fps, −16.0 LUFS".
func filmSummary(f *render.Film, p *timeline.Project) string {
	lufs := strings.ReplaceAll(fmt.Sprintf("%.1f LUFS", f.Loudness.Integrated), "-", "−")
	return fmt.Sprintf("%.1f s, %d frames, %d×%d %d fps, %s", f.Duration.Seconds(), f.Frames, p.Width, p.Height, p.FPS, lufs)
}

// renderFilm renders the chosen shots of the project a names, drawing
// progress on progressW, and assembles them into the film. It returns the
// film and the project it was made from.
func renderFilm(ctx context.Context, a renderArgs, env renderEnv, progressW io.Writer) (*render.Film, *timeline.Project, error) {
	if err := env.tools.Check(media.ToolFFmpeg, media.ToolFFprobe, media.ToolEspeak); err != nil {
		return nil, nil, err
	}
	p, err := library.ReadFile(a.file)
	if err != nil {
		return nil, nil, err
	}
	if p.ID == "" {
		// A .slate file carries no project ID; grants name one, so the
		// file's place stands in for it, the same on every run.
		p.ID = fileProjectID(a.file)
	}
	spans := a.shots
	if spans == nil {
		spans = []shotSpan{{1, len(p.Shots)}}
	}
	indexes, err := selectShots(a.shotsSpec, spans, len(p.Shots))
	if err != nil {
		return nil, nil, err
	}
	if len(indexes) == 0 {
		return nil, nil, fmt.Errorf("%s has no shots to render", a.file)
	}
	if err := checkOutput(a.output, a.file); err != nil {
		return nil, nil, err
	}
	// Before anything renders: a film that can never be made is refused
	// at once, not after every shot is rendered.
	if err := render.CheckFilm(p, indexes); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", a.file, err)
	}

	reg := render.NewRegistry()
	env.register(reg, env.tools)
	lib, err := openLibrary(ctx, env.dataDir)
	if err != nil {
		return nil, nil, err
	}
	defer lib.Close()
	// The render servers' backends (remote:SERVER/MODEL), from the data
	// folder's list: asking no server anything.
	if _, err := RegisterServers(ctx, reg, lib, env.tools); err != nil {
		return nil, nil, err
	}
	if names := reg.Names(); !slices.Contains(names, a.backend) {
		return nil, nil, fmt.Errorf("--backend %s: no such backend; choose one of %s", a.backend, strings.Join(names, ", "))
	}
	// Transient: this run's jobs are its own and are not stored, so an
	// open studio's queue is left exactly as it is.
	c := env.consent(ctx, lib)
	// What the queue warns of, slate render says in words of its own
	// (a job's Note above the bars); only errors are logged besides.
	quiet := slog.New(slog.NewTextHandler(progressW, &slog.HandlerOptions{Level: slog.LevelError}))
	q := render.NewQueue(lib, reg, render.QueueOptions{Workers: a.workers, Transient: true, Consent: c, Logger: quiet})
	if _, _, err := q.Start(ctx); err != nil {
		return nil, nil, fmt.Errorf("start the render queue: %w", err)
	}
	defer q.Close()

	// The film is made of the chosen shots alone, in the project's order;
	// one that may not be made is refused before anything is rendered.
	base := strings.TrimSuffix(a.output, filepath.Ext(a.output))
	var unrecorded error
	export, err := q.PrepareFilm(ctx, env.tools, p, render.ExportOptions{
		Output: a.output, Thumbnail: base + ".jpg", Sprite: base + "-sprite.jpg",
		Shots: indexes, Backend: a.backend, Consent: c,
		// Said under the bars, once they are done.
		Warn: func(err error) { unrecorded = err },
	})
	if err != nil {
		return nil, nil, err
	}
	prog := newProgress(progressW, env.isTTY && !a.quiet, p, indexes)
	defer prog.bars.Done()
	film, err := export.Make(ctx, render.FilmProgress{Job: prog.job, Assembly: prog.assembly})
	prog.finish(ctx, err)
	if err != nil {
		return nil, nil, err
	}
	if unrecorded != nil {
		fmt.Fprintf(progressW, "slate render: %v\n", unrecorded)
	}
	syncUses(ctx, c, progressW)
	return film, p, nil
}

// checkOutput refuses an output that cannot be written, before anything is
// rendered: its folder must exist, and it must not be the project itself.
func checkOutput(output, project string) error {
	dir := filepath.Dir(output)
	fi, err := os.Stat(dir)
	if err != nil || !fi.IsDir() {
		return fmt.Errorf("-o %s: the folder %s does not exist; create it first", output, dir)
	}
	if fi, err := os.Stat(output); err == nil {
		if fi.IsDir() {
			return fmt.Errorf("-o %s is a folder; give a file name such as %s", output, filepath.Join(output, "film.mp4"))
		}
		if pfi, err := os.Stat(project); err == nil && os.SameFile(fi, pfi) {
			return fmt.Errorf("-o %s is the project file itself", output)
		}
	}
	return nil
}

// progress shows the render on termbar bars: one per chosen shot, and an
// overall bar in which rendering counts for nine tenths, weighted by each
// shot's length, and assembly for the last tenth.
type progress struct {
	bars *termbar.Bars

	bar    map[int]int // shot index → bar
	weight []float64   // each bar's share of the frames rendered

	mu      sync.Mutex
	done    []float64 // fraction of each bar's shot rendered
	state   []string  // each bar's state
	noted   []bool    // whether the bar's job note was shown
	overall float64
}

// renderShare is the part of the overall bar that rendering fills.
const renderShare = 0.9

func newProgress(w io.Writer, isTTY bool, p *timeline.Project, indexes []int) *progress {
	pr := &progress{bar: map[int]int{}, weight: make([]float64, len(indexes)),
		done: make([]float64, len(indexes)), state: make([]string, len(indexes)), noted: make([]bool, len(indexes))}
	labels := make([]string, len(indexes))
	total := 0
	for _, i := range indexes {
		total += max(1, timeline.Frames(p.Shots[i].Duration, p.FPS))
	}
	for n, i := range indexes {
		pr.bar[i] = n
		pr.weight[n] = float64(max(1, timeline.Frames(p.Shots[i].Duration, p.FPS))) / float64(total)
		labels[n] = fmt.Sprintf("shot %d/%d %s", i+1, len(p.Shots), p.Shots[i].Title)
	}
	pr.bars = termbar.New(w, isTTY, labels)
	return pr
}

// job shows a change to a shot's render job; the queue calls it from its
// workers.
func (pr *progress) job(index int, j render.Job) {
	n, ok := pr.bar[index]
	if !ok {
		return
	}
	state, f := jobState(j)
	pr.mu.Lock()
	defer pr.mu.Unlock()
	pr.done[n], pr.state[n] = f, state
	if j.Note != "" && !pr.noted[n] {
		// Such as a damaged clip in the cache: worth a line of its own.
		pr.noted[n] = true
		pr.bars.Note(j.Note)
	}
	rendered := 0.0
	for k, d := range pr.done {
		rendered += d * pr.weight[k]
	}
	pr.overall = renderShare * rendered
	pr.bars.Set(n, f, state)
	pr.bars.SetOverall(pr.overall, "rendering")
}

// jobState is how a job is shown: its state in words and the fraction done.
func jobState(j render.Job) (string, float64) {
	f := float64(j.Progress) / 100
	switch j.Status {
	case render.Queued:
		return "queued", 0
	case render.InProgress:
		return "rendering", f
	case render.Completed:
		if j.Cached {
			return "done (cached)", 1
		}
		return "done", 1
	case render.Failed:
		if j.Error != nil {
			return "failed: " + j.Error.Message, f
		}
		return "failed", f
	case render.Cancelled:
		return "cancelled", f
	}
	return string(j.Status), f
}

// assembly shows the film's assembly, the last part of the overall bar.
// It starts once every shot is rendered: each is shown done then, since a
// job's last change can reach subscribers after its waiter has returned
// and stopped listening.
func (pr *progress) assembly(f float64) {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	for n, s := range pr.state {
		if !strings.HasPrefix(s, "done") {
			pr.done[n], pr.state[n] = 1, "done"
			pr.bars.Set(n, 1, "done")
		}
	}
	pr.overall = renderShare + (1-renderShare)*f
	pr.bars.SetOverall(pr.overall, "assembling the film")
}

// finish shows how it ended and stops drawing. Shots still going when the
// render failed or was cancelled are shown stopped.
func (pr *progress) finish(ctx context.Context, err error) {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	end := "done"
	switch {
	case err == nil:
		pr.overall = 1
	case ctx.Err() != nil:
		end = "cancelled"
	default:
		end = "failed"
	}
	if err != nil {
		for n, s := range pr.state {
			if s == "" || s == "queued" || s == "rendering" {
				pr.bars.Set(n, pr.done[n], end)
			}
		}
	}
	pr.bars.SetOverall(pr.overall, end)
	pr.bars.Done()
}
