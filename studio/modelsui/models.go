// Package modelsui is the studio's models window: the model packs the
// onnx backend renders with and the Piper voices lines are spoken in,
// with their licences and sources, where on-device models run, and
// installing, verifying and removing them.
package modelsui

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/slatestudio/slate/ml/pack"
	"github.com/slatestudio/slate/studio/filepick"
	"github.com/slatestudio/slate/studio/look"
	"github.com/slatestudio/slate/studio/session"
	"github.com/slatestudio/slate/studio/uikit"
	"github.com/slatestudio/slate/voices"
)

// Models are the on-device models the studio shows and manages: the model
// packs the onnx backend renders with and the Piper voices dialogue is
// spoken in.
type Models struct {
	Packs *pack.Store
	// VoiceDirs are searched for Piper voices, in order; InstallVoice
	// copies new ones into VoicesDir.
	VoiceDirs []string
	VoicesDir string
	// Runtime says where on-device models run, or why they cannot.
	Runtime func() (Runtime, error)
	// InstallVoice checks a voice and copies it into dir; voices.Install
	// with the runtime when there is one.
	InstallVoice func(model, dir string) (voices.Installed, error)
}

// Runtime is where on-device models run.
type Runtime struct {
	// Provider is where, as ONNX Runtime names it: "CPU", "CUDA", …
	Provider string
	// ChosenBy says who chose it: "best" (the best this computer
	// offers), "pack" (the model pack asks for it) or "setting" (the
	// person's setting when Slate was started).
	ChosenBy string
	// Detail is the whole story for those who want the workings
	// (internal/cli.OnDevice), shown under Details.
	Detail string
}

// Deps are what the models window works with, handed in by the studio.
type Deps struct {
	// Models are the packs and voices shown; nil shows none (and says why).
	Models *Models
	// Window is the studio's window the dialog opens over.
	Window fyne.Window
	// Runner runs the installs and checks off the UI goroutine.
	Runner session.Runner
	// Report and Problem show what went wrong: an error, or a title and
	// what to do about it.
	Report  func(error)
	Problem func(title, message string) dialog.Dialog
}

// modelsList is what the models window shows, read in the background.
type modelsList struct {
	runtime    Runtime
	runtimeErr error
	packs      []pack.Info
	packsErr   error
	voices     []voices.Installed
	voiceErrs  []error
}

// list reads the installed packs and voices: quick, files only.
func (m *Models) list() modelsList {
	var l modelsList
	if m.Packs != nil {
		l.packs, l.packsErr = m.Packs.List()
	}
	l.voices, l.voiceErrs = voices.List(m.VoiceDirs)
	return l
}

// Window lists the installed model packs with their licences and
// sources, and the Piper voices, says where on-device renders run, and
// installs, verifies and removes them. It is a dialog over the studio's
// window.
type Window struct {
	d       Deps
	m       *Models
	dialog  dialog.Dialog
	runtime *widget.Label
	// runtimeDetail is the workings behind runtime, under Details.
	runtimeDetail *widget.Label
	packs         *fyne.Container
	voices        *fyne.Container
	content       fyne.CanvasObject
	// shown is the list last drawn, for tests.
	shown modelsList
}

// Show opens the models window: Render ▸ Model packs and voices.
func Show(ctx context.Context, d Deps) *Window {
	if d.Models == nil {
		d.Problem("No models here", "This studio was started without a data folder for model packs and voices.")
		return nil
	}
	w := &Window{d: d, m: d.Models}
	w.runtime = &widget.Label{Text: "Finding out where models can run…", Wrapping: fyne.TextWrapWord}
	w.runtimeDetail = &widget.Label{Wrapping: fyne.TextWrapWord}
	w.packs = container.NewVBox()
	w.voices = container.NewVBox()
	installPack := widget.NewButtonWithIcon("Install a pack…", theme.FolderOpenIcon(), func() { w.choosePack(ctx) })
	installVoice := widget.NewButtonWithIcon("Install a voice…", theme.FileAudioIcon(), func() { w.chooseVoice(ctx) })
	heading := func(text string) *widget.Label {
		return widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	note := func(text string) *widget.Label {
		return &widget.Label{Text: text, Wrapping: fyne.TextWrapWord, Importance: widget.LowImportance}
	}
	content := container.NewVBox(
		heading("On-device rendering"), w.runtime,
		widget.NewAccordion(widget.NewAccordionItem("Details", w.runtimeDetail)),
		widget.NewSeparator(),
		container.NewBorder(nil, nil, heading("Model packs"), installPack),
		note("Shots set to render with on-device models use an installed pack; the animatic needs none. Each pack keeps its own licence: read it before you publish what it makes."),
		w.packs,
		widget.NewSeparator(),
		container.NewBorder(nil, nil, heading("Voices"), installVoice),
		note("Give a cast member or a line one of these voices to have it spoken in that voice; other lines are spoken by Slate's built-in voices."),
		w.voices,
	)
	w.content = content
	scroll := container.NewVScroll(content)
	w.dialog = dialog.NewCustom("Model packs and voices", "Close", scroll, d.Window)
	size := d.Window.Canvas().Size()
	w.dialog.Resize(fyne.NewSize(min(720, size.Width*0.9), min(620, size.Height*0.9)))
	w.dialog.Show()
	uikit.DialogKeys(d.Window, w.dialog.Hide, w.dialog.Hide)
	w.reload(ctx)
	return w
}

// reload reads the packs and voices again and redraws them, then says
// where models run: loading ONNX Runtime the first time takes a moment,
// and the list need not wait for it.
func (w *Window) reload(ctx context.Context) {
	session.Background(ctx, w.d.Runner, func(context.Context) (modelsList, error) {
		return w.m.list(), nil
	}, func(l modelsList, _ error) {
		l.runtime, l.runtimeErr = w.shown.runtime, w.shown.runtimeErr
		w.draw(ctx, l)
		if w.m.Runtime == nil {
			w.runtime.SetText("Not known.")
			return
		}
		session.Background(ctx, w.d.Runner, func(context.Context) (Runtime, error) {
			return w.m.Runtime()
		}, w.drawRuntime)
	})
}

func (w *Window) drawRuntime(on Runtime, err error) {
	w.shown.runtime, w.shown.runtimeErr = on, err
	if err != nil {
		w.runtime.SetText("On-device models cannot run on this computer yet, so shots set to render with them will not render. The animatic works as ever. Details say what is missing.")
		w.runtimeDetail.SetText(err.Error())
		w.runtime.Importance = widget.DangerImportance
	} else {
		w.runtime.SetText(runtimeText(on))
		w.runtimeDetail.SetText(on.Detail)
		w.runtime.Importance = widget.MediumImportance
	}
	w.runtime.Refresh()
}

// runtimeText says where models run in a filmmaker's words: "Models run
// on this computer's graphics card (CUDA), the fastest it offers."
func runtimeText(r Runtime) string {
	where := map[string]string{
		"CPU":      "this computer's processor (CPU)",
		"CUDA":     "this computer's NVIDIA graphics card (CUDA)",
		"DirectML": "this computer's graphics card (DirectML)",
		"CoreML":   "this Mac's Neural Engine and graphics (Core ML)",
	}[r.Provider]
	if where == "" {
		where = "this computer's " + r.Provider + " accelerator"
	}
	why := map[string]string{
		"best":    ", the fastest it offers",
		"pack":    ", as the model pack asks",
		"setting": ", as chosen when Slate was started",
	}[r.ChosenBy]
	return "Models run on " + where + why + "."
}

func (w *Window) draw(ctx context.Context, l modelsList) {
	w.shown = l

	w.packs.RemoveAll()
	if l.packsErr != nil {
		w.packs.Add(&widget.Label{Text: l.packsErr.Error(), Wrapping: fyne.TextWrapWord, Importance: widget.DangerImportance})
	}
	if len(l.packs) == 0 && l.packsErr == nil {
		w.packs.Add(&widget.Label{Text: "None installed. Install one from the folder it came in.", Wrapping: fyne.TextWrapWord})
	}
	for _, p := range l.packs {
		w.packs.Add(w.packRow(ctx, p))
	}
	w.voices.RemoveAll()
	for _, err := range l.voiceErrs {
		w.voices.Add(&widget.Label{Text: err.Error(), Wrapping: fyne.TextWrapWord, Importance: widget.DangerImportance})
	}
	if len(l.voices) == 0 {
		w.voices.Add(&widget.Label{Text: "No extra voices installed: dialogue is spoken by Slate's built-in voices.", Wrapping: fyne.TextWrapWord})
	}
	for _, v := range l.voices {
		speakers := "1 speaker"
		if v.Speakers > 1 {
			speakers = fmt.Sprintf("%d speakers to choose from", v.Speakers)
		}
		name := widget.NewLabelWithStyle(v.Name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		detail := &widget.Label{Text: fmt.Sprintf("%s · %d Hz · %s", v.Language, v.SampleRate, speakers), Wrapping: fyne.TextWrapWord}
		w.voices.Add(container.NewBorder(nil, nil, name, nil, detail))
	}
	w.packs.Refresh()
	w.voices.Refresh()
}

// packRow shows one pack: its name, what it is, its licence, size and
// source, with buttons to verify and remove it.
func (w *Window) packRow(ctx context.Context, p pack.Info) fyne.CanvasObject {
	name := widget.NewLabelWithStyle(p.Name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	remove := widget.NewButtonWithIcon("Remove…", theme.DeleteIcon(), func() { w.confirmRemove(ctx, p.Name) })
	if p.Err != nil {
		problem := &widget.Label{Text: "Damaged: " + p.Err.Error() + ". Remove it and install it again.", Wrapping: fyne.TextWrapWord, Importance: widget.DangerImportance}
		return container.NewBorder(nil, nil, name, container.NewVBox(remove), problem)
	}
	verify := widget.NewButtonWithIcon("Verify", theme.ConfirmIcon(), func() { w.verify(ctx, p.Name) })
	what := p.Family
	if p.Title != "" {
		what = p.Title + " (" + p.Family + ")"
	}
	lines := container.NewVBox(
		&widget.Label{Text: what, Wrapping: fyne.TextWrapWord},
		widget.NewLabel(fmt.Sprintf("Licence: %s · %s", p.Licence, pack.FormatSize(p.Size))),
	)
	if u, err := url.Parse(p.Source); err == nil && (u.Scheme == "https" || u.Scheme == "http") {
		lines.Add(widget.NewHyperlink(p.Source, u))
	} else if p.Source != "" {
		lines.Add(widget.NewLabel("Source: " + p.Source))
	}
	// The buttons keep their height beside the lines.
	buttons := container.NewVBox(container.NewHBox(verify, remove))
	return container.NewBorder(nil, nil, name, buttons, lines)
}

func (w *Window) choosePack(ctx context.Context) {
	d := dialog.NewFolderOpen(func(u fyne.ListableURI, err error) {
		if err != nil {
			w.d.Report(err)
			return
		}
		if u == nil {
			return
		}
		if u.Scheme() != "file" {
			w.d.Problem("Cannot install from there", fmt.Sprintf("%s is not a folder on this computer.", u))
			return
		}
		w.installPack(ctx, u.Path())
	}, w.d.Window)
	d.Resize(filepick.DialogSize())
	d.Show()
	uikit.DialogKeys(w.d.Window, nil, d.Dismiss) // Esc; the file picker's own buttons and fields do the rest
}

// installPack installs the pack in dir (a folder with a manifest.json),
// with a progress bar and a Cancel button. Nothing is installed unless
// every file checks out.
func (w *Window) installPack(ctx context.Context, dir string) *packTask {
	t, tctx := w.newPackTask(ctx, "Installing a model pack", "from "+dir)
	session.Background(tctx, w.d.Runner, func(ctx context.Context) (*pack.Pack, error) {
		return w.m.Packs.Install(ctx, dir, t.progress)
	}, func(p *pack.Pack, err error) {
		t.end()
		switch {
		case errors.Is(err, context.Canceled):
		case err != nil:
			w.d.Problem("The pack was not installed", err.Error())
		default:
			uikit.ShowInformation("Model pack installed", fmt.Sprintf("%s is installed, licence %s. Shots set to render with on-device models use it.", p.Manifest.Name, p.Manifest.Licence), w.d.Window)
		}
		w.reload(ctx)
	})
	return t
}

// verify checks every file of a pack against its sha256.
func (w *Window) verify(ctx context.Context, name string) *packTask {
	t, tctx := w.newPackTask(ctx, "Verifying "+name, "every file against its checksum")
	session.Background(tctx, w.d.Runner, func(ctx context.Context) (struct{}, error) {
		p, err := w.m.Packs.Open(name)
		if err != nil {
			return struct{}{}, err
		}
		return struct{}{}, pack.Verify(ctx, p, t.progress)
	}, func(_ struct{}, err error) {
		t.end()
		switch {
		case errors.Is(err, context.Canceled):
		case err != nil:
			w.d.Problem(name+" is damaged", err.Error())
		default:
			uikit.ShowInformation(name+" is intact", "Every file matches its checksum.", w.d.Window)
		}
	})
	return t
}

func (w *Window) confirmRemove(ctx context.Context, name string) {
	d := dialog.NewConfirm("Remove model pack", fmt.Sprintf("Remove %s from this computer? Clips already rendered with it are kept; shots set to render with on-device models need another pack to render again.", name), func(ok bool) {
		if ok {
			w.remove(ctx, name)
		}
	}, w.d.Window)
	d.SetConfirmText("Remove")
	d.SetDismissText("Keep")
	d.Show()
	uikit.DialogKeys(w.d.Window, nil, d.Dismiss) // removing takes a click
}

func (w *Window) remove(ctx context.Context, name string) {
	session.Background(ctx, w.d.Runner, func(context.Context) (struct{}, error) {
		return struct{}{}, w.m.Packs.Remove(name)
	}, func(_ struct{}, err error) {
		if err != nil {
			w.d.Problem("The pack was not removed", err.Error())
		}
		w.reload(ctx)
	})
}

func (w *Window) chooseVoice(ctx context.Context) {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			w.d.Report(err)
			return
		}
		if r == nil {
			return
		}
		u := r.URI()
		r.Close()
		if u.Scheme() != "file" {
			w.d.Problem("Cannot install from there", fmt.Sprintf("%s is not a file on this computer.", u))
			return
		}
		w.installVoice(ctx, u.Path())
	}, w.d.Window)
	d.SetFilter(filepick.RegularFiles{".onnx"})
	d.Resize(filepick.DialogSize())
	d.Show()
	uikit.DialogKeys(w.d.Window, nil, d.Dismiss) // Esc; the file picker's own buttons and fields do the rest
}

// installVoice checks the Piper voice at model (with model.json beside it)
// and copies both into the voices folder.
func (w *Window) installVoice(ctx context.Context, model string) {
	session.Background(ctx, w.d.Runner, func(context.Context) (voices.Installed, error) {
		if w.m.InstallVoice == nil {
			return voices.Install(nil, model, w.m.VoicesDir)
		}
		return w.m.InstallVoice(model, w.m.VoicesDir)
	}, func(v voices.Installed, err error) {
		if err != nil {
			w.d.Problem("The voice was not installed", err.Error())
		} else {
			uikit.ShowInformation("Voice installed", fmt.Sprintf("%s (%s) is installed: give it to a cast member or a line as their voice.", v.Name, v.Language), w.d.Window)
		}
		w.reload(ctx)
	})
}

// packTask is an install or verification in progress: a bar, the file at
// work and a Cancel button.
type packTask struct {
	w *Window
	// cancel ends the work's context (newPackTask's); the Cancel button
	// and end call it.
	cancel context.CancelFunc
	dialog *dialog.CustomDialog
	bar    *widget.ProgressBar
	file   *widget.Label
	stop   *widget.Button

	mu      sync.Mutex
	latest  pack.Progress
	queued  bool
	stopped bool
	// cancelled: the person asked to stop; what the work reports from
	// then on is not shown.
	cancelled bool
}

// newPackTask shows the task's dialog; the work runs under the context it
// returns, which its Cancel button ends.
func (w *Window) newPackTask(ctx context.Context, title, detail string) (*packTask, context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	t := &packTask{w: w, cancel: cancel}
	t.bar = widget.NewProgressBar()
	t.file = widget.NewLabel("Starting…")
	t.stop = widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), func() {
		t.mu.Lock()
		t.cancelled = true
		t.mu.Unlock()
		t.cancel()
		t.stop.Disable()
		t.file.SetText("Cancelling…")
	})
	from := &widget.Label{Text: detail, Wrapping: fyne.TextWrapBreak, SizeName: theme.SizeNameCaptionText}
	t.dialog = dialog.NewCustomWithoutButtons(title, container.NewVBox(t.file, look.ProgressBar(t.bar), from), w.d.Window)
	t.dialog.SetButtons([]fyne.CanvasObject{t.stop})
	t.dialog.Resize(fyne.NewSize(min(520, w.d.Window.Canvas().Size().Width*0.8), t.dialog.MinSize().Height))
	t.dialog.Show()
	uikit.DialogKeys(w.d.Window, nil, t.stop.OnTapped)
	return t, ctx
}

// progress is called from the work's goroutine; updates that come faster
// than the UI draws are folded into one.
func (t *packTask) progress(p pack.Progress) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.latest = p
	if !t.queued {
		t.queued = true
		t.w.d.Runner.OnUI(t.show)
	}
}

func (t *packTask) show() {
	t.mu.Lock()
	p := t.latest
	t.queued = false
	stopped := t.stopped || t.cancelled
	t.mu.Unlock()
	if stopped {
		return
	}
	if p.Total > 0 {
		t.bar.SetValue(float64(p.Done) / float64(p.Total))
	}
	if p.File != "" {
		t.file.SetText(fmt.Sprintf("%s (file %d of %d, %s of %s)", p.File, p.Index+1, p.Count, pack.FormatSize(p.Done), pack.FormatSize(p.Total)))
	}
}

func (t *packTask) end() {
	t.mu.Lock()
	t.stopped = true
	t.mu.Unlock()
	t.cancel()
	t.dialog.Hide()
}
