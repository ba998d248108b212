package sqlitedb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/mattn/go-sqlite3"
)

// walTimeout bounds how long UseWAL waits for other processes to finish
// creating the same new database, as the busy timeout of its connections
// does for ordinary locks.
const walTimeout = 10 * time.Second

// UseWAL switches the database to write-ahead logging and returns the
// journal mode it is in afterwards ("wal", unless the file system cannot
// do it). The mode is kept in the file, so this matters only the first
// time.
//
// Setting it through the DSN (_journal_mode=WAL) fails at once with
// "database is locked" when several processes create the same database
// together: changing the journal mode needs an exclusive lock, and SQLite
// returns SQLITE_BUSY without calling the busy handler when waiting might
// deadlock. So this asks again, a little later each time, for up to
// walTimeout.
func UseWAL(ctx context.Context, db *sql.DB) (string, error) {
	deadline := time.Now().Add(walTimeout)
	wait := time.Millisecond
	for {
		var mode string
		err := db.QueryRowContext(ctx, "PRAGMA journal_mode = WAL").Scan(&mode)
		if err == nil || !busy(err) || time.Now().After(deadline) {
			if err != nil {
				return "", fmt.Errorf("set the journal mode: %w", err)
			}
			return mode, nil
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return "", ctx.Err()
		}
		wait = min(2*wait, 50*time.Millisecond)
	}
}

func busy(err error) bool {
	var e sqlite3.Error
	return errors.As(err, &e) && (e.Code == sqlite3.ErrBusy || e.Code == sqlite3.ErrLocked)
}
