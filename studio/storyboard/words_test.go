package storyboard

import (
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/slatestudio/slate/studio/studiotest"
)

// The inspector names what renders a shot in a filmmaker's words ("Render
// with", "Animatic (storyboard cards)", "On-device models"), while the
// project keeps the backend's own name.
func TestInspectorNamesBackendsPlainly(t *testing.T) {
	if got := backendChoices("animatic", []string{"animatic", "onnx"}); !slices.Equal(got,
		[]string{"Project default: Animatic (storyboard cards)", "Animatic (storyboard cards)", "On-device models"}) {
		t.Errorf("the choices are %q", got)
	}
	b := newBoard(t, nil)
	b.s.Select("pier")
	var sel *widget.Select
	var labels []string
	studiotest.WalkAll(b.in.View(), func(o fyne.CanvasObject) {
		switch o := o.(type) {
		case *widget.Select:
			if slices.ContainsFunc(o.Options, func(s string) bool { return strings.HasPrefix(s, "Project default") }) {
				sel = o
			}
		case *widget.Label:
			labels = append(labels, o.Text)
		}
	})
	if sel == nil {
		t.Fatal("no choice of what renders the shot")
	}
	for _, text := range append(labels, sel.Options...) {
		if strings.Contains(strings.ToLower(text), "backend") || strings.Contains(text, "onnx") {
			t.Errorf("the inspector says %q", text)
		}
	}
	sel.SetSelected("Animatic (storyboard cards)")
	if got := b.s.Project().Shot("pier").Backend; got != "animatic" {
		t.Errorf("choosing the animatic set the shot's backend to %q", got)
	}
	sel.SetSelectedIndex(0)
	if got := b.s.Project().Shot("pier").Backend; got != "" {
		t.Errorf("choosing the project's default set the shot's backend to %q", got)
	}
}

// A render server's model is named by the model and the server.
func TestInspectorNamesRenderServers(t *testing.T) {
	names := []string{"animatic", "remote:gpu-box/animatic", "remote:hosted/Wan-AI/Wan2.2"}
	got := backendChoices("animatic", names)
	if !slices.Equal(got[2:], []string{"animatic on gpu-box", "Wan-AI/Wan2.2 on hosted"}) {
		t.Errorf("the choices are %q", got)
	}
	if b := backendNamed("animatic on gpu-box", names); b != "remote:gpu-box/animatic" {
		t.Errorf("backendNamed(animatic on gpu-box) = %q", b)
	}
}
