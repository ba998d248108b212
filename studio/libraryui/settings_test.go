package libraryui

import (
	"context"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/studio/uikit"
)

// settingsSelects finds the frame size and rate choices in the dialog on
// top.
func (f *fixture) settingsSelects() (size, rate *widget.Select) {
	f.t.Helper()
	var sel []*widget.Select
	walkAll(f.topDialog(), func(o fyne.CanvasObject) {
		if s, ok := o.(*widget.Select); ok {
			sel = append(sel, s)
		}
		if c, ok := o.(*uikit.Choice); ok { // the dialogs' lists, which take Enter and Esc
			sel = append(sel, &c.Select)
		}
	})
	if len(sel) != 2 {
		f.t.Fatalf("the dialog has %d choices, want the size and the rate:\n%s", len(sel), texts(f.topDialog()))
	}
	return sel[0], sel[1]
}

// sizeEntry finds the width × height field in the dialog on top.
func (f *fixture) sizeEntry() *widget.Entry {
	f.t.Helper()
	var found *widget.Entry
	walkAll(f.topDialog(), func(o fyne.CanvasObject) {
		if e, ok := o.(*widget.Entry); ok && strings.Contains(e.PlaceHolder, "width × height") {
			found = e
		}
	})
	if found == nil {
		f.t.Fatal("no width × height field in the dialog")
	}
	return found
}

// File ▸ Project settings renames the project and changes its frame size
// and rate as one undoable edit; before it is applied it says which
// rendered clips will be rendered again; afterwards the library lists the
// new title and the exported film has the new size and rate.
func TestProjectSettings(t *testing.T) {
	tools := needTools(t)
	f := newFixture(t, tools, tinyDemo(t))
	f.s.Render(t.Context(), []int{0, 1})
	f.until("both shots to be rendered", time.Minute, func() bool {
		_, a := f.s.ClipOf(0)
		_, b := f.s.ClipOf(1)
		return a && b
	})
	dlg := ProjectSettings(t.Context(), f.d)
	defer dlg.Hide()
	size, rate := f.settingsSelects()
	if size.Selected != customSize || rate.Selected != "24 fps" {
		t.Errorf("a 320×180 project at 24 fps shows %q at %q", size.Selected, rate.Selected)
	}
	if got := texts(f.topDialog()); strings.Contains(got, "rendered again") {
		t.Errorf("before anything changed, the dialog says clips will render again:\n%s", got)
	}
	size.SetSelected("Vertical 9:16 · 720×1280")
	rate.SetSelected("25 fps")
	want := "2 rendered clips are 320×180 at 24 fps and will be rendered again at 720×1280, 25 fps. Undo brings them back."
	if got := texts(f.topDialog()); !strings.Contains(got, want) {
		t.Errorf("the dialog does not say %q:\n%s", want, got)
	}
	title := f.entry(f.topDialog())
	title.SetText("The Kite")
	f.tap("Apply")
	p := f.s.Project()
	if p.Title != "The Kite" || p.Width != 720 || p.Height != 1280 || p.FPS != 25 {
		t.Fatalf("after Apply the project is %q %d×%d at %d fps", p.Title, p.Width, p.Height, p.FPS)
	}
	if name, _ := f.s.Document().UndoName(); name != "Change project settings" {
		t.Errorf("Undo would undo %q, want the settings as one edit", name)
	}
	f.until("the library to list the new title", 10*time.Second, func() bool {
		return slices.Contains(f.titles(), "The Kite") && strings.Contains(texts(f.panel.projectList), "The Kite")
	})
	if stored := f.stored(); stored[0].Title != "The Kite" {
		t.Errorf("the library stored the title %q", stored[0].Title)
	}
	if _, ok := f.s.ClipOf(0); ok {
		t.Error("shot 1 still has a rendered clip at the old size")
	}

	// The film comes out at the new size and rate.
	out := filepath.Join(t.TempDir(), "The Kite.mp4")
	if e := f.export(out); e.err != nil {
		t.Fatalf("export: %v", e.err)
	}
	probe, err := exec.CommandContext(context.Background(), tools.FFprobe, "-v", "error", "-select_streams", "v:0",
		"-show_entries", "stream=width,height,r_frame_rate", "-of", "csv=p=0", out).Output()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(probe)); got != "720,1280,25/1" {
		t.Errorf("ffprobe says the film is %q (width,height,r_frame_rate), want 720,1280,25/1", got)
	}

	// One undo takes all of it back, and the old clips are found again.
	f.s.Undo(t.Context())
	p = f.s.Project()
	if p.Title != "Last Light" || p.Width != 320 || p.Height != 180 || p.FPS != 24 {
		t.Errorf("after one undo the project is %q %d×%d at %d fps", p.Title, p.Width, p.Height, p.FPS)
	}
	f.until("the old clips to be found again", 10*time.Second, func() bool { _, ok := f.s.ClipOf(0); return ok })
}

// A custom size is checked as it is typed, with the reason shown, and
// the dialog cannot be applied until it is right.
func TestProjectSettingsCustomSize(t *testing.T) {
	f := newFixture(t, needTools(t))
	dlg := ProjectSettings(t.Context(), f.d)
	defer dlg.Hide()
	size, _ := f.settingsSelects()
	if size.Selected != "Widescreen 16:9 · 1280×720" {
		t.Errorf("a new project's size shows as %q", size.Selected)
	}
	custom := f.sizeEntry()
	if !custom.Disabled() {
		t.Error("the width × height field can be typed in while a preset is chosen")
	}
	size.SetSelected(customSize)
	for _, c := range []struct{ typed, want string }{
		{"1081×1920", "the frame width is 1081 pixels; video needs an even number, such as 1082"},
		{"1080 x 9000", "the frame height is 9000 pixels; it must be between"},
		{"tall", "type the width and height in pixels, such as 1080×1350"},
	} {
		custom.SetText("")
		test.Type(custom, c.typed)
		err := custom.Validate()
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.typed, err, c.want)
		}
		if !f.button(f.topDialog(), "Apply").Disabled() {
			t.Errorf("%q: Apply is enabled", c.typed)
		}
	}
	custom.SetText("")
	test.Type(custom, "1080x1350")
	if f.button(f.topDialog(), "Apply").Disabled() {
		t.Error("a good custom size leaves Apply disabled")
	}
	f.tap("Apply")
	if p := f.s.Project(); p.Width != 1080 || p.Height != 1350 {
		t.Errorf("after Apply the project is %d×%d, want 1080×1350", p.Width, p.Height)
	}
}

// New project asks for the same settings: a vertical film at 30 fps.
func TestNewProjectSettings(t *testing.T) {
	f := newFixture(t, needTools(t))
	f.panel.NewProject(t.Context())
	size, rate := f.settingsSelects()
	size.SetSelected("Vertical 9:16 · 1080×1920")
	rate.SetSelected("30 fps")
	title := f.entry(f.topDialog())
	title.SetText("Upright")
	f.tap("Create")
	f.until("the new project to open", 10*time.Second, func() bool { return f.s.Project().Title == "Upright" })
	if p := f.s.Project(); p.Width != 1080 || p.Height != 1920 || p.FPS != 30 {
		t.Errorf("the new project is %d×%d at %d fps, want 1080×1920 at 30", p.Width, p.Height, p.FPS)
	}
	if r := f.s.Request(0); r.Format != (render.Format{Width: 1080, Height: 1920, FPS: 30}) {
		t.Errorf("its shots render at %+v", r.Format)
	}
}
