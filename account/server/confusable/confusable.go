// Package confusable tells when two names look alike, by the skeleton of
// Unicode Technical Standard #39 (Unicode Security Mechanisms, section 4):
// two strings are confusable when their skeletons are equal. "rnara" and
// "mara" are, since "m" is drawn much like "rn"; so are "olive" and
// "o1ive".
//
// The data is Unicode's confusables.txt at the version in UnicodeVersion,
// kept in testdata/ and turned into the table in tables.go by
// TestTableIsGenerated (go test -run TestTableIsGenerated -update), which
// also fails when the two disagree.
package confusable

import (
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Skeleton is skeleton(s) as UTS #39 defines it: s in NFD, without its
// default-ignorable code points (zero-width spaces and joiners, soft
// hyphens, variation selectors), each character replaced by its
// prototype from confusables.txt, and the result in NFD again. It is for
// comparing, never for showing: a skeleton is a jumble of scripts.
func Skeleton(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		if defaultIgnorable(r) {
			continue
		}
		if p, ok := prototype(r); ok {
			b.WriteString(p)
		} else {
			b.WriteRune(r)
		}
	}
	return norm.NFD.String(b.String())
}

// Key is what names are compared by when case does not matter, as with
// handles and usernames: s in NFKC (so fullwidth and other compatibility
// forms are their plain letters) and in lower case, then its skeleton,
// put in lower case again. The last step is needed because
// confusables.txt maps some characters to capitals: the digit 0 has the
// prototype O, which a lower-case "o" does not share. Two names look
// alike when their keys are equal.
func Key(s string) string {
	return strings.ToLower(Skeleton(strings.ToLower(norm.NFKC.String(s))))
}

// prototype finds r's prototype in the table.
func prototype(r rune) (string, bool) {
	i, ok := slices.BinarySearchFunc(prototypes[:], r, func(e entry, r rune) int { return int(e.r - r) })
	if !ok {
		return "", false
	}
	return prototypes[i].s, true
}

// entry maps one character to its prototype.
type entry struct {
	r rune
	s string
}

// defaultIgnorable reports whether r has Unicode's derived property
// Default_Ignorable_Code_Point: Other_Default_Ignorable_Code_Point,
// variation selectors and format characters (Cf), less white space, the
// interlinear annotation characters, Egyptian hieroglyph format controls
// and prepended concatenation marks, which are visible.
func defaultIgnorable(r rune) bool {
	switch {
	case unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r), unicode.Is(unicode.Variation_Selector, r):
		return true
	case !unicode.Is(unicode.Cf, r), unicode.Is(unicode.White_Space, r), unicode.Is(unicode.Prepended_Concatenation_Mark, r):
		return false
	case 0xfff9 <= r && r <= 0xfffb, 0x13430 <= r && r <= 0x1343f:
		return false
	}
	return true
}
