package server_test

import (
	"encoding/json"
	"testing"

	"github.com/slatestudio/slate/account"
)

// A queued job says how many jobs on the server, every account's, were
// submitted before it and have not started (queue_ahead); a job that
// runs or finished says nothing.
func TestVideoQueueAhead(t *testing.T) {
	rd := newTestRenderer()
	rd.hold = make(chan struct{})
	cfg := videoConfig(rd)
	cfg.RenderWorkers = 1
	e := newEnv(t, cfg)
	a, b := e.signUp("olive"), e.signUp("arthur")
	running := e.submit(a.token, map[string]any{"prompt": "first"})
	if id := <-rd.startCh; id != running.ID {
		t.Fatalf("started %s, want %s", id, running.ID)
	}
	ahead := func(v account.Video) int {
		if v.QueueAhead == nil {
			return -1
		}
		return *v.QueueAhead
	}
	// What POST answers already says where the job stands.
	b1 := e.submit(b.token, map[string]any{"prompt": "second"})
	a2 := e.submit(a.token, map[string]any{"prompt": "third"})
	b3 := e.submit(b.token, map[string]any{"prompt": "fourth"})
	if ahead(b1) != 0 || ahead(a2) != 1 || ahead(b3) != 2 {
		t.Errorf("POST answers ahead %d, %d, %d; want 0, 1, 2", ahead(b1), ahead(a2), ahead(b3))
	}
	get := func(token, id string) account.Video {
		t.Helper()
		code, v := e.video(token, id)
		if code != 200 {
			t.Fatalf("GET %s = %d", id, code)
		}
		return v
	}
	if v := get(a.token, running.ID); v.Status != account.VideoInProgress || v.QueueAhead != nil {
		t.Errorf("the running job = %s, queue_ahead %d; want in_progress without queue_ahead", v.Status, ahead(v))
	}
	for _, c := range []struct {
		token string
		v     account.Video
		want  int
	}{{b.token, b1, 0}, {a.token, a2, 1}, {b.token, b3, 2}} {
		if got := ahead(get(c.token, c.v.ID)); got != c.want {
			t.Errorf("%s: queue_ahead %d, want %d", c.v.Prompt, got, c.want)
		}
	}
	// A page of the list says the same, each job in its place.
	list := func(token, q string) map[string]int {
		t.Helper()
		code, _, body := e.vreq("GET", q, token, nil, "")
		var l account.VideoList
		if code != 200 || json.Unmarshal(body, &l) != nil {
			t.Fatalf("list = %d %s", code, body)
		}
		out := map[string]int{}
		for _, v := range l.Data {
			out[v.ID] = ahead(v)
		}
		return out
	}
	if got := list(b.token, ""); got[b1.ID] != 0 || got[b3.ID] != 2 || len(got) != 2 {
		t.Errorf("arthur's list: %v", got)
	}
	if got := list(a.token, "?order=asc"); got[running.ID] != -1 || got[a2.ID] != 1 {
		t.Errorf("olive's list: %v", got)
	}
	// A deleted job is no longer ahead of anyone.
	if code, _, body := e.vreq("DELETE", "/"+b1.ID, b.token, nil, ""); code != 200 {
		t.Fatalf("DELETE = %d %s", code, body)
	}
	if got := list(b.token, ""); got[b3.ID] != 1 {
		t.Errorf("after the delete arthur's list: %v", got)
	}
	if ahead(get(a.token, a2.ID)) != 0 {
		t.Errorf("after the delete the third job is %d ahead, want 0", ahead(get(a.token, a2.ID)))
	}
	close(rd.hold)
	for _, c := range []struct{ token, id string }{{a.token, running.ID}, {a.token, a2.ID}, {b.token, b3.ID}} {
		if v := e.wait(c.token, c.id); v.Status != account.VideoCompleted || v.QueueAhead != nil {
			t.Errorf("finished job %s = %s, queue_ahead %d", c.id, v.Status, ahead(v))
		}
	}
}
