//go:build !linux || !cgo

package ml

import "errors"

// gpuFree is known only on Linux, through NVIDIA's management library.
func gpuFree(device int) (uint64, error) {
	return 0, errors.New("Slate reads GPU memory only on Linux")
}
