package media

import (
	"os/exec"
	"syscall"
)

// dieWithSlate has the kernel kill a program when the Slate process that
// started it dies, however it dies. Killed with SIGKILL, Slate cannot stop
// its ffmpeg itself, and an orphaned encoder would go on writing a
// temporary file that the next run has already swept away, or create it
// again after the sweep.
//
// The signal follows the thread that started the program, not the
// process. Go ends a thread only when the one goroutine locked to it
// returns without unlocking; a program started from such a goroutine
// would die with it, and no goroutine of Slate's starts a program and
// then ends that way.
func dieWithSlate(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
