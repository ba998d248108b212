//go:build !unix

package server

// dirLock does nothing where flock is missing: there, run one server per
// data directory yourself.
type dirLock struct{}

func lockDir(string) (*dirLock, error) { return &dirLock{}, nil }

func (*dirLock) release() {}
