package syncui

import (
	"context"
	"errors"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/studio/session"
)

// ErrNotLoggedIn is what StorageDeps.Storage returns when no one is
// logged in to an account server: the window says to log in.
var ErrNotLoggedIn = errors.New("not logged in to an account server")

// StorageDeps are what the storage window works with.
type StorageDeps struct {
	App    fyne.App
	Runner session.Runner
	// Storage reads what the account uses on the server; ErrNotLoggedIn
	// (wrapped or not) when no one is logged in.
	Storage func(ctx context.Context) (account.Storage, error)
	// CloseWindow closes the window, safely, after closed has tidied up.
	CloseWindow func(w fyne.Window, closed func())
}

// StorageWindow is Account ▸ Storage…: what the account's films use on
// the server, largest first.
type StorageWindow struct {
	win     fyne.Window
	summary *widget.Label
	full    *widget.Label
	used    *widget.ProgressBar
	list    *widget.List
	items   []account.StorageItem
}

// ShowStorage opens the storage window and reads what it lists, in the
// background under ctx.
func ShowStorage(ctx context.Context, d StorageDeps) *StorageWindow {
	w := &StorageWindow{win: d.App.NewWindow("Storage on the account server")}
	w.summary = &widget.Label{Text: "Asking the server…", Wrapping: fyne.TextWrapWord}
	w.full = &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.DangerImportance}
	w.full.Hide()
	w.used = widget.NewProgressBar()
	w.used.Hide()
	w.list = widget.NewList(func() int { return len(w.items) }, newStorageRow, w.updateRow)
	w.list.OnSelected = func(widget.ListItemID) { w.list.UnselectAll() } // for reading only
	closeBtn := widget.NewButton("Close", func() { d.CloseWindow(w.win, func() {}) })
	top := container.NewVBox(w.summary, w.used, w.full, widget.NewSeparator())
	w.win.SetContent(container.NewBorder(top, container.NewHBox(layout.NewSpacer(), closeBtn), nil, nil, w.list))
	w.win.Resize(fyne.NewSize(560, 460))
	w.win.Show()
	session.Background(ctx, d.Runner, d.Storage, w.show)
	return w
}

// Window is the storage window.
func (w *StorageWindow) Window() fyne.Window { return w.win }

// show puts what the server said on screen.
func (w *StorageWindow) show(st account.Storage, err error) {
	// What shows now and what it says change the window's layout.
	defer w.win.Content().Refresh()
	switch {
	case errors.Is(err, ErrNotLoggedIn):
		w.summary.SetText("Log in to an account server (Account ▸ Log in…) to see what your films use on it.")
		return
	case err != nil:
		w.summary.SetText("The server could not say what your films use on it: " + err.Error() + ". Try again in a moment.")
		return
	}
	w.items = st.Items
	w.list.Refresh()
	if st.Quota <= 0 {
		w.summary.SetText(fmt.Sprintf("%s used on the server; it sets no limit.", Size(st.Used)))
	} else {
		w.summary.SetText(fmt.Sprintf("%s of %s used on the server.", Size(st.Used), Size(st.Quota)))
		w.used.SetValue(min(1, float64(st.Used)/float64(st.Quota)))
		w.used.Show()
	}
	if st.Quota > 0 && st.Used >= st.Quota {
		w.full.SetText(fmt.Sprintf("Your %s on the server are full: delete old films or ask for more.", Size(st.Quota)))
		w.full.Show()
	}
	if len(st.Items) == 0 {
		w.summary.SetText(w.summary.Text + " Nothing of yours is stored there yet.")
	}
}

// storageRow is one thing that takes space: its project, what it is, its
// size.
func newStorageRow() fyne.CanvasObject {
	title := &widget.Label{Truncation: fyne.TextTruncateEllipsis}
	kind := &widget.Label{}
	size := &widget.Label{Alignment: fyne.TextAlignTrailing}
	return container.NewBorder(nil, nil, nil, container.NewHBox(kind, size), title)
}

func (w *StorageWindow) updateRow(id widget.ListItemID, o fyne.CanvasObject) {
	if id >= len(w.items) {
		return
	}
	it := w.items[id]
	c := o.(*fyne.Container)
	right := c.Objects[1].(*fyne.Container)
	c.Objects[0].(*widget.Label).SetText(itemTitle(it))
	right.Objects[0].(*widget.Label).SetText(KindWords(it.Kind))
	right.Objects[1].(*widget.Label).SetText(Size(it.Size))
	c.Refresh() // the words' widths changed
}

// itemTitle is the project a thing on the server belongs to, as a person
// knows it.
func itemTitle(it account.StorageItem) string {
	switch {
	case it.Title != "":
		return it.Title
	case it.Project != "":
		return "a project no longer in your library"
	}
	return "not in a project"
}

// KindWords says what a thing on the server is.
func KindWords(kind string) string {
	switch kind {
	case account.BlobClip:
		return "rendered clip"
	case account.BlobFilm:
		return "exported film"
	case "project":
		return "project and its versions"
	}
	return kind
}
