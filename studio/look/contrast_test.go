package look

import (
	"fmt"
	"image/color"
	"math"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

// layer is one colour of a surface, at alpha times its own opacity: a
// colour of the theme by name, or one the studio makes from them (mix).
type layer struct {
	name  fyne.ThemeColorName
	alpha float64
	mix   func(th fyne.Theme, v fyne.ThemeVariant) color.Color
}

// absolute is colour name at alpha a of 255, as the timeline's withAlpha
// draws it.
func absolute(name fyne.ThemeColorName, a uint8) layer {
	return layer{mix: func(th fyne.Theme, v fyne.ThemeVariant) color.Color {
		c := color.NRGBAModel.Convert(th.Color(name, v)).(color.NRGBA)
		c.A = a
		return c
	}}
}

// dipMiddle is the middle of a dip to black's mark: its gradient runs
// from the primary colour at 0x70 to black at 0x80 (at 0xc0, the label
// read at 3.5:1 in the light theme).
var dipMiddle = layer{mix: func(th fyne.Theme, v fyne.ThemeVariant) color.Color {
	p := color.NRGBAModel.Convert(th.Color(primary, v)).(color.NRGBA)
	return color.NRGBA{p.R / 2, p.G / 2, p.B / 2, (0x70 + 0x80) / 2}
}}

func on(names ...fyne.ThemeColorName) []layer {
	out := make([]layer, len(names))
	for i, n := range names {
		out[i] = layer{name: n, alpha: 1}
	}
	return out
}

// pair is a text colour the studio draws on a surface: the surface's
// colours from the bottom, each painted over the ones under it (and the
// bottom one over the window's background when it is see-through).
type pair struct {
	where string
	text  fyne.ThemeColorName
	on    []layer
	// large text (18 pt, or 14 pt bold) needs 3:1 instead of 4.5:1.
	large bool
}

const (
	bg       = theme.ColorNameBackground
	overlay  = theme.ColorNameOverlayBackground
	menu     = theme.ColorNameMenuBackground
	input    = theme.ColorNameInputBackground
	button   = theme.ColorNameButton
	disBtn   = theme.ColorNameDisabledButton
	hover    = theme.ColorNameHover
	focus    = theme.ColorNameFocus
	selected = theme.ColorNameSelection
	primary  = theme.ColorNamePrimary
	errorCol = theme.ColorNameError
	success  = theme.ColorNameSuccess
	warning  = theme.ColorNameWarning
)

// textPairs is every text colour the studio draws (its own canvas texts
// and the colours Fyne's widgets draw text in) on each background it
// draws it on, for the studio's theme.
var textPairs = []pair{
	// Labels, entries, selects, checks, menus, the player's timecode, the
	// timeline cards' titles.
	{"text on the window", theme.ColorNameForeground, on(bg), false},
	{"text in a dialog or pop-up", theme.ColorNameForeground, on(overlay), false},
	{"a menu item", theme.ColorNameForeground, on(menu), false},
	{"text in a field, a timeline card", theme.ColorNameForeground, on(input), false},
	{"a button's label", theme.ColorNameForeground, on(button), false},
	{"a hovered button's label", theme.ColorNameForeground, on(button, hover), false},
	{"a focused button's label", theme.ColorNameForeground, on(button, focus), false},
	{"a selected row or card", theme.ColorNameForeground, on(bg, selected), false},
	{"a hovered row", theme.ColorNameForeground, on(bg, hover), false},
	{"a focused select", theme.ColorNameForeground, on(bg, focus), false},
	// Placeholders; the timeline cards' details and the ruler's labels.
	{"a field's placeholder", theme.ColorNamePlaceHolder, on(input), false},
	{"a card's details, the ruler", theme.ColorNamePlaceHolder, on(input), false},
	{"a selected card's details", theme.ColorNamePlaceHolder, on(bg, selected), false},
	// Help and empty-state text (low-importance labels) and disabled
	// controls: Fyne draws both in the disabled colour.
	{"help and empty-state text", theme.ColorNameDisabled, on(bg), false},
	{"help text in a dialog", theme.ColorNameDisabled, on(overlay), false},
	{"a disabled menu item", theme.ColorNameDisabled, on(menu), false},
	{"a disabled field", theme.ColorNameDisabled, on(input), false},
	{"a disabled button", theme.ColorNameDisabled, on(disBtn), false},
	// High-importance labels, the cards' numbers, "rendering".
	{"highlighted text", primary, on(bg), false},
	{"highlighted text in a dialog", primary, on(overlay), false},
	{"a card's number", primary, on(input), false},
	{"a selected card's number", primary, on(bg, selected), false},
	{"a link", theme.ColorNameHyperlink, on(bg), false},
	{"a link in a dialog", theme.ColorNameHyperlink, on(overlay), false},
	// Messages: refusals beside fields, failed checks and renders.
	{"an error message", errorCol, on(bg), false},
	{"an error message in a dialog", errorCol, on(overlay), false},
	{"a card's failed status", errorCol, on(input), false},
	{"a selected card's failed status", errorCol, on(bg, selected), false},
	{"a warning", warning, on(bg), false},
	{"a warning in a dialog", warning, on(overlay), false},
	{"a passed check", success, on(bg), false},
	{"a success message in a dialog", success, on(overlay), false},
	{"a card's rendered status", success, on(input), false},
	{"a selected card's rendered status", success, on(bg, selected), false},
	// Buttons of importance: Record, Save, Delete.
	{"a primary button", theme.ColorNameForegroundOnPrimary, on(primary), false},
	{"a hovered primary button", theme.ColorNameForegroundOnPrimary, on(primary, hover), false},
	{"a focused primary button", theme.ColorNameForegroundOnPrimary, on(primary, focus), false},
	{"a danger button", theme.ColorNameForegroundOnError, on(errorCol), false},
	{"a hovered danger button", theme.ColorNameForegroundOnError, on(errorCol, hover), false},
	{"a focused danger button", theme.ColorNameForegroundOnError, on(errorCol, focus), false},
	{"a success button", theme.ColorNameForegroundOnSuccess, on(success), false},
	{"a warning button", theme.ColorNameForegroundOnWarning, on(warning), false},
	// The timeline's dialogue lane: a line's speaker on its block, and on
	// the selected line's; a transition's label in the band between the
	// rows, over the overlap's shade, mid-gradient.
	{"a line's speaker in the dialogue lane", theme.ColorNameForeground, []layer{{name: bg, alpha: 1}, absolute(input, 0x80), absolute(primary, 0x38)}, false},
	{"a selected line's speaker", theme.ColorNameForeground, []layer{{name: bg, alpha: 1}, absolute(input, 0x80), absolute(primary, 0x70)}, false},
	{"a crossfade's label", theme.ColorNameForeground, []layer{{name: bg, alpha: 1}, absolute(primary, 0x28), absolute(primary, 0x48)}, false},
	{"a dip to black's label", theme.ColorNameForeground, []layer{{name: bg, alpha: 1}, absolute(primary, 0x28), dipMiddle}, false},
	// (The recording wizard's prompt over the camera's picture is in
	// colours of its own: castui's TestWizardPromptReads.)
}

// barPairs are a progress bar's percentage: over the bar's fill, and over
// its track (the fill's colour at half opacity) on the window or a dialog,
// in the theme ProgressBar gives it.
var barPairs = []pair{
	{"a progress bar's percentage on its fill", theme.ColorNameForegroundOnPrimary, on(primary), false},
	{"a progress bar's percentage on its track", theme.ColorNameForegroundOnPrimary, []layer{{name: bg, alpha: 1}, {name: primary, alpha: 0.5}}, false},
	{"a progress bar's percentage in a dialog", theme.ColorNameForegroundOnPrimary, []layer{{name: overlay, alpha: 1}, {name: primary, alpha: 0.5}}, false},
}

// surface is the opaque colour of the layers in th, variant v.
func surface(th fyne.Theme, v fyne.ThemeVariant, layers []layer) color.NRGBA {
	s := Over(color.NRGBA{A: 0xff}, th.Color(bg, v), 1)
	for _, l := range layers {
		if l.mix != nil {
			s = Over(s, l.mix(th, v), 1)
		} else {
			s = Over(s, th.Color(l.name, v), l.alpha)
		}
	}
	return s
}

// failures lists every pair below its threshold in th, in both variants.
func failures(th fyne.Theme, pairs []pair) []string {
	var out []string
	for _, v := range []fyne.ThemeVariant{theme.VariantDark, theme.VariantLight} {
		variant := map[fyne.ThemeVariant]string{theme.VariantDark: "dark", theme.VariantLight: "light"}[v]
		for _, p := range pairs {
			want := 4.5
			if p.large {
				want = 3
			}
			back := surface(th, v, p.on)
			text := Over(back, th.Color(p.text, v), 1)
			if got := Contrast(text, back); got < want {
				out = append(out, fmt.Sprintf("%s theme: %s (%s %s on %s) has contrast %.2f:1, want %.1f:1", variant, p.where, p.text, hex(text), hex(back), got, want))
			}
		}
	}
	return out
}

func hex(c color.NRGBA) string { return fmt.Sprintf("#%02X%02X%02X", c.R, c.G, c.B) }

// TestContrast computes WCAG 2.2's contrast ratio for every text colour
// on every background the studio draws it on, in the dark and the light
// theme. With Fyne's own colours, help text was #39393A on #171718
// (1.5:1).
func TestContrast(t *testing.T) {
	test.NewTempApp(t) // the primary colour is the app's setting
	for _, f := range failures(New(), textPairs) {
		t.Error(f)
	}
	for _, f := range failures(progressTheme{New()}, barPairs) {
		t.Error(f)
	}
}

// TestContrastMeasures checks the arithmetic on WCAG's own examples.
func TestContrastMeasures(t *testing.T) {
	black, white := color.NRGBA{0, 0, 0, 255}, color.NRGBA{255, 255, 255, 255}
	for _, c := range []struct {
		a, b color.NRGBA
		want float64
	}{
		{black, white, 21},
		{white, white, 1},
		{color.NRGBA{0x76, 0x76, 0x76, 255}, white, 4.54},
		{color.NRGBA{0x39, 0x39, 0x3a, 255}, color.NRGBA{0x18, 0x1d, 0x25, 255}, 1.47},
	} {
		if got := Contrast(c.a, c.b); math.Abs(got-c.want) > 0.01*c.want {
			t.Errorf("contrast(%s, %s) = %.2f, want %.2f", hex(c.a), hex(c.b), got, c.want)
		}
	}
}
