package remote

import (
	"testing"
	"time"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/timeline"
)

func TestNearestSize(t *testing.T) {
	m := account.VideoModel{Sizes: []string{"1280x720", "720x1280", "1920x1080", "480x480", "854x480"}}
	for _, tt := range []struct {
		w, h, ww, wh int
	}{
		{1280, 720, 1280, 720},   // listed
		{640, 360, 854, 480},     // the same shape, the smallest that covers it
		{1920, 1080, 1920, 1080}, // listed
		{2560, 1440, 1920, 1080}, // larger than any: the largest of its shape
		{1080, 1920, 720, 1280},  // portrait
		{1080, 1080, 480, 480},   // square
	} {
		if w, h := nearestSize(m, tt.w, tt.h); w != tt.ww || h != tt.wh {
			t.Errorf("nearestSize(%dx%d) = %dx%d, want %dx%d", tt.w, tt.h, w, h, tt.ww, tt.wh)
		}
	}
	bounded := account.VideoModel{MaxWidth: 1280, MaxHeight: 1280}
	if w, h := nearestSize(bounded, 1920, 1080); w != 1280 || h != 720 {
		t.Errorf("nearestSize(1920x1080) up to 1280x1280 = %dx%d, want 1280x720", w, h)
	}
	if w, h := nearestSize(account.VideoModel{}, 640, 360); w != 640 || h != 360 {
		t.Errorf("nearestSize with no sizes = %dx%d, want the frame's own", w, h)
	}
}

func TestLengthFor(t *testing.T) {
	listed := account.VideoModel{Seconds: []string{"8", "4", "12"}}
	ranged := account.VideoModel{MinSeconds: 2, MaxSeconds: 10}
	for _, tt := range []struct {
		m    account.VideoModel
		d    time.Duration
		want string
	}{
		{listed, 1500 * time.Millisecond, "4"},
		{listed, 4 * time.Second, "4"},
		{listed, 4100 * time.Millisecond, "8"},
		{listed, 11 * time.Second, "12"},
		{ranged, time.Second, "2"},
		{ranged, 2500 * time.Millisecond, "3"},
		{ranged, 10 * time.Second, "10"},
		{account.VideoModel{}, 3200 * time.Millisecond, "4"},
	} {
		if got := lengthFor(tt.m, tt.d); got != tt.want {
			t.Errorf("lengthFor(%+v, %v) = %s, want %s", tt.m, tt.d, got, tt.want)
		}
	}
}

// A generic model renders shots no longer than its longest clip, at any
// size and rate (they are fitted here), with sound (mixed here); it is
// Outside. A Slate server's backend has the capabilities it lists.
func TestCapabilities(t *testing.T) {
	g := New(Server{Name: "vllm", Kind: KindGeneric}, "wan", Options{Model: &account.VideoModel{ID: "wan", Seconds: []string{"4", "8"}, ImageInput: true}})
	c := g.Capabilities()
	if !c.Outside || !c.Audio || !c.ImageConditioning || c.MaxDuration != 8*time.Second || c.MaxWidth == 0 || len(c.FPS) != len(timeline.Rates) {
		t.Errorf("generic capabilities = %+v", c)
	}
	s := New(Server{Name: "gpu", Kind: KindSlate}, "onnx", Options{Model: &account.VideoModel{ID: "onnx", OwnedBy: account.SlateOwner, Version: "3", Sizes: []string{"512x288"}, FPS: []int{24}, MaxSeconds: 8}})
	c = s.Capabilities()
	if c.Outside || c.Audio || len(c.Sizes) != 1 || c.Sizes[0] != (timeline.Size{Width: 512, Height: 288}) || c.MaxDuration != 8*time.Second {
		t.Errorf("Slate capabilities = %+v", c)
	}
}

// The version follows the server's model: a new backend version there
// renders the shot again here.
func TestVersionFollowsTheServer(t *testing.T) {
	v1 := New(Server{Name: "gpu", Kind: KindSlate}, "animatic", Options{Model: &account.VideoModel{ID: "animatic", OwnedBy: account.SlateOwner, Version: "1"}})
	v2 := New(Server{Name: "gpu", Kind: KindSlate}, "animatic", Options{Model: &account.VideoModel{ID: "animatic", OwnedBy: account.SlateOwner, Version: "2"}})
	p := timeline.New("V")
	sh := timeline.NewShot("One")
	p.Shots = []*timeline.Shot{sh}
	req := render.NewRequest(p, 0, t.TempDir())
	if v1.Version() == v2.Version() || render.Key(v1, req) == render.Key(v2, req) {
		t.Errorf("versions %q and %q, or their keys, are equal; want them to differ", v1.Version(), v2.Version())
	}
	keep := New(Server{Name: "vllm", Kind: KindGeneric, KeepModelAudio: true}, "wan", Options{})
	replace := New(Server{Name: "vllm", Kind: KindGeneric}, "wan", Options{})
	if keep.Version() == replace.Version() {
		t.Error("keeping the model's sound does not change the version")
	}
}
