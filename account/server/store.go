package server

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	_ "github.com/mattn/go-sqlite3" // the SQLite driver

	"github.com/slatestudio/slate/internal/sqlitedb"
)

//go:embed migrations/*.sql
var migrations embed.FS

// errClosed is returned for a write after the store closed.
var errClosed = errors.New("the server is shutting down")

// maxBatch bounds how many writes share one commit.
const maxBatch = 64

// store is the server's database. Every write goes through one goroutine
// that commits the writes waiting at that moment together (group commit):
// each is acknowledged only after the commit that holds it is on disk
// (WAL, synchronous=FULL), yet under load many share one fsync. Writes
// therefore also run one at a time, in order, which is what makes a
// decision and the policy change it races with serializable: a grant
// decided after a revocation committed always sees it. Reads use a
// separate pool of read-only connections and never wait for the writer.
//
// Checkpoints (copying the write-ahead log into the database file) run on
// a connection of their own, in the background, instead of inside
// whichever commit happens to fill the log: that would stall every write
// queued behind it for the few milliseconds a checkpoint takes.
type store struct {
	w, r, ck *sql.DB
	wc       *sql.Conn // the writer's one connection, held for good
	ops      chan *op
	quit     chan struct{}
	done     chan struct{}
	ckDone   chan struct{}
}

// op is one write: run runs it inside the batch's transaction, in its own
// savepoint, so a failing write undoes only itself.
type op struct {
	// gaveUp is the Err of the caller's context: a write whose caller
	// stopped waiting before it started is skipped.
	gaveUp func() error
	// run does the write, handing the write function the caller's
	// context without its cancellation (see newOp).
	run func(*txn) error
	res chan error
}

// newOp makes the op that writes fn for a caller waiting under ctx. The
// write runs with ctx's values but not its cancellation: once a write has
// started it finishes, so a client that hangs up cannot abort a batch that
// others share.
func newOp(ctx context.Context, fn func(context.Context, *txn) error) *op {
	wctx := context.WithoutCancel(ctx)
	return &op{gaveUp: ctx.Err, run: func(t *txn) error { return fn(wctx, t) }, res: make(chan error, 1)}
}

// txn is the transaction an op runs in.
type txn struct {
	tx    *sql.Tx
	after []func()
}

func (t *txn) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(ctx, q, args...)
}

func (t *txn) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return t.tx.QueryContext(ctx, q, args...)
}

func (t *txn) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(ctx, q, args...)
}

// afterCommit runs fn once the transaction is durable, still on the writer
// goroutine, before the next batch starts. Blob files are removed there:
// never before the rows that name them are gone for good, and never while
// another write could be adding a reference to them.
func (t *txn) afterCommit(fn func()) { t.after = append(t.after, fn) }

// openStore opens (creating if needed) the database in file and brings it
// up to date.
func openStore(ctx context.Context, file string) (*store, error) {
	// The writer's settings (durable commits, WAL) are sqlitedb's. Each
	// connection keeps its prepared statements: the same few dozen
	// queries run over and over, and parsing them was a tenth of the work.
	w, err := sqlitedb.OpenWriter(ctx, file, "_stmt_cache_size=64")
	if err != nil {
		return nil, err
	}
	if err := migrate(ctx, w, file); err != nil {
		w.Close()
		return nil, err
	}
	// The pragma holds for one connection, so the writer keeps that one.
	wc, err := w.Conn(ctx)
	if err == nil {
		_, err = wc.ExecContext(ctx, "PRAGMA wal_autocheckpoint = 0")
	}
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open database %s: %w", file, err)
	}
	r, err := sql.Open("sqlite3", sqlitedb.DSN(file, sqlitedb.ReaderParams, "_stmt_cache_size=64"))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open database %s: %w", file, err)
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	if err := r.PingContext(ctx); err != nil {
		wc.Close()
		w.Close()
		r.Close()
		return nil, fmt.Errorf("open database %s for reading: %w", file, err)
	}
	ck, err := sql.Open("sqlite3", sqlitedb.DSN(file, "_busy_timeout=10000"))
	if err != nil {
		wc.Close()
		w.Close()
		r.Close()
		return nil, fmt.Errorf("open database %s: %w", file, err)
	}
	ck.SetMaxOpenConns(1)
	s := &store{w: w, wc: wc, r: r, ck: ck, ops: make(chan *op, 1024),
		quit: make(chan struct{}), done: make(chan struct{}), ckDone: make(chan struct{})}
	// The writer and the checkpoints outlive the opening's context; they
	// stop when the store closes.
	go s.run(context.WithoutCancel(ctx))
	go s.checkpoints(context.WithoutCancel(ctx))
	return s, nil
}

// Checkpointing: a passive checkpoint (which never blocks the writer)
// every checkpointEvery; if the log still grows past checkpointForceFrames
// (readers kept the checkpoint from finishing), a restarting one, which
// waits for the writer and lets the log start over.
const (
	checkpointEvery       = 250 * time.Millisecond
	checkpointForceFrames = 16384 // 64 MiB of 4 KiB pages
)

func (s *store) checkpoints(ctx context.Context) {
	defer close(s.ckDone)
	tick := time.NewTicker(checkpointEvery)
	defer tick.Stop()
	for {
		select {
		case <-s.quit:
			return
		case <-tick.C:
		}
		var busy, frames, done int
		if err := s.ck.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &done); err != nil {
			continue // the next tick tries again
		}
		if frames > checkpointForceFrames {
			s.ck.ExecContext(ctx, "PRAGMA wal_checkpoint(RESTART)")
		}
	}
}

// migrate brings the database up to date, safely even when another
// process does the same at once.
func migrate(ctx context.Context, db *sql.DB, file string) error {
	return sqlitedb.Migrate(ctx, db, sqlitedb.Migrations{FS: migrations, Pattern: "migrations/*.sql", Step: migrationStep, TooNew: func(have, know int) error {
		return fmt.Errorf("the database %s was written by a newer slate-server (version %d; this one knows up to %d); run the newer server", file, have, know)
	}})
}

// migrationStep is the part of a migration that SQL cannot do, run in its
// transaction after its script; nil for most. It goes by the name without
// the number, which may change when migrations are renumbered.
func migrationStep(name string) func(context.Context, sqlitedb.Queryer) error {
	switch _, base, _ := strings.Cut(path.Base(name), "_"); base {
	case "lookalikes.sql":
		return fillLookAlikeKeys
	}
	return nil
}

// write runs fn in the writer and returns once its effects are durable, or
// with fn's error (and none of its effects), or with ctx's error if ctx ends
// first; then the write may or may not have happened.
func (s *store) write(ctx context.Context, fn func(context.Context, *txn) error) error {
	o := newOp(ctx, fn)
	select {
	case s.ops <- o:
	case <-ctx.Done():
		return ctx.Err()
	case <-s.quit:
		return errClosed
	}
	select {
	case err := <-o.res:
		return err
	case <-ctx.Done():
		return ctx.Err()
	case <-s.done:
		// The writer may have answered just before it stopped.
		select {
		case err := <-o.res:
			return err
		default:
			return errClosed
		}
	}
}

// writeLater queues fn without waiting for it, and drops it when the queue
// is full: for bookkeeping that may be lost, such as a session's last-seen
// time.
func (s *store) writeLater(ctx context.Context, fn func(context.Context, *txn) error) {
	select {
	case s.ops <- newOp(ctx, fn):
	default:
	}
}

// run is the writer: it commits the writes queued, a batch at a time,
// until the store closes; the savepoints and commits run under ctx.
func (s *store) run(ctx context.Context) {
	defer close(s.done)
	batch := make([]*op, 0, maxBatch)
	for {
		select {
		case <-s.quit:
			return
		case first := <-s.ops:
			batch = append(batch[:0], first)
		}
	fill:
		for len(batch) < maxBatch {
			select {
			case o := <-s.ops:
				batch = append(batch, o)
			default:
				break fill
			}
		}
		s.commit(ctx, batch)
	}
}

// commit runs a batch of writes in one transaction.
func (s *store) commit(ctx context.Context, batch []*op) {
	results := make([]error, len(batch))
	finish := func(err error) {
		for i, o := range batch {
			if results[i] == nil {
				results[i] = err
			}
			o.res <- results[i]
		}
	}
	// Writes whose caller already gave up are skipped: nobody waits for
	// their answer, and not doing them is one of the outcomes promised.
	live := batch[:0:0]
	for i, o := range batch {
		if err := o.gaveUp(); err != nil {
			results[i] = err
			continue
		}
		live = append(live, o)
	}
	if len(live) == 0 {
		finish(nil)
		return
	}
	tx, err := s.wc.BeginTx(ctx, nil)
	if err != nil {
		finish(fmt.Errorf("begin transaction: %w", err))
		return
	}
	t := &txn{tx: tx}
	if len(live) == 1 {
		// A batch of one needs no savepoint: the transaction is the
		// write's own, and under light load most batches are.
		i := slices.Index(batch, live[0])
		if err := live[0].run(t); err != nil {
			tx.Rollback()
			results[i] = err
			finish(nil)
			return
		}
	}
	for i, o := range batch {
		if results[i] != nil || len(live) == 1 {
			continue
		}
		if _, err := t.exec(ctx, "SAVEPOINT op"); err != nil {
			results[i] = fmt.Errorf("savepoint: %w", err)
			continue
		}
		mark := len(t.after)
		if err := o.run(t); err != nil {
			results[i] = err
			t.after = t.after[:mark]
			if _, err := t.exec(ctx, "ROLLBACK TO op"); err != nil {
				// The transaction can no longer be trusted: give up on
				// the whole batch.
				tx.Rollback()
				finish(fmt.Errorf("roll back a failed write: %w", err))
				return
			}
		}
		if _, err := t.exec(ctx, "RELEASE op"); err != nil {
			tx.Rollback()
			finish(fmt.Errorf("release savepoint: %w", err))
			return
		}
	}
	if err := tx.Commit(); err != nil {
		finish(fmt.Errorf("commit: %w", err))
		return
	}
	for _, fn := range t.after {
		fn()
	}
	finish(nil)
}

// close stops the writer, after the batch in hand, checkpoints the whole
// log into the database file, and closes the database.
func (s *store) close() error {
	close(s.quit)
	<-s.done
	<-s.ckDone
	// Writes queued but not started are answered by write's select on
	// done; nothing else reads ops now.
	werr := s.wc.Close() // back to w's pool, for the last checkpoint
	_, err := s.w.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	return errors.Join(werr, err, s.ck.Close(), s.r.Close(), s.w.Close())
}

// ms is a time as the database keeps it.
func ms(t time.Time) int64 { return t.UnixMilli() }

// fromMS reads a time from the database.
func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

// nullTime reads an optional time.
func nullTime(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMS(v.Int64)
	return &t
}
