package library

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
)

// openChild is the child of TestConcurrentFirstOpen: it waits for the
// parent's word on stdin, so that every child opens at the same moment,
// then opens the library and says how that went. With
// SLATE_OPEN_CHILD_HOLD=1 it keeps the library open until it is killed.
func openChild(dir string) {
	bufio.NewReader(os.Stdin).ReadString('\n')
	l, err := Open(context.Background(), dir, Options{})
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	if os.Getenv("SLATE_OPEN_CHILD_HOLD") == "1" {
		// Hold the library open until killed.
		fmt.Println("open", l.TempDir())
		select {}
	}
	if err := l.Close(); err != nil {
		fmt.Println("error: close:", err)
		os.Exit(1)
	}
	fmt.Println("ok")
}

// TestConcurrentFirstOpen starts eight processes at once on a data folder
// that does not exist yet, as two renders started together do on a new
// computer: every one must open it, whichever of them creates the
// database, sets its journal mode and migrates it.
func TestConcurrentFirstOpen(t *testing.T) {
	rounds := 12
	if testing.Short() {
		rounds = 4
	}
	const procs = 8
	for round := range rounds {
		dir := t.TempDir()
		type child struct {
			cmd   *exec.Cmd
			stdin io.WriteCloser
			out   strings.Builder
		}
		children := make([]*child, procs)
		for i := range children {
			c := &child{cmd: exec.Command(os.Args[0], "-test.run=^$")}
			c.cmd.Env = append(os.Environ(), "SLATE_OPEN_CHILD_DIR="+dir)
			c.cmd.Stdout, c.cmd.Stderr = &c.out, &c.out
			var err error
			if c.stdin, err = c.cmd.StdinPipe(); err != nil {
				t.Fatal(err)
			}
			if err := c.cmd.Start(); err != nil {
				t.Fatal(err)
			}
			children[i] = c
		}
		// Every child is running and waiting: let them all go at once.
		for _, c := range children {
			c.stdin.Write([]byte("go\n"))
		}
		var wg sync.WaitGroup
		errs := make([]error, procs)
		for i, c := range children {
			wg.Go(func() { errs[i] = c.cmd.Wait() })
		}
		wg.Wait()
		for i, c := range children {
			if errs[i] != nil || strings.TrimSpace(c.out.String()) != "ok" {
				t.Errorf("round %d, process %d of %d opening a new data folder at once: %v\n%s", round, i+1, procs, errs[i], c.out.String())
			}
		}
		if t.Failed() {
			return
		}
		l := open(t, dir)
		if err := l.IntegrityCheck(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
}
