package sqlitedb

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/mattn/go-sqlite3"
)

func TestIntegrity(t *testing.T) {
	file := filepath.Join(t.TempDir(), "t.db")
	db, err := sql.Open("sqlite3", "file:"+file)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE t (x TEXT); CREATE INDEX t_x ON t (x)`); err != nil {
		t.Fatal(err)
	}
	for range 200 {
		if _, err := db.Exec(`INSERT INTO t VALUES (hex(randomblob(64)))`); err != nil {
			t.Fatal(err)
		}
	}
	if err := Integrity(context.Background(), db); err != nil {
		t.Fatalf("a sound database: %v", err)
	}
	db.Close()

	// Damage the last page (index or table data), keeping the header.
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for i := len(data) - 3000; i < len(data)-100; i++ {
		data[i] ^= 0x5a
	}
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	bad, err := sql.Open("sqlite3", "file:"+file)
	if err != nil {
		t.Fatal(err)
	}
	defer bad.Close()
	if err := Integrity(context.Background(), bad); err == nil || !strings.Contains(err.Error(), "integrity") && !strings.Contains(err.Error(), "malformed") {
		t.Fatalf("a damaged database passed: %v", err)
	}
}
