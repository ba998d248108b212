package liveness

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"math"
	"runtime"
	"sync"
	"time"

	"github.com/slatestudio/slate/capture"
	"github.com/slatestudio/slate/capture/face"
	"github.com/slatestudio/slate/capture/vad"
	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/media/audio"
)

// How the picture is analysed: ten frames a second, 320 pixels wide. That
// is enough to follow a head turn and to find a face that fills a fair
// part of a webcam's picture, and it keeps the face detector (about 11 ms
// a frame) to a second or two for a whole take.
const (
	analysisFPS   = 10
	analysisWidth = 320
	soundRate     = 48000
)

// frame is what was seen in one analysed frame.
type frame struct {
	At    time.Duration
	Luma  float64 // mean brightness, 0–255
	Diff  float64 // mean absolute change from the previous frame, 0–255; 0 for the first
	Faced bool    // whether faces were looked for: only in the prompts that need them
	Found bool
	Face  face.Face
}

// readFrames decodes the take at the analysis size and rate in grayscale,
// measuring every frame and finding faces in those that need them, on as
// many goroutines as there are cores (at most four).
func readFrames(ctx context.Context, tools media.Tools, faces FaceFinder, path string, probe *media.Probe, script capture.Script) ([]frame, int, error) {
	sw, sh := probe.Video.Width, probe.Video.Height
	w := min(analysisWidth, sw)
	h := max(2, int(math.Round(float64(w)*float64(sh)/float64(sw)/2))*2)
	fps := analysisFPS
	if r := probe.Video.FrameRate.Float(); r > 0 && r < analysisFPS {
		fps = max(1, int(math.Round(r))) // never invent frames: they would look frozen
	}
	dec, err := tools.NewDecoder(ctx, path, media.DecodeOptions{Width: w, Height: h, PixFmt: "gray", FPS: fps})
	if err != nil {
		return nil, 0, err
	}
	defer dec.Close()

	type job struct {
		img *image.Gray
		out *frame
	}
	jobs := make(chan job)
	var wg sync.WaitGroup
	if faces != nil {
		for range min(runtime.GOMAXPROCS(0), 4) {
			wg.Go(func() {
				for j := range jobs {
					j.out.Face, j.out.Found = faces.Find(j.img)
				}
			})
		}
	}
	// Workers write into frames through pointers, so each frame is
	// allocated on its own and the slice holds pointers while they work.
	var frames []*frame
	prev := make([]byte, dec.FrameSize())
	buf := make([]byte, dec.FrameSize())
	var readErr error
	for i := 0; ; i++ {
		if err := dec.ReadFrame(buf); err != nil {
			if !errors.Is(err, io.EOF) {
				readErr = err
			}
			break
		}
		f := &frame{At: time.Duration(i) * time.Second / time.Duration(fps), Luma: mean(buf)}
		if i > 0 {
			f.Diff = meanAbsDiff(buf, prev)
		}
		copy(prev, buf)
		frames = append(frames, f)
		if faces != nil && inFaceWindow(script, f.At) {
			f.Faced = true
			img := &image.Gray{Pix: bytes.Clone(buf), Stride: w, Rect: image.Rect(0, 0, w, h)}
			select {
			case jobs <- job{img, f}:
			case <-ctx.Done():
			}
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(jobs)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	if readErr != nil {
		return nil, 0, readErr
	}
	if len(frames) == 0 {
		return nil, 0, fmt.Errorf("%s: the video has no frames", path)
	}
	out := make([]frame, len(frames))
	for i, f := range frames {
		out[i] = *f
	}
	return out, fps, nil
}

// inFaceWindow reports whether at falls in a prompt whose frames need the
// face detector.
func inFaceWindow(script capture.Script, at time.Duration) bool {
	for _, k := range [...]capture.PromptKind{capture.LookAtCamera, capture.TurnLeft, capture.TurnRight} {
		if p, ok := script.Find(k); ok && at >= p.Start && at < p.End {
			return true
		}
	}
	return false
}

func mean(pix []byte) float64 {
	var sum int
	for _, v := range pix {
		sum += int(v)
	}
	return float64(sum) / float64(len(pix))
}

func meanAbsDiff(a, b []byte) float64 {
	var sum int
	for i := range a {
		d := int(a[i]) - int(b[i])
		if d < 0 {
			d = -d
		}
		sum += d
	}
	return float64(sum) / float64(len(a))
}

// stills decodes the take again, at full size in colour and at the same
// rate as the analysis, to take out the frames chosen as stills.
func stills(ctx context.Context, tools media.Tools, path string, ev *evidence) ([]Still, error) {
	picks := ev.stillPicks()
	if len(picks) == 0 {
		return nil, nil
	}
	last := 0
	for _, p := range picks {
		last = max(last, p.frame)
	}
	dec, err := tools.NewDecoder(ctx, path, media.DecodeOptions{PixFmt: "rgba", FPS: ev.fps})
	if err != nil {
		return nil, err
	}
	defer dec.Close()
	w, h := dec.Size()
	buf := make([]byte, dec.FrameSize())
	var out []Still
	for i := 0; i <= last; i++ {
		if err := dec.ReadFrame(buf); err != nil {
			if errors.Is(err, io.EOF) {
				break // fewer frames than the first pass saw: keep what there is
			}
			return nil, err
		}
		for _, p := range picks {
			if p.frame == i {
				img := image.NewRGBA(image.Rect(0, 0, w, h))
				copy(img.Pix, buf)
				f := ev.frames[i]
				out = append(out, Still{Kind: p.kind, At: f.At, Score: f.Face.Score, Image: img})
			}
		}
	}
	return out, nil
}

// voiceMargin is kept either side of the speech in the voice sample: the
// VAD's edges are good to about 100 ms, and a sample that starts mid-word
// is worse than one with a breath of room tone.
const voiceMargin = 100 * time.Millisecond

// voice cuts the longest stretch of speech out of the take's sound.
func (ev *evidence) voice() (*Voice, error) {
	if ev.mono == nil || len(ev.speech) == 0 {
		return nil, nil
	}
	longest := ev.speech[0]
	for _, s := range ev.speech[1:] {
		if s.Duration() > longest.Duration() {
			longest = s
		}
	}
	rate := ev.mono.Rate
	from := max(0, int((longest.Start-voiceMargin).Seconds()*float64(rate)))
	to := min(ev.mono.Frames(), int((longest.End+voiceMargin).Seconds()*float64(rate)))
	if to <= from {
		return nil, nil
	}
	sample := &audio.PCM{Rate: rate, Channels: 1, Samples: ev.mono.Samples[from:to]}
	var wav bytes.Buffer
	if err := audio.WriteWAV(&wav, sample); err != nil {
		return nil, err
	}
	span := vad.Interval{
		Start: time.Duration(from) * time.Second / time.Duration(rate),
		End:   time.Duration(to) * time.Second / time.Duration(rate),
	}
	return &Voice{Span: span, WAV: wav.Bytes()}, nil
}
