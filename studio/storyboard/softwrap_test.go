package storyboard

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"pgregory.net/rapid"

	"github.com/slatestudio/slate/studio/studiotest"
)

// cellWidths measures every rune as one unit wide, and counts the runes
// it was asked to measure.
func cellWidths(measured *int) *widths {
	return newWidths(func(s string) float32 {
		n := utf8.RuneCountInString(s)
		if measured != nil {
			*measured += n
		}
		return float32(n)
	})
}

func TestLayOut(t *testing.T) {
	for _, c := range []struct {
		value string
		width float32
		shown string
	}{
		{"", 10, ""},
		{"a harbour at dusk", 10, "a harbour\nat dusk"},
		{"a harbour at dusk", 9, "a harbour\nat dusk"},
		{"a harbour at dusk", 8, "a\nharbour\nat dusk"},
		{"one\ntwo three four", 9, "one\ntwo three\nfour"},
		{"lighthouses", 4, "ligh\nthou\nses"},
		{"a lighthouse", 4, "a\nligh\nthou\nse"},
		{"ab        cd", 4, "ab  \n    \ncd"},
		{"ab  cd", 4, "ab \ncd"},
		{" lighthouse", 4, " lig\nhtho\nuse"},
		{"a\n\nb", 4, "a\n\nb"},
	} {
		got := layOut([]rune(c.value), c.width, cellWidths(nil))
		if string(got.shown) != c.shown {
			t.Errorf("layOut(%q, %v) shows %q, want %q", c.value, c.width, string(got.shown), c.shown)
		}
		if v := got.valueOf(0, len(got.shown)); v != c.value {
			t.Errorf("layOut(%q, %v) stands for %q", c.value, c.width, v)
		}
	}
}

// TestLayOutLinear: laying out the longest prompt measures each rune a
// bounded number of times, however narrow the lines.
func TestLayOutLinear(t *testing.T) {
	value := []rune(studiotest.LongPrompt(32000))
	for _, width := range []float32{3, 40, 400} {
		measured := 0
		layOut(value, width, cellWidths(&measured))
		if measured > 2*len(value) {
			t.Errorf("layOut of %d runes at width %v measured %d runes, want at most %d", len(value), width, measured, 2*len(value))
		}
	}
}

// TestSoftTextProperties checks, for random texts, widths and edits, that
// the shown text stands for the value, that no line is wider than the
// width, and that an insertion or a deletion made
// in the shown text (as the person types in the entry) changes the value
// in the same place.
func TestSoftTextProperties(t *testing.T) {
	alphabet := []rune("ab  \n\u00e9\u6f22")
	runes := rapid.SliceOfN(rapid.SampledFrom(alphabet), 0, 60)
	rapid.Check(t, func(t *rapid.T) {
		value := runes.Draw(t, "value")
		width := float32(rapid.IntRange(1, 12).Draw(t, "width"))
		st := layOut(value, width, cellWidths(nil))
		if got := st.valueOf(0, len(st.shown)); got != string(value) {
			t.Fatalf("shown %q stands for %q, want %q", string(st.shown), got, string(value))
		}
		for _, line := range strings.Split(string(st.shown), "\n") {
			if float32(utf8.RuneCountInString(line)) > width {
				t.Fatalf("line %q of %q is wider than %v", line, string(st.shown), width)
			}
		}
		for i, b := range st.soft {
			if st.shown[b.at] != '\n' || i > 0 && st.soft[i-1].at >= b.at {
				t.Fatalf("soft breaks %v in %q", st.soft, string(st.shown))
			}
		}

		// One edit in the shown text.
		a := rapid.IntRange(0, len(st.shown)).Draw(t, "at")
		shown := slices.Clone(st.shown)
		var want string
		var cursor int
		if rapid.Bool().Draw(t, "insert") {
			ins := rapid.SliceOfN(rapid.SampledFrom(alphabet), 1, 5).Draw(t, "inserted")
			shown = slices.Insert(shown, a, ins...)
			va := st.valueOffset(a)
			want = string(value[:va]) + string(ins) + string(value[va:])
			cursor = a + len(ins)
		} else {
			b := rapid.IntRange(a, len(st.shown)).Draw(t, "to")
			shown = slices.Delete(shown, a, b)
			want = string(value[:st.valueOffset(a)]) + string(value[st.valueOffset(b):])
			cursor = a
		}
		after := st.edited(shown, cursor)
		if got := after.valueOf(0, len(after.shown)); got != want {
			t.Fatalf("value %q shown %q, edited to %q (cursor %d): value %q, want %q", string(value), string(st.shown), string(shown), cursor, got, want)
		}
	})
}

func TestSoftTextOffsets(t *testing.T) {
	st := layOut([]rune("a lighthouse"), 4, cellWidths(nil)) // "a\nligh\nthou\nse"
	for _, c := range []struct{ value, shown int }{
		{0, 0}, {1, 1}, {2, 2}, {6, 7}, {7, 8}, {12, 14},
	} {
		if got := st.shownOffset(c.value); got != c.shown {
			t.Errorf("shownOffset(%d) = %d, want %d", c.value, got, c.shown)
		}
		if got := st.valueOffset(c.shown); got != c.value {
			t.Errorf("valueOffset(%d) = %d, want %d", c.shown, got, c.value)
		}
	}
	if got := st.valueOf(0, 9); got != "a lighth" {
		t.Errorf("valueOf(0, 9) = %q, want %q", got, "a lighth")
	}
}
