package libraryui

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/slatestudio/slate/internal/atomicfile"
	"github.com/slatestudio/slate/library"
)

// filmRow is one exported film of the open project, as the library keeps
// it to sync, and what its sync says ("synced", "uploading 42 %").
type filmRow struct {
	film library.Film
	sync string
}

// buildFilms makes the list of the open project's films, under its
// rendered clips: hidden while it has none.
func (l *Panel) buildFilms(ctx context.Context) fyne.CanvasObject {
	l.rereadFilms = func() { l.refreshFilms(ctx) }
	l.filmsTitle = heading("Films")
	l.filmRows = container.NewVBox()
	l.filmsArea = container.NewVBox(widget.NewSeparator(), l.filmsTitle, l.filmRows)
	l.filmsArea.Hide()
	return l.filmsArea
}

// refreshFilms reads the open project's films and their sync in the
// background and shows them; one asked for while one runs runs after it.
func (l *Panel) refreshFilms(ctx context.Context) {
	if l.filmsLoading {
		l.filmsReload = true
		return
	}
	l.filmsLoading = true
	projectID, lib, words := l.s.Project().ID, l.d.Library, l.d.FilmSync
	tracked(ctx, l, func(ctx context.Context) ([]filmRow, error) {
		films, err := lib.Films(ctx, projectID)
		if err != nil {
			return nil, err
		}
		rows := make([]filmRow, 0, len(films))
		for _, f := range films {
			if !lib.Blobs().Has(f.SHA256) {
				continue
			}
			r := filmRow{film: f}
			if words != nil {
				r.sync = words(ctx, f.SHA256)
			}
			rows = append(rows, r)
		}
		return rows, nil
	}, func(rows []filmRow, err error) {
		l.filmsLoading = false
		if l.filmsReload {
			l.filmsReload = false
			l.refreshFilms(ctx)
			return
		}
		if err != nil {
			l.d.Log.Warn("library panel", "films", err)
			return
		}
		l.showFilms(ctx, rows)
	})
}

func (l *Panel) showFilms(ctx context.Context, rows []filmRow) {
	l.films = rows
	l.filmsTitle.SetText(fmt.Sprintf("Films of “%s”", l.s.Project().Title))
	objs := make([]fyne.CanvasObject, 0, len(rows))
	for _, r := range rows {
		f := r.film
		name := widget.NewLabelWithStyle(f.Name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		name.Truncation = fyne.TextTruncateEllipsis
		detail := megabytes(f.Size) + " · made " + ago(l.d.Clock.Now(), f.Created)
		if r.sync != "" {
			detail += " · " + r.sync
		}
		d := widget.NewLabel(detail)
		d.SizeName = theme.SizeNameCaptionText
		d.Truncation = fyne.TextTruncateEllipsis
		save := widget.NewButtonWithIcon("Save a copy…", theme.DocumentSaveIcon(), func() {
			chooseSave(l.d, "Save a copy of the film", f.Name, ".mp4", "", func(path string) { l.saveFilm(ctx, f, path) })
		})
		objs = append(objs, container.NewBorder(nil, nil, nil, save, container.New(&tightVBox{}, name, d)))
	}
	l.filmRows.Objects = objs
	l.filmRows.Refresh()
	if len(rows) == 0 {
		l.filmsArea.Hide()
	} else {
		l.filmsArea.Show()
	}
}

// saveFilm copies a film out of the library to path, atomically, checking
// its bytes against its sha256 on the way: a failure or a damaged copy
// leaves no file there.
func (l *Panel) saveFilm(ctx context.Context, f library.Film, path string) {
	lib := l.d.Library
	tracked(ctx, l, func(ctx context.Context) (struct{}, error) {
		err := atomicfile.Write(path, 0o644, func(w io.Writer) error {
			src, err := lib.Blobs().Open(f.SHA256)
			if err != nil {
				return err
			}
			defer src.Close()
			h := sha256.New()
			if _, err := io.Copy(io.MultiWriter(w, h), src); err != nil {
				return err
			}
			if hex.EncodeToString(h.Sum(nil)) != f.SHA256 {
				return fmt.Errorf("the library's copy of %s is damaged; export the film again", f.Name)
			}
			return nil
		})
		if err != nil {
			dropPlaceholder(path)
		}
		return struct{}{}, err
	}, func(_ struct{}, err error) {
		if err != nil {
			l.d.Problem("Could not save a copy of the film", err.Error()+"\n\nCheck that the folder exists and you may write to it, then try again.")
			return
		}
		l.status.SetText(fmt.Sprintf("Saved a copy of “%s” to %s", f.Name, path))
	})
}

// megabytes says a film's size the way a person reads it: "12.3 MB".
func megabytes(n int64) string {
	if n < 100_000 {
		return fmt.Sprintf("%d kB", (n+999)/1000)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/1e6)
}
