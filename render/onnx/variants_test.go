package onnx_test

import (
	"context"
	"crypto/sha256"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/slatestudio/slate/media"
	"github.com/slatestudio/slate/ml"
	"github.com/slatestudio/slate/ml/pack"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/render/onnx"
	"github.com/slatestudio/slate/render/onnx/onnxtest"
	"github.com/slatestudio/slate/timeline"
)

// variant writes a pack with opts into a temporary folder.
func variant(t *testing.T, opts onnxtest.Options) *pack.Pack {
	t.Helper()
	dir := t.TempDir()
	if _, err := onnxtest.Write(dir, opts); err != nil {
		t.Fatal(err)
	}
	p, err := pack.OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func renderOK(t *testing.T, b *onnx.Backend, req *render.Request) (*render.Result, string) {
	t.Helper()
	res, err := b.Render(context.Background(), req, func(float64) {})
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(res.Path)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256(data)
	return res, string(h[:])
}

// TestNamesComeFromTheManifest renders with a pack whose every tensor is
// renamed and whose timestep is int64 [batch]: the pipeline finds them by
// the manifest's names and feeds the type the model declares.
func TestNamesComeFromTheManifest(t *testing.T) {
	p := variant(t, onnxtest.Options{Rename: "x_", Int64Timestep: true})
	b := open(t, p, onnx.Options{Provider: ml.CPU})
	res, _ := renderOK(t, b, request(t, nil))
	if res.Frames != 24 {
		t.Errorf("Frames = %d, want 24", res.Frames)
	}

	// A manifest naming a tensor the model lacks is refused by name.
	bad := variant(t, onnxtest.Options{})
	bad.Manifest.Transformer.Timestep = "t"
	b = open(t, bad, onnx.Options{Provider: ml.CPU})
	_, err := b.Render(context.Background(), request(t, nil), func(float64) {})
	if err == nil || !strings.Contains(err.Error(), `transformer.timestep is "t", but the model has no input by that name`) {
		t.Errorf("Render with a wrong name = %v", err)
	}
}

// TestContinue renders a shot that starts from the previous clip's last
// frame with packs that take the condition as a separate input and on
// hidden_states' channels: the frame changes the clip, and the same frame
// gives the same clip.
func TestContinue(t *testing.T) {
	for _, mode := range []string{"input", "concat"} {
		t.Run(mode, func(t *testing.T) {
			b := open(t, variant(t, onnxtest.Options{Conditioning: mode}), onnx.Options{Provider: ml.CPU})
			if !b.Capabilities().ImageConditioning {
				t.Fatal("Capabilities().ImageConditioning is false for a pack with image conditioning")
			}
			first, _ := renderOK(t, b, request(t, func(p *timeline.Project, s *timeline.Shot) { s.Prompt = "a green hill at dawn" }))
			next := func(cont bool, prev string) string {
				req := request(t, func(p *timeline.Project, s *timeline.Shot) { s.Continue = cont })
				req.PrevClip = prev
				_, sum := renderOK(t, b, req)
				return sum
			}
			plain := next(false, "")
			cont := next(true, first.Path)
			again := next(true, first.Path)
			if cont == plain {
				t.Error("continuing from the previous clip changed nothing")
			}
			if cont != again {
				t.Error("the same previous frame gave different clips")
			}
		})
	}
	// A pack without image conditioning ignores Continue.
	b := open(t, tinyPack(t), onnx.Options{Provider: ml.CPU})
	_, a := renderOK(t, b, request(t, nil))
	req := request(t, func(p *timeline.Project, s *timeline.Shot) { s.Continue = true })
	req.PrevClip = "/nonexistent.mp4"
	_, c := renderOK(t, b, req)
	if a != c {
		t.Error("Continue changed the clip of a pack without image conditioning")
	}
}

// TestRates renders at each project rate and a duration that is not a
// whole number of model frames: exactly the project's frames every time.
func TestRates(t *testing.T) {
	tl := tools(t)
	b := open(t, tinyPack(t), onnx.Options{Provider: ml.CPU})
	for _, fps := range timeline.Rates {
		req := request(t, func(p *timeline.Project, s *timeline.Shot) {
			p.FPS = fps
			p.Width, p.Height = 256, 144
			s.Duration = 1300 * time.Millisecond
		})
		res, _ := renderOK(t, b, req)
		pr, err := tl.Probe(context.Background(), res.Path)
		if err != nil {
			t.Fatal(err)
		}
		if pr.Video.Frames != req.Frames() || res.Frames != req.Frames() || pr.Video.Width != 256 || pr.Video.Height != 144 {
			t.Errorf("%d fps: %d frames %dx%d, want %d at 256x144", fps, pr.Video.Frames, pr.Video.Width, pr.Video.Height, req.Frames())
		}
	}
}

// TestFloat16Pack renders with models that take and give float16 (the
// timestep excepted) and with image conditioning: the pipeline converts
// at every model's edge and reads float16 outputs into tensors it
// allocates. The frames differ from the float32 pack's only by rounding.
func TestFloat16Pack(t *testing.T) {
	half := open(t, variant(t, onnxtest.Options{Float16: true, Conditioning: "input"}), onnx.Options{Provider: ml.CPU})
	full := open(t, variant(t, onnxtest.Options{Conditioning: "input"}), onnx.Options{Provider: ml.CPU})
	tl := tools(t)
	decode := func(b *onnx.Backend, cont bool, prev string) (string, []byte) {
		req := request(t, func(p *timeline.Project, s *timeline.Shot) { s.Continue = cont })
		req.PrevClip = prev
		res, _ := renderOK(t, b, req)
		dec, err := tl.NewDecoder(context.Background(), res.Path, media.DecodeOptions{PixFmt: "gray"})
		if err != nil {
			t.Fatal(err)
		}
		defer dec.Close()
		buf := make([]byte, dec.FrameSize())
		if err := dec.ReadFrame(buf); err != nil {
			t.Fatal(err)
		}
		return res.Path, buf
	}
	first, a := decode(half, false, "")
	_, b := decode(full, false, "")
	var diff, n float64
	for i := range a {
		diff += math.Abs(float64(a[i]) - float64(b[i]))
		n++
	}
	if mean := diff / n; mean > 3 {
		t.Errorf("float16 and float32 packs differ by %.2f levels on average; want rounding only", mean)
	}
	decode(half, true, first) // the VAE encoder's float16 output too
}
