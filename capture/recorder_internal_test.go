package capture

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/media/audio"
)

// writeSound places buffers by their times: silence before the first and
// in real gaps, overlaps cut, and jitter within the tolerance ignored so
// the sound runs on without clicks.
func TestWriteSound(t *testing.T) {
	const rate = 1000 // a frame a millisecond, for readable times
	ms := time.Millisecond
	buf := func(at time.Duration, n int, v float32) Buffer {
		s := make([]float32, n)
		for i := range s {
			s[i] = v / 10 // within full scale
		}
		return Buffer{Time: at, Samples: s}
	}
	for _, c := range []struct {
		name    string
		buffers []Buffer
		want    []float32 // one value per 10 ms
		lost    int64
	}{
		{"steady", []Buffer{buf(0, 10, 1), buf(10*ms, 10, 2)}, []float32{1, 2}, 0},
		{"a late start is silence", []Buffer{buf(20*ms, 10, 1)}, []float32{0, 0, 1}, 20},
		{"before the take is cut", []Buffer{buf(-5*ms, 10, 1), buf(5*ms, 10, 2)}, nil, 0},
		{"jitter is ignored", []Buffer{buf(0, 10, 1), buf(13*ms, 10, 2), buf(18*ms, 10, 3)}, []float32{1, 2, 3}, 0},
		{"a gap is filled", []Buffer{buf(0, 10, 1), buf(40*ms, 10, 2)}, []float32{1, 0, 0, 0, 2}, 30},
		{"an overlap is cut", []Buffer{buf(0, 10, 1), buf(10*ms, 10, 2), buf(20*ms, 10, 3), buf(30*ms, 10, 4), buf(0, 10, 5), buf(40*ms, 10, 6)}, []float32{1, 2, 3, 4, 6}, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, err := os.Create(filepath.Join(t.TempDir(), "s.wav"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			w, err := audio.NewWAVWriter(f, rate, 1)
			if err != nil {
				t.Fatal(err)
			}
			r := &recorder{af: AudioFormat{Rate: rate, Channels: 1}}
			q := make(chan Buffer, len(c.buffers))
			for _, b := range c.buffers {
				q <- b
			}
			close(q)
			lost, err := r.writeSound(q, w)
			if err != nil || w.Close() != nil {
				t.Fatal(err)
			}
			f.Seek(0, 0)
			p, err := audio.ReadWAV(f)
			if err != nil {
				t.Fatal(err)
			}
			if c.want == nil { // before the take: 5 frames of 1, then 2
				if p.Frames() != 15 || level(p.Samples[0]) != 1 || level(p.Samples[5]) != 2 {
					t.Errorf("wrote %v", p.Samples)
				}
				return
			}
			var got []float32
			for i := 0; i < p.Frames(); i += 10 {
				got = append(got, level(p.Samples[i]))
			}
			if len(got) != len(c.want) || lost != c.lost {
				t.Fatalf("wrote %v (%d lost), want %v (%d lost)", got, lost, c.want, c.lost)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Errorf("wrote %v, want %v", got, c.want)
					break
				}
			}
		})
	}
}

// level undoes buf's scaling, through 16-bit rounding.
func level(s float32) float32 { return float32(int(s*10 + 0.5)) }

type fullDisk struct{ left int }

func (d *fullDisk) Write(p []byte) (int, error) {
	if len(p) > d.left {
		return 0, syscall.ENOSPC
	}
	d.left -= len(p)
	return len(p), nil
}

// A disk that fills up fails the frames' writer with advice, and the
// writer still drains its queue, so the camera never waits.
func TestWriteFramesDiskFull(t *testing.T) {
	r := &recorder{vf: VideoFormat{Pixel: YUYV, Width: 2, Height: 1, FPS: 30}}
	q := make(chan Frame, 11)
	for i := range 10 {
		q <- Frame{Time: time.Duration(i) * time.Second / 30, Data: []byte{16, 128, 16, 128}}
	}
	q <- Frame{Time: time.Second, Data: []byte{1}} // the wrong size: bad
	close(q)
	index, bad, err := r.writeFrames(q, &fullDisk{left: 12})
	if len(index) != 3 || !errors.Is(diskFull(err), media.ErrDiskFull) || len(q) != 0 {
		t.Errorf("writeFrames(a disk with room for 3 frames) = %d frames, %v bad, %v; %d left queued", len(index), bad, diskFull(err), len(q))
	}
}
