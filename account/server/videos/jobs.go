package videos

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/consent"
	"github.com/slatestudio/slate/internal/filehash"
)

// renderArgs is a River job: render the video with this ID.
type renderArgs struct {
	Video string `json:"video"`
}

// Kind names the job kind in River's table.
func (renderArgs) Kind() string { return "slate_video" }

// spec is a job's request, resolved against its model: what the videos
// row keeps and the worker renders.
type spec struct {
	Model          string                `json:"model"`
	Prompt         string                `json:"prompt"`
	NegativePrompt string                `json:"negative_prompt,omitempty"`
	Width          int                   `json:"width"`
	Height         int                   `json:"height"`
	FPS            int                   `json:"fps"`
	Frames         int                   `json:"frames"`
	Seconds        float64               `json:"seconds"`
	Seed           *int64                `json:"seed,omitempty"`
	Slate          *account.SlateRequest `json:"slate,omitempty"`
}

// row is a videos row.
type row struct {
	seq                     int64
	id, account             string
	jobID                   int64
	status                  string
	progress                int
	created                 int64
	completed, expires      sql.NullInt64
	spec                    spec
	remixedFrom             sql.NullString
	input, video            sql.NullString
	thumbnail, spritesheet  sql.NullString
	errorCode, errorMessage sql.NullString
}

const rowColumns = `seq, id, account_id, job_id, status, progress, created_at, completed_at, expires_at, spec,
	remixed_from, input_sha256, video_sha256, thumbnail_sha256, spritesheet_sha256, error_code, error_message`

func scanRow(sc interface{ Scan(...any) error }) (row, error) {
	var r row
	var sp string
	err := sc.Scan(&r.seq, &r.id, &r.account, &r.jobID, &r.status, &r.progress, &r.created, &r.completed, &r.expires, &sp,
		&r.remixedFrom, &r.input, &r.video, &r.thumbnail, &r.spritesheet, &r.errorCode, &r.errorMessage)
	if err != nil {
		return r, err
	}
	if err := json.Unmarshal([]byte(sp), &r.spec); err != nil {
		return r, fmt.Errorf("video %s: stored request: %w", r.id, err)
	}
	return r, nil
}

type queryer interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

// load reads a video by ID; sql.ErrNoRows when there is none.
func load(ctx context.Context, q queryer, id string) (row, error) {
	return scanRow(q.QueryRowContext(ctx, `SELECT `+rowColumns+` FROM videos WHERE id = ?`, id))
}

// consentError is a job refused for want of consent.
type consentError struct{ msg string }

func (e *consentError) Error() string { return e.msg }

// permit checks, in a write's transaction, that caller may feature every
// member a Slate request names: each is the caller's own, or a grant this
// server signed covers it (the caller as grantee, the project, the shot,
// a draft), unexpired, unrevoked, and the member's policy still lets the
// caller in. It returns the grants, or a *consentError saying whose
// consent is missing.
func (s *Service) permit(ctx context.Context, tx *sql.Tx, caller string, sl *account.SlateRequest, now time.Time) ([]consent.Grant, error) {
	if sl == nil || len(sl.Members) == 0 {
		return nil, nil
	}
	sh, err := sl.Shot()
	if err != nil {
		return nil, err
	}
	var out []consent.Grant
	for _, member := range sl.Members {
		p, err := s.cfg.Policy(ctx, tx, member)
		if errors.Is(err, ErrNoMember) {
			return nil, &consentError{fmt.Sprintf("cast member %s no longer exists on this server; take them out of the shot", member)}
		}
		if err != nil {
			return nil, err
		}
		if p.Owner == caller {
			continue
		}
		if err := p.Check(caller); err != nil {
			var ref *consent.Refusal
			if errors.As(err, &ref) {
				return nil, &consentError{fmt.Sprintf("cast member %s: %s", member, ref.Reason)}
			}
			return nil, err
		}
		why := "no grant for them came with the request; ask for one and send it in slate.grants"
		found := false
		for _, token := range sl.Grants {
			g, err := consent.Verify(s.cfg.Key, token, now)
			if errors.Is(err, consent.ErrExpired) && g.Member == member {
				why = fmt.Sprintf("grant %s expired at %s; ask for a new one", g.ID, g.Expires.Format(time.RFC3339))
				continue
			}
			if err != nil || !g.Covers(member, caller, sh.ProjectID, sh.Shot.ID, consent.Draft) {
				continue
			}
			var revoked sql.NullInt64
			err = tx.QueryRowContext(ctx, `SELECT revoked_at FROM grants WHERE id = ?`, g.ID).Scan(&revoked)
			if errors.Is(err, sql.ErrNoRows) {
				continue // not one this server issued
			}
			if err != nil {
				return nil, err
			}
			if revoked.Valid {
				why = fmt.Sprintf("the owner revoked grant %s; ask for a new one", g.ID)
				continue
			}
			out = append(out, g)
			found = true
			break
		}
		if !found {
			return nil, &consentError{fmt.Sprintf("no consent to feature cast member %s in shot %s: %s", member, sh.Shot.ID, why)}
		}
	}
	return out, nil
}

// checkRead checks consent on the read pool, in a read transaction of
// its own; a refusal is returned as such, other errors as errors.
func (s *Service) checkRead(ctx context.Context, v row) (*consentError, error) {
	tx, err := s.cfg.Read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	_, err = s.permit(ctx, tx, v.account, v.spec.Slate, s.cfg.Clock.Now())
	var ce *consentError
	if errors.As(err, &ce) {
		return ce, nil
	}
	return nil, err
}

// worker renders River's jobs.
type worker struct {
	river.WorkerDefaults[renderArgs]
	s *Service
}

// errDeleted is the cause of a render cancelled by DELETE.
var errDeleted = errors.New("the video was deleted")

// Work renders one job: it checks consent again as it starts, renders,
// and records the clip in the transaction that completes the job.
func (w *worker) Work(ctx context.Context, job *river.Job[renderArgs]) error {
	s := w.s
	id := job.Args.Video
	// The check at the start reads: a revocation acknowledged is
	// committed, so any read begun after it sees it. Only a refusal
	// writes. (The job's status shows in_progress from memory while it
	// renders, which spares a durable write on the way to the renderer.)
	v, err := load(ctx, s.cfg.Read, id)
	if errors.Is(err, sql.ErrNoRows) || err == nil && (v.status == account.VideoCompleted || v.status == account.VideoFailed) {
		return nil // deleted, or finished already: a retry of a finished job does nothing
	}
	if err != nil {
		return err
	}
	if refusal, err := s.checkRead(ctx, v); err != nil {
		return err
	} else if refusal != nil {
		return s.cfg.Write(ctx, func(ctx context.Context, tx Tx) error {
			return s.fail(ctx, tx, job, id, account.VideoConsentRequired, refusal.msg)
		})
	}

	rctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	r := &run{cancel: cancel}
	s.mu.Lock()
	if _, ok := s.running[id]; ok {
		// River runs a job once at a time; this would be a second copy.
		s.mu.Unlock()
		return fmt.Errorf("render video %s: it is rendering already", id)
	}
	s.running[id] = r
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.running, id)
		s.mu.Unlock()
	}()
	dir, err := os.MkdirTemp(s.tmp, "render-")
	if err != nil {
		return fmt.Errorf("render video %s: %w", id, err)
	}
	defer os.RemoveAll(dir)
	rj := account.RenderJob{
		ID: id, Model: v.spec.Model, Prompt: v.spec.Prompt, NegativePrompt: v.spec.NegativePrompt,
		Width: v.spec.Width, Height: v.spec.Height, FPS: v.spec.FPS, Frames: v.spec.Frames, Seconds: v.spec.Seconds,
		Seed: v.spec.Seed, TempDir: dir, Still: s.still(rctx, v),
	}
	if v.spec.Slate != nil {
		rj.Slate, _ = json.Marshal(v.spec.Slate)
	}
	if v.input.Valid {
		rj.InputReference = s.blobPath(v.input.String)
	}
	out, err := s.cfg.Renderer.Render(rctx, rj, func(f float64) {
		p := min(max(int(f*100), 0), 99)
		s.mu.Lock()
		r.progress = max(r.progress, p)
		s.mu.Unlock()
	})
	if err != nil {
		switch {
		case errors.Is(context.Cause(rctx), errDeleted):
			return river.JobCancel(errDeleted)
		case ctx.Err() != nil:
			return err // the server is stopping: River runs it again
		}
		return s.renderFailed(ctx, job, id, err)
	}
	if _, ok := s.cfg.Renderer.(VariantMaker); ok {
		// From before the job reads completed, so that a thumbnail asked
		// for meanwhile is "not ready yet", not "none".
		s.mu.Lock()
		s.previewing[id] = true
		s.mu.Unlock()
		defer func() {
			s.mu.Lock()
			delete(s.previewing, id)
			s.mu.Unlock()
		}()
	}
	if err := s.finish(ctx, job, v, dir, out); err != nil {
		return err
	}
	// The clip is the job's, and its client hears so at once; the
	// previews follow (made from the stored clip, a few hundred
	// milliseconds of ffmpeg that would otherwise delay every render), and
	// until they are recorded those variants are not found.
	s.addPreviews(rctx, rj, v.id)
	return nil
}

// addPreviews asks the renderer, if it makes them, for the thumbnail and
// sprite sheet of a completed job's clip, and records them with the job
// if it is still there. A failure costs the previews only: the clip is
// what was asked for.
func (s *Service) addPreviews(ctx context.Context, rj account.RenderJob, id string) {
	cur, err := load(ctx, s.cfg.Read, id)
	if err != nil || cur.status != account.VideoCompleted || !cur.video.Valid {
		return // deleted, or the consent check at the finish failed it
	}
	pv, err := s.previews(ctx, rj, s.blobPath(cur.video.String))
	if err == nil {
		err = s.cfg.Write(ctx, func(ctx context.Context, tx Tx) error {
			now, err := load(ctx, tx, id)
			if errors.Is(err, sql.ErrNoRows) || err == nil && now.video != cur.video {
				return nil // deleted (or expired) meanwhile
			}
			if err != nil {
				return err
			}
			for _, b := range [][2]string{{pv.thumbnail, pv.thumbnailSum}, {pv.spritesheet, pv.spritesheetSum}} {
				if b[0] != "" {
					if err := s.cfg.Blobs.Adopt(b[0], b[1]); err != nil {
						return err
					}
				}
			}
			_, err = tx.ExecContext(ctx, `UPDATE videos SET thumbnail_sha256 = ?, spritesheet_sha256 = ? WHERE id = ?`,
				nullIf(pv.thumbnailSum), nullIf(pv.spritesheetSum), id)
			return err
		})
	}
	if err != nil && ctx.Err() == nil {
		s.cfg.Log.Warn("make a video's thumbnail and sprite sheet", "video", id, "error", err)
	}
}

// VariantMaker is a Renderer that also makes a clip's previews; it is
// account/server's VariantMaker, repeated here as Renderer is.
type VariantMaker interface {
	Variants(ctx context.Context, job account.RenderJob, clip string) (thumbnail, spritesheet string, err error)
}

// previews are a clip's thumbnail and sprite sheet, where the renderer
// makes them: their paths in the job's folder and their sums.
type previews struct {
	thumbnail, thumbnailSum     string
	spritesheet, spritesheetSum string
}

// previews asks the renderer, if it makes them, for the clip's previews.
func (s *Service) previews(ctx context.Context, job account.RenderJob, clip string) (previews, error) {
	vm, ok := s.cfg.Renderer.(VariantMaker)
	if !ok {
		return previews{}, nil
	}
	thumb, sheet, err := vm.Variants(ctx, job, clip)
	if err != nil {
		return previews{}, err
	}
	p := previews{thumbnail: thumb, spritesheet: sheet}
	for _, f := range []struct {
		path, name string
		sum        *string
	}{{thumb, "thumbnail", &p.thumbnailSum}, {sheet, "sprite sheet", &p.spritesheetSum}} {
		if rel, err := filepath.Rel(job.TempDir, f.path); err != nil || strings.HasPrefix(rel, "..") {
			return previews{}, fmt.Errorf("the renderer wrote its %s outside the job's folder: %s", f.name, f.path)
		}
		if *f.sum, err = filehash.SHA256(f.path); err != nil {
			return previews{}, fmt.Errorf("read the %s: %w", f.name, err)
		}
	}
	return p, nil
}

// renderFailed counts a renderer's failure: the job runs again, up to
// maxFailures times, then fails with the renderer's message.
func (s *Service) renderFailed(ctx context.Context, job *river.Job[renderArgs], id string, rerr error) error {
	final := false
	err := s.cfg.Write(ctx, func(ctx context.Context, tx Tx) error {
		var n int
		err := tx.QueryRowContext(ctx, `UPDATE videos SET failures = failures + 1, status = 'queued' WHERE id = ? RETURNING failures`, id).Scan(&n)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if n >= maxFailures {
			final = true
			return s.fail(ctx, tx, job, id, account.VideoRenderFailed, rerr.Error())
		}
		return nil
	})
	if err != nil || final {
		return err
	}
	s.cfg.Log.Warn("render failed; trying again", "video", id, "error", rerr)
	return fmt.Errorf("render video %s: %w", id, rerr)
}

// fail marks a job failed and completes River's job in the same
// transaction: it will not run again.
func (s *Service) fail(ctx context.Context, tx Tx, job *river.Job[renderArgs], id, code, msg string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE videos SET status = 'failed', error_code = ?, error_message = ?, completed_at = ? WHERE id = ?`,
		code, msg, s.cfg.Clock.Now().UnixMilli(), id); err != nil {
		return err
	}
	_, err := river.JobCompleteTx[*riversqlite.Driver](ctx, tx.Tx, job)
	return err
}

// finish records the clip at out: in one transaction it checks consent
// once more (a revocation acknowledged during the render fails the job and
// the clip is dropped), moves the clip into the blob store, marks the job
// completed, registers the uses and completes River's job. The clip's
// previews, where there are any, are stored and recorded with it.
func (s *Service) finish(ctx context.Context, job *river.Job[renderArgs], v row, dir, out string) error {
	if rel, err := filepath.Rel(dir, out); err != nil || strings.HasPrefix(rel, "..") {
		return s.renderFailed(ctx, job, v.id, fmt.Errorf("the renderer wrote its clip outside the job's folder: %s", out))
	}
	sum, err := filehash.SHA256(out)
	if err != nil {
		return fmt.Errorf("render video %s: read the clip: %w", v.id, err)
	}
	return s.cfg.Write(ctx, func(ctx context.Context, tx Tx) error {
		cur, err := load(ctx, tx, v.id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil // deleted meanwhile: the clip goes with the folder
		}
		if err != nil {
			return err
		}
		if cur.status == account.VideoCompleted || cur.status == account.VideoFailed {
			return nil
		}
		now := s.cfg.Clock.Now()
		grants, err := s.permit(ctx, tx.Tx, cur.account, cur.spec.Slate, now)
		var ce *consentError
		if errors.As(err, &ce) {
			return s.fail(ctx, tx, job, v.id, account.VideoConsentRequired, ce.msg)
		}
		if err != nil {
			return err
		}
		if err := s.cfg.Blobs.Adopt(out, sum); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE videos SET status = 'completed', progress = 100, video_sha256 = ?,
			completed_at = ?, expires_at = ?, error_code = NULL, error_message = NULL WHERE id = ?`,
			sum, now.UnixMilli(), now.Add(s.cfg.TTL).UnixMilli(), v.id); err != nil {
			return err
		}
		if len(grants) > 0 {
			sh, _ := cur.spec.Slate.Shot()
			for _, g := range grants {
				if err := s.cfg.RegisterUse(ctx, tx, g, cur.account, sum, sh.ProjectTitle, now); err != nil {
					return fmt.Errorf("register the use of %s: %w", g.Member, err)
				}
			}
		}
		_, err = river.JobCompleteTx[*riversqlite.Driver](ctx, tx.Tx, job)
		return err
	})
}

// still gives the renderer a member's medium by its sha256, only of a
// member the job's account owns or one its Slate request holds a grant
// for: nobody else's likeness reaches a render.
func (s *Service) still(ctx context.Context, v row) func(string) (string, error) {
	return func(sum string) (string, error) {
		if !account.ValidSHA256(sum) {
			return "", fmt.Errorf("%q is not a sha256", sum)
		}
		rows, err := s.cfg.Read.QueryContext(ctx, `SELECT m.id, m.owner_id FROM media md JOIN members m ON m.id = md.member_id WHERE md.sha256 = ?`, sum)
		if err != nil {
			return "", err
		}
		defer rows.Close()
		for rows.Next() {
			var member, owner string
			if err := rows.Scan(&member, &owner); err != nil {
				return "", err
			}
			if owner == v.account || v.spec.Slate != nil && containsString(v.spec.Slate.Members, member) {
				return s.blobPath(sum), nil
			}
		}
		if err := rows.Err(); err != nil {
			return "", err
		}
		return "", fmt.Errorf("this server holds no still %s that this job may use", sum)
	}
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// rescue puts back the jobs a crash left running. River would wait for
// its stuck-job rescuer (an hour, and never for jobs without a timeout,
// as renders are) because it cannot tell a dead worker from a slow one;
// the server can: it holds its data directory's lock, so no worker of
// another process runs, and every job still marked running was cut off.
// They run again after a backoff, as River's rescuer would have them.
func (s *Service) rescue(ctx context.Context) error {
	exec := s.river.Driver().GetExecutor()
	now := time.Now().UTC()
	horizon := now.Add(time.Hour) // every running job
	stuck, err := exec.JobGetStuck(ctx, &riverdriver.JobGetStuckParams{Max: 10000, StuckHorizon: horizon})
	if err != nil {
		return fmt.Errorf("find the renders a crash cut off: %w", err)
	}
	if len(stuck) == 0 {
		return nil
	}
	p := riverdriver.JobRescueManyParams{StuckHorizon: horizon}
	var gaveUp []string
	for _, j := range stuck {
		msg, _ := json.Marshal(rivertype.AttemptError{At: now, Attempt: j.Attempt, Error: "slate-server stopped during the render; trying again"})
		// Available, not retryable: a retryable job waits for River's
		// leader to schedule it, and the dead process may hold the
		// leadership a while yet. A job available later is fetched then.
		state, sched, fin := rivertype.JobStateAvailable, now.Add(backoff(j.Attempt)), (*time.Time)(nil)
		if j.Attempt >= j.MaxAttempts {
			state, sched, fin = rivertype.JobStateDiscarded, j.ScheduledAt, &now
			var a renderArgs
			if json.Unmarshal(j.EncodedArgs, &a) == nil {
				gaveUp = append(gaveUp, a.Video)
			}
		}
		p.ID, p.Error, p.FinalizedAt = append(p.ID, j.ID), append(p.Error, msg), append(p.FinalizedAt, fin)
		p.ScheduledAt, p.State = append(p.ScheduledAt, sched), append(p.State, string(state))
	}
	if _, err := exec.JobRescueMany(ctx, &p); err != nil {
		return fmt.Errorf("put back the renders a crash cut off: %w", err)
	}
	err = s.cfg.Write(ctx, func(ctx context.Context, tx Tx) error {
		for _, id := range gaveUp {
			if _, err := tx.ExecContext(ctx, `UPDATE videos SET status = 'failed', error_code = ?, error_message = ? WHERE id = ? AND status = 'queued'`,
				account.VideoRenderFailed, fmt.Sprintf("the server stopped during this render %d times; giving up", maxAttempts), id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("put back the renders a crash cut off: %w", err)
	}
	s.cfg.Log.Info("renders cut off by a stop were queued again", "count", len(stuck))
	return nil
}

// sweepEvery is how often expired clips are removed.
const sweepEvery = 10 * time.Minute

func (s *Service) scheduleSweep(ctx context.Context) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopSweep = s.cfg.Clock.AfterFunc(min(sweepEvery, s.cfg.TTL), func() {
		if err := s.Sweep(ctx); err != nil {
			s.cfg.Log.Error("remove expired videos", "error", err)
		}
		s.mu.Lock()
		stopped := s.stopSweep == nil
		s.mu.Unlock()
		if !stopped {
			s.scheduleSweep(ctx)
		}
	})
}

// Sweep removes the clips whose time is up; their jobs stay, and read as
// expired.
func (s *Service) Sweep(ctx context.Context) error {
	return s.cfg.Write(ctx, func(ctx context.Context, tx Tx) error {
		now := s.cfg.Clock.Now().UnixMilli()
		rows, err := tx.QueryContext(ctx, `SELECT video_sha256, coalesce(thumbnail_sha256, ''), coalesce(spritesheet_sha256, '')
			FROM videos WHERE video_sha256 IS NOT NULL AND expires_at <= ?`, now)
		if err != nil {
			return err
		}
		defer rows.Close()
		var sums []string
		for rows.Next() {
			var sum, thumb, sheet string
			if err := rows.Scan(&sum, &thumb, &sheet); err != nil {
				return err
			}
			sums = append(sums, sum, thumb, sheet)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE videos SET video_sha256 = NULL, thumbnail_sha256 = NULL, spritesheet_sha256 = NULL
			WHERE video_sha256 IS NOT NULL AND expires_at <= ?`, now); err != nil {
			return err
		}
		tx.AfterCommit(func() { s.removeUnreferenced(ctx, sums...) })
		return nil
	})
}
