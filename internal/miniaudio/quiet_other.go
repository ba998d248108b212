//go:build !linux

package miniaudio

// Handle does nothing where there is no ALSA.
type Handle struct{}

// Hold does nothing where there is no ALSA.
func Hold() Handle { return Handle{} }

// Release does nothing where there is no ALSA.
func (Handle) Release() {}
