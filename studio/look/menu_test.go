package look

import (
	"image/color"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// TestMenuShortcutsRead: the shortcut a menu item shows ("Ctrl+Z" beside
// Undo) is drawn by Fyne's own menu widget in a colour it makes from the
// theme's foreground; it must read at 4.5:1 on the menu's background in
// both variants. (With Fyne's opaque foreground it came out at 20 %
// opacity: 1.6:1.)
func TestMenuShortcutsRead(t *testing.T) {
	for _, v := range []fyne.ThemeVariant{theme.VariantDark, theme.VariantLight} {
		app := test.NewTempApp(t)
		th := New()
		app.Settings().SetTheme(variantTheme{th, v})
		item := fyne.NewMenuItem("Undo", func() {})
		item.Shortcut = &desktop.CustomShortcut{KeyName: fyne.KeyZ, Modifier: fyne.KeyModifierShortcutDefault}
		m := widget.NewMenu(fyne.NewMenu("Edit", item))
		w := test.NewWindow(m)
		w.Resize(fyne.NewSize(300, 200))
		var found []*canvas.Text
		walk(w.Canvas().Content(), func(o fyne.CanvasObject) {
			if tx, ok := o.(*canvas.Text); ok && strings.Contains(tx.Text, "Z") {
				found = append(found, tx)
			}
		})
		if len(found) == 0 {
			t.Fatalf("variant %d: the menu item shows no shortcut", v)
		}
		back := color.NRGBAModel.Convert(th.Color(theme.ColorNameMenuBackground, v)).(color.NRGBA)
		for _, tx := range found {
			fg := over(color.NRGBAModel.Convert(tx.Color).(color.NRGBA), back)
			if r := Contrast(fg, back); r < 4.5 {
				t.Errorf("variant %d: the shortcut %q is %v on %v, %.2f:1, want 4.5:1", v, tx.Text, tx.Color, back, r)
			}
		}
		w.Close()
	}
}

// variantTheme is th always in variant v, as a desktop set to v draws it.
type variantTheme struct {
	*Theme
	v fyne.ThemeVariant
}

func (t variantTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return t.Theme.Color(n, t.v)
}

// over is fg painted over an opaque back.
func over(fg, back color.NRGBA) color.NRGBA {
	a := float64(fg.A) / 255
	mix := func(f, b uint8) uint8 { return uint8(float64(f)*a + float64(b)*(1-a) + 0.5) }
	return color.NRGBA{mix(fg.R, back.R), mix(fg.G, back.G), mix(fg.B, back.B), 0xff}
}

func walk(o fyne.CanvasObject, f func(fyne.CanvasObject)) {
	f(o)
	switch x := o.(type) {
	case *fyne.Container:
		for _, c := range x.Objects {
			walk(c, f)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			walk(c, f)
		}
	}
}
