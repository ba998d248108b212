package sqlitedb

import (
	"os"
	"path/filepath"
	"testing"
)

// A database opened for writing has the settings that make a commit
// durable, whatever its file is called.
func TestOpenWriter(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a folder #1?", "slate.db")
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}
	db, err := OpenWriter(t.Context(), file, "_stmt_cache_size=8")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for pragma, want := range map[string]string{
		"journal_mode": "wal",
		"synchronous":  "2", // FULL
		"foreign_keys": "1",
		"busy_timeout": "10000",
	} {
		var got string
		if err := db.QueryRowContext(t.Context(), "PRAGMA "+pragma).Scan(&got); err != nil || got != want {
			t.Errorf("PRAGMA %s = %q, %v; want %q", pragma, got, err, want)
		}
	}
	if _, err := os.Stat(file); err != nil {
		t.Errorf("the database is not where it was asked for: %v", err)
	}
	if n := db.Stats().MaxOpenConnections; n != 1 {
		t.Errorf("MaxOpenConnections = %d, want 1", n)
	}
}

func TestDSN(t *testing.T) {
	if got, want := DSN("/data/my films #2/slate.db", WriterParams, "_stmt_cache_size=64"),
		"file:/data/my%20films%20%232/slate.db?"+WriterParams+"&_stmt_cache_size=64"; got != want {
		t.Errorf("DSN = %q, want %q", got, want)
	}
}
