package castui

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"math"
	"os"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/slatestudio/slate/capture"
	"github.com/slatestudio/slate/capture/enrol"
	"github.com/slatestudio/slate/capture/liveness"
	"github.com/slatestudio/slate/consent"
	"github.com/slatestudio/slate/internal/clock"
	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/studio/look"
	"github.com/slatestudio/slate/studio/session"
)

// previewFPS bounds how often the live preview is redrawn: smooth enough
// to frame yourself, cheap enough to leave the machine for the take.
const previewFPS = 30

// wizard records a cast member: pick the camera and microphone and see
// yourself, follow the prompts through the take, then review it, see what
// the checks found, choose who may use the likeness, and save — or take it
// again.
type wizard struct {
	s     Session
	d     Deps
	panel *Panel
	win   fyne.Window

	// The setup step.
	name, handle *widget.Entry
	camera, mic  *widget.Select
	cams         []capture.CameraInfo
	mics         []capture.MicrophoneInfo
	start        *widget.Button

	// What every step shows: the picture, with the prompt over it.
	picture   *canvas.Image
	prompt    *canvas.Text
	countdown *canvas.Text
	backdrop  *canvas.Rectangle
	meter     *widget.ProgressBar
	status    *widget.Label
	takeBar   *widget.ProgressBar

	// The review step.
	results *fyne.Container
	stills  *fyne.Container
	level   *widget.RadioGroup
	explain *widget.Label
	prefs   *widget.Entry
	save    *widget.Button

	// body holds the current step's controls, in scroll; actions the
	// step's buttons under it, always in view.
	body    *fyne.Container
	scroll  *container.Scroll
	actions *fyne.Container
	right   *fyne.Container
	// script is the take's script beside the picture (wizardscript.go).
	scriptPane *scriptPane

	mu        sync.Mutex
	stopLive  context.CancelFunc // ends the preview or the take
	format    capture.VideoFormat
	script    capture.Script
	curPrompt int
	takeStart time.Time

	take    *capture.Take
	report  *liveness.Report
	checker *enrol.Checker
	saved   bool
	done    bool // closed has run
}

// Record opens the recording wizard: Cast ▸ Record a cast member. The
// devices, the take, its checks and the saving run under ctx, the
// studio's, and end with it or with the wizard.
func (c *Panel) Record(ctx context.Context) {
	w := &wizard{s: c.s, d: c.d, panel: c, curPrompt: -1}
	w.win = c.d.App.NewWindow("Record a cast member — Slate")
	w.build(ctx)
	w.win.SetCloseIntercept(w.close)
	w.win.SetOnClosed(w.closed)
	w.win.Resize(fyne.NewSize(1100, 720))
	w.win.Show()
	w.win.Canvas().Focus(w.name)
	c.wizard = w
	w.listDevices(ctx)
	w.showSetup()
}

func (w *wizard) build(ctx context.Context) {
	w.name = widget.NewEntry()
	w.name.SetPlaceHolder("Who is being recorded")
	w.handle = widget.NewEntry()
	w.handle.SetPlaceHolder("@handle")
	w.name.OnChanged = func(v string) {
		w.handle.SetText(library.HandleFor(v))
		w.updateStart()
	}
	w.name.OnSubmitted = func(string) {
		if !w.start.Disabled() {
			w.record(ctx)
		}
	}
	w.camera = widget.NewSelect(nil, func(string) { w.restartPreview(ctx) })
	w.mic = widget.NewSelect(nil, func(string) { w.restartPreview(ctx) })
	w.start = widget.NewButtonWithIcon("Start recording", theme.MediaRecordIcon(), func() { w.record(ctx) })
	w.start.Importance = widget.HighImportance

	w.picture = canvas.NewImageFromImage(nil)
	w.picture.FillMode = canvas.ImageFillContain
	w.picture.SetMinSize(fyne.NewSize(640, 360))
	w.prompt = canvas.NewText("", promptColor)
	w.prompt.TextSize = 30
	w.prompt.TextStyle.Bold = true
	w.prompt.Alignment = fyne.TextAlignCenter
	w.countdown = canvas.NewText("", countdownColor)
	w.countdown.TextSize = 48
	w.countdown.TextStyle.Bold = true
	w.countdown.Alignment = fyne.TextAlignCenter
	w.meter = widget.NewProgressBar()
	w.meter.TextFormatter = func() string { return "" }
	w.status = widget.NewLabel("")
	w.status.Wrapping = fyne.TextWrapWord
	w.takeBar = widget.NewProgressBar()

	w.results = container.NewVBox()
	w.stills = container.NewHBox()
	w.explain = widget.NewLabel("")
	w.explain.Wrapping = fyne.TextWrapWord
	w.level = widget.NewRadioGroup(levelLabels(), func(v string) {
		if l, err := consent.ParseLevel(v); err == nil {
			w.explain.SetText(l.Explain())
		}
	})
	w.level.SetSelected(consent.OnlyMe.Label())
	w.prefs = widget.NewMultiLineEntry()
	w.prefs.SetPlaceHolder("Preferences for anyone who casts you, e.g. \"always wears a red scarf\" (optional)")
	w.prefs.Wrapping = fyne.TextWrapWord
	w.save = widget.NewButtonWithIcon("Save cast member", theme.DocumentSaveIcon(), func() { w.saveMember(ctx) })
	w.save.Importance = widget.HighImportance

	w.body = container.NewVBox()
	w.scroll = container.NewVScroll(w.body)
	w.actions = container.NewVBox()
	w.backdrop = canvas.NewRectangle(backdropColor)
	w.backdrop.Hide()
	overlay := container.NewVBox(layoutSpacer(), container.NewStack(w.backdrop, container.NewVBox(w.prompt, w.countdown)), layoutSpacer())
	screen := container.NewStack(canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground)), w.picture, overlay)
	left := container.NewBorder(nil, container.NewVBox(container.NewBorder(nil, nil, widget.NewLabel("Sound"), nil, w.meter), w.status), nil, nil, screen)
	// The step's buttons stay under the scrolled pane, where its scroll
	// bar cannot cover them, and never wider than the pane: the window
	// must not grow with the step it shows.
	w.right = container.NewBorder(nil, w.actions, nil, nil, w.scroll)
	split := container.NewHSplit(left, w.right)
	split.SetOffset(0.64)
	w.win.SetContent(split)
}

func layoutSpacer() fyne.CanvasObject {
	r := canvas.NewRectangle(nil)
	r.SetMinSize(fyne.NewSize(1, 1))
	return container.NewStack(r)
}

// listDevices lists cameras and microphones in the background: probing
// devices can take a moment.
func (w *wizard) listDevices(ctx context.Context) {
	s := w.s
	type found struct {
		cams []capture.CameraInfo
		mics []capture.MicrophoneInfo
	}
	session.Background(ctx, s, func(context.Context) (found, error) {
		cams, err := capture.ListCameras()
		if err != nil {
			return found{}, err
		}
		mics, err := capture.ListMicrophones()
		return found{cams, mics}, err
	}, func(f found, err error) {
		if err != nil {
			w.status.SetText(err.Error())
		}
		w.cams, w.mics = f.cams, f.mics
		var camNames, micNames []string
		if fake := os.Getenv(capture.EnvFakeCamera); fake != "" {
			camNames = append(camNames, "Fake camera: "+fake)
		}
		for _, c := range f.cams {
			camNames = append(camNames, c.Name+" ("+c.Path+")")
		}
		if fake := os.Getenv(capture.EnvFakeMic); fake != "" {
			micNames = append(micNames, "Fake microphone: "+fake)
		}
		for _, m := range f.mics {
			micNames = append(micNames, m.Name)
		}
		w.camera.Options, w.mic.Options = camNames, micNames
		switch {
		case len(camNames) == 0:
			w.camera.PlaceHolder = "No camera found"
			w.status.SetText("No camera was found. Connect a webcam, then close this window and open it again.")
		case len(micNames) == 0:
			w.mic.PlaceHolder = "No microphone found"
			w.status.SetText("No microphone was found. Connect one, then close this window and open it again.")
		}
		w.camera.Refresh()
		w.mic.Refresh()
		if len(camNames) > 0 && len(micNames) > 0 {
			w.camera.SetSelectedIndex(0) // starts the preview
			w.mic.SetSelectedIndex(0)
		}
		w.updateStart()
	})
}

// choice is the devices picked, for capture.OpenDevices.
func (w *wizard) choice() capture.DeviceChoice {
	var c capture.DeviceChoice
	ci := w.camera.SelectedIndex()
	if os.Getenv(capture.EnvFakeCamera) != "" {
		ci--
	}
	if ci >= 0 && ci < len(w.cams) {
		c.Camera = w.cams[ci].Path
	}
	mi := w.mic.SelectedIndex()
	if os.Getenv(capture.EnvFakeMic) != "" {
		mi--
	}
	if mi >= 0 && mi < len(w.mics) {
		c.Mic = w.mics[mi].ID
	}
	return c
}

func (w *wizard) updateStart() {
	if strings.TrimSpace(w.name.Text) != "" && w.camera.SelectedIndex() >= 0 && w.mic.SelectedIndex() >= 0 {
		w.start.Enable()
	} else {
		w.start.Disable()
	}
}

func (w *wizard) showStep(objs ...fyne.CanvasObject) {
	w.body.Objects = objs
	w.body.Refresh()
	w.showActions()
}

// showActions shows the step's buttons under the scrolled pane.
func (w *wizard) showActions(buttons ...fyne.CanvasObject) {
	w.actions.Objects = buttons
	w.right.Refresh() // laid out again for the buttons' height
}

func (w *wizard) showSetup() {
	w.setPrompt("", "")
	heading := widget.NewLabelWithStyle("Record a cast member", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	about := widget.NewLabel("A take of about 25 seconds: look at the camera, turn your head left and right, read five digits and say a short line, as the screen asks. It is then checked to be a live recording of you.")
	about.Wrapping = fyne.TextWrapWord
	w.showStep(heading, about,
		widget.NewLabelWithStyle("Stills", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		&widget.Label{Text: stillsToCome, Wrapping: fyne.TextWrapWord, Importance: widget.LowImportance},
		widget.NewSeparator(),
		widget.NewForm(
			widget.NewFormItem("Name", w.name),
			widget.NewFormItem("Handle", w.handle),
			widget.NewFormItem("Camera", w.camera),
			widget.NewFormItem("Microphone", w.mic),
		),
		w.start)
	w.updateStart()
}

// clock is the take's clock: real, or the tests' own.
func (w *wizard) clock() clock.Clock {
	return clock.Or(w.d.CaptureClock)
}

// restartPreview shows the chosen camera and the microphone's level.
func (w *wizard) restartPreview(ctx context.Context) {
	if w.camera.SelectedIndex() < 0 || w.mic.SelectedIndex() < 0 || w.take != nil {
		return
	}
	w.stop()
	ctx, cancel := context.WithCancel(ctx)
	w.mu.Lock()
	w.stopLive = cancel
	w.mu.Unlock()
	choice := w.choice()
	go func() {
		cam, mic, err := capture.OpenDevices(ctx, choice, w.clock())
		if err != nil {
			w.s.OnUI(func() { w.status.SetText("The devices could not be opened: " + err.Error()) })
			return
		}
		defer cam.Close()
		defer mic.Close()
		w.s.OnUI(func() { w.status.SetText("") })
		readers := w.live(ctx, cam, mic, nil)
		<-ctx.Done()
		readers.Wait() // the devices close only once nothing reads them
	}()
}

// live feeds the preview and the meter from open devices until ctx ends,
// reading them itself when frames is nil (the preview) and taking the
// recorder's copies otherwise. The returned group ends when the device
// readers it started have returned, after ctx ends.
func (w *wizard) live(ctx context.Context, cam capture.Camera, mic capture.Microphone, frames <-chan capture.Frame) *sync.WaitGroup {
	var readers sync.WaitGroup
	w.mu.Lock()
	w.format = cam.Format()
	w.mu.Unlock()
	format := cam.Format()
	if frames == nil {
		ch := make(chan capture.Frame, 1)
		frames = ch
		readers.Go(func() {
			for {
				f, err := cam.ReadFrame(ctx)
				if err != nil {
					return
				}
				select {
				case ch <- f:
				default: // the preview is behind: skip a frame
				}
			}
		})
		readers.Go(func() {
			for {
				b, err := mic.ReadBuffer(ctx)
				if err != nil {
					return
				}
				rms, _ := capture.Level(b.Samples)
				w.showLevel(rms)
			}
		})
	}
	go func() {
		var last time.Time
		for {
			select {
			case <-ctx.Done():
				return
			case f := <-frames:
				if time.Since(last) < time.Second/previewFPS {
					continue
				}
				last = time.Now()
				img, err := capture.FrameImage(format, f.Data)
				if err != nil {
					continue
				}
				w.s.OnUI(func() { w.showFrame(img) })
			}
		}
	}()
	return &readers
}

func (w *wizard) showFrame(img image.Image) {
	w.picture.Image = img
	w.picture.Refresh()
	w.tickPrompt()
}

// showLevel moves the meter: −60 dBFS empty to 0 full.
func (w *wizard) showLevel(rms float64) {
	v := (rms + 60) / 60
	if math.IsNaN(v) || v < 0 {
		v = 0 // silence is −∞ dBFS
	}
	v = min(1, v)
	w.s.OnUI(func() { w.meter.SetValue(v) })
}

// stop ends the preview or the take in progress.
func (w *wizard) stop() {
	w.mu.Lock()
	stop := w.stopLive
	w.stopLive = nil
	w.mu.Unlock()
	if stop != nil {
		stop()
	}
}

// record runs the take, under a context of its own within ctx, which its
// Cancel button ends.
func (w *wizard) record(parent context.Context) {
	w.stop()
	s := w.s
	w.script = enrol.NewScript()
	w.curPrompt = -1
	ctx, cancel := context.WithCancel(parent)
	w.mu.Lock()
	w.stopLive = cancel
	w.mu.Unlock()
	cancelBtn := widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), func() {
		cancel()
	})
	w.takeBar.SetValue(0)
	w.scriptPane = newScriptPane(w.script)
	w.showStep(widget.NewLabelWithStyle("Recording", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		widget.NewLabel("Follow the words over the picture."), w.scriptPane.box, look.ProgressBar(w.takeBar))
	w.showActions(cancelBtn)
	w.setPrompt("Get ready: say nothing yet", "")
	choice, clock, script := w.choice(), w.clock(), w.script
	go func() {
		cam, mic, err := capture.OpenDevices(ctx, choice, clock)
		if err != nil {
			s.OnUI(func() { w.failed(fmt.Errorf("open the devices: %w", err)) })
			return
		}
		defer cam.Close()
		defer mic.Close()
		frames := make(chan capture.Frame, 1)
		w.live(ctx, cam, mic, frames) // reads no device: the recorder does
		s.OnUI(func() { w.takeStart = clock.Now() })
		take, err := capture.Record(ctx, cam, mic, clock, script, capture.RecordOptions{
			TempDir: w.d.Library.TempDir(),
			Tools:   w.d.Tools,
			OnFrame: func(f capture.Frame) {
				select {
				case frames <- f:
				default:
				}
			},
			OnLevel:  func(rms, _ float64) { w.showLevel(rms) },
			OnPrompt: func(i int) { s.OnUI(func() { w.curPrompt = i; w.tickPrompt() }) },
			OnSaving: func() {
				s.OnUI(func() {
					w.setPrompt("", "")
					w.scriptPane = nil
					w.showStep(widget.NewLabel("Saving the take…"), widget.NewProgressBarInfinite())
				})
			},
		})
		cancel()
		s.OnUI(func() {
			switch {
			case take == nil && ctx.Err() != nil && parent.Err() == nil:
				w.status.SetText("The take was cancelled; nothing was kept.")
				w.showSetup()
				w.restartPreview(parent)
			case take == nil:
				w.failed(err)
			default:
				if err != nil {
					w.status.SetText("The take stopped early: " + err.Error())
				}
				w.take = take
				w.check(parent)
			}
		})
	}()
}

// The prompt over the picture is white and its countdown a light blue, on
// a dark band: the camera's picture may be anything from a white wall to
// a dark room, and both read at 3:1 or more on the band over either
// (TestWizardPromptReads), whichever the theme.
var (
	promptColor    = color.NRGBA{0xff, 0xff, 0xff, 0xff}
	countdownColor = color.NRGBA{0x8a, 0xb8, 0xff, 0xff}
	backdropColor  = color.NRGBA{0, 0, 0, 0xc0}
)

// setPrompt shows prompt and countdown over the picture, on their band
// while there is either.
func (w *wizard) setPrompt(prompt, countdown string) {
	w.prompt.Text, w.countdown.Text = prompt, countdown
	w.backdrop.Hidden = prompt == "" && countdown == ""
	w.prompt.Refresh()
	w.countdown.Refresh()
	w.backdrop.Refresh()
}

// tickPrompt shows the current prompt and the seconds left on it.
func (w *wizard) tickPrompt() {
	if w.takeStart.IsZero() || w.take != nil || len(w.script.Prompts) == 0 {
		return
	}
	at := w.clock().Now().Sub(w.takeStart)
	text, end := "Get ready: say nothing yet", w.script.Prompts[0].Start
	if w.curPrompt >= 0 {
		p := w.script.Prompts[w.curPrompt]
		text, end = p.Text, p.End
	}
	w.setPrompt(text, fmt.Sprintf("%.0f", max(0, (end-at).Seconds())))
	if w.scriptPane != nil {
		w.scriptPane.show(w.script, w.curPrompt, at)
	}
	if w.script.Length > 0 {
		w.takeBar.SetValue(min(1, at.Seconds()/w.script.Length.Seconds()))
	}
}

func (w *wizard) failed(err error) {
	w.status.SetText(err.Error())
	w.showSetup()
}

// check runs the liveness checks on the take in the background.
func (w *wizard) check(ctx context.Context) {
	s := w.s
	w.showStep(widget.NewLabel("Checking the take…"), widget.NewProgressBarInfinite())
	take := *w.take
	session.Background(ctx, s, func(ctx context.Context) (*liveness.Report, error) {
		if w.checker == nil {
			c, err := enrol.OpenChecker(w.d.Tools)
			if err != nil {
				return nil, err
			}
			w.checker = c
		}
		return w.checker.Check(ctx, take)
	}, func(rep *liveness.Report, err error) {
		if err != nil {
			w.failed(fmt.Errorf("check the take: %w", err))
			return
		}
		w.report = rep
		w.showReview(ctx)
	})
}

// showReview shows the take, what the checks found, and the choices
// before saving.
func (w *wizard) showReview(ctx context.Context) {
	rep := w.report
	w.results.Objects = nil
	for _, r := range rep.Results {
		icon := theme.ConfirmIcon()
		imp := widget.SuccessImportance
		if !r.Passed {
			icon, imp = theme.ErrorIcon(), widget.DangerImportance
		}
		if r.Skipped {
			icon, imp = theme.WarningIcon(), widget.WarningImportance
		}
		msg := widget.NewLabel(r.Message)
		msg.Wrapping = fyne.TextWrapWord
		msg.Importance = imp
		w.results.Add(container.NewBorder(nil, nil, widget.NewIcon(icon), nil, msg))
	}
	w.stills.Objects = nil
	for _, st := range rep.Stills {
		img := canvas.NewImageFromImage(st.Image)
		img.FillMode = canvas.ImageFillContain
		img.SetMinSize(fyne.NewSize(110, 82))
		w.stills.Add(container.NewVBox(img, widget.NewLabel(stillLabel(st.Kind))))
	}
	if len(rep.Stills) == 0 {
		w.stills.Add(&widget.Label{Text: "No stills: no face was found in the take.", Importance: widget.LowImportance})
	}
	headline := "The take passed every check."
	if !rep.Passed() {
		headline = "The take did not pass: see what to redo below, then take it again."
		w.save.Disable()
	} else {
		w.save.Enable()
	}
	if len(rep.Stills) > 0 {
		w.showFrame(rep.Stills[0].Image)
	}
	retake := widget.NewButtonWithIcon("Take again", theme.MediaReplayIcon(), func() { w.retake(ctx) })
	discard := widget.NewButtonWithIcon("Discard", theme.DeleteIcon(), func() { w.discard(); w.close() })
	play := widget.NewButtonWithIcon("Play the take", theme.MediaPlayIcon(), func() { w.playTake(ctx) })
	head := widget.NewLabelWithStyle(headline, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	head.Wrapping = fyne.TextWrapWord
	w.showStep(head, w.results, widget.NewSeparator(),
		widget.NewLabelWithStyle("Stills", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), w.stills, play,
		widget.NewSeparator(),
		widget.NewLabelWithStyle("Who may feature this likeness?", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		w.level, w.explain, w.prefs)
	w.showActions(w.save, container.NewGridWithColumns(2, retake, discard))
}

// stillsToCome says, before the take, what the Stills heading will show.
const stillsToCome = "Once the take is checked, three stills from it appear here: facing the camera, turned left and turned right. They are the likeness that renders featuring this cast member start from."

func stillLabel(k capture.PromptKind) string {
	switch k {
	case capture.TurnLeft:
		return "turned left"
	case capture.TurnRight:
		return "turned right"
	}
	return "facing"
}

// playTake plays the take's picture in the preview, at its own pace.
func (w *wizard) playTake(ctx context.Context) {
	if w.take == nil {
		return
	}
	w.stop()
	ctx, cancel := context.WithCancel(ctx)
	w.mu.Lock()
	w.stopLive = cancel
	w.mu.Unlock()
	path, fps := w.take.Video, max(1, w.take.Format.FPS)
	tw, th := 640, 480
	if f := w.take.Format; f.Width > 0 && f.Height > 0 {
		th = (640 * f.Height / f.Width) &^ 1
	}
	opts := media.DecodeOptions{Width: tw, Height: th, PixFmt: "rgba"}
	tools := w.d.Tools
	go func() {
		defer cancel()
		dec, err := tools.NewDecoder(ctx, path, opts)
		if err != nil {
			w.s.OnUI(func() { w.status.SetText("Play the take: " + err.Error()) })
			return
		}
		defer dec.Close()
		wd, ht := dec.Size()
		start := time.Now()
		for n := 0; ; n++ {
			img := image.NewRGBA(image.Rect(0, 0, wd, ht))
			if err := dec.ReadFrame(img.Pix); err != nil {
				return
			}
			due := start.Add(time.Duration(n) * time.Second / time.Duration(fps))
			if d := time.Until(due); d > 0 {
				select {
				case <-time.After(d):
				case <-ctx.Done():
					return
				}
			}
			w.s.OnUI(func() { w.picture.Image = img; w.picture.Refresh() })
		}
	}()
}

// retake discards the take and goes back to the start.
func (w *wizard) retake(ctx context.Context) {
	w.discard()
	w.status.SetText("")
	w.showSetup()
	w.restartPreview(ctx)
}

// discard throws the take away.
func (w *wizard) discard() {
	w.stop()
	if w.take != nil {
		os.Remove(w.take.Video)
	}
	w.take, w.report = nil, nil
}

// saveMember keeps the take as a cast member.
func (w *wizard) saveMember(ctx context.Context) {
	s := w.s
	lvl, err := consent.ParseLevel(w.level.Selected)
	if err != nil {
		lvl = consent.OnlyMe
	}
	m := &library.CastMember{Name: strings.TrimSpace(w.name.Text), Handle: strings.TrimSpace(w.handle.Text), Consent: lvl, Preferences: strings.TrimSpace(w.prefs.Text)}
	take, rep := w.take, w.report
	w.save.Disable()
	session.Background(ctx, s, func(ctx context.Context) (*library.CastMember, error) {
		return m, enrol.Save(ctx, w.d.Library, take, rep, m)
	}, func(m *library.CastMember, err error) {
		if err != nil {
			w.save.Enable()
			if errors.Is(err, library.ErrHandleTaken) {
				w.status.SetText(err.Error())
				return
			}
			w.d.Report(err)
			return
		}
		os.Remove(take.Video)
		w.saved = true
		w.close()
		s.ReloadCast(ctx)
		w.d.ShowCast()
	})
}

// close closes the wizard's window (see Deps.CloseWindow).
func (w *wizard) close() { w.d.CloseWindow(w.win, w.closed) }

// closed tidies up, once: the devices stop, and a take not saved is kept
// in the data folder's takes/ until the person deletes it.
func (w *wizard) closed() {
	if w.done {
		return
	}
	w.done = true
	w.stop()
	if w.take != nil && !w.saved {
		if path, err := enrol.Keep(w.d.Library, w.take); err == nil {
			w.d.Log.Info("kept an unsaved take", "path", path)
		}
	}
	if w.checker != nil {
		w.checker.Close()
	}
	if w.panel.wizard == w {
		w.panel.wizard = nil
	}
}
