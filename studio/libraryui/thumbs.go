package libraryui

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/jpeg"
	"sync"

	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/render/animatic"
)

// Thumbnail size on timeline cards: thumbH high, and as wide as the
// project's frame is at that height (thumbW for 16:9).
const thumbW, thumbH = 160, 90

// thumbWidth is the width of a card's picture of a width×height frame,
// so that a vertical project's cards show upright pictures as its preview
// does, not its first frame squeezed into a 16:9 one.
func thumbWidth(f render.Format) int {
	if f.Width <= 0 || f.Height <= 0 {
		return thumbW
	}
	return max(1, (thumbH*f.Width+f.Height/2)/f.Height)
}

// previewer is what the studio needs of the animatic backend: frames
// drawn straight to images, for the player and for thumbnails.
type previewer interface {
	Preview(req *render.Request, captions []render.Caption, w, h int) *animatic.Preview
	Thumbnail(req *render.Request, w, h int) *image.RGBA
}

// Thumbnails makes and caches the pictures on the timeline's cards: the
// first frame of the shot's clip when it has one, else its animatic card.
// They are made in the background, two at a time, and the timeline is
// told when one is ready (Deps.ThumbnailReady).
type Thumbnails struct {
	d       Deps
	sem     chan struct{}
	mu      sync.Mutex
	done    map[string]image.Image // by cache key
	pending map[string]bool
}

// NewThumbnails makes the cache of the cards' pictures.
func NewThumbnails(d Deps) *Thumbnails {
	return &Thumbnails{d: d.withDefaults(), sem: make(chan struct{}, 2), done: map[string]image.Image{}, pending: map[string]bool{}}
}

// Get returns shot i's picture, or nil while it is being made under ctx.
// Call it on the UI goroutine.
func (th *Thumbnails) Get(ctx context.Context, i int) image.Image {
	s := th.d.Session
	var key string
	var make func(ctx context.Context) (image.Image, error)
	if c, ok := s.ClipOf(i); ok {
		key = "clip:" + c.SHA256
		make = func(ctx context.Context) (image.Image, error) { return th.fromClip(ctx, c) }
	} else {
		k := s.KeyOf(i)
		if k == "" {
			return nil
		}
		key = "card:" + k
		req := s.Request(i)
		make = func(ctx context.Context) (image.Image, error) { return th.fromCard(req) }
	}
	th.mu.Lock()
	defer th.mu.Unlock()
	if img, ok := th.done[key]; ok {
		return img
	}
	if !th.pending[key] {
		th.pending[key] = true
		go th.run(ctx, key, make)
	}
	return nil
}

func (th *Thumbnails) run(ctx context.Context, key string, make func(ctx context.Context) (image.Image, error)) {
	select {
	case th.sem <- struct{}{}:
	case <-ctx.Done():
		return
	}
	img, err := make(ctx)
	<-th.sem
	th.mu.Lock()
	delete(th.pending, key)
	if err == nil {
		th.done[key] = img
	}
	th.mu.Unlock()
	if ctx.Err() != nil {
		return
	}
	if err != nil {
		// A missing thumbnail is not worth a dialog; the card shows none.
		th.d.Log.Warn("thumbnail", "key", key, "err", err)
		return
	}
	th.d.Session.OnUI(th.d.ThumbnailReady)
}

func (th *Thumbnails) fromCard(req *render.Request) (image.Image, error) {
	b, err := th.d.Backends.Open(animatic.Name)
	if err != nil {
		return nil, err
	}
	pv, ok := b.(previewer)
	if !ok {
		return nil, errors.New("the animatic backend draws no previews")
	}
	return pv.Thumbnail(req, thumbWidth(req.Format), thumbH), nil
}

// fromClip returns a clip's thumbnail, the one the library keeps for the
// library panel too, so each clip's is made once.
func (th *Thumbnails) fromClip(ctx context.Context, c library.Clip) (image.Image, error) {
	data, err := th.d.Library.ClipThumbnail(ctx, th.d.Tools, c)
	if err != nil {
		return nil, err
	}
	return jpeg.Decode(bytes.NewReader(data))
}
