package media

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/slatestudio/slate/media/audio"
)

// A clip made elsewhere, at another size, rate and length, with sound of
// its own, comes out exactly as the shot needs it: size, rate, frames, and
// the shot's sound laid under it, the model's kept only when asked.
func TestConform(t *testing.T) {
	tools := needTools(t, ToolFFmpeg, ToolFFprobe)
	dir := t.TempDir()
	long := genClip(t, tools, dir, 640, 480, 30, 2*time.Second, true) // 440 Hz under it
	shot := filepath.Join(dir, "shot.wav")
	// The shot's sound: silence, then a 1 kHz tone from 0.5 s.
	pcm := audio.NewPCM(48000, 2, 72000)
	tone := sine(48000, 2, 48000, 1000, 0.3)
	copy(pcm.Samples[2*24000:], tone.Samples)
	if err := audio.WriteWAVFile(shot, pcm); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name      string
		in        string
		o         ConformOptions
		quietHead bool // the first 0.4 s is silent
	}{
		{"longer and larger, model sound replaced", long, ConformOptions{Width: 320, Height: 180, FPS: 24, Frames: 36, Sound: shot}, true},
		{"model sound kept under", long, ConformOptions{Width: 320, Height: 180, FPS: 25, Frames: 30, Sound: shot, KeepSound: true}, false},
		{"shorter than the shot", genClip(t, tools, t.TempDir(), 256, 256, 24, time.Second, false), ConformOptions{Width: 320, Height: 180, FPS: 30, Frames: 60}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out.mp4")
			if err := tools.Conform(testCtx(t), c.in, out, c.o); err != nil {
				t.Fatal(err)
			}
			p, err := tools.Probe(testCtx(t), out)
			if err != nil {
				t.Fatal(err)
			}
			v := p.Video
			if v == nil || v.Codec != "h264" || v.PixFmt != "yuv420p" || v.Width != c.o.Width || v.Height != c.o.Height || v.Frames != c.o.Frames || v.FrameRate != (Rational{c.o.FPS, 1}) {
				t.Fatalf("video = %+v, want h264 yuv420p %dx%d, %d frames at %d fps", v, c.o.Width, c.o.Height, c.o.Frames, c.o.FPS)
			}
			if a := p.Audio; a == nil || a.Codec != "aac" || a.SampleRate != 48000 || a.Channels != 2 {
				t.Fatalf("audio = %+v, want aac 48 kHz stereo", p.Audio)
			}
			got, err := tools.DecodeAudio(testCtx(t), out, 48000, 1)
			if err != nil {
				t.Fatal(err)
			}
			want := c.o.Frames * 48000 / c.o.FPS
			if n := got.Frames(); n < want-1100 || n > want+1100 {
				t.Errorf("sound lasts %d samples, want about %d (the picture's length)", n, want)
			}
			head := audio.DBFS(got.RMS(1000, 19000))
			if c.quietHead && head > -50 {
				t.Errorf("the first 0.4 s is at %.1f dBFS, want silence (the model's sound replaced)", head)
			}
			if !c.quietHead && head < -30 {
				t.Errorf("the first 0.4 s is at %.1f dBFS, want the model's own sound kept", head)
			}
			if c.o.Sound != "" {
				if tone := audio.DBFS(got.RMS(26000, 40000)); tone < -20 {
					t.Errorf("the shot's sound at 0.5 s is at %.1f dBFS, want it heard", tone)
				}
			}
		})
	}
}
