package library

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// thumbnailer stands in for media.Tools: it notes what it was asked for
// and writes a file of the size given.
type thumbnailer struct {
	size  int
	calls int
	video string
	at    time.Duration
	width int
	// during runs while the file is being made.
	during func()
}

func (th *thumbnailer) Thumbnail(_ context.Context, video, out string, at time.Duration, width int) error {
	th.calls++
	th.video, th.at, th.width = video, at, width
	if th.during != nil {
		th.during()
	}
	return os.WriteFile(out, []byte(strings.Repeat("j", th.size)), 0o644)
}

// derivedFiles lists the files in the data folder dir whose names hold sum
// other than the blob itself.
func derivedFiles(t *testing.T, l *Library, sum string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(l.Dir(), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if strings.Contains(d.Name(), sum) && path != l.Blobs().Path(sum) && !strings.Contains(path, "damaged") {
			out = append(out, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// A clip's thumbnail is made once, kept beside its blob, and read back.
func TestClipThumbnailKeptBesideBlob(t *testing.T) {
	ctx := context.Background()
	l := open(t, t.TempDir())
	c := putClip(t, l, "k", "frames")
	c.Frames, c.FPS = 72, 24
	th := &thumbnailer{size: 100}
	data, err := l.ClipThumbnail(ctx, th, c)
	if err != nil || len(data) != 100 {
		t.Fatalf("ClipThumbnail = %d bytes, %v", len(data), err)
	}
	if th.video != l.Blobs().Path(c.SHA256) || th.at != time.Second || th.width != ThumbnailWidth {
		t.Errorf("made from %s at %v, %d wide; want the blob, a third of the way in (1s), %d wide", th.video, th.at, th.width, ThumbnailWidth)
	}
	if again, err := l.ClipThumbnail(ctx, th, c); err != nil || string(again) != string(data) || th.calls != 1 {
		t.Errorf("asked again: %d bytes, %v, made %d times; want the kept one, made once", len(again), err, th.calls)
	}
	if got, err := l.Blobs().Derived(c.SHA256, Thumbnail); err != nil || string(got) != string(data) {
		t.Errorf("Derived = %d bytes, %v", len(got), err)
	}
	if files := derivedFiles(t, l, c.SHA256); len(files) != 1 || filepath.Dir(files[0]) != filepath.Dir(l.Blobs().Path(c.SHA256)) {
		t.Errorf("derived files %v; want one, beside the blob", files)
	}
	if _, err := l.Blobs().Derived(c.SHA256, "notes.txt"); err == nil {
		t.Error("Derived read a kind the store does not keep")
	}
}

// Whatever deletes a blob deletes the files derived from it: a clip
// deleted, a use removed, a damaged blob moved aside, a blob removed.
func TestDerivedGoWithBlob(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		delete func(t *testing.T, l *Library, c Clip)
	}{
		{"DeleteClip", func(t *testing.T, l *Library, c Clip) {
			if err := l.DeleteClip(ctx, c); err != nil {
				t.Fatal(err)
			}
		}},
		{"RemoveUse", func(t *testing.T, l *Library, c Clip) {
			if err := l.AddUse(ctx, &Use{GrantID: "g", MemberID: "m", SHA256: c.SHA256, ProjectID: c.ProjectID, ShotID: c.ShotID}); err != nil {
				t.Fatal(err)
			}
			if _, err := l.RemoveUse(ctx, "", c.SHA256); err != nil {
				t.Fatal(err)
			}
		}},
		{"MoveAside", func(t *testing.T, l *Library, c Clip) {
			damage(t, l.Blobs().Path(c.SHA256), "flipped")
			if _, _, err := l.ClipByKey(ctx, c.Key); !errors.Is(err, ErrDamaged) {
				t.Fatalf("ClipByKey of a damaged clip: %v", err)
			}
		}},
		{"Remove", func(t *testing.T, l *Library, c Clip) {
			if err := l.Blobs().Remove(c.SHA256); err != nil {
				t.Fatal(err)
			}
		}},
		{"Remove after the blob went", func(t *testing.T, l *Library, c Clip) {
			os.Remove(l.Blobs().Path(c.SHA256)) // as a crash between the two would leave it
			if err := l.Blobs().Remove(c.SHA256); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := open(t, t.TempDir())
			c := putClip(t, l, "k", "frames of "+tt.name)
			if _, err := l.ClipThumbnail(ctx, &thumbnailer{size: 10}, c); err != nil {
				t.Fatal(err)
			}
			tt.delete(t, l, c)
			if files := derivedFiles(t, l, c.SHA256); len(files) != 0 {
				t.Errorf("left %v", files)
			}
		})
	}
}

// Nothing is kept for a blob that is not there, nor for one removed while
// its thumbnail was being made, nor a file over MaxDerivedSize.
func TestDeriveKeepsNothingAstray(t *testing.T) {
	ctx := context.Background()
	l := open(t, t.TempDir())

	gone := putClip(t, l, "gone", "removed before")
	if err := l.Blobs().Remove(gone.SHA256); err != nil {
		t.Fatal(err)
	}
	if _, err := l.ClipThumbnail(ctx, &thumbnailer{size: 10}, gone); !errors.Is(err, ErrNotFound) {
		t.Errorf("thumbnail of a removed clip: %v, want ErrNotFound", err)
	}

	during := putClip(t, l, "during", "removed meanwhile")
	th := &thumbnailer{size: 10, during: func() {
		if err := l.Blobs().Remove(during.SHA256); err != nil {
			t.Error(err)
		}
	}}
	if _, err := l.ClipThumbnail(ctx, th, during); !errors.Is(err, ErrNotFound) {
		t.Errorf("thumbnail of a clip removed while it was made: %v, want ErrNotFound", err)
	}

	big := putClip(t, l, "big", "a huge picture")
	if _, err := l.ClipThumbnail(ctx, &thumbnailer{size: MaxDerivedSize + 1}, big); err == nil || !strings.Contains(err.Error(), "over the") {
		t.Errorf("a thumbnail over MaxDerivedSize: %v, want it refused", err)
	}

	for _, c := range []Clip{gone, during, big} {
		if files := derivedFiles(t, l, c.SHA256); len(files) != 0 {
			t.Errorf("shot %s: left %v", c.ShotID, files)
		}
	}
	if entries, _ := os.ReadDir(l.TempDir()); len(entries) != 0 {
		t.Errorf("left %d files in the temporary folder", len(entries))
	}
}

// The thumbnails folder an earlier Slate kept in the data folder, and never
// emptied, is gone once the library opens.
func TestOldThumbnailsRemoved(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, "thumbs", strings.Repeat("ab", 32)+".jpg")
	if err := os.MkdirAll(filepath.Dir(old), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(old, []byte("a likeness"), 0o644); err != nil {
		t.Fatal(err)
	}
	open(t, dir)
	if _, err := os.Stat(filepath.Dir(old)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the old thumbnails folder is still there: %v", err)
	}
}
