package capture

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/slatestudio/slate/internal/clock"
	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/media/audio"
)

// RecordOptions are the settings and callbacks of a take.
type RecordOptions struct {
	// TempDir is where the take's files are made: the frames and sound
	// while recording, removed after, and the finished MP4, which stays
	// for the caller to move into the library. "" means the system's.
	TempDir string
	Tools   media.Tools // ffmpeg makes the MP4
	// OnFrame receives every frame of the take, for a live preview, on
	// the camera's goroutine. It must not block or change Data: the
	// camera waits for it.
	OnFrame func(Frame)
	// OnLevel receives the level of every buffer of sound (see Level),
	// for a meter, on the microphone's goroutine. It must not block.
	OnLevel func(rmsDBFS, peakDBFS float64)
	// OnPrompt is called with the index of each of the script's prompts
	// when the take reaches its Start, by the camera's clock: with the
	// frame that is the first the person sees it on.
	OnPrompt func(i int)
	// OnSaving is called once the take has been recorded and the MP4 is
	// being made, which takes a while: time for the studio to say
	// "Saving…".
	OnSaving func()
	// Preset is the x264 preset of the MP4; "" for media's default.
	Preset string
}

// Queues between the devices' goroutines and the writers: two seconds of
// each, so a slow moment of the disk never makes a device wait.
const (
	frameQueueSeconds = 2
	soundQueue        = 2 * 1000 / fileBufferMS
)

// Record records a take: frames from cam and sound from mic, each on its
// own goroutine, for script.Length, then makes an MP4 (H.264 + AAC 48 kHz)
// of it through ffmpeg. The caller owns the devices: Record neither opens
// nor closes them.
//
// While recording, MJPEG frames are appended as they come to a temporary
// file, YUYV frames likewise raw, and the sound to a temporary WAV, each
// behind a two-second queue; the MP4 is made only after. The devices
// themselves never wait on Record: V4L2Camera and MalgoMicrophone take
// frames and sound off the hardware on their own threads into queues
// that drop the oldest when full. So a disk slower than the camera costs
// frames, never a stalled device, and every frame lost anywhere shows as
// a gap in the times, which is how Take.Dropped and Take.AudioLost count
// them. (The fakes, which have no hardware to keep up with, simply wait.)
//
// Sound and picture line up by their timestamps, both on clock and both
// counted from the take's start (see Epocher): the WAV starts at 0, with
// silence for any sound missing at the start or in a gap; the frames are
// placed on a constant-rate grid from 0 by their times (see placeFrames),
// repeating a frame where the camera lost some. The MP4 is made from that
// grid, so its frame k is at k/fps on the same clock as its samples.
//
// A device that fails mid-take (a camera unplugged: ErrUnplugged) ends
// the take there: Record returns the Take of what was recorded with an
// error wrapping the device's. Cancelling ctx stops at once, removes
// every file and returns ctx's error and no Take.
func Record(ctx context.Context, cam Camera, mic Microphone, clock clock.Clock, script Script, opts RecordOptions) (*Take, error) {
	vf, af := cam.Format(), mic.Format()
	if err := checkFormats(vf, af, script); err != nil {
		return nil, fmt.Errorf("record: %w", err)
	}
	if err := opts.Tools.Check(media.ToolFFmpeg); err != nil {
		// Before the person performs, not after.
		return nil, fmt.Errorf("record: %w", err)
	}
	dir, err := os.MkdirTemp(opts.TempDir, "slate-take-*")
	if err != nil {
		return nil, fmt.Errorf("record: %w", err)
	}
	defer os.RemoveAll(dir)

	r := &recorder{
		vf: vf, af: af, script: script, opts: opts,
		period: time.Second / time.Duration(vf.FPS),
		end:    script.Length,
	}
	rec, err := r.capture(ctx, cam, mic, clock, dir)
	if err != nil {
		return nil, fmt.Errorf("record: %w", err)
	}
	take, err := r.finish(ctx, rec)
	if err != nil {
		return nil, fmt.Errorf("record: %w", err)
	}
	if rec.deviceErr != nil {
		return take, fmt.Errorf("record: the take ended at %v: %w", take.Duration.Round(time.Millisecond), rec.deviceErr)
	}
	return take, nil
}

func checkFormats(vf VideoFormat, af AudioFormat, script Script) error {
	switch {
	case vf.Pixel != MJPEG && vf.Pixel != YUYV:
		return fmt.Errorf("the camera's pixel format %q is not one Slate takes", vf.Pixel)
	case vf.Width <= 0 || vf.Height <= 0 || vf.Width > media.MaxWidth || vf.Height > media.MaxHeight:
		return fmt.Errorf("the camera's frame size %dx%d is not within 1x1 to %dx%d", vf.Width, vf.Height, media.MaxWidth, media.MaxHeight)
	case vf.FPS < 1 || vf.FPS > media.MaxFPS:
		return fmt.Errorf("the camera's rate of %d fps is not within 1 to %d", vf.FPS, media.MaxFPS)
	case af.Rate < 1000 || af.Rate > 384000 || af.Channels < 1 || af.Channels > 8:
		return fmt.Errorf("the microphone's format (%d channels at %d Hz) is not one Slate takes", af.Channels, af.Rate)
	case script.Length <= 0 || script.Length > media.MaxDuration:
		return fmt.Errorf("a take of %v: want more than 0 and at most %v", script.Length, media.MaxDuration)
	}
	return nil
}

// recorder is one take in progress.
type recorder struct {
	vf     VideoFormat
	af     AudioFormat
	script Script
	opts   RecordOptions
	period time.Duration
	// Add to a device's time to get the take's.
	camOff, micOff time.Duration

	mu  sync.Mutex
	end time.Duration // the take's end: Length, or where a device stopped
}

// takeEnd is where the take ends, as known now.
func (r *recorder) takeEnd() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.end
}

// cut ends the take at t, when that is sooner: a device that stopped
// early ends the other's recording at the same moment.
func (r *recorder) cut(t time.Duration) {
	r.mu.Lock()
	r.end = min(r.end, t)
	r.mu.Unlock()
}

// recording is what capture leaves for finish.
type recording struct {
	framesPath, soundPath string
	index                 []frameRef
	lostAfter             int // bad frames after the last one kept
	soundFrames           int64
	soundLost             int64
	deviceErr             error
}

// frameRef is where a frame is in the frames file, and when it was captured.
type frameRef struct {
	off  int64
	size int
	at   time.Duration
}

// offset is what to add to dev's times to count from the take's start t0.
func offset(dev any, t0 time.Time) time.Duration {
	if e, ok := dev.(Epocher); ok {
		return e.Epoch().Sub(t0)
	}
	return 0
}

func (r *recorder) capture(ctx context.Context, cam Camera, mic Microphone, clock clock.Clock, dir string) (*recording, error) {
	ext := "mjpeg"
	if r.vf.Pixel == YUYV {
		ext = "yuyv"
	}
	rec := &recording{framesPath: filepath.Join(dir, "frames."+ext), soundPath: filepath.Join(dir, "sound.wav")}
	framesFile, err := os.Create(rec.framesPath)
	if err != nil {
		return nil, err
	}
	defer framesFile.Close()
	soundFile, err := os.Create(rec.soundPath)
	if err != nil {
		return nil, err
	}
	defer soundFile.Close()
	wav, err := audio.NewWAVWriter(soundFile, r.af.Rate, r.af.Channels)
	if err != nil {
		return nil, err
	}

	t0 := clock.Now()
	r.camOff, r.micOff = offset(cam, t0), offset(mic, t0)

	// A writer that fails (a full disk) stops the devices through ctx.
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	frameQ := make(chan Frame, frameQueueSeconds*r.vf.FPS)
	soundQ := make(chan Buffer, soundQueue)
	var (
		wg             sync.WaitGroup
		camErr, micErr error
		bad            []time.Duration
	)
	wg.Add(4)
	go func() {
		defer wg.Done()
		defer close(frameQ)
		camErr = r.readCamera(ctx, cam, frameQ)
	}()
	go func() {
		defer wg.Done()
		defer close(soundQ)
		micErr = r.readMic(ctx, mic, soundQ)
	}()
	go func() {
		defer wg.Done()
		bw := bufio.NewWriterSize(framesFile, 1<<20)
		var err error
		rec.index, bad, err = r.writeFrames(frameQ, bw)
		if err == nil {
			err = bw.Flush()
		}
		if err != nil {
			cancel(fmt.Errorf("write the frames: %w", diskFull(err)))
		}
	}()
	go func() {
		defer wg.Done()
		var err error
		rec.soundLost, err = r.writeSound(soundQ, wav)
		if err == nil {
			err = wav.Close()
		}
		if err != nil {
			cancel(fmt.Errorf("write the sound: %w", diskFull(err)))
		}
	}()
	wg.Wait()

	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	if err := framesFile.Close(); err != nil {
		return nil, fmt.Errorf("write the frames: %w", diskFull(err))
	}
	if err := soundFile.Close(); err != nil {
		return nil, fmt.Errorf("write the sound: %w", diskFull(err))
	}
	rec.soundFrames = wav.Frames()
	rec.deviceErr = errors.Join(camErr, micErr)
	if len(rec.index) == 0 {
		if rec.deviceErr != nil {
			return nil, fmt.Errorf("no frame was recorded: %w", rec.deviceErr)
		}
		return nil, errors.New("no frame was recorded: the camera sent none")
	}
	last := rec.index[len(rec.index)-1].at
	for _, t := range bad {
		if t > last {
			rec.lostAfter++
		}
	}
	return rec, nil
}

// diskFull adds advice to a write that ran out of space.
func diskFull(err error) error {
	if !errors.Is(err, media.ErrDiskFull) && (errors.Is(err, io.ErrShortWrite) || errors.Is(err, syscall.ENOSPC)) {
		return fmt.Errorf("%w (free some disk space and try again): %w", media.ErrDiskFull, err)
	}
	return err
}

// readCamera reads frames until the take's end, the camera's end or an
// error, and queues them for writeFrames.
func (r *recorder) readCamera(ctx context.Context, cam Camera, q chan<- Frame) error {
	prompts := r.script.Prompts
	next := 0
	last := time.Duration(-1)
	pictureEnd := func() time.Duration {
		if last < 0 {
			return 0
		}
		return last + r.period
	}
	for {
		f, err := cam.ReadFrame(ctx)
		if err == io.EOF {
			r.cut(pictureEnd())
			return nil
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			r.cut(pictureEnd())
			return fmt.Errorf("camera: %w", err)
		}
		f.Time += r.camOff
		if f.Time < 0 || f.Time < last {
			continue // captured before the take started, or out of order
		}
		if f.Time >= r.takeEnd() {
			return nil
		}
		last = f.Time
		for next < len(prompts) && prompts[next].Start <= f.Time {
			if r.opts.OnPrompt != nil {
				r.opts.OnPrompt(next)
			}
			next++
		}
		if r.opts.OnFrame != nil {
			r.opts.OnFrame(f)
		}
		select {
		case q <- f:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// readMic reads sound until the take's end, the microphone's end or an
// error, cut to the take, and queues it for writeSound.
func (r *recorder) readMic(ctx context.Context, mic Microphone, q chan<- Buffer) error {
	rate, ch := int64(r.af.Rate), r.af.Channels
	heard := time.Duration(0) // the end of the last buffer
	for {
		b, err := mic.ReadBuffer(ctx)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			r.cut(heard)
			return fmt.Errorf("microphone: %w", err)
		}
		b.Time += r.micOff
		frames := int64(len(b.Samples) / ch)
		b.Samples = b.Samples[:frames*int64(ch)]
		end := b.Time + time.Duration(frames*int64(time.Second)/rate)
		if end <= 0 || frames == 0 {
			continue // before the take
		}
		takeEnd := r.takeEnd()
		if b.Time >= takeEnd {
			return nil
		}
		if end > takeEnd {
			keep := int64(takeEnd-b.Time) * rate / int64(time.Second)
			b.Samples = b.Samples[:keep*int64(ch)]
			end = takeEnd
		}
		heard = end
		if r.opts.OnLevel != nil {
			r.opts.OnLevel(Level(b.Samples))
		}
		select {
		case q <- b:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// writeFrames appends each frame to w and notes where it went. Frames
// that are not what the camera's format says (a JPEG cut short in the USB
// transfer, a YUYV frame of the wrong length) are left out, and their
// times returned, since they count as dropped. After a write fails it
// drains q, so the camera never waits.
func (r *recorder) writeFrames(q <-chan Frame, w io.Writer) (index []frameRef, bad []time.Duration, err error) {
	var off int64
	for f := range q {
		if err != nil {
			continue
		}
		data := f.Data
		switch r.vf.Pixel {
		case MJPEG:
			jpg, jerr := TrimJPEG(data)
			if jerr == nil {
				var w, h int
				w, h, jerr = JPEGSize(jpg)
				if jerr == nil && (w != r.vf.Width || h != r.vf.Height) {
					jerr = fmt.Errorf("a %dx%d frame from a %dx%d camera", w, h, r.vf.Width, r.vf.Height)
				}
			}
			if jerr != nil {
				bad = append(bad, f.Time)
				continue
			}
			data = jpg
		case YUYV:
			if len(data) != 2*r.vf.Width*r.vf.Height {
				bad = append(bad, f.Time)
				continue
			}
		}
		if _, err = w.Write(data); err != nil {
			continue
		}
		index = append(index, frameRef{off: off, size: len(data), at: f.Time})
		off += int64(len(data))
	}
	return index, bad, err
}

// writeSound writes the buffers to the WAV where their times put them,
// from the take's start: silence before the first and in gaps, overlaps
// cut. Within a tolerance the samples are trusted over the stamps, which
// jitter by a period: sound runs on, without clicks, unless it drifts
// further. It returns how many frames of silence filled gaps.
func (r *recorder) writeSound(q <-chan Buffer, w *audio.WAVWriter) (lost int64, err error) {
	rate, ch := int64(r.af.Rate), r.af.Channels
	tolerance := rate / 50 // 20 ms
	var written int64
	for b := range q {
		if err != nil {
			continue
		}
		frames := int64(len(b.Samples) / ch)
		tolerance = max(tolerance, 2*frames)
		start := int64(math.Round(float64(b.Time) * float64(rate) / float64(time.Second)))
		s := b.Samples
		if start < 0 {
			cut := min(-start, frames)
			s, start = s[cut*int64(ch):], 0
		}
		gap := start - written
		switch {
		case gap > 0 && (written == 0 || gap > tolerance):
			// Nothing to run on from at the start; a real gap later.
			if err = w.WriteSilence(int(gap)); err != nil {
				continue
			}
			written += gap
			lost += gap
		case gap < -tolerance:
			cut := min(-gap, int64(len(s)/ch))
			s = s[cut*int64(ch):]
		}
		if len(s) == 0 {
			continue
		}
		if err = w.Write(s); err != nil {
			continue
		}
		written += int64(len(s) / ch)
	}
	return lost, err
}

// finish places the frames on the output's grid, works out the figures
// and makes the MP4.
func (r *recorder) finish(ctx context.Context, rec *recording) (*Take, error) {
	times := make([]time.Duration, len(rec.index))
	for i, f := range rec.index {
		times[i] = f.at
	}
	slots, dropped := placeFrames(times, r.period)
	picture := time.Duration(int64(len(slots)) * int64(time.Second) / int64(r.vf.FPS))
	end := r.takeEnd()
	sound := min(time.Duration(rec.soundFrames*int64(time.Second)/int64(r.af.Rate)), end)
	take := &Take{
		Script:    r.script,
		Format:    r.vf,
		Frames:    len(slots),
		Dropped:   dropped + rec.lostAfter,
		Drift:     sound - picture,
		Duration:  picture,
		AudioLost: time.Duration(rec.soundLost * int64(time.Second) / int64(r.af.Rate)),
	}
	if r.opts.OnSaving != nil {
		r.opts.OnSaving()
	}

	frames, err := os.Open(rec.framesPath)
	if err != nil {
		return nil, err
	}
	defer frames.Close()
	out, err := os.CreateTemp(r.opts.TempDir, "take-*.mp4")
	if err != nil {
		return nil, err
	}
	out.Close()
	codec := media.CameraMJPEG
	if r.vf.Pixel == YUYV {
		codec = media.CameraYUYV
	}
	opts := media.CameraEncodeOptions{
		Codec: codec, Width: r.vf.Width, Height: r.vf.Height, FPS: r.vf.FPS,
		Output: out.Name(), Preset: r.opts.Preset,
	}
	if rec.soundFrames > 0 {
		opts.Audio = rec.soundPath
		if sound < time.Duration(rec.soundFrames*int64(time.Second)/int64(r.af.Rate)) {
			opts.AudioDuration = sound
		}
	}
	src := &slotReader{f: frames, index: rec.index, slots: slots}
	if err := r.opts.Tools.EncodeCamera(ctx, src, opts); err != nil {
		os.Remove(out.Name())
		return nil, err
	}
	take.Video = out.Name()
	return take, nil
}

// slotReader reads the frames file in the order of the output's slots,
// repeating frames where placeFrames says.
type slotReader struct {
	f     *os.File
	index []frameRef
	slots []int
	next  int
	buf   []byte
	pos   int
}

// Read hands out the frames' bytes slot by slot.
func (s *slotReader) Read(p []byte) (int, error) {
	for s.pos >= len(s.buf) {
		if s.next >= len(s.slots) {
			return 0, io.EOF
		}
		ref := s.index[s.slots[s.next]]
		s.next++
		if cap(s.buf) < ref.size {
			s.buf = make([]byte, ref.size)
		}
		s.buf = s.buf[:ref.size]
		if _, err := s.f.ReadAt(s.buf, ref.off); err != nil {
			return 0, fmt.Errorf("read frame %d of the take: %w", s.slots[s.next-1], err)
		}
		s.pos = 0
	}
	n := copy(p, s.buf[s.pos:])
	s.pos += n
	return n, nil
}
