package studio

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// AudioOut is a sound output the player feeds: interleaved float32 stereo
// at 48 kHz. (Placeholder; the player work defines it fully.)
type AudioOut interface {
	// Start begins calling fill from the audio thread for more samples.
	Start(fill func(out []float32)) error
	// Stop stops the calls.
	Stop() error
}

// player is the preview player at the top of the window. (Placeholder.)
type player struct {
	s *Studio
}

func newPlayer(s *Studio) *player { return &player{s: s} }

func (p *player) view() fyne.CanvasObject { return widget.NewLabel("Preview") }
func (p *player) projectChanged()         {}
func (p *player) close()                  {}
func (p *player) toggle()                 {}
