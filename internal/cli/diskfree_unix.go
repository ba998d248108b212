//go:build linux || darwin || freebsd

package cli

import "syscall"

// freeSpace is how many bytes an unprivileged user may still write on the
// filesystem holding path.
func freeSpace(path string) (uint64, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(path, &st); err != nil {
		return 0, err
	}
	return uint64(st.Bavail) * uint64(st.Bsize), nil
}
