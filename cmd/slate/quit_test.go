package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/slatestudio/slate/examples"
	"github.com/slatestudio/slate/timeline"
)

// The studio's real binary under Xvfb, quit the ways a person quits it.
//
// SLATE_QUIT_RUNS sets how many starts TestQuitUnderX makes (6 by default;
// scripts/quitloop.sh makes 50); SLATE_TEST_DISPLAY names the display for
// Xvfb (":90") where others share the machine, else Xvfb picks a free one;
// SLATE_QUIT_BIN runs a binary built elsewhere (an older one, to count
// how often it panicked) instead of building this one.

// quitWay is how a run quits the studio.
type quitWay int

const (
	quitCtrlQ quitWay = iota // the Ctrl+Q key press
	quitClose                // the window's close button, as a window manager asks
	quitTERM                 // SIGTERM
)

func (w quitWay) String() string {
	return [...]string{"Ctrl+Q", "window close", "SIGTERM"}[w]
}

// TestQuitUnderX starts the studio and quits it as soon as its window is
// up, by Ctrl+Q, the window's close button and SIGTERM in turn, with the
// pointer moving over the window all the while. Fyne's driver panicked
// (nil pointer in glfw.(*Window).SetInputMode) in 8 of 20 such starts when
// the studio quit by closing its windows; and Ctrl+Q did nothing.
func TestQuitUnderX(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the real studio several times")
	}
	display := xDisplay(t)
	bin := slateBinary(t)
	home := t.TempDir()
	runs := 6
	if v := os.Getenv("SLATE_QUIT_RUNS"); v != "" {
		var err error
		if runs, err = strconv.Atoi(v); err != nil || runs < 1 {
			t.Fatalf("SLATE_QUIT_RUNS=%q: want a number of starts", v)
		}
	}
	failed := map[string]int{}
	for i := range runs {
		way := quitWay(i % 3)
		// Quit at once, or a moment later.
		delay := time.Duration(i*37%250) * time.Millisecond
		if problem := quitOnce(t, bin, display, home, way, delay); problem != "" {
			failed[way.String()]++
			t.Errorf("start %d, quit by %v %v after the window showed: %s", i+1, way, delay, problem)
		}
	}
	total := 0
	for _, n := range failed {
		total += n
	}
	t.Logf("%d of %d starts failed to quit cleanly %v", total, runs, failed)
}

// quitOnce starts the studio, waits for its window, moves the pointer over
// it, quits it by way after delay, and says what went wrong, if anything.
func quitOnce(t *testing.T, bin, display, home string, way quitWay, delay time.Duration) string {
	t.Helper()
	cmd, stderr, exited := startStudio(t, bin, display, home)
	win, err := studioWindow(display, cmd.Process.Pid, exited)
	if err != nil {
		cmd.Process.Kill()
		<-exited
		return fmt.Sprintf("%v\n%s", err, stderr)
	}
	stopPointer := movePointer(display, win)
	defer stopPointer()
	time.Sleep(delay)
	// xdotool fails now and then: it sends the key's release after the
	// studio has quit on its press and destroyed the window (BadWindow).
	// So a failure is tried again only while the studio runs, and what
	// counts is whether it quits.
	var failures []string
	for try := 0; try < 3; try++ {
		switch way {
		case quitCtrlQ:
			key := exec.Command("xdotool", "key", "--window", strconv.FormatUint(uint64(win), 10), "ctrl+q")
			key.Env = append(os.Environ(), "DISPLAY="+display)
			if out, kerr := key.CombinedOutput(); kerr != nil {
				err = fmt.Errorf("xdotool key: %v: %s", kerr, bytes.TrimSpace(out))
			} else {
				err = nil
			}
		case quitClose:
			err = askToClose(display, win)
		case quitTERM:
			err = cmd.Process.Signal(syscall.SIGTERM)
		}
		if err == nil {
			break
		}
		failures = append(failures, err.Error())
		select {
		case <-exited:
		case <-time.After(500 * time.Millisecond):
			continue
		}
		break
	}
	wait := 30 * time.Second
	if way == quitCtrlQ && delay < 250*time.Millisecond {
		// A key press sent within a moment of the window's mapping was
		// once lost on CI's loaded machine (no quit in 30 s, nothing in
		// the log), and never in 40 such starts on a quieter machine. A person cannot press
		// that fast, and would press again: so does the test, once, and
		// says so. Ctrl+Q that does nothing fails both presses.
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			t.Logf("start quit by Ctrl+Q %v after the window showed: no answer in 10 s; pressing it again", delay)
			key := exec.Command("xdotool", "key", "--window", strconv.FormatUint(uint64(win), 10), "ctrl+q")
			key.Env = append(os.Environ(), "DISPLAY="+display)
			if out, kerr := key.CombinedOutput(); kerr != nil {
				failures = append(failures, fmt.Sprintf("xdotool key, again: %v: %s", kerr, bytes.TrimSpace(out)))
			}
			wait = 20 * time.Second
		}
	}
	select {
	case <-exited:
	case <-time.After(wait):
		// SIGQUIT makes a Go program print every goroutine's stack: where
		// it hangs, if it took the key and is stuck on the way out.
		cmd.Process.Signal(syscall.SIGQUIT)
		select {
		case <-exited:
		case <-time.After(3 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
		return fmt.Sprintf("it did not quit within 30 s (asking it to: %s)\n%s", strings.Join(failures, "; "), stderr)
	}
	if out := stderr.String(); strings.Contains(out, "panic:") || strings.Contains(out, "fatal error:") || strings.Contains(out, "WARNING: DATA RACE") {
		return "it panicked:\n" + out
	}
	if code := cmd.ProcessState.ExitCode(); code != 0 {
		return fmt.Sprintf("it exited with status %d\n%s", code, stderr)
	}
	return ""
}

// TestTERMDuringLongLoad sends SIGTERM while the studio opens the largest
// things a project may hold: it must quit, promptly. Opening a
// 32,000-character prompt once kept the UI goroutine for minutes, and
// SIGTERM, which waited for it, was ignored all that time.
func TestTERMDuringLongLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the real studio")
	}
	display := xDisplay(t)
	bin := slateBinary(t)
	p, err := timeline.Decode("demo.slate", examples.Demo)
	if err != nil {
		t.Fatal(err)
	}
	prompt := strings.Repeat("a lighthouse beam sweeping over calm water, ", timeline.MaxPromptRunes/44+1)[:timeline.MaxPromptRunes]
	for _, s := range p.Shots {
		s.Prompt = prompt
	}
	data, err := timeline.Encode(p)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "longest.slate")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, after := range []time.Duration{300 * time.Millisecond, time.Second, 3 * time.Second} {
		cmd, stderr, exited := startStudio(t, bin, display, t.TempDir(), file)
		time.Sleep(after)
		cmd.Process.Signal(syscall.SIGTERM)
		t0 := time.Now()
		select {
		case <-exited:
			t.Logf("SIGTERM %v after the start: quit in %v", after, time.Since(t0).Round(time.Millisecond))
		case <-time.After(25 * time.Second):
			cmd.Process.Kill()
			<-exited
			t.Errorf("SIGTERM %v after the start: still running 25 s later\n%s", after, stderr)
			continue
		}
		if out := stderr.String(); strings.Contains(out, "panic:") || strings.Contains(out, "fatal error:") {
			t.Errorf("SIGTERM %v after the start: it panicked:\n%s", after, out)
		}
	}
}

// startStudio runs the studio binary on display with its data folder in
// home (its own HOME too, so Fyne's settings stay out of the person's),
// and returns it, its standard error and a channel closed when it exits.
func startStudio(t *testing.T, bin, display, home string, args ...string) (*exec.Cmd, *syncBuffer, chan struct{}) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	var env []string
	for _, kv := range os.Environ() {
		// No D-Bus session: the account's keyring is a file in the data
		// folder, never this machine's.
		if !strings.HasPrefix(kv, "DBUS_SESSION_BUS_ADDRESS=") {
			env = append(env, kv)
		}
	}
	cmd.Env = append(env, "DISPLAY="+display, "SLATE_HOME="+filepath.Join(home, "slate"), "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, "config"))
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		select {
		case <-exited:
		default:
			cmd.Process.Kill()
			<-exited
		}
	})
	return cmd, stderr, exited
}

// studioWindow waits for the studio (process pid) to show its window and
// returns the window's id.
func studioWindow(display string, pid int, exited chan struct{}) (uint32, error) {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return 0, errors.New("it exited before it showed a window")
		default:
		}
		cmd := exec.Command("xdotool", "search", "--onlyvisible", "--pid", strconv.Itoa(pid))
		cmd.Env = append(os.Environ(), "DISPLAY="+display)
		out, _ := cmd.Output()
		if line, _, _ := strings.Cut(string(out), "\n"); line != "" {
			id, err := strconv.ParseUint(strings.TrimSpace(line), 10, 32)
			return uint32(id), err
		}
		time.Sleep(100 * time.Millisecond)
	}
	return 0, errors.New("no window showed within 60 s")
}

// movePointer moves the pointer to and fro over the window, between text
// fields (a text cursor) and the rest (an arrow), until stopped.
func movePointer(display string, win uint32) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		points := [][2]int{{1240, 130}, {600, 640}, {1240, 250}, {90, 90}, {720, 300}}
		for i := 0; ctx.Err() == nil; i++ {
			pt := points[i%len(points)]
			cmd := exec.CommandContext(ctx, "xdotool", "mousemove", "--window", strconv.FormatUint(uint64(win), 10), strconv.Itoa(pt[0]), strconv.Itoa(pt[1]))
			cmd.Env = append(os.Environ(), "DISPLAY="+display)
			cmd.Run()
		}
	}()
	return func() { cancel(); <-done }
}

// xDisplay starts Xvfb for the test and returns its display, skipping the
// test when Xvfb or xdotool is missing (failing it with
// SLATE_REQUIRE_DEPS=1).
func xDisplay(t *testing.T) string {
	t.Helper()
	for _, tool := range []string{"Xvfb", "xdotool"} {
		if _, err := exec.LookPath(tool); err != nil {
			requireDeps(t, fmt.Errorf("%s not found (scripts/setup.sh --test installs it): %w", tool, err))
		}
	}
	// -noreset: the server would otherwise reset each time its last client
	// leaves (between two starts), refusing connections meanwhile.
	args := []string{"-screen", "0", "1600x1000x24", "-nolisten", "tcp", "-noreset"}
	display := os.Getenv("SLATE_TEST_DISPLAY")
	var cmd *exec.Cmd
	var ready *os.File
	if display != "" {
		cmd = exec.Command("Xvfb", append([]string{display}, args...)...)
	} else {
		// Xvfb picks a free display and writes its number to fd 3.
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		cmd = exec.Command("Xvfb", append([]string{"-displayfd", "3"}, args...)...)
		cmd.ExtraFiles = []*os.File{w}
		ready = r
		defer w.Close()
	}
	var log bytes.Buffer
	cmd.Stderr = &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// SIGTERM, so that Xvfb removes its socket and lock file.
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	if ready != nil {
		line, err := bufio.NewReader(ready).ReadString('\n')
		if err != nil {
			t.Fatalf("Xvfb did not say its display: %v\n%s", err, &log)
		}
		display = ":" + strings.TrimSpace(line)
	}
	// Ready when it takes a connection (a socket file may be left over
	// from an Xvfb killed before).
	n := strings.TrimPrefix(display, ":")
	for range 100 {
		if c, err := net.Dial("unix", "/tmp/.X11-unix/X"+n); err == nil {
			c.Close()
			return display
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("Xvfb %s did not start\n%s", display, &log)
	return ""
}

// slateBinary builds the slate command (with the race detector when the
// test has it, so that the build reuses the test's compiled packages),
// or returns SLATE_QUIT_BIN.
func slateBinary(t *testing.T) string {
	t.Helper()
	if bin := os.Getenv("SLATE_QUIT_BIN"); bin != "" {
		return bin
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		requireDeps(t, fmt.Errorf("go not found, to build the studio: %w", err))
	}
	bin := filepath.Join(t.TempDir(), "slate")
	args := []string{"build", "-o", bin}
	if raceBuild {
		args = append(args, "-race")
	}
	cmd := exec.Command(gobin, append(args, ".")...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// syncBuffer is a bytes.Buffer that the process writes while the test
// reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
