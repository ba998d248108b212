// Package videos is slate-server's render service: the OpenAI-shaped job
// API under /v1/videos (account.Video and its kin) and the render jobs
// behind it, queued on River (github.com/riverqueue/river, on the server's
// SQLite database) and rendered by a Renderer that cmd/slate-server builds
// on the studio's render backends.
//
// The server owns the database, the accounts and consent; it hands this
// package what it needs of them in Config (its writer, its consent policy,
// its use registry), so this package holds only the jobs.
//
// A job is one row in the table videos (what the API shows) and one River
// job (what makes it run). Both are written in one transaction when the
// job is submitted, and the clip is recorded in the transaction that
// completes the River job: however often a job is tried (a crash, a
// restart), it makes one clip.
package videos

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/account/server/blobstore"
	"github.com/slatestudio/slate/consent"
	"github.com/slatestudio/slate/internal/clock"
	"github.com/slatestudio/slate/internal/sqlitedb"
)

// Renderer renders the jobs; it is account/server's Renderer (the same
// methods), repeated here so that this package needs nothing of the
// server's.
type Renderer interface {
	Models() []account.VideoModel
	Render(ctx context.Context, job account.RenderJob, progress func(fraction float64)) (string, error)
}

// Tx is a write's transaction in the server's writer.
type Tx struct {
	*sql.Tx
	// AfterCommit runs fn once the transaction is durable, on the writer,
	// before the next write starts.
	AfterCommit func(fn func())
}

// ErrNoMember is what Config.Policy returns for a member that does not
// exist (any more).
var ErrNoMember = errors.New("no such cast member")

// Config is what the service is given by the server.
type Config struct {
	// File is the server's database, which River also uses, through a
	// connection of its own; Dir is the data directory (blobs/sha256 and
	// tmp under it).
	File, Dir string
	// Blobs is the server's blob store (under Dir), where clips, their
	// previews and input images are kept beside the members' media.
	Blobs *blobstore.Store
	// Read is the server's pool of read-only connections.
	Read *sql.DB
	// Write runs fn in the server's writer, in order with every other
	// write (consent changes above all), and returns once it is durable.
	Write func(ctx context.Context, fn func(ctx context.Context, tx Tx) error) error
	// Policy reads a member's consent policy in tx; ErrNoMember when the
	// member is gone.
	Policy func(ctx context.Context, tx *sql.Tx, member string) (consent.MemberPolicy, error)
	// RegisterUse records a draft made under grant g, as POST /api/v1/uses
	// does (the member's owner sees it in their list), unless it is
	// recorded already.
	RegisterUse func(ctx context.Context, tx Tx, g consent.Grant, creator, clipSHA256, projectTitle string, at time.Time) error
	// Key verifies the server's grants.
	Key ed25519.PublicKey

	Renderer Renderer
	// Workers is how many jobs render at once; at least 1.
	Workers int
	// TTL is how long a clip is kept after it is made.
	TTL time.Duration
	// InputLimit is the largest input_reference image.
	InputLimit int64
	Clock      clock.Clock
	Log        *slog.Logger
}

// Service is the render service.
type Service struct {
	cfg    Config
	tmp    string
	models []account.VideoModel
	db     *sql.DB // River's connection
	river  *river.Client[*sql.Tx]

	mu      sync.Mutex
	running map[string]*run
	// previewing are the completed jobs whose thumbnail and sprite sheet
	// are being made (see addPreviews).
	previewing map[string]bool

	stopSweep func() bool
	stop      func() error
}

// run is a render in progress.
type run struct {
	cancel   context.CancelCauseFunc
	progress int
}

// queue is River's queue of render jobs.
const queue = "render"

// maxAttempts bounds how often River starts a job: crashes count, so it
// is generous; a renderer's own failures are bounded by maxFailures.
const (
	maxAttempts = 25
	maxFailures = 3
)

// How often River looks for work besides being woken by an insert (a
// retry coming due), and the least time between two looks.
const (
	fetchPoll     = time.Second
	fetchCooldown = time.Millisecond
)

// Open migrates River's tables, puts back the jobs a crash left running,
// and starts the workers. ctx bounds the opening; the workers run until
// Close.
func Open(ctx context.Context, cfg Config) (*Service, error) {
	if cfg.Workers < 1 {
		cfg.Workers = 1
	}
	if cfg.TTL <= 0 {
		cfg.TTL = 24 * time.Hour
	}
	cfg.Clock = clock.Or(cfg.Clock)
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	s := &Service{cfg: cfg, tmp: filepath.Join(cfg.Dir, "tmp"),
		models: cfg.Renderer.Models(), running: map[string]*run{}, previewing: map[string]bool{}}
	// River's own connection: one, as its SQLite driver asks, with the
	// same durable settings as the server's writer.
	db, err := sql.Open("sqlite3", sqlitedb.DSN(cfg.File, sqlitedb.WriterParams))
	if err != nil {
		return nil, fmt.Errorf("open the render queue: %w", err)
	}
	db.SetMaxOpenConns(1)
	db.SetConnMaxLifetime(0)
	s.db = db
	fail := func(err error) (*Service, error) {
		db.Close()
		return nil, err
	}
	driver := &driver{riversqlite.New(db)}
	m, err := rivermigrate.New(driver, nil)
	if err != nil {
		return fail(fmt.Errorf("open the render queue: %w", err))
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fail(fmt.Errorf("migrate the render queue: %w", err))
	}
	workers := river.NewWorkers()
	if err := river.AddWorkerSafely(workers, &worker{s: s}); err != nil {
		return fail(err)
	}
	s.river, err = river.NewClient(driver, &river.Config{
		Queues:            map[string]river.QueueConfig{queue: {MaxWorkers: cfg.Workers}},
		Workers:           workers,
		JobTimeout:        -1, // a render takes as long as it takes; Close and DELETE end it
		FetchPollInterval: fetchPoll,
		FetchCooldown:     fetchCooldown,
		MaxAttempts:       maxAttempts,
		RetryPolicy:       retryPolicy{},
		Logger:            slog.New(quiet{cfg.Log.Handler()}),
	})
	if err != nil {
		return fail(fmt.Errorf("open the render queue: %w", err))
	}
	if err := s.rescue(ctx); err != nil {
		return fail(err)
	}
	if err := s.enqueueOrphans(ctx); err != nil {
		return fail(err)
	}
	// The workers outlive the opening's context; Close stops them.
	base := context.WithoutCancel(ctx)
	if err := s.river.Start(base); err != nil {
		return fail(fmt.Errorf("start the render workers: %w", err))
	}
	s.stop = func() error {
		sctx, cancel := context.WithTimeout(base, 15*time.Second)
		defer cancel()
		return s.river.StopAndCancel(sctx)
	}
	// Clips that expired while the server was down go now; then every
	// sweepEvery.
	if err := s.Sweep(ctx); err != nil {
		s.cfg.Log.Error("remove expired videos", "error", err)
	}
	s.scheduleSweep(base)
	return s, nil
}

// Close stops the workers (a render in progress is cancelled, and runs
// again at the next start) and River's connection. Call it before the
// server's store closes: a worker's last write goes through it.
func (s *Service) Close() error {
	s.mu.Lock()
	stopSweep := s.stopSweep
	s.stopSweep = nil
	s.mu.Unlock()
	if stopSweep != nil {
		stopSweep()
	}
	err := s.stop()
	return errors.Join(err, s.db.Close())
}

// Models are what the service renders with.
func (s *Service) Models() []account.VideoModel { return s.models }

// blobPath is where a blob lives.
func (s *Service) blobPath(sum string) string { return s.cfg.Blobs.Path(sum) }

// driver is River's SQLite driver, said to have no listener. Its listener
// polls a table of notifications every 50 ms, which is how River would
// hear of a job inserted in a transaction; without one, River wakes its
// workers in the process at once on an insert of its own, and polls only
// every fetchPoll besides. slate-server is one process (its data
// directory's lock sees to that), so nothing else inserts jobs.
type driver struct{ *riversqlite.Driver }

// SupportsListener is false: see driver.
func (*driver) SupportsListener() bool { return false }

// SupportsListenNotify is false: see driver.
func (*driver) SupportsListenNotify() bool { return false }

// enqueueOrphans enqueues the jobs a crash caught between writing their
// row and inserting their River job.
func (s *Service) enqueueOrphans(ctx context.Context) error {
	rows, err := s.cfg.Read.QueryContext(ctx, `SELECT id FROM videos WHERE job_id = 0 AND status = 'queued' ORDER BY seq`)
	if err != nil {
		return fmt.Errorf("find jobs to queue: %w", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return fmt.Errorf("find jobs to queue: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	for _, id := range ids {
		if err := s.enqueue(ctx, id); err != nil {
			return err
		}
	}
	return rows.Err()
}

// quiet passes on River's warnings and errors, not its chatter.
type quiet struct{ slog.Handler }

// Enabled lets warnings and worse through.
func (q quiet) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn && q.Handler.Enabled(ctx, l)
}

// WithAttrs keeps the filter on River's loggers with attributes.
func (q quiet) WithAttrs(as []slog.Attr) slog.Handler { return quiet{q.Handler.WithAttrs(as)} }

// WithGroup keeps the filter on River's grouped loggers.
func (q quiet) WithGroup(name string) slog.Handler { return quiet{q.Handler.WithGroup(name)} }

// retryPolicy waits 1 s after the first failure, doubling to at most 30 s:
// River's default (attempt⁴ seconds) would keep a render that crashed
// twice waiting a quarter of a minute, and one that crashed five times ten
// minutes.
type retryPolicy struct{}

// NextRetry is when the job runs again.
func (retryPolicy) NextRetry(job *rivertype.JobRow) time.Time {
	return time.Now().Add(backoff(job.Attempt))
}

func backoff(attempt int) time.Duration {
	d := time.Second << min(max(attempt-1, 0), 5)
	return min(d, 30*time.Second)
}

// blobReferenced is the condition on a videos row that it names blob ?1:
// its clip, its input image or its previews.
const blobReferenced = `video_sha256 = ?1 OR input_sha256 = ?1 OR thumbnail_sha256 = ?1 OR spritesheet_sha256 = ?1`

// Querier reads one row: the server's pool of connections or a
// transaction.
type Querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// BlobUses counts what names the blob with the given sum — members' media,
// video jobs and accounts' holds (tus uploads) alike, which share one blob
// store — so that a blob is removed only when nothing names it.
func BlobUses(ctx context.Context, q Querier, sum string) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM media WHERE sha256 = ?1) +
		(SELECT count(*) FROM videos WHERE `+blobReferenced+`) +
		(SELECT count(*) FROM blob_holds WHERE sha256 = ?1)`, sum).Scan(&n)
	return n, err
}

// removeUnreferenced removes blobs no medium and no job names any more. It
// runs after a commit, on the writer: no write can add a reference to them
// meanwhile.
func (s *Service) removeUnreferenced(ctx context.Context, sums ...string) {
	for _, sum := range sums {
		if sum == "" {
			continue
		}
		n, err := BlobUses(ctx, s.cfg.Read, sum)
		if err == nil && n == 0 {
			err = s.cfg.Blobs.Remove(sum)
		}
		if err != nil {
			s.cfg.Log.Error("remove a video's blob", "sha256", sum, "error", err)
		}
	}
}

// newID is a random ID: 128 bits in hex.
func newID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic("videos: no randomness: " + err.Error()) // crypto/rand does not fail on supported systems
	}
	return hex.EncodeToString(b)
}
