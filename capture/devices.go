package capture

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/slatestudio/slate/internal/clock"
)

// Environment variables that put files in place of the devices, for tests
// and demos of the real binary on machines without a camera or sound.
const (
	EnvFakeCamera = "SLATE_FAKE_CAMERA" // a .y4m or .mjpeg file (see FileCamera)
	EnvFakeMic    = "SLATE_FAKE_MIC"    // a .wav file (see FileMicrophone)
)

// DeviceChoice says which camera and microphone to record with. The CLI
// fills it from flags and the studio from its settings; OpenDevices then
// opens the same devices for both.
type DeviceChoice struct {
	Camera     string // a V4L2 device such as /dev/video0; "" for the first camera found
	FakeCamera string // a .y4m or .mjpeg file to play instead of a camera
	Mic        string // a microphone's ID or name from ListMicrophones; "" for the default
	FakeMic    string // a .wav file to play instead of a microphone
}

// OpenDevices opens the chosen camera and microphone, paced and stamped by
// clock. A fake file named in choice, or else in $SLATE_FAKE_CAMERA or
// $SLATE_FAKE_MIC, replaces the device. If either cannot be opened,
// neither stays open. The caller closes both.
func OpenDevices(ctx context.Context, choice DeviceChoice, clock clock.Clock) (Camera, Microphone, error) {
	cam, err := openChosenCamera(choice, clock)
	if err != nil {
		return nil, nil, err
	}
	mic, err := openChosenMic(ctx, choice, clock)
	if err != nil {
		cam.Close()
		return nil, nil, err
	}
	return cam, mic, nil
}

func openChosenCamera(choice DeviceChoice, clock clock.Clock) (Camera, error) {
	fake := choice.FakeCamera
	if fake == "" {
		fake = os.Getenv(EnvFakeCamera)
	}
	if fake != "" {
		return OpenFileCamera(fake, clock)
	}
	path := choice.Camera
	if path == "" {
		cams, err := ListCameras()
		if err != nil {
			return nil, err
		}
		if len(cams) == 0 {
			return nil, fmt.Errorf("open the camera: %w", ErrNoCamera)
		}
		path = cams[0].Path
	}
	return OpenCamera(path, clock)
}

func openChosenMic(ctx context.Context, choice DeviceChoice, clock clock.Clock) (Microphone, error) {
	fake := choice.FakeMic
	if fake == "" {
		fake = os.Getenv(EnvFakeMic)
	}
	if fake != "" {
		return OpenFileMicrophone(fake, clock)
	}
	return OpenMicrophone(ctx, choice.Mic, clock)
}

// ErrNoCamera is wrapped by OpenDevices's error when no camera was found.
var ErrNoCamera = errors.New("no camera was found: connect one, or set " + EnvFakeCamera + " to a .y4m or .mjpeg file to record from")
