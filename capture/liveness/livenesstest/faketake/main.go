// Command faketake writes a fake camera and microphone for rehearsing a
// cast recording without devices (make screenshots uses it): a face that
// follows the liveness script drawn from a seed, and its spoken lines.
//
//	go run ./capture/liveness/livenesstest/faketake -seed 42 -out DIR
//
// Then record with SLATE_SCRIPT_SEED=42 SLATE_FAKE_CAMERA=DIR/camera.mjpeg
// SLATE_FAKE_MIC=DIR/mic.wav.
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"

	"github.com/slatestudio/slate/capture"
	"github.com/slatestudio/slate/capture/liveness/livenesstest"
	"github.com/slatestudio/slate/media"
)

func main() {
	seed := flag.Uint64("seed", 42, "the script's seed (SLATE_SCRIPT_SEED when recording)")
	out := flag.String("out", ".", "folder to write camera.mjpeg and mic.wav in")
	w := flag.Int("width", 640, "picture width")
	h := flag.Int("height", 480, "picture height")
	flag.Parse()
	script := capture.NewScript(rand.New(rand.NewPCG(*seed, *seed)))
	cam, mic, err := livenesstest.MakeDevices(context.Background(), media.FindTools(), *out, script, livenesstest.Options{Width: *w, Height: *h})
	if err != nil {
		fmt.Fprintln(os.Stderr, "faketake:", err)
		os.Exit(1)
	}
	fmt.Println(cam)
	fmt.Println(mic)
}
