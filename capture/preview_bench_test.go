package capture_test

import (
	"bytes"
	"image"
	"image/jpeg"
	"math/rand/v2"
	"testing"

	"github.com/slatestudio/slate/capture"
)

// BenchmarkPreviewDecode720p times turning a 1280×720 MJPEG camera frame
// into an image for the studio's live preview, which must keep up with at
// least 15 frames a second; it reports the rate one core manages.
func BenchmarkPreviewDecode720p(b *testing.B) {
	img := image.NewRGBA(image.Rect(0, 0, 1280, 720))
	r := rand.New(rand.NewPCG(1, 2))
	for i := range img.Pix {
		img.Pix[i] = byte(r.IntN(40) + i%200) // noisy, like a camera
	}
	var buf bytes.Buffer
	jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85})
	f := capture.VideoFormat{Pixel: capture.MJPEG, Width: 1280, Height: 720, FPS: 30}
	b.ResetTimer()
	for range b.N {
		if _, err := capture.FrameImage(f, buf.Bytes()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "frames/s")
}
