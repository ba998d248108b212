//go:build !(linux || darwin || freebsd)

package cli

import "errors"

// freeSpace is not measured on this system.
func freeSpace(path string) (uint64, error) {
	return 0, errors.New("not measured on this system")
}
