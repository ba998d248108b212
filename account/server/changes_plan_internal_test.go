package server

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// The change feed is polled every 2 s by every device of every account,
// so reading it must search an index, not scan the table or sort: its cost
// stays that of the page read, however long the feed grows.
func TestChangesQueryUsesIndex(t *testing.T) {
	ctx := context.Background()
	st, err := openStore(ctx, filepath.Join(t.TempDir(), "server.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.close()
	rows, err := st.r.QueryContext(ctx, "EXPLAIN QUERY PLAN "+listChangesSQL, "acct", 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(plan, "; ")
	if !strings.Contains(got, "SEARCH changes USING INDEX changes_account (account_id=? AND seq>?)") || strings.Contains(got, "TEMP B-TREE") {
		t.Errorf("the feed's query plan is %q, want a search of changes_account on (account_id, seq) without a sort", got)
	}
}
