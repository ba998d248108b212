package library

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// openAsUser opens the library in dir as a user whom the file modes bind
// and returns Open's error message ("" when it opened). Tests run as root
// in CI, and root writes through any mode bits; there the library is
// opened by this test binary run again as the unprivileged user nobody
// (openChild), from a copy it can read.
func openAsUser(t *testing.T, base, dir string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		l, err := Open(t.Context(), dir, Options{})
		if err != nil {
			return err.Error()
		}
		l.Close()
		return ""
	}
	exe := filepath.Join(base, "library.test")
	if _, err := os.Stat(exe); err != nil {
		src, err := os.Open(os.Args[0])
		if err != nil {
			t.Fatal(err)
		}
		defer src.Close()
		dst, err := os.OpenFile(exe, os.O_CREATE|os.O_WRONLY, 0o755)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(dst, src); err != nil {
			t.Fatal(err)
		}
		dst.Close()
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Dir = base
	cmd.Env = append(os.Environ(), "SLATE_OPEN_CHILD_DIR="+dir)
	cmd.Stdin = strings.NewReader("go\n")
	const nobody = 65534
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	out, err := cmd.CombinedOutput()
	msg := strings.TrimSpace(string(out))
	if err == nil && msg == "ok" {
		return ""
	}
	if !strings.HasPrefix(msg, "error: ") {
		t.Fatalf("opening as the user nobody: %v\n%s", err, msg)
	}
	return strings.TrimPrefix(msg, "error: ")
}

// A data folder Slate may not write to is refused with a message that
// names the folder and says what to do, whether the folder is new, was
// used before, or cannot even be made.
func TestReadOnlyDataFolder(t *testing.T) {
	base, err := os.MkdirTemp("", "slate-readonly-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		filepath.WalkDir(base, func(p string, d os.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				os.Chmod(p, 0o755)
			}
			return nil
		})
		os.RemoveAll(base)
	})
	// The user nobody must be able to reach the folders to be refused by them.
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}
	readOnly := func(root string) {
		filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err == nil {
				os.Chmod(p, map[bool]os.FileMode{true: 0o555, false: 0o444}[d.IsDir()])
			}
			return nil
		})
	}

	fresh := filepath.Join(base, "fresh")
	os.Mkdir(fresh, 0o755)
	readOnly(fresh)

	used := filepath.Join(base, "used")
	l, err := Open(t.Context(), used, Options{})
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	readOnly(used)

	// Only the database, as a backup restored by another user leaves it.
	dbOnly := filepath.Join(base, "db")
	if l, err = Open(t.Context(), dbOnly, Options{}); err != nil {
		t.Fatal(err)
	}
	l.Close()
	filepath.WalkDir(dbOnly, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			os.Chmod(p, 0o777)
		}
		return nil
	})
	os.Chmod(filepath.Join(dbOnly, "slate.db"), 0o444)

	parent := filepath.Join(base, "parent")
	os.Mkdir(parent, 0o755)
	readOnly(parent)

	for _, tt := range []struct{ name, dir, fix string }{
		{"new folder", fresh, fresh},
		{"folder used before", used, used},
		{"folder that cannot be made", filepath.Join(parent, "slate"), parent},
		{"database file", dbOnly, filepath.Join(dbOnly, "slate.db")},
	} {
		msg := openAsUser(t, base, tt.dir)
		t.Logf("%s: %s", tt.name, msg)
		for _, want := range []string{"cannot write to the data folder " + tt.dir + " (", "make " + tt.fix + " writable", "or start Slate with SLATE_HOME set to another folder"} {
			if !strings.Contains(msg, want) {
				t.Errorf("%s: Open = %q\nwant it to say %q", tt.name, msg, want)
			}
		}
		if strings.Contains(msg, "\n") || strings.HasPrefix(msg, "open library: mkdir") {
			t.Errorf("%s: Open = %q, want one line for a person", tt.name, msg)
		}
	}
}

// notWritable keeps the sentinel for callers and passes other errors on.
func TestNotWritableError(t *testing.T) {
	err := notWritable("/data", &fs.PathError{Op: "mkdir", Path: "/data/tmp", Err: syscall.EROFS})
	if !errors.Is(err, ErrNotWritable) || !strings.Contains(err.Error(), "/data/tmp: the disk is read-only") {
		t.Errorf("notWritable(EROFS) = %v, want ErrNotWritable saying the disk is read-only", err)
	}
	other := &fs.PathError{Op: "mkdir", Path: "/data/tmp", Err: syscall.ENOSPC}
	if err := notWritable("/data", other); errors.Is(err, ErrNotWritable) || !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("notWritable(ENOSPC) = %v, want it passed on", err)
	}
}
