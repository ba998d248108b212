//go:build !linux

package miniaudio

// quiet does nothing where there is no ALSA.
type quiet struct{}

func holdQuiet() quiet { return quiet{} }

func (quiet) release() {}
