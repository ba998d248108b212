package castui

import (
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/slatestudio/slate/capture"
)

// scriptPane is the take's script beside the picture while it is
// recorded: what to do now, what comes next and when, every prompt in
// order with those done ticked, and how long the take has left.
type scriptPane struct {
	box       *fyne.Container
	now, next *widget.Label
	left      *widget.Label
	steps     []*widget.Label
	// shown is what the labels show, so that a frame changes nothing
	// when the second has not.
	shown string
}

func newScriptPane(s capture.Script) *scriptPane {
	p := &scriptPane{
		now:  &widget.Label{Wrapping: fyne.TextWrapWord, TextStyle: fyne.TextStyle{Bold: true}},
		next: &widget.Label{Wrapping: fyne.TextWrapWord},
		left: &widget.Label{},
	}
	list := container.NewVBox()
	for _, pr := range s.Prompts {
		l := &widget.Label{Text: stepText(pr), Wrapping: fyne.TextWrapWord}
		p.steps = append(p.steps, l)
		list.Add(l)
	}
	p.box = container.NewVBox(p.now, p.next, widget.NewSeparator(),
		widget.NewLabelWithStyle("The script", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		list, widget.NewSeparator(), p.left)
	p.show(s, -1, 0)
	return p
}

// stepText is a prompt as the script lists it, with how long it lasts.
func stepText(p capture.Prompt) string {
	return fmt.Sprintf("%s (%s)", p.Text, wholeSeconds(p.End-p.Start))
}

// wholeSeconds writes d in whole seconds, "3 s", rounded as the
// countdown over the picture rounds.
func wholeSeconds(d time.Duration) string {
	return fmt.Sprintf("%.0f s", max(0, d.Seconds()))
}

// show brings the pane to prompt cur (-1 before the first) at time at
// into the take.
func (p *scriptPane) show(s capture.Script, cur int, at time.Duration) {
	now, next := "Now: get ready, and say nothing yet", ""
	if cur >= 0 && cur < len(s.Prompts) {
		now = fmt.Sprintf("Now: %s — %s more", s.Prompts[cur].Text, wholeSeconds(s.Prompts[cur].End-at))
	}
	switch n := cur + 1; {
	case n < len(s.Prompts):
		next = fmt.Sprintf("Next: %s, in %s", s.Prompts[n].Text, wholeSeconds(s.Prompts[n].Start-at))
	default:
		next = "Next: the end of the take"
	}
	left := fmt.Sprintf("%s left in the take", wholeSeconds(s.Length-at))
	if key := fmt.Sprint(now, next, left, cur); key == p.shown {
		return
	} else {
		p.shown = key
	}
	p.now.SetText(now)
	p.next.SetText(next)
	p.left.SetText(left)
	for i, l := range p.steps {
		mark, imp, bold := "   ", widget.MediumImportance, false
		switch {
		case i < cur:
			mark, imp = "✓ ", widget.LowImportance
		case i == cur:
			mark, bold = "→ ", true
		}
		l.Text, l.Importance, l.TextStyle.Bold = mark+stepText(s.Prompts[i]), imp, bold
		l.Refresh()
	}
}
