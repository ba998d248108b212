//go:build !linux

package capture

import (
	"context"
	"errors"
	"fmt"

	"github.com/slatestudio/slate/internal/clock"
)

// errNoV4L2 says why there is no camera here.
var errNoV4L2 = errors.New("cameras are supported on Linux only (V4L2)")

// ListCameras finds no camera where there is no V4L2.
func ListCameras() ([]CameraInfo, error) { return nil, nil }

// V4L2Camera is a V4L2 webcam; there is none here.
type V4L2Camera struct{}

// OpenCamera fails where there is no V4L2.
func OpenCamera(path string, clock clock.Clock) (*V4L2Camera, error) {
	return nil, fmt.Errorf("open camera %q: %w", path, errNoV4L2)
}

// Format returns nothing.
func (*V4L2Camera) Format() VideoFormat { return VideoFormat{} }

// ReadFrame fails.
func (*V4L2Camera) ReadFrame(context.Context) (Frame, error) { return Frame{}, errNoV4L2 }

// Close does nothing.
func (*V4L2Camera) Close() error { return nil }
