package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slatestudio/slate/account"
)

// Listing pages through the caller's jobs, newest first by default or
// oldest first, with first_id, last_id and has_more; nobody else's jobs
// are in it.
func TestVideoList(t *testing.T) {
	rd := newTestRenderer()
	e := newEnv(t, videoConfig(rd))
	u, other := e.signUp("olive"), e.signUp("oscar")
	var ids []string
	for i := range 5 {
		ids = append(ids, e.submit(u.token, map[string]any{"prompt": fmt.Sprintf("shot %d", i)}).ID)
	}
	e.submit(other.token, map[string]any{"prompt": "not olive's"})
	page := func(q string) account.VideoList {
		t.Helper()
		code, _, b := e.vreq("GET", q, u.token, nil, "")
		if code != 200 {
			t.Fatalf("GET %s = %d %s", q, code, b)
		}
		var l account.VideoList
		json.Unmarshal(b, &l)
		return l
	}
	walk := func(order string) []string {
		var got []string
		after := ""
		for range 10 {
			q := "?limit=2&order=" + order
			if after != "" {
				q += "&after=" + after
			}
			l := page(q)
			if l.Object != "list" || len(l.Data) == 0 || *l.FirstID != l.Data[0].ID || *l.LastID != l.Data[len(l.Data)-1].ID {
				t.Fatalf("page %s = %+v", q, l)
			}
			for _, v := range l.Data {
				got = append(got, v.ID)
			}
			if !l.HasMore {
				return got
			}
			after = *l.LastID
		}
		t.Fatal("paging never ended")
		return nil
	}
	if got := walk("asc"); !slices.Equal(got, ids) {
		t.Errorf("asc = %v, want %v", got, ids)
	}
	rev := slices.Clone(ids)
	slices.Reverse(rev)
	if got := walk("desc"); !slices.Equal(got, rev) {
		t.Errorf("desc = %v, want %v", got, rev)
	}
	if l := page(""); len(l.Data) != 5 || l.Data[0].ID != ids[4] || l.HasMore {
		t.Errorf("default page = %d jobs, first %s, more %v", len(l.Data), l.Data[0].ID, l.HasMore)
	}
	// An empty list has null IDs.
	code, _, b := e.vreq("GET", "?order=asc&after="+ids[4], u.token, nil, "")
	if code != 200 || !strings.Contains(string(b), `"first_id":null`) || !strings.Contains(string(b), `"data":[]`) {
		t.Errorf("past the end = %d %s", code, b)
	}
}

// DELETE takes a queued job off the queue and stops a running one: it
// never makes a clip, and is gone (404) afterwards; a finished job's clip
// is removed from the store.
func TestVideoDelete(t *testing.T) {
	rd := newTestRenderer()
	rd.hold = make(chan struct{})
	e := newEnv(t, videoConfig(rd)) // one worker
	u := e.signUp("olive")
	running := e.submit(u.token, map[string]any{"prompt": "running"})
	if id := <-rd.startCh; id != running.ID {
		t.Fatalf("started %s, want %s", id, running.ID)
	}
	queued := e.submit(u.token, map[string]any{"prompt": "queued"})
	for _, v := range []account.Video{queued, running} {
		code, _, b := e.vreq("DELETE", "/"+v.ID, u.token, nil, "")
		var d account.VideoDeleted
		json.Unmarshal(b, &d)
		if code != 200 || d != (account.VideoDeleted{ID: v.ID, Object: "video.deleted", Deleted: true}) {
			t.Fatalf("DELETE %s = %d %s", v.Status, code, b)
		}
		if code, _ := e.video(u.token, v.ID); code != 404 {
			t.Errorf("deleted job = %d, want 404", code)
		}
		if code, _, _ := e.vreq("DELETE", "/"+v.ID, u.token, nil, ""); code != 404 {
			t.Errorf("second DELETE = %d, want 404", code)
		}
	}
	// The running render was cancelled; the queued one never starts.
	close(rd.hold)
	after := e.submit(u.token, map[string]any{"prompt": "after"})
	e.wait(u.token, after.ID)
	if rd.startsOf(queued.ID) != 0 || !rd.finishedAt(running.ID).IsZero() {
		t.Errorf("deleted jobs: queued started %d times, running finished at %v", rd.startsOf(queued.ID), rd.finishedAt(running.ID))
	}
	// A finished job's clip goes with it.
	_, h, _ := e.vreq("GET", "/"+after.ID+"/content", u.token, nil, "")
	sum := strings.Trim(h.Get("ETag"), `"`)
	e.vreq("DELETE", "/"+after.ID, u.token, nil, "")
	if _, err := os.Stat(filepath.Join(e.dir, "blobs", "sha256", sum[:2], sum)); !os.IsNotExist(err) {
		t.Errorf("a deleted job's clip is still in the store: %v", err)
	}
}

// A remix is a new job like the first with another prompt.
func TestVideoRemix(t *testing.T) {
	rd := newTestRenderer()
	rd.hold = make(chan struct{})
	e := newEnv(t, videoConfig(rd))
	u := e.signUp("olive")
	v := e.submit(u.token, map[string]any{"prompt": "first", "seconds": "2", "size": "1280x720", "seed": 9})
	<-rd.startCh
	code, _, b := e.vreq("POST", "/"+v.ID+"/remix", u.token, strings.NewReader(`{"prompt":"second"}`), "application/json")
	if code != 400 || deref(apiError(t, b).Code) != "video_not_completed" {
		t.Errorf("remix of a running job = %d %s, want 400", code, b)
	}
	close(rd.hold)
	e.wait(u.token, v.ID)
	code, _, b = e.vreq("POST", "/"+v.ID+"/remix", u.token, strings.NewReader(`{"prompt":"second"}`), "application/json")
	var r account.Video
	json.Unmarshal(b, &r)
	if code != 200 || r.ID == v.ID || deref(r.RemixedFromVideoID) != v.ID || r.Prompt != "second" || r.Size != "1280x720" || r.Seconds != "2" || *r.Seed != 9 {
		t.Fatalf("remix = %d %s", code, b)
	}
	done := e.wait(u.token, r.ID)
	if done.Status != account.VideoCompleted || rd.job(r.ID).Prompt != "second" {
		t.Errorf("remix = %+v, rendered %+v", done, rd.job(r.ID))
	}
	if code, _, b := e.vreq("POST", "/"+v.ID+"/remix", u.token, strings.NewReader(`{"prompt":""}`), "application/json"); code != 400 || deref(apiError(t, b).Param) != "prompt" {
		t.Errorf("remix without a prompt = %d %s", code, b)
	}
}

// The models are the renderer's, with what each renders.
func TestVideoModels(t *testing.T) {
	rd := newTestRenderer()
	e := newEnv(t, videoConfig(rd))
	u := e.signUp("olive")
	code, _, b := e.vreq("GET", "/models", u.token, nil, "")
	var l account.VideoModelList
	json.Unmarshal(b, &l)
	if code != 200 || l.Object != "list" || len(l.Data) != 2 || l.Data[0].ID != "animatic" || l.Data[1].Seconds[1] != "8" || !l.Data[1].ImageInput {
		t.Fatalf("models = %d %s", code, b)
	}
}

// Every bad field is refused with 400 naming it, in the OpenAI error
// shape; an unknown model with 404 listing the models; a body or an image
// over the limit with 413.
func TestVideoValidation(t *testing.T) {
	rd := newTestRenderer()
	e := newEnv(t, videoConfig(rd)) // 64 KiB images
	u := e.signUp("olive")
	slate := func(mut func(m map[string]any)) map[string]any {
		m := map[string]any{"version": 1, "backend": "animatic", "key": "k1", "request": map[string]any{"project_id": "p1", "shot": map[string]any{"id": "s1"}}}
		mut(m)
		return m
	}
	for _, tt := range []struct {
		name   string
		body   string
		status int
		param  string
		msg    string
	}{
		{"no prompt", `{"model":"animatic"}`, 400, "prompt", "missing"},
		{"long prompt", `{"prompt":"` + strings.Repeat("x", account.MaxVideoPromptRunes+1) + `"}`, 400, "prompt", "longer than 32000"},
		{"control", `{"prompt":"a\u0000b"}`, 400, "prompt", "control"},
		{"unknown model", `{"prompt":"x","model":"sora-2"}`, 404, "model", "animatic, onnx"},
		{"bad size", `{"prompt":"x","size":"big"}`, 400, "size", "width x height"},
		{"odd size", `{"prompt":"x","size":"641x360"}`, 400, "size", "even"},
		{"unsupported size", `{"prompt":"x","size":"1920x1080"}`, 400, "size", "640x360, 1280x720"},
		{"bad seconds", `{"prompt":"x","seconds":"four"}`, 400, "seconds", "not a number"},
		{"long seconds", `{"prompt":"x","seconds":"30"}`, 400, "seconds", "1 to 20 seconds"},
		{"listed seconds", `{"prompt":"x","model":"onnx","seconds":"5"}`, 400, "seconds", "4, 8"},
		{"negative seconds", `{"prompt":"x","seconds":"-1"}`, 400, "seconds", "out of range"},
		{"fps", `{"prompt":"x","fps":30}`, 400, "fps", "24"},
		{"fps range", `{"prompt":"x","fps":1000}`, 400, "fps", "out of range"},
		{"frames", `{"prompt":"x","seconds":"4","num_frames":10}`, 400, "num_frames", "not 4 seconds"},
		{"frames range", `{"prompt":"x","num_frames":-1}`, 400, "num_frames", "out of range"},
		{"width alone", `{"prompt":"x","width":640}`, 400, "width", "together"},
		{"width and size", `{"prompt":"x","width":640,"height":360,"size":"1280x720"}`, 400, "width", "differ"},
		{"height", `{"prompt":"x","height":3}`, 400, "height", "even"},
		{"seed", `{"prompt":"x","seed":"one"}`, 400, "seed", "expected int64"},
		{"negative prompt", `{"prompt":"x","negative_prompt":"` + strings.Repeat("x", account.MaxVideoPromptRunes+1) + `"}`, 400, "negative_prompt", "longer"},
		{"unknown field", `{"prompt":"x","n":2}`, 400, "n", "unknown field"},
		{"malformed", `{"prompt":`, 400, "", "malformed"},
		{"not an object", `[1]`, 400, "", "not a JSON object"},
		{"image model", `{"prompt":"x","input_reference":{"image_url":"data:image/png;base64,AAAA"}}`, 400, "input_reference", "does not start from an image"},
		{"image url", `{"prompt":"x","model":"onnx","input_reference":{"image_url":"https://example.com/a.png"}}`, 400, "input_reference.image_url", "data URL"},
		{"image base64", `{"prompt":"x","model":"onnx","input_reference":{"image_url":"data:image/png;base64,!!!"}}`, 400, "input_reference.image_url", "base64"},
		{"not an image", `{"prompt":"x","model":"onnx","input_reference":{"image_url":"data:image/png;base64,R0lGODlh"}}`, 400, "input_reference", "JPEG or PNG"},
		{"slate version", jsonOf(map[string]any{"prompt": "x", "slate": slate(func(m map[string]any) { m["version"] = 2 })}), 400, "slate.version", "version 2"},
		{"slate backend", jsonOf(map[string]any{"prompt": "x", "model": "onnx", "slate": slate(func(m map[string]any) {})}), 400, "model", "slate.backend"},
		{"slate no backend", jsonOf(map[string]any{"prompt": "x", "slate": slate(func(m map[string]any) { delete(m, "backend") })}), 400, "slate.backend", "missing"},
		{"slate unknown backend", jsonOf(map[string]any{"prompt": "x", "slate": slate(func(m map[string]any) { m["backend"] = "veo" })}), 404, "model", "animatic, onnx"},
		{"slate key", jsonOf(map[string]any{"prompt": "x", "slate": slate(func(m map[string]any) { delete(m, "key") })}), 400, "slate.key", "missing"},
		{"slate request", jsonOf(map[string]any{"prompt": "x", "slate": slate(func(m map[string]any) { m["request"] = "x" })}), 400, "slate.request", "missing"},
		{"slate member", jsonOf(map[string]any{"prompt": "x", "slate": slate(func(m map[string]any) { m["members"] = []string{"Mara"} })}), 400, "slate.members[0]", "not a cast member"},
		{"slate field", jsonOf(map[string]any{"prompt": "x", "slate": slate(func(m map[string]any) { m["extra"] = 1 })}), 400, "extra", "unknown field"},
		{"slate shot", jsonOf(map[string]any{"prompt": "x", "slate": slate(func(m map[string]any) {
			m["members"] = []string{"0123456789abcdef"}
			m["request"] = map[string]any{"shot": map[string]any{}}
		})}), 400, "slate.request", "no project and shot"},
		{"huge body", `{"prompt":"` + strings.Repeat("x", 2<<20) + `"}`, 413, "", "larger than"},
		{"huge image", jsonOf(map[string]any{"prompt": "x", "model": "onnx", "input_reference": map[string]string{"image_url": "data:image/jpeg;base64," + b64(bytes.Repeat([]byte{1}, 70<<10))}}), 413, "input_reference", "larger than"},
	} {
		code, _, b := e.vreq("POST", "", u.token, strings.NewReader(tt.body), "application/json")
		if code != tt.status {
			t.Errorf("%s: status %d %s, want %d", tt.name, code, b, tt.status)
			continue
		}
		ae := apiError(t, b)
		if deref(ae.Param) != tt.param || !strings.Contains(ae.Message, tt.msg) {
			t.Errorf("%s: param %q message %q, want param %q and %q", tt.name, deref(ae.Param), ae.Message, tt.param, tt.msg)
		}
	}
	// Multipart: the same rules, and its own.
	for _, tt := range []struct {
		name   string
		fields map[string]string
		file   []byte
		status int
		param  string
	}{
		{"no prompt", map[string]string{"model": "animatic"}, nil, 400, "prompt"},
		{"width", map[string]string{"prompt": "x", "width": "wide", "height": "360"}, nil, 400, "width"},
		{"seed", map[string]string{"prompt": "x", "seed": "1.5"}, nil, 400, "seed"},
		{"unknown", map[string]string{"prompt": "x", "style": "noir"}, nil, 400, "style"},
		{"slate", map[string]string{"prompt": "x", "slate": "{"}, nil, 400, "slate"},
		{"image", map[string]string{"prompt": "x", "model": "onnx"}, []byte("GIF89a"), 400, "input_reference"},
		{"huge image", map[string]string{"prompt": "x", "model": "onnx"}, jpeg(strings.Repeat("x", 70<<10)), 413, "input_reference"},
	} {
		body, ct := multipartBody(t, tt.fields, tt.file)
		code, _, b := e.vreq("POST", "", u.token, body, ct)
		if code != tt.status || deref(apiError(t, b).Param) != tt.param {
			t.Errorf("multipart %s: %d %s, want %d naming %q", tt.name, code, b, tt.status, tt.param)
		}
	}
	if code, _, b := e.vreq("POST", "", u.token, strings.NewReader("prompt=x"), "application/x-www-form-urlencoded"); code != 415 {
		t.Errorf("a form = %d %s, want 415", code, b)
	}
	// Listing and content parameters.
	for _, q := range []struct{ path, param string }{
		{"?limit=0", "limit"}, {"?limit=101", "limit"}, {"?order=up", "order"}, {"?after=video_nope", "after"}, {"?page=2", "page"},
	} {
		code, _, b := e.vreq("GET", q.path, u.token, nil, "")
		if code != 400 || deref(apiError(t, b).Param) != q.param {
			t.Errorf("GET %s = %d %s, want 400 naming %s", q.path, code, b, q.param)
		}
	}
	v := e.submit(u.token, map[string]any{"prompt": "x"})
	e.wait(u.token, v.ID)
	if code, _, b := e.vreq("GET", "/"+v.ID+"/content?variant=gif", u.token, nil, ""); code != 400 || deref(apiError(t, b).Param) != "variant" {
		t.Errorf("variant=gif = %d %s", code, b)
	}
	// Nothing refused was stored.
	if entries, _ := os.ReadDir(filepath.Join(e.dir, "tmp")); len(entries) != 0 {
		t.Errorf("refused requests left temporary files: %v", entries)
	}
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// Every endpoint: 401 without a session (in the OpenAI shape) or with a
// revoked API key, 404 for another account's job, and the owner's answer
// for the owner, by session or by API key.
func TestVideoAuthMatrix(t *testing.T) {
	rd := newTestRenderer()
	e := newEnv(t, videoConfig(rd))
	owner, other := e.signUp("olive"), e.signUp("oscar")
	v := e.submit(owner.token, map[string]any{"prompt": "mine"})
	e.wait(owner.token, v.ID)
	// The API key works on a job of its own, so that its DELETE leaves
	// the session's job to the session.
	vk := e.submit(owner.token, map[string]any{"prompt": "mine, by key"})
	e.wait(owner.token, vk.ID)
	ctx := context.Background()
	key, err := owner.CreateAPIKey(ctx, "gpu-box")
	if err != nil {
		t.Fatal(err)
	}
	revoked, err := owner.CreateAPIKey(ctx, "old laptop")
	if err != nil {
		t.Fatal(err)
	}
	if code, _, b := e.vreq("GET", "/"+v.ID, revoked.Key, nil, ""); code != 200 {
		t.Fatalf("the key before its revocation = %d %s", code, b)
	}
	if err := owner.RevokeAPIKey(ctx, revoked.ID); err != nil {
		t.Fatal(err)
	}
	eps := []struct {
		method, path, body string
		owner, other       int
	}{
		{"POST", "", `{"prompt":"x"}`, 200, 200},
		{"GET", "", "", 200, 200},
		{"GET", "/models", "", 200, 200},
		{"GET", "/" + v.ID, "", 200, 404},
		{"GET", "/" + v.ID + "/content", "", 200, 404},
		{"POST", "/" + v.ID + "/remix", `{"prompt":"again"}`, 200, 404},
		{"DELETE", "/" + v.ID, "", 200, 404},
	}
	for _, ep := range eps {
		body := func() *strings.Reader { return strings.NewReader(ep.body) }
		code, h, b := e.vreq(ep.method, ep.path, "", body(), "application/json")
		if code != 401 || apiError(t, b).Type != "authentication_error" || h.Get("WWW-Authenticate") == "" {
			t.Errorf("anonymous %s %s = %d %s, want 401", ep.method, ep.path, code, b)
		}
		if code, _, b := e.vreq(ep.method, ep.path, "not-a-session", body(), "application/json"); code != 401 {
			t.Errorf("bad token %s %s = %d %s, want 401", ep.method, ep.path, code, b)
		}
		code, _, b = e.vreq(ep.method, ep.path, other.token, body(), "application/json")
		if code != ep.other {
			t.Errorf("other account %s %s = %d %s, want %d", ep.method, ep.path, code, b, ep.other)
		}
		code, h, b = e.vreq(ep.method, ep.path, revoked.Key, body(), "application/json")
		if code != 401 || apiError(t, b).Type != "authentication_error" || h.Get("WWW-Authenticate") == "" {
			t.Errorf("revoked API key %s %s = %d %s, want 401", ep.method, ep.path, code, b)
		}
		kpath := strings.ReplaceAll(ep.path, v.ID, vk.ID)
		if code, _, b := e.vreq(ep.method, kpath, key.Key, body(), "application/json"); code != ep.owner {
			t.Errorf("owner's API key %s %s = %d %s, want %d", ep.method, kpath, code, b, ep.owner)
		}
		if code, _, b := e.vreq(ep.method, ep.path, owner.token, body(), "application/json"); code != ep.owner {
			t.Errorf("owner %s %s = %d %s, want %d", ep.method, ep.path, code, b, ep.owner)
		}
	}
	// The other account's list never shows the owner's jobs.
	_, _, b := e.vreq("GET", "", other.token, nil, "")
	if strings.Contains(string(b), v.ID) {
		t.Errorf("another account's list shows the owner's job")
	}
	_ = context.Background
}

// A clip expires VideoTTL after it is made: the sweep removes it and its
// content is 404 with a clear message; the job itself stays.
func TestVideoExpiry(t *testing.T) {
	rd := newTestRenderer()
	cfg := videoConfig(rd)
	cfg.VideoTTL = time.Hour
	e := newEnv(t, cfg)
	u := e.signUp("olive")
	v := e.submit(u.token, map[string]any{"prompt": "short-lived"})
	done := e.wait(u.token, v.ID)
	if *done.ExpiresAt-*done.CompletedAt != 3600 {
		t.Errorf("expires %d s after completion, want 3600", *done.ExpiresAt-*done.CompletedAt)
	}
	_, h, _ := e.vreq("GET", "/"+v.ID+"/content", u.token, nil, "")
	sum := strings.Trim(h.Get("ETag"), `"`)
	e.clock.Advance(time.Hour + time.Minute)
	code, _, b := e.vreq("GET", "/"+v.ID+"/content", u.token, nil, "")
	if code != 404 || deref(apiError(t, b).Code) != "video_expired" || !strings.Contains(apiError(t, b).Message, "expired") {
		t.Errorf("expired content = %d %s", code, b)
	}
	if _, err := os.Stat(filepath.Join(e.dir, "blobs", "sha256", sum[:2], sum)); !os.IsNotExist(err) {
		t.Errorf("the sweep left the expired clip: %v", err)
	}
	if code, got := e.video(u.token, v.ID); code != 200 || got.Status != account.VideoCompleted {
		t.Errorf("the expired job = %d %+v", code, got)
	}
}

// A renderer that keeps failing fails the job with its message after a
// few tries.
func TestVideoRenderFailure(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for River's backoff (3 s)")
	}
	rd := newTestRenderer()
	rd.fail = fmt.Errorf("the model pack is missing")
	e := newEnv(t, videoConfig(rd))
	u := e.signUp("olive")
	v := e.submit(u.token, map[string]any{"prompt": "doomed"})
	done := e.wait(u.token, v.ID)
	if done.Status != account.VideoFailed || done.Error == nil || done.Error.Code != account.VideoRenderFailed ||
		!strings.Contains(done.Error.Message, "model pack is missing") || rd.startsOf(v.ID) != 3 {
		t.Errorf("failing job = %+v %+v after %d starts", done, done.Error, rd.startsOf(v.ID))
	}
}

var _ = http.StatusOK
