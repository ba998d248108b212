package libraryui

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"

	"github.com/slatestudio/slate/studio/filepick"
	"github.com/slatestudio/slate/studio/uikit"
)

func fileDialogSize() fyne.Size { return filepick.DialogSize() }

// regularFiles is a file dialog's filter that lists only regular files
// (see filepick).
type regularFiles = filepick.RegularFiles

// chooseSave asks where to save a file with extension ext, offering name
// in folder dir (Fyne's default when dir is ""), and hands the path to
// use. A name typed without the extension gets it.
//
// Fyne's save dialog creates (or empties) the file it returns before
// anyone writes to it. Slate writes files atomically beside it instead, so
// the empty file is only a placeholder: whoever fails to fill it removes
// it with dropPlaceholder.
func chooseSave(deps Deps, heading, name, ext, dir string, use func(path string)) {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			deps.Report(fmt.Errorf("choose where to save: %w", err))
			return
		}
		if w == nil {
			return // cancelled
		}
		u := w.URI()
		w.Close()
		if u.Scheme() != "file" {
			deps.Problem("Cannot save there", fmt.Sprintf("%s is not a folder on this computer; choose a local folder.", u))
			return
		}
		path, renamed := withExt(u.Path(), ext)
		if !renamed {
			use(path)
			return
		}
		dropPlaceholder(strings.TrimSuffix(path, ext))
		if _, err := os.Stat(path); err != nil {
			use(path)
			return
		}
		c := dialog.NewConfirm("Replace the file?", fmt.Sprintf("%s already exists.\nReplace it?", path), func(ok bool) {
			if ok {
				use(path)
			}
		}, deps.Window)
		c.SetConfirmText("Replace")
		c.SetDismissText("Cancel")
		c.Show()
		uikit.DialogKeys(deps.Window, c.Confirm, c.Dismiss)
	}, deps.Window)
	d.SetTitleText(heading)
	d.SetFileName(name)
	d.SetFilter(regularFiles{ext})
	if dir != "" {
		if u, err := storage.ListerForURI(storage.NewFileURI(dir)); err == nil {
			d.SetLocation(u)
		}
	}
	d.Resize(fileDialogSize())
	d.Show()
	uikit.DialogKeys(deps.Window, nil, d.Dismiss) // Esc; the file picker's own buttons and fields do the rest
}

// withExt gives path the extension ext unless it has it already (in any
// case), and says whether it had to.
func withExt(path, ext string) (string, bool) {
	if strings.EqualFold(filepath.Ext(path), ext) {
		return path, false
	}
	return path + ext, true
}

// dropPlaceholder removes path if it is an empty file: the one a save
// dialog made, left behind by a save that failed or was cancelled. A file
// with anything in it is never touched.
func dropPlaceholder(path string) {
	if fi, err := os.Lstat(path); err == nil && fi.Mode().IsRegular() && fi.Size() == 0 {
		os.Remove(path)
	}
}

// fileName makes a file name from a title: characters that some systems
// refuse in names become "-".
func fileName(title, ext string) string {
	name := strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || strings.ContainsRune(`/\:*?"<>|`, r) {
			return '-'
		}
		return r
	}, title)
	name = strings.Trim(name, " .")
	if name == "" {
		name = "film"
	}
	return name + ext
}
