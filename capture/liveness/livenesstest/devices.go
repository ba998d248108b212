package livenesstest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/slatestudio/slate/capture"
	"github.com/slatestudio/slate/media"
)

// MakeDevices writes what a fake camera and microphone play for script: a
// face that follows its prompts as camera.mjpeg (30 fps, what FileCamera
// plays an MJPEG file at) and the spoken digits and line as mic.wav (48 kHz
// mono), in dir. Recording from them with capture.OpenDevices gives a take
// that follows the script, as a person would, when the script is the same
// (see enrol.EnvScriptSeed).
func MakeDevices(ctx context.Context, tools media.Tools, dir string, script capture.Script, opts Options) (camera, mic string, err error) {
	opts.FPS = 30
	take, err := Make(ctx, tools, filepath.Join(dir, "take.mp4"), script, opts)
	if err != nil {
		return "", "", err
	}
	defer os.Remove(take.Video)
	camera, mic = filepath.Join(dir, "camera.mjpeg"), filepath.Join(dir, "mic.wav")
	if err := tools.RunFFmpeg(ctx, "-i", take.Video, "-an", "-c:v", "mjpeg", "-q:v", "4", "-f", "mjpeg", camera); err != nil {
		return "", "", fmt.Errorf("fake camera: %w", err)
	}
	if err := tools.RunFFmpeg(ctx, "-i", take.Video, "-vn", "-ac", "1", "-ar", "48000", "-c:a", "pcm_s16le", "-f", "wav", mic); err != nil {
		return "", "", fmt.Errorf("fake microphone: %w", err)
	}
	return camera, mic, nil
}
