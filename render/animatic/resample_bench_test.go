package animatic

import (
	"testing"

	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/timeline"
)

// BenchmarkResample times drawing one 720p frame from a card canvas.
func BenchmarkResample(b *testing.B) {
	g := newGeometry(1280, 720)
	f, _ := loadFonts()
	p := timeline.New("Bench")
	s := timeline.NewShot("Harbour at dusk")
	s.Prompt = "A small fishing harbour at dusk, a lighthouse beam sweeping over calm water"
	s.Camera.Framing = timeline.Wide
	p.Shots = []*timeline.Shot{s}
	canvas := toPlanes(drawCard(f, g, render.NewRequest(p, 0, "")))
	canvas.markBusy()
	dst := newPlanes(1280, 720)
	for _, m := range []timeline.Move{timeline.PanRight, timeline.ZoomIn} {
		for _, w := range []int{1, 2} {
			b.Run(string(m)+"-"+string(rune('0'+w)), func(b *testing.B) {
				sm := sampler{workers: w}
				for i := range b.N {
					sm.resample(canvas, dst, cameraAt(g, m, float64(i%300)/299))
				}
			})
		}
	}
}
