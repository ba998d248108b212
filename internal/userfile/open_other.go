//go:build !unix

package userfile

// nonBlock is 0 where opening a file cannot block on a named pipe the way
// it does on Unix; Check and the check after opening still apply.
const nonBlock = 0
