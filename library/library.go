// Package library is the studio's local store: a SQLite database of
// projects, shots, rendered clips and render jobs, and a content-addressed
// blob store for the media they refer to, all in one data directory.
//
// Every write is durable before it returns: rows change in transactions on
// a WAL database with synchronous=FULL, and blobs are written to a
// temporary file, fsynced and renamed into place.
package library

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	_ "github.com/mattn/go-sqlite3" // the SQLite driver

	"github.com/slatestudio/slate/internal/clock"
	"github.com/slatestudio/slate/internal/sqlitedb"
	"github.com/slatestudio/slate/internal/tempfile"
)

//go:embed migrations/*.sql
var migrations embed.FS

// ErrNotFound is returned for a project, clip or job that does not exist.
var ErrNotFound = errors.New("not found")

// ErrLocked is matched by the error Open returns when another studio
// holds the data directory.
var ErrLocked = sqlitedb.ErrLocked

// lockError says which studio holds the data directory dir, and the ways
// out.
func lockError(dir string, err error) error {
	var held *sqlitedb.LockedError
	if !errors.As(err, &held) {
		return err
	}
	holder := "another process"
	if held.PID > 0 {
		holder = fmt.Sprintf("process %d", held.PID)
	}
	return fmt.Errorf("another Slate studio (%s) is already using the data folder %s; switch to that window, or start this one with SLATE_HOME set to a different folder: %w", holder, dir, ErrLocked)
}

// ErrNotWritable is matched by the error Open returns for a data folder
// (or a folder or file in it) that Slate may not write to.
var ErrNotWritable = errors.New("data folder not writable")

// Library is an open data directory.
type Library struct {
	dir   string
	db    *sql.DB
	blobs *Blobs
	lock  *sqlitedb.DirLock
	tmp   string
	clock clock.Clock
}

// Options changes how a library is opened.
type Options struct {
	// Exclusive takes the data directory for this process alone and refuses
	// to open one that another studio holds. The studio opens exclusively;
	// command-line tools that only render or read do not.
	Exclusive bool
	// Clock is the clock used for timestamps; nil means the real one.
	Clock clock.Clock
}

// DefaultDir is where the studio keeps its data: $SLATE_HOME when set, else
// slate/ in the XDG data home ($XDG_DATA_HOME, or ~/.local/share).
func DefaultDir() (string, error) {
	if d := os.Getenv("SLATE_HOME"); d != "" {
		return filepath.Abs(d)
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "slate"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("find the data directory: %w; set SLATE_HOME to a folder Slate may use", err)
	}
	return filepath.Join(home, ".local", "share", "slate"), nil
}

// Open opens (creating if needed) the library in dir and brings its
// database up to date. ctx bounds the opening only: waiting for another
// process that is creating the same database, and the migrations.
func Open(ctx context.Context, dir string, opts Options) (*Library, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("open library: %w", err)
	}
	for _, d := range []string{dir, filepath.Join(dir, "tmp"), filepath.Join(dir, "blobs", "sha256"), filepath.Join(dir, "partial")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, notWritable(dir, err)
		}
	}
	if err := checkWritable(dir); err != nil {
		return nil, err
	}
	l := &Library{dir: dir, clock: clock.Or(opts.Clock)}
	if opts.Exclusive {
		if l.lock, err = sqlitedb.Lock(dir); err != nil {
			return nil, lockError(dir, err)
		}
	}
	if err := cleanTemp(filepath.Join(dir, "tmp")); err != nil {
		l.Close()
		return nil, err
	}
	if err := removeOldThumbs(dir); err != nil {
		l.Close()
		return nil, err
	}
	tmp, err := tempfile.Mkdir(filepath.Join(dir, "tmp"), tempPrefix, "")
	if err != nil {
		l.Close()
		return nil, fmt.Errorf("open library: %w", err)
	}
	l.tmp = tmp
	l.blobs = newBlobs(filepath.Join(dir, "blobs", "sha256"), tmp)
	if l.db, err = sqlitedb.OpenWriter(ctx, filepath.Join(dir, "slate.db")); err != nil {
		l.Close()
		return nil, err
	}
	if err := l.migrate(ctx); err != nil {
		l.Close()
		return nil, err
	}
	return l, nil
}

// migrate brings the database up to date; several processes may do it at
// once.
func (l *Library) migrate(ctx context.Context) error {
	return sqlitedb.Migrate(ctx, l.db, sqlitedb.Migrations{FS: migrations, Pattern: "migrations/*.sql", TooNew: func(have, know int) error {
		return fmt.Errorf("the library in %s was written by a newer Slate (database version %d; this Slate knows up to %d); update Slate, or set SLATE_HOME to another folder", l.dir, have, know)
	}})
}

// now is the time for timestamps.
func (l *Library) now() time.Time { return l.clock.Now() }

// tx runs fn in a transaction, committing when it returns nil.
func (l *Library) tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// Dir is the data directory.
func (l *Library) Dir() string { return l.dir }

// TempDir is a directory on the same filesystem as the blob store, for files
// that will be moved into it.
func (l *Library) TempDir() string { return l.tmp }

// Blobs is the library's content-addressed blob store.
func (l *Library) Blobs() *Blobs { return l.blobs }

// IntegrityCheck runs SQLite's integrity_check and returns an error unless
// it reports ok.
func (l *Library) IntegrityCheck(ctx context.Context) error {
	return sqlitedb.Integrity(ctx, l.db)
}

// Close closes the database and releases the data directory.
func (l *Library) Close() error {
	var err error
	if l.db != nil {
		err = l.db.Close()
	}
	if l.tmp != "" {
		os.RemoveAll(l.tmp)
	}
	if l.lock != nil {
		l.lock.Release()
	}
	return err
}

func unixMilli(t time.Time) int64 { return t.UnixMilli() }

func fromMilli(ms sql.NullInt64) time.Time {
	if !ms.Valid || ms.Int64 == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms.Int64)
}
