package face_test

import (
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/slatestudio/slate/capture/face"
	"github.com/slatestudio/slate/capture/liveness/livenesstest"
	"golang.org/x/image/draw"
)

// frame draws the test photo in pose into a 640×480 picture and returns
// it at the liveness checks' analysis size, 320×240, in gray.
func frame(t testing.TB, p *livenesstest.Painter, pose livenesstest.Pose) *image.Gray {
	t.Helper()
	rgba := image.NewRGBA(image.Rect(0, 0, 640, 480))
	p.Draw(rgba, pose)
	gray := image.NewGray(image.Rect(0, 0, 320, 240))
	draw.ApproxBiLinear.Scale(gray, gray.Bounds(), rgba, rgba.Bounds(), draw.Src, nil)
	return gray
}

func setup(t testing.TB) (*face.Detector, *livenesstest.Painter) {
	t.Helper()
	d, err := face.NewDetector()
	if err != nil {
		t.Fatalf("NewDetector() = %v", err)
	}
	photo, err := livenesstest.Photo()
	if err != nil {
		t.Fatal(err)
	}
	return d, livenesstest.NewPainter(photo)
}

// TestTurnFollowsTheHead: on the photo moved about, scaled and faked into
// turns, Turn is near zero facing the camera and moves clearly and the
// right way for a turn either way.
func TestTurnFollowsTheHead(t *testing.T) {
	d, p := setup(t)
	var took time.Duration
	var n int
	for _, scale := range []float64{0.7, 0.9, 1.1} {
		for _, dx := range []float64{-60, 0, 40} {
			turns := map[float64]float64{}
			for _, turn := range []float64{-0.35, 0, 0.35} {
				pose := livenesstest.Pose{X: dx, Y: 8, Scale: scale, Turn: turn}
				img := frame(t, p, pose)
				start := time.Now()
				f, ok := d.Find(img)
				took += time.Since(start)
				n++
				if !ok || !f.Measured {
					t.Errorf("Find(%+v) = %+v, %v; want a measured face", pose, f, ok)
					continue
				}
				if f.Score < 100 {
					t.Errorf("Find(%+v) scores %.0f, want a clear face (over 100)", pose, f.Score)
				}
				// The photo's face is in its middle, a little above: where
				// the pose put it, in the half-size picture.
				wantX := (320 + dx) / 2
				if math.Abs(float64(f.Center.X)-wantX) > 20 || f.Center.Y < 90 || f.Center.Y > 150 {
					t.Errorf("Find(%+v) centre %v, want near x=%.0f", pose, f.Center, wantX)
				}
				if !(f.Eyes[0].X < f.Nose.X+10 && f.Nose.X < f.Eyes[1].X+10 && f.Nose.Y > f.Eyes[0].Y) {
					t.Errorf("Find(%+v): eyes %v, nose %v are not where a face has them", pose, f.Eyes, f.Nose)
				}
				turns[turn] = f.Turn
			}
			t.Logf("scale %.1f, x %+.0f: Turn %+.3f / %+.3f / %+.3f", scale, dx, turns[-0.35], turns[0], turns[0.35])
			if math.Abs(turns[0]) > 0.06 {
				t.Errorf("scale %.1f, x %+.0f: facing the camera, Turn = %+.3f, want within 0.06 of 0", scale, dx, turns[0])
			}
			if turns[0.35]-turns[0] < 0.08 || turns[0]-turns[-0.35] < 0.08 {
				t.Errorf("scale %.1f, x %+.0f: Turn %+.3f / %+.3f / %+.3f for turns −0.35 / 0 / +0.35, want steps of at least 0.08", scale, dx, turns[-0.35], turns[0], turns[0.35])
			}
		}
	}
	t.Logf("%v a frame at 320×240", took/time.Duration(n))
}

func TestNoFace(t *testing.T) {
	d, _ := setup(t)
	rng := rand.New(rand.NewPCG(1, 2))
	plain := image.NewGray(image.Rect(0, 0, 320, 240))
	noise := image.NewGray(plain.Rect)
	gradient := image.NewGray(plain.Rect)
	for i := range plain.Pix {
		plain.Pix[i] = 230
		noise.Pix[i] = uint8(rng.IntN(256))
		gradient.Pix[i] = uint8(i % 320 * 255 / 320)
	}
	for name, img := range map[string]*image.Gray{"plain": plain, "noise": noise, "gradient": gradient, "tiny": image.NewGray(image.Rect(0, 0, 8, 8))} {
		if f, ok := d.Find(img); ok {
			t.Errorf("Find(%s) = %+v, want no face", name, f)
		}
	}
}

// TestSubImage: a face in a sub-image is reported in the sub-image's own
// coordinates, which are the big picture's.
func TestSubImage(t *testing.T) {
	d, p := setup(t)
	img := frame(t, p, livenesstest.Pose{Scale: 0.9})
	whole, ok := d.Find(img)
	if !ok {
		t.Fatal("no face in the whole picture")
	}
	sub := img.SubImage(image.Rect(60, 20, 300, 230)).(*image.Gray)
	part, ok := d.Find(sub)
	if !ok {
		t.Fatal("no face in the sub-image")
	}
	if dx, dy := part.Center.X-whole.Center.X, part.Center.Y-whole.Center.Y; dx*dx+dy*dy > 36 || math.Abs(part.Turn-whole.Turn) > 0.05 {
		t.Errorf("Find(sub-image) = %v turn %.3f, want near the whole picture's %v turn %.3f", part.Center, part.Turn, whole.Center, whole.Turn)
	}
	// A frame whose border was painted over still has its face.
	border := image.NewGray(img.Rect)
	copy(border.Pix, img.Pix)
	draw.Draw(border, image.Rect(0, 0, 320, 10), image.NewUniform(color.Gray{0}), image.Point{}, draw.Src)
	if _, ok := d.Find(border); !ok {
		t.Error("no face once a border was painted over")
	}
}

// TestConcurrentFind runs Find from several goroutines, as the liveness
// checks do; with -race it shows the detector shares nothing mutable.
func TestConcurrentFind(t *testing.T) {
	d, p := setup(t)
	img := frame(t, p, livenesstest.Pose{Scale: 0.9, Turn: 0.2})
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 3 {
				if _, ok := d.Find(img); !ok {
					t.Error("no face")
				}
			}
		})
	}
	wg.Wait()
}
