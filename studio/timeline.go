package studio

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/timeline"
)

// timelineView is the storyboard along the bottom. (Being written.)
type timelineView struct{ s *Studio }

func newTimeline(s *Studio) *timelineView                 { return &timelineView{s: s} }
func (t *timelineView) view() fyne.CanvasObject           { return widget.NewLabel("Timeline") }
func (t *timelineView) projectChanged(ch timeline.Change) {}
func (t *timelineView) selectionChanged()                 {}
func (t *timelineView) playheadMoved()                    {}
func (t *timelineView) clipsChanged()                     {}
func (t *timelineView) jobChanged(j render.Job)           {}
