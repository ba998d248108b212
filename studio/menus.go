package studio

import (
	"context"
	"fmt"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/timeline"
)

// The shortcuts: Ctrl on Linux and Windows, Cmd on macOS.
var (
	keyNew       = &desktop.CustomShortcut{KeyName: fyne.KeyN, Modifier: fyne.KeyModifierShortcutDefault}
	keyOpen      = &desktop.CustomShortcut{KeyName: fyne.KeyO, Modifier: fyne.KeyModifierShortcutDefault}
	keyExport    = &desktop.CustomShortcut{KeyName: fyne.KeyE, Modifier: fyne.KeyModifierShortcutDefault}
	keyUndo      = &desktop.CustomShortcut{KeyName: fyne.KeyZ, Modifier: fyne.KeyModifierShortcutDefault}
	keyRedo      = &desktop.CustomShortcut{KeyName: fyne.KeyZ, Modifier: fyne.KeyModifierShortcutDefault | fyne.KeyModifierShift}
	keyAdd       = &desktop.CustomShortcut{KeyName: fyne.KeyT, Modifier: fyne.KeyModifierShortcutDefault}
	keyDuplicate = &desktop.CustomShortcut{KeyName: fyne.KeyD, Modifier: fyne.KeyModifierShortcutDefault}
	keyRender    = &desktop.CustomShortcut{KeyName: fyne.KeyR, Modifier: fyne.KeyModifierShortcutDefault}
	keyRenderAll = &desktop.CustomShortcut{KeyName: fyne.KeyR, Modifier: fyne.KeyModifierShortcutDefault | fyne.KeyModifierShift}
	keyRecord    = &desktop.CustomShortcut{KeyName: fyne.KeyK, Modifier: fyne.KeyModifierShortcutDefault | fyne.KeyModifierShift}
	keyModels    = &desktop.CustomShortcut{KeyName: fyne.KeyM, Modifier: fyne.KeyModifierShortcutDefault | fyne.KeyModifierShift}
	keyConsent   = &desktop.CustomShortcut{KeyName: fyne.KeyC, Modifier: fyne.KeyModifierShortcutDefault | fyne.KeyModifierShift}
	keyQuit      = &desktop.CustomShortcut{KeyName: fyne.KeyQ, Modifier: fyne.KeyModifierShortcutDefault}
)

// menu items whose label or state follows the project.
type menuItems struct {
	undo, redo, duplicate, del, split, render *fyne.MenuItem
	login, signup, logout                     *fyne.MenuItem
}

func (s *Studio) mainMenu() *fyne.MainMenu {
	item := func(label string, key fyne.Shortcut, action func()) *fyne.MenuItem {
		m := fyne.NewMenuItem(label, action)
		m.Shortcut = key
		return m
	}
	m := &s.menu
	m.undo = item("Undo", keyUndo, s.undo)
	m.redo = item("Redo", keyRedo, s.redo)
	m.duplicate = item("Duplicate shot", keyDuplicate, s.duplicateShot)
	m.del = fyne.NewMenuItem("Delete shot", s.deleteShots)
	m.split = fyne.NewMenuItem("Split shot at playhead", s.splitAtPlayhead)
	m.render = item("Render shot", keyRender, s.renderSelected)
	m.login = fyne.NewMenuItem("Log in…", func() { s.showLogin(false) })
	m.signup = fyne.NewMenuItem("Sign up…", func() { s.showLogin(true) })
	m.logout = fyne.NewMenuItem("Log out", s.logout)
	// The studio's own Quit, so that Fyne adds none: Fyne's closes every
	// window, which can panic (see Quit).
	quit := item("Quit", keyQuit, s.Quit)
	quit.IsQuit = true
	return fyne.NewMainMenu(
		fyne.NewMenu("File",
			item("New project…", keyNew, s.newProject),
			item("Open project…", keyOpen, s.openProject),
			fyne.NewMenuItemSeparator(),
			item("Export film…", keyExport, s.exportFilm),
			fyne.NewMenuItemSeparator(),
			quit,
		),
		fyne.NewMenu("Edit",
			m.undo, m.redo,
			fyne.NewMenuItemSeparator(),
			item("Add shot", keyAdd, s.addShot),
			m.duplicate, m.split, m.del,
		),
		fyne.NewMenu("Cast",
			item("Record a cast member…", keyRecord, s.recordCast),
		),
		fyne.NewMenu("Render",
			m.render,
			item("Render all shots", keyRenderAll, s.renderAll),
			fyne.NewMenuItemSeparator(),
			item("Model packs and voices…", keyModels, func() { s.showModels() }),
		),
		fyne.NewMenu("Playback",
			fyne.NewMenuItem("Play / pause (Space)", func() { s.player.toggle() }),
		),
		fyne.NewMenu("Account",
			m.login, m.signup, m.logout,
			fyne.NewMenuItemSeparator(),
			item("Consent and sharing…", keyConsent, func() { s.showDashboard() }),
		),
	)
}

// addShortcuts makes the shortcuts work wherever the focus is, and the
// bare keys (Space, J/K/L, the arrows, Delete) when no text field has it.
func (s *Studio) addShortcuts() {
	c := s.win.Canvas()
	for key, action := range map[*desktop.CustomShortcut]func(){
		keyNew: s.newProject, keyOpen: s.openProject, keyExport: s.exportFilm,
		keyUndo: s.undo, keyRedo: s.redo, keyAdd: s.addShot, keyDuplicate: s.duplicateShot,
		keyRender: s.renderSelected, keyRenderAll: s.renderAll, keyRecord: s.recordCast, keyModels: func() { s.showModels() },
		keyConsent: func() { s.showDashboard() }, keyQuit: s.Quit,
	} {
		c.AddShortcut(key, func(fyne.Shortcut) { action() })
	}
	c.SetOnTypedKey(func(e *fyne.KeyEvent) {
		switch e.Name {
		case fyne.KeySpace:
			s.player.toggle()
		case fyne.KeyJ:
			s.player.shuttle(-1)
		case fyne.KeyK:
			s.player.pause()
		case fyne.KeyL:
			s.player.shuttle(1)
		case fyne.KeyLeft:
			s.player.step(-1)
		case fyne.KeyRight:
			s.player.step(1)
		case fyne.KeyDelete, fyne.KeyBackspace:
			s.deleteShots()
		}
	})
}

// refreshMenus updates the labels and states that follow the project:
// "Undo Change duration", nothing to delete, and so on.
func (s *Studio) refreshMenus() {
	m := &s.menu
	if m.undo == nil {
		return
	}
	m.undo.Label, m.undo.Disabled = "Undo", true
	if name, ok := s.doc.UndoName(); ok {
		m.undo.Label, m.undo.Disabled = "Undo "+name, false
	}
	m.redo.Label, m.redo.Disabled = "Redo", true
	if name, ok := s.doc.RedoName(); ok {
		m.redo.Label, m.redo.Disabled = "Redo "+name, false
	}
	none := len(s.selected) == 0
	m.duplicate.Disabled, m.split.Disabled, m.render.Disabled = none, none, none
	m.del.Disabled = none
	m.del.Label = "Delete shot"
	if len(s.selected) > 1 {
		m.del.Label = fmt.Sprintf("Delete %d shots", len(s.selected))
		m.render.Label = fmt.Sprintf("Render %d shots", len(s.selected))
	} else {
		m.render.Label = "Render shot"
	}
	if mm := s.win.MainMenu(); mm != nil {
		mm.Refresh()
	}
}

// addShot adds a new shot after the selected one (or at the end) and
// selects it.
func (s *Studio) addShot() {
	p := s.Project()
	at := len(p.Shots)
	if sh := s.primary(); sh != nil {
		at = p.Index(sh.ID) + 1
	}
	shot := timeline.NewShot(fmt.Sprintf("Shot %d", len(p.Shots)+1))
	if err := s.edit(timeline.AddShot(at, shot)); err != nil {
		s.report(err)
		return
	}
	s.selectShots(shot.ID)
}

func (s *Studio) duplicateShot() {
	sh := s.primary()
	if sh == nil {
		return
	}
	p := s.Project()
	i := p.Index(sh.ID)
	if err := s.edit(timeline.DuplicateShot(sh.ID)); err != nil {
		s.report(err)
		return
	}
	s.selectShots(s.Project().Shots[i+1].ID)
}

func (s *Studio) deleteShots() {
	if len(s.selected) == 0 {
		return
	}
	s.editOrReport(timeline.DeleteShots(s.selected...))
}

// splitAtPlayhead splits the shot under the playhead where the playhead is.
func (s *Studio) splitAtPlayhead() {
	p := s.Project()
	spans := p.Timing()
	for i, sp := range spans {
		if s.playhead >= sp.Start && s.playhead < sp.End {
			at := timeline.FrameTime(s.playhead-sp.Start, p.FPS)
			s.editOrReport(timeline.SplitShot(p.Shots[i].ID, at))
			return
		}
	}
}

// renderSelected queues the selected shots.
func (s *Studio) renderSelected() {
	p := s.Project()
	var shots []int
	for _, id := range s.selected {
		if i := p.Index(id); i >= 0 {
			shots = append(shots, i)
		}
	}
	slices.Sort(shots)
	s.renderShots(shots)
}

// renderAll queues every shot; shots whose clip is up to date finish at
// once from the cache.
func (s *Studio) renderAll() {
	p := s.Project()
	// Rendering every shot is making the film: one that can never be
	// made (too long, or a sound cue that is not a file) is refused first.
	if err := render.CheckFilm(p, nil); err != nil {
		s.problem("The shots were not rendered", err.Error()+"\n\nNothing was rendered.")
		return
	}
	var shots []int
	for i := range p.Shots {
		shots = append(shots, i)
	}
	s.renderShots(shots)
}

// renderShots submits shots to the queue in order, in the background, and
// brings the queue panel to the front. A shot that starts from the
// previous shot's clip brings that shot along (render.Plan).
func (s *Studio) renderShots(shots []int) {
	s.showQueue()
	type submitted struct {
		i   int
		job render.Job
		err error
	}
	// Worked out here, on the UI goroutine: the background reads only
	// what the plan has worked out, never the project as it changes.
	plan := s.renderPlan()
	plan.Needs(shots)
	q := s.deps.Queue
	background(s, func(ctx context.Context) ([]submitted, error) {
		var out []submitted
		q.SubmitPlan(ctx, plan, shots, func(i int, j render.Job, err error) {
			out = append(out, submitted{i, j, err})
		})
		return out, nil
	}, func(results []submitted, _ error) {
		cached := false
		for _, r := range results {
			if r.err != nil {
				s.report(fmt.Errorf("render shot %d: %w", r.i+1, r.err))
				continue
			}
			s.queue.jobChanged(r.job)
			s.timeline.jobChanged(r.job)
			if r.job.Cached {
				s.clipsMu.Lock()
				s.clips[r.job.Key] = *r.job.Clip
				s.clipsMu.Unlock()
				cached = true
			}
		}
		if cached {
			s.clipsChanged()
		}
	})
}
