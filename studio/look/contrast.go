package look

import (
	"image/color"
	"math"
)

// Contrast is WCAG 2.2's contrast ratio of text drawn in colour text on
// background, from 1 to 21: text needs 4.5, large text (18 pt, or 14 pt
// bold) 3. A see-through text colour is painted over the background first;
// the background counts as opaque.
func Contrast(text, background color.Color) float64 {
	back := Over(color.NRGBA{A: 0xff}, background, 1)
	t := Over(back, text, 1)
	lt, lb := luminance(t), luminance(back)
	return (max(lt, lb) + 0.05) / (min(lt, lb) + 0.05)
}

// Over is c painted at alpha times its own opacity over under, as the
// renderer blends; the result is opaque.
func Over(under, c color.Color, alpha float64) color.NRGBA {
	u := color.NRGBAModel.Convert(under).(color.NRGBA)
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	a := float64(n.A) / 255 * alpha
	mix := func(u, o uint8) uint8 { return uint8(math.Round(float64(o)*a + float64(u)*(1-a))) }
	return color.NRGBA{mix(u.R, n.R), mix(u.G, n.G), mix(u.B, n.B), 0xff}
}

// luminance is c's relative luminance as WCAG 2.2 defines it.
func luminance(c color.NRGBA) float64 {
	lin := func(v uint8) float64 {
		s := float64(v) / 255
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(c.R) + 0.7152*lin(c.G) + 0.0722*lin(c.B)
}
