package player

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/slatestudio/slate/studio/studiotest"
	"github.com/slatestudio/slate/studio/uikit"
)

// TestTransportButtonsSayWhatTheyDo: every button of the player has a
// tooltip naming what it does and its key, and the key it names runs the
// same command; the one-frame steps say "1 frame" and do not wear the
// |◀ ▶| icons of go to start and end, which they used to.
func TestTransportButtonsSayWhatTheyDo(t *testing.T) {
	s, _ := newTestStudio(t, nil)
	p := s.player
	var tips []string
	studiotest.WalkAll(p.View(), func(o fyne.CanvasObject) {
		switch b := o.(type) {
		case *uikit.TipButton:
			tips = append(tips, b.Tip())
			if strings.Contains(b.Tip(), "one frame") {
				if !strings.Contains(b.Text, "1 frame") {
					t.Errorf("the %q button reads %q, want it to say 1 frame", b.Tip(), b.Text)
				}
				if b.Icon == theme.MediaSkipPreviousIcon() || b.Icon == theme.MediaSkipNextIcon() {
					t.Errorf("the %q button wears the go-to-start or end icon", b.Tip())
				}
			}
		case *widget.Button:
			t.Errorf("the player's button %q has no tooltip", b.Text)
		}
	})
	want := map[string]bool{}
	for _, c := range p.Commands() {
		if c.Group != "play" || c.Key == fyne.KeySpace {
			want[c.Tip()] = true
		}
	}
	for _, tip := range tips {
		delete(want, tip)
		if !strings.HasSuffix(tip, ")") || !strings.Contains(tip, " (") {
			t.Errorf("tooltip %q names no key or state", tip)
		}
	}
	for tip := range want {
		t.Errorf("no button has the tooltip %q", tip)
	}
	for _, c := range p.Commands() {
		if !strings.Contains(c.Tip(), c.Keys) || c.Keys == "" {
			t.Errorf("command %q names its keys %q", c.Label, c.Keys)
		}
	}
}
