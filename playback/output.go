// Package playback plays the studio's sound on the computer's default
// output device, opened through internal/miniaudio: the studio sees only
// a small interface, so its tests run without sound hardware.
package playback

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/gen2brain/malgo"

	"github.com/slatestudio/slate/internal/miniaudio"
)

// Rate and Channels are the format fill is asked for: 48 kHz stereo,
// interleaved float32, the rate of every clip's sound and of the film's
// mix, so the studio never resamples.
const (
	Rate     = 48000
	Channels = 2
)

// ErrNoDevice is wrapped by Open's error when there is no sound output to
// open: no sound card, no sound server.
var ErrNoDevice = errors.New("no audio output device was found")

// The device's buffer: short periods so that a pause or a seek is heard
// at once and the played position moves in small steps; three of them so
// a busy machine does not underrun.
const (
	periodMS = 10
	periods  = 3
)

// Output is a sound output on the default playback device. Start, Stop
// and Close may be called from any goroutine; Played from any goroutine
// at any time.
type Output struct {
	dev *miniaudio.Device
	// buffered is how many frames sit between fill and the speaker: the
	// device's buffer, in frames at Rate.
	buffered int64

	mu      sync.Mutex // Start, Stop and Close
	running bool
	closed  bool

	fill   atomic.Pointer[func([]float32)]
	handed atomic.Int64 // frames handed to the device since Start
	// At the last callback: when it came (since epoch) and how many frames
	// it asked for, to tell how far the device has played since.
	epoch    time.Time
	lastCall atomic.Int64
	lastAsk  atomic.Int64
}

// Open opens the default playback device at 48 kHz stereo float32. Where
// there is none it returns an error wrapping ErrNoDevice. Close the
// Output when done.
func Open(ctx context.Context) (*Output, error) {
	return open(ctx, nil)
}

// open opens the default device of the first of backends that has one
// (nil: every one but the null backend).
func open(ctx context.Context, backends []malgo.Backend) (*Output, error) {
	o, err := miniaudio.Await(ctx, func() (*Output, error) { return openNow(backends) })
	if err != nil && ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		return nil, fmt.Errorf("open the sound output: %w", err)
	}
	return o, err
}

func openNow(backends []malgo.Backend) (*Output, error) {
	o := &Output{epoch: time.Now()}
	dev, err := miniaudio.Open(miniaudio.Config{
		Kind: malgo.Playback, Backends: backends, Channels: Channels, Rate: Rate,
		PeriodMS: periodMS, Periods: periods, LowLatency: true, Missing: ErrNoDevice,
		Data: o.data,
	})
	if err != nil {
		return nil, fmt.Errorf("open the sound output: %w", err)
	}
	o.dev = dev
	o.buffered = bufferedFrames(dev.Log())
	return o, nil
}

// bufferSize and sampleRate match the lines miniaudio logs when a device
// opens: "Buffer Size: 480*3 (1440)", "Sample Rate: 48000 -> 44100".
var (
	bufferSize = regexp.MustCompile(`Buffer Size: *\d+\*\d+ *\((\d+)\)`)
	sampleRate = regexp.MustCompile(`Sample Rate: *\d+ *-> *(\d+)`)
)

// bufferedFrames is the device's buffer in frames at Rate, read from
// miniaudio's log; failing that, the buffer asked for.
func bufferedFrames(log []string) int64 {
	frames, rate := int64(periods*periodMS*Rate/1000), int64(Rate)
	for _, line := range log {
		if m := bufferSize.FindStringSubmatch(line); m != nil {
			if n, err := strconv.ParseInt(m[1], 10, 64); err == nil && n > 0 {
				frames = n
			}
		}
		if m := sampleRate.FindStringSubmatch(line); m != nil {
			if n, err := strconv.ParseInt(m[1], 10, 64); err == nil && n > 0 {
				rate = n
			}
		}
	}
	return frames * Rate / rate
}

// data is miniaudio's callback, on its audio thread: it must not block.
func (o *Output) data(out, _ []byte, frames uint32) {
	if f := o.fill.Load(); f != nil && len(out) >= 4 {
		(*f)(unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(out))), len(out)/4))
	}
	// The time first: Played may then, rarely, pair a count with the next
	// call's time, which errs by less than a period, never more.
	o.lastCall.Store(int64(time.Since(o.epoch)))
	o.lastAsk.Store(int64(frames))
	o.handed.Add(int64(frames))
}

// Start starts the device, which calls fill from its audio thread for
// each buffer it needs: out holds interleaved stereo frames at 48 kHz and
// starts silent. fill must return quickly and never block (take no
// locks, allocate nothing), or the sound breaks up. Start resets Played.
func (o *Output) Start(fill func(out []float32)) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	switch {
	case o.closed:
		return errors.New("start the sound output: it is closed")
	case o.running:
		return errors.New("start the sound output: it is already playing")
	}
	o.handed.Store(0)
	o.fill.Store(&fill)
	if err := o.dev.Start(); err != nil {
		o.fill.Store(nil)
		return fmt.Errorf("start the sound output: %w", err)
	}
	o.running = true
	return nil
}

// Stop stops the device; fill is not called once Stop returns.
func (o *Output) Stop() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.stopLocked()
}

func (o *Output) stopLocked() error {
	if !o.running {
		return nil
	}
	o.running = false
	err := o.dev.Stop()
	o.fill.Store(nil)
	if err != nil {
		return fmt.Errorf("stop the sound output: %w", err)
	}
	return nil
}

// Played is how many of the frames fill has written since Start have
// reached the speaker: the frames handed to the device less its buffer,
// as at the device's last call for more, plus the time since that call.
// The device asks for a period when it has played one, so between calls
// the count runs on with the clock, up to a period.
func (o *Output) Played() int64 {
	handed := o.handed.Load()
	if handed == 0 {
		return 0
	}
	since := time.Duration(max(0, int64(time.Since(o.epoch))-o.lastCall.Load()))
	ran := min(int64(since)*Rate/int64(time.Second), o.lastAsk.Load())
	return max(0, handed-o.buffered+ran)
}

// Latency is how long a frame written by fill takes to be heard: the
// device's buffer. Sound servers and hardware add a little more, which
// the device does not report.
func (o *Output) Latency() time.Duration {
	return time.Duration(o.buffered) * time.Second / Rate
}

// Close stops and releases the device.
func (o *Output) Close() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return nil
	}
	o.closed = true
	err := o.stopLocked()
	o.dev.Close()
	return err
}
