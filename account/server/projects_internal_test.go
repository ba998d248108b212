package server

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/slatestudio/slate/account/server/projects"
)

// What an account's project revisions take is summed per project, largest
// first, with the latest title: the seam GET /storage adds to the blobs'.
func TestProjectsUsed(t *testing.T) {
	ctx := context.Background()
	st, err := openStore(ctx, filepath.Join(t.TempDir(), "server.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.close()
	err = st.write(ctx, func(ctx context.Context, tx *txn) error {
		for _, acct := range []string{"a", "b"} {
			if _, err := tx.exec(ctx, `INSERT INTO accounts (id, username, password_hash, created_at) VALUES (?, ?, '', 0)`, acct, acct); err != nil {
				return err
			}
		}
		for _, r := range []struct {
			acct, project, title string
			rev, size            int
		}{{"a", "p1", "Old", 1, 10}, {"a", "p1", "Kite", 2, 15}, {"a", "p2", "Small", 1, 5}, {"b", "p1", "Bob's", 1, 100}} {
			if _, err := tx.exec(ctx, `INSERT INTO project_revisions (account_id, project, rev, title, device_id, device, at, size, document)
				VALUES (?, ?, ?, ?, '', '', 0, ?, x'')`, r.acct, r.project, r.rev, r.title, r.size); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	items, err := projects.Used(ctx, st.r, "a")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(items), "[{project p1 Kite  25} {project p2 Small  5}]"; got != want {
		t.Errorf("Used(a) = %s, want %s", got, want)
	}
}
