//go:build !unix

package userfiletest

import "testing"

// Mkfifo skips the test: named pipes that block open() are a Unix matter.
func Mkfifo(t testing.TB, path string) {
	t.Helper()
	t.Skip("no named pipes here")
}
