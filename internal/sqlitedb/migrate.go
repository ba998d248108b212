// Package sqlitedb holds what the studio's library and the account server
// do alike with their SQLite databases and data folders: open a database
// with the settings that make a commit durable (OpenWriter, DSN), bring
// its schema up to date from embedded migrations safely when several
// processes open it at once (Migrate), read a query's rows (All), check
// it (Integrity), and hold a data folder for one process (Lock).
package sqlitedb

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
)

// Queryer is what a migration's Go step may do inside its transaction.
type Queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Migrations are a database's schema changes, embedded in the program.
type Migrations struct {
	// FS holds the scripts, and Pattern matches their names in it.
	FS      fs.FS
	Pattern string
	// TooNew makes the error for a database newer than the scripts: have
	// is its version, know the newest the scripts reach.
	TooNew func(have, know int) error
	// Step, when set, gives the part of the named migration that SQL
	// cannot do (filling a column computed in Go, say), run in the
	// migration's transaction after its script; nil for most.
	Step func(name string) func(context.Context, Queryer) error
}

// Migrate applies the migrations in m.FS that match m.Pattern and are newer
// than the database's user_version. They are named NNNN_what.sql and
// numbered from 1; migration N leaves user_version at N.
//
// Each migration runs in its own BEGIN IMMEDIATE transaction, and the
// version is read inside it, under the write lock: when several processes
// start on a new database at once, the first applies the migration and
// the others, waiting for the lock (the connection's busy timeout), find
// it applied and go on. Reading the version before the transaction, as
// this once did, let two of them apply the same migration.
//
// A database newer than the migrations is refused with m.TooNew's error.
func Migrate(ctx context.Context, db *sql.DB, m Migrations) error {
	names, err := fs.Glob(m.FS, m.Pattern)
	if err != nil {
		return err
	}
	for i, name := range names {
		if n, err := strconv.Atoi(strings.SplitN(path.Base(name), "_", 2)[0]); err != nil || n != i+1 {
			return fmt.Errorf("migration %s is out of sequence (want number %d)", name, i+1)
		}
	}
	// Up to date already, as on every open but the first: no need for the
	// write lock, since the version never goes back.
	var have int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&have); err != nil {
		return fmt.Errorf("read database version: %w", err)
	}
	if have > len(names) {
		return m.TooNew(have, len(names))
	}
	if have == len(names) {
		return nil
	}
	// One connection for the whole run: BEGIN and COMMIT must go to the
	// same one.
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migrate database: %w", err)
	}
	defer conn.Close()
	for i, name := range names[have:] {
		v := have + i + 1
		done, err := m.apply(ctx, conn, name, v, len(names))
		if err != nil {
			return err
		}
		if done {
			return nil
		}
	}
	return nil
}

// apply applies migration v unless the database already has it. It reports
// done when the database is at the newest version or beyond.
func (m Migrations) apply(ctx context.Context, conn *sql.Conn, name string, v, know int) (done bool, err error) {
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return false, fmt.Errorf("migrate database to version %d: %w", v, err)
	}
	defer func() {
		if err != nil {
			conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		}
	}()
	var have int
	if err := conn.QueryRowContext(ctx, "PRAGMA user_version").Scan(&have); err != nil {
		return false, fmt.Errorf("read database version: %w", err)
	}
	if have > know {
		return false, m.TooNew(have, know)
	}
	if have < v {
		script, err := fs.ReadFile(m.FS, name)
		if err != nil {
			return false, err
		}
		if _, err := conn.ExecContext(ctx, string(script)); err != nil {
			return false, fmt.Errorf("migrate database to version %d (%s): %w", v, name, err)
		}
		if m.Step != nil {
			if step := m.Step(name); step != nil {
				if err := step(ctx, conn); err != nil {
					return false, fmt.Errorf("migrate database to version %d (%s): %w", v, name, err)
				}
			}
		}
		if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", v)); err != nil {
			return false, fmt.Errorf("migrate database to version %d: %w", v, err)
		}
		have = v
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return false, fmt.Errorf("migrate database to version %d: %w", v, err)
	}
	return have >= know, nil
}
