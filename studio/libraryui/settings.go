package libraryui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/slatestudio/slate/studio/uikit"
	"github.com/slatestudio/slate/timeline"
)

// framePreset is a frame size offered by name in the project's settings.
type framePreset struct {
	label         string
	width, height int
}

// framePresets are the sizes offered: widescreen, vertical (phones) and
// square, each at two sizes where it has two.
func framePresets() []framePreset {
	return []framePreset{
		{"Widescreen 16:9 · 1280×720", 1280, 720},
		{"Widescreen 16:9 · 1920×1080", 1920, 1080},
		{"Vertical 9:16 · 720×1280", 720, 1280},
		{"Vertical 9:16 · 1080×1920", 1080, 1920},
		{"Square 1:1 · 1080×1080", 1080, 1080},
	}
}

// customSize is the frame size choice that takes a width and height typed.
const customSize = "Custom size"

// projectForm is the fields of New project and File ▸ Project settings:
// the title, the frame size (a preset or a custom width × height) and
// the frame rate.
type projectForm struct {
	title *uikit.Field
	size  *uikit.Choice
	// custom is the size as "1280×720": typed when the size is custom,
	// showing the preset's otherwise.
	custom *widget.Entry
	rate   *uikit.Choice
	// effect says what the change means for the shots already rendered;
	// Project settings fills it in.
	effect *widget.Label
	// changed runs after any field changes.
	changed func()
}

// newProjectForm makes the fields, showing a project's title and format.
func newProjectForm(title string, width, height, fps int) *projectForm {
	f := &projectForm{title: titleEntry(title), changed: func() {}}
	f.custom = widget.NewEntry()
	f.custom.SetPlaceHolder("width × height, such as 1080×1350")
	f.custom.SetText(sizeText(width, height))
	f.custom.Validator = func(s string) error {
		w, h, err := parseSize(s)
		if err != nil {
			return err
		}
		return timeline.ValidateFormat(w, h, timeline.Rates[0])
	}
	f.custom.OnChanged = func(string) { f.changed() }
	var labels []string
	for _, p := range framePresets() {
		labels = append(labels, p.label)
	}
	f.size = uikit.NewChoice(append(labels, customSize), func(choice string) {
		for _, p := range framePresets() {
			if p.label == choice {
				f.custom.SetText(sizeText(p.width, p.height))
				f.custom.Disable()
				f.changed()
				return
			}
		}
		f.custom.Enable()
		f.changed()
	})
	f.size.SetSelected(customSize)
	for _, p := range framePresets() {
		if p.width == width && p.height == height {
			f.size.SetSelected(p.label)
		}
	}
	var rates []string
	for _, r := range timeline.Rates {
		rates = append(rates, rateText(r))
	}
	f.rate = uikit.NewChoice(rates, func(string) { f.changed() })
	f.rate.SetSelected(rateText(fps))
	f.effect = widget.NewLabel("")
	f.effect.Wrapping = fyne.TextWrapWord
	f.effect.Hide()
	return f
}

// items are the form's rows.
func (f *projectForm) items() []*widget.FormItem {
	size := widget.NewFormItem("Width × height", f.custom)
	size.HintText = "Even numbers of pixels"
	return []*widget.FormItem{
		widget.NewFormItem("Title", f.title),
		widget.NewFormItem("Frame size", f.size),
		size,
		widget.NewFormItem("Frame rate", f.rate),
		widget.NewFormItem("", f.effect),
	}
}

// values are what the fields say, or why they cannot be used.
func (f *projectForm) values() (title string, width, height, fps int, err error) {
	title = strings.TrimSpace(f.title.Text)
	if err := f.title.Validate(); err != nil {
		return "", 0, 0, 0, err
	}
	width, height, err = parseSize(f.custom.Text)
	if err != nil {
		return "", 0, 0, 0, err
	}
	fps, err = strconv.Atoi(strings.TrimSuffix(f.rate.Selected, " fps"))
	if err != nil {
		return "", 0, 0, 0, fmt.Errorf("choose a frame rate: %s", strings.Join(f.rate.Options, ", "))
	}
	if err := timeline.ValidateFormat(width, height, fps); err != nil {
		return "", 0, 0, 0, err
	}
	return title, width, height, fps, nil
}

func sizeText(w, h int) string { return fmt.Sprintf("%d×%d", w, h) }
func rateText(fps int) string  { return fmt.Sprintf("%d fps", fps) }

// parseSize reads a size typed as "1080×1350" (or with an x, X or *).
func parseSize(s string) (w, h int, err error) {
	s = strings.NewReplacer("x", "×", "X", "×", "*", "×", " ", "").Replace(strings.TrimSpace(s))
	a, b, ok := strings.Cut(s, "×")
	if ok {
		w, err = strconv.Atoi(a)
		if err == nil {
			h, err = strconv.Atoi(b)
		}
	}
	if !ok || err != nil {
		return 0, 0, errors.New("type the width and height in pixels, such as 1080×1350")
	}
	return w, h, nil
}

// newProjectDialog is New project's dialog: a starter project with the
// title, frame size and rate asked for is handed to create.
func newProjectDialog(d Deps, title string, create func(*timeline.Project)) {
	p := timeline.New(title)
	f := newProjectForm(title, p.Width, p.Height, p.FPS)
	f.show(d, "New project", "Create", func(title string, w, h, fps int) {
		p := starterProject(title)
		p.Width, p.Height, p.FPS = w, h, fps
		create(p)
	})
	d.Window.Canvas().Focus(f.title)
}

// show shows the form as a dialog titled heading whose confirm button
// hands what the fields say to use, or reports why they cannot be used;
// Enter confirms and Esc cancels, in the fields and the lists too.
func (f *projectForm) show(d Deps, heading, confirm string, use func(title string, width, height, fps int)) dialog.Dialog {
	dlg := dialog.NewForm(heading, confirm, "Cancel", f.items(), func(ok bool) {
		if !ok {
			return
		}
		title, w, h, fps, err := f.values()
		if err != nil {
			d.Report(err)
			return
		}
		use(title, w, h, fps)
	}, d.Window)
	dlg.Resize(fyne.NewSize(520, dlg.MinSize().Height))
	dlg.Show()
	uikit.DialogKeys(d.Window, dlg.Submit, dlg.Hide, f.title, f.size, f.rate)
	return dlg
}

// ProjectSettings is File ▸ Project settings: the open project's title,
// frame size and frame rate, applied as one edit that Undo takes back,
// and what a change of size or rate means for the shots already rendered.
// It returns the dialog it shows.
func ProjectSettings(ctx context.Context, d Deps) dialog.Dialog {
	d = d.withDefaults()
	s := d.Session
	p := s.Project()
	f := newProjectForm(p.Title, p.Width, p.Height, p.FPS)
	f.changed = func() {
		_, w, h, fps, err := f.values()
		text := ""
		if err == nil {
			text = rerenderText(s, w, h, fps)
		}
		f.effect.SetText(text)
		if text == "" {
			f.effect.Hide()
		} else {
			f.effect.Show()
		}
	}
	f.changed()
	return f.show(d, "Project settings", "Apply", func(title string, w, h, fps int) {
		p := s.Project()
		if title == p.Title && w == p.Width && h == p.Height && fps == p.FPS {
			return // nothing changed: no edit to undo
		}
		if err := s.Edit(ctx, timeline.SetProjectSettings(title, w, h, fps)); err != nil && errors.Is(err, timeline.ErrInvalid) {
			d.Report(err)
		}
	})
}

// rerenderText says what a new frame size and rate mean for the shots
// already rendered: "3 rendered clips are 1280×720 and will be rendered
// again." A shot's clip is rendered at the project's size and rate, which
// are part of its render key, so every clip made at another renders again
// at the new one (the old ones stay in the library: Undo finds them
// again). "" when nothing renders again.
func rerenderText(s Session, width, height, fps int) string {
	type format struct{ w, h, fps int }
	want := format{width, height, fps}
	counts := map[format]int{}
	var order []format
	p := s.Project()
	for i := range p.Shots {
		c, ok := s.ClipOf(i)
		if !ok {
			continue
		}
		f := format{c.Width, c.Height, c.FPS}
		if f == want {
			continue
		}
		if counts[f] == 0 {
			order = append(order, f)
		}
		counts[f]++
	}
	if len(order) == 0 {
		if want != (format{p.Width, p.Height, p.FPS}) {
			return "No shot is rendered yet, so nothing needs rendering again."
		}
		return ""
	}
	slices.SortStableFunc(order, func(a, b format) int { return counts[b] - counts[a] })
	var parts []string
	for _, f := range order {
		n := counts[f]
		what := fmt.Sprintf("%d rendered clips are %s", n, sizeText(f.w, f.h))
		if n == 1 {
			what = fmt.Sprintf("1 rendered clip is %s", sizeText(f.w, f.h))
		}
		if f.fps != fps {
			what += " at " + rateText(f.fps)
		}
		parts = append(parts, what)
	}
	return fmt.Sprintf("%s and will be rendered again at %s, %s. Undo brings them back.", strings.Join(parts, "; "), sizeText(width, height), rateText(fps))
}
