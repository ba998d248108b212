// Package quietlocale keeps Fyne from logging "Error parsing user locale
// C" on every start where LANG is C.UTF-8, as on most containers and
// servers. Fyne's lang package reads the locale in its init through
// jeandeaual/go-locale, which takes "C.UTF-8" for a language called "C".
//
// Go initializes packages in import-path order once their imports are
// ready, so this package, whose path sorts before fyne.io, runs its init
// first: where the locale is a C locale and LANGUAGE is unset, it sets
// LANGUAGE=en for the length of start-up. Restore, called first thing in
// main, puts the environment back, so programs Slate runs (ffmpeg,
// espeak-ng) see it as it was. It is its own module, under that path,
// because its path is what orders it; go.mod replaces it with this folder.
package quietlocale

import (
	"os"
	"strings"
)

var set bool

func init() {
	if _, ok := os.LookupEnv("LANGUAGE"); ok {
		return
	}
	locale := ""
	for _, env := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if locale = os.Getenv(env); locale != "" {
			break
		}
	}
	base, _, _ := strings.Cut(locale, ".")
	if base == "C" && locale != "C" { // "C" alone go-locale handles itself
		set = os.Setenv("LANGUAGE", "en") == nil
	}
}

// Restore undoes what init did to the environment.
func Restore() {
	if set {
		os.Unsetenv("LANGUAGE")
		set = false
	}
}
