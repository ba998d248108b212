// Package capture records a cast member: frames from a camera and sound
// from a microphone, taken together as one synchronized take while a
// guided script asks the person to look, turn and speak, and then checked
// for liveness.
//
// Devices sit behind the small Camera and Microphone interfaces: the V4L2
// camera and malgo microphone here, and file-backed fakes in capturetest,
// so the recorder and everything after it run the same on a machine with
// no devices.
package capture

import (
	"context"
	"errors"
	"time"
)

// PixelFormat is how a camera frame's bytes are laid out.
type PixelFormat string

// The pixel formats Slate takes from cameras.
const (
	MJPEG PixelFormat = "mjpeg" // one JPEG image per frame
	YUYV  PixelFormat = "yuyv"  // packed 4:2:2, two bytes a pixel
)

// VideoFormat is what a camera delivers.
type VideoFormat struct {
	Pixel         PixelFormat
	Width, Height int
	FPS           int
}

// Frame is one picture from a camera.
type Frame struct {
	// Time is when the frame was captured, on the take's clock: from the
	// start of the take, monotonic.
	Time time.Duration
	// Data is the frame's bytes in the camera's pixel format. It is the
	// caller's to keep.
	Data []byte
}

// Camera yields timestamped frames. ReadFrame blocks until the next frame;
// it returns ErrUnplugged when the device went away, io.EOF when a file
// ran out, and ctx's error when ctx ends.
type Camera interface {
	Format() VideoFormat
	ReadFrame(ctx context.Context) (Frame, error)
	Close() error
}

// AudioFormat is what a microphone delivers: interleaved float32 samples.
type AudioFormat struct {
	Rate, Channels int
}

// Buffer is a run of samples from a microphone.
type Buffer struct {
	// Time is when the first sample was captured, on the take's clock.
	Time    time.Duration
	Samples []float32 // interleaved, −1..1
}

// Microphone yields timestamped buffers of sound, as Camera yields frames.
type Microphone interface {
	Format() AudioFormat
	ReadBuffer(ctx context.Context) (Buffer, error)
	Close() error
}

// Epocher is implemented by devices whose times count from a moment of
// their own rather than from the take's start: Epoch is that moment, on
// the take's clock. A device opened before the take cannot know when the
// take will start, so the recorder moves every time by Epoch minus the
// take's start; the camera's and the microphone's times then count from
// the same instant. A device without Epoch counts from the take's start.
type Epocher interface {
	Epoch() time.Time
}

// ErrUnplugged is returned by a device that disappeared mid-take.
var ErrUnplugged = errors.New("the device was unplugged")

// stallTimeout is how long a real device may send nothing before it counts
// as broken. It is real time: hardware runs on it whatever the take's clock.
const stallTimeout = 2 * time.Second

// PromptKind is what a prompt asks the person to do.
type PromptKind string

// The prompts of the liveness script.
const (
	LookAtCamera PromptKind = "look"
	TurnLeft     PromptKind = "turn_left"
	TurnRight    PromptKind = "turn_right"
	ReadDigits   PromptKind = "digits"
	SayLine      PromptKind = "line"
)

// Prompt is one step of the script, shown from Start to End of the take.
type Prompt struct {
	Kind PromptKind
	// Text is what the screen says: "Turn your head to your left",
	// "Read aloud: 4 7 1 9 2".
	Text       string
	Start, End time.Duration
}

// Script is a take's sequence of prompts, with timings that differ each
// take so a recording cannot simply be replayed.
type Script struct {
	Prompts []Prompt
	Digits  string // the five digits to read aloud
	Line    string // the short line to say
	Length  time.Duration
}

// Take is a finished recording.
type Take struct {
	// Video is an MP4 (H.264 + AAC) of the whole take.
	Video   string
	Script  Script
	Format  VideoFormat
	Frames  int
	Dropped int
	// Drift is how far the sound's end is from the picture's, after the
	// take was lined up by their timestamps.
	Drift    time.Duration
	Duration time.Duration
	// AudioLost is how much sound is missing from the take, filled with
	// silence: buffers the microphone lost (overruns) or never sent.
	AudioLost time.Duration
}
