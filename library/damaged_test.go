package library

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// damage spoils a blob the two ways a disk or a crash does: 64 bytes
// flipped in its middle, or the second half gone.
func damage(t testing.TB, path, how string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	switch how {
	case "flipped":
		mid := len(data) / 2
		for i := mid; i < min(mid+64, len(data)); i++ {
			data[i] ^= 0xff
		}
	case "cut":
		data = data[:len(data)/2]
	default:
		t.Fatalf("damage %q?", how)
	}
	os.Chmod(path, 0o644)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func putClip(t *testing.T, l *Library, key, content string) Clip {
	t.Helper()
	sum, size, err := l.Blobs().Put(context.Background(), strings.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	c := Clip{ProjectID: "p", ShotID: "s-" + key, Key: key, SHA256: sum, Size: size, Backend: "animatic", Width: 320, Height: 180, FPS: 24, Frames: 24}
	if err := l.AddClip(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	return c
}

// A cached clip whose blob no longer matches its sum is not a hit: the
// blob is moved aside to blobs/damaged/, nothing is lost, the cache stops
// finding it, and the caller hears why.
func TestClipByKeyDamaged(t *testing.T) {
	for _, how := range []string{"flipped", "cut"} {
		t.Run(how, func(t *testing.T) {
			ctx := context.Background()
			l := open(t, t.TempDir())
			c := putClip(t, l, "k", strings.Repeat("a clip's frames ", 100))
			intact, _ := os.ReadFile(l.Blobs().Path(c.SHA256))
			damage(t, l.Blobs().Path(c.SHA256), how)
			spoilt, _ := os.ReadFile(l.Blobs().Path(c.SHA256))

			got, ok, err := l.ClipByKey(ctx, "k")
			var d *DamagedError
			if ok || !errors.Is(err, ErrDamaged) || !errors.As(err, &d) {
				t.Fatalf("ClipByKey of a damaged clip = %+v, %v, %v; want no hit and ErrDamaged", got, ok, err)
			}
			if d.SHA256 != c.SHA256 || filepath.Dir(d.MovedTo) != filepath.Join(l.Dir(), "blobs", "damaged") {
				t.Errorf("DamagedError = %+v, want %s moved to blobs/damaged", d, c.SHA256)
			}
			if moved, err := os.ReadFile(d.MovedTo); err != nil || string(moved) != string(spoilt) {
				t.Errorf("the damaged blob at %s: %v; want its bytes kept as they were", d.MovedTo, err)
			}
			if l.Blobs().Has(c.SHA256) {
				t.Error("the damaged blob is still in the store")
			}
			if _, ok, err := l.ClipByKey(ctx, "k"); ok || err != nil {
				t.Errorf("second ClipByKey = %v, %v; want a plain miss", ok, err)
			}
			// Rendering it again puts the same bytes back under the same
			// name, and the clip is found again.
			if sum, _, err := l.Blobs().Put(ctx, strings.NewReader(string(intact))); err != nil || sum != c.SHA256 {
				t.Fatalf("Put of the clip again = %s, %v", sum, err)
			}
			if _, ok, err := l.ClipByKey(ctx, "k"); !ok || err != nil {
				t.Errorf("ClipByKey after the clip was made again = %v, %v; want a hit", ok, err)
			}
		})
	}
}

// A new copy of a blob replaces a damaged one of the same name, which is
// moved aside; an intact one is kept and the new copy dropped.
func TestPlaceReplacesDamaged(t *testing.T) {
	ctx := context.Background()
	l := open(t, t.TempDir())
	content := strings.Repeat("rendered ", 500)
	sum, _, err := l.Blobs().Put(ctx, strings.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	damage(t, l.Blobs().Path(sum), "cut")
	f, err := l.Blobs().TempFile("render-*.mp4")
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(content)
	f.Close()
	if got, _, err := l.Blobs().Adopt(ctx, f.Name()); err != nil || got != sum {
		t.Fatalf("Adopt = %s, %v", got, err)
	}
	if err := l.Blobs().Verify(sum); err != nil {
		t.Errorf("after adopting a good copy over a damaged blob: %v", err)
	}
	if entries, _ := os.ReadDir(filepath.Join(l.Dir(), "blobs", "damaged")); len(entries) != 1 {
		t.Errorf("blobs/damaged holds %d files, want the damaged copy", len(entries))
	}
	// An intact blob stays as it is.
	before, _ := os.Stat(l.Blobs().Path(sum))
	if _, _, err := l.Blobs().Put(ctx, strings.NewReader(content)); err != nil {
		t.Fatal(err)
	}
	if after, _ := os.Stat(l.Blobs().Path(sum)); !os.SameFile(before, after) {
		t.Error("an intact blob was replaced by a new copy")
	}
}

// VerifyOnce hashes a blob once per process while the file stays the
// same file with the same size and modification time, and again when any
// of them changes.
func TestVerifyOnce(t *testing.T) {
	ctx := context.Background()
	l := open(t, t.TempDir())
	b := l.Blobs()
	sum, _, err := b.Put(ctx, strings.NewReader(strings.Repeat("x", 4096)))
	if err != nil {
		t.Fatal(err)
	}
	if err := b.VerifyOnce(sum); err != nil {
		t.Fatal(err)
	}
	path := b.Path(sum)
	fi, _ := os.Stat(path)
	// Damage that keeps size and time, as only deliberate tampering does,
	// is not looked for again: that is the price of hashing once.
	os.Chmod(path, 0o644)
	if err := os.WriteFile(path, []byte(strings.Repeat("y", 4096)), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chtimes(path, fi.ModTime(), fi.ModTime())
	if err := b.VerifyOnce(sum); err != nil {
		t.Errorf("VerifyOnce of an unchanged-looking blob hashed it again: %v", err)
	}
	// A write that moves the time is seen.
	later := fi.ModTime().Add(time.Second)
	os.Chtimes(path, later, later)
	if err := b.VerifyOnce(sum); !errors.Is(err, ErrDamaged) {
		t.Errorf("VerifyOnce after the blob changed = %v, want ErrDamaged", err)
	}
	if err := b.VerifyOnce("0000000000000000000000000000000000000000000000000000000000000000"); !errors.Is(err, ErrNotFound) {
		t.Errorf("VerifyOnce of a missing blob = %v, want ErrNotFound", err)
	}
}

// VerifyStore checks every blob, moves the damaged ones aside and says
// which they were, reporting its progress as it goes.
func TestVerifyStore(t *testing.T) {
	ctx := context.Background()
	l := open(t, t.TempDir())
	var sums []string
	for i := range 5 {
		sum, _, err := l.Blobs().Put(ctx, strings.NewReader(strings.Repeat(string(rune('a'+i)), 1000*(i+1))))
		if err != nil {
			t.Fatal(err)
		}
		sums = append(sums, sum)
	}
	damage(t, l.Blobs().Path(sums[1]), "flipped")
	damage(t, l.Blobs().Path(sums[3]), "cut")
	var last, total int64
	rep, err := VerifyStore(ctx, l.Dir(), func(done, of int64) { last, total = done, of })
	if err != nil {
		t.Fatal(err)
	}
	if rep.Checked != 5 || len(rep.Damaged) != 2 || last != total || total != 13000 {
		t.Errorf("VerifyStore = %+v, progress %d of %d; want 5 checked, 2 damaged, all 13000 bytes", rep, last, total)
	}
	for _, d := range rep.Damaged {
		if d.SHA256 != sums[1] && d.SHA256 != sums[3] {
			t.Errorf("reported damaged: %s", d.SHA256)
		}
		if _, err := os.Stat(d.MovedTo); err != nil || l.Blobs().Has(d.SHA256) {
			t.Errorf("%s not moved aside: %v", d.SHA256, err)
		}
	}
	rep, err = VerifyStore(ctx, l.Dir(), nil)
	if err != nil || rep.Checked != 3 || len(rep.Damaged) != 0 {
		t.Errorf("second VerifyStore = %+v, %v; want 3 intact", rep, err)
	}
}
