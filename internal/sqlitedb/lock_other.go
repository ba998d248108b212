//go:build !unix

package sqlitedb

// DirLock does nothing where flock is missing: there, run one process per
// data directory yourself.
type DirLock struct{}

// Lock does nothing where flock is missing.
func Lock(string) (*DirLock, error) { return &DirLock{}, nil }

// Release does nothing where flock is missing.
func (*DirLock) Release() {}
