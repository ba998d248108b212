package studio

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"

	"github.com/slatestudio/slate/internal/atomicfile"
)

// layoutFile is where the window's size and its dividers' places are
// kept, in the data folder, from one launch to the next.
const layoutFile = "studio-layout.json"

// The window's size and dividers when nothing is remembered.
const (
	defaultWidth, defaultHeight = 1440, 900
	defaultSide                 = 0.2  // the side panels' share of the width
	defaultInspector            = 0.72 // the preview and timeline's share of the rest
	defaultTimeline             = 0.62 // the preview's share of their height
)

// windowLayout is what layoutFile holds.
type windowLayout struct {
	Width     float32 `json:"width"`
	Height    float32 `json:"height"`
	Side      float64 `json:"side"`
	Inspector float64 `json:"inspector"`
	Timeline  float64 `json:"timeline"`
}

// splits are the main window's dividers: between the side panels and the
// rest, between the preview and timeline and the inspector, and between
// the preview and the timeline.
type splits struct {
	side, inspector, timeline *container.Split
}

// The least room each pane of the main window asks for: the same
// whatever the pane shows, so what a pane shows (another shot in the
// inspector, a message, a long name) never moves a divider; only the
// person, dragging it, does. They are about what each pane's content
// asks for as a studio opens, so the panes open as roomy as they did
// when the dividers followed their content; what does not fit a pane
// later scrolls or is cut, as in a window made small.
const (
	sideMinW, sideMinH           = 365, 120
	playerMinW, playerMinH       = 200, 170
	timelineMinW, timelineMinH   = 200, 200
	inspectorMinW, inspectorMinH = 340, 120
)

// steady is o in a pane whose least size is min, whatever o's is.
func steady(o fyne.CanvasObject, min fyne.Size) fyne.CanvasObject {
	return container.New(steadyLayout{min}, o)
}

type steadyLayout struct{ min fyne.Size }

func (l steadyLayout) MinSize([]fyne.CanvasObject) fyne.Size { return l.min }

func (steadyLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objects {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

// newSplits lays out the main window's parts with their dividers where
// l puts them.
func newSplits(side, player, timeline, inspector fyne.CanvasObject, l windowLayout) (splits, fyne.CanvasObject) {
	var s splits
	s.timeline = container.NewVSplit(steady(player, fyne.NewSize(playerMinW, playerMinH)), steady(timeline, fyne.NewSize(timelineMinW, timelineMinH)))
	s.timeline.SetOffset(l.Timeline)
	s.inspector = container.NewHSplit(s.timeline, steady(inspector, fyne.NewSize(inspectorMinW, inspectorMinH)))
	s.inspector.SetOffset(l.Inspector)
	s.side = container.NewHSplit(steady(side, fyne.NewSize(sideMinW, sideMinH)), s.inspector)
	s.side.SetOffset(l.Side)
	return s, s.side
}

// loadLayout reads the layout remembered in the data folder dir; what is
// missing or unreadable is the default, as at the first launch.
func loadLayout(dir string) windowLayout {
	l := windowLayout{Width: defaultWidth, Height: defaultHeight, Side: defaultSide, Inspector: defaultInspector, Timeline: defaultTimeline}
	b, err := os.ReadFile(filepath.Join(dir, layoutFile))
	if err != nil {
		return l
	}
	var saved windowLayout
	if json.Unmarshal(b, &saved) != nil {
		return l
	}
	if saved.Width >= 200 && saved.Height >= 200 && saved.Width <= 20000 && saved.Height <= 20000 {
		l.Width, l.Height = saved.Width, saved.Height
	}
	for _, f := range []struct{ saved, to *float64 }{{&saved.Side, &l.Side}, {&saved.Inspector, &l.Inspector}, {&saved.Timeline, &l.Timeline}} {
		if *f.saved > 0.02 && *f.saved < 0.98 {
			*f.to = *f.saved
		}
	}
	return l
}

// saveLayout remembers the window's size and its dividers in the data
// folder dir, for the next launch.
func saveLayout(dir string, size fyne.Size, s splits) error {
	if size.Width < 200 || size.Height < 200 {
		return nil // not shown, or shown too small to be worth keeping
	}
	b, err := json.MarshalIndent(windowLayout{
		Width: size.Width, Height: size.Height,
		Side: s.side.Offset, Inspector: s.inspector.Offset, Timeline: s.timeline.Offset,
	}, "", "  ")
	if err != nil {
		return err
	}
	err = atomicfile.WriteFile(filepath.Join(dir, layoutFile), append(b, '\n'), 0o644)
	if errors.Is(err, fs.ErrNotExist) {
		return nil // the data folder is gone: nothing to remember it in
	}
	return err
}
