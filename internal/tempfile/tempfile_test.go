package tempfile

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

func TestCreateNamesTheOwner(t *testing.T) {
	dir := t.TempDir()
	f, err := Create(dir, Prefix, "-film.mp4")
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	name := filepath.Base(f.Name())
	owner, ok := Owner(name, Prefix)
	if !ok || owner != Self() || !strings.HasSuffix(name, "-film.mp4") {
		t.Errorf("Create made %q: owner %+v, %v; want %+v and the suffix kept", name, owner, ok, Self())
	}
	if !Self().Alive() || Abandoned(name, Prefix) {
		t.Errorf("this process's own file counts as abandoned")
	}
	d, err := Mkdir(dir, "p", "")
	if err != nil {
		t.Fatal(err)
	}
	if o, ok := Owner(filepath.Base(d), "p"); !ok || o != Self() {
		t.Errorf("Mkdir made %q: owner %+v, %v", d, o, ok)
	}
	if runtime.GOOS == "linux" && Self().Start == 0 {
		t.Errorf("Self() = %+v: no start time on Linux", Self())
	}
	if _, err := Create(dir, Prefix, "a/b"); err == nil {
		t.Error("Create with a separator in the suffix succeeded")
	}
}

func TestOwner(t *testing.T) {
	for _, tt := range []struct {
		name string
		want Process
		ok   bool
	}{
		{".slate-tmp-123.456-789-film.mp4", Process{123, 456}, true},
		{".slate-tmp-123.0-789", Process{123, 0}, true},
		{".slate-tmp-2383052076-film.mp4", Process{}, false}, // os.CreateTemp's name, before owners
		{".slate-tmp-0.5-1", Process{}, false},
		{".slate-tmp--1.5-1", Process{}, false},
		{".slate-tmp-12.x-1", Process{}, false},
		{"film.mp4", Process{}, false},
	} {
		got, ok := Owner(tt.name, Prefix)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Owner(%q) = %+v, %v; want %+v, %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

// deadProcess runs a process to its end and returns it as it was.
func deadProcess(t *testing.T) Process {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := Process{PID: cmd.Process.Pid}
	p.Start, _ = startTime(p.PID)
	cmd.Wait()
	return p
}

func TestSweep(t *testing.T) {
	dir := t.TempDir()
	dead := deadProcess(t)
	self := Self()
	names := map[string]bool{ // name → kept
		Prefix + self.tag() + "-1-film.mp4": true,
		Prefix + dead.tag() + "-2-film.mp4": false,
		Prefix + dead.tag() + "-3-assemble": false, // a folder, below
		"film.mp4":                          true,
		".slate-tmp-2383052076-film.mp4":    true, // no owner: not ours to judge
		"p" + dead.tag() + "-4":             true, // another prefix
		Prefix + "99999999.1-5-far-future":  false,
	}
	if runtime.GOOS == "linux" {
		// This process's id with another start time: a process that had
		// this id before, now dead.
		reused := self
		reused.Start++
		names[Prefix+reused.tag()+"-6-film.mp4"] = false
	}
	for name := range names {
		p := filepath.Join(dir, name)
		if strings.HasSuffix(name, "assemble") {
			os.MkdirAll(filepath.Join(p, "inner"), 0o755)
			os.WriteFile(filepath.Join(p, "inner", "mix.wav"), []byte("x"), 0o644)
			continue
		}
		os.WriteFile(p, []byte("x"), 0o644)
	}
	removed, err := Sweep(dir, Prefix)
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	var left []string
	for _, e := range entries {
		left = append(left, e.Name())
	}
	want := 0
	for name, kept := range names {
		if kept != slices.Contains(left, name) {
			t.Errorf("after Sweep, %q is there: %v; want %v", name, !kept, kept)
		}
		if !kept {
			want++
		}
	}
	if removed != want {
		t.Errorf("Sweep removed %d, want %d", removed, want)
	}
	if n, err := Sweep(filepath.Join(dir, "missing"), Prefix); n != 0 || err != nil {
		t.Errorf("Sweep of a missing folder = %d, %v", n, err)
	}
}
