package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/account/server"
)

// variantRenderer is the test renderer with previews: small files made of
// the job's ID. fail, when set, makes Variants fail with it; outside
// writes the thumbnail outside the job's folder.
type variantRenderer struct {
	*testRenderer
	fail    error
	outside string
	// hold, when set, keeps Variants waiting until it is closed.
	hold chan struct{}
}

var _ server.VariantMaker = (*variantRenderer)(nil)

func (r *variantRenderer) Variants(ctx context.Context, job account.RenderJob, clip string) (string, string, error) {
	if r.hold != nil {
		<-r.hold
	}
	if r.fail != nil {
		return "", "", r.fail
	}
	if _, err := os.Stat(clip); err != nil {
		return "", "", err
	}
	dir := job.TempDir
	if r.outside != "" {
		dir = r.outside
	}
	thumb, sheet := filepath.Join(dir, "thumb.jpg"), filepath.Join(job.TempDir, "sheet.jpg")
	if err := os.WriteFile(thumb, []byte(strings.Repeat("thumbnail of "+job.ID+"\n", 8)), 0o600); err != nil {
		return "", "", err
	}
	if err := os.WriteFile(sheet, []byte(strings.Repeat("sprite sheet of "+job.ID+"\n", 8)), 0o600); err != nil {
		return "", "", err
	}
	return thumb, sheet, nil
}

func variantConfig(r *variantRenderer) server.Config {
	cfg := accountConfig()
	cfg.Renderer = r
	return cfg
}

// waitPreviews waits until the job's previews are no longer being made:
// a job reads completed as soon as its clip is stored, and its thumbnail
// and sprite sheet follow.
func (e *env) waitPreviews(token, id string) {
	e.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		code, _, b := e.vreq("GET", "/"+id+"/content?variant=thumbnail", token, nil, "")
		if code != 404 || deref(apiError(e.t, b).Code) != "variant_not_ready" {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	e.t.Fatalf("the previews of %s were not made within 30 s", id)
}

func blobFile(dir, sum string) string { return filepath.Join(dir, "blobs", "sha256", sum[:2], sum) }

// A renderer's previews are served as the variants thumbnail and
// spritesheet, as JPEGs with ranges and ETags; they survive a restart
// (the sweep of unreferenced blobs keeps them) and go with the job.
func TestVideoVariants(t *testing.T) {
	rd := &variantRenderer{testRenderer: newTestRenderer()}
	cfg := variantConfig(rd)
	e := newEnv(t, cfg)
	u := e.signUp("olive")
	v := e.submit(u.token, map[string]any{"prompt": "a lighthouse at dusk"})
	e.wait(u.token, v.ID)
	e.waitPreviews(u.token, v.ID)
	sums := map[string]string{}
	check := func(e *env) {
		t.Helper()
		for variant, want := range map[string]string{"thumbnail": "thumbnail of " + v.ID, "spritesheet": "sprite sheet of " + v.ID} {
			code, h, b := e.vreq("GET", "/"+v.ID+"/content?variant="+variant, u.token, nil, "")
			sum := sha256.Sum256(b)
			if code != 200 || h.Get("Content-Type") != "image/jpeg" || !strings.HasPrefix(string(b), want) || h.Get("ETag") != `"`+hex.EncodeToString(sum[:])+`"` {
				t.Fatalf("%s = %d %v %.40q", variant, code, h, b)
			}
			sums[variant] = hex.EncodeToString(sum[:])
			code, h, part := e.vreq("GET", "/"+v.ID+"/content?variant="+variant, u.token, nil, "", "Range", "bytes=3-9")
			if code != http.StatusPartialContent || string(part) != string(b[3:10]) || h.Get("Content-Range") != fmt.Sprintf("bytes 3-9/%d", len(b)) {
				t.Errorf("%s with a range = %d %q %v", variant, code, part, h)
			}
			if code, _, _ := e.vreq("GET", "/"+v.ID+"/content?variant="+variant, u.token, nil, "", "If-None-Match", `"`+sums[variant]+`"`); code != http.StatusNotModified {
				t.Errorf("%s with its ETag = %d, want 304", variant, code)
			}
		}
		if code, h, _ := e.vreq("GET", "/"+v.ID+"/content", u.token, nil, ""); code != 200 || h.Get("Content-Type") != "video/mp4" {
			t.Errorf("the clip = %d %v", code, h)
		}
	}
	check(e)

	// A restart sweeps unreferenced blobs: the previews stay.
	e.hs.Close()
	if err := e.srv.Close(); err != nil {
		t.Fatal(err)
	}
	cfg.Dir = e.dir
	e = newEnv(t, cfg)
	check(e)

	if code, _, b := e.vreq("DELETE", "/"+v.ID, u.token, nil, ""); code != 200 {
		t.Fatalf("DELETE = %d %s", code, b)
	}
	for variant, sum := range sums {
		if _, err := os.Stat(blobFile(e.dir, sum)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("the deleted job's %s is still stored: %v", variant, err)
		}
	}
}

// The previews expire with the clip: the sweep removes them and they are
// 404 video_expired.
func TestVideoVariantsExpire(t *testing.T) {
	rd := &variantRenderer{testRenderer: newTestRenderer()}
	cfg := variantConfig(rd)
	cfg.VideoTTL = time.Hour
	e := newEnv(t, cfg)
	u := e.signUp("olive")
	v := e.submit(u.token, map[string]any{"prompt": "short-lived"})
	e.wait(u.token, v.ID)
	e.waitPreviews(u.token, v.ID)
	var sums []string
	for _, variant := range []string{"thumbnail", "spritesheet"} {
		code, h, _ := e.vreq("GET", "/"+v.ID+"/content?variant="+variant, u.token, nil, "")
		if code != 200 {
			t.Fatalf("%s = %d", variant, code)
		}
		sums = append(sums, strings.Trim(h.Get("ETag"), `"`))
	}
	e.clock.Advance(time.Hour + time.Minute)
	for i, variant := range []string{"thumbnail", "spritesheet"} {
		code, _, b := e.vreq("GET", "/"+v.ID+"/content?variant="+variant, u.token, nil, "")
		if code != 404 || deref(apiError(t, b).Code) != "video_expired" {
			t.Errorf("expired %s = %d %s", variant, code, b)
		}
		if _, err := os.Stat(blobFile(e.dir, sums[i])); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("the sweep left the expired %s: %v", variant, err)
		}
	}
}

// Previews that cannot be made leave the clip: the job completes and
// those variants are not found.
func TestVideoVariantsFail(t *testing.T) {
	for name, rd := range map[string]*variantRenderer{
		"failing": {testRenderer: newTestRenderer(), fail: errors.New("ffmpeg is gone")},
		"outside": {testRenderer: newTestRenderer(), outside: t.TempDir()},
	} {
		e := newEnv(t, variantConfig(rd))
		u := e.signUp("olive")
		v := e.submit(u.token, map[string]any{"prompt": "no previews"})
		if done := e.wait(u.token, v.ID); done.Status != account.VideoCompleted {
			t.Fatalf("%s: job = %+v", name, done)
		}
		e.waitPreviews(u.token, v.ID)
		if code, _, _ := e.vreq("GET", "/"+v.ID+"/content", u.token, nil, ""); code != 200 {
			t.Errorf("%s: clip = %d", name, code)
		}
		for _, variant := range []string{"thumbnail", "spritesheet"} {
			code, _, b := e.vreq("GET", "/"+v.ID+"/content?variant="+variant, u.token, nil, "")
			if code != 404 || deref(apiError(t, b).Code) != "variant_not_available" {
				t.Errorf("%s: %s = %d %s, want 404 variant_not_available", name, variant, code, b)
			}
		}
	}
}

// A job reads completed as soon as its clip is stored: its previews
// follow, and meanwhile they are "not ready yet", with a hint to ask again,
// rather than holding the clip back from its client.
func TestVideoCompletesBeforeItsPreviews(t *testing.T) {
	rd := &variantRenderer{testRenderer: newTestRenderer(), hold: make(chan struct{})}
	e := newEnv(t, variantConfig(rd))
	u := e.signUp("olive")
	v := e.submit(u.token, map[string]any{"prompt": "the clip first"})
	released := false
	defer func() {
		if !released {
			close(rd.hold)
		}
	}()
	if done := e.wait(u.token, v.ID); done.Status != account.VideoCompleted {
		t.Fatalf("job = %+v", done)
	}
	if code, _, _ := e.vreq("GET", "/"+v.ID+"/content", u.token, nil, ""); code != 200 {
		t.Errorf("the clip while its previews are made = %d, want 200", code)
	}
	code, h, b := e.vreq("GET", "/"+v.ID+"/content?variant=thumbnail", u.token, nil, "")
	if code != 404 || deref(apiError(t, b).Code) != "variant_not_ready" || h.Get("Retry-After") == "" {
		t.Errorf("the thumbnail while it is made = %d %v %s, want 404 variant_not_ready with Retry-After", code, h, b)
	}
	close(rd.hold)
	released = true
	e.waitPreviews(u.token, v.ID)
	if code, _, _ := e.vreq("GET", "/"+v.ID+"/content?variant=thumbnail", u.token, nil, ""); code != 200 {
		t.Errorf("the thumbnail once made = %d, want 200", code)
	}
}

// A blob that a member's still and a video's input image share stays
// while either names it: deleting the member keeps the video's input.
func TestSharedBlobOutlivesTheMember(t *testing.T) {
	e := newEnv(t, videoConfig(newTestRenderer()))
	ctx := context.Background()
	u := e.signUp("olive")
	m := must(u.CreateMember(ctx, account.NewMember{Name: "Olive", Handle: "@olive"}))
	img := jpeg("olive's face")
	md := must(u.UploadMedia(ctx, m.ID, account.MediaFrontal, bytes.NewReader(img), int64(len(img))))
	v := e.submit(u.token, map[string]any{"prompt": "from her still", "model": "onnx",
		"input_reference": map[string]string{"image_url": "data:image/jpeg;base64," + b64(img)}})
	e.wait(u.token, v.ID)
	if err := u.DeleteMember(ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(blobFile(e.dir, md.SHA256)); err != nil {
		t.Errorf("the video's input image went with the member's still: %v", err)
	}
}
