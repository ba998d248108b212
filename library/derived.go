package library

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/slatestudio/slate/internal/atomicfile"
	"github.com/slatestudio/slate/timeline"
)

// Files derived from a blob (a clip's thumbnail) are made and kept by the
// blob store, beside the blob they come from and named after it:
// blobs/sha256/ab/<sum>.<kind>. They are a cache, made when first asked
// for and again when missing, and they go with their blob, whatever
// deletes it (Remove: a clip deleted, a use removed by its owner, a cast
// member deleted; MoveAside: a damaged blob), so no picture of a clip
// outlives the clip.
//
// Their size is bounded: a blob has at most one file of each DerivedKind,
// and each is at most MaxDerivedSize bytes (a thumbnail is a few
// kilobytes); a bigger one is refused and not kept.

// DerivedKind names a kind of file derived from a blob; it ends the
// file's name.
type DerivedKind string

// Thumbnail is a clip's thumbnail (ClipThumbnail).
const Thumbnail DerivedKind = "thumb.jpg"

// MaxDerivedSize is the most bytes a derived file may hold.
const MaxDerivedSize = 1 << 20

// valid reports whether k is one of the kinds the store keeps.
func (k DerivedKind) valid() bool { return k == Thumbnail }

// oldThumbs is the folder, in the data folder, where the studio kept clips'
// thumbnails before the blob store kept them (and never deleted them).
const oldThumbs = "thumbs"

// derivedPath is where the file of this kind derived from blob sum lives.
func (b *Blobs) derivedPath(sum string, kind DerivedKind) string {
	return b.Path(sum) + "." + string(kind)
}

// Derived reads the file of this kind derived from blob sum. It matches
// ErrNotFound when none has been made.
func (b *Blobs) Derived(sum string, kind DerivedKind) ([]byte, error) {
	if err := validSum(sum); err != nil {
		return nil, err
	}
	if !kind.valid() {
		return nil, fmt.Errorf("read the %s of blob %s: not a kind of file the blob store keeps", kind, sum)
	}
	f, err := os.Open(b.derivedPath(sum, kind))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("the %s of blob %s: %w", kind, sum, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read the %s of blob %s: %w", kind, sum, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxDerivedSize+1))
	if err != nil {
		return nil, fmt.Errorf("read the %s of blob %s: %w", kind, sum, err)
	}
	if len(data) > MaxDerivedSize {
		return nil, fmt.Errorf("the %s of blob %s is over %d bytes", kind, sum, MaxDerivedSize)
	}
	return data, nil
}

// Derive returns the file of this kind derived from blob sum, making it
// first when there is none: derive writes it at out from the blob at src.
// It is kept only while its blob is: made for a blob that is gone (or
// removed while it was being made), it matches ErrNotFound and nothing is
// kept.
func (b *Blobs) Derive(ctx context.Context, sum string, kind DerivedKind, derive func(ctx context.Context, src, out string) error) ([]byte, error) {
	data, err := b.Derived(sum, kind)
	if !errors.Is(err, ErrNotFound) {
		return data, err
	}
	if !b.Has(sum) {
		return nil, fmt.Errorf("make the %s of blob %s: %w", kind, sum, ErrNotFound)
	}
	tmp, err := os.MkdirTemp(b.tmp, "derive-")
	if err != nil {
		return nil, fmt.Errorf("make the %s of blob %s: %w", kind, sum, err)
	}
	defer os.RemoveAll(tmp)
	out := filepath.Join(tmp, string(kind))
	if err := derive(ctx, b.Path(sum), out); err != nil {
		return nil, err
	}
	fi, err := os.Stat(out)
	if err != nil {
		return nil, fmt.Errorf("make the %s of blob %s: %w", kind, sum, err)
	}
	if fi.Size() > MaxDerivedSize {
		return nil, fmt.Errorf("make the %s of blob %s: it is %d bytes, over the %d a derived file may hold", kind, sum, fi.Size(), MaxDerivedSize)
	}
	if data, err = os.ReadFile(out); err != nil {
		return nil, fmt.Errorf("make the %s of blob %s: %w", kind, sum, err)
	}
	if err := os.Chmod(out, 0o444); err != nil {
		return nil, fmt.Errorf("make the %s of blob %s: %w", kind, sum, err)
	}
	final := b.derivedPath(sum, kind)
	if err := atomicfile.Rename(out, final); err != nil {
		return nil, fmt.Errorf("make the %s of blob %s: %w", kind, sum, err)
	}
	// Remove takes the blob away before its derived files: a blob still
	// here now takes this file with it when it goes.
	if !b.Has(sum) {
		os.Remove(final)
		return nil, fmt.Errorf("make the %s of blob %s: %w", kind, sum, ErrNotFound)
	}
	return data, nil
}

// removeDerived deletes every file derived from blob sum, whatever its
// kind, and reports whether there were any.
func (b *Blobs) removeDerived(sum string) (bool, error) {
	files, err := filepath.Glob(b.Path(sum) + ".*")
	if err != nil {
		return false, fmt.Errorf("remove the files made from blob %s: %w", sum, err)
	}
	for _, f := range files {
		if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
			return false, fmt.Errorf("remove the files made from blob %s: %w", sum, err)
		}
	}
	return len(files) > 0, nil
}

// removeOldThumbs deletes the thumbnails folder the studio kept in the data
// folder dir before the blob store kept them: they were never deleted with
// their clips, so a picture of a removed clip may be among them.
func removeOldThumbs(dir string) error {
	if err := os.RemoveAll(filepath.Join(dir, oldThumbs)); err != nil {
		return fmt.Errorf("open library: remove the old thumbnails: %w; delete the folder %s", err, filepath.Join(dir, oldThumbs))
	}
	return nil
}

// Thumbnailer writes a frame of a video file as a JPEG: media.Tools is
// one. The library stores media; it does not decode them.
type Thumbnailer interface {
	// Thumbnail writes the frame of video at time at, width pixels wide,
	// to out.
	Thumbnail(ctx context.Context, video, out string, at time.Duration, width int) error
}

// ThumbnailWidth is how wide clips' thumbnails are made: twice the size
// the studio shows them at, so they stay sharp on a high-density screen.
const ThumbnailWidth = 256

// ClipThumbnail returns the thumbnail of clip c, a JPEG of its frame a
// third of the way in (past any fade in), ThumbnailWidth pixels wide. It
// is made with th the first time and kept beside the clip's blob, and
// goes with it.
func (l *Library) ClipThumbnail(ctx context.Context, th Thumbnailer, c Clip) ([]byte, error) {
	data, err := l.blobs.Derive(ctx, c.SHA256, Thumbnail, func(ctx context.Context, src, out string) error {
		return th.Thumbnail(ctx, src, out, timeline.FrameTime(c.Frames, c.FPS)/3, ThumbnailWidth)
	})
	if err != nil {
		return nil, fmt.Errorf("thumbnail of shot %s: %w", c.ShotID, err)
	}
	return data, nil
}
