package libraryui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/studio/look"
	"github.com/slatestudio/slate/studio/session"
	"github.com/slatestudio/slate/studio/uikit"
	"github.com/slatestudio/slate/timeline"
)

// renderShare is the part of an export's progress that rendering the
// shots fills; assembling the film fills the rest, as in "slate render".
const renderShare = 0.9

// ExportFilm is File ▸ Export film: it asks where the film goes, then
// renders every shot of the open project and assembles the film there,
// under ctx.
func ExportFilm(ctx context.Context, d Deps) {
	d = d.withDefaults()
	p := d.Session.Project()
	if len(p.Shots) == 0 {
		d.Problem("Nothing to export", fmt.Sprintf("“%s” has no shots yet. Add one (Ctrl+T), then export.", p.Title))
		return
	}
	chooseSave(d, "Export film", fileName(p.Title, ".mp4"), ".mp4", videosDir(), func(path string) {
		exportFilmTo(ctx, d, path)
	})
}

// videosDir is where films go unless the person picks another folder:
// their Videos folder, else their home.
func videosDir() string {
	if d := os.Getenv("XDG_VIDEOS_DIR"); d != "" && isDir(d) {
		return d
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	if d := filepath.Join(home, "Videos"); isDir(d) {
		return d
	}
	return home
}

func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}

// filmExport is one film being exported, shown in a dialog with a
// progress bar and a Cancel button.
type filmExport struct {
	d      Deps
	path   string
	title  string
	cancel context.CancelFunc

	dialog *dialog.CustomDialog
	status *widget.Label
	bar    *widget.ProgressBar
	stop   *widget.Button

	// These change on the UI goroutine only.
	cancelled bool // the person pressed Cancel
	done      bool
	film      *render.Film
	err       error
	// result is the dialog that says how the export went; nil when it
	// was cancelled.
	result dialog.Dialog

	// mu guards the progress, which the render queue reports from its own
	// goroutines.
	mu       sync.Mutex
	weight   []float64 // each shot's share of the frames to render
	rendered []float64 // how much of each shot is rendered, 0 to 1
	fraction float64   // of the whole export
	stage    string
	failed   map[string]bool // codes of failed shots' errors
	queued   bool            // an update is on its way to the UI goroutine
}

// exportFilmTo renders every shot of the open project (shots rendered
// before come from the cache at once) and assembles the film at path. It
// returns at once; the export shows its progress and result in dialogs.
// It runs under ctx, and the dialog's Cancel button ends it.
func exportFilmTo(ctx context.Context, d Deps, path string) *filmExport {
	d = d.withDefaults()
	p := d.Session.Project().Clone()
	e := &filmExport{d: d, path: path, title: p.Title, failed: map[string]bool{}}
	if err := d.Tools.Check(media.ToolFFmpeg, media.ToolFFprobe); err != nil {
		dropPlaceholder(path)
		e.end(ctx, nil, err)
		return e
	}
	// A film that can never be made (too long, or a sound cue that is not
	// a file) is refused before any shot renders.
	if err := render.CheckFilm(p, nil); err != nil {
		dropPlaceholder(path)
		e.end(ctx, nil, err)
		return e
	}
	total := max(1, p.TotalFrames())
	for _, sh := range p.Shots {
		e.weight = append(e.weight, float64(max(1, timeline.Frames(sh.Duration, p.FPS)))/float64(total))
	}
	e.rendered = make([]float64, len(p.Shots))
	e.stage = fmt.Sprintf("Rendering shots: 0 of %d done", len(p.Shots))

	work, cancel := context.WithCancel(ctx)
	e.cancel = cancel
	e.status = widget.NewLabel(e.stage)
	e.bar = widget.NewProgressBar()
	e.stop = widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), e.cancelExport)
	to := &widget.Label{Text: "to " + path, Wrapping: fyne.TextWrapBreak, SizeName: theme.SizeNameCaptionText}
	e.dialog = dialog.NewCustomWithoutButtons(fmt.Sprintf("Exporting “%s”", p.Title), container.NewVBox(e.status, look.ProgressBar(e.bar), to), d.Window)
	e.dialog.SetButtons([]fyne.CanvasObject{e.stop})
	e.dialog.Resize(fyne.NewSize(min(520, d.Window.Canvas().Size().Width*0.8), e.dialog.MinSize().Height))
	e.dialog.Show()
	uikit.DialogKeys(d.Window, nil, e.cancelExport)

	session.Background(work, d.Session, func(ctx context.Context) (*render.Film, error) {
		return e.run(ctx, p)
	}, func(film *render.Film, err error) { e.end(ctx, film, err) })
	return e
}

// run does the export's work, off the UI goroutine, through render's
// film export: the thumbnail and sprite sheet it could make are not
// wanted beside the film. A failure leaves no file at path: Assemble
// writes the film atomically, and the save dialog's empty placeholder is
// removed.
func (e *filmExport) run(ctx context.Context, p *timeline.Project) (film *render.Film, err error) {
	defer func() {
		if err != nil {
			dropPlaceholder(e.path)
		}
	}()
	d := e.d
	export, err := d.Queue.PrepareFilm(ctx, d.Tools, p, render.ExportOptions{
		Output: e.path, Backend: d.Backend, Likeness: d.Session.Likeness(), Consent: d.Consent,
	})
	if err != nil {
		return nil, err
	}
	return export.Make(ctx, render.FilmProgress{Job: e.job, Assembly: func(f float64) {
		e.setProgress(renderShare+(1-renderShare)*f, "Assembling the film…")
	}})
}

// job follows a shot's render job; the queue calls it from its goroutines.
// Each shot counts by its length.
func (e *filmExport) job(i int, j render.Job) {
	e.mu.Lock()
	if i < 0 || i >= len(e.rendered) {
		e.mu.Unlock()
		return
	}
	switch j.Status {
	case render.InProgress:
		e.rendered[i] = max(e.rendered[i], float64(j.Progress)/100)
	case render.Completed:
		e.rendered[i] = 1
	case render.Failed:
		if j.Error != nil {
			e.failed[j.Error.Code] = true
		}
	}
	sum, finished := 0.0, 0
	for k, f := range e.rendered {
		sum += f * e.weight[k]
		if f == 1 {
			finished++
		}
	}
	e.mu.Unlock()
	e.setProgress(renderShare*sum, fmt.Sprintf("Rendering shots: %d of %d done", finished, len(e.rendered)))
}

// setProgress records how far the export is and has the UI goroutine show
// it. Updates that arrive faster than it draws are folded into one.
func (e *filmExport) setProgress(f float64, stage string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.fraction = max(e.fraction, min(f, 1))
	e.stage = stage
	if !e.queued {
		e.queued = true
		e.d.Session.OnUI(e.show)
	}
}

// show draws the latest progress.
func (e *filmExport) show() {
	e.mu.Lock()
	f, stage := e.fraction, e.stage
	e.queued = false
	e.mu.Unlock()
	if e.bar == nil {
		return
	}
	e.bar.SetValue(f)
	if !e.cancelled && !e.done {
		e.status.SetText(stage)
	}
}

func (e *filmExport) cancelExport() {
	e.cancelled = true
	e.cancel()
	e.stop.Disable()
	e.status.SetText("Cancelling…")
}

// end shows how the export went: where the film is, or what went wrong
// and what to do. A cancelled export ends quietly.
func (e *filmExport) end(ctx context.Context, film *render.Film, err error) {
	e.done = true
	if e.cancel != nil {
		e.cancel()
	}
	e.show()
	if e.dialog != nil {
		e.dialog.Hide()
	}
	e.film, e.err = film, err
	switch {
	case err == nil:
		e.result = filmDone(ctx, e.d, e.path, e.title, film)
	case e.cancelled:
		e.d.Log.Info("film export cancelled", "path", e.path)
	default:
		e.result = e.d.Problem("The film was not exported", e.advice(err))
	}
}

// advice says what went wrong and what to do about it.
func (e *filmExport) advice(err error) string {
	e.mu.Lock()
	diskFull, missingTool := e.failed[render.CodeDiskFull], e.failed[render.CodeMissingTool]
	e.mu.Unlock()
	msg := err.Error()
	var shots *render.ShotsError
	switch {
	case errors.Is(err, media.ErrMissingTool):
		return msg + "\n\nThen export the film again."
	case diskFull || errors.Is(err, media.ErrDiskFull) || errors.Is(err, syscall.ENOSPC):
		return fmt.Sprintf("The disk is full:\n%s\n\nFree some space on the disk that holds %s, or export to a folder on another disk, and try again.", msg, filepath.Dir(e.path))
	case errors.As(err, &shots):
		what := "Fix them"
		if missingTool {
			what = "Install what is missing"
		}
		return fmt.Sprintf("These shots could not be rendered:\n%s\n\n%s (the Render queue shows each shot's error), then export again. Shots that did render are kept and will not be rendered again.", msg, what)
	}
	return fmt.Sprintf("%s\n\nNothing was written to %s.", msg, e.path)
}

// filmDone says where the film went, with buttons to copy the path and to
// open its folder.
func filmDone(ctx context.Context, d Deps, path, title string, f *render.Film) dialog.Dialog {
	where := &widget.Label{Text: path, Wrapping: fyne.TextWrapBreak, Selectable: true, TextStyle: fyne.TextStyle{Monospace: true}}
	copyPath := widget.NewButtonWithIcon("Copy path", theme.ContentCopyIcon(), nil)
	copyPath.OnTapped = func() {
		d.App.Clipboard().SetContent(path)
		copyPath.SetText("Copied")
	}
	buttons := container.NewHBox(copyPath)
	// Without a program that opens folders there is no button, rather
	// than one that fails.
	if opener := folderOpener(); opener != "" {
		buttons.Add(widget.NewButtonWithIcon("Open folder", theme.FolderOpenIcon(), func() {
			openFolder(ctx, d, opener, filepath.Dir(path))
		}))
	}
	content := container.NewVBox(
		widget.NewLabel(fmt.Sprintf("“%s” is exported to", title)),
		where,
		widget.NewLabel(filmSummary(f)),
		buttons,
	)
	done := dialog.NewCustom("Film exported", "Close", content, d.Window)
	done.SetIcon(theme.ConfirmIcon())
	done.Resize(fyne.NewSize(min(600, d.Window.Canvas().Size().Width*0.8), done.MinSize().Height))
	done.Show()
	uikit.DialogKeys(d.Window, done.Hide, done.Hide)
	return done
}

// filmSummary describes a film: "Length 22.0 s, 528 frames · loudness −16.0 LUFS".
func filmSummary(f *render.Film) string {
	loud := "silent"
	if f.Loudness.Integrated > -70 {
		loud = strings.ReplaceAll(fmt.Sprintf("%.1f LUFS", f.Loudness.Integrated), "-", "−")
	}
	return fmt.Sprintf("Length %s, %d frames · loudness %s", filmLength(f.Duration), f.Frames, loud)
}

// filmLength is a film's length as a person reads it: "22.0 s", "3:05.2".
func filmLength(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%.1f s", d.Seconds())
	}
	m := int(d / time.Minute)
	return fmt.Sprintf("%d:%04.1f", m, (d - time.Duration(m)*time.Minute).Seconds())
}

// folderOpener is the program that shows a folder in the file manager
// here, or "" when there is none.
func folderOpener() string {
	name := "xdg-open"
	switch runtime.GOOS {
	case "darwin":
		name = "open"
	case "windows":
		name = "explorer"
	}
	path, err := exec.LookPath(name)
	if err != nil {
		return ""
	}
	return path
}

// openFolder shows dir in the file manager.
func openFolder(ctx context.Context, d Deps, opener, dir string) {
	session.Background(ctx, d.Session, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, exec.CommandContext(ctx, opener, dir).Run()
	}, func(_ struct{}, err error) {
		if err != nil {
			d.Problem("Could not open the folder", fmt.Sprintf("%s %s: %v\n\nThe film is in %s.", filepath.Base(opener), dir, err, dir))
		}
	})
}
