package libraryui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/studio/session"
	"github.com/slatestudio/slate/studio/uikit"
	"github.com/slatestudio/slate/timeline"
)

// Thumbnails of clips are shown this size; the library makes them twice
// as wide (library.ThumbnailWidth), so they stay sharp on a high-density
// screen.
const (
	thumbShowW = 128
	thumbShowH = 72
)

// panelHint is what the panel's status line says when it has nothing
// else to say.
const panelHint = "Double-click a project to open it."

// untitled is the title offered for a new project and given to the one
// made when the last project is deleted.
const untitled = "Untitled film"

// Panel is the Library tab: the projects in the library with what can be
// done to them, and the rendered clips of the open project.
//
// Its fields are touched on the UI goroutine only; library calls run in
// the background and hand their results back through the session.
type Panel struct {
	s    Session
	d    Deps
	root fyne.CanvasObject

	projects    []library.ProjectInfo
	selectedID  string // the project picked in the list; "" for none
	projectList *keyList
	openBtn     *widget.Button
	dupBtn      *widget.Button
	delBtn      *widget.Button
	exportBtn   *widget.Button
	status      *widget.Label

	clips      []clipRow
	clipList   *widget.List
	clipsTitle *widget.Label
	noClips    *widget.Label

	// films are the open project's exported films (films.go).
	films                     []filmRow
	filmsTitle                *widget.Label
	filmRows, filmsArea       *fyne.Container
	filmsLoading, filmsReload bool
	rereadFilms               func()

	// thumbs holds the loaded thumbnails by clip blob (a blob's picture
	// never changes, so they never go stale); thumbQueue lists the ones
	// still to make, one at a time, since each runs ffmpeg; thumbFailed
	// those that could not be made, so they are not tried on every edit.
	thumbs      map[string]fyne.Resource
	thumbQueue  []library.Clip
	thumbBusy   bool
	thumbFailed map[string]bool

	// A refresh asked for while one runs waits for it and then runs once,
	// so a burst of edits costs two trips to the library, not one each.
	loading, reload bool
	// busy counts background work not yet reported back; tests wait for 0.
	busy int
	// sync is what each project's row says of its sync between devices,
	// by project ID (SetSync).
	sync map[string]SyncMark
	// reread reads the project list again, under the studio's context.
	reread func()
}

// SyncMark is what a project's row says of its sync between devices:
// "Synced", "Uploading 42 %", "Waiting for network"; no Text says nothing.
type SyncMark struct {
	Text string
	// Warn shows it in the warning colour: the person may want to look.
	Warn bool
}

// SetSync shows marks on the projects' rows, replacing those shown: a
// project without one shows none (as every project does when no one is
// logged in). When the projects marked are not those marked before, the
// list is read again, since sync brought or took one. Call it on the UI
// goroutine.
func (l *Panel) SetSync(marks map[string]SyncMark) {
	same := len(marks) == len(l.sync)
	for id := range marks {
		_, was := l.sync[id]
		same = same && was
	}
	l.sync = marks
	l.projectList.Refresh()
	l.rereadFilms() // their sync, and a film fetched meanwhile
	if !same {
		// A project came from another device, or went: the list is
		// read again.
		l.reread()
	}
}

// clipRow is one shot of the open project that has a rendered clip.
type clipRow struct {
	number int // the shot's place in the film, from 1
	title  string
	clip   library.Clip
	// current is false when the shot has changed since the clip was made.
	current bool
}

// libraryState is what a refresh reads from the library.
type libraryState struct {
	projects []library.ProjectInfo
	clips    []clipRow
	thumbs   map[string][]byte // thumbnails the library has made, by blob
}

// NewPanel makes the Library tab; it follows the session's project and
// clips from now on, and what it reads and changes in the library runs
// under ctx, the studio's.
func NewPanel(ctx context.Context, d Deps) *Panel {
	d = d.withDefaults()
	l := &Panel{s: d.Session, d: d, thumbs: map[string]fyne.Resource{}, thumbFailed: map[string]bool{}}
	l.build(ctx)
	l.s.Listen(session.Listener{
		ProjectChanged: func(timeline.Change) { l.refresh(ctx) },
		ClipsChanged:   func() { l.refresh(ctx) },
	})
	return l
}

// tracked runs fn in the background as session.Background does, counting
// it as the panel's busy work until done has run.
func tracked[T any](ctx context.Context, l *Panel, fn func(ctx context.Context) (T, error), done func(T, error)) {
	l.busy++
	session.Background(ctx, l.s, fn, func(v T, err error) {
		l.busy--
		done(v, err)
	})
}

func (l *Panel) build(ctx context.Context) {
	l.reread = func() { l.refresh(ctx) }
	l.projectList = &keyList{onEnter: func() { l.openSelected(ctx) }}
	l.projectList.Length = func() int { return len(l.projects) }
	l.projectList.CreateItem = func() fyne.CanvasObject { return newProjectRow() }
	l.projectList.UpdateItem = func(id widget.ListItemID, o fyne.CanvasObject) { l.updateProjectRow(ctx, id, o) }
	l.projectList.ExtendBaseWidget(l.projectList)
	l.projectList.OnSelected = func(id widget.ListItemID) {
		if id < len(l.projects) {
			l.selectedID = l.projects[id].ID
		}
		l.updateButtons()
	}
	l.projectList.OnUnselected = func(widget.ListItemID) {
		l.selectedID = ""
		l.updateButtons()
	}

	newBtn := widget.NewButtonWithIcon("New…", theme.ContentAddIcon(), func() { l.NewProject(ctx) })
	newBtn.Importance = widget.HighImportance
	l.openBtn = widget.NewButtonWithIcon("Open", theme.FolderOpenIcon(), func() { l.openSelected(ctx) })
	l.dupBtn = widget.NewButtonWithIcon("Duplicate…", theme.ContentCopyIcon(), func() { l.askDuplicate(ctx) })
	l.delBtn = widget.NewButtonWithIcon("Delete…", theme.DeleteIcon(), func() { l.askDelete(ctx) })
	importBtn := widget.NewButtonWithIcon("Import .slate…", theme.DownloadIcon(), func() { l.askImport(ctx) })
	l.exportBtn = widget.NewButtonWithIcon("Export .slate…", theme.UploadIcon(), func() { l.askExport(ctx) })
	l.status = widget.NewLabel(panelHint)
	l.status.Wrapping = fyne.TextWrapWord
	l.status.SizeName = theme.SizeNameCaptionText

	projects := container.NewBorder(
		container.NewBorder(nil, nil, nil, newBtn, heading("Projects")),
		container.NewVBox(
			container.NewGridWithColumns(3, l.openBtn, l.dupBtn, l.delBtn),
			container.NewGridWithColumns(2, importBtn, l.exportBtn),
			l.status,
		),
		nil, nil, l.projectList)

	l.clipList = widget.NewList(
		func() int { return len(l.clips) },
		func() fyne.CanvasObject { return newClipRow() },
		l.updateClipRow,
	)
	l.clipList.OnSelected = func(widget.ListItemID) {
		// The list is for looking; a selection would only hide the
		// row's colours.
		l.clipList.UnselectAll()
	}
	l.clipsTitle = heading("Rendered clips")
	l.noClips = widget.NewLabel("No shot of this project has been rendered yet. Render a shot (Ctrl+R) or every shot (Ctrl+Shift+R) and its clip appears here.")
	l.noClips.Wrapping = fyne.TextWrapWord
	l.noClips.Importance = widget.LowImportance
	clips := container.NewBorder(l.clipsTitle, l.buildFilms(ctx), nil, nil, container.NewStack(l.clipList, l.noClips))

	split := container.NewVSplit(projects, clips)
	split.SetOffset(0.5)
	l.root = split
	l.updateButtons()
}

func heading(text string) *widget.Label {
	return widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

// View is the panel, for the studio's side tabs.
func (l *Panel) View() fyne.CanvasObject { return l.root }

// selected is the project picked in the list.
func (l *Panel) selected() (library.ProjectInfo, bool) {
	for _, p := range l.projects {
		if p.ID == l.selectedID {
			return p, true
		}
	}
	return library.ProjectInfo{}, false
}

func (l *Panel) updateButtons() {
	p, ok := l.selected()
	setEnabled(l.openBtn, ok && p.ID != l.s.Project().ID)
	setEnabled(l.dupBtn, ok)
	setEnabled(l.delBtn, ok)
	setEnabled(l.exportBtn, ok)
}

func setEnabled(b *widget.Button, on bool) {
	if on {
		b.Enable()
	} else {
		b.Disable()
	}
}

// refresh reads the project list and the open project's clips in the
// background and shows them.
func (l *Panel) refresh(ctx context.Context) {
	if l.loading {
		l.reload = true
		return
	}
	l.loading = true
	p := l.s.Project()
	type shotRef struct{ id, title, key string }
	shots := make([]shotRef, len(p.Shots))
	for i, sh := range p.Shots {
		shots[i] = shotRef{sh.ID, sh.Title, l.s.KeyOf(i)}
	}
	known := make(map[string]bool, len(l.thumbs))
	for sha := range l.thumbs {
		known[sha] = true
	}
	projectID, lib := p.ID, l.d.Library
	tracked(ctx, l, func(ctx context.Context) (libraryState, error) {
		var st libraryState
		var err error
		if st.projects, err = lib.Projects(ctx); err != nil {
			return st, err
		}
		st.thumbs = map[string][]byte{}
		for i, sh := range shots {
			clips, err := lib.ShotClips(ctx, projectID, sh.id)
			if err != nil {
				return st, fmt.Errorf("shot %d: %w", i+1, err)
			}
			row, ok := pickClip(lib, clips, sh.key)
			if !ok {
				continue
			}
			row.number, row.title = i+1, sh.title
			st.clips = append(st.clips, row)
			if sha := row.clip.SHA256; !known[sha] {
				// A thumbnail is a few kilobytes; a missing one is made
				// after the list shows.
				if data, err := lib.Blobs().Derived(sha, library.Thumbnail); err == nil {
					st.thumbs[sha] = data
				}
			}
		}
		return st, nil
	}, func(st libraryState, err error) {
		l.loading = false
		if l.reload {
			// What was read is already out of date.
			l.reload = false
			l.refresh(ctx)
			return
		}
		if err != nil {
			l.d.Log.Warn("library panel", "err", err)
			l.status.SetText(fmt.Sprintf("Could not read the library: %v", err))
			return
		}
		l.show(ctx, st)
	})
}

// pickClip chooses the clip to show for a shot: the one made from the shot
// as it is now if there is one, else the newest. Clips whose file has gone
// are skipped.
func pickClip(lib *library.Library, clips []library.Clip, key string) (clipRow, bool) {
	var row clipRow
	found := false
	for _, c := range clips {
		if !lib.Blobs().Has(c.SHA256) {
			continue
		}
		if key != "" && c.Key == key {
			return clipRow{clip: c, current: true}, true
		}
		if !found {
			row, found = clipRow{clip: c}, true
		}
	}
	return row, found
}

// show puts what a refresh read on screen.
func (l *Panel) show(ctx context.Context, st libraryState) {
	open := l.s.Project().ID
	l.projects = st.projects
	if _, ok := l.selected(); !ok {
		l.selectedID = open
	}
	// Select calls OnSelected, which keeps selectedID as it is.
	at := slices.IndexFunc(l.projects, func(p library.ProjectInfo) bool { return p.ID == l.selectedID })
	if at >= 0 {
		l.projectList.Select(at)
	} else {
		l.projectList.UnselectAll()
	}
	l.projectList.Refresh()
	l.updateButtons()

	if strings.HasPrefix(l.status.Text, "Could not read") {
		l.status.SetText(panelHint)
	}

	l.clips = st.clips
	// The queue is made again from what is shown now, so clips of a
	// project left behind are not made, and none is queued twice.
	l.thumbQueue = nil
	inUse := map[string]bool{}
	for _, c := range l.clips {
		inUse[c.clip.SHA256] = true
		if data, ok := st.thumbs[c.clip.SHA256]; ok {
			l.thumbs[c.clip.SHA256] = fyne.NewStaticResource(c.clip.SHA256+".jpg", data)
		}
		if _, ok := l.thumbs[c.clip.SHA256]; !ok && !l.thumbFailed[c.clip.SHA256] {
			l.thumbQueue = append(l.thumbQueue, c.clip)
		}
	}
	// Only this project's thumbnails stay in memory.
	for sha := range l.thumbs {
		if !inUse[sha] {
			delete(l.thumbs, sha)
		}
	}
	l.clipsTitle.SetText(fmt.Sprintf("Rendered clips of “%s”", l.s.Project().Title))
	if len(l.clips) == 0 {
		l.noClips.Show()
	} else {
		l.noClips.Hide()
	}
	l.clipList.Refresh()
	l.makeThumbs(ctx)
	l.refreshFilms(ctx)
}

// makeThumbs makes the next missing thumbnail, and the rest after it.
func (l *Panel) makeThumbs(ctx context.Context) {
	if l.thumbBusy {
		return
	}
	var c library.Clip
	for {
		if len(l.thumbQueue) == 0 {
			return
		}
		c, l.thumbQueue = l.thumbQueue[0], l.thumbQueue[1:]
		if _, ok := l.thumbs[c.SHA256]; !ok && !l.thumbFailed[c.SHA256] {
			break
		}
	}
	l.thumbBusy = true
	lib, tools := l.d.Library, l.d.Tools
	tracked(ctx, l, func(ctx context.Context) ([]byte, error) {
		return lib.ClipThumbnail(ctx, tools, c)
	}, func(data []byte, err error) {
		l.thumbBusy = false
		if err != nil {
			// The row shows a film icon instead; the clip itself is fine.
			l.thumbFailed[c.SHA256] = true
			l.d.Log.Warn("clip thumbnail", "shot", c.ShotID, "err", err)
		} else {
			l.thumbs[c.SHA256] = fyne.NewStaticResource(c.SHA256+".jpg", data)
			l.clipList.Refresh()
		}
		l.makeThumbs(ctx)
	})
}

// keyList is a list that opens what is selected on Enter, so the project
// list works from the keyboard: arrows to move, Space to pick, Enter to
// open.
type keyList struct {
	widget.List
	onEnter func()
}

// TypedKey opens the selected item on Enter, and leaves the other keys to
// the list.
func (k *keyList) TypedKey(e *fyne.KeyEvent) {
	if e.Name == fyne.KeyReturn || e.Name == fyne.KeyEnter {
		k.onEnter()
		return
	}
	k.List.TypedKey(e)
}

// projectRow is one project in the list. It takes taps itself, so that a
// double tap can open the project.
type projectRow struct {
	widget.BaseWidget
	mark          *widget.Icon
	title, detail *widget.Label
	sync          *widget.Label
	// box lays the row out; refreshed when the sync's words change
	// width.
	box           *fyne.Container
	onTap, onOpen func()
}

func newProjectRow() *projectRow {
	r := &projectRow{mark: widget.NewIcon(nil)}
	r.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	r.title.Truncation = fyne.TextTruncateEllipsis
	r.detail = widget.NewLabel("")
	r.detail.SizeName = theme.SizeNameCaptionText
	r.detail.Truncation = fyne.TextTruncateEllipsis
	r.sync = &widget.Label{SizeName: theme.SizeNameCaptionText}
	r.ExtendBaseWidget(r)
	return r
}

// CreateRenderer lays the row out: the open mark, then the title over
// its details, and the project's sync at the end.
func (r *projectRow) CreateRenderer() fyne.WidgetRenderer {
	text := container.New(&tightVBox{}, r.title, r.detail)
	r.box = container.NewBorder(nil, nil, r.mark, r.sync, text)
	return widget.NewSimpleRenderer(r.box)
}

// Tapped selects the project.
func (r *projectRow) Tapped(*fyne.PointEvent) {
	if r.onTap != nil {
		r.onTap()
	}
}

// DoubleTapped opens the project.
func (r *projectRow) DoubleTapped(*fyne.PointEvent) {
	if r.onOpen != nil {
		r.onOpen()
	}
}

func (l *Panel) updateProjectRow(ctx context.Context, id widget.ListItemID, o fyne.CanvasObject) {
	if id >= len(l.projects) {
		return
	}
	p := l.projects[id]
	r := o.(*projectRow)
	open := p.ID == l.s.Project().ID
	r.title.SetText(p.Title)
	if p.Title == "" {
		r.title.SetText("(untitled)")
	}
	detail := shotCount(p.Shots)
	if !p.UpdatedAt.IsZero() {
		detail += " · changed " + ago(l.d.Clock.Now(), p.UpdatedAt)
	}
	if open {
		detail = "open · " + detail
		r.mark.SetResource(theme.ConfirmIcon())
	} else {
		r.mark.SetResource(nil)
	}
	r.detail.SetText(detail)
	m := l.sync[p.ID]
	r.sync.Importance = widget.MediumImportance
	if m.Warn {
		r.sync.Importance = widget.WarningImportance
	}
	if r.sync.Text != m.Text {
		r.sync.SetText(m.Text)
		if r.box != nil {
			r.box.Refresh()
		}
	}
	r.onTap = func() { l.projectList.Select(id) }
	r.onOpen = func() {
		l.projectList.Select(id)
		l.openSelected(ctx)
	}
}

func shotCount(n int) string {
	if n == 1 {
		return "1 shot"
	}
	return fmt.Sprintf("%d shots", n)
}

// ago says when t was, from now, the way a person would: "just now",
// "5 min ago", "3 h ago", "yesterday", then a date.
func ago(now, t time.Time) string {
	t = t.In(now.Location())
	d := now.Sub(t)
	y1, m1, d1 := now.Date()
	y2, m2, d2 := t.Date()
	sameDay := y1 == y2 && m1 == m2 && d1 == d2
	ny, nm, nd := now.AddDate(0, 0, -1).Date()
	switch {
	case d < time.Minute:
		return "just now" // a clock a little ahead also lands here
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d/time.Minute))
	case d < 12*time.Hour || sameDay:
		return fmt.Sprintf("%d h ago", int(d/time.Hour))
	case y2 == ny && m2 == nm && d2 == nd:
		return "yesterday"
	case y1 == y2:
		return t.Format("2 Jan")
	}
	return t.Format("2 Jan 2006")
}

// clipItem is one rendered clip in the list.
type clipItem struct {
	image               *canvas.Image
	title, detail, made *widget.Label
}

func newClipRow() fyne.CanvasObject {
	img := canvas.NewImageFromResource(theme.FileVideoIcon())
	img.FillMode = canvas.ImageFillContain
	img.ScaleMode = canvas.ImageScaleSmooth
	img.SetMinSize(fyne.NewSize(thumbShowW, thumbShowH))
	title := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Truncation = fyne.TextTruncateEllipsis
	detail := widget.NewLabel("")
	detail.SizeName = theme.SizeNameCaptionText
	detail.Truncation = fyne.TextTruncateEllipsis
	made := widget.NewLabel("")
	made.SizeName = theme.SizeNameCaptionText
	made.Truncation = fyne.TextTruncateEllipsis
	text := container.New(&tightVBox{}, title, detail, made)
	return container.NewBorder(nil, nil, img, nil, text)
}

// clipItemOf finds the parts of a row newClipRow made.
func clipItemOf(o fyne.CanvasObject) clipItem {
	row := o.(*fyne.Container)
	var it clipItem
	for _, c := range row.Objects {
		switch c := c.(type) {
		case *canvas.Image:
			it.image = c
		case *fyne.Container:
			it.title = c.Objects[0].(*widget.Label)
			it.detail = c.Objects[1].(*widget.Label)
			it.made = c.Objects[2].(*widget.Label)
		}
	}
	return it
}

func (l *Panel) updateClipRow(id widget.ListItemID, o fyne.CanvasObject) {
	if id >= len(l.clips) {
		return
	}
	row := l.clips[id]
	c := row.clip
	it := clipItemOf(o)
	res, ok := l.thumbs[c.SHA256]
	if !ok {
		res = theme.FileVideoIcon()
	}
	if it.image.Resource != res {
		it.image.Resource = res
		it.image.Refresh()
	}
	it.title.SetText(fmt.Sprintf("Shot %d · %s", row.number, row.title))
	it.detail.SetText(fmt.Sprintf("%s · %d frames · %.1f s · %d×%d",
		c.Backend, c.Frames, timeline.FrameTime(c.Frames, c.FPS).Seconds(), c.Width, c.Height))
	made := "made " + ago(l.d.Clock.Now(), c.Created)
	if !row.current {
		made += " · the shot has changed since"
	}
	it.made.SetText(made)
}

// tightVBox stacks objects with no padding between them, so a title and
// its details read as one item.
type tightVBox struct{}

// Layout stacks objs, each overlapping the padding of the one above.
func (*tightVBox) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	y := float32(0)
	for _, o := range objs {
		h := o.MinSize().Height
		o.Move(fyne.NewPos(0, y))
		o.Resize(fyne.NewSize(size.Width, h))
		y += h - theme.Padding()
	}
}

// MinSize is the height of the stack and the width of the widest.
func (*tightVBox) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		m := o.MinSize()
		s.Width = max(s.Width, m.Width)
		s.Height += m.Height - theme.Padding()
	}
	return s.AddWidthHeight(0, theme.Padding())
}

// openSelected opens the project picked in the list.
func (l *Panel) openSelected(ctx context.Context) {
	p, ok := l.selected()
	if !ok || p.ID == l.s.Project().ID {
		return
	}
	lib := l.d.Library
	tracked(ctx, l, func(ctx context.Context) (*library.Document, error) {
		return lib.OpenProject(ctx, p.ID)
	}, func(doc *library.Document, err error) {
		if err != nil {
			l.d.Report(err)
			return
		}
		l.s.Open(ctx, doc)
	})
}

// OpenProject is File ▸ Open project: it focuses the project list, where
// a double click (or Open) opens one. The studio brings the tab forward
// first.
func (l *Panel) OpenProject() {
	l.d.Window.Canvas().Focus(l.projectList)
	l.status.SetText("Double-click a project to open it, or move with the arrow keys, pick with Space and open with Enter.")
}

// titleEntry is an entry for a project's title, refusing what the library
// would refuse.
func titleEntry(text string) *uikit.Field {
	e := uikit.NewField()
	e.SetText(text)
	e.Validator = func(s string) error {
		switch n := utf8.RuneCountInString(strings.TrimSpace(s)); {
		case n == 0:
			return errors.New("give the project a title")
		case n > timeline.MaxTitleRunes:
			return fmt.Errorf("keep the title to %d characters", timeline.MaxTitleRunes)
		}
		return nil
	}
	return e
}

// askTitle shows a form asking for a project's title and hands the answer
// to use.
func askTitle(deps Deps, heading, confirm, initial string, use func(title string)) {
	e := titleEntry(initial)
	d := dialog.NewForm(heading, confirm, "Cancel",
		[]*widget.FormItem{widget.NewFormItem("Title", e)},
		func(ok bool) {
			if ok {
				use(strings.TrimSpace(e.Text))
			}
		}, deps.Window)
	d.Resize(fyne.NewSize(420, d.MinSize().Height))
	d.Show()
	uikit.DialogKeys(deps.Window, d.Submit, d.Hide, e)
	deps.Window.Canvas().Focus(e)
}

// NewProject is File ▸ New project: it asks for a title, frame size and
// rate (the fields of Project settings) and opens a new project with one
// shot to start from.
func (l *Panel) NewProject(ctx context.Context) {
	newProjectDialog(l.d, untitled, func(p *timeline.Project) { l.create(ctx, p) })
}

// starterProject is a new project with one empty shot, so the timeline
// has something to click on.
func starterProject(title string) *timeline.Project {
	p := timeline.New(title)
	p.Shots = []*timeline.Shot{timeline.NewShot("Shot 1")}
	return p
}

// create stores a new project and opens it.
func (l *Panel) create(ctx context.Context, p *timeline.Project) {
	lib := l.d.Library
	tracked(ctx, l, func(ctx context.Context) (*library.Document, error) {
		return lib.CreateProject(ctx, p)
	}, func(doc *library.Document, err error) {
		if err != nil {
			l.d.Report(err)
			return
		}
		l.selectedID = doc.Project().ID
		l.s.Open(ctx, doc)
	})
}

func (l *Panel) askDuplicate(ctx context.Context) {
	p, ok := l.selected()
	if !ok {
		return
	}
	askTitle(l.d, "Duplicate project", "Duplicate", p.Title+" copy", func(title string) {
		l.duplicate(ctx, p.ID, title)
	})
}

// duplicate stores a copy of a project and picks it in the list; the open
// project stays open.
func (l *Panel) duplicate(ctx context.Context, id, title string) {
	lib := l.d.Library
	tracked(ctx, l, func(ctx context.Context) (*library.Document, error) {
		return lib.DuplicateProject(ctx, id, title)
	}, func(doc *library.Document, err error) {
		if err != nil {
			l.d.Report(err)
			return
		}
		l.selectedID = doc.Project().ID
		l.status.SetText(fmt.Sprintf("Made “%s”.", title))
		l.refresh(ctx)
	})
}

func (l *Panel) askDelete(ctx context.Context) {
	p, ok := l.selected()
	if !ok {
		return
	}
	msg := fmt.Sprintf("Delete “%s” and its %s from the library?\nThis cannot be undone.", p.Title, shotCount(p.Shots))
	if p.ID == l.s.Project().ID {
		msg += "\nIt is the open project; the next most recent one opens instead."
	}
	d := dialog.NewConfirm("Delete project", msg, func(ok bool) {
		if ok {
			l.delete(ctx, p)
		}
	}, l.d.Window)
	d.SetConfirmText("Delete")
	d.SetDismissText("Keep it")
	d.SetConfirmImportance(widget.DangerImportance)
	d.Show()
	uikit.DialogKeys(l.d.Window, nil, d.Dismiss) // deleting takes a click
}

// delete removes a project. Deleting the open one opens the next most
// recent, or a new empty project when none is left: the studio always has
// a project open.
func (l *Panel) delete(ctx context.Context, p library.ProjectInfo) {
	wasOpen := p.ID == l.s.Project().ID
	lib := l.d.Library
	tracked(ctx, l, func(ctx context.Context) (*library.Document, error) {
		if err := lib.DeleteProject(ctx, p.ID); err != nil {
			return nil, err
		}
		if !wasOpen {
			return nil, nil
		}
		left, err := lib.Projects(ctx)
		if err != nil {
			return nil, err
		}
		if len(left) > 0 {
			return lib.OpenProject(ctx, left[0].ID)
		}
		return lib.CreateProject(ctx, starterProject(untitled))
	}, func(doc *library.Document, err error) {
		if err != nil {
			l.d.Report(err)
			l.refresh(ctx)
			return
		}
		l.status.SetText(fmt.Sprintf("Deleted “%s”.", p.Title))
		if doc != nil {
			l.selectedID = doc.Project().ID
			l.s.Open(ctx, doc)
			return
		}
		l.refresh(ctx)
	})
}

func (l *Panel) askImport(ctx context.Context) {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			l.d.Report(fmt.Errorf("choose a project file: %w", err))
			return
		}
		if r == nil {
			return // cancelled
		}
		path := r.URI().Path()
		r.Close()
		l.importFile(ctx, path)
	}, l.d.Window)
	d.SetFilter(regularFiles{".slate"})
	d.Resize(fileDialogSize())
	d.Show()
	uikit.DialogKeys(l.d.Window, nil, d.Dismiss) // Esc; the file picker's own buttons and fields do the rest
}

// importFile stores the project in a .slate file and opens it. A bad file
// is refused with the reason and nothing is stored.
func (l *Panel) importFile(ctx context.Context, path string) {
	lib := l.d.Library
	tracked(ctx, l, func(ctx context.Context) (*library.Document, error) {
		return lib.ImportFile(ctx, path)
	}, func(doc *library.Document, err error) {
		if err != nil {
			l.d.Problem("Could not import the project", err.Error()+"\n\nNothing was added to the library.")
			return
		}
		l.selectedID = doc.Project().ID
		l.status.SetText(fmt.Sprintf("Imported “%s” from %s.", doc.Project().Title, path))
		l.s.Open(ctx, doc)
	})
}

func (l *Panel) askExport(ctx context.Context) {
	p, ok := l.selected()
	if !ok {
		return
	}
	chooseSave(l.d, "Export project", fileName(p.Title, ".slate"), ".slate", "", func(path string) {
		l.exportFile(ctx, p, path)
	})
}

// exportFile writes a stored project to a .slate file, atomically: a
// failure leaves no partial file.
func (l *Panel) exportFile(ctx context.Context, p library.ProjectInfo, path string) {
	lib := l.d.Library
	tracked(ctx, l, func(ctx context.Context) (struct{}, error) {
		err := lib.ExportFile(ctx, p.ID, path)
		if err != nil {
			dropPlaceholder(path)
		}
		return struct{}{}, err
	}, func(_ struct{}, err error) {
		if err != nil {
			l.d.Problem("Could not export the project", err.Error()+"\n\nCheck that the folder exists and you may write to it, then try again.")
			return
		}
		l.status.SetText(fmt.Sprintf("Exported “%s” to %s", p.Title, path))
	})
}
