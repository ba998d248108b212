//go:build linux

package capture

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/blackjack/webcam"
	"golang.org/x/sys/unix"

	"github.com/slatestudio/slate/internal/clock"
)

// V4L2 pixel format codes (four characters, little-endian).
const (
	fourccMJPEG webcam.PixelFormat = 'M' | 'J'<<8 | 'P'<<16 | 'G'<<24
	fourccYUYV  webcam.PixelFormat = 'Y' | 'U'<<8 | 'Y'<<16 | 'V'<<24
)

// v4l2 tuning.
const (
	// v4l2Buffers is how many frames the driver may hold for us: enough to
	// ride out a slow moment, few enough that the pump never reads far
	// behind the camera.
	v4l2Buffers = 6
	// pumpFrames is how many frames wait for ReadFrame; older ones are
	// dropped, so a take never starts with stale pictures.
	pumpFrames = 4
)

// ListCameras lists the V4L2 capture devices (/dev/video*) with what they
// offer in MJPEG and YUYV. Devices that are not cameras (the metadata
// nodes that UVC webcams add) are left out. A machine with no camera gets
// an empty list; an error only when devices exist but none could be read,
// such as for want of permission.
func ListCameras() ([]CameraInfo, error) {
	paths, err := filepath.Glob("/dev/video*")
	if err != nil {
		return nil, fmt.Errorf("list cameras: %w", err)
	}
	sort.Slice(paths, func(i, j int) bool { return videoNumber(paths[i]) < videoNumber(paths[j]) })
	var cams []CameraInfo
	var errs []error
	for _, p := range paths {
		cam, err := openV4L2(p)
		if errors.Is(err, errNotCamera) {
			continue
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		info := CameraInfo{Path: p, Offers: v4l2Offers(cam)}
		info.Name, _ = cam.GetName()
		cam.Close()
		cams = append(cams, info)
	}
	if len(cams) == 0 && len(errs) > 0 {
		return nil, fmt.Errorf("list cameras: %w", errors.Join(errs...))
	}
	return cams, nil
}

// videoNumber orders /dev/video10 after /dev/video9.
func videoNumber(path string) int {
	n, err := strconv.Atoi(strings.TrimPrefix(filepath.Base(path), "video"))
	if err != nil {
		return 1 << 30
	}
	return n
}

// errNotCamera marks a V4L2 node that is not a capture device.
var errNotCamera = errors.New("not a video capture device")

// openV4L2 opens a device, explaining the usual failures.
func openV4L2(path string) (*webcam.Webcam, error) {
	cam, err := webcam.Open(path)
	var errno unix.Errno
	switch {
	case err == nil:
		return cam, nil
	case errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENODEV) || errors.Is(err, unix.ENXIO):
		return nil, fmt.Errorf("open camera %q: no such camera (is it plugged in?): %w", path, err)
	case errors.Is(err, unix.EACCES) || errors.Is(err, unix.EPERM):
		return nil, fmt.Errorf("open camera %q: permission denied: add yourself to the \"video\" group (sudo usermod -aG video $USER) and log in again: %w", path, err)
	case errors.Is(err, unix.EBUSY):
		return nil, fmt.Errorf("open camera %q: another program is using it; close it and try again: %w", path, err)
	case !errors.As(err, &errno):
		// webcam reports capability problems as plain text errors.
		return nil, fmt.Errorf("open camera %q: %w (%v)", path, errNotCamera, err)
	}
	return nil, fmt.Errorf("open camera %q: %w", path, err)
}

// v4l2Offers lists what cam offers in the pixel formats Slate takes.
func v4l2Offers(cam *webcam.Webcam) []FormatOffer {
	var offers []FormatOffer
	for code := range cam.GetSupportedFormats() {
		var pixel PixelFormat
		switch code {
		case fourccMJPEG:
			pixel = MJPEG
		case fourccYUYV:
			pixel = YUYV
		default:
			continue
		}
		offers = append(offers, offersFor(pixel, cam.GetSupportedFrameSizes(code), func(w, h uint32) []webcam.FrameRate {
			return cam.GetSupportedFramerates(code, w, h)
		})...)
	}
	return offers
}

// offersFor turns a pixel format's sizes and each size's frame intervals,
// as V4L2 lists them, into offers. A range of sizes or intervals becomes
// its value nearest Slate's target and its largest; a size with no
// intervals listed (some drivers list none) is taken to run at 30 fps.
func offersFor(pixel PixelFormat, sizes []webcam.FrameSize, rates func(w, h uint32) []webcam.FrameRate) []FormatOffer {
	var offers []FormatOffer
	for _, s := range sizes {
		type wh struct{ w, h int }
		cands := []wh{{int(s.MaxWidth), int(s.MaxHeight)}}
		if s.StepWidth != 0 || s.StepHeight != 0 || s.MinWidth != s.MaxWidth || s.MinHeight != s.MaxHeight {
			cands = append(cands, wh{
				nearestStep(TargetWidth, int(s.MinWidth), int(s.MaxWidth), int(s.StepWidth)),
				nearestStep(TargetHeight, int(s.MinHeight), int(s.MaxHeight), int(s.StepHeight)),
			})
		}
		for _, c := range cands {
			fpss := frameRates(rates(uint32(c.w), uint32(c.h)))
			if len(fpss) == 0 {
				fpss = []float64{TargetFPS}
			}
			for _, fps := range fpss {
				offers = append(offers, FormatOffer{Pixel: pixel, Width: c.w, Height: c.h, FPS: fps})
			}
		}
	}
	return offers
}

// frameRates turns V4L2 frame intervals (seconds a frame, as fractions)
// into frames a second. A range gives its fastest rate and 30 when 30 is
// within it.
func frameRates(intervals []webcam.FrameRate) []float64 {
	var fps []float64
	for _, r := range intervals {
		if r.MinNumerator == 0 || r.MinDenominator == 0 {
			continue
		}
		fastest := float64(r.MinDenominator) / float64(r.MinNumerator)
		fps = append(fps, fastest)
		if r.StepNumerator == 0 && r.StepDenominator == 0 || r.MaxNumerator == 0 {
			continue
		}
		slowest := float64(r.MaxDenominator) / float64(r.MaxNumerator)
		if slowest <= TargetFPS && TargetFPS < fastest {
			fps = append(fps, TargetFPS)
		}
	}
	return fps
}

// V4L2Camera is a webcam opened through Video4Linux2. It streams from
// Open to Close: a goroutine takes each frame off the driver as it comes
// and stamps it, so its time is when it arrived, not when someone asked
// for it, and so the camera's exposure has settled when a take starts.
type V4L2Camera struct {
	path   string
	cam    *webcam.Webcam
	format VideoFormat
	clock  clock.Clock
	epoch  time.Time

	frames chan pumped
	stop   chan struct{}
	done   chan struct{} // closed when the pump ends, after it set err
	err    error         // why the pump ended
	once   sync.Once
}

var (
	_ Camera  = (*V4L2Camera)(nil)
	_ Epocher = (*V4L2Camera)(nil)
)

// pumped is a frame, or an error to report.
type pumped struct {
	frame Frame
	err   error
}

// OpenCamera opens the V4L2 camera at path (such as /dev/video0), asks it
// for the format ChooseFormat picks among its offers, and starts it.
// Frames are stamped with clock, from the moment the camera opened. Close
// it when done.
func OpenCamera(path string, clock clock.Clock) (*V4L2Camera, error) {
	cam, err := openV4L2(path)
	if err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			cam.Close()
		}
	}()
	offers := v4l2Offers(cam)
	f, err := ChooseFormat(offers)
	if err != nil {
		return nil, fmt.Errorf("open camera %q: %w", path, err)
	}
	code := fourccMJPEG
	if f.Pixel == YUYV {
		code = fourccYUYV
	}
	got, _, _, err := cam.SetImageFormat(code, uint32(f.Width), uint32(f.Height))
	if err != nil {
		return nil, fmt.Errorf("open camera %q: set format %v: %w", path, f, err)
	}
	if got != code {
		return nil, fmt.Errorf("open camera %q: asked for %s, the camera chose another pixel format", path, f.Pixel)
	}
	// Not every driver takes a rate; the one it runs at is read back.
	_ = cam.SetFramerate(float32(f.FPS))
	if fps, err := cam.GetFramerate(); err == nil && fps >= 1 {
		f.FPS = int(fps + 0.5)
	}
	if err := cam.SetBufferCount(v4l2Buffers); err != nil {
		return nil, fmt.Errorf("open camera %q: %w", path, err)
	}
	if err := cam.StartStreaming(); err != nil {
		return nil, fmt.Errorf("open camera %q: %w", path, v4l2Error(err))
	}
	c := &V4L2Camera{
		path:   path,
		cam:    cam,
		format: f,
		clock:  clock,
		epoch:  clock.Now(),
		frames: make(chan pumped, pumpFrames),
		stop:   make(chan struct{}),
		done:   make(chan struct{}),
	}
	go c.pump()
	ok = true
	return c, nil
}

// Format returns what the camera delivers.
func (c *V4L2Camera) Format() VideoFormat { return c.format }

// Epoch is when the camera opened, on its clock: frame times count from it.
func (c *V4L2Camera) Epoch() time.Time { return c.epoch }

// ReadFrame returns the next frame. A camera unplugged mid-stream gives
// an error wrapping ErrUnplugged; one that sends nothing for two seconds
// an error saying so.
func (c *V4L2Camera) ReadFrame(ctx context.Context) (Frame, error) {
	select {
	case p := <-c.frames:
		return p.frame, p.err
	case <-ctx.Done():
		return Frame{}, ctx.Err()
	case <-c.done:
		select { // frames that came before the end still count
		case p := <-c.frames:
			return p.frame, p.err
		default:
			return Frame{}, c.err
		}
	}
}

// pump takes frames off the driver until Close or a fatal error, which
// it leaves in c.err.
func (c *V4L2Camera) pump() {
	defer close(c.done)
	var quiet time.Duration
	for {
		select {
		case <-c.stop:
			c.err = fmt.Errorf("read camera %q: it is closed", c.path)
			return
		default:
		}
		// The wait is in whole seconds (webcam's API): it bounds how long
		// Close waits for the pump.
		err := c.cam.WaitForFrame(1)
		var timeout *webcam.Timeout
		if errors.As(err, &timeout) {
			if quiet += time.Second; quiet >= stallTimeout {
				c.hand(pumped{err: fmt.Errorf("read camera %q: no frame for %v; unplug it and plug it in again", c.path, quiet)})
			}
			continue
		}
		if err != nil {
			c.err = fmt.Errorf("read camera %q: %w", c.path, v4l2Error(err))
			return
		}
		buf, index, err := c.cam.GetFrame()
		if errors.Is(err, unix.EAGAIN) {
			continue
		}
		if err != nil {
			c.err = fmt.Errorf("read camera %q: %w", c.path, v4l2Error(err))
			return
		}
		at := c.clock.Now().Sub(c.epoch)
		// The driver's buffer goes back at once; the frame is ours.
		data := append([]byte(nil), buf...)
		if err := c.cam.ReleaseFrame(index); err != nil {
			c.err = fmt.Errorf("read camera %q: %w", c.path, v4l2Error(err))
			return
		}
		quiet = 0
		if len(data) == 0 {
			continue // the driver flagged a bad frame
		}
		c.hand(pumped{frame: Frame{Time: at, Data: data}})
	}
}

// hand queues p for ReadFrame, dropping the oldest frame when nobody has
// been reading: the pump must never wait, or the driver runs out of
// buffers and frames arrive stale.
func (c *V4L2Camera) hand(p pumped) {
	for {
		select {
		case c.frames <- p:
			return
		default:
		}
		select {
		case <-c.frames:
		default:
		}
	}
}

// v4l2Error names the errors of a camera that went away.
func v4l2Error(err error) error {
	for _, gone := range []error{unix.ENODEV, unix.EIO, unix.ENXIO, unix.ESHUTDOWN, unix.EPIPE} {
		if errors.Is(err, gone) {
			return fmt.Errorf("%w (%w)", ErrUnplugged, err)
		}
	}
	return err
}

// Close stops the camera and releases it. It waits for the pump, up to a
// second.
func (c *V4L2Camera) Close() error {
	var err error
	c.once.Do(func() {
		close(c.stop)
		<-c.done
		err = c.cam.Close()
		if err != nil {
			err = fmt.Errorf("close camera %q: %w", c.path, err)
		}
	})
	return err
}
