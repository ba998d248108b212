package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slatestudio/slate/account"
)

// A job submitted as JSON runs, reports itself in the OpenAI shape with a
// polling hint while it runs, and its clip is served with ranges and an
// ETag.
func TestVideoJSONLifecycle(t *testing.T) {
	rd := newTestRenderer()
	e := newEnv(t, videoConfig(rd))
	u := e.signUp("olive")
	seed := int64(7)
	v := e.submit(u.token, map[string]any{"prompt": "a lighthouse at dusk", "model": "animatic", "seconds": "4", "size": "640x360", "seed": seed})
	if v.Object != "video" || v.Status != account.VideoQueued && v.Status != account.VideoInProgress || v.Model != "animatic" ||
		v.Size != "640x360" || v.Seconds != "4" || v.FPS != 24 || v.NumFrames != 96 || v.CompletedAt != nil || !strings.HasPrefix(v.ID, "video_") {
		t.Fatalf("submitted job = %+v", v)
	}
	code, h, _ := e.vreq("GET", "/"+v.ID, u.token, nil, "")
	if code != 200 {
		t.Fatalf("GET = %d", code)
	}
	done := e.wait(u.token, v.ID)
	if done.Status != account.VideoCompleted || done.Progress != 100 || done.CompletedAt == nil || done.ExpiresAt == nil ||
		*done.ExpiresAt-*done.CompletedAt != int64(24*time.Hour/time.Second) || done.Error != nil {
		t.Fatalf("finished job = %+v", done)
	}
	_ = h
	if _, h, _ := e.vreq("GET", "/"+v.ID, u.token, nil, ""); h.Get("openai-poll-after-ms") != "" {
		t.Errorf("a finished job still has a polling hint")
	}
	want := rd.job(v.ID)
	if want.Width != 640 || want.Height != 360 || want.Frames != 96 || want.FPS != 24 || want.Seconds != 4 || *want.Seed != 7 || want.Prompt != "a lighthouse at dusk" {
		t.Errorf("the renderer got %+v", want)
	}
	code, h, clip := e.vreq("GET", "/"+v.ID+"/content", u.token, nil, "")
	if code != 200 || h.Get("Content-Type") != "video/mp4" || !bytes.HasPrefix(clip, []byte("clip a lighthouse")) || h.Get("ETag") == "" {
		t.Fatalf("content = %d %v %.40q", code, h, clip)
	}
	code, h, part := e.vreq("GET", "/"+v.ID+"/content?variant=video", u.token, nil, "", "Range", "bytes=5-14")
	if code != http.StatusPartialContent || string(part) != string(clip[5:15]) || h.Get("Content-Range") != fmt.Sprintf("bytes 5-14/%d", len(clip)) {
		t.Errorf("range = %d %q %v", code, part, h)
	}
	if code, _, _ := e.vreq("GET", "/"+v.ID+"/content", u.token, nil, "", "If-None-Match", h.Get("ETag")); code != http.StatusNotModified {
		t.Errorf("If-None-Match with the ETag = %d, want 304", code)
	}
	for _, variant := range []string{"thumbnail", "spritesheet"} {
		code, _, b := e.vreq("GET", "/"+v.ID+"/content?variant="+variant, u.token, nil, "")
		if code != 404 || deref(apiError(t, b).Code) != "variant_not_available" {
			t.Errorf("variant %s = %d %s, want 404", variant, code, b)
		}
	}
	// The clip is one blob in the store.
	sum := strings.Trim(h.Get("ETag"), `"`)
	if _, err := os.Stat(filepath.Join(e.dir, "blobs", "sha256", sum[:2], sum)); err != nil {
		t.Errorf("the clip is not in the blob store: %v", err)
	}
}

// A job's polling hint is there while it is not done.
func TestVideoPollHint(t *testing.T) {
	rd := newTestRenderer()
	rd.hold = make(chan struct{})
	e := newEnv(t, videoConfig(rd))
	u := e.signUp("olive")
	v := e.submit(u.token, map[string]any{"prompt": "x"})
	<-rd.startCh
	code, h, b := e.vreq("GET", "/"+v.ID, u.token, nil, "")
	var got account.Video
	json.Unmarshal(b, &got)
	if code != 200 || got.Status != account.VideoInProgress || h.Get("openai-poll-after-ms") == "" {
		t.Errorf("a running job = %d %s %v", code, b, h)
	}
	close(rd.hold)
	e.wait(u.token, v.ID)
}

// multipartBody builds a multipart/form-data body.
func multipartBody(t testing.TB, fields map[string]string, file []byte) (*bytes.Buffer, string) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if file != nil {
		fw, err := mw.CreateFormFile("input_reference", "ref.jpg")
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(file)
	}
	mw.Close()
	return &b, mw.FormDataContentType()
}

// A multipart request, with an input image as a file part, and the same
// image as a JSON data URL, reach the renderer alike.
func TestVideoMultipart(t *testing.T) {
	rd := newTestRenderer()
	e := newEnv(t, videoConfig(rd))
	u := e.signUp("olive")
	img := jpeg("reference")
	body, ct := multipartBody(t, map[string]string{"prompt": "from a still", "model": "onnx", "seconds": "8", "size": "512x512", "seed": "3"}, img)
	code, _, b := e.vreq("POST", "", u.token, body, ct)
	if code != 200 {
		t.Fatalf("multipart POST = %d %s", code, b)
	}
	var v account.Video
	json.Unmarshal(b, &v)
	done := e.wait(u.token, v.ID)
	if done.Status != account.VideoCompleted || done.Seconds != "8" || done.NumFrames != 128 || *done.Seed != 3 {
		t.Fatalf("multipart job = %+v", done)
	}
	j := rd.job(v.ID)
	if j.InputReference == "" {
		t.Fatal("the renderer got no input image")
	}
	// The same through JSON.
	dataURL := "data:image/jpeg;base64," + b64(img)
	v2 := e.submit(u.token, map[string]any{"prompt": "from a still", "model": "onnx", "seconds": 8, "size": "512x512", "seed": 3,
		"input_reference": map[string]string{"image_url": dataURL}})
	e.wait(u.token, v2.ID)
	if rd.job(v2.ID).InputReference != j.InputReference {
		t.Errorf("the same image is stored twice: %s and %s", rd.job(v2.ID).InputReference, j.InputReference)
	}
	_, _, c1 := e.vreq("GET", "/"+v.ID+"/content", u.token, nil, "")
	_, _, c2 := e.vreq("GET", "/"+v2.ID+"/content", u.token, nil, "")
	if !bytes.Equal(c1, c2) {
		t.Errorf("multipart and JSON made different clips")
	}
}
