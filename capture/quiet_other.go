//go:build !linux

package capture

// alsaQuiet does nothing where there is no ALSA.
type alsaQuiet struct{}

func quietALSA() alsaQuiet { return alsaQuiet{} }

func (alsaQuiet) release() {}
