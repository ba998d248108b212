package timeline

import (
	"errors"
	"strings"
	"testing"
)

// Project settings change the title, frame size and rate as one edit,
// which one undo takes back whole; a bad size is refused with a message
// naming what is wrong, and nothing changes.
func TestSetProjectSettings(t *testing.T) {
	p := New("The Kite")
	p.Shots = []*Shot{NewShot("Shot 1")}
	e := NewEditor(p)
	c := SetProjectSettings("The Kite (vertical)", 1080, 1920, 25)
	if c.Name() != "Change project settings" {
		t.Errorf("the edit is named %q", c.Name())
	}
	ch := doUndoRedo(t, e, c)
	if !ch.Project {
		t.Error("the change does not say the project's settings changed, so they would not be saved")
	}
	if p.Title != "The Kite (vertical)" || p.Width != 1080 || p.Height != 1920 || p.FPS != 25 {
		t.Errorf("after the edit: %q %d×%d %d fps", p.Title, p.Width, p.Height, p.FPS)
	}
	if _, err := e.Undo(); err != nil {
		t.Fatal(err)
	}
	if p.Title != "The Kite" || p.Width != 1280 || p.Height != 720 || p.FPS != 24 {
		t.Errorf("one undo left %q %d×%d %d fps, want all four back", p.Title, p.Width, p.Height, p.FPS)
	}
	for _, bad := range []struct {
		w, h, fps int
		want      string
	}{
		{1081, 1920, 25, "even"},
		{1080, 1920, 60, "24, 25 or 30"},
		{8, 1920, 25, "between"},
	} {
		_, err := e.Do(SetProjectSettings("X", bad.w, bad.h, bad.fps))
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%d×%d at %d fps: %v; want refused, saying %q", bad.w, bad.h, bad.fps, err, bad.want)
		}
		if p.Title != "The Kite" || p.Width != 1280 {
			t.Errorf("a refused edit changed the project: %q %d", p.Title, p.Width)
		}
	}
	if _, err := e.Do(SetProjectSettings("  ", 1280, 720, 24)); !errors.Is(err, ErrInvalid) {
		t.Errorf("an empty title: %v, want refused", err)
	}
}
