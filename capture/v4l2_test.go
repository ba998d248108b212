//go:build linux

package capture

import (
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/blackjack/webcam"
	"golang.org/x/sys/unix"
)

func TestOffersFor(t *testing.T) {
	discrete := func(w, h uint32) webcam.FrameSize {
		return webcam.FrameSize{MinWidth: w, MaxWidth: w, MinHeight: h, MaxHeight: h}
	}
	every := func(num, den uint32) webcam.FrameRate {
		return webcam.FrameRate{MinNumerator: num, MaxNumerator: num, MinDenominator: den, MaxDenominator: den}
	}
	for _, c := range []struct {
		name  string
		sizes []webcam.FrameSize
		rates map[[2]uint32][]webcam.FrameRate
		want  []FormatOffer
	}{
		{
			"discrete sizes and rates",
			[]webcam.FrameSize{discrete(640, 480), discrete(1280, 720)},
			map[[2]uint32][]webcam.FrameRate{{640, 480}: {every(1, 30), every(1, 15)}, {1280, 720}: {every(1001, 30000)}},
			[]FormatOffer{{MJPEG, 640, 480, 30}, {MJPEG, 640, 480, 15}, {MJPEG, 1280, 720, 30000.0 / 1001}},
		},
		{
			"a stepwise size: its largest and its nearest to 720p",
			[]webcam.FrameSize{{MinWidth: 160, MaxWidth: 1920, StepWidth: 16, MinHeight: 120, MaxHeight: 1080, StepHeight: 8}},
			map[[2]uint32][]webcam.FrameRate{{1920, 1080}: {every(1, 5)}, {1280, 720}: {every(1, 10)}},
			[]FormatOffer{{MJPEG, 1920, 1080, 5}, {MJPEG, 1280, 720, 10}},
		},
		{
			"a range of rates: the fastest, and 30 within it",
			[]webcam.FrameSize{discrete(1280, 720)},
			map[[2]uint32][]webcam.FrameRate{{1280, 720}: {{MinNumerator: 1, MaxNumerator: 1, StepNumerator: 1, MinDenominator: 60, MaxDenominator: 1, StepDenominator: 1}}},
			[]FormatOffer{{MJPEG, 1280, 720, 60}, {MJPEG, 1280, 720, 30}},
		},
		{
			"no rates listed: 30 assumed",
			[]webcam.FrameSize{discrete(1280, 720)},
			nil,
			[]FormatOffer{{MJPEG, 1280, 720, 30}},
		},
	} {
		got := offersFor(MJPEG, c.sizes, func(w, h uint32) []webcam.FrameRate { return c.rates[[2]uint32{w, h}] })
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: offersFor() = %v, want %v", c.name, got, c.want)
		}
	}
}

// This machine may have no camera at all: that is an empty list, not an
// error.
func TestListCameras(t *testing.T) {
	cams, err := ListCameras()
	if err != nil {
		t.Fatalf("ListCameras() = %v", err)
	}
	for _, c := range cams {
		f, err := ChooseFormat(c.Offers)
		t.Logf("%s %q: %d offers; would record %v (%v)", c.Path, c.Name, len(c.Offers), f, err)
	}
}

func TestOpenCameraMissing(t *testing.T) {
	_, err := OpenCamera("/dev/video-slate-none", nil)
	if err == nil || !strings.Contains(err.Error(), "no such camera") {
		t.Errorf("OpenCamera(missing) = %v, want \"no such camera\"", err)
	}
	// Not a V4L2 device at all.
	f, err := os.CreateTemp(t.TempDir(), "video")
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := OpenCamera(f.Name(), nil); err == nil {
		t.Errorf("OpenCamera(a plain file) = nil error")
	}
}

func TestV4L2Error(t *testing.T) {
	for _, c := range []struct {
		err       error
		unplugged bool
	}{
		{unix.ENODEV, true},
		{unix.EIO, true},
		{unix.EINVAL, false},
	} {
		got := v4l2Error(c.err)
		if errors.Is(got, ErrUnplugged) != c.unplugged || !errors.Is(got, c.err) {
			t.Errorf("v4l2Error(%v) = %v, want unplugged %v and the errno kept", c.err, got, c.unplugged)
		}
	}
}
