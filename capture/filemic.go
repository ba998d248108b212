package capture

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slatestudio/slate/internal/clock"
	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/media/audio"
)

// fileBufferMS is the length of a FileMicrophone's buffers, as a sound
// card's period.
const fileBufferMS = 10

// FileMicrophone plays a WAV file as a microphone, in 10 ms buffers at
// real pace against the clock: buffer k holds the samples from k×10 ms
// and comes when the clock reaches their end, as a sound card hands over
// a buffer once it has filled. ReadBuffer returns io.EOF after the last.
type FileMicrophone struct {
	path   string
	pcm    *audio.PCM
	clock  clock.Clock
	next   int // the next frame to hand over
	per    int // frames a buffer
	start  sync.Once
	epoch  time.Time
	closed atomic.Bool // Close may come from another goroutine than the reads
}

var (
	_ Microphone = (*FileMicrophone)(nil)
	_ Epocher    = (*FileMicrophone)(nil)
)

// OpenFileMicrophone reads a WAV file (any rate and channel count
// audio.ReadWAV takes) to play as a microphone, paced by clock.
func OpenFileMicrophone(path string, clock clock.Clock) (*FileMicrophone, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open fake microphone: %w", err)
	}
	defer f.Close()
	pcm, err := audio.ReadWAV(f)
	if err != nil {
		return nil, fmt.Errorf("open fake microphone %q: %w", path, err)
	}
	if pcm.Duration() > media.MaxDuration {
		return nil, fmt.Errorf("open fake microphone %q: %w: it lasts %v; the limit is %v", path, media.ErrTooLarge, pcm.Duration(), media.MaxDuration)
	}
	return &FileMicrophone{path: path, pcm: pcm, clock: clock, per: max(1, pcm.Rate*fileBufferMS/1000)}, nil
}

// Format returns the file's rate and channels.
func (m *FileMicrophone) Format() AudioFormat {
	return AudioFormat{Rate: m.pcm.Rate, Channels: m.pcm.Channels}
}

// Epoch is when the file started playing: at the first ReadBuffer or
// Epoch call, whichever came first.
func (m *FileMicrophone) Epoch() time.Time {
	m.start.Do(func() { m.epoch = m.clock.Now() })
	return m.epoch
}

// ReadBuffer returns the next 10 ms of sound once the clock has passed
// its end, or io.EOF after the last.
func (m *FileMicrophone) ReadBuffer(ctx context.Context) (Buffer, error) {
	epoch := m.Epoch()
	if err := ctx.Err(); err != nil {
		return Buffer{}, err
	}
	if m.closed.Load() {
		return Buffer{}, fmt.Errorf("read fake microphone %q: it is closed", m.path)
	}
	total := m.pcm.Frames()
	if m.next >= total {
		return Buffer{}, io.EOF
	}
	from, to := m.next, min(m.next+m.per, total)
	m.next = to
	rate, ch := int64(m.pcm.Rate), m.pcm.Channels
	at := time.Duration(int64(from) * int64(time.Second) / rate)
	ready := time.Duration(int64(to) * int64(time.Second) / rate)
	if err := m.clock.Sleep(ctx, epoch.Add(ready).Sub(m.clock.Now())); err != nil {
		return Buffer{}, err
	}
	return Buffer{Time: at, Samples: append([]float32(nil), m.pcm.Samples[from*ch:to*ch]...)}, nil
}

// Close ends playing.
func (m *FileMicrophone) Close() error {
	m.closed.Store(true)
	return nil
}
