package capture

import (
	"context"
	"errors"
	"fmt"
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
	devs, err := miniaudio.Devices(malgo.Capture, nil)
	if err != nil {
		return nil, fmt.Errorf("list microphones: %w", err)
	}
	mics := make([]MicrophoneInfo, 0, len(devs))
	for _, d := range devs {
		mics = append(mics, MicrophoneInfo(d))
	}
	return mics, nil
}

// MalgoMicrophone is a microphone opened through miniaudio. It records
// from Open to Close, like V4L2Camera, so a take starts with sound
// already flowing.
type MalgoMicrophone struct {
	dev   *miniaudio.Device
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
	return openMicrophone(ctx, nil, id, clock)
}

// openMicrophone opens the microphone on the first of backends that has
// it (nil: every one but the null backend).
func openMicrophone(ctx context.Context, backends []malgo.Backend, id string, clock clock.Clock) (*MalgoMicrophone, error) {
	m, err := miniaudio.Await(ctx, func() (*MalgoMicrophone, error) { return openMicrophoneNow(backends, id, clock) })
	if err != nil && ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		return nil, fmt.Errorf("open the microphone: %w", err)
	}
	return m, err
}

func openMicrophoneNow(backends []malgo.Backend, id string, clock clock.Clock) (*MalgoMicrophone, error) {
	m := &MalgoMicrophone{
		clock:   clock,
		buffers: make(chan Buffer, micQueue),
		lost:    make(chan struct{}),
	}
	dev, err := miniaudio.Open(miniaudio.Config{
		Kind: malgo.Capture, Backends: backends, Channels: MicChannels, Rate: MicRate,
		PeriodMS: micPeriodMS, Periods: 3, ID: id, Missing: ErrNoMicrophone,
		Data: m.data, Stop: m.stopped,
	})
	switch {
	case err != nil && id != "":
		return nil, fmt.Errorf("open microphone %q: %w", id, err)
	case err != nil:
		return nil, fmt.Errorf("open the microphone: %w", err)
	}
	m.dev = dev
	m.epoch = clock.Now()
	if err := dev.Start(); err != nil {
		m.Close()
		return nil, fmt.Errorf("start the microphone: %w", err)
	}
	return m, nil
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
		m.dev.Close()
	})
	return nil
}
