package render_test

import (
	"errors"
	"testing"
	"time"

	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/timeline"
)

// What a queue row says when a renderer cannot take a shot is in a
// filmmaker's words: the renderer as the inspector names it ("On-device
// models", "The animatic"), what to change, and no "backend" (it said
// "the onnx backend renders at most …: not supported by this backend").
// The error is still ErrUnsupported for the code that sorts it.
func TestCheckSaysItInAFilmmakersWords(t *testing.T) {
	shot := &timeline.Shot{Title: "The run", Duration: 4 * time.Second}
	req := func(w, h, fps int) *render.Request {
		return &render.Request{Index: 1, Format: render.Format{Width: w, Height: h, FPS: fps}, Shot: shot}
	}
	for _, tc := range []struct {
		name string
		caps render.Capabilities
		req  *render.Request
		want string
	}{
		{"onnx", render.Capabilities{MaxWidth: 1920, MaxHeight: 1080}, req(1080, 1920, 25),
			"On-device models render at most 1920×1080, and this project is 1080×1920: choose a smaller frame size for the project"},
		{"animatic", render.Capabilities{MaxWidth: 4096, MaxHeight: 4096}, req(8192, 4320, 25),
			"The animatic renders at most 4096×4096, and this project is 8192×4320: choose a smaller frame size for the project"},
		{"onnx", render.Capabilities{Sizes: []timeline.Size{{Width: 1280, Height: 720}}}, req(1080, 1920, 25),
			"On-device models do not render 1080×1920: choose another frame size for the project"},
		{"onnx", render.Capabilities{FPS: []int{24}}, req(1080, 1920, 25),
			"On-device models do not render at 25 fps: choose another frame rate for the project"},
		{"onnx", render.Capabilities{MinDuration: time.Second / 2, MaxDuration: 2 * time.Second}, req(1080, 1920, 25),
			"On-device models render shots of 0.5 s to 2 s, and shot 2 lasts 4 s: shorten it, or render it with the animatic"},
	} {
		err := tc.caps.Check(tc.name, tc.req)
		if err == nil || err.Error() != tc.want {
			t.Errorf("Check(%s) = %v\nwant %s", tc.name, err, tc.want)
		}
		if !errors.Is(err, render.ErrUnsupported) {
			t.Errorf("Check(%s) = %v, not ErrUnsupported", tc.name, err)
		}
	}
}
