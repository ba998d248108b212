// Package filepick holds what the studio's file dialogs share: a filter
// that lists only regular files, and the size the dialogs open at.
package filepick

import (
	"slices"
	"strings"

	"fyne.io/fyne/v2"

	"github.com/slatestudio/slate/internal/userfile"
)

// DialogSize is the size a file dialog opens at: room for long names.
func DialogSize() fyne.Size { return fyne.NewSize(820, 560) }

// RegularFiles is a file dialog's filter that lists only regular files,
// with one of its extensions when it has any. Fyne opens the file a person
// picks itself, on the UI goroutine: a named pipe would block the studio
// there until someone wrote to it, and a device would never end.
type RegularFiles []string

// Matches reports whether u is a regular file with one of the extensions.
func (exts RegularFiles) Matches(u fyne.URI) bool {
	if len(exts) > 0 && !slices.ContainsFunc(exts, func(e string) bool { return strings.EqualFold(e, u.Extension()) }) {
		return false
	}
	return u.Scheme() != "file" || userfile.Check(u.Path(), "a file") == nil
}
