package libraryui

import (
	"os"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/studio/studiotest"
)

// TestDialogKeys: in New project, Enter creates the project and Esc
// cancels, from the title field (which has the focus) and with nothing
// focused; in Delete project, Esc keeps the project and Enter does not
// delete it (deleting what cannot be undone takes a click); Esc closes
// the file picker of Import .slate.
func TestDialogKeys(t *testing.T) {
	f := newFixture(t, media.FindTools(), projectWith("Alpha", 2), projectWith("Beta", 1))
	press := func(key fyne.KeyName) { studiotest.Press(f.win, 0, key) }

	f.panel.NewProject(t.Context())
	if f.topDialog() == nil || f.win.Canvas().Focused() == nil {
		t.Fatal("New project showed no dialog with its title focused")
	}
	press(fyne.KeyEscape)
	if f.topDialog() != nil {
		t.Fatal("Esc in the title field left New project open")
	}
	f.panel.NewProject(t.Context())
	f.win.Canvas().Unfocus()
	press(fyne.KeyEscape)
	if f.topDialog() != nil {
		t.Fatal("Esc with nothing focused left New project open")
	}
	f.idle()
	if n := len(f.stored()); n != 2 {
		t.Fatalf("after two cancelled New projects the library holds %d projects, want 2", n)
	}

	f.panel.NewProject(t.Context())
	e := f.entry(f.topDialog())
	e.SetText("")
	test.Type(e, "Keyboard film")
	press(fyne.KeyReturn)
	f.until("the new project to open", 10*time.Second, func() bool { return f.s.Project().Title == "Keyboard film" })
	if f.topDialog() != nil {
		t.Error("Enter created the project but left the dialog open")
	}
	f.idle()

	f.panel.NewProject(t.Context())
	f.win.Canvas().Unfocus()
	press(fyne.KeyEnter) // the keypad's
	f.until("the second new project to open", 10*time.Second, func() bool { return f.s.Project().Title == untitled })
	f.idle()

	f.selectProject("Beta")
	f.panel.askDelete(t.Context())
	press(fyne.KeyReturn)
	f.idle()
	if f.topDialog() == nil || len(f.stored()) != 4 {
		t.Fatalf("Enter in Delete project: dialog open %v, %d projects; want it open and all 4 kept", f.topDialog() != nil, len(f.stored()))
	}
	press(fyne.KeyEscape)
	f.idle()
	if f.topDialog() != nil || len(f.stored()) != 4 {
		t.Errorf("Esc in Delete project: dialog open %v, %d projects; want it closed and all 4 kept", f.topDialog() != nil, len(f.stored()))
	}
	// The file picker of Import .slate: Esc closes it.
	f.panel.askImport(t.Context())
	if f.topDialog() == nil {
		t.Fatal("Import showed no file picker")
	}
	f.win.Canvas().Unfocus()
	press(fyne.KeyEscape)
	if f.topDialog() != nil {
		t.Error("Esc left the Import file picker open")
	}
}

// TestExportKeys: Esc during an export cancels it, as its Cancel button
// does; Enter closes the "Film exported" summary.
func TestExportKeys(t *testing.T) {
	f, e, out := exportUnderWay(t)
	f.win.Canvas().Unfocus()
	studiotest.Press(f.win, 0, fyne.KeyEscape)
	f.until("the export to stop", time.Minute, func() bool { return e.done })
	if e.err == nil || e.result != nil {
		t.Fatalf("Esc did not cancel the export: err %v", e.err)
	}
	f.until("its jobs to end", time.Minute, func() bool {
		for _, j := range f.queue.Jobs() {
			if !j.Status.Done() {
				return false
			}
		}
		return true
	})

	if err := os.WriteFile(out, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	e = f.export(out)
	if e.err != nil {
		t.Fatalf("export: %v", e.err)
	}
	if f.topDialog() == nil {
		t.Fatal("no Film exported summary")
	}
	f.win.Canvas().Unfocus()
	studiotest.Press(f.win, 0, fyne.KeyReturn)
	if f.topDialog() != nil {
		t.Errorf("Enter left the summary open:\n%s", texts(f.topDialog()))
	}
}

// TestDialogKeysAfterAChoice: once a frame rate is picked from its list
// (the list keeps the focus, and Fyne's list ignores Enter and Esc),
// Enter still creates the project and Esc still cancels.
func TestDialogKeysAfterAChoice(t *testing.T) {
	f := newFixture(t, media.FindTools(), projectWith("Alpha", 1))
	press := func(key fyne.KeyName) { studiotest.Press(f.win, 0, key) }

	f.panel.NewProject(t.Context())
	_, rate := f.settingsSelects()
	f.win.Canvas().Focus(rate) // as a tap on it does
	rate.SetSelected("25 fps") // as a pick from its list does
	press(fyne.KeyEscape)
	if f.topDialog() != nil {
		t.Fatal("Esc after picking a frame rate left New project open")
	}

	f.panel.NewProject(t.Context())
	e := f.entry(f.topDialog())
	e.SetText("Picked")
	_, rate = f.settingsSelects()
	f.win.Canvas().Focus(rate)
	rate.SetSelected("25 fps")
	press(fyne.KeyReturn)
	f.until("the new project to open", 10*time.Second, func() bool { return f.s.Project().Title == "Picked" })
	if p := f.s.Project(); p.FPS != 25 {
		t.Errorf("the project made by Enter is at %d fps, want the 25 picked", p.FPS)
	}
	f.idle()
}
