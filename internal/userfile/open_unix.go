//go:build unix

package userfile

import "syscall"

// nonBlock opens a named pipe at once, even with no one at its other end;
// the file is then refused as not regular. Regular files ignore it.
const nonBlock = syscall.O_NONBLOCK
