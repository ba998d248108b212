package sqlitedb

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strings"
)

// The settings of a database's connections. WAL with synchronous=FULL
// syncs the log on every commit, so a commit that returned survives a
// crash or power loss. Immediate transactions take the write lock up
// front instead of failing half-way. A connection waits up to ten seconds
// for another's lock. The journal mode is not set here: see UseWAL.
const (
	// WriterParams are the writing connection's.
	WriterParams = "_synchronous=FULL&_foreign_keys=on&_busy_timeout=10000&_txlock=immediate"
	// ReaderParams are those of connections that only read.
	ReaderParams = "mode=ro&_foreign_keys=on&_busy_timeout=10000"
)

// DSN is go-sqlite3's name for the database in file with params (such as
// WriterParams and "_stmt_cache_size=64"), the path escaped so that any
// file name works.
func DSN(file string, params ...string) string {
	return "file:" + (&url.URL{Path: file}).EscapedPath() + "?" + strings.Join(params, "&")
}

// OpenWriter opens the database in file, creating it, for writing: one
// connection with WriterParams and extra, switched to WAL. One
// connection, because SQLite allows one writer at a time anyway, and
// this keeps every write in order with no lock contention between our
// own connections. Bring its schema up to date with Migrate.
func OpenWriter(ctx context.Context, file string, extra ...string) (*sql.DB, error) {
	db, err := sql.Open("sqlite3", DSN(file, append([]string{WriterParams}, extra...)...))
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", file, err)
	}
	db.SetMaxOpenConns(1)
	db.SetConnMaxLifetime(0)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open database %s: %w", file, err)
	}
	mode, err := UseWAL(ctx, db)
	if err != nil || mode != "wal" {
		db.Close()
		return nil, fmt.Errorf("open database %s: journal mode is %q, not wal (%v); the folder may be on a network filesystem, which Slate does not support", file, mode, err)
	}
	return db, nil
}
