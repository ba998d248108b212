package server

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/slatestudio/slate/internal/sqlitedb"
)

// The audit trail takes new rows and nothing else: the database itself
// refuses to change or delete one.
func TestAuditIsAppendOnly(t *testing.T) {
	ctx := context.Background()
	st, err := openStore(ctx, filepath.Join(t.TempDir(), "server.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.close()
	err = st.write(ctx, func(ctx context.Context, tx *txn) error {
		return audit(ctx, tx, fromMS(1), "grant", "a", "o", "m", "g", "", "")
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`UPDATE audit SET detail = 'forged'`, `DELETE FROM audit`} {
		err := st.write(ctx, func(ctx context.Context, tx *txn) error {
			_, err := tx.exec(ctx, q)
			return err
		})
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s = %v, want refused as append-only", q, err)
		}
	}
	var n int
	if err := st.r.QueryRowContext(ctx, `SELECT count(*) FROM audit WHERE detail = ''`).Scan(&n); err != nil || n != 1 {
		t.Errorf("audit rows = %d, %v; want the one row, unchanged", n, err)
	}
	if err := sqlitedb.Integrity(ctx, st.r); err != nil {
		t.Error(err)
	}
}

// Writes that share a commit stay independent: one that fails leaves no
// trace, and the others in its batch still land.
func TestGroupCommitIsolatesWrites(t *testing.T) {
	ctx := context.Background()
	st, err := openStore(ctx, filepath.Join(t.TempDir(), "server.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.close()
	boom := errors.New("boom")
	var wg sync.WaitGroup
	var hooks atomic.Int64
	errs := make([]error, 200)
	for i := range errs {
		wg.Go(func() {
			errs[i] = st.write(ctx, func(ctx context.Context, tx *txn) error {
				if _, err := tx.exec(ctx, `INSERT INTO accounts (id, username, password_hash, created_at) VALUES (?, ?, 'x', 0)`,
					fmt.Sprint("id", i), fmt.Sprint("user", i)); err != nil {
					return err
				}
				tx.afterCommit(func() { hooks.Add(1) })
				if i%3 == 0 {
					return boom
				}
				return nil
			})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if (i%3 == 0) != errors.Is(err, boom) || (i%3 != 0 && err != nil) {
			t.Errorf("write %d = %v", i, err)
		}
	}
	var n int
	if err := st.r.QueryRowContext(ctx, `SELECT count(*) FROM accounts`).Scan(&n); err != nil || n != 133 {
		t.Errorf("accounts = %d, %v; want the 133 writes that succeeded", n, err)
	}
	if hooks.Load() != 133 {
		t.Errorf("%d after-commit hooks ran, want 133 (none for the failed writes)", hooks.Load())
	}
	// A cancelled write is not made.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := st.write(cctx, func(ctx context.Context, tx *txn) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("write with a cancelled context = %v", err)
	}
}

// Only the hashes of tokens are kept, passwords are argon2id at the
// minimum, and a hash with weaker parameters is refused.
func TestPasswordsAndTokens(t *testing.T) {
	h, err := hashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash = %s, want argon2id with m=19456,t=2,p=1", h)
	}
	for _, tt := range []struct {
		pw   string
		want bool
	}{{"correct horse battery", true}, {"correct horse batterY", false}, {"", false}} {
		if ok, err := checkPassword(h, tt.pw); ok != tt.want || err != nil {
			t.Errorf("checkPassword(%q) = %v, %v; want %v", tt.pw, ok, err, tt.want)
		}
	}
	weak := strings.Replace(h, "m=19456", "m=1024", 1)
	if _, err := checkPassword(weak, "correct horse battery"); err == nil {
		t.Error("a hash below the minimum parameters was accepted")
	}
	tok, hash, err := newToken()
	if err != nil || len(hash) != 32 || !strings.HasPrefix(tok, "slt_") || len(tok) != 4+43 {
		t.Errorf("newToken = %q, %x, %v", tok, hash, err)
	}
}
