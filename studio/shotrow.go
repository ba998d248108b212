package studio

import (
	"fmt"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/slatestudio/slate/timeline"
)

// shotRow is one line of the shot list: number, title, length, camera and
// dialogue, in columns that line up from row to row.
type shotRow struct {
	widget.BaseWidget
	number, title, length, camera, dialogue *widget.Label
}

func newShotRow() *shotRow {
	r := &shotRow{
		number: widget.NewLabel(""), title: widget.NewLabel(""), length: widget.NewLabel(""),
		camera: widget.NewLabel(""), dialogue: widget.NewLabel(""),
	}
	r.title.Truncation = fyne.TextTruncateEllipsis
	r.camera.Truncation = fyne.TextTruncateEllipsis
	r.number.Alignment = fyne.TextAlignTrailing
	r.length.Alignment = fyne.TextAlignTrailing
	r.ExtendBaseWidget(r)
	return r
}

// CreateRenderer lays the row's labels out in columns.
func (r *shotRow) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.New(columns{}, r.number, r.title, r.length, r.camera, r.dialogue))
}

func (r *shotRow) setHeader() {
	for l, text := range map[*widget.Label]string{r.number: "#", r.title: "Shot", r.length: "Length", r.camera: "Camera", r.dialogue: "Dialogue"} {
		l.SetText(text)
		l.TextStyle = fyne.TextStyle{Bold: true}
		l.Refresh()
	}
}

// set shows shot i of p.
func (r *shotRow) set(p *timeline.Project, i int) {
	s := p.Shots[i]
	r.number.SetText(strconv.Itoa(i + 1))
	r.title.SetText(s.Title)
	r.length.SetText(timeline.Seconds(s.Duration))
	r.camera.SetText(cameraText(s.Camera))
	r.dialogue.SetText(dialogueText(len(s.Lines)))
}

// cameraText is a shot's framing and move: "wide, dolly in".
func cameraText(c timeline.Camera) string {
	switch {
	case c.Move == "" || c.Move == timeline.Static:
		return c.Framing.Label() + ", static"
	case c.Framing == "":
		return c.Move.Label()
	}
	return c.Framing.Label() + ", " + c.Move.Label()
}

func dialogueText(n int) string {
	switch n {
	case 0:
		return "no dialogue"
	case 1:
		return "1 line"
	}
	return fmt.Sprintf("%d lines", n)
}

// columns lays out a shot row: fixed widths for the number, length, camera
// and dialogue, and the rest for the title.
type columns struct{}

// widths are the column widths in Fyne units; 0 marks the title, which
// takes what is left.
func (columns) widths() [5]float32 { return [5]float32{40, 0, 80, 200, 110} }

// Layout places the row's five objects side by side.
func (c columns) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	widths := c.widths()
	fixed := float32(0)
	for _, w := range widths {
		fixed += w
	}
	x := float32(0)
	for i, o := range objects {
		w := widths[i%len(widths)]
		if w == 0 {
			w = max(size.Width-fixed, 80)
		}
		o.Move(fyne.NewPos(x, 0))
		o.Resize(fyne.NewSize(w, size.Height))
		x += w
	}
}

// MinSize is the fixed columns plus room for a short title, as tall as the
// tallest label.
func (c columns) MinSize(objects []fyne.CanvasObject) fyne.Size {
	w, h := float32(80), float32(0)
	for _, cw := range c.widths() {
		w += cw
	}
	for _, o := range objects {
		h = max(h, o.MinSize().Height)
	}
	return fyne.NewSize(w, h)
}
