package synccmd

import (
	"context"
	"crypto/rand"
	"io"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/slatestudio/slate/account/client"
	"github.com/slatestudio/slate/library"
)

// slate sync now, killed (SIGKILL) partway through a large clip's upload
// again and again, resumes each time from the offset it saved: the
// server receives the file once, plus at most one chunk per kill. 3
// kills in go test; SLATE_LONG=1: 20.
func TestKilledUploadResumes(t *testing.T) {
	kills := 3
	if os.Getenv("SLATE_LONG") != "" {
		kills = 20
	}
	size := int64(kills+2) * client.DefaultChunk
	s := startServer(t)
	dir := folder(t, s, "olive", true)
	ctx := context.Background()
	id := addProject(t, dir, "The Kite", nil)

	// A large clip of the project's shot, as the render queue files one.
	lib, err := library.Open(ctx, dir, library.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sum, n, err := lib.Blobs().Put(ctx, io.LimitReader(rand.Reader, size))
	if err != nil {
		t.Fatal(err)
	}
	p, _, err := lib.ProjectSnapshot(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if err := lib.AddClip(ctx, library.Clip{ProjectID: id, ShotID: p.Shots[0].ID, Key: "k", SHA256: sum, Size: n, Backend: "animatic", Width: 64, Height: 36, FPS: 24, Frames: 24}); err != nil {
		t.Fatal(err)
	}
	lib.Close()

	slate := func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], "now")
		cmd.Env = append(os.Environ(), "SLATE_TEST_AS_SLATE=1", "SLATE_HOME="+dir)
		return cmd
	}
	for k := 1; k <= kills; k++ {
		// Killed once the server has had k parts of kills+2.
		at := int64(k)*size/int64(kills+2) + client.DefaultChunk/2 // mid-chunk
		cmd := slate()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		deadline := time.Now().Add(2 * time.Minute)
	wait:
		for s.patched.Load() < at {
			select {
			case err := <-exited:
				t.Fatalf("kill %d: slate sync now ended (%v) before the server had %d bytes (it has %d)", k, err, at, s.patched.Load())
			default:
			}
			if time.Now().After(deadline) {
				break wait
			}
			time.Sleep(time.Millisecond)
		}
		cmd.Process.Kill()
		<-exited
		t.Logf("kill %d at %d bytes received", k, s.patched.Load())
	}
	out, err := slate().CombinedOutput()
	if err != nil {
		t.Fatalf("the last slate sync now: %v\n%s", err, out)
	}

	lib, err = library.Open(ctx, dir, library.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	ts, err := lib.Transfers(ctx)
	if err != nil || len(ts) != 0 {
		t.Errorf("transfers left: %+v, %v", ts, err)
	}
	got := s.patched.Load()
	if limit := size + int64(kills)*client.DefaultChunk; got < size || got > limit {
		t.Errorf("the server received %d bytes for a %d-byte clip and %d kills; want at most %d (one chunk more per kill)", got, size, kills, limit)
	}
	t.Logf("%d kills: %d bytes received for %d (%.2f×)", kills, got, size, float64(got)/float64(size))
}
