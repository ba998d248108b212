package storyboard

import (
	"image"
	"testing"

	"fyne.io/fyne/v2/test"
)

// TestCardPictureKeepsItsShape: a card shows its picture in a box of the
// picture's own shape, so a vertical project's upright first frame is
// not set in a 16:9 box (where it sat small, away from the card's edge),
// and a 16:9 one still fills its box.
func TestCardPictureKeepsItsShape(t *testing.T) {
	for _, tc := range []struct {
		name string
		w, h int
	}{
		{"vertical", 51, 90},
		{"widescreen", 160, 90},
		{"square", 90, 90},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newBoard(t, kite())
			b.card = image.NewRGBA(image.Rect(0, 0, tc.w, tc.h))
			b.strip.ThumbnailReady()
			c := b.cards()[0]
			test.WidgetRenderer(c).Layout(c.Size())
			sz := c.thumb.Size()
			if c.thumb.Hidden || sz.Height <= 0 {
				t.Fatalf("card 1 shows no picture (hidden %v, size %v)", c.thumb.Hidden, sz)
			}
			got, want := sz.Width/sz.Height, float32(tc.w)/float32(tc.h)
			if got < want*0.95 || got > want*1.05 {
				t.Errorf("card 1's picture box is %v×%v (shape %.2f) for a %d×%d picture (shape %.2f)", sz.Width, sz.Height, got, tc.w, tc.h, want)
			}
		})
	}
}
