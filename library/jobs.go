package library

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/slatestudio/slate/internal/sqlitedb"
)

// JobRecord is a render job as stored. Status is one of queued,
// in_progress, completed, failed, cancelled (the /v1/videos job states);
// Request holds whatever the renderer needs to run the job again.
type JobRecord struct {
	ID           string
	ProjectID    string
	ShotID       string
	Key          string
	Backend      string
	Status       string
	Progress     int
	CreatedAt    time.Time
	StartedAt    time.Time
	CompletedAt  time.Time
	ErrorCode    string
	ErrorMessage string
	Request      []byte
}

// Job states, as in the /v1/videos job object.
const (
	StatusQueued     = "queued"
	StatusInProgress = "in_progress"
	StatusCompleted  = "completed"
	StatusFailed     = "failed"
	StatusCancelled  = "cancelled"
)

func nullMilli(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMilli(), Valid: true}
}

// PutJob stores a job, replacing any earlier state of the same job.
func (l *Library) PutJob(ctx context.Context, j JobRecord) error {
	_, err := l.db.ExecContext(ctx, `INSERT INTO jobs (id, project_id, shot_id, key, backend, status, progress, created_at, started_at, completed_at, error_code, error_message, request)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET status = excluded.status, progress = excluded.progress, started_at = excluded.started_at,
			completed_at = excluded.completed_at, error_code = excluded.error_code, error_message = excluded.error_message`,
		j.ID, j.ProjectID, j.ShotID, j.Key, j.Backend, j.Status, j.Progress, unixMilli(j.CreatedAt),
		nullMilli(j.StartedAt), nullMilli(j.CompletedAt), j.ErrorCode, j.ErrorMessage, j.Request)
	if err != nil {
		return fmt.Errorf("save job %s: %w", j.ID, err)
	}
	return nil
}

const jobColumns = `id, project_id, shot_id, key, backend, status, progress, created_at, started_at, completed_at, error_code, error_message, request`

func scanJob(row sqlitedb.Row) (JobRecord, error) {
	var j JobRecord
	var created, started, completed sql.NullInt64
	err := row.Scan(&j.ID, &j.ProjectID, &j.ShotID, &j.Key, &j.Backend, &j.Status, &j.Progress, &created, &started, &completed, &j.ErrorCode, &j.ErrorMessage, &j.Request)
	j.CreatedAt, j.StartedAt, j.CompletedAt = fromMilli(created), fromMilli(started), fromMilli(completed)
	return j, err
}

// Job returns one job.
func (l *Library) Job(ctx context.Context, id string) (JobRecord, error) {
	j, err := scanJob(l.db.QueryRowContext(ctx, `SELECT `+jobColumns+` FROM jobs WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return j, fmt.Errorf("job %s: %w", id, ErrNotFound)
	}
	return j, err
}

// Jobs lists jobs, oldest first; with statuses given, only jobs in those.
func (l *Library) Jobs(ctx context.Context, statuses ...string) ([]JobRecord, error) {
	q := `SELECT ` + jobColumns + ` FROM jobs`
	args := make([]any, len(statuses))
	if len(statuses) > 0 {
		q += ` WHERE status IN (?` + strings.Repeat(",?", len(statuses)-1) + `)`
		for i, s := range statuses {
			args[i] = s
		}
	}
	out, err := sqlitedb.All(ctx, l.db, scanJob, q+` ORDER BY created_at, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list jobs: %w", err)
	}
	return out, nil
}

// ErrInterrupted is the error code of a job that was running when Slate
// stopped.
const ErrInterrupted = "interrupted"

// RecoverJobs prepares the job table after a start: jobs that were running
// when Slate stopped are marked failed with the reason, and the queued
// ones are returned to be resumed. A running job that a render server
// runs (it has a remote job ID) is queued again instead: the server
// carries on without us, and resuming it polls that job. Completed jobs
// stay as they were.
func (l *Library) RecoverJobs(ctx context.Context) (queued []JobRecord, interrupted int, err error) {
	now := unixMilli(l.now())
	if _, err := l.db.ExecContext(ctx, `UPDATE jobs SET status = ?, started_at = NULL WHERE status = ? AND remote_id != ''`,
		StatusQueued, StatusInProgress); err != nil {
		return nil, 0, fmt.Errorf("recover jobs: %w", err)
	}
	res, err := l.db.ExecContext(ctx, `UPDATE jobs SET status = ?, completed_at = ?, error_code = ?, error_message = ? WHERE status = ?`,
		StatusFailed, now, ErrInterrupted, "Slate stopped while this shot was rendering; render it again", StatusInProgress)
	if err != nil {
		return nil, 0, fmt.Errorf("recover jobs: %w", err)
	}
	n, _ := res.RowsAffected()
	queued, err = l.Jobs(ctx, StatusQueued)
	return queued, int(n), err
}
