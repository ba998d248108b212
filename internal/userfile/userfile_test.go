package userfile

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/slatestudio/slate/internal/userfile/userfiletest"
)

// within runs f and fails the test if it has not returned after a few
// seconds: opening a named pipe must never wait for a writer.
func within(t *testing.T, f func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-time.After(5 * time.Second):
		t.Fatal("still blocked after 5 s")
		return nil
	}
}

func TestRefusesWhatIsNotARegularFile(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe.slate")
	userfiletest.Mkfifo(t, fifo)
	sock := filepath.Join(dir, "socket.slate")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	link := filepath.Join(dir, "zero.slate")
	if err := os.Symlink("/dev/zero", link); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ path, want string }{
		{"/dev/zero", "/dev/zero is a device, not a project file"},
		{"/dev/urandom", "/dev/urandom is a device, not a project file"},
		{fifo, fifo + " is a named pipe, not a project file"},
		{sock, sock + " is a socket, not a project file"},
		{dir, dir + " is a folder, not a project file"},
		{link, link + " is a device, not a project file"},
	}
	for _, tt := range tests {
		for name, f := range map[string]func() error{
			"Check":    func() error { return Check(tt.path, "a project file") },
			"Open":     func() error { f, err := Open(tt.path, "a project file"); f.Close(); return err },
			"ReadFile": func() error { _, err := ReadFile(tt.path, "a project file", 1<<20); return err },
			// As if the path had become this after Check: the open must not
			// block and the file open must be refused.
			"openRegular": func() error { f, err := openRegular(tt.path, "a project file"); f.Close(); return err },
		} {
			err := within(t, f)
			if err == nil || err.Error() != tt.want || !errors.Is(err, ErrNotRegular) {
				t.Errorf("%s(%s) = %v, want %q matching ErrNotRegular", name, tt.path, err, tt.want)
			}
		}
	}
}

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.slate")
	if err := os.WriteFile(path, []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := ReadFile(path, "a project file", 5); err != nil || string(got) != "hello" {
		t.Errorf("ReadFile(5 bytes, limit 5) = %q, %v", got, err)
	}
	_, err := ReadFile(path, "a project file", 4)
	if !errors.Is(err, ErrTooLarge) || err.Error() != path+" is 5 bytes; a project file is at most 4 bytes" {
		t.Errorf("ReadFile(5 bytes, limit 4) = %v", err)
	}
	// A file that claims to be empty and is not is still bounded.
	if _, err := ReadFile("/proc/self/status", "a status", 10); !errors.Is(err, ErrTooLarge) || err.Error() != "/proc/self/status is larger than 10 bytes, the most a status may be" {
		t.Errorf("ReadFile(/proc/self/status, limit 10) = %v", err)
	}
	if _, err := ReadFile(filepath.Join(dir, "none"), "a project file", 10); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("ReadFile(missing) = %v, want os.ErrNotExist", err)
	}
}

func TestSize(t *testing.T) {
	for n, want := range map[int64]string{300: "300 bytes", 12 << 10: "12 KB", 64 << 20: "64 MB"} {
		if got := Size(n); got != want {
			t.Errorf("Size(%d) = %q, want %q", n, got, want)
		}
	}
}
