package enrol

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/slatestudio/slate/capture"
	"github.com/slatestudio/slate/capture/liveness/livenesstest"
	"github.com/slatestudio/slate/library"
	"github.com/slatestudio/slate/media"
)

func tools(t *testing.T) media.Tools {
	t.Helper()
	tl := media.FindTools()
	if err := tl.Check(); err != nil {
		if os.Getenv("SLATE_REQUIRE_DEPS") == "1" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	return tl
}

func take(t *testing.T, tl media.Tools, opts livenesstest.Options) capture.Take {
	t.Helper()
	script := capture.NewScript(rand.New(rand.NewPCG(7, 9)))
	tk, err := livenesstest.Make(context.Background(), tl, filepath.Join(t.TempDir(), "take.mp4"), script, opts)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// A live take becomes a cast member with its take, three stills and a
// voice sample; a take that fails its checks is refused and stores nothing.
func TestSave(t *testing.T) {
	tl := tools(t)
	ctx := context.Background()
	c, err := OpenChecker(tl)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if len(c.Missing) > 0 && os.Getenv("SLATE_REQUIRE_DEPS") == "1" {
		t.Fatalf("the speech checks cannot run: %v", c.Missing)
	}
	lib, err := library.Open(t.Context(), t.TempDir(), library.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()

	bad := take(t, tl, livenesstest.Options{Width: 320, Height: 240, Silent: true})
	rep, err := c.Check(ctx, bad)
	if err != nil {
		t.Fatal(err)
	}
	m := &library.CastMember{Name: "Quiet One", Handle: "@quiet"}
	if err := Save(ctx, lib, &bad, rep, m); !errors.Is(err, ErrNotPassed) {
		t.Fatalf("Save of a silent take = %v, want ErrNotPassed", err)
	}
	if list, _ := lib.CastMembers(ctx); len(list) != 0 {
		t.Errorf("a refused take stored %d members", len(list))
	}

	good := take(t, tl, livenesstest.Options{Width: 320, Height: 240})
	rep, err = c.Check(ctx, good)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Passed() {
		t.Fatalf("the good fake take failed: %+v", rep.Results)
	}
	m = &library.CastMember{Name: "Sam Pike", Handle: "@sam", Preferences: "no hats"}
	if err := Save(ctx, lib, &good, rep, m); err != nil {
		t.Fatal(err)
	}
	got, err := lib.CastMember(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	for name, sum := range map[string]string{"take": got.Take, "frontal": got.Frontal, "left": got.Left, "right": got.Right, "voice": got.Sample} {
		if sum == "" || !lib.Blobs().Has(sum) {
			t.Errorf("the member's %s is not stored", name)
		}
	}
	if _, err := os.Stat(good.Video); err != nil {
		t.Errorf("Save removed the take it was given: %v", err)
	}
}
