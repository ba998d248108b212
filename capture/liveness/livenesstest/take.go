package livenesstest

import (
	"context"
	"errors"
	"fmt"
	"image"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/slatestudio/slate/capture"
	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/media/audio"
)

// Options shape a fake take. The zero value makes one that passes every
// liveness check; each other field spoils it in one way.
type Options struct {
	// Width, Height and FPS are the picture's; 0 means 640×480 at 15 fps.
	Width, Height, FPS int
	// Photo is the face to show; nil means the bundled one (Photo).
	Photo image.Image
	// Voice speaks the digits and the line; the zero value is espeak-ng's
	// default voice.
	Voice media.SpeakOptions

	NoFace     bool          // the photo's plain background, with no face in it
	Black      bool          // a black picture, as from a covered camera
	FreezeAt   time.Duration // when positive, the picture stops changing from then on
	WrongTurns bool          // turn right when asked to turn left, and left when asked right
	NoTurns    bool          // keep facing the camera through the turn prompts
	LookAway   bool          // keep the head turned while asked to look at the camera
	Silent     bool          // say nothing: only the room's faint hiss
	Quiet      bool          // speak, but with peaks only near −32 dBFS
	Clipped    bool          // speak far too loud, so the sound clips
	EarlyWords bool          // say something during the lead-in, before the first prompt
}

// turnAmount is the fake turn the take uses; Pose.Turn explains it.
const turnAmount = 0.35

// Make writes a fake take of script to path (an .mp4): the face moves a
// little all the time, as a person's does, turns as the prompts ask and
// speaks the digits and the line half a second after their prompts
// appear. It needs ffmpeg and, unless opts.Silent, espeak-ng.
func Make(ctx context.Context, tools media.Tools, path string, script capture.Script, opts Options) (capture.Take, error) {
	if opts.Width == 0 {
		opts.Width, opts.Height = 640, 480
	}
	if opts.FPS == 0 {
		opts.FPS = 15
	}
	if opts.Photo == nil {
		p, err := Photo()
		if err != nil {
			return capture.Take{}, err
		}
		opts.Photo = p
	}
	if len(script.Prompts) == 0 || script.Length <= 0 {
		return capture.Take{}, errors.New("fake take: the script has no prompts")
	}
	sound, err := soundtrack(ctx, tools, script, opts)
	if err != nil {
		return capture.Take{}, fmt.Errorf("fake take: %w", err)
	}
	wav := strings.TrimSuffix(path, filepath.Ext(path)) + ".wav"
	if err := audio.WriteWAVFile(wav, sound); err != nil {
		return capture.Take{}, fmt.Errorf("fake take: %w", err)
	}
	defer os.Remove(wav)

	enc, err := tools.NewEncoder(ctx, media.EncodeOptions{
		Width: opts.Width, Height: opts.Height, FPS: opts.FPS, PixFmt: "rgba",
		Output: path, Audio: wav, Preset: "ultrafast",
	})
	if err != nil {
		return capture.Take{}, fmt.Errorf("fake take: %w", err)
	}
	frames := int(math.Round(script.Length.Seconds() * float64(opts.FPS)))
	if err := paint(enc, script, opts, frames); err != nil {
		enc.Abort()
		return capture.Take{}, fmt.Errorf("fake take: %w", err)
	}
	if err := enc.Close(); err != nil {
		return capture.Take{}, fmt.Errorf("fake take: %w", err)
	}
	return capture.Take{
		Video:    path,
		Script:   script,
		Format:   capture.VideoFormat{Pixel: capture.YUYV, Width: opts.Width, Height: opts.Height, FPS: opts.FPS},
		Frames:   frames,
		Duration: time.Duration(frames) * time.Second / time.Duration(opts.FPS),
	}, nil
}

// paint draws and encodes every frame.
func paint(enc *media.Encoder, script capture.Script, opts Options, frames int) error {
	painter := NewPainter(opts.Photo)
	frame := image.NewRGBA(image.Rect(0, 0, opts.Width, opts.Height))
	rng := uint32(12345)
	for i := range frames {
		t := time.Duration(i) * time.Second / time.Duration(opts.FPS)
		if opts.FreezeAt > 0 && t >= opts.FreezeAt {
			// The camera stalled: the last picture, byte for byte.
			if err := enc.WriteFrame(frame.Pix); err != nil {
				return err
			}
			continue
		}
		switch {
		case opts.Black:
			clear(frame.Pix)
		case opts.NoFace:
			bg := painter.Background()
			for p := 0; p < len(frame.Pix); p += 4 {
				frame.Pix[p], frame.Pix[p+1], frame.Pix[p+2], frame.Pix[p+3] = bg.R, bg.G, bg.B, 255
			}
		default:
			painter.Draw(frame, poseAt(t, script, opts))
		}
		// A camera's sensor noise, a few levels either way; also what
		// keeps a still background from looking frozen.
		for p := 0; p < len(frame.Pix); p += 4 {
			rng = rng*1664525 + 1013904223
			n := int(rng>>29) - 3 // −3..4
			for c := p; c < p+3; c++ {
				frame.Pix[c] = uint8(min(255, max(0, int(frame.Pix[c])+n)))
			}
		}
		if err := enc.WriteFrame(frame.Pix); err != nil {
			return err
		}
	}
	return nil
}

// poseAt is where the face is at t: swaying a little all the time, and
// turned through each turn prompt — from 0.4 s after it appears (people
// take a moment to react), fully by 0.8 s, and back by its end.
func poseAt(t time.Duration, script capture.Script, opts Options) Pose {
	s := t.Seconds()
	pose := Pose{
		X:     float64(opts.Width) * (0.012*math.Sin(2*math.Pi*s/3.1) + 0.006*math.Sin(2*math.Pi*s/1.3)),
		Y:     float64(opts.Height) * 0.01 * math.Sin(2*math.Pi*s/2.3),
		Scale: 0.9 * (1 + 0.02*math.Sin(2*math.Pi*s/4.1)),
	}
	for _, p := range script.Prompts {
		var dir float64
		switch p.Kind {
		case capture.TurnLeft:
			dir = 1 // the person's left is the picture's right
		case capture.TurnRight:
			dir = -1
		case capture.LookAtCamera:
			if opts.LookAway && t >= p.Start && t < p.End {
				pose.Turn = 0.45
			}
			continue
		default:
			continue
		}
		if opts.WrongTurns {
			dir = -dir
		}
		if opts.NoTurns {
			dir = 0
		}
		pose.Turn += dir * turnAmount * ramp(t, p.Start+400*time.Millisecond, p.Start+800*time.Millisecond, p.End-300*time.Millisecond, p.End)
	}
	return pose
}

// ramp rises from 0 at a to 1 at b, holds, and falls back to 0 from c to d.
func ramp(t, a, b, c, d time.Duration) float64 {
	switch {
	case t <= a || t >= d:
		return 0
	case t < b:
		return float64(t-a) / float64(b-a)
	case t <= c:
		return 1
	}
	return float64(d-t) / float64(d-c)
}

// soundtrack is the take's sound: a faint room hiss, and the digits and
// the line spoken half a second after their prompts appear.
func soundtrack(ctx context.Context, tools media.Tools, script capture.Script, opts Options) (*audio.PCM, error) {
	rate := media.SpeechRate
	frames := int(math.Round(script.Length.Seconds() * float64(rate)))
	pcm := audio.NewPCM(rate, 1, frames)
	rng := uint32(777)
	for i := range pcm.Samples {
		rng = rng*1664525 + 1013904223
		pcm.Samples[i] = (float32(rng>>8)/(1<<24) - 0.5) * 0.002 // about −65 dBFS
	}
	if opts.Silent {
		return pcm, nil
	}
	peak := float32(0.5)
	switch {
	case opts.Quiet:
		peak = 0.025
	case opts.Clipped:
		peak = 4
	}
	say := func(text string, at time.Duration) error {
		speech, err := tools.Speak(ctx, text, opts.Voice)
		if err != nil {
			return err
		}
		if p := speech.Peak(); p > 0 {
			speech.Gain(peak / p)
		}
		return pcm.Mix(speech, int(at.Seconds()*float64(rate)), 1)
	}
	if opts.EarlyWords {
		if err := say("Hello there.", 100*time.Millisecond); err != nil {
			return nil, err
		}
	}
	if p, ok := script.Find(capture.ReadDigits); ok {
		if err := say(strings.Join(strings.Split(script.Digits, ""), ", ")+".", p.Start+500*time.Millisecond); err != nil {
			return nil, err
		}
	}
	if p, ok := script.Find(capture.SayLine); ok {
		if err := say(script.Line, p.Start+500*time.Millisecond); err != nil {
			return nil, err
		}
	}
	for i, v := range pcm.Samples {
		pcm.Samples[i] = max(-1, min(1, v)) // as a microphone's converter clips
	}
	return pcm, nil
}
