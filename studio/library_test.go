package studio

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/slatestudio/slate/internal/userfile/userfiletest"
	"github.com/slatestudio/slate/studio/studiotest"
	"github.com/slatestudio/slate/timeline"
)

// The library room's views are libraryui's, and tested there; these tests
// are of the shell's part: the menus and shortcuts that reach them, the
// tabs they bring forward, and the window's title following the project
// they open.

// New project (Ctrl+N) opens the project made, which the title says;
// File ▸ Open project brings the Library tab forward with its list
// focused.
func TestNewAndOpenProject(t *testing.T) {
	h := newHarness(t, smallDemo(t))
	h.s.side.SelectIndex(2)
	h.shortcut(keyNew)
	dlg := h.win.Canvas().Overlays().Top()
	if dlg == nil {
		t.Fatal("Ctrl+N showed no dialog")
	}
	var title *widget.Entry
	walkAll(dlg, func(o fyne.CanvasObject) {
		if e, ok := studiotest.EntryOf(o); ok && title == nil {
			title = e
		}
	})
	if title == nil {
		t.Fatalf("the New project dialog has no title field:\n%s", texts(dlg))
	}
	title.SetText("")
	test.Type(title, "Second film")
	test.Tap(findButton(t, dlg, "Create"))
	h.ui.until(t, "the new project to open", 10*time.Second, func() bool { return h.s.Project().Title == "Second film" })
	if w := h.win.Title(); w != "Second film — Slate" {
		t.Errorf("window title %q", w)
	}

	h.s.side.SelectIndex(2)
	h.menuItem(t, "Open project…").Action()
	if got := h.s.side.Selected().Text; got != "Library" {
		t.Errorf("Open project brought the %q tab forward, want Library", got)
	}
	if h.win.Canvas().Focused() == nil {
		t.Error("Open project focused nothing")
	}
}

// Render shot (Ctrl+R) queues the selected shot and brings the Render
// queue tab forward.
func TestRenderShotShowsQueue(t *testing.T) {
	h := newHarness(t, smallDemo(t))
	h.s.session.Select("pier")
	h.shortcut(keyRender)
	if got := h.s.side.Selected().Text; got != "Render queue" {
		t.Errorf("Ctrl+R brought the %q tab forward, want Render queue", got)
	}
	h.ui.until(t, "shot 3's job", 30*time.Second, func() bool {
		for _, j := range h.queue.Jobs() {
			if j.ShotID == "pier" {
				return true
			}
		}
		return false
	})
}

// Render all refuses, before anything renders, a film that can never be
// made: here one whose sound cue is a named pipe. (The export does the
// same: libraryui's tests.)
func TestRenderAllChecksTheFilmFirst(t *testing.T) {
	p := smallDemo(t)
	fifo := filepath.Join(t.TempDir(), "rain.wav")
	userfiletest.Mkfifo(t, fifo)
	p.Shots[1].Cues = []timeline.Cue{{Kind: timeline.Ambience, File: fifo, Duration: 500 * time.Millisecond}}
	h := newHarness(t, p)
	want := "shot 2 (" + p.Shots[1].Title + "), sound cue 1: " + fifo + " is a named pipe, not a sound file"
	h.shortcut(keyRenderAll)
	h.ui.drain()
	if msg := texts(h.win.Canvas().Overlays().Top()); !strings.Contains(msg, want) || !strings.Contains(msg, "Nothing was rendered") {
		t.Errorf("Render all shows:\n%s\nwant %q", msg, want)
	}
	if jobs := h.queue.Jobs(); len(jobs) != 0 {
		t.Errorf("%d shots were sent to render, want none", len(jobs))
	}
}
