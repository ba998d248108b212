// Package userfiletest runs the risky step of a test — opening a path that
// may be a named pipe or a device — in a child process bounded in time and
// memory, so that code which blocks or reads without end fails the test
// quickly instead of hanging CI or taking the machine's memory.
package userfiletest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"runtime/metrics"
	"strings"
	"testing"
	"time"
)

// childEnv names the test a child process runs the step of.
const childEnv = "SLATE_USERFILETEST_CHILD"

// HeapLimit is how much heap the step may use before the child stops it.
const HeapLimit = 256 << 20

// exitTooMuch is the child's exit status when the step passed HeapLimit.
const exitTooMuch = 3

// resultMark starts the line on which the child reports the step's result.
const resultMark = "userfiletest result: "

// Bounded runs step in a fresh copy of the test binary that runs only this
// test, and returns what step returned (one line). The test fails if the
// child is still running after timeout (the step blocked) or its heap
// passes HeapLimit (the step reads without bound); either way the child is
// stopped. In the child, Bounded runs step, reports and exits, so code
// after it in the test runs only in the parent.
func Bounded(t *testing.T, timeout time.Duration, step func() string) string {
	t.Helper()
	if os.Getenv(childEnv) == t.Name() {
		go watchHeap()
		fmt.Printf("\n%s%s\n", resultMark, strings.ReplaceAll(step(), "\n", "; "))
		os.Exit(0)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run="+runPattern(t.Name()), "-test.count=1", "-test.timeout="+(timeout+time.Minute).String())
	cmd.Env = append(os.Environ(), childEnv+"="+t.Name())
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Fatalf("still running after %v (it blocks), so it was killed; output:\n%s", time.Since(start).Round(time.Millisecond), out.Bytes())
	case errors.As(err, &exit) && exit.ExitCode() == exitTooMuch:
		t.Fatalf("its heap passed %d MB (it reads without bound), so it was stopped; output:\n%s", HeapLimit>>20, out.Bytes())
	case err != nil:
		t.Fatalf("the child failed: %v; output:\n%s", err, out.Bytes())
	}
	for _, line := range strings.Split(out.String(), "\n") {
		if res, ok := strings.CutPrefix(line, resultMark); ok {
			return res
		}
	}
	t.Fatalf("the child reported no result; output:\n%s", out.Bytes())
	return ""
}

// runPattern matches exactly the test named name, subtests included.
func runPattern(name string) string {
	parts := strings.Split(name, "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	return strings.Join(parts, "/")
}

// watchHeap ends the child as soon as its heap passes HeapLimit.
func watchHeap() {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	for {
		metrics.Read(s)
		if s[0].Value.Kind() == metrics.KindUint64 && s[0].Value.Uint64() > HeapLimit {
			fmt.Printf("\nuserfiletest: the heap passed %d MB\n", HeapLimit>>20)
			os.Exit(exitTooMuch)
		}
		time.Sleep(2 * time.Millisecond)
	}
}
