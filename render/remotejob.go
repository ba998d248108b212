package render

import "context"

// queueRemote is the queue's RemoteJob: the remote job's ID is kept in the
// job's row, where the next run finds it. A job's ID never changes. Its
// SetRemoteStatus shows, in the job's row, where the job stands on the
// server ("queued, 3 ahead"), as render/remote's Status option says.
type queueRemote struct {
	q *Queue
	e *entry
}

func (r queueRemote) RemoteID(ctx context.Context) (server, id string, err error) {
	return r.q.lib.JobRemote(ctx, r.e.job.ID)
}

func (r queueRemote) SetRemoteID(ctx context.Context, server, id string) error {
	return r.q.lib.SetJobRemote(ctx, r.e.job.ID, server, id)
}

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
