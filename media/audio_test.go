package media

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/slatestudio/slate/media/audio"
)

func TestReadWAVAgainstFFmpeg(t *testing.T) {
	// ffmpeg writes each sample format; ReadWAV and ffmpeg's own decode of
	// the same file must agree.
	tools := needTools(t, ToolFFmpeg)
	t.Parallel()
	dir := t.TempDir()
	ctx := testCtx(t)
	for _, codec := range []string{"pcm_u8", "pcm_s16le", "pcm_s24le", "pcm_s32le", "pcm_f32le"} {
		path := filepath.Join(dir, codec+".wav")
		if err := tools.RunFFmpeg(ctx, "-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=44100:duration=0.2", "-ac", "2", "-c:a", codec, path); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		got, err := audio.ReadWAV(f)
		f.Close()
		if err != nil {
			t.Errorf("ReadWAV(%s) = %v", codec, err)
			continue
		}
		want, err := tools.DecodeAudio(ctx, path, 44100, 2)
		if err != nil {
			t.Fatal(err)
		}
		if got.Rate != 44100 || got.Channels != 2 || got.Frames() != want.Frames() || got.Frames() != 8820 {
			t.Errorf("ReadWAV(%s) = %d Hz %d ch %d frames, want 44100 Hz 2 ch %d frames", codec, got.Rate, got.Channels, got.Frames(), want.Frames())
			continue
		}
		var maxd float64
		for i := range got.Samples {
			maxd = max(maxd, math.Abs(float64(got.Samples[i]-want.Samples[i])))
		}
		if maxd > 1e-6 {
			t.Errorf("ReadWAV(%s) differs from ffmpeg's decode by up to %g, want under 1e-6", codec, maxd)
		}
	}
}
