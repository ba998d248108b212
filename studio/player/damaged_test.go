package player

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slatestudio/slate/render"
	"github.com/slatestudio/slate/render/animatic"
)

// A clip damaged on disk is not played: the player checks it before
// decoding, moves it aside, says so, and the shot shows its storyboard
// until it is rendered again.
func TestDamagedClipIsNotPlayed(t *testing.T) {
	s, _ := newTestStudio(t, nil)
	p := s.player
	ctx := context.Background()
	j, err := s.env.Queue.Submit(ctx, s.Request(0), animatic.Name)
	if err != nil {
		t.Fatal(err)
	}
	if j, err = s.env.Queue.Wait(ctx, j.ID); err != nil || j.Status != render.Completed {
		t.Fatalf("render shot 1: %v, %+v", err, j.Error)
	}
	// Damaged before the studio, which hears of the clip on its UI
	// goroutine, has opened it.
	path := s.env.Library.Blobs().Path(j.Clip.SHA256)
	data, _ := os.ReadFile(path)
	os.Chmod(path, 0o644)
	os.WriteFile(path, data[:len(data)/2], 0o644)

	s.SetPlayhead(20)
	want := "the cached clip of shot 1 was damaged; render it again"
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(p.text(p.status), want) {
		if time.Now().After(deadline) {
			t.Fatalf("the player's status says %q, want %q", p.text(p.status), want)
		}
		pump(s.player)
		time.Sleep(5 * time.Millisecond)
	}
	if _, err := os.Stat(filepath.Join(s.env.Library.Dir(), "blobs", "damaged", j.Clip.SHA256)); err != nil {
		t.Errorf("the damaged clip was not moved aside: %v", err)
	}
	waitShown(t, p, "the storyboard card", func(st shownState) bool { return st.frame == 20 && st.final && !st.clip })
	if _, ok := s.ClipOf(0); ok {
		t.Error("the studio still takes shot 1 for rendered")
	}
}
