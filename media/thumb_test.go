package media

import (
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSpriteRows(t *testing.T) {
	for _, tc := range []struct {
		d, interval time.Duration
		cols, want  int
	}{
		{3 * time.Second, time.Second, 2, 2},
		{2500 * time.Millisecond, time.Second, 3, 1},
		{10 * time.Second, time.Second, 5, 2},
		{10*time.Second + time.Millisecond, time.Second, 5, 3},
		{time.Millisecond, time.Second, 4, 1},
		{0, time.Second, 4, 0},
		{time.Second, 0, 4, 0},
	} {
		if got := SpriteRows(tc.d, tc.interval, tc.cols); got != tc.want {
			t.Errorf("SpriteRows(%v, %v, %d) = %d, want %d", tc.d, tc.interval, tc.cols, got, tc.want)
		}
	}
}

func decodeJPEG(t *testing.T, path string) (w, h int) {
	img := loadJPEG(t, path)
	return img.Bounds().Dx(), img.Bounds().Dy()
}

func loadJPEG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := jpeg.Decode(f)
	if err != nil {
		t.Fatalf("jpeg.Decode(%s) = %v", filepath.Base(path), err)
	}
	return img
}

// meanLuma averages the brightness of r in img, 0..255.
func meanLuma(img image.Image, r image.Rectangle) float64 {
	var sum float64
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			sum += float64(color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y)
		}
	}
	return sum / float64(r.Dx()*r.Dy())
}

func TestThumbnailAndSpriteSheet(t *testing.T) {
	tools := needTools(t, ToolFFmpeg, ToolFFprobe)
	t.Parallel()
	ctx := testCtx(t)
	dir := t.TempDir()
	clip := genClip(t, tools, dir, 320, 240, 25, 3*time.Second, true)

	for _, at := range []time.Duration{0, 1500 * time.Millisecond, time.Hour} {
		out := filepath.Join(dir, "thumb.jpg")
		os.Remove(out)
		if err := tools.Thumbnail(ctx, clip, out, at, 160); err != nil {
			t.Fatalf("Thumbnail(at %v) = %v", at, err)
		}
		if w, h := decodeJPEG(t, out); w != 160 || h != 120 {
			t.Errorf("Thumbnail(at %v, 160) = %dx%d JPEG, want 160x120", at, w, h)
		}
	}
	if err := tools.Thumbnail(ctx, clip, filepath.Join(dir, "x.jpg"), -time.Second, 160); err == nil {
		t.Errorf("Thumbnail(at -1s) = nil, want an error")
	}
	if err := tools.Thumbnail(ctx, clip, filepath.Join(dir, "x.jpg"), 0, 4); err == nil {
		t.Errorf("Thumbnail(width 4) = nil, want an error")
	}

	sheet := filepath.Join(dir, "sheet.jpg")
	// 3 s, one tile a second, 2 columns: 3 tiles in 2 rows.
	if err := tools.SpriteSheet(ctx, clip, sheet, time.Second, 64, 2); err != nil {
		t.Fatalf("SpriteSheet() = %v", err)
	}
	if w, h := decodeJPEG(t, sheet); w != 128 || h != 96 {
		t.Errorf("SpriteSheet(3s, 1s, 64 px, 2 cols) = %dx%d, want 128x96", w, h)
	}
	// Three pictures and one empty (black) tile.
	img := loadJPEG(t, sheet)
	for i, r := range []image.Rectangle{image.Rect(0, 0, 64, 48), image.Rect(64, 0, 128, 48), image.Rect(0, 48, 64, 96)} {
		if l := meanLuma(img, r); l < 60 {
			t.Errorf("SpriteSheet tile %d mean luma %.0f, want a picture (> 60)", i, l)
		}
	}
	if l := meanLuma(img, image.Rect(66, 50, 128, 96)); l > 10 {
		t.Errorf("SpriteSheet tile 3 mean luma %.0f, want black: only 3 tiles for 3 s", l)
	}
	if err := tools.SpriteSheet(ctx, clip, sheet, 10*time.Millisecond, 256, 1); err == nil || !strings.Contains(err.Error(), "pixels") {
		t.Errorf("SpriteSheet(huge) = %v, want a size error", err)
	}
	if extra := leftovers(t, dir, filepath.Base(clip), "thumb.jpg", "sheet.jpg"); len(extra) != 0 {
		t.Errorf("files left: %q, want none", extra)
	}
}
