package media

import (
	"os"
	"syscall"
)

// fSetPipeSize is Linux's F_SETPIPE_SZ, which the syscall package lacks.
const fSetPipeSize = 1031

// growPipe asks for a 1 MB pipe buffer, the default most a user may set
// (/proc/sys/fs/pipe-max-size); if refused, the pipe stays as it was.
func growPipe(f *os.File) {
	syscall.Syscall(syscall.SYS_FCNTL, f.Fd(), fSetPipeSize, 1<<20)
}
