package sqlitedb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// Integrity runs PRAGMA integrity_check and returns an error naming every
// problem unless it reports ok.
func Integrity(ctx context.Context, db *sql.DB) error {
	rows, err := db.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return err
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return err
		}
		if s != "ok" {
			problems = append(problems, s)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(problems) > 0 {
		return fmt.Errorf("database integrity check failed: %s", strings.Join(problems, "; "))
	}
	return nil
}
