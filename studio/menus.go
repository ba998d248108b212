package studio

import (
	"context"
	"fmt"
	"runtime"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/studio/libraryui"
	"github.com/slatestudio/slate/studio/modelsui"
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
	pauseSync                                 *fyne.MenuItem
}

// actions are what the menus and shortcuts do, each under ctx, the
// studio's.
func (s *Studio) actions(ctx context.Context) map[*desktop.CustomShortcut]func() {
	return map[*desktop.CustomShortcut]func(){
		keyNew:       func() { s.library.NewProject(ctx) },
		keyOpen:      s.openProject,
		keyExport:    func() { libraryui.ExportFilm(ctx, s.libraryDeps) },
		keyUndo:      func() { s.session.Undo(ctx) },
		keyRedo:      func() { s.session.Redo(ctx) },
		keyAdd:       func() { s.session.AddShot(ctx) },
		keyDuplicate: func() { s.session.DuplicateShot(ctx) },
		keyRender:    func() { s.renderSelected(ctx) },
		keyRenderAll: func() { s.renderAll(ctx) },
		keyRecord:    func() { s.castView.Record(ctx) },
		keyModels:    func() { s.showModels(ctx) },
		keyConsent:   func() { s.account.ShowDashboard(ctx) },
		keyQuit:      s.Quit,
	}
}

func (s *Studio) mainMenu(ctx context.Context) *fyne.MainMenu {
	do := s.actions(ctx)
	item := func(label string, key *desktop.CustomShortcut) *fyne.MenuItem {
		m := fyne.NewMenuItem(label, do[key])
		m.Shortcut = key
		return m
	}
	m := &s.menu
	m.undo = item("Undo", keyUndo)
	m.redo = item("Redo", keyRedo)
	m.duplicate = item("Duplicate shot", keyDuplicate)
	m.del = fyne.NewMenuItem("Delete shot", func() { s.session.DeleteSelected(ctx) })
	m.split = fyne.NewMenuItem("Split shot at playhead", func() { s.session.SplitAtPlayhead(ctx) })
	m.render = item("Render shot", keyRender)
	m.login = fyne.NewMenuItem("Log in…", func() { s.account.ShowLogin(ctx, false) })
	m.signup = fyne.NewMenuItem("Sign up…", func() { s.account.ShowLogin(ctx, true) })
	m.logout = fyne.NewMenuItem("Log out", func() { s.account.Logout(ctx) })
	m.pauseSync = fyne.NewMenuItem("Pause sync", func() { s.pauseSync(ctx, !s.sync.bar.Paused()) })
	m.pauseSync.Disabled = true
	// The studio's own Quit, so that Fyne adds none: Fyne's closes every
	// window, which can panic (see Quit).
	quit := item("Quit", keyQuit)
	quit.IsQuit = true
	return fyne.NewMainMenu(
		fyne.NewMenu("File",
			item("New project…", keyNew),
			item("Open project…", keyOpen),
			fyne.NewMenuItem("Project settings…", func() { libraryui.ProjectSettings(ctx, s.libraryDeps) }),
			fyne.NewMenuItemSeparator(),
			item("Export film…", keyExport),
			fyne.NewMenuItemSeparator(),
			quit,
		),
		fyne.NewMenu("Edit",
			m.undo, m.redo,
			fyne.NewMenuItemSeparator(),
			item("Add shot", keyAdd),
			m.duplicate, m.split, m.del,
		),
		fyne.NewMenu("Cast",
			item("Record a cast member…", keyRecord),
			fyne.NewMenuItem("New character…", func() { s.newCharacter(ctx) }),
		),
		fyne.NewMenu("Render",
			m.render,
			item("Render all shots", keyRenderAll),
			fyne.NewMenuItemSeparator(),
			item("Model packs and voices…", keyModels),
			fyne.NewMenuItem("Render servers…", func() { s.showServers(ctx) }),
		),
		fyne.NewMenu("Playback", s.playbackItems()...),
		fyne.NewMenu("Account",
			m.login, m.signup, m.logout,
			fyne.NewMenuItemSeparator(),
			item("Consent and sharing…", keyConsent),
			fyne.NewMenuItemSeparator(),
			m.pauseSync,
			fyne.NewMenuItem("Storage…", func() { s.showStorage(ctx) }),
		),
	)
}

// playbackItems are the player's transport commands, each showing its
// bare key as its shortcut. The keys themselves reach the player through
// the canvas (addShortcuts): Fyne's driver makes no shortcut of a key
// without Ctrl or Alt, so these items only show them, and run from the
// menu.
func (s *Studio) playbackItems() []*fyne.MenuItem {
	var items []*fyne.MenuItem
	group := ""
	for _, c := range s.player.Commands() {
		label := c.Label
		if c.AlsoName != "" {
			label += " (or " + c.AlsoName + ")"
		}
		it := fyne.NewMenuItem(label, c.Run)
		if runtime.GOOS == "darwin" {
			// macOS's own menu bar would take a bare key from the text
			// fields as the item's key equivalent: the label says it.
			it.Label = c.Label + " (" + c.Keys + ")"
		} else {
			it.Shortcut = &desktop.CustomShortcut{KeyName: c.Key}
		}
		if group != "" && c.Group != group {
			items = append(items, fyne.NewMenuItemSeparator())
		}
		group = c.Group
		items = append(items, it)
	}
	return items
}

// addShortcuts makes the shortcuts work wherever the focus is, and the
// bare keys (Space, J/K/L, the arrows, Delete) when no text field has it.
func (s *Studio) addShortcuts(ctx context.Context) {
	c := s.win.Canvas()
	for key, action := range s.actions(ctx) {
		c.AddShortcut(key, func(fyne.Shortcut) { action() })
	}
	// Fyne's desktop driver (v2.7.1, glfw window.triggersShortcut) makes
	// Ctrl+Z and Ctrl+Y its own Undo and Redo shortcuts, not the Ctrl+Z
	// the Edit menu shows, so no menu item matches them: they go to the
	// focused text field, which undoes its own typing, or else here. They
	// run the menu items, so that Ctrl+Z anywhere else undoes the project.
	c.AddShortcut(&fyne.ShortcutUndo{}, func(fyne.Shortcut) { s.menu.undo.Action() })
	c.AddShortcut(&fyne.ShortcutRedo{}, func(fyne.Shortcut) { s.menu.redo.Action() })
	c.SetOnTypedKey(func(e *fyne.KeyEvent) {
		if c.Overlays().Top() != nil {
			return // a dialog is open: the keys are its (uikit.DialogKeys), not the film's
		}
		if s.player.TypedKey(e) {
			return // the player's keys (player.Commands)
		}
		switch e.Name {
		case fyne.KeyDelete, fyne.KeyBackspace:
			s.session.DeleteSelected(ctx)
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
	doc := s.session.Document()
	if name, ok := doc.UndoName(); ok {
		m.undo.Label, m.undo.Disabled = "Undo "+name, false
	}
	m.redo.Label, m.redo.Disabled = "Redo", true
	if name, ok := doc.RedoName(); ok {
		m.redo.Label, m.redo.Disabled = "Redo "+name, false
	}
	selected := s.session.Selected()
	none := len(selected) == 0
	m.duplicate.Disabled, m.split.Disabled, m.render.Disabled = none, none, none
	m.del.Disabled = none
	m.del.Label = "Delete shot"
	if len(selected) > 1 {
		m.del.Label = fmt.Sprintf("Delete %d shots", len(selected))
		m.render.Label = fmt.Sprintf("Render %d shots", len(selected))
	} else {
		m.render.Label = "Render shot"
	}
	if mm := s.win.MainMenu(); mm != nil {
		mm.Refresh()
	}
}

// openProject is File ▸ Open project: the Library tab comes forward with
// the project list focused, where a double click (or Open) opens one.
func (s *Studio) openProject() {
	s.side.SelectIndex(0)
	s.library.OpenProject()
}

// refreshAccountMenu enables Log in or Log out, whichever applies.
func (s *Studio) refreshAccountMenu() {
	m := &s.menu
	if m.login == nil || s.deps.Sharing == nil {
		return
	}
	in := s.account.LoggedIn()
	m.login.Disabled, m.signup.Disabled, m.logout.Disabled = in, in, !in
	if mm := s.win.MainMenu(); mm != nil {
		mm.Refresh()
	}
}

// renderSelected queues the selected shots and brings the render queue
// forward: Render ▸ Render shot (Ctrl+R).
func (s *Studio) renderSelected(ctx context.Context) {
	s.renderShots(ctx, s.session.SelectedShots())
}

// renderAll queues every shot; shots whose clip is up to date finish at
// once from the cache.
func (s *Studio) renderAll(ctx context.Context) {
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
	s.renderShots(ctx, shots)
}

// renderShots submits shots to the queue in order, in the background, and
// brings the queue panel to the front.
func (s *Studio) renderShots(ctx context.Context, shots []int) {
	s.showQueue()
	s.session.Render(ctx, shots)
}

// showModels opens the models window.
func (s *Studio) showModels(ctx context.Context) *modelsui.Window {
	return modelsui.Show(ctx, modelsui.Deps{
		Models: s.deps.Models, Window: s.win, Runner: s.session,
		Report: s.report, Problem: s.problem,
	})
}
