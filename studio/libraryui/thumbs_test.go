package libraryui

import (
	"testing"
	"time"

	"github.com/slatestudio/slate/media"
)

// A card's picture has the project's shape: a vertical 1080×1920
// project's is upright, a 16:9 one's wide (the cards showed every
// project's first frame drawn at 160×90).
func TestCardThumbnailHasTheProjectsShape(t *testing.T) {
	for _, tc := range []struct {
		name          string
		width, height int
	}{
		{"vertical", 1080, 1920},
		{"widescreen", 1280, 720},
		{"square", 1080, 1080},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := starterProject("The Kite")
			p.Width, p.Height = tc.width, tc.height
			f := newFixture(t, media.FindTools(), p)
			var w, h int
			f.until("the first card's picture", 30*time.Second, func() bool {
				img := f.thumbs.Get(t.Context(), 0)
				if img == nil {
					return false
				}
				b := img.Bounds()
				w, h = b.Dx(), b.Dy()
				return true
			})
			if h != thumbH {
				t.Errorf("picture is %d×%d; want it %d high", w, h, thumbH)
			}
			// Within a pixel of the project's shape (the width is rounded).
			want := float64(thumbH) * float64(tc.width) / float64(tc.height)
			if d := float64(w) - want; d < -1 || d > 1 {
				t.Errorf("picture is %d×%d for a %d×%d project; want it about %.0f wide", w, h, tc.width, tc.height, want)
			}
		})
	}
}
