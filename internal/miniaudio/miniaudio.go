// Package miniaudio opens sound devices through malgo (miniaudio) for the
// microphone (capture) and the speakers (playback): the context, the
// device's settings, finding a device by name, and keeping ALSA from
// printing a screenful of "ALSA lib pcm.c:…" lines while miniaudio probes
// for one.
package miniaudio

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/gen2brain/malgo"
)

// #include <stdlib.h>
import "C"

// Backends are every backend but miniaudio's null one, in miniaudio's own
// order: the null backend plays into nothing and records silence, which
// would hide a missing device from the person.
func Backends() []malgo.Backend {
	return []malgo.Backend{
		malgo.BackendWasapi, malgo.BackendDsound, malgo.BackendWinmm, malgo.BackendCoreaudio,
		malgo.BackendSndio, malgo.BackendAudio4, malgo.BackendOss, malgo.BackendPulseaudio,
		malgo.BackendAlsa, malgo.BackendJack, malgo.BackendAaudio, malgo.BackendOpensl,
	}
}

// Config is a device to open: 32-bit float samples, interleaved.
type Config struct {
	Kind     malgo.DeviceType // malgo.Capture or malgo.Playback
	Backends []malgo.Backend  // tried in order; nil means Backends()
	Channels int
	Rate     int // frames per second; miniaudio converts from the device's own
	// PeriodMS is the length of one buffer, and Periods how many of them
	// the device holds.
	PeriodMS, Periods int
	// LowLatency asks miniaudio to favour latency over robustness.
	LowLatency bool
	// ID picks a capture device by its ID or name, as Devices lists them;
	// "" is the system's default.
	ID string
	// Missing is the error that Open's error wraps when there is no such
	// device: the caller's own, which its callers match.
	Missing error
	// Data and Stop are miniaudio's callbacks, on its audio thread: Data
	// for each buffer, Stop when the device stops, by Stop or by itself.
	Data func(out, in []byte, frames uint32)
	Stop func()
}

// Device is an open device with its context and ALSA held quiet.
type Device struct {
	mctx  *malgo.AllocatedContext
	dev   *malgo.Device
	quiet quiet
	log   []string
	once  sync.Once
}

// Open opens the device cfg describes, not yet started. It can block on a
// sound server that does not answer: see Await.
func Open(cfg Config) (*Device, error) {
	backends := cfg.Backends
	if backends == nil {
		backends = Backends()
	}
	d := &Device{quiet: holdQuiet()}
	// miniaudio reports some things, such as the buffer it really got,
	// only in its log: keep what it says while the device opens.
	var logMu sync.Mutex
	opening := true
	mctx, err := malgo.InitContext(backends, malgo.ContextConfig{}, func(m string) {
		logMu.Lock()
		if opening {
			d.log = append(d.log, m)
		}
		logMu.Unlock()
	})
	if err != nil {
		d.quiet.release()
		return nil, fmt.Errorf("%w (%v)", cfg.Missing, err)
	}
	d.mctx = mctx
	mcfg := malgo.DefaultDeviceConfig(cfg.Kind)
	sub := &mcfg.Playback
	if cfg.Kind == malgo.Capture {
		sub = &mcfg.Capture
	}
	sub.Format = malgo.FormatF32
	sub.Channels = uint32(cfg.Channels)
	mcfg.SampleRate = uint32(cfg.Rate)
	mcfg.PeriodSizeInMilliseconds = uint32(cfg.PeriodMS)
	mcfg.Periods = uint32(cfg.Periods)
	if cfg.LowLatency {
		mcfg.PerformanceProfile = malgo.LowLatency
	}
	if cfg.ID != "" {
		id, err := find(mctx.Context, cfg.Kind, cfg.ID, cfg.Missing)
		if err != nil {
			d.closeContext()
			return nil, err
		}
		// miniaudio reads the ID during init only; the copy is C memory
		// because cgo may not hand C a Go pointer inside a struct.
		p := id.Pointer()
		defer C.free(p)
		sub.DeviceID = p
	}
	dev, err := malgo.InitDevice(mctx.Context, mcfg, malgo.DeviceCallbacks{Data: cfg.Data, Stop: cfg.Stop})
	if err != nil {
		d.closeContext()
		return nil, fmt.Errorf("%w (%v)", cfg.Missing, err)
	}
	d.dev = dev
	logMu.Lock()
	opening = false
	logMu.Unlock()
	return d, nil
}

// find finds a device of kind by ID or name.
func find(mctx malgo.Context, kind malgo.DeviceType, id string, missing error) (malgo.DeviceID, error) {
	devs, err := mctx.Devices(kind)
	if err != nil {
		return malgo.DeviceID{}, fmt.Errorf("list the devices: %w", err)
	}
	var names []string
	for _, d := range devs {
		if d.ID.String() == id || d.Name() == id {
			return d.ID, nil
		}
		names = append(names, fmt.Sprintf("%q", d.Name()))
	}
	if len(names) == 0 {
		return malgo.DeviceID{}, missing
	}
	return malgo.DeviceID{}, fmt.Errorf("%w by that ID or name; there are %s", missing, strings.Join(names, ", "))
}

// Log is what miniaudio logged while the device opened.
func (d *Device) Log() []string { return d.log }

// Start starts the device: Data is called from then on.
func (d *Device) Start() error { return d.dev.Start() }

// Stop stops the device; Data is not called once it returns.
func (d *Device) Stop() error { return d.dev.Stop() }

// Close releases the device, its context and ALSA; later calls do
// nothing.
func (d *Device) Close() {
	d.once.Do(func() {
		d.dev.Uninit()
		d.closeContext()
	})
}

func (d *Device) closeContext() {
	d.mctx.Uninit()
	d.mctx.Free()
	d.quiet.release()
}

// Info describes a device found by Devices.
type Info struct {
	ID      string // miniaudio's device ID, in hex: what Config.ID takes
	Name    string // such as "Built-in Audio Analog Stereo"
	Default bool   // the system's default
}

// Devices lists the devices of kind of the first of backends that
// answers (nil means Backends()). A machine without sound gets an empty
// list, not an error.
func Devices(kind malgo.DeviceType, backends []malgo.Backend) ([]Info, error) {
	if backends == nil {
		backends = Backends()
	}
	q := holdQuiet()
	defer q.release()
	mctx, err := malgo.InitContext(backends, malgo.ContextConfig{}, nil)
	if err != nil {
		return nil, nil // no sound system at all
	}
	defer func() {
		mctx.Uninit()
		mctx.Free()
	}()
	devs, err := mctx.Devices(kind)
	if err != nil {
		return nil, err
	}
	out := make([]Info, 0, len(devs))
	for _, d := range devs {
		out = append(out, Info{ID: d.ID.String(), Name: d.Name(), Default: d.IsDefault != 0})
	}
	return out, nil
}

// Await runs open aside and waits for it until ctx ends: opening a device
// can block for a while on a sound server that does not answer. A device
// that opens after ctx ended is closed. The error is ctx's then.
func Await[T interface{ Close() error }](ctx context.Context, open func() (T, error)) (T, error) {
	var zero T
	if err := ctx.Err(); err != nil {
		return zero, err
	}
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := open()
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		go func() {
			if r := <-done; r.err == nil {
				r.v.Close()
			}
		}()
		return zero, ctx.Err()
	}
}
