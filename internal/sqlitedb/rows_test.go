package sqlitedb

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func TestAll(t *testing.T) {
	ctx := t.Context()
	db, err := sql.Open("sqlite3", DSN(filepath.Join(t.TempDir(), "rows.db")))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// One connection: a query left open would make the next one wait.
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, `CREATE TABLE t (n INTEGER, s TEXT); INSERT INTO t VALUES (1, 'one'), (2, 'two'), (3, 'three')`); err != nil {
		t.Fatal(err)
	}
	type pair struct {
		n int
		s string
	}
	scan := func(row Row) (p pair, err error) {
		err = row.Scan(&p.n, &p.s)
		return p, err
	}
	got, err := All(ctx, db, scan, `SELECT n, s FROM t WHERE n >= ? ORDER BY n`, 2)
	if want := []pair{{2, "two"}, {3, "three"}}; err != nil || !slices.Equal(got, want) {
		t.Errorf("All = %v, %v; want %v", got, err, want)
	}
	names, err := All(ctx, db, String, `SELECT s FROM t ORDER BY n DESC`)
	if want := []string{"three", "two", "one"}; err != nil || !slices.Equal(names, want) {
		t.Errorf("All(String) = %q, %v; want %q", names, err, want)
	}
	none, err := All(ctx, db, String, `SELECT s FROM t WHERE n > 3`)
	if err != nil || none != nil {
		t.Errorf("All over no rows = %#v, %v; want nil, nil", none, err)
	}
	bad := errors.New("row 2 is bad")
	_, err = All(ctx, db, func(row Row) (pair, error) {
		p, err := scan(row)
		if p.n == 2 {
			err = bad
		}
		return p, err
	}, `SELECT n, s FROM t ORDER BY n`)
	if !errors.Is(err, bad) {
		t.Errorf("All with a failing scan = %v; want %v", err, bad)
	}
	if _, err := All(ctx, db, String, `SELECT nothing FROM nowhere`); err == nil {
		t.Error("All ran a query of a table that is not there")
	}
	// Every query above let its connection go, even the failed one: else
	// this would wait for it.
	wait, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := db.ExecContext(wait, `INSERT INTO t VALUES (4, 'four')`); err != nil {
		t.Errorf("the connection is still held: %v", err)
	}
}
