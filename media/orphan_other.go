//go:build !linux

package media

import "os/exec"

// dieWithSlate does nothing where the kernel cannot tie a child's life to
// its parent's.
func dieWithSlate(*exec.Cmd) {}
