package studio

import (
	"context"
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"

	"github.com/slatestudio/slate/examples"
	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/timeline"
)

// demoStudio builds the studio for the embedded demo project in a fresh
// library, on a headless test app.
func demoStudio(t *testing.T) *Studio {
	t.Helper()
	a := test.NewTempApp(t)
	lib, err := library.Open(t.TempDir(), library.Options{Exclusive: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lib.Close() })
	p, err := timeline.Decode("demo.slate", examples.Demo)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := lib.CreateProject(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	s := New(a, lib, doc)
	t.Cleanup(func() { s.Window().Close() })
	return s
}

var demoTitles = []string{"Harbour at dusk", "Mara at the window", "Theo on the pier", "The letter", "Lighthouse, night"}

func TestWindowShowsProject(t *testing.T) {
	s := demoStudio(t)
	w := s.Window()
	if got, want := w.Title(), "Last Light — Slate"; got != want {
		t.Errorf("window title = %q, want %q", got, want)
	}
	w.Resize(fyne.NewSize(1000, 700))
	w.Show()

	shown := texts(w.Content())
	for _, want := range append([]string{"Last Light", "1280×720, 24 fps, 22 s", "Shot", "Camera"}, demoTitles...) {
		if !slices.Contains(shown, want) {
			t.Errorf("the window does not show %q; it shows %q", want, shown)
		}
	}
}

func TestShotList(t *testing.T) {
	s := demoStudio(t)
	if n := s.list.Length(); n != len(demoTitles) {
		t.Fatalf("the shot list has %d rows, want %d", n, len(demoTitles))
	}
	want := [][]string{
		{"1", "Harbour at dusk", "5 s", "wide, dolly in", "1 line"},
		{"2", "Mara at the window", "5.5 s", "medium, pan right", "1 line"},
	}
	for i, cells := range want {
		row := s.list.CreateItem()
		s.list.UpdateItem(i, row)
		r := row.(*shotRow)
		got := []string{r.number.Text, r.title.Text, r.length.Text, r.camera.Text, r.dialogue.Text}
		if !slices.Equal(got, cells) {
			t.Errorf("row %d = %q, want %q", i, got, cells)
		}
	}
	for i, title := range demoTitles {
		row := s.list.CreateItem()
		s.list.UpdateItem(i, row)
		if got := row.(*shotRow).title.Text; got != title {
			t.Errorf("row %d title = %q, want %q", i, got, title)
		}
	}
}

func TestRowText(t *testing.T) {
	tests := []struct {
		cam  timeline.Camera
		want string
	}{
		{timeline.Camera{Framing: timeline.CloseUp, Move: timeline.Static}, "close-up, static"},
		{timeline.Camera{Framing: timeline.Wide}, "wide, static"},
		{timeline.Camera{Framing: timeline.ExtremeCloseUp, Move: timeline.ZoomOut}, "extreme close-up, zoom out"},
	}
	for _, tt := range tests {
		if got := cameraText(tt.cam); got != tt.want {
			t.Errorf("cameraText(%+v) = %q, want %q", tt.cam, got, tt.want)
		}
	}
	for n, want := range map[int]string{0: "no dialogue", 1: "1 line", 3: "3 lines"} {
		if got := dialogueText(n); got != want {
			t.Errorf("dialogueText(%d) = %q, want %q", n, got, want)
		}
	}
}

// texts lists the text of every canvas.Text drawn for o, as laid out.
func texts(o fyne.CanvasObject) []string {
	var out []string
	for _, obj := range test.LaidOutObjects(o) {
		if t, ok := obj.(*canvas.Text); ok && t.Visible() && t.Text != "" {
			out = append(out, t.Text)
		}
	}
	return out
}
