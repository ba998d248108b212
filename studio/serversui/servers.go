// Package serversui is the studio's Render servers window: the render
// servers shots can render on — another computer running slate-server,
// or any /v1/videos video service — with what each is and renders, and
// adding, editing, testing and removing them.
package serversui

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/slatestudio/slate/servers"
	"github.com/slatestudio/slate/studio/session"
	"github.com/slatestudio/slate/studio/uikit"
)

// Book is what the window does with the kept render servers;
// *servers.Book is one.
type Book interface {
	List(ctx context.Context) ([]servers.Server, error)
	Add(ctx context.Context, sp servers.Spec) (servers.Server, error)
	Edit(ctx context.Context, name string, ch servers.Change) (servers.Server, error)
	Test(ctx context.Context, name string) (servers.Server, error)
	Remove(ctx context.Context, name string) error
}

// Deps are what the window works with, handed in by the studio.
type Deps struct {
	// Book keeps the servers; nil shows none (and says why).
	Book Book
	// Window is the studio's window the dialog opens over.
	Window fyne.Window
	// Runner runs the network and the library off the UI goroutine.
	Runner session.Runner
	// Problem shows what went wrong: a title and what to do about it.
	Problem func(title, message string) dialog.Dialog
	// Changed is called, on the UI goroutine, when a server was added,
	// edited, tested or removed, so the studio offers its backends.
	Changed func(ctx context.Context)
}

// Window is the Render servers dialog.
type Window struct {
	d      Deps
	dialog dialog.Dialog
	list   *fyne.Container
	// shown is the list last drawn, for tests.
	shown []servers.Server
	// form is the Add or Edit dialog while it is open, for tests.
	form *addForm
}

// Show opens the window: Render ▸ Render servers….
func Show(ctx context.Context, d Deps) *Window {
	if d.Book == nil {
		d.Problem("No render servers here", "This studio was started without a data folder to keep render servers in.")
		return nil
	}
	w := &Window{d: d, list: container.NewVBox(widget.NewLabel("Reading the render servers…"))}
	add := widget.NewButtonWithIcon("Add a server…", theme.ContentAddIcon(), func() { w.showForm(ctx, nil) })
	note := &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.LowImportance,
		Text: "Render shots on another computer — one running slate-server with render workers, such as a graphics-card machine in the next room — or on a video service that speaks /v1/videos. Choose one under \"Render with\" in a shot's inspector."}
	content := container.NewVBox(container.NewBorder(nil, nil, nil, container.NewVBox(add), note), widget.NewSeparator(), w.list)
	w.dialog = dialog.NewCustom("Render servers", "Close", container.NewVScroll(content), d.Window)
	size := d.Window.Canvas().Size()
	w.dialog.Resize(fyne.NewSize(min(720, size.Width*0.9), min(520, size.Height*0.9)))
	w.dialog.Show()
	uikit.DialogKeys(d.Window, w.dialog.Hide, w.dialog.Hide)
	w.reload(ctx)
	return w
}

// reload reads the kept servers and draws them.
func (w *Window) reload(ctx context.Context) {
	session.Background(ctx, w.d.Runner, func(ctx context.Context) ([]servers.Server, error) {
		return w.d.Book.List(ctx)
	}, func(list []servers.Server, err error) { w.draw(ctx, list, err) })
}

func (w *Window) draw(ctx context.Context, list []servers.Server, err error) {
	w.shown = list
	w.list.RemoveAll()
	if err != nil {
		w.list.Add(&widget.Label{Text: err.Error(), Wrapping: fyne.TextWrapWord, Importance: widget.DangerImportance})
	}
	if len(list) == 0 && err == nil {
		w.list.Add(&widget.Label{Text: "None yet. Shots render on this computer. Add a server to render on another.", Wrapping: fyne.TextWrapWord})
	}
	for _, s := range list {
		w.list.Add(w.row(ctx, s))
	}
	w.list.Refresh()
}

// row shows one server: "gpu-box — a Slate render server · animatic,
// onnx", its address, and buttons to edit, test and remove it.
func (w *Window) row(ctx context.Context, s servers.Server) fyne.CanvasObject {
	line := &widget.Label{Text: s.String(), Wrapping: fyne.TextWrapWord, TextStyle: fyne.TextStyle{Bold: true}}
	lines := container.NewVBox(line, &widget.Label{Text: s.URL, Importance: widget.LowImportance, Truncation: fyne.TextTruncateEllipsis})
	for _, m := range s.Models {
		lines.Add(&widget.Label{Text: m.ID + ": " + servers.Capabilities(m), Wrapping: fyne.TextWrapWord})
	}
	edit := uikit.NewTipButton("Edit…", theme.DocumentCreateIcon(), "Change "+s.Name+"'s API key, or what it renders", func() { w.showForm(ctx, &s) })
	test := uikit.NewTipButton("Test", theme.ViewRefreshIcon(), "Ask "+s.Name+" again what it is and renders", func() { w.test(ctx, s.Name) })
	remove := uikit.NewTipButton("Remove…", theme.DeleteIcon(), "Forget "+s.Name+" and its API key", func() { w.confirmRemove(ctx, s.Name) })
	return container.NewBorder(nil, nil, nil, container.NewVBox(container.NewHBox(edit, test, remove)), lines)
}

// test asks a server again what it is and renders, and says so.
func (w *Window) test(ctx context.Context, name string) {
	session.Background(ctx, w.d.Runner, func(ctx context.Context) (servers.Server, error) {
		return w.d.Book.Test(ctx, name)
	}, func(s servers.Server, err error) {
		if err != nil {
			w.d.Problem(name+" did not answer", err.Error())
			return
		}
		uikit.ShowInformation(name+" answers", answer(s), w.d.Window)
		w.changed(ctx)
	})
}

// answer says what a server is and renders, after a test.
func answer(s servers.Server) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s is %s.", s.Name, s.What())
	for _, m := range s.Models {
		fmt.Fprintf(&b, "\n%s: %s", m.ID, servers.Capabilities(m))
	}
	return b.String()
}

func (w *Window) confirmRemove(ctx context.Context, name string) {
	d := dialog.NewConfirm("Remove render server", fmt.Sprintf("Forget %s and its API key? Clips already rendered on it are kept; shots set to render on it need another renderer to render again.", name), func(ok bool) {
		if !ok {
			return
		}
		session.Background(ctx, w.d.Runner, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, w.d.Book.Remove(ctx, name)
		}, func(_ struct{}, err error) {
			if err != nil {
				w.d.Problem(name+" was not removed", err.Error())
			}
			w.changed(ctx)
		})
	}, w.d.Window)
	d.Show()
	uikit.DialogKeys(w.d.Window, nil, d.Hide)
}

// changed redraws the list and tells the studio.
func (w *Window) changed(ctx context.Context) {
	w.reload(ctx)
	if w.d.Changed != nil {
		w.d.Changed(ctx)
	}
}

// addForm is the Add a server dialog's fields, or the Edit dialog's.
type addForm struct {
	// editing is the server the Edit dialog changes; nil when adding.
	editing                 *servers.Server
	dialog                  dialog.Dialog
	name, address, key      *uikit.Field
	models, sizes, seconds  *uikit.Field
	audio, keepAudio, image *widget.Check
	status                  *widget.Label
	add                     *widget.Button
}

// showForm opens the Add a server dialog: a name, an address and an API
// key (hidden as it is typed), and, for a service that does not list its
// models, what it renders. With a server it is the Edit dialog: the same
// fields filled in with what is kept, the name and address read-only and
// the key empty, which keeps the kept one.
func (w *Window) showForm(ctx context.Context, edit *servers.Server) {
	f := &addForm{editing: edit,
		name: uikit.NewField(), address: uikit.NewField(), key: uikit.NewPasswordField(),
		models: uikit.NewField(), sizes: uikit.NewField(), seconds: uikit.NewField(),
		audio:     widget.NewCheck("Its clips carry sound of their own", nil),
		keepAudio: widget.NewCheck("Keep that sound under the shot's dialogue and sound", nil),
		image:     widget.NewCheck("It can start from a picture", nil),
		status:    &widget.Label{Wrapping: fyne.TextWrapWord},
	}
	f.name.SetPlaceHolder("gpu-box")
	f.address.SetPlaceHolder("http://gpu-box:8080")
	f.key.SetPlaceHolder("the key the server gave you (slate account keys create); empty if none")
	f.models.SetPlaceHolder("wan-2.2")
	f.sizes.SetPlaceHolder("1280x720, 720x1280")
	f.seconds.SetPlaceHolder("4, 8, 12")
	describe := widget.NewForm(
		widget.NewFormItem("Models", f.models), widget.NewFormItem("Frame sizes", f.sizes),
		widget.NewFormItem("Clip lengths (s)", f.seconds),
	)
	var more fyne.CanvasObject = widget.NewAccordion(widget.NewAccordionItem("If the service does not list its models",
		container.NewVBox(describe, f.audio, f.keepAudio, f.image)))
	title, action := "Add a render server", "Test and add"
	if edit != nil {
		title, action = "Edit "+edit.Name, "Test and save"
		f.fill(*edit)
		switch {
		case edit.IsSlate():
			more = &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.LowImportance,
				Text: edit.Name + " is a Slate render server: what it renders comes from the server itself (Test reads it again)."}
		case edit.Profile == nil:
			more = container.NewVBox(&widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.LowImportance,
				Text: edit.Name + " lists its own models: what they render comes from the service (Test reads it again)."}, f.keepAudio)
		default:
			more = container.NewVBox(describe, f.audio, f.keepAudio, f.image)
		}
	}
	form := widget.NewForm(
		widget.NewFormItem("Name", f.name), widget.NewFormItem("Address", f.address), widget.NewFormItem("API key", f.key),
	)
	cancel := widget.NewButton("Cancel", nil)
	f.add = widget.NewButtonWithIcon(action, theme.ConfirmIcon(), func() { w.submit(ctx, f) })
	f.add.Importance = widget.HighImportance
	body := container.NewVBox(form, more, f.status, container.NewHBox(layout.NewSpacer(), cancel, f.add))
	f.dialog = dialog.NewCustomWithoutButtons(title, body, w.d.Window)
	cancel.OnTapped = f.dialog.Hide
	f.dialog.Resize(fyne.NewSize(min(600, w.d.Window.Canvas().Size().Width*0.9), 0))
	f.dialog.Show()
	f.dialog.SetOnClosed(func() { w.form = nil })
	uikit.DialogKeys(w.d.Window, func() { w.submit(ctx, f) }, f.dialog.Hide, f.name, f.address, f.key, f.models, f.sizes, f.seconds)
	if edit == nil {
		w.d.Window.Canvas().Focus(f.name)
	} else {
		w.d.Window.Canvas().Focus(f.key)
	}
	w.form = f
}

// fill sets the Edit dialog's fields to what is kept of s.
func (f *addForm) fill(s servers.Server) {
	f.name.SetText(s.Name)
	f.name.Disable()
	f.address.SetText(s.URL)
	f.address.Disable()
	f.key.SetPlaceHolder("empty keeps the key kept now")
	f.keepAudio.SetChecked(s.KeepModelAudio)
	if s.Profile == nil {
		return
	}
	names := make([]string, len(s.Models))
	for i, m := range s.Models {
		names[i] = m.ID
	}
	secs := make([]string, len(s.Profile.Seconds))
	for i, n := range s.Profile.Seconds {
		secs[i] = strconv.Itoa(n)
	}
	f.models.SetText(strings.Join(names, ", "))
	f.sizes.SetText(strings.Join(s.Profile.Sizes, ", "))
	f.seconds.SetText(strings.Join(secs, ", "))
	f.audio.SetChecked(s.Profile.Audio)
	f.image.SetChecked(s.Profile.ImageInput)
}

// change is what the Edit dialog's fields change, checked as Add checks
// them; only what the kind of server allows is sent.
func (f *addForm) change() (servers.Change, error) {
	s := f.editing
	ch := servers.Change{APIKey: strings.TrimSpace(f.key.Text)}
	if s.IsSlate() {
		return ch, nil
	}
	keep := f.keepAudio.Checked
	ch.KeepModelAudio = &keep
	if s.Profile == nil {
		return ch, nil
	}
	fps := s.Profile.FPS
	if fps <= 0 {
		fps = 24
	}
	if _, _, err := servers.Describe(f.models.Text, f.sizes.Text, f.seconds.Text, fps, f.audio.Checked, f.image.Checked); err != nil {
		return ch, err
	}
	audio, image := f.audio.Checked, f.image.Checked
	ch.Models, ch.Sizes, ch.Seconds, ch.Audio, ch.ImageInput = f.models.Text, f.sizes.Text, f.seconds.Text, &audio, &image
	return ch, nil
}

// submitEdit tests and keeps the Edit dialog's change; the dialog closes
// once it is kept, and says what went wrong otherwise.
func (w *Window) submitEdit(ctx context.Context, f *addForm, fail func(string)) {
	ch, err := f.change()
	if err != nil {
		fail(err.Error())
		return
	}
	name := f.editing.Name
	f.status.Importance = widget.MediumImportance
	f.status.SetText("Testing " + f.editing.URL + "…")
	f.add.Disable()
	session.Background(ctx, w.d.Runner, func(ctx context.Context) (servers.Server, error) {
		return w.d.Book.Edit(ctx, name, ch)
	}, func(s servers.Server, err error) {
		f.add.Enable()
		if err != nil {
			fail(err.Error())
			return
		}
		f.dialog.Hide()
		uikit.ShowInformation(s.Name+" changed", answer(s), w.d.Window)
		w.changed(ctx)
	})
}

// submit checks the fields, then tests the server and keeps it; the
// dialog closes once it is kept, and says what went wrong otherwise.
func (w *Window) submit(ctx context.Context, f *addForm) {
	if f.add.Disabled() {
		return
	}
	fail := func(msg string) {
		f.status.Importance = widget.DangerImportance
		f.status.SetText(msg)
	}
	if f.editing != nil {
		w.submitEdit(ctx, f, fail)
		return
	}
	sp := servers.Spec{Name: strings.TrimSpace(f.name.Text), URL: strings.TrimSpace(f.address.Text), APIKey: strings.TrimSpace(f.key.Text), KeepModelAudio: f.keepAudio.Checked}
	if err := servers.CheckName(sp.Name); err != nil {
		fail("Name: " + err.Error())
		return
	}
	if _, err := servers.CleanURL(sp.URL); err != nil {
		fail("Address: " + err.Error())
		return
	}
	if f.models.Text != "" || f.sizes.Text != "" || f.seconds.Text != "" {
		p, names, err := servers.Describe(f.models.Text, f.sizes.Text, f.seconds.Text, 24, f.audio.Checked, f.image.Checked)
		if err != nil {
			fail(err.Error())
			return
		}
		sp.Profile, sp.Models = p, names
	}
	f.status.Importance = widget.MediumImportance
	f.status.SetText("Testing " + sp.URL + "…")
	f.add.Disable()
	session.Background(ctx, w.d.Runner, func(ctx context.Context) (servers.Server, error) {
		return w.d.Book.Add(ctx, sp)
	}, func(s servers.Server, err error) {
		f.add.Enable()
		switch {
		case errors.Is(err, servers.ErrNoModels):
			fail(sp.URL + " is a /v1/videos video service that does not list its models: say what it renders below, under \"If the service does not list its models\".")
		case err != nil:
			fail(err.Error())
		default:
			f.dialog.Hide()
			uikit.ShowInformation(s.Name+" added", answer(s)+"\n\nChoose it under \"Render with\" in a shot's inspector.", w.d.Window)
			w.changed(ctx)
		}
	})
}
