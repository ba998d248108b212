package worker_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/account/accounttest"
	"github.com/slatestudio/slate/account/server"
	"github.com/slatestudio/slate/render/worker"
)

// readJPEG decodes a JPEG file or bytes.
func decodeJPEG(t *testing.T, data []byte) image.Image {
	t.Helper()
	img, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("not a JPEG: %v", err)
	}
	return img
}

// mean is the mean brightness (0–255) of r in img.
func mean(img image.Image, r image.Rectangle) float64 {
	var sum, n float64
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			sum += float64(cr+cg+cb) / 3 / 257
			n++
		}
	}
	return sum / n
}

// checkPreviews checks a thumbnail wantW×wantH and a sprite sheet of ten
// 160 px tiles of a clip width×height, every tile a frame of the clip
// (none of them the black the tile filter pads a short row with).
func checkPreviews(t *testing.T, thumb, sheet []byte, wantW, wantH, width, height int) {
	t.Helper()
	th := decodeJPEG(t, thumb)
	if b := th.Bounds(); b.Dx() != wantW || b.Dy() != wantH {
		t.Errorf("thumbnail is %dx%d, want %dx%d", b.Dx(), b.Dy(), wantW, wantH)
	}
	if m := mean(th, th.Bounds()); m < 8 {
		t.Errorf("thumbnail is black (mean %.1f)", m)
	}
	sh := decodeJPEG(t, sheet)
	tileH := (160*height/width + 1) &^ 1
	if b := sh.Bounds(); b.Dx() != 1600 || b.Dy() != tileH {
		t.Fatalf("sprite sheet is %dx%d, want 1600x%d (ten tiles of 160 px in a row)", b.Dx(), b.Dy(), tileH)
	}
	for i := range 10 {
		if m := mean(sh, image.Rect(i*160, 0, (i+1)*160, tileH)); m < 8 {
			t.Errorf("sprite sheet tile %d is black (mean %.1f): fewer than ten frames", i, m)
		}
	}
}

// The worker makes a clip's previews with ffmpeg: the middle frame at the
// clip's width (at most 1280) and ten frames across it.
func TestVariants(t *testing.T) {
	ctx := context.Background()
	tools := needTools(t)
	w := openAnimatic(t, tools)
	for _, c := range []struct {
		width, height, thumbW, thumbH int
		seconds                       float64
	}{
		{320, 180, 320, 180, 2},
		{1920, 1080, 1280, 720, 0.5},
	} {
		job := account.RenderJob{ID: "video_v", Model: "animatic", Prompt: "a lighthouse at dusk", Width: c.width, Height: c.height, Seconds: c.seconds, TempDir: t.TempDir()}
		clip, err := w.Render(ctx, job, nil)
		if err != nil {
			t.Fatal(err)
		}
		thumb, sheet, err := w.Variants(ctx, job, clip)
		if err != nil {
			t.Fatalf("%dx%d: Variants: %v", c.width, c.height, err)
		}
		for _, p := range []string{thumb, sheet} {
			if filepath.Dir(p) != job.TempDir || filepath.Ext(p) != ".jpg" {
				t.Errorf("preview %s is not a JPEG in the job's folder %s", p, job.TempDir)
			}
		}
		tb, err := os.ReadFile(thumb)
		if err != nil {
			t.Fatal(err)
		}
		sb, err := os.ReadFile(sheet)
		if err != nil {
			t.Fatal(err)
		}
		checkPreviews(t, tb, sb, c.thumbW, c.thumbH, c.width, c.height)
	}
	// The thumbnail is the middle frame: the same as ffmpeg's frame at
	// half the clip's length.
	job := account.RenderJob{ID: "video_m", Model: "animatic", Prompt: "rain on a window", Width: 320, Height: 180, Seconds: 2, TempDir: t.TempDir()}
	clip, err := w.Render(ctx, job, nil)
	if err != nil {
		t.Fatal(err)
	}
	thumb, _, err := w.Variants(ctx, job, clip)
	if err != nil {
		t.Fatal(err)
	}
	mid := filepath.Join(t.TempDir(), "mid.jpg")
	if err := tools.Thumbnail(ctx, clip, mid, time.Second, 320); err != nil {
		t.Fatal(err)
	}
	if fileSum(t, mid) != fileSum(t, thumb) {
		t.Errorf("the thumbnail is not the frame at the middle of the clip")
	}
	if _, _, err := w.Variants(ctx, job, filepath.Join(job.TempDir, "none.mp4")); err == nil {
		t.Errorf("Variants of a missing clip succeeded")
	}
}

var _ server.VariantMaker = (*worker.Worker)(nil)

// slate-server rendering with the worker serves a job's thumbnail and
// sprite sheet as JPEGs, with ranges and ETags, and its clip as before.
func TestServerServesVariants(t *testing.T) {
	tools := needTools(t)
	w, err := worker.Open(worker.Options{Backends: []string{"animatic"}, Tools: tools, Models: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	_, url, key := accounttest.StartRenderer(t, w, 1)
	do := func(method, path, body string, hdr ...string) (int, http.Header, []byte) {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), method, url+account.VideosPrefix+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+key)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		for i := 0; i < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, resp.Header, b
	}
	code, _, b := do("POST", "", `{"model":"animatic","prompt":"a lighthouse at dusk","size":"320x180","seconds":"2"}`)
	var v account.Video
	if code != 200 || json.Unmarshal(b, &v) != nil {
		t.Fatalf("POST = %d %s", code, b)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for !v.Done() {
		if time.Now().After(deadline) {
			t.Fatalf("the job did not finish: %+v", v)
		}
		time.Sleep(50 * time.Millisecond)
		code, _, b := do("GET", "/"+v.ID, "")
		if code != 200 || json.Unmarshal(b, &v) != nil {
			t.Fatalf("GET = %d %s", code, b)
		}
	}
	if v.Status != account.VideoCompleted {
		t.Fatalf("job = %+v", v)
	}
	// The job reads completed once its clip is stored; its previews
	// follow a moment later ("variant_not_ready" until then).
	for wait := time.Now().Add(time.Minute); ; time.Sleep(50 * time.Millisecond) {
		code, _, b := do("GET", "/"+v.ID+"/content?variant=spritesheet", "")
		if code != 404 || !strings.Contains(string(b), "variant_not_ready") {
			break
		}
		if time.Now().After(wait) {
			t.Fatal("the previews were not made within a minute")
		}
	}
	got := map[string][]byte{}
	for _, c := range []struct{ variant, ctype string }{{"video", "video/mp4"}, {"thumbnail", "image/jpeg"}, {"spritesheet", "image/jpeg"}} {
		code, h, body := do("GET", "/"+v.ID+"/content?variant="+c.variant, "")
		if code != 200 || h.Get("Content-Type") != c.ctype || h.Get("ETag") == "" || len(body) < 100 {
			t.Fatalf("%s = %d %v (%d bytes)", c.variant, code, h, len(body))
		}
		got[c.variant] = body
		code, h2, part := do("GET", "/"+v.ID+"/content?variant="+c.variant, "", "Range", "bytes=10-19")
		if code != http.StatusPartialContent || !bytes.Equal(part, body[10:20]) || h2.Get("Content-Range") != fmt.Sprintf("bytes 10-19/%d", len(body)) {
			t.Errorf("%s with a range = %d %v", c.variant, code, h2)
		}
		if code, _, _ := do("GET", "/"+v.ID+"/content?variant="+c.variant, "", "If-None-Match", h.Get("ETag")); code != http.StatusNotModified {
			t.Errorf("%s with its ETag = %d, want 304", c.variant, code)
		}
	}
	checkPreviews(t, got["thumbnail"], got["spritesheet"], 320, 180, 320, 180)
	// The thumbnail is the clip's middle frame, as the worker makes it.
	dir := t.TempDir()
	clip := filepath.Join(dir, "clip.mp4")
	if err := os.WriteFile(clip, got["video"], 0o600); err != nil {
		t.Fatal(err)
	}
	thumb, _, err := w.Variants(t.Context(), account.RenderJob{TempDir: dir}, clip)
	if err != nil {
		t.Fatal(err)
	}
	if want, err := os.ReadFile(thumb); err != nil || !bytes.Equal(want, got["thumbnail"]) {
		t.Errorf("the served thumbnail is not the clip's (%v)", err)
	}
}
