package sqlitedb

import (
	"context"
	"database/sql"
)

// Row is a row to read: *sql.Rows at a row, or the *sql.Row of a query
// for one.
type Row = interface{ Scan(dest ...any) error }

// QueryRunner runs a query: a *sql.DB, *sql.Conn or *sql.Tx.
type QueryRunner interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// All runs query on q and reads every row it returns with scan, stopping
// at the first error. The rows are all read, and the connection let go,
// before it returns: what is then done with them (hashing a file, another
// query on a database of one connection) never holds it. No rows give a
// nil slice.
func All[T any](ctx context.Context, q QueryRunner, scan func(Row) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// String reads a row of one text column.
func String(row Row) (s string, err error) {
	err = row.Scan(&s)
	return s, err
}
