// Package look is the studio's look: its theme, Fyne's own with the
// colours that Fyne's would draw too faint changed, so that every text the
// studio shows meets WCAG 2.2 AA contrast (4.5:1, 3:1 for large text) in
// the dark and the light variant; contrast_test.go computes it for every
// text colour and background the studio draws. The shell installs the
// theme; rooms that show a progress bar wrap it in ProgressBar.
package look

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
)

// Theme is the studio's theme: Fyne's default with the colours in its
// table changed. Fonts, icons and sizes are Fyne's.
type Theme struct {
	base   fyne.Theme
	colors map[fyne.ThemeVariant]map[fyne.ThemeColorName]color.Color
}

var _ fyne.Theme = (*Theme)(nil)

// New is the studio's theme, for both variants.
func New() *Theme {
	return &Theme{base: theme.DefaultTheme(), colors: studioColors()}
}

// studioColors are the colours the studio changes from Fyne's, each to
// the nearest that reads at 4.5:1 on every background it is drawn on
// (contrast_test.go lists them). Help and empty-state text is a
// low-importance label, which Fyne draws in the disabled colour: at
// Fyne's #39393A on #171718 it read at 1.5:1. The primary colour is fixed
// rather than the desktop's choice, which could be any hue.
func studioColors() map[fyne.ThemeVariant]map[fyne.ThemeColorName]color.Color {
	return map[fyne.ThemeVariant]map[fyne.ThemeColorName]color.Color{
		theme.VariantDark: {
			theme.ColorNameDisabled:            rgb(0xa0, 0xa0, 0xa6),
			theme.ColorNamePrimary:             rgb(0x5c, 0x9d, 0xff),
			theme.ColorNameHyperlink:           rgb(0x5c, 0x9d, 0xff),
			theme.ColorNameForegroundOnPrimary: rgb(0x17, 0x17, 0x18),
			theme.ColorNameError:               rgb(0xff, 0x6b, 0x6b),
		},
		theme.VariantLight: {
			// Darker than Fyne's #565656, so that placeholders and help
			// text, which must be dark enough to read, still look fainter.
			theme.ColorNameForeground:          rgb(0x20, 0x20, 0x20),
			theme.ColorNamePlaceHolder:         rgb(0x5a, 0x5a, 0x5a),
			theme.ColorNameDisabled:            rgb(0x68, 0x68, 0x68),
			theme.ColorNamePrimary:             rgb(0x15, 0x53, 0xc7),
			theme.ColorNameHyperlink:           rgb(0x15, 0x53, 0xc7),
			theme.ColorNameForegroundOnPrimary: rgb(0xff, 0xff, 0xff),
			theme.ColorNameError:               rgb(0xa8, 0x18, 0x18),
			theme.ColorNameWarning:             rgb(0x8a, 0x4b, 0x00),
			theme.ColorNameSuccess:             rgb(0x17, 0x66, 0x1c),
			theme.ColorNameForegroundOnError:   rgb(0xff, 0xff, 0xff),
			theme.ColorNameForegroundOnWarning: rgb(0xff, 0xff, 0xff),
			theme.ColorNameForegroundOnSuccess: rgb(0xff, 0xff, 0xff),
		},
	}
}

func rgb(r, g, b uint8) color.NRGBA { return color.NRGBA{r, g, b, 0xff} }

// Color is the studio's colour name in variant v, else Fyne's.
func (t *Theme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	c, ok := t.colors[v][n]
	if !ok {
		c = t.base.Color(n, v)
	}
	if n == theme.ColorNameForeground {
		return menuSafe(c)
	}
	return c
}

// menuSafeAlpha is the foreground's alpha, of 0xffff: opaque to the eye
// (99.9 %), and the one at which Fyne 2.7's menus draw their shortcuts
// ("Ctrl+Z") opaque too. Fyne's widget.shortcutColor takes the
// foreground's 16-bit RGBA and keeps only the low byte of each channel
// and of 95 % of the alpha: for an opaque foreground (0xffff) that alpha
// is 0x32, so every shortcut in the menus read at 20 % opacity, 1.6:1.
// At 0xffca, 95 % is 0xf2ff, whose low byte is 0xff.
const menuSafeAlpha = 0xffca

// foreground is an opaque colour as a premultiplied colour of
// menuSafeAlpha whose channels' low bytes are the colour's own, which is
// what Fyne's menus read from it.
type foreground struct{ r, g, b uint8 }

// RGBA is the colour at menuSafeAlpha, premultiplied as color.Color
// requires (no channel above the alpha).
func (f foreground) RGBA() (r, g, b, a uint32) {
	ch := func(v uint8) uint32 { return min(uint32(v)*0x101, menuSafeAlpha) }
	return ch(f.r), ch(f.g), ch(f.b), menuSafeAlpha
}

// menuSafe is c as a foreground, when c is opaque (a see-through one is
// kept as it is).
func menuSafe(c color.Color) color.Color {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	if n.A != 0xff {
		return c
	}
	return foreground{n.R, n.G, n.B}
}

// Font is Fyne's.
func (t *Theme) Font(s fyne.TextStyle) fyne.Resource { return t.base.Font(s) }

// Icon is Fyne's.
func (t *Theme) Icon(n fyne.ThemeIconName) fyne.Resource { return t.base.Icon(n) }

// Size is Fyne's.
func (t *Theme) Size(n fyne.ThemeSizeName) float32 { return t.base.Size(n) }

// ProgressBar is bar in the colours a progress bar needs: its percentage
// is drawn across both the bar's fill and its track, the fill's colour at
// half opacity, and one text colour can stand out from both only if the
// fill is dark under light text (or light under dark text), which is not
// the primary colour that also has to read as text on the background.
func ProgressBar(bar fyne.CanvasObject) fyne.CanvasObject {
	return container.NewThemeOverride(bar, progressTheme{New()})
}

// progressTheme is the studio's theme with a progress bar's colours: in
// the dark variant a darker fill under white, in the light one a lighter
// fill under near-black.
type progressTheme struct{ *Theme }

// Color is the progress bar's colour for n in variant v.
func (t progressTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	dark := v == theme.VariantDark
	switch {
	case n == theme.ColorNamePrimary && dark:
		return rgb(0x20, 0x60, 0xe0)
	case n == theme.ColorNamePrimary:
		return rgb(0x4a, 0x8b, 0xff)
	case n == theme.ColorNameForegroundOnPrimary && dark:
		return rgb(0xff, 0xff, 0xff)
	case n == theme.ColorNameForegroundOnPrimary:
		return rgb(0x11, 0x11, 0x11)
	}
	return t.Theme.Color(n, v)
}
