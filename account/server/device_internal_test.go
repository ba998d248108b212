package server

import (
	"context"
	"database/sql"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slatestudio/slate/account"
	"github.com/slatestudio/slate/internal/sqlitedb"
)

// A database from before device IDs keeps its sessions: they stay logged
// in, known by their names, and a log-in without an ID still replaces the
// session of its name.
func TestDeviceIDMigrationKeepsSessions(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite3", sqlitedb.DSN(filepath.Join(dir, "server.db"), "_foreign_keys=on"))
	if err != nil {
		t.Fatal(err)
	}
	v1, err := migrations.ReadFile("migrations/0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	hash, err := hashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	token := "slt_from_before_device_ids"
	for _, q := range []string{string(v1), "PRAGMA user_version = 1"} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO accounts VALUES ('a1', 'olive', ?, 1)`, hash); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO sessions VALUES ('s1', ?, 'a1', 'olive-thinkpad', 1, 2)`, tokenHash(token)); err != nil {
		t.Fatal(err)
	}
	db.Close()

	srv, err := New(ctx, Config{Dir: dir})
	if err != nil {
		t.Fatalf("New on a database from before device IDs: %v", err)
	}
	defer srv.Close()
	get := func(tok string) int {
		req := httptest.NewRequest("GET", account.Prefix+"/sessions", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, req)
		return w.Code
	}
	if code := get(token); code != http.StatusOK {
		t.Fatalf("the session from before the migration answers %d, want 200", code)
	}
	var device, id string
	if err := srv.st.r.QueryRowContext(ctx, `SELECT device, device_id FROM sessions WHERE id = 's1'`).Scan(&device, &id); err != nil || device != "olive-thinkpad" || id != "" {
		t.Fatalf("the migrated session is %q, %q (%v); want its name and no ID", device, id, err)
	}
	login := httptest.NewRequest("POST", account.Prefix+"/sessions", strings.NewReader(`{"username":"olive","password":"correct horse battery","device":"olive-thinkpad"}`))
	login.RemoteAddr = "127.0.0.1:1234"
	w := httptest.NewRecorder()
	srv.ServeHTTP(w, login)
	if w.Code != http.StatusCreated {
		t.Fatalf("log-in without a device ID = %d %s", w.Code, w.Body)
	}
	if code := get(token); code != http.StatusUnauthorized {
		t.Errorf("after a log-in without an ID under its name, the old session answers %d, want 401: replaced as before", code)
	}
}
