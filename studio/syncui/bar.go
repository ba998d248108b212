package syncui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/slatestudio/slate/sharing/projectsync"
)

// Bar is the sync part of the studio's status line: what sync is doing,
// a progress bar while files go up or come down, and Pause sync or
// Resume sync. It shows nothing while no one is logged in.
type Bar struct {
	label    *widget.Label
	progress *widget.ProgressBar
	bar      fyne.CanvasObject
	button   *widget.Button
	root     *fyne.Container
	paused   bool
	relayout func()
}

// NewBar makes the sync part of the status line; pause is called with
// true when the person pauses sync and false when they resume it.
func NewBar(pause func(bool)) *Bar {
	b := &Bar{
		label:    &widget.Label{Importance: widget.LowImportance},
		progress: widget.NewProgressBar(),
	}
	b.progress.TextFormatter = func() string { return "" }
	b.bar = container.NewGridWrap(fyne.NewSize(140, b.label.MinSize().Height), b.progress)
	b.button = widget.NewButtonWithIcon("Pause sync", theme.MediaPauseIcon(), func() { pause(!b.paused) })
	b.button.Importance = widget.LowImportance
	b.root = container.NewHBox(b.label, container.NewCenter(b.bar), b.button)
	b.Show(projectsync.Status{State: projectsync.Off})
	return b
}

// SetRelayout has Show call f after each change, to lay out again what
// holds the bar, whose width changes with its words.
func (b *Bar) SetRelayout(f func()) { b.relayout = f }

// View is the bar, for the status line.
func (b *Bar) View() fyne.CanvasObject { return b.root }

// Paused reports whether the bar shows sync paused.
func (b *Bar) Paused() bool { return b.paused }

// Show shows st, the whole studio's sync.
func (b *Bar) Show(st projectsync.Status) {
	text, problem := OverallWords(st)
	defer func() {
		if b.relayout != nil {
			b.relayout()
		}
	}()
	if text == "" {
		b.root.Hide()
		return
	}
	b.root.Show()
	b.label.Text = text
	b.label.Importance = widget.LowImportance
	if problem {
		b.label.Importance = widget.WarningImportance
	}
	b.label.Refresh()
	moving := (st.State == projectsync.Uploading || st.State == projectsync.Downloading) && st.Total > 0
	if moving {
		b.progress.SetValue(float64(st.Done) / float64(st.Total))
		b.bar.Show()
	} else {
		b.bar.Hide()
	}
	b.paused = st.State == projectsync.Paused
	if b.paused {
		b.button.SetText("Resume sync")
		b.button.SetIcon(theme.MediaPlayIcon())
	} else {
		b.button.SetText("Pause sync")
		b.button.SetIcon(theme.MediaPauseIcon())
	}
}
