package server_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/account/client"
	"github.com/slatestudio/slate/consent"
)

// crashRenderer is the child server's renderer: 10 steps of 30 ms, so a
// kill at a random moment lands mid-render.
func crashRenderer() *testRenderer {
	r := newTestRenderer()
	r.steps, r.step = 10, 30*time.Millisecond
	return r
}

// Jobs queued when the server closes (one of them running) run after it
// opens again, each to one clip.
func TestVideoRestart(t *testing.T) {
	dir := t.TempDir()
	rd := newTestRenderer()
	rd.hold = make(chan struct{})
	cfg := videoConfig(rd)
	cfg.Dir = dir
	e := newEnv(t, cfg)
	u := e.signUp("olive")
	var ids []string
	for i := range 3 {
		ids = append(ids, e.submit(u.token, map[string]any{"prompt": fmt.Sprintf("shot %d", i)}).ID)
	}
	<-rd.startCh
	e.hs.Close()
	if err := e.srv.Close(); err != nil {
		t.Fatal(err)
	}
	rd2 := newTestRenderer()
	cfg2 := videoConfig(rd2)
	cfg2.Dir = dir
	e2 := newEnv(t, cfg2)
	for _, id := range ids {
		if v := e2.wait(u.token, id); v.Status != account.VideoCompleted {
			t.Errorf("job %s after the restart = %+v", id, v)
		}
		if n := rd2.startsOf(id); n != 1 {
			t.Errorf("job %s started %d times after the restart, want 1", id, n)
		}
	}
}

// TestVideoCrash kills the real server process (SIGKILL) mid-render N
// times (3; SLATE_VIDEO_KILLS=20 for the full run) while jobs featuring
// another account's member render, and restarts it. In the end every job
// is completed exactly once: one clip each, in the store, one use
// registered each, River's jobs all completed, nothing left in tmp.
func TestVideoCrash(t *testing.T) {
	kills := 3
	if s := os.Getenv("SLATE_VIDEO_KILLS"); s != "" {
		kills, _ = strconv.Atoi(s)
	}
	ctx := context.Background()
	dir, addr := t.TempDir(), freeAddr(t)
	base := "http://" + addr
	cc := childConfig{Dir: dir, Addr: addr, Render: true}
	srv := startChildWith(t, cc)
	newClient := func() (*client.Client, *memStore) {
		st := &memStore{}
		c, err := client.New(base, client.Options{Store: st, HTTPClient: &http.Client{Transport: &http.Transport{}}})
		if err != nil {
			t.Fatal(err)
		}
		return c, st
	}
	owner, _ := newClient()
	creator, cst := newClient()
	must(owner.SignUp(ctx, "olive", password, "laptop"))
	must(creator.SignUp(ctx, "oscar", password, "laptop"))
	token := func() string { cr, _ := cst.Load(base); return cr.Token }()
	m := must(owner.CreateMember(ctx, account.NewMember{Name: "Olive", Handle: "@olive", Level: consent.Everyone}))
	g := must(creator.RequestGrant(ctx, client.GrantRequest{Member: m.ID, Project: "p1", Shot: "s1", Scope: consent.Draft}))
	hc := &http.Client{Timeout: 10 * time.Second}
	call := func(method, path string, body []byte) (int, []byte, error) {
		req, _ := http.NewRequest(method, base+account.VideosPrefix+path, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			return 0, nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp.StatusCode, b, err
	}
	jobs := max(4, kills/2)
	var ids []string
	for i := range jobs {
		body, _ := json.Marshal(map[string]any{"prompt": fmt.Sprintf("shot %d", i), "slate": map[string]any{
			"version": 1, "backend": "animatic", "key": fmt.Sprintf("k%d", i),
			"request": map[string]any{"project_id": "p1", "project_title": "Crash", "shot": map[string]any{"id": "s1"}},
			"members": []string{m.ID}, "grants": []string{g.Token}}})
		code, b, err := call("POST", "", body)
		if err != nil || code != 200 {
			t.Fatalf("submit: %d %s %v", code, b, err)
		}
		var v account.Video
		json.Unmarshal(b, &v)
		ids = append(ids, v.ID)
	}
	state := func() map[string]account.Video {
		code, b, err := call("GET", "?limit=100", nil)
		if err != nil || code != 200 {
			return nil
		}
		var l account.VideoList
		json.Unmarshal(b, &l)
		out := map[string]account.Video{}
		for _, v := range l.Data {
			out[v.ID] = v
		}
		return out
	}
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 12))
	for k := 0; k < kills; {
		// Wait for a render in progress, then kill at a random moment in
		// it (a render takes 300 ms).
		deadline := time.Now().Add(time.Minute)
		running, left := false, false
		for time.Now().Before(deadline) && !running {
			left = false
			for _, v := range state() {
				running = running || v.Status == account.VideoInProgress
				left = left || !v.Done()
			}
			if !running {
				if !left && len(state()) == jobs {
					break
				}
				time.Sleep(10 * time.Millisecond)
			}
		}
		if !running {
			break // everything finished before the kills ran out
		}
		time.Sleep(time.Duration(r.IntN(250)) * time.Millisecond)
		srv.kill()
		k++
		if err := integrity(filepath.Join(dir, "server.db")); err != nil {
			t.Fatalf("kill %d: %v", k, err)
		}
		srv = startChildWith(t, cc)
	}
	deadline := time.Now().Add(3 * time.Minute)
	for {
		st, done := state(), 0
		for _, v := range st {
			if v.Status == account.VideoFailed {
				t.Fatalf("job %s failed: %+v\n%s", v.ID, v.Error, srv.logs)
			}
			if v.Done() {
				done++
			}
		}
		if done == jobs {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d jobs done after the kills:\n%s", done, jobs, srv.logs)
		}
		time.Sleep(20 * time.Millisecond)
	}
	srv.kill()

	db, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, "server.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, id := range ids {
		var sum string
		var uses, audits int
		if err := db.QueryRow(`SELECT video_sha256 FROM videos WHERE id = ? AND status = 'completed'`, id).Scan(&sum); err != nil {
			t.Fatalf("job %s: %v", id, err)
		}
		data, err := os.ReadFile(filepath.Join(dir, "blobs", "sha256", sum[:2], sum))
		if err != nil || !bytes.Contains(data, []byte("clip shot")) {
			t.Errorf("job %s: its clip: %v", id, err)
		}
		db.QueryRow(`SELECT count(*) FROM uses WHERE clip_sha256 = ?`, sum).Scan(&uses)
		db.QueryRow(`SELECT count(*) FROM audit WHERE kind = 'use' AND detail LIKE '%' || ? || '%'`, sum).Scan(&audits)
		if uses != 1 || audits != 1 {
			t.Errorf("job %s: %d uses and %d audit rows of its clip, want 1 each", id, uses, audits)
		}
	}
	var n int
	db.QueryRow(`SELECT count(*) FROM river_job WHERE state != 'completed'`).Scan(&n)
	if n != 0 {
		t.Errorf("%d River jobs not completed", n)
	}
	db.QueryRow(`SELECT count(*) FROM river_job`).Scan(&n)
	if n != jobs {
		t.Errorf("%d River jobs for %d videos", n, jobs)
	}
	t.Logf("%d jobs completed exactly once across %d kills", jobs, kills)
}

// A job whose row was written but whose River job was not (a crash in
// between) is queued when the server opens, and runs.
func TestVideoOrphanEnqueued(t *testing.T) {
	dir := t.TempDir()
	rd := newTestRenderer()
	cfg := videoConfig(rd)
	cfg.Dir = dir
	e := newEnv(t, cfg)
	u := e.signUp("olive")
	v := e.submit(u.token, map[string]any{"prompt": "orphan"})
	e.wait(u.token, v.ID)
	e.hs.Close()
	if err := e.srv.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, "server.db"))
	if err != nil {
		t.Fatal(err)
	}
	// The row as submit writes it, before River's job.
	_, err = db.Exec(`INSERT INTO videos (id, account_id, job_id, status, created_at, spec)
		SELECT 'video_orphan', account_id, 0, 'queued', created_at, spec FROM videos WHERE id = ?`, v.ID)
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	rd2 := newTestRenderer()
	cfg2 := videoConfig(rd2)
	cfg2.Dir = dir
	e2 := newEnv(t, cfg2)
	if got := e2.wait(u.token, "video_orphan"); got.Status != account.VideoCompleted || rd2.startsOf("video_orphan") != 1 {
		t.Errorf("the orphaned job = %+v, rendered %d times", got, rd2.startsOf("video_orphan"))
	}
}
