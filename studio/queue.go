package studio

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/slatestudio/slate/render"
)

// queuePanel shows the render queue. (Being written.)
type queuePanel struct{ s *Studio }

func newQueuePanel(s *Studio) *queuePanel     { return &queuePanel{s: s} }
func (q *queuePanel) view() fyne.CanvasObject { return widget.NewLabel("Queue") }
func (q *queuePanel) jobChanged(j render.Job) {}
