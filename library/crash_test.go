package library

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/slatestudio/slate/timeline"
)

// The crash test runs this test binary as a child that edits a project
// until it is killed; TestMain sends the child straight to crashChild. The
// concurrent-open test runs it as children that open one data folder
// together (openChild).
func TestMain(m *testing.M) {
	if dir := os.Getenv("SLATE_CRASH_DIR"); dir != "" {
		crashChild(dir, os.Getenv("SLATE_CRASH_PROJECT"), os.Getenv("SLATE_CRASH_SEED"))
		return
	}
	if dir := os.Getenv("SLATE_OPEN_CHILD_DIR"); dir != "" {
		openChild(dir)
		return
	}
	os.Exit(m.Run())
}

// step makes the next edit of a deterministic sequence: the same seed and
// starting project give the same edits, so the parent can replay them.
func step(r *rand.Rand, ed interface {
	Project() *timeline.Project
}, n int) (cmd timeline.Command, undo, redo bool) {
	p := ed.Project()
	pick := func() string { return p.Shots[r.IntN(len(p.Shots))].ID }
	switch k := r.IntN(10); {
	case k == 0:
		return nil, true, false
	case k == 1:
		return nil, false, true
	case k == 2 && len(p.Shots) < 40:
		s := timeline.NewShot(fmt.Sprintf("added %d", n))
		s.ID = fmt.Sprintf("c%d-%d", r.Uint32(), n)
		s.Prompt = strings.Repeat("a sweeping view ", r.IntN(20))
		return timeline.AddShot(r.IntN(len(p.Shots)+1), s), false, false
	case k == 3 && len(p.Shots) > 3:
		return timeline.DeleteShots(pick()), false, false
	case k == 4:
		return timeline.MoveShot(pick(), r.IntN(len(p.Shots))), false, false
	case k == 5:
		return timeline.SetDuration(pick(), time.Duration(1+r.IntN(20))*500*time.Millisecond), false, false
	case k == 6:
		return timeline.SetTitle(fmt.Sprintf("Title %d", n)), false, false
	default:
		return timeline.SetPrompt(pick(), fmt.Sprintf("prompt %d %s", n, strings.Repeat("x", r.IntN(300)))), false, false
	}
}

type stepper interface {
	Project() *timeline.Project
}

// run applies edit number n to either a Document (the child) or a plain
// Editor (the parent's replay), and reports whether it was made.
func runStep(ctx context.Context, r *rand.Rand, n int, d *Document, e *timeline.Editor) bool {
	var target stepper = e
	if d != nil {
		target = d
	}
	c, undo, redo := step(r, target, n)
	var err error
	switch {
	case d != nil && undo:
		_, err = d.Undo(ctx)
	case d != nil && redo:
		_, err = d.Redo(ctx)
	case d != nil:
		_, err = d.Do(ctx, c)
	case undo:
		_, err = e.Undo()
	case redo:
		_, err = e.Redo()
	default:
		_, err = e.Do(c)
	}
	return err == nil
}

func crashChild(dir, project, seed string) {
	ctx := context.Background()
	l, err := Open(context.Background(), dir, Options{Exclusive: true})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	d, err := l.OpenProject(ctx, project)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	s, _ := strconv.ParseUint(seed, 10, 64)
	r := rand.New(rand.NewPCG(s, 0))
	out := bufio.NewWriter(os.Stdout)
	fmt.Fprintln(out, "ready")
	out.Flush()
	for n := 1; ; n++ {
		runStep(ctx, r, n, d, nil)
		// Do returned, so edit n is acknowledged: it must survive.
		fmt.Fprintln(out, "ack", n)
		out.Flush()
	}
}

// TestCrashDuringAutosave kills a child that is editing and saving a
// project at 200 random points, then checks that the database is intact
// and holds every acknowledged edit: the state after the last
// acknowledged edit, or after the one in flight when it was killed.
func TestCrashDuringAutosave(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l, err := Open(t.Context(), dir, Options{Exclusive: true})
	if err != nil {
		t.Fatal(err)
	}
	d, err := l.CreateProject(ctx, demo(t))
	if err != nil {
		t.Fatal(err)
	}
	id := d.Project().ID
	l.Close()

	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	rounds, totalAcks := 200, 0
	if testing.Short() {
		rounds = 20
	}
	for round := range rounds {
		// The state the child starts from.
		l, err := Open(t.Context(), dir, Options{})
		if err != nil {
			t.Fatal(err)
		}
		start, err := l.OpenProject(ctx, id)
		var startSync ProjectSync
		if err == nil {
			_, startSync, err = l.ProjectSnapshot(ctx, id)
		}
		l.Close()
		if err != nil {
			t.Fatal(err)
		}

		seed := r.Uint64()
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "SLATE_CRASH_DIR="+dir, "SLATE_CRASH_PROJECT="+id, fmt.Sprint("SLATE_CRASH_SEED=", seed))
		cmd.Stderr = os.Stderr
		stdout, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := bufio.NewScanner(stdout)
		if !lines.Scan() || lines.Text() != "ready" {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("round %d: child did not start: %q", round, lines.Text())
		}
		killAfter := r.IntN(25)
		acked := 0
		for acked < killAfter && lines.Scan() {
			acked, _ = strconv.Atoi(strings.TrimPrefix(lines.Text(), "ack "))
		}
		// Land the kill at a random moment inside the next save.
		time.Sleep(time.Duration(r.IntN(3000)) * time.Microsecond)
		cmd.Process.Kill()
		// Acks printed before the kill still count.
		for lines.Scan() {
			if n, err := strconv.Atoi(strings.TrimPrefix(lines.Text(), "ack ")); err == nil {
				acked = n
			}
		}
		cmd.Wait()
		totalAcks += acked

		l, err = Open(t.Context(), dir, Options{})
		if err != nil {
			t.Fatalf("round %d: reopen after kill: %v", round, err)
		}
		if err := l.IntegrityCheck(ctx); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		stored, err := l.OpenProject(ctx, id)
		var sync ProjectSync
		if err == nil {
			_, sync, err = l.ProjectSnapshot(ctx, id)
		}
		l.Close()
		if err != nil {
			t.Fatalf("round %d: open project after kill: %v", round, err)
		}
		got := encode(t, stored.Project())

		// Replay the child's edits on the starting state.
		e := timeline.NewEditor(start.Project())
		rr := rand.New(rand.NewPCG(seed, 0))
		made := int64(0) // edits saved, each counted for sync
		for n := 1; n <= acked; n++ {
			if runStep(ctx, rr, n, nil, e) {
				made++
			}
		}
		afterAcked := encode(t, e.Project())
		nextMade := runStep(ctx, rr, acked+1, nil, e)
		inFlight := encode(t, e.Project())
		switch {
		case bytes.Equal(got, afterAcked) && sync.Edits == startSync.Edits+made:
		case bytes.Equal(got, inFlight) && nextMade && sync.Edits == startSync.Edits+made+1:
		case bytes.Equal(got, inFlight) && !nextMade && sync.Edits == startSync.Edits+made:
		default:
			t.Fatalf("round %d: after %d acknowledged edits (%d made) the stored project and its count of edits (%d, from %d) match neither that state nor the next:\n%s", round, acked, made, sync.Edits, startSync.Edits, got)
		}
	}
	t.Logf("%d kills, %d acknowledged edits checked", rounds, totalAcks)
}
