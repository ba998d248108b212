package studio

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// libraryPanel lists projects and rendered clips. (Placeholder.)
type libraryPanel struct {
	s *Studio
}

func newLibraryPanel(s *Studio) *libraryPanel { return &libraryPanel{s: s} }

func (l *libraryPanel) view() fyne.CanvasObject { return widget.NewLabel("Library") }
func (l *libraryPanel) projectChanged()         {}

// newProject, openProject and exportFilm are the File menu's actions.
// (Placeholders.)
func (s *Studio) newProject()  {}
func (s *Studio) openProject() {}
func (s *Studio) exportFilm()  {}
