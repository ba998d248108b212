package capture

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/gen2brain/malgo"

	"github.com/slatestudio/slate/internal/clock"
	"github.com/slatestudio/slate/internal/miniaudio"
)

// MicRate and MicChannels are what Slate records: 48 kHz, the rate of
// every sound in a film, and one channel, since a laptop's microphones
// hear one voice. miniaudio converts from whatever the device does.
const (
	MicRate     = 48000
	MicChannels = 1
)

// The microphone's buffers: 10 ms periods, so the meter moves smoothly
// and each buffer's time is close to its samples'; two seconds of them
// queued for a reader that falls behind.
const (
	micPeriodMS = 10
	micQueue    = 2 * 1000 / micPeriodMS
)

// ErrNoMicrophone is wrapped by OpenMicrophone's error when there is no
// microphone to open.
var ErrNoMicrophone = errors.New("no microphone was found")

// micBackends are every backend but miniaudio's null one, in miniaudio's
// own order: the null backend records silence, which would hide a missing
// microphone from the person.
func micBackends() []malgo.Backend {
	return []malgo.Backend{
		malgo.BackendWasapi, malgo.BackendDsound, malgo.BackendWinmm, malgo.BackendCoreaudio,
		malgo.BackendSndio, malgo.BackendAudio4, malgo.BackendOss, malgo.BackendPulseaudio,
		malgo.BackendAlsa, malgo.BackendJack, malgo.BackendAaudio, malgo.BackendOpensl,
	}
}

// MicrophoneInfo describes a microphone found by ListMicrophones.
type MicrophoneInfo struct {
	ID      string // miniaudio's device ID, in hex: what OpenMicrophone takes
	Name    string // such as "Built-in Audio Analog Stereo"
	Default bool   // the system's default input
}

// ListMicrophones lists the capture devices of the first sound system
// that answers (PulseAudio or PipeWire, then ALSA, on Linux). A machine
// without sound gets an empty list, not an error.
func ListMicrophones() ([]MicrophoneInfo, error) {
	return listMicrophones(micBackends())
}

func listMicrophones(backends []malgo.Backend) ([]MicrophoneInfo, error) {
	q := miniaudio.Hold()
	defer q.Release()
	mctx, err := malgo.InitContext(backends, malgo.ContextConfig{}, nil)
	if err != nil {
		return nil, nil // no sound system at all
	}
	defer func() {
		mctx.Uninit()
		mctx.Free()
	}()
	devs, err := mctx.Devices(malgo.Capture)
	if err != nil {
		return nil, fmt.Errorf("list microphones: %w", err)
	}
	mics := make([]MicrophoneInfo, 0, len(devs))
	for _, d := range devs {
		mics = append(mics, MicrophoneInfo{ID: d.ID.String(), Name: d.Name(), Default: d.IsDefault != 0})
	}
	return mics, nil
}

// MalgoMicrophone is a microphone opened through miniaudio. It records
// from Open to Close, like V4L2Camera, so a take starts with sound
// already flowing.
type MalgoMicrophone struct {
	mctx  *malgo.AllocatedContext
	dev   *malgo.Device
	quiet miniaudio.Handle
	clock clock.Clock
	epoch time.Time

	buffers  chan Buffer
	lost     chan struct{} // closed when the device stopped by itself
	lostOnce sync.Once
	closing  atomic.Bool
	overruns atomic.Int64

	closeOnce sync.Once
}

var (
	_ Microphone = (*MalgoMicrophone)(nil)
	_ Epocher    = (*MalgoMicrophone)(nil)
)

// OpenMicrophone opens and starts the microphone with the given ID or
// name from ListMicrophones, or the default one for "", recording 48 kHz
// mono float32. Buffers are stamped with clock from the moment it
// started. Where there is none the error wraps ErrNoMicrophone. Opening
// can block on a sound server that does not answer, so it gives up when
// ctx ends. Close it when done.
func OpenMicrophone(ctx context.Context, id string, clock clock.Clock) (*MalgoMicrophone, error) {
	return openMicrophone(ctx, micBackends(), id, clock)
}

func openMicrophone(ctx context.Context, backends []malgo.Backend, id string, clock clock.Clock) (*MalgoMicrophone, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("open the microphone: %w", err)
	}
	type result struct {
		m   *MalgoMicrophone
		err error
	}
	done := make(chan result, 1)
	go func() {
		m, err := openMicrophoneNow(backends, id, clock)
		done <- result{m, err}
	}()
	select {
	case r := <-done:
		return r.m, r.err
	case <-ctx.Done():
		go func() {
			if r := <-done; r.m != nil {
				r.m.Close()
			}
		}()
		return nil, fmt.Errorf("open the microphone: %w", ctx.Err())
	}
}

func openMicrophoneNow(backends []malgo.Backend, id string, clock clock.Clock) (*MalgoMicrophone, error) {
	m := &MalgoMicrophone{
		quiet:   miniaudio.Hold(),
		clock:   clock,
		buffers: make(chan Buffer, micQueue),
		lost:    make(chan struct{}),
	}
	mctx, err := malgo.InitContext(backends, malgo.ContextConfig{}, nil)
	if err != nil {
		m.quiet.Release()
		return nil, fmt.Errorf("open the microphone: %w: %v", ErrNoMicrophone, err)
	}
	m.mctx = mctx
	cfg := malgo.DefaultDeviceConfig(malgo.Capture)
	cfg.Capture.Format = malgo.FormatF32
	cfg.Capture.Channels = MicChannels
	cfg.SampleRate = MicRate
	cfg.PeriodSizeInMilliseconds = micPeriodMS
	cfg.Periods = 3
	if id != "" {
		devID, err := findMicrophone(mctx.Context, id)
		if err != nil {
			m.closeContext()
			return nil, err
		}
		// miniaudio reads the ID during init only; the copy is C memory
		// because cgo may not hand C a Go pointer inside a struct.
		p := devID.Pointer()
		defer freeC(p)
		cfg.Capture.DeviceID = p
	}
	dev, err := malgo.InitDevice(mctx.Context, cfg, malgo.DeviceCallbacks{Data: m.data, Stop: m.stopped})
	if err != nil {
		m.closeContext()
		return nil, fmt.Errorf("open the microphone: %w (%v)", ErrNoMicrophone, err)
	}
	m.dev = dev
	m.epoch = clock.Now()
	if err := dev.Start(); err != nil {
		m.Close()
		return nil, fmt.Errorf("start the microphone: %w", err)
	}
	return m, nil
}

// findMicrophone finds a capture device by ID or name.
func findMicrophone(mctx malgo.Context, id string) (malgo.DeviceID, error) {
	devs, err := mctx.Devices(malgo.Capture)
	if err != nil {
		return malgo.DeviceID{}, fmt.Errorf("open microphone %q: list the microphones: %w", id, err)
	}
	var names []string
	for _, d := range devs {
		if d.ID.String() == id || d.Name() == id {
			return d.ID, nil
		}
		names = append(names, fmt.Sprintf("%q", d.Name()))
	}
	if len(names) == 0 {
		return malgo.DeviceID{}, fmt.Errorf("open microphone %q: %w", id, ErrNoMicrophone)
	}
	return malgo.DeviceID{}, fmt.Errorf("open microphone %q: %w by that ID or name; there are %s", id, ErrNoMicrophone, strings.Join(names, ", "))
}

// data is miniaudio's callback, on its audio thread. It copies the
// samples, stamps them with the time of their first sample (now, less the
// buffer's length: the buffer has just filled) and queues them without
// waiting: when the queue is full the oldest buffer goes, and counts as an
// overrun.
func (m *MalgoMicrophone) data(_, in []byte, frames uint32) {
	now := m.clock.Now()
	n := len(in) / 4
	if n == 0 {
		return
	}
	s := make([]float32, n)
	copy(s, unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(in))), n))
	b := Buffer{Time: now.Sub(m.epoch) - time.Duration(frames)*time.Second/MicRate, Samples: s}
	for {
		select {
		case m.buffers <- b:
			return
		default:
		}
		select {
		case <-m.buffers:
			m.overruns.Add(1)
		default:
		}
	}
}

// stopped is miniaudio's stop callback. Outside Close it means the device
// went away.
func (m *MalgoMicrophone) stopped() {
	if !m.closing.Load() {
		m.lostOnce.Do(func() { close(m.lost) })
	}
}

// Format returns 48 kHz mono.
func (m *MalgoMicrophone) Format() AudioFormat {
	return AudioFormat{Rate: MicRate, Channels: MicChannels}
}

// Epoch is when the microphone started, on its clock: buffer times count
// from it.
func (m *MalgoMicrophone) Epoch() time.Time { return m.epoch }

// Overruns is how many buffers were lost because nobody read them in time.
func (m *MalgoMicrophone) Overruns() int { return int(m.overruns.Load()) }

// ReadBuffer returns the next buffer. A device that went away gives an
// error wrapping ErrUnplugged, once the buffers it sent are read; one
// that sends nothing for two seconds (a real-time watchdog: sound
// hardware runs on real time whatever the take's clock) an error saying
// so.
func (m *MalgoMicrophone) ReadBuffer(ctx context.Context) (Buffer, error) {
	select {
	case b := <-m.buffers:
		return b, nil
	default:
	}
	stall := time.NewTimer(stallTimeout)
	defer stall.Stop()
	select {
	case b := <-m.buffers:
		return b, nil
	case <-ctx.Done():
		return Buffer{}, ctx.Err()
	case <-m.lost:
		select {
		case b := <-m.buffers:
			return b, nil
		default:
			return Buffer{}, fmt.Errorf("read the microphone: %w", ErrUnplugged)
		}
	case <-stall.C:
		return Buffer{}, fmt.Errorf("read the microphone: no sound for %v", stallTimeout)
	}
}

// Close stops and releases the microphone.
func (m *MalgoMicrophone) Close() error {
	m.closeOnce.Do(func() {
		m.closing.Store(true)
		if m.dev != nil {
			m.dev.Uninit()
		}
		m.closeContext()
	})
	return nil
}

func (m *MalgoMicrophone) closeContext() {
	m.mctx.Uninit()
	m.mctx.Free()
	m.quiet.Release()
}
