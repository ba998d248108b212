// Package playback plays the studio's sound on the computer's default
// output device. It is the one place, with cmd/slate, that uses malgo
// (miniaudio): the studio sees only a small interface, so its tests run
// without sound hardware.
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
	mctx  *malgo.AllocatedContext
	dev   *malgo.Device
	quiet miniaudio.Handle
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
	// Every backend but miniaudio's null one, in miniaudio's own order:
	// the null backend "plays" into nothing, which would hide a missing
	// device from the person.
	return open(ctx, []malgo.Backend{
		malgo.BackendWasapi, malgo.BackendDsound, malgo.BackendWinmm, malgo.BackendCoreaudio,
		malgo.BackendSndio, malgo.BackendAudio4, malgo.BackendOss, malgo.BackendPulseaudio,
		malgo.BackendAlsa, malgo.BackendJack, malgo.BackendAaudio, malgo.BackendOpensl,
	})
}

// open opens the default device of the first of backends that has one.
// Opening can block for a while (a sound server that does not answer),
// so it runs aside and gives up when ctx ends, closing what it opened
// later.
func open(ctx context.Context, backends []malgo.Backend) (*Output, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("open the sound output: %w", err)
	}
	type result struct {
		o   *Output
		err error
	}
	done := make(chan result, 1)
	go func() {
		o, err := openNow(backends)
		done <- result{o, err}
	}()
	select {
	case r := <-done:
		return r.o, r.err
	case <-ctx.Done():
		go func() {
			if r := <-done; r.o != nil {
				r.o.Close()
			}
		}()
		return nil, fmt.Errorf("open the sound output: %w", ctx.Err())
	}
}

func openNow(backends []malgo.Backend) (*Output, error) {
	o := &Output{quiet: miniaudio.Hold(), epoch: time.Now()}
	// miniaudio reports the buffer it really got only in its log.
	var logMu sync.Mutex
	var log []string
	mctx, err := malgo.InitContext(backends, malgo.ContextConfig{}, func(m string) {
		logMu.Lock()
		log = append(log, m)
		logMu.Unlock()
	})
	if err != nil {
		o.quiet.Release()
		return nil, fmt.Errorf("open the sound output: %w: %v", ErrNoDevice, err)
	}
	o.mctx = mctx
	cfg := malgo.DefaultDeviceConfig(malgo.Playback)
	cfg.Playback.Format = malgo.FormatF32
	cfg.Playback.Channels = Channels
	cfg.SampleRate = Rate
	cfg.PeriodSizeInMilliseconds = periodMS
	cfg.Periods = periods
	cfg.PerformanceProfile = malgo.LowLatency
	dev, err := malgo.InitDevice(mctx.Context, cfg, malgo.DeviceCallbacks{Data: o.data})
	if err != nil {
		o.closeContext()
		return nil, fmt.Errorf("open the sound output: %w (%v)", ErrNoDevice, err)
	}
	o.dev = dev
	logMu.Lock()
	o.buffered = bufferedFrames(log)
	logMu.Unlock()
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
	o.dev.Uninit()
	o.closeContext()
	return err
}

func (o *Output) closeContext() {
	o.mctx.Uninit()
	o.mctx.Free()
	o.quiet.Release()
}
