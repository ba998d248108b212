package capture

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/slatestudio/slate/media"
)

// The format Slate asks cameras for: 720p is sharp enough for the liveness
// checks and the cast member's stills, and small enough for any USB
// webcam; 30 frames a second catches lips and blinks.
const (
	TargetWidth  = 1280
	TargetHeight = 720
	TargetFPS    = 30
)

// FormatOffer is one way a camera can deliver frames: a pixel format at a
// size and a rate.
type FormatOffer struct {
	Pixel         PixelFormat
	Width, Height int
	FPS           float64 // frames a second: 30, or 29.97 for 30000/1001
}

// String reads "mjpeg 1280x720@30".
func (o FormatOffer) String() string {
	return fmt.Sprintf("%s %dx%d@%g", o.Pixel, o.Width, o.Height, math.Round(o.FPS*100)/100)
}

// CameraInfo describes a camera found by ListCameras.
type CameraInfo struct {
	Path   string // such as /dev/video0
	Name   string // such as "Integrated Camera: Integrated C"
	Offers []FormatOffer
}

// ErrNoFormat is wrapped by ChooseFormat's error when a camera offers
// nothing Slate can record.
var ErrNoFormat = errors.New("the camera offers no format Slate can record")

// ChooseFormat picks what to ask a camera for among its offers: MJPEG at
// 1280×720 and 30 fps when offered, since the camera compresses it and
// capture then only copies bytes; otherwise the offer closest to that.
//
// "Closest" weighs what matters for a take: a rate below 30 fps costs
// twice as much as a smaller picture (lips and blinks need the frames),
// a bigger picture or a faster rate cost little (they only take more
// space), and a shape other than 16:9 costs a little. On a tie MJPEG wins
// over YUYV, whose raw frames fill a USB 2 link at a third of the rate.
// So a camera offering YUYV at 640×480@30 and 1280×720@10 is asked for
// 640×480@30.
//
// Offers in other pixel formats, with odd YUYV widths, beyond Slate's
// frame-size limit or below 1 fps are not considered; with none left the
// error wraps ErrNoFormat.
func ChooseFormat(offers []FormatOffer) (VideoFormat, error) {
	var usable []FormatOffer
	for _, o := range offers {
		if usableOffer(o) {
			usable = append(usable, o)
		}
	}
	if len(usable) == 0 {
		return VideoFormat{}, fmt.Errorf("choose a camera format among %d offers: %w (want MJPEG or YUYV up to %dx%d at 1 fps or more)", len(offers), ErrNoFormat, media.MaxWidth, media.MaxHeight)
	}
	// A stable sort on the cost, after an order that settles ties the
	// same way whatever order the camera listed its offers in.
	sort.Slice(usable, func(i, j int) bool { return tieOrder(usable[i], usable[j]) })
	sort.SliceStable(usable, func(i, j int) bool { return formatCost(usable[i]) < formatCost(usable[j]) })
	best := usable[0]
	return VideoFormat{Pixel: best.Pixel, Width: best.Width, Height: best.Height, FPS: int(math.Round(best.FPS))}, nil
}

func usableOffer(o FormatOffer) bool {
	switch {
	case o.Pixel != MJPEG && o.Pixel != YUYV:
		return false
	case o.Width <= 0 || o.Height <= 0 || o.Width > media.MaxWidth || o.Height > media.MaxHeight:
		return false
	case o.Pixel == YUYV && o.Width%2 != 0:
		return false
	case math.IsNaN(o.FPS) || o.FPS < 1 || o.FPS > media.MaxFPS:
		return false
	}
	return true
}

// formatCost is how far an offer is from MJPEG 1280×720@30, in octaves
// weighted as ChooseFormat describes; 0 for exactly that.
func formatCost(o FormatOffer) float64 {
	size := math.Log2(float64(o.Width*o.Height) / (TargetWidth * TargetHeight))
	rate := math.Log2(o.FPS / TargetFPS)
	if math.Abs(o.FPS-TargetFPS) < 0.1 {
		rate = 0 // 29.97 is 30: cameras list it either way
	}
	shape := math.Abs(math.Log2(float64(o.Width) / float64(o.Height) / (float64(TargetWidth) / TargetHeight)))
	cost := 0.25 * shape
	if size < 0 {
		cost -= size
	} else {
		cost += 0.5 * size
	}
	if rate < 0 {
		cost -= 2 * rate
	} else {
		cost += 0.5 * rate
	}
	if o.Pixel == YUYV {
		cost += 1e-6
	}
	return cost
}

// tieOrder orders offers of equal cost: MJPEG, then the faster, then the
// larger.
func tieOrder(a, b FormatOffer) bool {
	if a.Pixel != b.Pixel {
		return a.Pixel == MJPEG
	}
	if a.FPS != b.FPS {
		return a.FPS > b.FPS
	}
	return a.Width*a.Height > b.Width*b.Height
}

// nearestStep returns the value of min, min+step, … max closest to
// target: how a camera that offers a range of sizes or rates is asked for
// the one nearest Slate's. A step of 0 means any value in the range.
func nearestStep(target, lo, hi, step int) int {
	if hi < lo {
		return lo
	}
	v := min(max(target, lo), hi)
	if step <= 0 {
		return v
	}
	n := (v - lo + step/2) / step
	v = lo + n*step
	for v > hi {
		v -= step
	}
	return v
}
