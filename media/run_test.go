package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/slatestudio/slate/internal/diskfull"
	"github.com/slatestudio/slate/internal/userfile"
	"github.com/slatestudio/slate/internal/userfile/userfiletest"
	"github.com/slatestudio/slate/media/audio"
)

var inputPathTests = []struct {
	path string
	ok   bool
}{
	{"clip.mp4", true},
	{"/home/me/Slate/clip.mp4", true},
	{"./take:1.wav", true},
	{"my,file.mp4", true},
	{"pipe:0", true},
	{"http://example.com/a.mp4", false},
	{"HTTPS://example.com/a.mp4", false},
	{"rtmp://host/live", false},
	{"/tmp/x/ftp://y", false},
	{"concat:a.mp4|b.mp4", false},
	{"file:clip.mp4", false},
	{"subfile,,start,0,end,100,,:clip.mp4", false},
	{"tcp:host:80", false},
	{"pipe:1", false},
	{"pipe:", false},
	{"take:1.wav", false},
	{"", false},
}

func TestCheckInputPath(t *testing.T) {
	for _, tc := range inputPathTests {
		err := CheckInputPath(tc.path)
		if (err == nil) != tc.ok {
			t.Errorf("CheckInputPath(%q) = %v, want ok %v", tc.path, err, tc.ok)
		}
		if err != nil && (!errors.Is(err, ErrUnsafeInput) || !strings.Contains(err.Error(), tc.path)) {
			t.Errorf("CheckInputPath(%q) = %v, want ErrUnsafeInput naming the path", tc.path, err)
		}
	}
}

func TestInputArgs(t *testing.T) {
	got, err := InputArgs("a.mp4")
	want := []string{"-protocol_whitelist", "file,pipe", "-i", "a.mp4"}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("InputArgs(a.mp4) = %q, %v, want %q", got, err, want)
	}
	if got, err := InputArgs("http://x/a.mp4"); err == nil {
		t.Errorf("InputArgs(http://x/a.mp4) = %q, want an error", got)
	}
}

func TestRestrictInputs(t *testing.T) {
	for _, tc := range []struct {
		in, want []string
		wantErr  bool
	}{
		{
			in:   []string{"-ss", "1", "-i", "a.mp4", "-i", "b.wav", "out.mp4"},
			want: []string{"-ss", "1", "-protocol_whitelist", "file,pipe", "-i", "a.mp4", "-protocol_whitelist", "file,pipe", "-i", "b.wav", "out.mp4"},
		},
		{
			// A caller's own whitelist is overridden by ours, placed last.
			in:   []string{"-protocol_whitelist", "http,file", "-i", "a.mp4", "out.mp4"},
			want: []string{"-protocol_whitelist", "http,file", "-protocol_whitelist", "file,pipe", "-i", "a.mp4", "out.mp4"},
		},
		{in: []string{"out.mp4"}, want: []string{"out.mp4"}},
		{in: []string{"-i", "http://x/a.mp4", "out.mp4"}, wantErr: true},
		{in: []string{"-i"}, wantErr: true},
	} {
		got, err := RestrictInputs(tc.in)
		if (err != nil) != tc.wantErr || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("RestrictInputs(%q) = %q, %v, want %q (error %v)", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestToolErrorMessage(t *testing.T) {
	err := &ToolError{Tool: "ffmpeg", Err: errors.New("exit status 1"), Stderr: "a.mp4: Invalid data found when processing input"}
	want := "ffmpeg failed: exit status 1\n\ta.mp4: Invalid data found when processing input"
	if got := err.Error(); got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if errors.Is(err, ErrDiskFull) {
		t.Errorf("errors.Is(%v, ErrDiskFull) = true, want false", err)
	}
	full := &ToolError{Tool: "ffmpeg", Err: errors.New("exit status 1"), Stderr: "av_interleaved_write_frame(): No space left on device"}
	if !errors.Is(full, ErrDiskFull) || !strings.Contains(full.Error(), "free some disk space") {
		t.Errorf("disk-full ToolError = %q, want ErrDiskFull and advice to free space", full)
	}
}

func TestTailBufferLastLines(t *testing.T) {
	b := newTailBuffer(64)
	for i := 0; i < 50; i++ {
		b.Write([]byte("line\n"))
	}
	b.Write([]byte("frame=1\rframe=2\rlast one\n"))
	if got := b.String(); len(got) > 64 {
		t.Errorf("tailBuffer kept %d bytes, want at most 64", len(got))
	}
	got := b.lastLines(3)
	if want := "frame=1\nframe=2\nlast one"; got != want {
		t.Errorf("lastLines(3) = %q, want %q", got, want)
	}
}

func TestRunFFmpegRefusesURLs(t *testing.T) {
	// No tool is needed: the URL is refused before anything runs.
	tools := Tools{FFmpeg: "/nonexistent/ffmpeg", FFprobe: "/nonexistent/ffprobe"}
	ctx := context.Background()
	for _, args := range [][]string{
		{"-i", "http://127.0.0.1:1/a.mp4", "out.mp4"},
		{"-i", "concat:a.mp4|b.mp4", "out.mp4"},
		{"-i", "a.mp4", "rtmp://127.0.0.1/live"},
	} {
		if err := tools.RunFFmpeg(ctx, args...); !errors.Is(err, ErrUnsafeInput) {
			t.Errorf("RunFFmpeg(%q) = %v, want ErrUnsafeInput", args, err)
		}
	}
	if _, err := tools.Probe(ctx, "https://127.0.0.1:1/a.mp4"); !errors.Is(err, ErrUnsafeInput) {
		t.Errorf("Probe(https://…) = %v, want ErrUnsafeInput", err)
	}
	if _, err := tools.NewDecoder(ctx, "http://127.0.0.1:1/a.mp4", DecodeOptions{}); !errors.Is(err, ErrUnsafeInput) {
		t.Errorf("NewDecoder(http://…) = %v, want ErrUnsafeInput", err)
	}
}

func TestRunFFmpegWhitelistBlocksNestedURLs(t *testing.T) {
	// A concat list is a plain file, but the URL inside it must not open.
	tools := needTools(t, ToolFFmpeg)
	dir := t.TempDir()
	list := filepath.Join(dir, "list.txt")
	if err := os.WriteFile(list, []byte("file 'http://127.0.0.1:9/a.mp4'\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.mp4")
	err := tools.RunFFmpeg(testCtx(t), "-f", "concat", "-safe", "0", "-i", list, "-c", "copy", out)
	var te *ToolError
	if !errors.As(err, &te) || !strings.Contains(te.Stderr, "not on whitelist") {
		t.Errorf("RunFFmpeg(concat list with a URL) = %v, want ffmpeg to refuse the protocol as not on the whitelist", err)
	}
}

func TestRunFFmpegFailureKeepsOutput(t *testing.T) {
	tools := needTools(t, ToolFFmpeg)
	dir := t.TempDir()
	out := filepath.Join(dir, "out.mp4")
	if err := os.WriteFile(out, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.mp4")
	err := tools.RunFFmpeg(testCtx(t), "-i", missing, "-c", "copy", out)
	var te *ToolError
	if !errors.As(err, &te) || !strings.Contains(err.Error(), "No such file or directory") || !strings.Contains(err.Error(), "exit status") {
		t.Fatalf("RunFFmpeg(missing input) = %v, want a ToolError with the exit status and ffmpeg's stderr", err)
	}
	if b, _ := os.ReadFile(out); string(b) != "old" {
		t.Errorf("output after a failed run = %q, want the old contents %q", b, "old")
	}
	if extra := leftovers(t, dir, "out.mp4"); len(extra) != 0 {
		t.Errorf("files left after a failed run: %q, want none", extra)
	}
}

func TestRunFFmpegReplacesOutput(t *testing.T) {
	tools := needTools(t, ToolFFmpeg)
	dir := t.TempDir()
	out := filepath.Join(dir, "tone.wav")
	if err := os.WriteFile(out, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := tools.RunFFmpeg(testCtx(t), "-f", "lavfi", "-i", "sine=frequency=440:duration=0.1", out); err != nil {
		t.Fatalf("RunFFmpeg(sine to wav) = %v", err)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p, err := audio.ReadWAV(f)
	if err != nil || p.Frames() != 4410 {
		t.Errorf("ReadWAV(output) = %v frames, %v, want 4410 frames of the new tone", p, err)
	}
	if extra := leftovers(t, dir, "tone.wav"); len(extra) != 0 {
		t.Errorf("files left: %q, want none", extra)
	}
}

func TestRunFFmpegCancel(t *testing.T) {
	tools := needTools(t, ToolFFmpeg)
	dir := t.TempDir()
	out := filepath.Join(dir, "endless.mp4")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 1)
	go func() {
		// An endless source: only cancellation ends this run.
		errc <- tools.RunFFmpeg(ctx, "-re", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=30", "-c:v", "libx264", "-preset", "ultrafast", out)
	}()
	time.Sleep(500 * time.Millisecond) // let ffmpeg start writing
	cancel()
	start := time.Now()
	select {
	case err := <-errc:
		if took := time.Since(start); took > time.Second {
			t.Errorf("RunFFmpeg returned %v after cancel, want within 1s", took)
		}
		if !errors.Is(err, context.Canceled) {
			t.Errorf("RunFFmpeg(cancelled) = %v, want context.Canceled", err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("RunFFmpeg did not return within 3s of cancel")
	}
	if extra := leftovers(t, dir); len(extra) != 0 {
		t.Errorf("files left after cancel: %q, want none", extra)
	}
}

func TestRunFFmpegDiskFull(t *testing.T) {
	tools := needTools(t, ToolFFmpeg)
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full on this system")
	}
	err := tools.RunFFmpeg(testCtx(t), "-f", "lavfi", "-i", "sine=duration=1", "-f", "wav", "/dev/full")
	if !errors.Is(err, ErrDiskFull) || !strings.Contains(err.Error(), "free some disk space") {
		t.Errorf("RunFFmpeg(to /dev/full) = %v, want ErrDiskFull asking to free space", err)
	}
}

func TestDiskFullWrap(t *testing.T) {
	err := diskfull.Wrap(&os.PathError{Op: "write", Path: "x", Err: errNoSpace()})
	if !errors.Is(err, ErrDiskFull) || !strings.Contains(err.Error(), "free some disk space") {
		t.Errorf("diskfull.Wrap(ENOSPC) = %v, want ErrDiskFull with advice", err)
	}
	if err := diskfull.Wrap(os.ErrPermission); errors.Is(err, ErrDiskFull) {
		t.Errorf("diskfull.Wrap(EPERM) = %v, want it unchanged", err)
	}
	if err := audio.WriteWAV(fullWriter{}, audio.NewPCM(8000, 1, 10)); err == nil {
		t.Errorf("WriteWAV(full writer) = nil, want an error")
	}
}

func TestLimitBuffer(t *testing.T) {
	b := &limitBuffer{max: 10}
	// io.Copy is how os/exec fills a stdout writer.
	n, err := io.Copy(b, strings.NewReader(strings.Repeat("x", 25)))
	if n != 25 || err != nil || len(b.Bytes()) != 10 || !b.overflow {
		t.Errorf("io.Copy(limitBuffer{max: 10}, 25 bytes) = %d, %v; kept %d, overflow %v; want 25, nil; kept 10, overflow true", n, err, len(b.Bytes()), b.overflow)
	}
}

func errNoSpace() error { return syscall.ENOSPC }

// fullWriter fails every write as a full disk does.
type fullWriter struct{}

func (fullWriter) Write([]byte) (int, error) { return 0, syscall.ENOSPC }

// A sound or clip path that is a named pipe or a device is refused before
// ffmpeg or ffprobe is started: ffmpeg would block in open() on a pipe until
// someone writes to it, and read a device without end. Each call has a few
// seconds, where the old code waited until the context ran out.
func TestInputsMustBeRegularFiles(t *testing.T) {
	tools := needTools(t, ToolFFmpeg, ToolFFprobe)
	dir := t.TempDir()
	fifo := filepath.Join(dir, "bell.wav")
	userfiletest.Mkfifo(t, fifo)
	calls := map[string]func(ctx context.Context, path string) error{
		"DecodeAudio": func(ctx context.Context, path string) error {
			_, err := tools.DecodeAudio(ctx, path, 48000, 2)
			return err
		},
		"Probe": func(ctx context.Context, path string) error {
			_, err := tools.Probe(ctx, path)
			return err
		},
		"RunFFmpeg": func(ctx context.Context, path string) error {
			return tools.RunFFmpeg(ctx, "-i", path, "-f", "null", "-")
		},
		"DecodeAudioParts": func(ctx context.Context, path string) error {
			_, err := tools.DecodeAudioParts(ctx, []AudioPart{{Path: path, Frames: 480}}, 48000, 2, nil)
			return err
		},
	}
	for _, path := range []string{fifo, "/dev/zero", "/dev/urandom"} {
		for name, call := range calls {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			start := time.Now()
			err := call(ctx, path)
			cancel()
			what := "a named pipe"
			if path != fifo {
				what = "a device"
			}
			if err == nil || !strings.Contains(err.Error(), path+" is "+what+", not a") || !errors.Is(err, userfile.ErrNotRegular) {
				t.Errorf("%s(%s) = %v after %v, want it refused at once as %s", name, path, err, time.Since(start).Round(time.Millisecond), what)
			}
		}
	}
	if _, err := tools.DecodeAudio(testCtx(t), fifo, 48000, 2); err == nil || err.Error() != "decode audio: "+fifo+" is a named pipe, not a sound file" {
		t.Errorf("DecodeAudio(fifo) = %v, want it to say the sound file is a named pipe", err)
	}
}

// StreamAudioParts hands on every part's sound, cut or padded to its
// length, in order, across as many ffmpeg runs as the parts need (more
// files than one run opens, silent parts and empty ones among them), and
// the same samples as decoding each file alone.
func TestStreamAudioParts(t *testing.T) {
	tools := needTools(t, ToolFFmpeg, ToolFFprobe)
	ctx := testCtx(t)
	dir := t.TempDir()
	clip := genClip(t, tools, dir, 64, 64, 24, time.Second, true)
	wav := filepath.Join(dir, "tone.wav")
	if err := audio.WriteWAVFile(wav, sine(48000, 2, 24000, 330, 0.5)); err != nil {
		t.Fatal(err)
	}
	whole := map[string]*audio.PCM{}
	for _, path := range []string{clip, wav} {
		p, err := tools.DecodeAudio(ctx, path, 48000, 2)
		if err != nil {
			t.Fatal(err)
		}
		whole[path] = p
	}
	var parts []AudioPart
	// More files than one ffmpeg run opens.
	for i := range maxPartInputs*4/3 + 8 {
		switch i % 4 {
		case 0:
			parts = append(parts, AudioPart{Path: clip, Frames: 9600 + i})
		case 1:
			parts = append(parts, AudioPart{Frames: 4800})
		case 2:
			parts = append(parts, AudioPart{Path: wav, Frames: 30000}) // past its end: padded
		case 3:
			parts = append(parts, AudioPart{Path: clip})
		}
	}
	got := make([][]float32, len(parts))
	last := -1
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	err := tools.StreamAudioParts(ctx, parts, 48000, 2, nil, func(i int, s []float32) error {
		if i < last {
			return fmt.Errorf("part %d came after part %d", i, last)
		}
		last = i
		got[i] = append(got[i], s...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range parts {
		want := make([]float32, 2*p.Frames)
		if p.Path != "" {
			copy(want, whole[p.Path].Samples)
		}
		if len(got[i]) != len(want) {
			t.Fatalf("part %d: %d samples, want %d", i, len(got[i]), len(want))
		}
		for k := range want {
			if math.Abs(float64(got[i][k]-want[k])) > 1e-6 {
				t.Fatalf("part %d, sample %d: %v, want %v", i, k, got[i][k], want[k])
			}
		}
	}
	stop := errors.New("enough")
	if err := tools.StreamAudioParts(ctx, parts[:3], 48000, 2, nil, func(int, []float32) error { return stop }); err != stop {
		t.Errorf("StreamAudioParts with a failing sink = %v, want its error", err)
	}
}
