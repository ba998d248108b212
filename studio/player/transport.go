package player

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/slatestudio/slate/studio/uikit"
)

// Command is one of the player's transport commands: an item of the
// Playback menu, a button's tooltip, and the bare key that runs it, as in
// video editors.
type Command struct {
	// Label says what it does: "Go to start".
	Label string
	// Key runs it; Also, when set, too: Up and Page Up go to the previous
	// shot.
	Key, Also fyne.KeyName
	// Keys names the keys for people: "↑ or Page Up"; AlsoName, Also
	// alone: "Page Up".
	Keys, AlsoName string
	// Group is the menu's group it belongs in: playing, frames or places.
	Group string
	Run   func()
}

// Tip is the command's tooltip: what it does and its keys.
func (c Command) Tip() string { return c.Label + " (" + c.Keys + ")" }

// The commands, by their place in Commands.
const (
	cmdToggle = iota
	cmdBackwards
	cmdPause
	cmdForwards
	cmdFrameBack
	cmdFrameForward
	cmdStart
	cmdEnd
	cmdPrevShot
	cmdNextShot
)

// Commands are the player's transport commands, in the order the
// Playback menu lists them.
func (p *Player) Commands() []Command {
	return []Command{
		cmdToggle:       {Label: "Play / pause", Group: "play", Key: fyne.KeySpace, Keys: "Space", Run: p.Toggle},
		cmdBackwards:    {Label: "Play backwards, faster at each press", Group: "play", Key: fyne.KeyJ, Keys: "J", Run: func() { p.Shuttle(-1) }},
		cmdPause:        {Label: "Pause", Group: "play", Key: fyne.KeyK, Keys: "K", Run: p.Pause},
		cmdForwards:     {Label: "Play forwards, faster at each press", Group: "play", Key: fyne.KeyL, Keys: "L", Run: func() { p.Shuttle(1) }},
		cmdFrameBack:    {Label: "Back one frame", Group: "frames", Key: fyne.KeyLeft, Keys: "←", Run: func() { p.Step(-1) }},
		cmdFrameForward: {Label: "Forward one frame", Group: "frames", Key: fyne.KeyRight, Keys: "→", Run: func() { p.Step(1) }},
		cmdStart:        {Label: "Go to start", Group: "places", Key: fyne.KeyHome, Keys: "Home", Run: p.GoToStart},
		cmdEnd:          {Label: "Go to end", Group: "places", Key: fyne.KeyEnd, Keys: "End", Run: p.GoToEnd},
		cmdPrevShot:     {Label: "Previous shot", Group: "places", Key: fyne.KeyUp, Also: fyne.KeyPageUp, Keys: "↑ or Page Up", AlsoName: "Page Up", Run: func() { p.GoToShot(-1) }},
		cmdNextShot:     {Label: "Next shot", Group: "places", Key: fyne.KeyDown, Also: fyne.KeyPageDown, Keys: "↓ or Page Down", AlsoName: "Page Down", Run: func() { p.GoToShot(1) }},
	}
}

// transport is the row of buttons under the picture, each with a tooltip
// naming what it does and its key. The one-frame steps say "1 frame", so
// that they do not pass for go to start and end, which have the |◀ and
// ▶| icons.
func (p *Player) transport() fyne.CanvasObject {
	cmds := p.Commands()
	button := func(c Command, label string, icon fyne.Resource) *uikit.TipButton {
		return uikit.NewTipButton(label, icon, c.Tip(), c.Run)
	}
	trailing := func(b *uikit.TipButton) *uikit.TipButton {
		b.IconPlacement = widget.ButtonIconTrailingText
		return b
	}
	p.playBtn = button(cmds[cmdToggle], "", theme.MediaPlayIcon())
	p.loopBtn = uikit.NewTipButton("Loop", theme.MediaReplayIcon(), "Loop the selected shots (on or off)", p.toggleLoop)
	return container.NewHBox(
		button(cmds[cmdStart], "", theme.MediaSkipPreviousIcon()),
		button(cmds[cmdPrevShot], "Shot", theme.NavigateBackIcon()),
		button(cmds[cmdFrameBack], "1 frame", theme.NavigateBackIcon()),
		p.playBtn,
		trailing(button(cmds[cmdFrameForward], "1 frame", theme.NavigateNextIcon())),
		trailing(button(cmds[cmdNextShot], "Shot", theme.NavigateNextIcon())),
		button(cmds[cmdEnd], "", theme.MediaSkipNextIcon()),
		p.loopBtn,
	)
}

// GoToStart moves the playhead to the film's first frame: Home.
func (p *Player) GoToStart() { p.s.SetPlayhead(0) }

// GoToEnd moves the playhead to the film's last frame: End.
func (p *Player) GoToEnd() {
	p.s.SetPlayhead(max(0, p.s.Project().TotalFrames()-1))
}

// GoToShot selects the shot before (dir −1) or after (+1) the playhead
// and moves the playhead to its first frame, as the Up and Down keys of
// video editors go to the previous and next edit: from inside a shot, Up
// goes to that shot's start. Playing, play carries on from there. At
// either end of the film nothing moves.
func (p *Player) GoToShot(dir int) {
	proj := p.s.Project()
	spans := proj.Timing()
	at := p.position()
	target := -1
	if dir < 0 {
		for i := len(spans) - 1; i >= 0; i-- {
			if spans[i].Start < at {
				target = i
				break
			}
		}
	} else {
		for i, sp := range spans {
			if sp.Start > at {
				target = i
				break
			}
		}
	}
	if target < 0 {
		return
	}
	p.s.Select(proj.Shots[target].ID)
	p.s.SetPlayhead(spans[target].Start)
}

// position is the frame shown now: where play has got to, playing.
func (p *Player) position() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.playing {
		return p.positionLocked()
	}
	return p.s.Playhead()
}
