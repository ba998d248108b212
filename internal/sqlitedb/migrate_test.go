package sqlitedb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
)

func openDB(t *testing.T, file string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+(&url.URL{Path: file}).EscapedPath()+"?_busy_timeout=10000&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

var schema = fstest.MapFS{
	"m/0001_one.sql": {Data: []byte("CREATE TABLE one (x);")},
	"m/0002_two.sql": {Data: []byte("CREATE TABLE two (x); INSERT INTO one VALUES (1);")},
}

var errNewer = errors.New("newer")

func newer(have, know int) error { return fmt.Errorf("version %d of %d: %w", have, know, errNewer) }

// Eight connections migrating one new database at once: each migration
// is applied once, and every one of them succeeds.
func TestMigrateConcurrently(t *testing.T) {
	ctx := context.Background()
	for range 5 {
		file := filepath.Join(t.TempDir(), "db")
		var wg sync.WaitGroup
		errs := make([]error, 8)
		dbs := make([]*sql.DB, 8)
		for i := range dbs {
			dbs[i] = openDB(t, file)
		}
		start := make(chan struct{})
		for i, db := range dbs {
			wg.Go(func() {
				<-start
				mode, err := UseWAL(ctx, db)
				if err == nil && mode != "wal" {
					err = fmt.Errorf("journal mode %q", mode)
				}
				if err == nil {
					err = Migrate(ctx, db, Migrations{FS: schema, Pattern: "m/*.sql", TooNew: newer})
				}
				errs[i] = err
			})
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("connection %d: %v", i+1, err)
			}
		}
		var rows, version int
		dbs[0].QueryRow("SELECT count(*) FROM one").Scan(&rows)
		dbs[0].QueryRow("PRAGMA user_version").Scan(&version)
		if rows != 1 || version != 2 {
			t.Fatalf("after migrating at once: %d rows from migration 2 and version %d, want 1 and 2", rows, version)
		}
	}
}

func TestMigrateRefuses(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, filepath.Join(t.TempDir(), "db"))
	if err := Migrate(ctx, db, Migrations{FS: schema, Pattern: "m/*.sql", TooNew: newer}); err != nil {
		t.Fatal(err)
	}
	db.Exec("PRAGMA user_version = 7")
	if err := Migrate(ctx, db, Migrations{FS: schema, Pattern: "m/*.sql", TooNew: newer}); !errors.Is(err, errNewer) || !strings.Contains(err.Error(), "version 7 of 2") {
		t.Errorf("Migrate on a newer database = %v, want tooNew's error", err)
	}
	gap := fstest.MapFS{"m/0001_a.sql": {Data: []byte("SELECT 1;")}, "m/0003_c.sql": {Data: []byte("SELECT 1;")}}
	if err := Migrate(ctx, openDB(t, filepath.Join(t.TempDir(), "db")), Migrations{FS: gap, Pattern: "m/*.sql", TooNew: newer}); err == nil || !strings.Contains(err.Error(), "out of sequence") {
		t.Errorf("Migrate with a gap = %v, want out of sequence", err)
	}
	// A failing migration leaves the database at the version before it.
	bad := fstest.MapFS{"m/0001_a.sql": {Data: []byte("CREATE TABLE a (x);")}, "m/0002_b.sql": {Data: []byte("CREATE TABLE b (x); SELECT nope FROM nothing;")}}
	db = openDB(t, filepath.Join(t.TempDir(), "db"))
	if err := Migrate(ctx, db, Migrations{FS: bad, Pattern: "m/*.sql", TooNew: newer}); err == nil || !strings.Contains(err.Error(), "migrate database to version 2 (m/0002_b.sql)") {
		t.Errorf("Migrate with a bad script = %v", err)
	}
	var version, tables int
	db.QueryRow("PRAGMA user_version").Scan(&version)
	db.QueryRow("SELECT count(*) FROM sqlite_master WHERE name = 'b'").Scan(&tables)
	if version != 1 || tables != 0 {
		t.Errorf("after a failed migration: version %d, table b %d; want 1 and none", version, tables)
	}
}
