// Package studio is Slate's GUI: the windows, views and widgets of the
// desktop studio, built with Fyne. It adapts the domain types of timeline,
// library and render to widgets and holds no business rules of its own.
//
// It never imports fyne.io/fyne/v2/app: cmd/slate makes the app and hands it
// in, so every view can be tested headlessly with fyne.io/fyne/v2/test.
package studio

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/slatestudio/slate/icons"
	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/timeline"
)

// Studio is the studio's main window over one open project.
type Studio struct {
	app  fyne.App
	lib  *library.Library
	doc  *library.Document
	win  fyne.Window
	list *widget.List
}

// New builds the main window for doc, a project open in lib. It does not
// show the window; call ShowAndRun, or Window().Show().
func New(a fyne.App, lib *library.Library, doc *library.Document) *Studio {
	icon := fyne.NewStaticResource("slate.png", icons.AppPNG)
	a.SetIcon(icon)
	s := &Studio{app: a, lib: lib, doc: doc}
	s.win = a.NewWindow(windowTitle(doc.Project()))
	s.win.SetIcon(icon)
	s.win.SetContent(s.content())
	s.win.Resize(fyne.NewSize(960, 640))
	return s
}

// Window is the main window.
func (s *Studio) Window() fyne.Window { return s.win }

// ShowAndRun shows the main window and runs the app until it is closed.
// Call it from the main goroutine.
func (s *Studio) ShowAndRun() { s.win.ShowAndRun() }

func windowTitle(p *timeline.Project) string {
	return p.Title + " — Slate"
}

func (s *Studio) content() fyne.CanvasObject {
	p := s.doc.Project()
	title := widget.NewRichText(&widget.TextSegment{Style: widget.RichTextStyleHeading, Text: p.Title})
	format := widget.NewLabel(formatLine(p))
	header := newShotRow()
	header.setHeader()
	s.list = widget.NewList(
		func() int { return len(s.doc.Project().Shots) },
		func() fyne.CanvasObject { return newShotRow() },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			p := s.doc.Project()
			if i >= 0 && i < len(p.Shots) {
				o.(*shotRow).set(p, i)
			}
		},
	)
	footer := widget.NewLabel("Library: " + s.lib.Dir())
	footer.Importance = widget.LowImportance
	top := container.NewVBox(title, format, widget.NewSeparator(), header)
	return container.NewBorder(top, footer, nil, nil, s.list)
}

// formatLine describes the project's format: "1280×720, 24 fps, 20.5 s".
func formatLine(p *timeline.Project) string {
	return fmt.Sprintf("%d×%d, %d fps, %s", p.Width, p.Height, p.FPS, timeline.Seconds(p.Length()))
}
