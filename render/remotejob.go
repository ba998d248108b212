package render

import (
	"context"
	"strings"
)

// RemoteStatus is what a Request.Remote may also do: hear, in a person's
// words, where the job stands on its render service ("queued, 3 ahead",
// "waiting for the server"), for the queue's row. A backend that knows
// more than its progress tells it; "" says nothing more is known. The
// queue's RemoteJob implements it; a backend checks with a type
// assertion, since a Remote of someone else's may not.
type RemoteStatus interface {
	SetRemoteStatus(words string)
}

// RemotePrefix starts the name of every backend that renders on a render
// server: "remote:" + the server's name + "/" + the model.
const RemotePrefix = "remote:"

// RemoteBackend is the name of the backend that renders with model on the
// render server of that name.
func RemoteBackend(server, model string) string { return RemotePrefix + server + "/" + model }

// RemoteServer is the render server and model a backend's name names, and
// whether it names one: "remote:gpu-box/animatic" is gpu-box's animatic.
func RemoteServer(backend string) (server, model string, ok bool) {
	rest, ok := strings.CutPrefix(backend, RemotePrefix)
	if !ok {
		return "", "", false
	}
	server, model, ok = strings.Cut(rest, "/")
	return server, model, ok && server != "" && model != ""
}

// queueRemote is the queue's RemoteJob for one stored job: the remote job
// ID in the library's jobs table, where the next run finds it.
type queueRemote struct {
	q *Queue
	e *entry
}

var (
	_ RemoteJob    = queueRemote{}
	_ RemoteStatus = queueRemote{}
)

func (r queueRemote) RemoteID(ctx context.Context) (server, id string, err error) {
	return r.q.lib.JobRemote(ctx, r.id())
}

func (r queueRemote) SetRemoteID(ctx context.Context, server, id string) error {
	return r.q.lib.SetJobRemote(ctx, r.id(), server, id)
}

// SetRemoteStatus shows the words in the job's row while it runs.
func (r queueRemote) SetRemoteStatus(words string) {
	r.q.mu.Lock()
	if r.e.job.Status != InProgress || r.e.job.RemoteStatus == words {
		r.q.mu.Unlock()
		return
	}
	r.e.job.RemoteStatus = words
	j := r.e.job
	r.q.mu.Unlock()
	r.q.emit(j)
}

func (r queueRemote) id() string {
	r.q.mu.Lock()
	defer r.q.mu.Unlock()
	return r.e.job.ID
}
